use crate::error::AppError;
use domain::Money;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One of the seller's lines of an order: price, commission and net.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLineMoney {
    pub line_no: u32,
    pub category_code: String,
    pub quantity: u32,
    pub unit_price: Money,
    pub captured: Money,
    pub commission_rate_bps: u32,
    pub commission: Money,
    pub refunded: Money,
    pub commission_returned: Money,
    pub net: Money,
}

/// The caller's lines of one order (another seller's order is not found).
#[server(prefix = "/rpc", endpoint = "get_order_breakdown")]
pub async fn get_order_breakdown(order_id: String) -> Result<Vec<OrderLineMoney>, AppError> {
    use crate::ssr;
    let ctx = ssr::seller().await?;
    let order_id = crate::api::finance::parse_id(&order_id)?;
    let lines = db::ledger::statement::order_breakdown(&ssr::db()?, &ctx, order_id).await?;
    Ok(lines
        .into_iter()
        .map(|l| OrderLineMoney {
            line_no: l.line_no,
            category_code: l.category_code,
            quantity: l.quantity,
            unit_price: l.unit_price,
            captured: l.captured,
            commission_rate_bps: l.commission_rate_bps,
            commission: l.commission,
            refunded: l.refunded,
            commission_returned: l.commission_returned,
            net: l.net,
        })
        .collect())
}
