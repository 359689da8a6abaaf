//! Time as Bazaar stores it: UTC milliseconds since the Unix epoch.
//!
//! Both database engines store timestamps as `BIGINT` milliseconds, which sort,
//! compare and index identically everywhere.

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// A UTC instant with millisecond precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_millis(ms: i64) -> Self {
        Self(ms)
    }
    pub const fn millis(self) -> i64 {
        self.0
    }
    pub fn now() -> Self {
        Self(Utc::now().timestamp_millis())
    }
    pub fn to_datetime(self) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(self.0)
            .single()
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }
    pub const fn plus_seconds(self, seconds: i64) -> Self {
        Self(self.0.saturating_add(seconds.saturating_mul(1000)))
    }
    pub const fn plus_days(self, days: i64) -> Self {
        self.plus_seconds(days.saturating_mul(86_400))
    }
    /// `YYYY-MM-DD HH:MM` in UTC, for tables and exports.
    pub fn format_utc(self) -> String {
        self.to_datetime().format("%Y-%m-%d %H:%M").to_string()
    }
    /// RFC 3339 with a `Z` suffix, for APIs.
    pub fn to_rfc3339(self) -> String {
        self.to_datetime()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_utc() {
        let t = Timestamp::from_millis(1_700_000_000_000);
        assert_eq!(t.to_rfc3339(), "2023-11-14T22:13:20.000Z");
        assert_eq!(t.format_utc(), "2023-11-14 22:13");
        assert_eq!(t.plus_days(1).millis(), 1_700_086_400_000);
    }
}
