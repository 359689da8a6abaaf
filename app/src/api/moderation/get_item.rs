use crate::error::AppError;
use domain::moderation::view::ItemDetail;
use leptos::prelude::*;

/// One queued revision with its diff, images, flags and the seller's history.
#[server(prefix = "/rpc", endpoint = "moderation_item")]
pub async fn get_item(revision_id: String) -> Result<ItemDetail, AppError> {
    use crate::ssr;
    let ctx = ssr::moderator().await?;
    let l = ssr::request_locale();
    Ok(db::moderation::queue::item(&ssr::db()?, &ctx, &revision_id, l).await?)
}
