use crate::error::AppError;
use leptos::prelude::*;

/// Gives held items back to the queue (none named: all of them).
#[server(prefix = "/rpc", endpoint = "moderation_release")]
pub async fn release_items(#[server(default)] ids: Vec<String>) -> Result<u64, AppError> {
    use crate::ssr;
    let ctx = ssr::moderator().await?;
    Ok(db::moderation::queue::release(&ssr::db()?, &ctx, &ids).await?)
}
