use crate::error::AppError;
use domain::moderation::Reason;
use leptos::prelude::*;

/// Adds a rejection reason or changes one (by code).
#[server(prefix = "/rpc", endpoint = "admin_save_reason")]
pub async fn admin_save_reason(reason: Reason) -> Result<(), AppError> {
    use crate::ssr;
    let ctx = ssr::admin().await?;
    let l = ssr::request_locale();
    Ok(db::moderation::lists::save_reason(&ssr::db()?, &ctx, &reason, l).await?)
}
