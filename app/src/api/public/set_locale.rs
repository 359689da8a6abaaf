use crate::error::AppError;
use domain::Locale;
use leptos::prelude::*;

/// Switches the UI language (remembered in a cookie for a year).
#[server(prefix = "/rpc", endpoint = "set_locale")]
pub async fn set_locale(locale: Locale) -> Result<(), AppError> {
    crate::ssr::set_locale_cookie(locale)
}
