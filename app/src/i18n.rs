//! Language helpers. Texts are written where they are used, as
//! `l.pick("по-русски", "in English")`, so a screen's words live with its markup.

use crate::error::AppError;
use domain::{FieldError, Locale, Money};

/// Formats money for the UI language (`1 299,90 ₽` / `RUB 1,299.90`).
pub fn money(l: Locale, m: &Money) -> String {
    match l {
        Locale::Ru => m.format_ru(),
        Locale::En => m.format_en(),
    }
}

/// Formats an epoch-milliseconds UTC time as `YYYY-MM-DD HH:MM UTC`.
pub fn datetime(ms: i64) -> String {
    format!(
        "{} UTC",
        domain::time::Timestamp::from_millis(ms).format_utc()
    )
}

/// The message for one field problem in the UI language.
pub fn field_message(l: Locale, e: &FieldError) -> String {
    domain::accounts::field_error_message(e, l)
}

/// The localized message of the first problem with `field` in `err`.
pub fn field_error(l: Locale, err: &Option<AppError>, field: &str) -> Option<String> {
    err.as_ref()
        .and_then(|e| e.field(field))
        .map(|f| field_message(l, f))
}
