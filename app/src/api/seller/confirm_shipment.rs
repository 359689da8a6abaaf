use crate::error::AppError;
use domain::orders::ShipmentStatus;
use leptos::prelude::*;

/// The seller accepts a paid shipment.
#[server(prefix = "/rpc", endpoint = "confirm_shipment")]
pub async fn confirm_shipment(id: String) -> Result<ShipmentStatus, AppError> {
    use crate::ssr;
    let ctx = ssr::seller().await?;
    let id = id
        .parse()
        .map_err(|_| AppError::new(domain::ErrorCode::NotFound, "No such shipment"))?;
    let rules = ssr::order_rules();
    Ok(db::orders::shipments::confirm(&ssr::db()?, &ctx, id, &rules).await?)
}
