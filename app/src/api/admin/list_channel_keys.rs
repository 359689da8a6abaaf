use crate::error::AppError;
use domain::orders::ChannelKeyView;
use leptos::prelude::*;

/// Storefront channels' API keys, newest first (never the keys themselves).
#[server(prefix = "/rpc", endpoint = "admin_list_channel_keys")]
pub async fn list_channel_keys() -> Result<Vec<ChannelKeyView>, AppError> {
    use crate::ssr;
    let ctx = ssr::admin().await?;
    Ok(db::orders::channel_keys::list_channel_keys(&ssr::db()?, &ctx).await?)
}
