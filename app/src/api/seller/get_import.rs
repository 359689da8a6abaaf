use crate::error::AppError;
use domain::imports::ImportView;
use leptos::prelude::*;

/// One of the caller's imports: status, counts and progress (polled while it runs).
#[server(prefix = "/rpc", endpoint = "get_import")]
pub async fn get_import(id: String) -> Result<ImportView, AppError> {
    use crate::ssr;
    let ctx = ssr::seller().await?;
    let id = id
        .parse()
        .map_err(|_| AppError::new(domain::ErrorCode::NotFound, "No such import"))?;
    Ok(db::imports::get_import(&ssr::db()?, &ctx, id).await?)
}
