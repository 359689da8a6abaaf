//! Carrier tracking events and what they do to a shipment.

use super::shipment::{
    CarrierCode, DeliveryReportedBy, ShipmentEvent, ShipmentStatus, TrackingNumber,
};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CarrierEventKind {
    /// The carrier has the parcel and it is moving.
    InTransit,
    OutForDelivery,
    Delivered,
    /// A delivery attempt failed; the carrier usually tries again.
    DeliveryFailed,
    /// The carrier gave up and is bringing the parcel back to the seller.
    ReturnedToSender,
}

/// A tracking event from a carrier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarrierEvent {
    /// The carrier's event id, for deduplication.
    pub event_id: String,
    pub carrier: CarrierCode,
    pub tracking_number: TrackingNumber,
    pub kind: CarrierEventKind,
    pub occurred_at: Timestamp,
}

/// What to do with a carrier event, given the shipment's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "effect")]
pub enum CarrierEffect {
    /// Apply this transition (through [`next_status`](super::next_status)).
    Apply { event: ShipmentEvent },
    /// Keep it in the shipment's tracking history; the status does not change.
    RecordOnly,
    /// Keep it and show it to staff: it does not fit the shipment's status, or it
    /// needs a decision (a parcel coming back; returns are handled by staff until the
    /// returns workflow exists).
    NeedsAttention,
}

/// Maps a carrier event onto the shipment state machine.
///
/// - `in_transit` / `out_for_delivery` on a confirmed shipment mean the seller handed
///   the parcel over without marking it shipped: the event ships it (it carries the
///   carrier and tracking number). On a shipped one they are history.
/// - `delivered` on a shipped shipment delivers it; a repeated `delivered` is history.
/// - `delivery_failed` on a shipped shipment is history (the carrier retries).
/// - `returned_to_sender`, and anything on a cancelled, unpaid or unconfirmed
///   shipment, needs attention.
pub fn carrier_effect(status: ShipmentStatus, event: &CarrierEvent) -> CarrierEffect {
    use CarrierEventKind as K;
    use ShipmentStatus as S;
    match (status, event.kind) {
        (S::Confirmed, K::InTransit | K::OutForDelivery) => CarrierEffect::Apply {
            event: ShipmentEvent::Shipped {
                carrier: event.carrier.clone(),
                tracking_number: event.tracking_number.clone(),
            },
        },
        (S::Shipped, K::Delivered) => CarrierEffect::Apply {
            event: ShipmentEvent::Delivered {
                reported_by: DeliveryReportedBy::Carrier,
            },
        },
        (S::Shipped, K::InTransit | K::OutForDelivery | K::DeliveryFailed)
        | (S::Delivered, K::Delivered) => CarrierEffect::RecordOnly,
        _ => CarrierEffect::NeedsAttention,
    }
}
