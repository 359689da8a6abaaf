use crate::error::AppError;
use domain::orders::ShipmentSummary;
use domain::page::Page;
use leptos::prelude::*;

/// One page of the caller's shipments, newest first: by status (or `overdue`) and a
/// search over order number, external id, SKU, title and tracking number.
#[server(prefix = "/rpc", endpoint = "list_shipments")]
pub async fn list_shipments(
    status: Option<String>,
    q: Option<String>,
    offset: i64,
) -> Result<Page<ShipmentSummary>, AppError> {
    use crate::ssr;
    use db::orders::read::{ShipmentFilter, list_seller_shipments};
    let ctx = ssr::seller().await?;
    let filter = ShipmentFilter {
        status: status.filter(|s| !s.trim().is_empty()),
        q: q.filter(|s| !s.trim().is_empty()),
        offset,
        limit: 50,
    };
    Ok(list_seller_shipments(&ssr::db()?, &ctx, &filter).await?)
}
