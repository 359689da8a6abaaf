use crate::error::AppError;
use domain::moderation::view::QueueItem;
use leptos::prelude::*;

/// The items the caller holds now.
#[server(prefix = "/rpc", endpoint = "moderation_held")]
pub async fn list_held() -> Result<Vec<QueueItem>, AppError> {
    use crate::ssr;
    let ctx = ssr::moderator().await?;
    Ok(db::moderation::queue::held(&ssr::db()?, &ctx).await?)
}
