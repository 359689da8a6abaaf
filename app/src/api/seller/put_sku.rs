use crate::error::AppError;
use domain::catalog::{SkuDetail, SkuInput};
use leptos::prelude::*;

/// Creates a SKU or saves its content from the cabinet's form. New content becomes a
/// revision waiting for moderation while approved content stays live; the same values
/// again change nothing.
#[server(prefix = "/rpc", endpoint = "put_sku")]
pub async fn put_sku(input: SkuInput) -> Result<SkuDetail, AppError> {
    use crate::ssr;
    let ctx = ssr::seller().await?;
    let l = ssr::request_locale();
    let done = db::catalog::skus::put_sku(&ssr::db()?, &ctx, &input, "cabinet", l).await?;
    Ok(done.sku)
}
