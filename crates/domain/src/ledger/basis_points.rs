//! `BasisPoints`: a rate in hundredths of a percent (1250 bps = 12.5 %).

use super::LedgerError;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A rate between 0 % and 100 % in basis points. Exact, never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct BasisPoints(u32);

impl BasisPoints {
    pub const ZERO: BasisPoints = BasisPoints(0);
    pub const MAX: u32 = 10_000;

    pub fn new(bps: u32) -> Result<Self, LedgerError> {
        if bps > Self::MAX {
            return Err(LedgerError::InvalidBasisPoints(i64::from(bps)));
        }
        Ok(Self(bps))
    }

    /// Parses a percentage as people write it: `12.5`, `12,5`, `12,5 %` → 1250 bps.
    /// More precision than a basis point is refused rather than rounded.
    pub fn parse_percent(input: &str) -> Result<Self, LedgerError> {
        let invalid = || LedgerError::InvalidPercentage(input.to_string());
        let trimmed = input.trim().trim_end_matches('%').trim().replace(',', ".");
        if trimmed.is_empty() || !trimmed.chars().all(|c| c.is_ascii_digit() || c == '.') {
            return Err(invalid());
        }
        let percent: Decimal = trimmed.parse().map_err(|_| invalid())?;
        let bps = percent
            .checked_mul(Decimal::from(100))
            .ok_or_else(invalid)?;
        if bps.normalize().scale() > 0 {
            return Err(invalid());
        }
        let bps = u32::try_from(bps.trunc()).map_err(|_| invalid())?;
        Self::new(bps).map_err(|_| invalid())
    }

    pub const fn bps(self) -> u32 {
        self.0
    }

    /// The rate as a fraction (`1250` → `0.125`).
    pub fn as_fraction(self) -> Decimal {
        Decimal::new(i64::from(self.0), 4)
    }
}

impl TryFrom<u32> for BasisPoints {
    type Error = LedgerError;
    fn try_from(value: u32) -> Result<Self, Self::Error> {
        BasisPoints::new(value)
    }
}

impl From<BasisPoints> for u32 {
    fn from(value: BasisPoints) -> Self {
        value.0
    }
}

impl fmt::Display for BasisPoints {
    /// As a percentage: `12.5%`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}%",
            (self.as_fraction() * Decimal::from(100)).normalize()
        )
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::type_complexity,
    reason = "tests: a failed unwrap is a failed test, and scenario tables are tuples"
)]
mod tests {
    use super::*;

    #[test]
    fn percentages_parse_exactly_to_basis_points() {
        assert_eq!(BasisPoints::parse_percent("12.5").unwrap().bps(), 1250);
        assert_eq!(BasisPoints::parse_percent("12,5 %").unwrap().bps(), 1250);
        assert_eq!(BasisPoints::parse_percent("0.01").unwrap().bps(), 1);
        assert_eq!(BasisPoints::parse_percent("100").unwrap().bps(), 10_000);
        assert_eq!(BasisPoints::new(1250).unwrap().to_string(), "12.5%");
    }

    #[test]
    fn percentages_beyond_a_basis_point_or_100_percent_are_refused() {
        for bad in ["0.001", "100.01", "-1", "", "abc", "1.2.3"] {
            assert!(BasisPoints::parse_percent(bad).is_err(), "{bad:?}");
        }
        assert!(BasisPoints::new(10_001).is_err());
    }
}
