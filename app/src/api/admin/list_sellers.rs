use crate::error::AppError;
use domain::accounts::{SellerStatus, SellerView};
use domain::page::Page;
use leptos::prelude::*;

/// Sellers matching `query` (name, INN, owner's email), optionally by status.
#[server(prefix = "/rpc", endpoint = "admin_list_sellers")]
pub async fn list_sellers(
    query: String,
    status: Option<SellerStatus>,
    offset: i64,
) -> Result<Page<SellerView>, AppError> {
    use crate::ssr;
    let ctx = ssr::admin().await?;
    Ok(db::accounts::list_sellers(&ssr::db()?, &ctx, &query, status, offset, 50).await?)
}
