use crate::error::AppError;
use domain::catalog::SkuDetail;
use leptos::prelude::*;

/// One of the caller's SKUs with its live and newest content and revision history.
#[server(prefix = "/rpc", endpoint = "get_sku")]
pub async fn get_sku(seller_sku: String) -> Result<SkuDetail, AppError> {
    use crate::ssr;
    let ctx = ssr::seller().await?;
    Ok(db::catalog::skus::get_sku(&ssr::db()?, &ctx, &seller_sku).await?)
}
