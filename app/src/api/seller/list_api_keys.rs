use crate::error::AppError;
use domain::accounts::ApiKeyView;
use leptos::prelude::*;

/// The caller's seller's API keys (never the keys themselves).
#[server(prefix = "/rpc", endpoint = "list_api_keys")]
pub async fn list_api_keys() -> Result<Vec<ApiKeyView>, AppError> {
    use crate::ssr;
    let ctx = ssr::seller().await?;
    Ok(db::auth::list_api_keys(&ssr::db()?, &ctx).await?)
}
