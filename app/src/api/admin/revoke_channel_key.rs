use crate::error::AppError;
use leptos::prelude::*;

/// Revokes a channel key at once.
#[server(prefix = "/rpc", endpoint = "admin_revoke_channel_key")]
pub async fn revoke_channel_key(id: String) -> Result<(), AppError> {
    use crate::ssr;
    let ctx = ssr::admin().await?;
    db::orders::channel_keys::revoke_channel_key(&ssr::db()?, &ctx, &id).await?;
    Ok(())
}
