use crate::error::AppError;
use domain::orders::ShipmentDetail;
use leptos::prelude::*;

/// Any seller's shipment with its lines, money and history.
#[server(prefix = "/rpc", endpoint = "admin_get_shipment")]
pub async fn get_any_shipment(id: String) -> Result<ShipmentDetail, AppError> {
    use crate::ssr;
    let ctx = ssr::admin().await?;
    let id = id
        .parse()
        .map_err(|_| AppError::new(domain::ErrorCode::NotFound, "No such shipment"))?;
    Ok(db::orders::read::get_any_shipment(&ssr::db()?, ctx.actor(), id).await?)
}
