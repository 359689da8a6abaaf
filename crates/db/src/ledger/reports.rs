//! Finance read models: totals across sellers, commission revenue by day and by
//! category, sellers in debt. Aggregates over the balance rows (one row per account)
//! and the frozen commission lines, never over all postings.

use crate::auth::FinanceCtx;
use crate::util::parse_col;
use crate::{Db, Result};
use domain::ids::SellerId;
use domain::ledger::MarketplaceAccountKind;
use domain::money::Currency;
use domain::time::Timestamp;
use serde::{Deserialize, Serialize};

/// The marketplace's position in one currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinanceTotals {
    /// Σ sellers' `held`.
    pub held_minor: i64,
    /// Σ sellers' positive `available` (what could be paid out).
    pub available_minor: i64,
    /// Σ sellers' debt (negative `available`), as a positive amount.
    pub debt_minor: i64,
    pub sellers_in_debt: i64,
    /// Σ sellers' `payout_reserved`: approved payouts not yet confirmed.
    pub in_payout_minor: i64,
    pub commission_revenue_minor: i64,
    pub penalty_revenue_minor: i64,
    /// Refunds owed to buyers until the provider pays them.
    pub refunds_payable_minor: i64,
    pub chargebacks_minor: i64,
    /// Paid out to sellers' banks.
    pub payouts_clearing_minor: i64,
    /// What the payment provider holds for the marketplace (an asset: negative).
    pub provider_clearing_minor: i64,
}

/// Totals held / available / in payout across sellers and the marketplace accounts.
pub async fn finance_totals(
    db: &Db,
    _ctx: &FinanceCtx,
    currency: Currency,
) -> Result<FinanceTotals> {
    let rows: Vec<(String, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT kind, CAST(SUM(balance_minor) AS BIGINT), \
         CAST(SUM(CASE WHEN balance_minor > 0 THEN balance_minor ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN balance_minor < 0 THEN 0 - balance_minor ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN balance_minor < 0 THEN 1 ELSE 0 END) AS BIGINT) \
         FROM ledger_balances WHERE currency = $1 GROUP BY kind",
    )
    .bind(currency.code())
    .fetch_all(db.pool())
    .await?;
    let mut totals = FinanceTotals::default();
    for (kind, sum, positive, negative, negative_rows) in rows {
        match kind.as_str() {
            "held" => totals.held_minor = sum,
            "available" => {
                totals.available_minor = positive;
                totals.debt_minor = negative;
                totals.sellers_in_debt = negative_rows;
            }
            "payout_reserved" => totals.in_payout_minor = sum,
            k if k == MarketplaceAccountKind::CommissionRevenue.as_str() => {
                totals.commission_revenue_minor = sum;
            }
            k if k == MarketplaceAccountKind::PenaltyRevenue.as_str() => {
                totals.penalty_revenue_minor = sum;
            }
            k if k == MarketplaceAccountKind::RefundsPayable.as_str() => {
                totals.refunds_payable_minor = sum;
            }
            k if k == MarketplaceAccountKind::Chargebacks.as_str() => {
                totals.chargebacks_minor = sum
            }
            k if k == MarketplaceAccountKind::PayoutsClearing.as_str() => {
                totals.payouts_clearing_minor = sum;
            }
            k if k == MarketplaceAccountKind::ProviderClearing.as_str() => {
                totals.provider_clearing_minor = sum;
            }
            _ => {}
        }
    }
    Ok(totals)
}

const DAY_MS: i64 = 86_400_000;

/// One UTC day of captured volume and commission (net of refunds' commission returns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyRevenue {
    /// Midnight UTC of the day.
    pub day: Timestamp,
    pub captured_minor: i64,
    pub commission_minor: i64,
}

/// Captured volume and commission per UTC day in `[from, to)`, for the dashboard
/// charts. Read from the frozen commission lines (indexed by time).
pub async fn commission_by_day(
    db: &Db,
    _ctx: &FinanceCtx,
    currency: Currency,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<DailyRevenue>> {
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT CAST(created_at / $4 AS BIGINT) AS day, \
         CAST(SUM(CASE WHEN base_minor > 0 THEN base_minor ELSE 0 END) AS BIGINT), \
         CAST(SUM(amount_minor) AS BIGINT) \
         FROM ledger_commission_lines WHERE currency = $1 AND created_at >= $2 AND created_at < $3 \
         GROUP BY CAST(created_at / $4 AS BIGINT) ORDER BY day",
    )
    .bind(currency.code())
    .bind(from.millis())
    .bind(to.millis())
    .bind(DAY_MS)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(day, captured_minor, commission_minor)| DailyRevenue {
            day: Timestamp::from_millis(day * DAY_MS),
            captured_minor,
            commission_minor,
        })
        .collect())
}

/// Commission per category (the line's own category) in `[from, to)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryRevenue {
    pub category_code: String,
    pub captured_minor: i64,
    pub commission_minor: i64,
}

pub async fn commission_by_category(
    db: &Db,
    _ctx: &FinanceCtx,
    currency: Currency,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<CategoryRevenue>> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT category_code, CAST(SUM(CASE WHEN base_minor > 0 THEN base_minor ELSE 0 END) AS BIGINT), \
         CAST(SUM(amount_minor) AS BIGINT) FROM ledger_commission_lines \
         WHERE currency = $1 AND created_at >= $2 AND created_at < $3 \
         GROUP BY category_code ORDER BY 3 DESC, category_code",
    )
    .bind(currency.code())
    .bind(from.millis())
    .bind(to.millis())
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(category_code, captured_minor, commission_minor)| CategoryRevenue {
                category_code,
                captured_minor,
                commission_minor,
            },
        )
        .collect())
}

/// A seller whose `available` balance is negative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerDebt {
    pub seller_id: SellerId,
    pub seller_name: String,
    pub debt_minor: i64,
    /// Still held for the seller: what later releases will repay the debt from.
    pub held_minor: i64,
}

/// Sellers in debt, largest debt first.
pub async fn sellers_in_debt(
    db: &Db,
    _ctx: &FinanceCtx,
    currency: Currency,
    limit: i64,
) -> Result<Vec<SellerDebt>> {
    let rows: Vec<(String, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT a.seller_id, s.name, a.balance_minor, h.balance_minor FROM ledger_balances a \
         JOIN sellers s ON s.id = a.seller_id \
         LEFT JOIN ledger_balances h ON h.seller_id = a.seller_id AND h.kind = 'held' AND h.currency = a.currency \
         WHERE a.kind = 'available' AND a.currency = $1 AND a.balance_minor < 0 \
         ORDER BY a.balance_minor, a.seller_id LIMIT $2",
    )
    .bind(currency.code())
    .bind(limit.clamp(1, 500))
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(seller_id, seller_name, available, held)| {
            Ok(SellerDebt {
                seller_id: parse_col("ledger_balances.seller_id", &seller_id)?,
                seller_name,
                debt_minor: -available,
                held_minor: held.unwrap_or(0),
            })
        })
        .collect()
}
