use crate::error::AppError;
use domain::orders::ChannelKeyView;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedChannelKey {
    pub key: ChannelKeyView,
    /// The key itself: shown once, stored only as a hash.
    pub secret: String,
}

/// Creates a storefront channel's API key (`bzc_...`).
#[server(prefix = "/rpc", endpoint = "admin_create_channel_key")]
pub async fn create_channel_key(name: String) -> Result<CreatedChannelKey, AppError> {
    use crate::ssr;
    let ctx = ssr::admin().await?;
    let (key, secret) =
        db::orders::channel_keys::create_channel_key(&ssr::db()?, Some(&ctx), &name).await?;
    Ok(CreatedChannelKey { key, secret })
}
