use crate::error::AppError;
use domain::moderation::view::ModerationStats;
use leptos::prelude::*;

/// The moderation dashboard's figures.
#[server(prefix = "/rpc", endpoint = "moderation_stats")]
pub async fn get_moderation_stats() -> Result<ModerationStats, AppError> {
    use crate::ssr;
    let ctx = ssr::moderator().await?;
    let config = ssr::moderation_rules();
    Ok(db::moderation::stats::stats(&ssr::db()?, &ctx, &config).await?)
}
