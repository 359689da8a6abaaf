use crate::error::AppError;
use domain::imports::ImportView;
use domain::page::Page;
use leptos::prelude::*;

/// The caller's imports, newest first.
#[server(prefix = "/rpc", endpoint = "list_imports")]
pub async fn list_imports(offset: i64) -> Result<Page<ImportView>, AppError> {
    use crate::ssr;
    let ctx = ssr::seller().await?;
    Ok(db::imports::list_imports(&ssr::db()?, &ctx, offset, 20).await?)
}
