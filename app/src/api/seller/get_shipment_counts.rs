use crate::error::AppError;
use domain::orders::ShipmentCounts;
use leptos::prelude::*;

/// How many of the caller's shipments are in each status, and how many are overdue.
#[server(prefix = "/rpc", endpoint = "get_shipment_counts")]
pub async fn get_shipment_counts() -> Result<ShipmentCounts, AppError> {
    use crate::ssr;
    let ctx = ssr::seller().await?;
    Ok(db::orders::read::seller_shipment_counts(&ssr::db()?, &ctx).await?)
}
