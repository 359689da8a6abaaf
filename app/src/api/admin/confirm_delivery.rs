use crate::error::AppError;
use domain::orders::ShipmentStatus;
use leptos::prelude::*;

/// Staff confirm a delivery the carrier did not report (the hold's release date
/// starts from now).
#[server(prefix = "/rpc", endpoint = "admin_confirm_delivery")]
pub async fn confirm_delivery(id: String) -> Result<ShipmentStatus, AppError> {
    use crate::ssr;
    let ctx = ssr::admin().await?;
    let id = id
        .parse()
        .map_err(|_| AppError::new(domain::ErrorCode::NotFound, "No such shipment"))?;
    let rules = ssr::order_rules();
    Ok(
        db::orders::shipments::confirm_delivery_by_staff(&ssr::db()?, ctx.actor(), id, &rules)
            .await?,
    )
}
