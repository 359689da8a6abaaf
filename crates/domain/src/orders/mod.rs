//! Bounded context: orders. Order intake, the split into one shipment per seller, the
//! shipment state machine, carrier and payment events, and webhook signatures.
//!
//! Money for orders is settled by [`crate::ledger`]: a payment event `captured` leads to
//! [`crate::ledger::plan_capture`], `refunded` and `chargeback` to
//! [`crate::ledger::plan_refund`], a delivery to a hold (see [`crate::ledger::holds`]).

pub mod carrier;
pub mod error;
pub mod input;
pub mod payment;
pub mod shipment;
pub mod split;
pub mod view;
pub mod webhook;

pub use carrier::{CarrierEffect, CarrierEvent, CarrierEventKind, carrier_effect};
pub use error::{OrderError, WebhookError};
pub use input::{
    Address, AddressInput, BuyerContact, BuyerContactInput, CreateOrderInput, Delivery,
    DeliveryInput, DeliveryMethod, Destination, MAX_LINES, MAX_QUANTITY, MAX_UNIT_PRICE_MAJOR,
    OrderLineInput, ValidOrder, ValidOrderLine, parse_quantity, parse_unit_price,
};
pub use payment::{PaymentEvent, PaymentEventInput, PaymentEventKind};
pub use shipment::{
    CancelledBy, CarrierCode, DeliveryReportedBy, SellerCancelReason, ShipmentEvent,
    ShipmentStatus, ShippingDeadlines, TrackingNumber, next_status, penalty_for_transition,
};
pub use split::{ShipmentDraft, split_into_shipments};
pub use view::{
    ChannelKeyView, OrderReceipt, OrderShipmentRef, ShipmentCounts, ShipmentDetail,
    ShipmentEventView, ShipmentLineView, ShipmentMoney, ShipmentSummary,
};
pub use webhook::{
    SIGNATURE_HEADER, SIGNATURE_TOLERANCE_SECS, SignatureHeader, WebhookSecret, check_timestamp,
    sign_webhook, verify_webhook,
};

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::type_complexity,
    reason = "tests: a failed unwrap is a failed test, and scenario tables are tuples"
)]
mod tests;
