use crate::error::AppError;
use crate::session::SessionInfo;
use leptos::prelude::*;

/// Who is logged in (if anyone) and the UI language.
#[server(prefix = "/rpc", endpoint = "get_session")]
pub async fn get_session() -> Result<SessionInfo, AppError> {
    let headers = use_context::<http::request::Parts>()
        .map(|p| p.headers)
        .unwrap_or_default();
    crate::session::load(&crate::ssr::db()?, &headers).await
}
