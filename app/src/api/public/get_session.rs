use crate::error::AppError;
use crate::session::SessionInfo;
use leptos::prelude::*;

/// Who is logged in (if anyone) and the UI language.
#[server(prefix = "/rpc", endpoint = "get_session")]
pub async fn get_session() -> Result<SessionInfo, AppError> {
    use crate::session::CurrentUser;
    let locale = crate::ssr::request_locale();
    let user = crate::ssr::principal().await?.map(|p| CurrentUser {
        email: p.email,
        display_name: p.display_name,
        role: p.role,
        seller_name: p.seller.as_ref().map(|m| m.seller_name.clone()),
        member_role: p.seller.as_ref().map(|m| m.member_role),
        seller_status: p.seller.as_ref().map(|m| m.seller_status),
    });
    Ok(SessionInfo { locale, user })
}
