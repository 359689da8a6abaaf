//! Who is looking at the page, and in which language. Loaded once per page load
//! (server-rendered, then handed to the browser) and provided as context.

use domain::Locale;
use domain::accounts::{MemberRole, Role, SellerStatus};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub locale: Locale,
    pub user: Option<CurrentUser>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub seller_name: Option<String>,
    pub member_role: Option<MemberRole>,
    pub seller_status: Option<SellerStatus>,
}

/// The session of the current page (empty before it loads).
pub fn use_session() -> SessionInfo {
    use_context::<SessionInfo>().unwrap_or_default()
}

/// The UI language of the current page.
pub fn use_locale() -> Locale {
    use_session().locale
}

/// Loads who is asking and in which language, from a request's cookies and
/// `Accept-Language`.
#[cfg(feature = "ssr")]
pub async fn load(
    db: &db::Db,
    headers: &http::HeaderMap,
) -> Result<SessionInfo, crate::error::AppError> {
    let locale = crate::ssr::locale_in(headers);
    let principal = match crate::ssr::session_token_in(headers) {
        Some(token) => db::auth::session_principal(db, &token).await?,
        None => None,
    };
    let user = principal.map(|p| CurrentUser {
        seller_name: p.seller.as_ref().map(|m| m.seller_name.clone()),
        member_role: p.seller.as_ref().map(|m| m.member_role),
        seller_status: p.seller.as_ref().map(|m| m.seller_status),
        email: p.email,
        display_name: p.display_name,
        role: p.role,
    });
    Ok(SessionInfo { locale, user })
}

/// The session a page renders with.
///
/// The server loads it before rendering starts (the HTTP layer puts it into the
/// request's extensions) and hands it to the browser inside the page, so neither
/// side waits for it while rendering: an awaited session under `<Suspense>` left an
/// occasional server-rendered response unfinished.
pub fn page_session() -> SessionInfo {
    SharedValue::new(rendered_session).into_inner()
}

#[cfg(feature = "ssr")]
fn rendered_session() -> SessionInfo {
    use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<SessionInfo>().cloned())
        .unwrap_or_else(|| SessionInfo {
            locale: crate::ssr::request_locale(),
            user: None,
        })
}

/// Only reached outside hydration (hydration reads the server's value).
#[cfg(not(feature = "ssr"))]
fn rendered_session() -> SessionInfo {
    SessionInfo::default()
}
