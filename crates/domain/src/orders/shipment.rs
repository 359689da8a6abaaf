//! The shipment state machine and shipping deadlines.
//!
//! ```text
//! awaiting_payment ──captured──▶ paid ──seller confirms──▶ confirmed ──shipped──▶ shipped ──delivered──▶ delivered
//!        │                        │                           │
//!        └──── cancelled (payment failure / channel / seller) ┘  (only before shipping)
//! ```
//! Returns and disputes come later as new states after `delivered`;
//! [`ShipmentStatus`] is `#[non_exhaustive]` so code outside this crate already
//! handles states it does not know.

use super::error::OrderError;
use super::input::DeliveryMethod;
use crate::ledger::PenaltyReason;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ShipmentStatus {
    AwaitingPayment,
    Paid,
    Confirmed,
    Shipped,
    Delivered,
    Cancelled,
}

impl ShipmentStatus {
    pub const ALL: [ShipmentStatus; 6] = [
        ShipmentStatus::AwaitingPayment,
        ShipmentStatus::Paid,
        ShipmentStatus::Confirmed,
        ShipmentStatus::Shipped,
        ShipmentStatus::Delivered,
        ShipmentStatus::Cancelled,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ShipmentStatus::AwaitingPayment => "awaiting_payment",
            ShipmentStatus::Paid => "paid",
            ShipmentStatus::Confirmed => "confirmed",
            ShipmentStatus::Shipped => "shipped",
            ShipmentStatus::Delivered => "delivered",
            ShipmentStatus::Cancelled => "cancelled",
        }
    }

    /// Before the parcel left: the only states a shipment can be cancelled from.
    pub const fn is_pre_shipping(self) -> bool {
        matches!(
            self,
            ShipmentStatus::AwaitingPayment | ShipmentStatus::Paid | ShipmentStatus::Confirmed
        )
    }

    /// Paid and not yet shipped: the states the shipping deadline applies to.
    pub const fn awaits_shipping(self) -> bool {
        matches!(self, ShipmentStatus::Paid | ShipmentStatus::Confirmed)
    }
}

impl FromStr for ShipmentStatus {
    type Err = OrderError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ShipmentStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or(OrderError::InvalidValue {
                field: "status",
                reason: "unknown shipment status",
            })
    }
}

impl fmt::Display for ShipmentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A carrier's code, e.g. `cdek`, `russian_post`, `boxberry`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CarrierCode(String);

impl CarrierCode {
    /// 1 to 32 characters of `a-z`, `0-9`, `_`, `-` (upper case is lowered).
    pub fn parse(input: &str) -> Result<Self, OrderError> {
        let s = input.trim().to_ascii_lowercase();
        let valid = !s.is_empty()
            && s.len() <= 32
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !valid {
            return Err(OrderError::InvalidValue {
                field: "carrier",
                reason: "a carrier code has 1 to 32 letters, digits, '_' or '-'",
            });
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CarrierCode {
    type Error = OrderError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        CarrierCode::parse(&value)
    }
}

impl From<CarrierCode> for String {
    fn from(value: CarrierCode) -> Self {
        value.0
    }
}

/// A parcel's tracking number, normalised to upper case without spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TrackingNumber(String);

impl TrackingNumber {
    /// 4 to 40 letters, digits or `-` once spaces are removed (`RA 1234 5678 9RU` is
    /// `RA123456789RU`).
    pub fn parse(input: &str) -> Result<Self, OrderError> {
        let s: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let valid = (4..=40).contains(&s.len())
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !valid {
            return Err(OrderError::InvalidValue {
                field: "tracking_number",
                reason: "a tracking number has 4 to 40 letters, digits or '-'",
            });
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TrackingNumber {
    type Error = OrderError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        TrackingNumber::parse(&value)
    }
}

impl From<TrackingNumber> for String {
    fn from(value: TrackingNumber) -> Self {
        value.0
    }
}

/// Why a seller cancels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SellerCancelReason {
    OutOfStock,
    PriceError,
    CannotShipInTime,
    Other,
}

/// Who cancelled a shipment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "by")]
pub enum CancelledBy {
    Seller {
        reason: SellerCancelReason,
    },
    /// The sales channel (e.g. the buyer cancelled in the shop).
    Channel,
    /// The payment failed or expired.
    PaymentFailure,
}

/// Who reported a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryReportedBy {
    Carrier,
    Staff,
}

/// Something that happens to a shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum ShipmentEvent {
    PaymentCaptured,
    SellerConfirmed,
    Shipped {
        carrier: CarrierCode,
        tracking_number: TrackingNumber,
    },
    Delivered {
        reported_by: DeliveryReportedBy,
    },
    Cancelled {
        cancelled_by: CancelledBy,
    },
}

impl ShipmentEvent {
    pub const fn name(&self) -> &'static str {
        match self {
            ShipmentEvent::PaymentCaptured => "paid",
            ShipmentEvent::SellerConfirmed => "confirmed",
            ShipmentEvent::Shipped { .. } => "shipped",
            ShipmentEvent::Delivered { .. } => "delivered",
            ShipmentEvent::Cancelled {
                cancelled_by: CancelledBy::PaymentFailure,
            } => "cancelled for a failed payment",
            ShipmentEvent::Cancelled {
                cancelled_by: CancelledBy::Channel,
            } => "cancelled by the channel",
            ShipmentEvent::Cancelled {
                cancelled_by: CancelledBy::Seller { .. },
            } => "cancelled by the seller",
        }
    }
}

/// The status after `event`, or a typed refusal.
pub fn next_status(
    from: ShipmentStatus,
    event: &ShipmentEvent,
) -> Result<ShipmentStatus, OrderError> {
    use ShipmentStatus as S;
    let next = match (from, event) {
        (S::AwaitingPayment, ShipmentEvent::PaymentCaptured) => S::Paid,
        (S::Paid, ShipmentEvent::SellerConfirmed) => S::Confirmed,
        (S::Confirmed, ShipmentEvent::Shipped { .. }) => S::Shipped,
        (S::Shipped, ShipmentEvent::Delivered { .. }) => S::Delivered,
        (
            S::AwaitingPayment,
            ShipmentEvent::Cancelled {
                cancelled_by: CancelledBy::PaymentFailure,
            },
        ) => S::Cancelled,
        (
            S::AwaitingPayment | S::Paid | S::Confirmed,
            ShipmentEvent::Cancelled {
                cancelled_by: CancelledBy::Channel | CancelledBy::Seller { .. },
            },
        ) => S::Cancelled,
        _ => {
            return Err(OrderError::InvalidTransition {
                from,
                event: event.name(),
            });
        }
    };
    Ok(next)
}

/// The automatic penalty a transition triggers: a seller cancelling a paid shipment.
pub fn penalty_for_transition(
    from: ShipmentStatus,
    event: &ShipmentEvent,
) -> Option<PenaltyReason> {
    match (from, event) {
        (
            ShipmentStatus::Paid | ShipmentStatus::Confirmed,
            ShipmentEvent::Cancelled {
                cancelled_by: CancelledBy::Seller { .. },
            },
        ) => Some(PenaltyReason::SellerCancellation),
        _ => None,
    }
}

/// Hours from payment to shipping, per delivery method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingDeadlines {
    pub fbs_hours: u32,
    pub fbo_hours: u32,
    pub pickup_hours: u32,
}

impl Default for ShippingDeadlines {
    fn default() -> Self {
        Self {
            fbs_hours: 48,
            fbo_hours: 72,
            pickup_hours: 48,
        }
    }
}

impl ShippingDeadlines {
    pub const fn hours(&self, method: DeliveryMethod) -> u32 {
        match method {
            DeliveryMethod::Fbs => self.fbs_hours,
            DeliveryMethod::Fbo => self.fbo_hours,
            DeliveryMethod::Pickup => self.pickup_hours,
        }
    }

    pub const fn deadline(&self, method: DeliveryMethod, paid_at: Timestamp) -> Timestamp {
        paid_at.plus_seconds(self.hours(method) as i64 * 3_600)
    }

    /// Late when shipped after the deadline, or not shipped and the deadline has passed
    /// at `now`. Shipping exactly at the deadline is on time.
    pub fn is_late(
        &self,
        method: DeliveryMethod,
        paid_at: Timestamp,
        shipped_at: Option<Timestamp>,
        now: Timestamp,
    ) -> bool {
        let deadline = self.deadline(method, paid_at);
        match shipped_at {
            Some(shipped_at) => shipped_at > deadline,
            None => now > deadline,
        }
    }
}
