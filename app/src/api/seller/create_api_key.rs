use crate::error::AppError;
use domain::accounts::ApiKeyView;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedApiKey {
    pub key: ApiKeyView,
    /// The key itself: shown once, stored only as a hash.
    pub secret: String,
}

/// Creates an API key for the caller's seller (owners only).
#[server(prefix = "/rpc", endpoint = "create_api_key")]
pub async fn create_api_key(name: String) -> Result<CreatedApiKey, AppError> {
    use crate::ssr;
    let ctx = ssr::seller().await?;
    let (key, secret) = db::auth::create_api_key(&ssr::db()?, &ctx, &name).await?;
    Ok(CreatedApiKey { key, secret })
}
