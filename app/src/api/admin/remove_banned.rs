use crate::error::AppError;
use leptos::prelude::*;

/// Takes a phrase off the banned list.
#[server(prefix = "/rpc", endpoint = "admin_remove_banned")]
pub async fn admin_remove_banned(id: String) -> Result<(), AppError> {
    use crate::ssr;
    let ctx = ssr::admin().await?;
    Ok(db::moderation::lists::remove_banned(&ssr::db()?, &ctx, &id).await?)
}
