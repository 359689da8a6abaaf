//! The finance area's server functions (role Finance; sellers and other roles are
//! refused by `ssr::finance()`), and the DTOs they return. The ledger's read models
//! live in `db` (server only), so the ones the browser needs are mirrored here.

pub mod apply_penalty;
pub mod approve_batch;
pub mod cancel_batch;
pub mod find_sellers;
pub mod get_batch;
pub mod get_finance_overview;
pub mod get_line_statement;
pub mod get_payout_settings;
pub mod get_seller_settings;
pub mod list_batches;
pub mod list_commission_rules;
pub mod list_penalties;
pub mod propose_batch;
pub mod reverse_penalty;
pub mod save_commission_rule;
pub mod update_payout_line;
pub mod update_payout_settings;
pub mod update_seller_settings;

use domain::Money;
use domain::payouts::{BatchStatus, PayoutLineStatus, PayoutPeriod};
use serde::{Deserialize, Serialize};

/// One payout batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchRow {
    pub id: String,
    pub status: BatchStatus,
    pub period: PayoutPeriod,
    pub proposed_total: Money,
    pub approved_total: Option<Money>,
    pub line_count: i64,
    pub prepared_by: Option<String>,
    pub approved_by: Option<String>,
    pub approved_at_ms: Option<i64>,
    pub exported_at_ms: Option<i64>,
    pub created_at_ms: i64,
}

#[cfg(feature = "ssr")]
impl From<db::ledger::payouts::BatchView> for BatchRow {
    fn from(b: db::ledger::payouts::BatchView) -> Self {
        BatchRow {
            id: b.id.to_string(),
            status: b.status,
            period: b.period,
            proposed_total: Money::from_minor(b.proposed_total_minor, b.currency),
            approved_total: b
                .approved_total_minor
                .map(|m| Money::from_minor(m, b.currency)),
            line_count: b.line_count,
            prepared_by: b.prepared_by.map(|u| u.to_string()),
            approved_by: b.approved_by.map(|u| u.to_string()),
            approved_at_ms: b.approved_at.map(|t| t.millis()),
            exported_at_ms: b.exported_at.map(|t| t.millis()),
            created_at_ms: b.created_at.millis(),
        }
    }
}

/// One seller's line in a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutLineRow {
    pub id: String,
    pub seller_id: String,
    pub seller_name: String,
    pub amount: Money,
    pub status: PayoutLineStatus,
    pub available_at_approval: Option<Money>,
    pub updated_at_ms: i64,
}

#[cfg(feature = "ssr")]
impl From<db::ledger::payouts::PayoutLineView> for PayoutLineRow {
    fn from(l: db::ledger::payouts::PayoutLineView) -> Self {
        let currency = l.amount.currency();
        PayoutLineRow {
            id: l.id.to_string(),
            seller_id: l.seller_id.to_string(),
            seller_name: l.seller_name,
            amount: l.amount,
            status: l.status,
            available_at_approval: l
                .available_at_approval_minor
                .map(|m| Money::from_minor(m, currency)),
            updated_at_ms: l.updated_at.millis(),
        }
    }
}

/// A batch with its lines and the caller's id (for the four-eyes hint).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchDetail {
    pub batch: BatchRow,
    pub lines: Vec<PayoutLineRow>,
    pub viewer_id: String,
    pub four_eyes_threshold: Option<Money>,
}

/// Ledger totals for the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverviewTotals {
    pub held: Money,
    pub available: Money,
    pub in_payout: Money,
    pub debt: Money,
    pub sellers_in_debt: i64,
    pub commission_revenue: Money,
    pub penalty_revenue: Money,
}

/// One day's captured volume and commission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayRevenue {
    pub day_ms: i64,
    pub captured: Money,
    pub commission: Money,
}

/// One category's captured volume and commission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryRevenueRow {
    pub category_code: String,
    pub captured: Money,
    pub commission: Money,
}

/// A seller whose available balance is negative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtorRow {
    pub seller_id: String,
    pub seller_name: String,
    pub debt: Money,
    pub held: Money,
}

/// The finance dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinanceOverview {
    pub totals: OverviewTotals,
    pub days: Vec<DayRevenue>,
    pub categories: Vec<CategoryRevenueRow>,
    pub debtors: Vec<DebtorRow>,
    pub awaiting: Vec<BatchRow>,
    pub period_days: u32,
}

/// A penalty charged to a seller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PenaltyRow {
    pub id: String,
    pub seller_id: String,
    pub amount: Money,
    pub reason: domain::ledger::PenaltyReason,
    pub source: String,
    pub order_id: Option<String>,
    pub note: String,
    pub reversed: bool,
    pub reversal_note: Option<String>,
    pub created_at_ms: i64,
}

#[cfg(feature = "ssr")]
impl From<db::ledger::penalties::PenaltyView> for PenaltyRow {
    fn from(p: db::ledger::penalties::PenaltyView) -> Self {
        PenaltyRow {
            id: p.id.to_string(),
            seller_id: p.seller_id.to_string(),
            amount: p.amount,
            reason: p.reason,
            source: p.source,
            order_id: p.order_id.map(|o| o.to_string()),
            note: p.note,
            reversed: p.reversed,
            reversal_note: p.reversal_note,
            created_at_ms: p.created_at.millis(),
        }
    }
}

/// One seller's finance settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerSettingsView {
    pub tier: domain::ledger::SellerTier,
    pub hold_days_override: Option<u32>,
    pub payout_hold_reason: String,
}

/// The payout schedule form's values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutSettingsView {
    /// `daily` or a weekday `mon`..`sun`.
    pub every: String,
    pub minimum: Money,
    pub four_eyes_threshold: Money,
    pub configured: bool,
}

/// Parses an id from a form or URL; a malformed one is simply not found.
#[cfg(feature = "ssr")]
pub(crate) fn parse_id<T: std::str::FromStr>(input: &str) -> Result<T, crate::error::AppError> {
    input
        .trim()
        .parse()
        .map_err(|_| crate::error::AppError::new(domain::ErrorCode::NotFound, "No such record"))
}
