use crate::error::AppError;
use domain::Money;
use domain::ledger::Balances;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One held amount and why it is held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldRow {
    pub order_id: String,
    pub shipment_id: String,
    pub held: Money,
    /// `awaiting_delivery`, `return_window`, `open_return`, `open_dispute` or `blocked`.
    pub why: String,
    /// Days held after delivery, while awaiting it.
    pub hold_days: Option<u32>,
    pub expected_release_at_ms: Option<i64>,
    pub captured_at_ms: i64,
}

/// One payout to the seller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerPayoutRow {
    pub id: String,
    pub amount: Money,
    pub period: domain::payouts::PayoutPeriod,
    pub status: domain::payouts::PayoutLineStatus,
    pub updated_at_ms: i64,
}

/// The seller's bank details as saved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutDetailsView {
    pub recipient_name: String,
    pub inn: String,
    pub bik: String,
    pub account_number: String,
    pub correspondent_account: String,
    pub bank_name: String,
    pub updated_at_ms: Option<i64>,
}

/// The seller's finance page: balances, held amounts, payouts, bank details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerFinance {
    pub balances: Balances,
    pub held: Vec<HeldRow>,
    pub payouts: Vec<SellerPayoutRow>,
    pub details: PayoutDetailsView,
}

/// The caller's balances (RUB), held breakdown, payout history and bank details.
#[server(prefix = "/rpc", endpoint = "get_seller_finance")]
pub async fn get_seller_finance() -> Result<SellerFinance, AppError> {
    use crate::ssr;
    use db::ledger::holds::HeldReason;
    use db::ledger::{balances, payouts, statement};
    use domain::ledger::HoldBlock;
    let ctx = ssr::seller().await?;
    let db = ssr::db()?;
    let c = domain::money::Currency::Rub;
    let balances = balances::get_seller_balances(&db, &ctx, c).await?;
    let held = statement::held_breakdown(&db, &ctx).await?;
    let history = payouts::list_seller_payouts(&db, &ctx, 100).await?;
    let details = payouts::get_payout_details(&db, &ctx).await?;
    let held = held
        .items
        .into_iter()
        .map(|i| {
            let (why, hold_days) = match i.reason {
                HeldReason::AwaitingDelivery { hold_days } => {
                    ("awaiting_delivery", Some(hold_days))
                }
                HeldReason::ReturnWindow { .. } => ("return_window", None),
                HeldReason::Blocked { block, .. } => (
                    match block {
                        HoldBlock::OpenReturn => "open_return",
                        HoldBlock::OpenDispute => "open_dispute",
                        _ => "blocked",
                    },
                    None,
                ),
            };
            HeldRow {
                order_id: i.order_id.to_string(),
                shipment_id: i.shipment_id.to_string(),
                held: Money::from_minor(i.held_minor, i.currency),
                why: why.into(),
                hold_days,
                expected_release_at_ms: i.expected_release_at.map(|t| t.millis()),
                captured_at_ms: i.captured_at.millis(),
            }
        })
        .collect();
    Ok(SellerFinance {
        balances,
        held,
        payouts: history
            .into_iter()
            .map(|p| SellerPayoutRow {
                id: p.id.to_string(),
                amount: p.amount,
                period: p.period,
                status: p.status,
                updated_at_ms: p.updated_at.millis(),
            })
            .collect(),
        details: details
            .map(|d| PayoutDetailsView {
                recipient_name: d.recipient_name,
                inn: d.inn,
                bik: d.bank.bik,
                account_number: d.bank.account_number,
                correspondent_account: d.bank.correspondent_account,
                bank_name: d.bank.bank_name,
                updated_at_ms: Some(d.updated_at.millis()),
            })
            .unwrap_or_default(),
    })
}
