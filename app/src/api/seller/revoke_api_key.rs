use crate::error::AppError;
use leptos::prelude::*;

/// Revokes one of the caller's seller's API keys (owners only).
#[server(prefix = "/rpc", endpoint = "revoke_api_key")]
pub async fn revoke_api_key(id: String) -> Result<(), AppError> {
    use crate::ssr;
    let ctx = ssr::seller().await?;
    let id = id
        .parse()
        .map_err(|_| AppError::new(domain::ErrorCode::NotFound, "No such api key"))?;
    db::auth::revoke_api_key(&ssr::db()?, &ctx, id).await?;
    Ok(())
}
