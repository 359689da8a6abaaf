use crate::error::AppError;
use domain::orders::{SellerCancelReason, ShipmentStatus};
use leptos::prelude::*;

/// The seller cancels a shipment before shipping; a paid one costs a penalty.
#[server(prefix = "/rpc", endpoint = "cancel_shipment")]
pub async fn cancel_shipment(
    id: String,
    reason: SellerCancelReason,
) -> Result<ShipmentStatus, AppError> {
    use crate::ssr;
    let ctx = ssr::seller().await?;
    let id = id
        .parse()
        .map_err(|_| AppError::new(domain::ErrorCode::NotFound, "No such shipment"))?;
    let rules = ssr::order_rules();
    Ok(db::orders::shipments::cancel_by_seller(&ssr::db()?, &ctx, id, reason, &rules).await?)
}
