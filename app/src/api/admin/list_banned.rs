use crate::error::AppError;
use domain::moderation::view::BannedEntry;
use leptos::prelude::*;

/// The banned words and phrases.
#[server(prefix = "/rpc", endpoint = "admin_list_banned")]
pub async fn admin_list_banned() -> Result<Vec<BannedEntry>, AppError> {
    use crate::ssr;
    let _ctx = ssr::admin().await?;
    Ok(db::moderation::lists::list_banned(&ssr::db()?).await?)
}
