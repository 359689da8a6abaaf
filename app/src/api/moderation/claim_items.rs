use crate::error::AppError;
use domain::moderation::view::QueueItem;
use leptos::prelude::*;

/// Claims up to `count` more items (oldest first within priority) and returns all
/// the caller holds.
#[server(prefix = "/rpc", endpoint = "moderation_claim")]
pub async fn claim_items(count: i64) -> Result<Vec<QueueItem>, AppError> {
    use crate::ssr;
    let ctx = ssr::moderator().await?;
    Ok(db::moderation::queue::claim(&ssr::db()?, &ctx, count.clamp(1, 50)).await?)
}
