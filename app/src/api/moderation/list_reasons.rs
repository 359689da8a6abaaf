use crate::error::AppError;
use domain::moderation::Reason;
use leptos::prelude::*;

/// The reasons moderators pick from.
#[server(prefix = "/rpc", endpoint = "moderation_reasons")]
pub async fn list_reasons() -> Result<Vec<Reason>, AppError> {
    use crate::ssr;
    let _ctx = ssr::moderator().await?;
    Ok(db::moderation::lists::list_reasons(&ssr::db()?, false).await?)
}
