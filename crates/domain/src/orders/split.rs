//! Splitting an order into one shipment per seller.

use super::input::ValidOrder;
use crate::ids::SellerId;
use crate::money::Money;
use serde::{Deserialize, Serialize};

/// One seller's part of an order, before it gets an id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentDraft {
    pub seller_id: SellerId,
    /// The order's line numbers in this shipment, in order.
    pub line_nos: Vec<u32>,
    pub total: Money,
}

/// One shipment per seller, in the order each seller first appears in the lines (so
/// the split is the same every time for the same request).
pub fn split_into_shipments(order: &ValidOrder) -> Vec<ShipmentDraft> {
    let mut drafts: Vec<ShipmentDraft> = Vec::new();
    for line in &order.lines {
        let index = match drafts.iter().position(|d| d.seller_id == line.seller_id) {
            Some(index) => index,
            None => {
                drafts.push(ShipmentDraft {
                    seller_id: line.seller_id,
                    line_nos: Vec::new(),
                    total: Money::zero(order.currency),
                });
                drafts.len() - 1
            }
        };
        let draft = &mut drafts[index];
        draft.line_nos.push(line.line_no);
        // Validation already proved the order total fits, so every partial sum does.
        draft.total = Money::from_minor(
            draft
                .total
                .amount_minor()
                .saturating_add(line.line_total.amount_minor()),
            order.currency,
        );
    }
    drafts
}
