//! What sellers, staff and channels see of orders and shipments: shared by the REST
//! API, the cabinet and the browser.

use super::input::DeliveryMethod;
use super::shipment::ShipmentStatus;
use crate::ids::{OrderId, SellerId, ShipmentId};
use crate::money::Currency;
use serde::{Deserialize, Serialize};

/// A shipment in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentSummary {
    pub id: ShipmentId,
    pub number: String,
    pub order_id: OrderId,
    pub order_number: String,
    pub seller_id: SellerId,
    pub seller_name: String,
    pub channel: String,
    pub external_order_id: String,
    pub status: ShipmentStatus,
    pub delivery_method: DeliveryMethod,
    pub currency: Currency,
    pub total_minor: i64,
    /// Units in the shipment.
    pub items: i64,
    /// When it must be shipped (set once paid).
    pub ship_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One order line of a shipment, with what the seller earns from it once captured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentLineView {
    pub line_no: i64,
    pub seller_sku: String,
    pub title: String,
    pub category_code: String,
    pub quantity: i64,
    pub unit_price_minor: i64,
    pub line_total_minor: i64,
    /// Frozen at capture; `None` before the payment is captured.
    pub commission_minor: Option<i64>,
    /// Commission rate in basis points, frozen at capture.
    pub commission_rate_bps: Option<i64>,
    /// Refunded so far of this line.
    pub refunded_minor: i64,
}

/// A state change or carrier report in a shipment's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentEventView {
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub actor_kind: String,
    pub actor_label: String,
    /// Free-form facts: carrier, tracking number, reason, carrier location...
    pub details: serde_json::Value,
    pub occurred_at: i64,
}

/// Where the seller's money for a shipment stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentMoney {
    pub captured_minor: i64,
    pub commission_minor: i64,
    pub refunded_minor: i64,
    /// captured − commission − refunds + commission reversed.
    pub net_minor: i64,
    /// `held`, `blocked` or `released`; `None` before capture.
    pub hold_status: Option<String>,
    pub held_minor: i64,
    /// When the hold is due for release (delivery + return window).
    pub release_at: Option<i64>,
}

/// A shipment with everything its page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentDetail {
    pub summary: ShipmentSummary,
    /// Human-readable delivery destination (address or pickup point).
    pub destination: String,
    pub buyer_name: Option<String>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub paid_at: Option<i64>,
    pub confirmed_at: Option<i64>,
    pub shipped_at: Option<i64>,
    pub delivered_at: Option<i64>,
    pub cancelled_at: Option<i64>,
    pub cancelled_by: Option<String>,
    pub cancel_reason: Option<String>,
    pub lines: Vec<ShipmentLineView>,
    pub events: Vec<ShipmentEventView>,
    pub money: ShipmentMoney,
}

/// What a channel gets back for an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderReceipt {
    pub id: OrderId,
    pub number: String,
    pub external_order_id: String,
    pub channel: String,
    pub currency: Currency,
    pub total_minor: i64,
    pub created_at: i64,
    pub shipments: Vec<OrderShipmentRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderShipmentRef {
    pub id: ShipmentId,
    pub number: String,
    pub seller_id: SellerId,
    pub status: ShipmentStatus,
    pub total_minor: i64,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
}

/// Shipment counts per status for the cabinet's filter tabs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentCounts {
    pub awaiting_payment: i64,
    pub paid: i64,
    pub confirmed: i64,
    pub shipped: i64,
    pub delivered: i64,
    pub cancelled: i64,
    /// Paid or confirmed and past the shipping deadline.
    pub overdue: i64,
}

/// A storefront channel's API key as admins see it (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelKeyView {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}
