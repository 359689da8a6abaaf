//! Penalties: money a seller owes the marketplace for breaking the rules.
//!
//! A penalty posts seller `available` −amount, `penalty_revenue` +amount. It may drive
//! `available` below zero: that is the seller's debt, repaid automatically by later
//! hold releases (see the module documentation on debt). A penalty is undone only by
//! [`JournalTransaction::reverse`], which gives a `penalty_reversal`.

use super::LedgerError;
use super::account::{AccountRef, MarketplaceAccountKind, Shard};
use super::basis_points::BasisPoints;
use super::journal::{JournalTransaction, References, TransactionKind, TxMeta};
use crate::ids::{OrderId, PenaltyId, SellerId, ShipmentId, UserId};
use crate::money::{Currency, Money};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Why a seller is penalised; a stable code for statements and reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PenaltyReason {
    /// Shipped after the deadline of its delivery method (automatic).
    LateShipment,
    /// The seller cancelled a paid order (automatic).
    SellerCancellation,
    /// A listing broke the catalog rules (staff).
    ProhibitedItem,
    /// Anything else staff decide; the memo says what.
    Other,
}

impl PenaltyReason {
    pub const ALL: [PenaltyReason; 4] = [
        PenaltyReason::LateShipment,
        PenaltyReason::SellerCancellation,
        PenaltyReason::ProhibitedItem,
        PenaltyReason::Other,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            PenaltyReason::LateShipment => "late_shipment",
            PenaltyReason::SellerCancellation => "seller_cancellation",
            PenaltyReason::ProhibitedItem => "prohibited_item",
            PenaltyReason::Other => "other",
        }
    }
}

impl FromStr for PenaltyReason {
    type Err = LedgerError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PenaltyReason::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| LedgerError::UnknownValue {
                what: "penalty reason",
                value: s.to_string(),
            })
    }
}

/// Who decided the penalty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "source")]
pub enum PenaltySource {
    Automatic,
    Staff { user_id: UserId },
}

/// How an automatic penalty's amount is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum PenaltyAmountRule {
    Fixed {
        amount_minor: i64,
    },
    /// A share of the shipment's total, rounded half up, clamped to [min, max].
    PercentOfShipment {
        rate: BasisPoints,
        min_minor: i64,
        max_minor: Option<i64>,
    },
}

impl PenaltyAmountRule {
    pub fn amount_minor(&self, shipment_total_minor: i64) -> Result<i64, LedgerError> {
        if shipment_total_minor < 0 {
            return Err(LedgerError::NegativeAmount {
                amount_minor: shipment_total_minor,
            });
        }
        match *self {
            PenaltyAmountRule::Fixed { amount_minor } => {
                if amount_minor < 0 {
                    return Err(LedgerError::NegativeAmount { amount_minor });
                }
                Ok(amount_minor)
            }
            PenaltyAmountRule::PercentOfShipment {
                rate,
                min_minor,
                max_minor,
            } => {
                let share = Decimal::from(shipment_total_minor)
                    .checked_mul(rate.as_fraction())
                    .ok_or(LedgerError::Overflow)?
                    .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
                let mut amount = i64::try_from(share).map_err(|_| LedgerError::Overflow)?;
                amount = amount.max(min_minor);
                if let Some(max_minor) = max_minor {
                    amount = amount.min(max_minor);
                }
                Ok(amount.max(0))
            }
        }
    }
}

/// The configured automatic penalties of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PenaltyPolicy {
    pub currency: Currency,
    pub late_shipment: PenaltyAmountRule,
    pub seller_cancellation: PenaltyAmountRule,
}

impl PenaltyPolicy {
    /// The automatic penalty for `reason` on a shipment, or `None` for reasons only
    /// staff apply (staff choose the amount).
    pub fn automatic_amount(
        &self,
        reason: PenaltyReason,
        shipment_total: Money,
    ) -> Result<Option<Money>, LedgerError> {
        if shipment_total.currency() != self.currency {
            return Err(LedgerError::CurrencyMismatch {
                account: "penalty policy".to_string(),
                account_currency: self.currency,
                amount_currency: shipment_total.currency(),
            });
        }
        let rule = match reason {
            PenaltyReason::LateShipment => self.late_shipment,
            PenaltyReason::SellerCancellation => self.seller_cancellation,
            PenaltyReason::ProhibitedItem | PenaltyReason::Other => return Ok(None),
        };
        let amount_minor = rule.amount_minor(shipment_total.amount_minor())?;
        Ok(Some(Money::from_minor(amount_minor, self.currency)))
    }
}

/// A penalty to post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Penalty {
    pub penalty_id: PenaltyId,
    pub seller_id: SellerId,
    pub amount: Money,
    pub reason: PenaltyReason,
    pub source: PenaltySource,
    pub order_id: Option<OrderId>,
    pub shipment_id: Option<ShipmentId>,
    /// Required for staff penalties: sellers are told why.
    pub note: String,
}

/// The penalty's transaction: seller available −amount, penalty_revenue +amount.
pub fn penalty_transaction(
    meta: TxMeta,
    penalty: &Penalty,
) -> Result<JournalTransaction, LedgerError> {
    if penalty.amount.amount_minor() <= 0 {
        return Err(LedgerError::NonPositiveAmount);
    }
    if matches!(penalty.source, PenaltySource::Staff { .. }) && penalty.note.trim().is_empty() {
        return Err(LedgerError::MemoRequired("a staff penalty"));
    }
    let currency = penalty.amount.currency();
    let shard = Shard::for_key(meta.idempotency_key.as_str());
    let memo = if penalty.note.trim().is_empty() {
        format!("penalty: {}", penalty.reason.as_str())
    } else {
        format!(
            "penalty: {}: {}",
            penalty.reason.as_str(),
            penalty.note.trim()
        )
    };
    JournalTransaction::builder(meta, TransactionKind::Penalty)
        .references(References {
            order_id: penalty.order_id,
            shipment_id: penalty.shipment_id,
            seller_id: Some(penalty.seller_id),
            penalty_id: Some(penalty.penalty_id),
            ..References::default()
        })
        .memo(memo)
        .transfer(
            AccountRef::available(penalty.seller_id, currency),
            AccountRef::marketplace(MarketplaceAccountKind::PenaltyRevenue, currency, shard),
            penalty.amount,
        )
        .build()
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
    fn automatic_penalty_amounts() {
        let policy = PenaltyPolicy {
            currency: Currency::Rub,
            late_shipment: PenaltyAmountRule::PercentOfShipment {
                rate: BasisPoints::new(500).unwrap(),
                min_minor: 5_000,
                max_minor: Some(100_000),
            },
            seller_cancellation: PenaltyAmountRule::Fixed {
                amount_minor: 30_000,
            },
        };
        let rub = |m| Money::from_minor(m, Currency::Rub);
        let cases = [
            // 5 % of 2 000 ₽ = 100 ₽.
            (PenaltyReason::LateShipment, 200_000, Some(10_000)),
            // 5 % of 500 ₽ = 25 ₽, raised to the 50 ₽ minimum.
            (PenaltyReason::LateShipment, 50_000, Some(5_000)),
            // 5 % of 100 000 ₽, lowered to the 1 000 ₽ maximum.
            (PenaltyReason::LateShipment, 10_000_000, Some(100_000)),
            // 5 % of 0,10 ₽ = 0.5 kopecks: half up, then the minimum.
            (PenaltyReason::SellerCancellation, 10, Some(30_000)),
            (PenaltyReason::Other, 200_000, None),
        ];
        for (reason, total, expected) in cases {
            assert_eq!(
                policy.automatic_amount(reason, rub(total)).unwrap(),
                expected.map(rub),
                "{reason:?} on {total}"
            );
        }
        assert!(
            policy
                .automatic_amount(
                    PenaltyReason::LateShipment,
                    Money::from_minor(1, Currency::Usd)
                )
                .is_err()
        );
    }
}
