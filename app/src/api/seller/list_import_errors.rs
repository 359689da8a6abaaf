use crate::error::AppError;
use domain::imports::ImportErrorView;
use domain::page::Page;
use leptos::prelude::*;

/// The rejected rows of one of the caller's imports, in file order.
#[server(prefix = "/rpc", endpoint = "list_import_errors")]
pub async fn list_import_errors(
    id: String,
    offset: i64,
) -> Result<Page<ImportErrorView>, AppError> {
    use crate::ssr;
    let ctx = ssr::seller().await?;
    let id = id
        .parse()
        .map_err(|_| AppError::new(domain::ErrorCode::NotFound, "No such import"))?;
    let l = ssr::request_locale();
    Ok(db::imports::list_errors(&ssr::db()?, &ctx, id, offset, 20, l).await?)
}
