//! Server-side helpers for server functions: the shared state, the caller's
//! identity from the session cookie, cookies and the request's language.

use crate::error::AppError;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use db::Db;
use db::auth::{ClientInfo, Principal};
use domain::Locale;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

pub const SESSION_COOKIE: &str = "bazaar_session";
pub const LOCALE_COOKIE: &str = "bazaar_lang";

/// What server functions need from the server, provided once per request.
#[derive(Clone, Debug)]
pub struct ServerContext {
    pub db: Db,
    /// Adds `Secure` to cookies (set when served over HTTPS).
    pub secure_cookies: bool,
    pub session_ttl_ms: i64,
    /// The operator's moderation rules.
    pub moderation: domain::moderation::RulesConfig,
    /// Shipping deadlines and automatic penalties.
    pub orders: db::orders::OrderRules,
}

pub fn ctx() -> Result<ServerContext, AppError> {
    use_context::<ServerContext>().ok_or_else(|| {
        tracing::error!("ServerContext missing from the Leptos context");
        AppError::internal()
    })
}

pub fn db() -> Result<Db, AppError> {
    ctx().map(|c| c.db)
}

/// The moderation rules in force.
pub fn moderation_rules() -> domain::moderation::RulesConfig {
    ctx().map(|c| c.moderation).unwrap_or_default()
}

/// The shipping deadlines and penalty rules in force.
pub fn order_rules() -> db::orders::OrderRules {
    ctx().map(|c| c.orders).unwrap_or_default()
}

fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

/// Reads one cookie of the current request.
pub fn cookie(name: &str) -> Option<String> {
    cookie_in(&parts()?.headers, name)
}

/// Reads one cookie from request headers.
pub fn cookie_in(headers: &HeaderMap, name: &str) -> Option<String> {
    let jar = axum_extra::extract::cookie::CookieJar::from_headers(headers);
    jar.get(name).map(|c| c.value().to_string())
}

/// The session token of the current request, if any.
pub fn session_token() -> Option<String> {
    parts().and_then(|p| session_token_in(&p.headers))
}

/// The session token in request headers, if any.
pub fn session_token_in(headers: &HeaderMap) -> Option<String> {
    cookie_in(headers, SESSION_COOKIE).filter(|t| !t.is_empty())
}

/// The logged-in person, or `None`.
pub async fn principal() -> Result<Option<Principal>, AppError> {
    let Some(token) = session_token() else {
        return Ok(None);
    };
    Ok(db::auth::session_principal(&db()?, &token).await?)
}

/// The logged-in person, or `unauthorized`.
pub async fn require_principal() -> Result<Principal, AppError> {
    principal().await?.ok_or_else(AppError::unauthorized)
}

pub async fn seller() -> Result<db::auth::SellerCtx, AppError> {
    Ok(require_principal().await?.seller()?)
}

pub async fn admin() -> Result<db::auth::AdminCtx, AppError> {
    Ok(require_principal().await?.admin()?)
}

pub async fn moderator() -> Result<db::auth::ModeratorCtx, AppError> {
    Ok(require_principal().await?.moderator()?)
}

pub async fn finance() -> Result<db::auth::FinanceCtx, AppError> {
    Ok(require_principal().await?.finance()?)
}

/// The UI language: the `bazaar_lang` cookie, else `Accept-Language`, else Russian.
pub fn request_locale() -> Locale {
    parts().map(|p| locale_in(&p.headers)).unwrap_or_default()
}

/// The UI language asked for by request headers (see [`request_locale`]).
pub fn locale_in(headers: &HeaderMap) -> Locale {
    if let Some(l) = cookie_in(headers, LOCALE_COOKIE).and_then(|c| Locale::from_code(&c)) {
        return l;
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Locale::from_accept_language)
        .unwrap_or_default()
}

/// Address and user agent of the caller (for throttling and the session list).
pub fn client_info() -> ClientInfo {
    let Some(parts) = parts() else {
        return ClientInfo::default();
    };
    let ip = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string());
    let user_agent = parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    ClientInfo { ip, user_agent }
}

/// True when the request is a plain HTML form post (no WebAssembly running), which
/// must be answered with a redirect rather than data.
pub fn is_plain_form_post() -> bool {
    parts().is_some_and(|p| {
        p.headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    })
}

fn set_cookie(value: String) {
    if let Some(res) = use_context::<ResponseOptions>()
        && let Ok(v) = header::HeaderValue::from_str(&value)
    {
        res.append_header(header::SET_COOKIE, v);
    }
}

fn cookie_attrs(secure: bool) -> &'static str {
    if secure {
        "; Path=/; HttpOnly; SameSite=Lax; Secure"
    } else {
        "; Path=/; HttpOnly; SameSite=Lax"
    }
}

pub fn set_session_cookie(token: &str, max_age_secs: i64) -> Result<(), AppError> {
    let secure = ctx()?.secure_cookies;
    set_cookie(format!(
        "{SESSION_COOKIE}={token}; Max-Age={max_age_secs}{}",
        cookie_attrs(secure)
    ));
    Ok(())
}

pub fn clear_session_cookie() -> Result<(), AppError> {
    let secure = ctx()?.secure_cookies;
    set_cookie(format!(
        "{SESSION_COOKIE}=; Max-Age=0{}",
        cookie_attrs(secure)
    ));
    Ok(())
}

pub fn set_locale_cookie(locale: Locale) -> Result<(), AppError> {
    let secure = ctx()?.secure_cookies;
    set_cookie(format!(
        "{LOCALE_COOKIE}={}; Max-Age=31536000{}",
        locale.code(),
        cookie_attrs(secure)
    ));
    Ok(())
}

/// Sets the HTTP status of the page being rendered (e.g. 403, 404).
pub fn set_status(code: u16) {
    if let (Some(res), Ok(status)) = (
        use_context::<ResponseOptions>(),
        axum::http::StatusCode::from_u16(code),
    ) {
        res.set_status(status);
    }
}
