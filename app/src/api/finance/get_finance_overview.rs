use super::FinanceOverview;
use crate::error::AppError;
use leptos::prelude::*;

/// The finance dashboard: ledger totals, the last `days` days of captured volume and
/// commission (by day and by category), sellers in debt and batches awaiting review.
#[server(prefix = "/rpc", endpoint = "finance_overview")]
pub async fn get_finance_overview(days: u32) -> Result<FinanceOverview, AppError> {
    use super::{BatchRow, CategoryRevenueRow, DayRevenue, DebtorRow, OverviewTotals};
    use crate::ssr;
    use db::ledger::{payouts, reports};
    use domain::Money;
    use domain::money::Currency;
    use domain::payouts::BatchStatus;
    use domain::time::Timestamp;
    let ctx = ssr::finance().await?;
    let db = ssr::db()?;
    let c = Currency::Rub;
    let days = days.clamp(7, 90);
    let to = Timestamp::now();
    let from = to.plus_days(-i64::from(days));
    let t = reports::finance_totals(&db, &ctx, c).await?;
    let m = |minor| Money::from_minor(minor, c);
    let totals = OverviewTotals {
        held: m(t.held_minor),
        available: m(t.available_minor),
        in_payout: m(t.in_payout_minor),
        debt: m(t.debt_minor),
        sellers_in_debt: t.sellers_in_debt,
        commission_revenue: m(t.commission_revenue_minor),
        penalty_revenue: m(t.penalty_revenue_minor),
    };
    let by_day = reports::commission_by_day(&db, &ctx, c, from, to).await?;
    let by_category = reports::commission_by_category(&db, &ctx, c, from, to).await?;
    let debtors = reports::sellers_in_debt(&db, &ctx, c, 20).await?;
    let awaiting = payouts::list_batches(&db, &ctx, Some(BatchStatus::Proposed), 20).await?;
    Ok(FinanceOverview {
        totals,
        days: by_day
            .into_iter()
            .map(|d| DayRevenue {
                day_ms: d.day.millis(),
                captured: m(d.captured_minor),
                commission: m(d.commission_minor),
            })
            .collect(),
        categories: by_category
            .into_iter()
            .map(|r| CategoryRevenueRow {
                category_code: r.category_code,
                captured: m(r.captured_minor),
                commission: m(r.commission_minor),
            })
            .collect(),
        debtors: debtors
            .into_iter()
            .map(|d| DebtorRow {
                seller_id: d.seller_id.to_string(),
                seller_name: d.seller_name,
                debt: m(d.debt_minor),
                held: m(d.held_minor),
            })
            .collect(),
        awaiting: awaiting.into_iter().map(BatchRow::from).collect(),
        period_days: days,
    })
}
