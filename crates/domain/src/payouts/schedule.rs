//! When payouts run and the smallest amount worth a bank transfer.

use super::error::PayoutError;
use crate::money::Currency;
use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "every")]
pub enum PayoutFrequency {
    Daily,
    Weekly { weekday: Weekday },
}

/// The dates a payout covers, inclusive; printed in the payment purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutPeriod {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutSchedule {
    frequency: PayoutFrequency,
    minimum_minor: BTreeMap<Currency, i64>,
}

impl PayoutSchedule {
    /// `minimum_minor`: per currency, the smallest payout; currencies not listed have
    /// no minimum beyond one minor unit.
    pub fn new(
        frequency: PayoutFrequency,
        minimum_minor: BTreeMap<Currency, i64>,
    ) -> Result<Self, PayoutError> {
        if let Some((currency, _)) = minimum_minor.iter().find(|(_, m)| **m < 0) {
            return Err(PayoutError::NegativeMinimum {
                currency: *currency,
            });
        }
        Ok(Self {
            frequency,
            minimum_minor,
        })
    }

    pub const fn frequency(&self) -> PayoutFrequency {
        self.frequency
    }

    pub fn minimum_minor(&self, currency: Currency) -> i64 {
        self.minimum_minor.get(&currency).copied().unwrap_or(0)
    }

    /// Whether a payout run is due on `date` (daily: every day; weekly: on the weekday).
    pub fn is_due(&self, date: NaiveDate) -> bool {
        match self.frequency {
            PayoutFrequency::Daily => true,
            PayoutFrequency::Weekly { weekday } => date.weekday() == weekday,
        }
    }

    /// The period a run on `run_date` covers: the day before (daily) or the seven days
    /// before (weekly), ending the day before the run.
    pub fn period_for(&self, run_date: NaiveDate) -> PayoutPeriod {
        let to = run_date.checked_sub_days(Days::new(1)).unwrap_or(run_date);
        let from = match self.frequency {
            PayoutFrequency::Daily => to,
            PayoutFrequency::Weekly { .. } => run_date.checked_sub_days(Days::new(7)).unwrap_or(to),
        };
        PayoutPeriod { from, to }
    }
}
