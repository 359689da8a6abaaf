//! Small helpers shared by the repositories.

use crate::{Error, Result};
use domain::time::Timestamp;
use std::str::FromStr;

pub(crate) fn now_ms() -> i64 {
    Timestamp::now().millis()
}

pub(crate) fn new_uuid() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}

/// Parses a value read back from the database. A failure means the stored data is
/// corrupt or from an incompatible version, which is an internal error, not user error.
pub(crate) fn parse_col<T: FromStr>(column: &'static str, value: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    value.parse::<T>().map_err(|e| {
        Error::Internal(format!(
            "bad stored value in column {column}: {value:?}: {e}"
        ))
    })
}

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern and wraps it in `%`.
pub(crate) fn like_contains(needle: &str) -> String {
    let mut out = String::with_capacity(needle.len() + 2);
    out.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Lower-cases text for the `search_text` columns (Unicode-aware, unlike SQL `lower()` on SQLite).
pub(crate) fn search_text(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| p.trim().to_lowercase().replace('ё', "е"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Normalises a search query the same way as [`search_text`].
pub(crate) fn search_needle(q: &str) -> String {
    q.trim().to_lowercase().replace('ё', "е")
}
