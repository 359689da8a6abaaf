use crate::error::AppError;
use domain::moderation::view::DecisionEntry;
use leptos::prelude::*;

/// The newest decisions, automatic and human.
#[server(prefix = "/rpc", endpoint = "moderation_decisions")]
pub async fn list_decisions() -> Result<Vec<DecisionEntry>, AppError> {
    use crate::ssr;
    let ctx = ssr::moderator().await?;
    Ok(db::moderation::stats::recent_decisions_for_moderator(&ssr::db()?, &ctx, 50).await?)
}
