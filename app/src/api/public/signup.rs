use crate::error::AppError;
use leptos::prelude::*;

/// Self sign-up of a seller: creates the organisation (pending verification) and its
/// owner, logs the owner in and returns the cabinet's path.
#[server(prefix = "/rpc", endpoint = "signup")]
pub async fn signup(
    organisation: String,
    inn: String,
    email: String,
    password: String,
    display_name: Option<String>,
) -> Result<String, AppError> {
    use crate::ssr;
    let c = ssr::ctx()?;
    let input = db::accounts::SignupInput {
        organisation,
        inn,
        email: email.clone(),
        password: password.clone(),
        display_name: display_name.unwrap_or_default(),
    };
    db::accounts::signup_seller(&c.db, &input).await?;
    let session = db::auth::login(
        &c.db,
        &email,
        &password,
        &ssr::client_info(),
        c.session_ttl_ms,
    )
    .await?;
    ssr::set_session_cookie(&session.token, c.session_ttl_ms / 1000)?;
    if ssr::is_plain_form_post() {
        leptos_axum::redirect("/seller");
    }
    Ok("/seller".to_string())
}
