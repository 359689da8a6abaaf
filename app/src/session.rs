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

/// The session loader, provided once by the app root.
#[derive(Clone, Copy)]
pub struct SessionResource(pub Resource<Result<SessionInfo, crate::error::AppError>>);

/// The session of the current page (empty before it loads).
pub fn use_session() -> SessionInfo {
    use_context::<SessionInfo>().unwrap_or_default()
}

/// The UI language of the current page.
pub fn use_locale() -> Locale {
    use_session().locale
}
