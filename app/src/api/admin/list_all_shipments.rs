use crate::error::AppError;
use domain::orders::ShipmentSummary;
use domain::page::Page;
use leptos::prelude::*;

/// All sellers' shipments, newest first, by status (or `overdue`) and search.
#[server(prefix = "/rpc", endpoint = "admin_list_shipments")]
pub async fn list_all_shipments(
    status: Option<String>,
    q: Option<String>,
    offset: i64,
) -> Result<Page<ShipmentSummary>, AppError> {
    use crate::ssr;
    use db::orders::read::ShipmentFilter;
    let ctx = ssr::admin().await?;
    let filter = ShipmentFilter {
        status: status.filter(|s| !s.trim().is_empty()),
        q: q.filter(|s| !s.trim().is_empty()),
        offset,
        limit: 50,
    };
    Ok(db::orders::read::list_all_shipments(&ssr::db()?, ctx.actor(), &filter).await?)
}
