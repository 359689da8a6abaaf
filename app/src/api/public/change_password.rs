use crate::error::AppError;
use leptos::prelude::*;

/// Changes the caller's password; other sessions of the account are ended.
#[server(prefix = "/rpc", endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    use crate::ssr;
    let principal = ssr::require_principal().await?;
    let token = ssr::session_token().unwrap_or_default();
    db::auth::change_password(
        &ssr::db()?,
        &principal,
        &token,
        &current_password,
        &new_password,
    )
    .await?;
    Ok(())
}
