use crate::error::AppError;
use domain::moderation::banned::BannedAction;
use domain::moderation::view::BannedEntry;
use leptos::prelude::*;

/// Bans a word or phrase (matched in all its forms).
#[server(prefix = "/rpc", endpoint = "admin_add_banned")]
pub async fn admin_add_banned(
    phrase: String,
    action: BannedAction,
) -> Result<BannedEntry, AppError> {
    use crate::ssr;
    let ctx = ssr::admin().await?;
    let l = ssr::request_locale();
    Ok(db::moderation::lists::add_banned(&ssr::db()?, &ctx, &phrase, action, l).await?)
}
