use crate::error::AppError;
use domain::orders::ShipmentStatus;
use leptos::prelude::*;

/// The seller hands a confirmed shipment to a carrier under a tracking number.
#[server(prefix = "/rpc", endpoint = "ship_shipment")]
pub async fn ship_shipment(
    id: String,
    carrier: String,
    tracking_number: String,
) -> Result<ShipmentStatus, AppError> {
    use crate::ssr;
    let ctx = ssr::seller().await?;
    let id = id
        .parse()
        .map_err(|_| AppError::new(domain::ErrorCode::NotFound, "No such shipment"))?;
    let rules = ssr::order_rules();
    Ok(
        db::orders::shipments::ship(&ssr::db()?, &ctx, id, &carrier, &tracking_number, &rules)
            .await?,
    )
}
