use crate::error::AppError;
use leptos::prelude::*;

/// Logs in and returns the page to go to (the role's area, or `next` if local).
#[server(prefix = "/rpc", endpoint = "login")]
pub async fn login(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<String, AppError> {
    use crate::ssr;
    let c = ssr::ctx()?;
    let session = db::auth::login(
        &c.db,
        &email,
        &password,
        &ssr::client_info(),
        c.session_ttl_ms,
    )
    .await?;
    ssr::set_session_cookie(&session.token, c.session_ttl_ms / 1000)?;
    let target = super::safe_next(next.as_deref(), session.principal.role.home_path());
    if ssr::is_plain_form_post() {
        leptos_axum::redirect(&target);
    }
    Ok(target)
}
