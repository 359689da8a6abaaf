//! Commission rules, rule selection and the frozen commission line.
//!
//! Precedence (most specific wins): for each category from the line's own category up
//! to the root, a rule for that category and the seller's tier, then a rule for that
//! category and any tier; then a rule for the tier in any category; then the default
//! rule (no category, no tier). With a one-element category path this is exactly
//! category+tier > category > tier > default.
//!
//! Amount of one line, from its base (the part of the captured amount allocated to the
//! line, in minor units):
//! 1. `percentage = base × rate`, rounded half up (half away from zero) to the minor unit;
//! 2. `+ fixed` (per line);
//! 3. raised to `min` and lowered to `max` when set;
//! 4. capped at the base (a commission never exceeds the money it is taken from) and
//!    never negative.

use super::LedgerError;
use super::basis_points::BasisPoints;
use crate::ids::{CategoryId, JournalId, SellerId, ShipmentId};
use crate::money::Currency;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// A commission rule's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CommissionRuleId(Uuid);

impl CommissionRuleId {
    pub const fn from_uuid(uuid: Uuid) -> Self {
        Self(uuid)
    }
    pub const fn as_uuid(&self) -> &Uuid {
        &self.0
    }
}

impl fmt::Display for CommissionRuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.as_hyphenated().fmt(f)
    }
}

impl FromStr for CommissionRuleId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}

/// A seller's commercial tier; better tiers usually get lower commission.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum SellerTier {
    #[default]
    Standard,
    Silver,
    Gold,
}

impl SellerTier {
    pub const ALL: [SellerTier; 3] = [SellerTier::Standard, SellerTier::Silver, SellerTier::Gold];

    pub const fn as_str(self) -> &'static str {
        match self {
            SellerTier::Standard => "standard",
            SellerTier::Silver => "silver",
            SellerTier::Gold => "gold",
        }
    }
}

impl FromStr for SellerTier {
    type Err = LedgerError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SellerTier::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| LedgerError::UnknownValue {
                what: "seller tier",
                value: s.to_string(),
            })
    }
}

/// One configured commission rule. Amounts are minor units of `currency`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommissionRule {
    pub id: CommissionRuleId,
    pub currency: Currency,
    /// `None`: any category.
    pub category_id: Option<CategoryId>,
    /// `None`: any tier.
    pub tier: Option<SellerTier>,
    pub rate: BasisPoints,
    /// Added to the percentage, per line.
    pub fixed_minor: i64,
    /// The least commission per line (before the cap at the line's base).
    pub min_minor: i64,
    /// The most commission per line, if limited.
    pub max_minor: Option<i64>,
}

impl CommissionRule {
    fn validate(&self) -> Result<(), LedgerError> {
        let invalid = |reason| LedgerError::InvalidCommissionRule {
            rule_id: self.id.to_string(),
            reason,
        };
        if self.fixed_minor < 0 {
            return Err(invalid("the fixed part must not be negative"));
        }
        if self.min_minor < 0 {
            return Err(invalid("the minimum must not be negative"));
        }
        if let Some(max_minor) = self.max_minor
            && max_minor < self.min_minor
        {
            return Err(invalid("the maximum must not be below the minimum"));
        }
        Ok(())
    }

    pub const fn specificity(&self) -> RuleSpecificity {
        match (self.category_id.is_some(), self.tier.is_some()) {
            (true, true) => RuleSpecificity::CategoryAndTier,
            (true, false) => RuleSpecificity::Category,
            (false, true) => RuleSpecificity::Tier,
            (false, false) => RuleSpecificity::Default,
        }
    }

    /// The commission on a line whose base is `base_minor` (see the module rules).
    pub fn commission_minor(&self, base_minor: i64) -> Result<i64, LedgerError> {
        if base_minor < 0 {
            return Err(LedgerError::NegativeAmount {
                amount_minor: base_minor,
            });
        }
        let percentage = Decimal::from(base_minor)
            .checked_mul(self.rate.as_fraction())
            .ok_or(LedgerError::Overflow)?
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
        let percentage = i64::try_from(percentage).map_err(|_| LedgerError::Overflow)?;
        let mut amount = percentage
            .checked_add(self.fixed_minor)
            .ok_or(LedgerError::Overflow)?;
        amount = amount.max(self.min_minor);
        if let Some(max_minor) = self.max_minor {
            amount = amount.min(max_minor);
        }
        Ok(amount.clamp(0, base_minor))
    }
}

/// How specific a rule is; earlier variants win.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleSpecificity {
    CategoryAndTier,
    Category,
    Tier,
    Default,
}

/// A validated set of rules: each valid, at most one per (currency, category, tier).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommissionSchedule {
    rules: Vec<CommissionRule>,
}

impl CommissionSchedule {
    pub fn new(rules: Vec<CommissionRule>) -> Result<Self, LedgerError> {
        for (index, rule) in rules.iter().enumerate() {
            rule.validate()?;
            if let Some(other) = rules[..index].iter().find(|r| {
                r.currency == rule.currency
                    && r.category_id == rule.category_id
                    && r.tier == rule.tier
            }) {
                return Err(LedgerError::DuplicateCommissionRule {
                    first: other.id.to_string(),
                    second: rule.id.to_string(),
                });
            }
        }
        Ok(Self { rules })
    }

    pub fn rules(&self) -> &[CommissionRule] {
        &self.rules
    }

    /// The rule for a line: `category_path` lists the line's category first, then its
    /// ancestors up to the root (a single element when categories are flat).
    pub fn select(
        &self,
        currency: Currency,
        category_path: &[CategoryId],
        tier: SellerTier,
    ) -> Result<&CommissionRule, LedgerError> {
        let find = |category: Option<CategoryId>, tier: Option<SellerTier>| {
            self.rules
                .iter()
                .find(|r| r.currency == currency && r.category_id == category && r.tier == tier)
        };
        for category in category_path {
            if let Some(rule) =
                find(Some(*category), Some(tier)).or_else(|| find(Some(*category), None))
            {
                return Ok(rule);
            }
        }
        find(None, Some(tier))
            .or_else(|| find(None, None))
            .ok_or(LedgerError::NoCommissionRule { currency })
    }
}

/// The commission charged on (or reversed from) one order line, frozen in the journal
/// transaction that moved it. Charged lines are never recomputed: a refund reverses a
/// proportional part of the frozen amount, a reversal negates it.
///
/// In a capture, `base_minor` is the allocated part of the captured amount and
/// `amount_minor` the commission, both ≥ 0. In a refund or chargeback both are ≤ 0: the
/// refunded part of the line and the commission given back. `capture_id` names the
/// capture that charged the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommissionLine {
    pub capture_id: JournalId,
    /// The order line's position (0-based) in the order.
    pub line_no: u32,
    pub shipment_id: ShipmentId,
    pub seller_id: SellerId,
    pub rule_id: CommissionRuleId,
    pub rate: BasisPoints,
    pub fixed_minor: i64,
    pub base_minor: i64,
    pub amount_minor: i64,
    pub currency: Currency,
}

impl CommissionLine {
    /// The same line with base and amount negated, for reversals.
    pub fn negated(&self) -> Result<CommissionLine, LedgerError> {
        Ok(CommissionLine {
            base_minor: self.base_minor.checked_neg().ok_or(LedgerError::Overflow)?,
            amount_minor: self
                .amount_minor
                .checked_neg()
                .ok_or(LedgerError::Overflow)?,
            ..*self
        })
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

    fn id(n: u128) -> CommissionRuleId {
        CommissionRuleId::from_uuid(Uuid::from_u128(n))
    }

    fn category(n: u128) -> CategoryId {
        CategoryId::from_uuid(Uuid::from_u128(n))
    }

    fn rule(
        n: u128,
        category_id: Option<CategoryId>,
        tier: Option<SellerTier>,
        bps: u32,
    ) -> CommissionRule {
        CommissionRule {
            id: id(n),
            currency: Currency::Rub,
            category_id,
            tier,
            rate: BasisPoints::new(bps).unwrap(),
            fixed_minor: 0,
            min_minor: 0,
            max_minor: None,
        }
    }

    #[test]
    fn most_specific_rule_wins() {
        let electronics = category(10);
        let phones = category(11);
        let schedule = CommissionSchedule::new(vec![
            rule(1, None, None, 1500),
            rule(2, None, Some(SellerTier::Gold), 1200),
            rule(3, Some(electronics), None, 800),
            rule(4, Some(electronics), Some(SellerTier::Gold), 500),
            rule(5, Some(phones), None, 700),
        ])
        .unwrap();
        let cases = [
            // (category path, tier, expected rule)
            (vec![electronics], SellerTier::Gold, 4),
            (vec![electronics], SellerTier::Silver, 3),
            (vec![category(99)], SellerTier::Gold, 2),
            (vec![category(99)], SellerTier::Standard, 1),
            (vec![], SellerTier::Standard, 1),
            // The line's own category beats its parent's tier-specific rule.
            (vec![phones, electronics], SellerTier::Gold, 5),
            // An unconfigured child inherits from its parent.
            (vec![category(12), electronics], SellerTier::Gold, 4),
        ];
        for (path, tier, expected) in cases {
            let selected = schedule.select(Currency::Rub, &path, tier).unwrap();
            assert_eq!(selected.id, id(expected), "path {path:?}, tier {tier:?}");
        }
    }

    #[test]
    fn missing_default_rule_is_an_error_not_zero_commission() {
        let schedule =
            CommissionSchedule::new(vec![rule(1, Some(category(1)), None, 1000)]).unwrap();
        assert_eq!(
            schedule.select(Currency::Rub, &[category(2)], SellerTier::Standard),
            Err(LedgerError::NoCommissionRule {
                currency: Currency::Rub
            })
        );
        assert!(
            schedule
                .select(Currency::Usd, &[category(1)], SellerTier::Standard)
                .is_err()
        );
    }

    #[test]
    fn schedule_refuses_duplicate_and_invalid_rules() {
        assert!(matches!(
            CommissionSchedule::new(vec![rule(1, None, None, 100), rule(2, None, None, 200)]),
            Err(LedgerError::DuplicateCommissionRule { .. })
        ));
        let mut bad = rule(1, None, None, 100);
        bad.min_minor = 500;
        bad.max_minor = Some(100);
        assert!(matches!(
            CommissionSchedule::new(vec![bad]),
            Err(LedgerError::InvalidCommissionRule { .. })
        ));
        let mut negative = rule(1, None, None, 100);
        negative.fixed_minor = -1;
        assert!(CommissionSchedule::new(vec![negative]).is_err());
    }

    #[test]
    fn commission_amount_scenarios() {
        // (bps, fixed, min, max, base, expected)
        let cases: &[(u32, i64, i64, Option<i64>, i64, i64)] = &[
            (1000, 0, 0, None, 100_000, 10_000),
            // 12.5 % of 0,05 ₽ = 0.625 kopecks → 1 (half up).
            (1250, 0, 0, None, 5, 1),
            // 10 % of 0,05 ₽ = 0.5 kopecks → 1 (a true half rounds up).
            (1000, 0, 0, None, 5, 1),
            // 10 % of 0,04 ₽ = 0.4 → 0.
            (1000, 0, 0, None, 4, 0),
            // Fixed part is added per line.
            (500, 1_000, 0, None, 10_000, 1_500),
            // Minimum clamp.
            (100, 0, 3_000, None, 10_000, 3_000),
            // Maximum clamp.
            (1500, 0, 0, Some(50_000), 1_000_000, 50_000),
            // A commission bigger than a tiny line is capped at the line.
            (1000, 3_000, 5_000, None, 1_200, 1_200),
            // Nothing to take commission from.
            (1000, 3_000, 5_000, None, 0, 0),
            (10_000, 0, 0, None, 777, 777),
        ];
        for (bps, fixed, min, max, base, expected) in cases {
            let r = CommissionRule {
                fixed_minor: *fixed,
                min_minor: *min,
                max_minor: *max,
                ..rule(1, None, None, *bps)
            };
            assert_eq!(
                r.commission_minor(*base).unwrap(),
                *expected,
                "{bps} bps of {base}"
            );
        }
        assert!(rule(1, None, None, 100).commission_minor(-1).is_err());
    }
}
