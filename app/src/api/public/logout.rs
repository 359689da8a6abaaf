use crate::error::AppError;
use leptos::prelude::*;

/// Ends the session.
#[server(prefix = "/rpc", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::ssr;
    if let Some(token) = ssr::session_token() {
        db::auth::logout(&ssr::db()?, &token).await?;
    }
    ssr::clear_session_cookie()?;
    if ssr::is_plain_form_post() {
        leptos_axum::redirect("/login");
    }
    Ok(())
}
