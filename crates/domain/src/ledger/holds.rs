//! Holds: captured funds wait in the seller's `held` account until the shipment was
//! delivered and the return window is over, then move to `available`.

use super::LedgerError;
use super::account::AccountRef;
use super::journal::{JournalTransaction, References, TransactionKind, TxMeta};
use crate::ids::{OrderId, SellerId, ShipmentId};
use crate::money::{Currency, Money};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// The return window of a shipment: the longest window among its lines' categories
/// (a buyer may return any item within that item's window), or `default_days` when
/// no category has one configured.
pub fn shipment_return_window_days(category_windows_days: &[u32], default_days: u32) -> u32 {
    category_windows_days
        .iter()
        .copied()
        .max()
        .unwrap_or(default_days)
}

/// When a delivered shipment's hold may be released: delivery time plus the return
/// window, or plus the seller's own hold period when risk management set one. The
/// override replaces the window (it may be longer for a risky seller, or shorter for
/// a trusted one: that is a deliberate staff decision).
pub fn hold_release_at(
    delivered_at: Timestamp,
    return_window_days: u32,
    seller_override_days: Option<u32>,
) -> Timestamp {
    delivered_at.plus_days(i64::from(
        seller_override_days.unwrap_or(return_window_days),
    ))
}

/// One shipment's hold, as the database keeps it next to the shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentHold {
    pub order_id: OrderId,
    pub shipment_id: ShipmentId,
    pub seller_id: SellerId,
    pub currency: Currency,
    /// Still held: the seller shares captured for this shipment minus what refunds
    /// took from `held`.
    pub held_minor: i64,
    pub delivered_at: Option<Timestamp>,
    /// Set from [`hold_release_at`] when the shipment is delivered.
    pub release_at: Option<Timestamp>,
    pub released: bool,
    /// A buyer's return request is open for the shipment.
    pub open_return: bool,
    /// A dispute is open for the shipment.
    pub open_dispute: bool,
}

/// Why a hold cannot be released at all for now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldBlock {
    AlreadyReleased,
    NotDelivered,
    OpenDispute,
    OpenReturn,
}

/// What to do with a hold now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum HoldDecision {
    /// Release now. An amount of 0 (everything was refunded) means: mark the hold
    /// released without a journal transaction.
    Release {
        amount_minor: i64,
    },
    /// Delivered and unblocked, but the window is not over yet.
    NotYet {
        release_at: Timestamp,
    },
    Blocked {
        reason: HoldBlock,
    },
}

/// Decides whether a hold is releasable at `now`: not released yet, delivered, no open
/// dispute or return, and the release date has come (`now ≥ release_at`).
pub fn decide_hold_release(hold: &ShipmentHold, now: Timestamp) -> HoldDecision {
    if hold.released {
        return HoldDecision::Blocked {
            reason: HoldBlock::AlreadyReleased,
        };
    }
    let (Some(_), Some(release_at)) = (hold.delivered_at, hold.release_at) else {
        return HoldDecision::Blocked {
            reason: HoldBlock::NotDelivered,
        };
    };
    if hold.open_dispute {
        return HoldDecision::Blocked {
            reason: HoldBlock::OpenDispute,
        };
    }
    if hold.open_return {
        return HoldDecision::Blocked {
            reason: HoldBlock::OpenReturn,
        };
    }
    if now < release_at {
        return HoldDecision::NotYet { release_at };
    }
    HoldDecision::Release {
        amount_minor: hold.held_minor.max(0),
    }
}

/// The transaction releasing exactly the still-held amount of the shipment:
/// seller held −amount, seller available +amount. A seller in debt repays it here
/// automatically, because available is one balance. Refused unless
/// [`decide_hold_release`] says `Release` with a positive amount.
pub fn hold_release_transaction(
    meta: TxMeta,
    hold: &ShipmentHold,
    now: Timestamp,
) -> Result<JournalTransaction, LedgerError> {
    let amount_minor = match decide_hold_release(hold, now) {
        HoldDecision::Release { amount_minor } if amount_minor > 0 => amount_minor,
        _ => return Err(LedgerError::NonPositiveAmount),
    };
    JournalTransaction::builder(meta, TransactionKind::HoldRelease)
        .references(References {
            order_id: Some(hold.order_id),
            shipment_id: Some(hold.shipment_id),
            seller_id: Some(hold.seller_id),
            ..References::default()
        })
        .memo(format!("hold release for shipment {}", hold.shipment_id))
        .transfer(
            AccountRef::held(hold.seller_id, hold.currency),
            AccountRef::available(hold.seller_id, hold.currency),
            Money::from_minor(amount_minor, hold.currency),
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
    use crate::ids::JournalId;
    use crate::ledger::IdempotencyKey;
    use uuid::Uuid;

    const DAY_MS: i64 = 86_400_000;

    fn hold() -> ShipmentHold {
        ShipmentHold {
            order_id: OrderId::from_uuid(Uuid::from_u128(1)),
            shipment_id: ShipmentId::from_uuid(Uuid::from_u128(2)),
            seller_id: SellerId::from_uuid(Uuid::from_u128(3)),
            currency: Currency::Rub,
            held_minor: 90_000,
            delivered_at: Some(Timestamp::from_millis(0)),
            release_at: Some(Timestamp::from_millis(14 * DAY_MS)),
            released: false,
            open_return: false,
            open_dispute: false,
        }
    }

    #[test]
    fn release_date_is_delivery_plus_window_or_seller_override() {
        let delivered = Timestamp::from_millis(1_000);
        assert_eq!(
            hold_release_at(delivered, 14, None).millis(),
            1_000 + 14 * DAY_MS
        );
        assert_eq!(
            hold_release_at(delivered, 14, Some(30)).millis(),
            1_000 + 30 * DAY_MS
        );
        assert_eq!(hold_release_at(delivered, 14, Some(0)), delivered);
        assert_eq!(shipment_return_window_days(&[7, 14, 3], 10), 14);
        assert_eq!(shipment_return_window_days(&[], 10), 10);
    }

    #[test]
    fn hold_release_decision_table() {
        let at = |days: i64| Timestamp::from_millis(days * DAY_MS);
        let cases: Vec<(&str, ShipmentHold, Timestamp, HoldDecision)> = vec![
            (
                "on the release date",
                hold(),
                at(14),
                HoldDecision::Release {
                    amount_minor: 90_000,
                },
            ),
            (
                "after it",
                hold(),
                at(20),
                HoldDecision::Release {
                    amount_minor: 90_000,
                },
            ),
            (
                "before it",
                hold(),
                at(13),
                HoldDecision::NotYet { release_at: at(14) },
            ),
            (
                "not delivered",
                ShipmentHold {
                    delivered_at: None,
                    release_at: None,
                    ..hold()
                },
                at(100),
                HoldDecision::Blocked {
                    reason: HoldBlock::NotDelivered,
                },
            ),
            (
                "open return",
                ShipmentHold {
                    open_return: true,
                    ..hold()
                },
                at(100),
                HoldDecision::Blocked {
                    reason: HoldBlock::OpenReturn,
                },
            ),
            (
                "open dispute",
                ShipmentHold {
                    open_dispute: true,
                    open_return: true,
                    ..hold()
                },
                at(100),
                HoldDecision::Blocked {
                    reason: HoldBlock::OpenDispute,
                },
            ),
            (
                "released twice",
                ShipmentHold {
                    released: true,
                    ..hold()
                },
                at(100),
                HoldDecision::Blocked {
                    reason: HoldBlock::AlreadyReleased,
                },
            ),
            (
                "fully refunded",
                ShipmentHold {
                    held_minor: 0,
                    ..hold()
                },
                at(100),
                HoldDecision::Release { amount_minor: 0 },
            ),
        ];
        for (name, h, now, expected) in cases {
            assert_eq!(decide_hold_release(&h, now), expected, "{name}");
        }
    }

    #[test]
    fn release_moves_exactly_the_still_held_amount() {
        let meta = TxMeta::new(
            JournalId::from_uuid(Uuid::from_u128(9)),
            IdempotencyKey::parse("release:2").unwrap(),
            Timestamp::from_millis(15 * DAY_MS),
        );
        let h = ShipmentHold {
            held_minor: 12_345,
            ..hold()
        };
        let tx = hold_release_transaction(meta.clone(), &h, Timestamp::from_millis(15 * DAY_MS))
            .unwrap();
        assert_eq!(
            tx.amount_on(&AccountRef::held(h.seller_id, Currency::Rub)),
            -12_345
        );
        assert_eq!(
            tx.amount_on(&AccountRef::available(h.seller_id, Currency::Rub)),
            12_345
        );
        assert!(hold_release_transaction(meta, &h, Timestamp::from_millis(DAY_MS)).is_err());
    }
}
