//! Orders, persisted: storefront channels push orders (split into one shipment per
//! seller, stock reserved), payment-provider events settle them in the ledger, sellers
//! confirm, ship and cancel, carriers or staff report deliveries, and automatic
//! penalties follow the rules.
//!
//! The rules live in `domain::orders` (validation, the split, the shipment state
//! machine, deadlines, webhook signatures); this module stores what they decide.
//!
//! # Invariants, stated as absences
//! - No shipment changes status without a `shipment_events` row in the same transaction.
//! - No shipment becomes `paid` outside the transaction that settles its capture
//!   ([`payments::mark_paid_in`] is called by `ledger::settlement`).
//! - No delivery is recorded without its hold's release date in the same transaction.
//! - No automatic penalty commits apart from the shipment change that caused it, and
//!   each is keyed by `penalty:<reason>:<shipment>`, so it is charged at most once.
//! - No seller query runs without `seller_id = <the caller's seller>`.
//!
//! # Stock
//! `skus.stock` is what the seller says is on hand; `skus.reserved` counts units of
//! open orders. An order line reserves (`stock - reserved >= quantity`, checked in the
//! UPDATE itself, so concurrent orders cannot oversell); shipping takes the units off
//! both; a cancellation gives the reservation back.

pub mod capture_batch;
pub mod channel_keys;
pub mod create;
pub mod payments;
pub mod read;
pub mod shipments;

use domain::ledger::{BasisPoints, PenaltyAmountRule, PenaltyPolicy};
use domain::money::Currency;
use domain::orders::{DeliveryMethod, ShippingDeadlines};

pub use channel_keys::ChannelCtx;

/// Shipping deadlines and automatic penalties, from the server's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderRules {
    pub deadlines: ShippingDeadlines,
    pub penalties: PenaltyPolicy,
}

impl Default for OrderRules {
    /// 48/72/48 hours to ship; late shipment 5 % of the shipment (50–1 000 ₽), a
    /// seller's cancellation of a paid order 10 % (100–5 000 ₽).
    fn default() -> Self {
        OrderRules {
            deadlines: ShippingDeadlines::default(),
            penalties: PenaltyPolicy {
                currency: Currency::Rub,
                late_shipment: PenaltyAmountRule::PercentOfShipment {
                    rate: BasisPoints::new(500).unwrap_or(BasisPoints::ZERO),
                    min_minor: 5_000,
                    max_minor: Some(100_000),
                },
                seller_cancellation: PenaltyAmountRule::PercentOfShipment {
                    rate: BasisPoints::new(1_000).unwrap_or(BasisPoints::ZERO),
                    min_minor: 10_000,
                    max_minor: Some(500_000),
                },
            },
        }
    }
}

pub(crate) fn parse_method(value: &str) -> crate::Result<DeliveryMethod> {
    DeliveryMethod::parse(value)
        .ok_or_else(|| crate::Error::Internal(format!("bad stored delivery method {value:?}")))
}
