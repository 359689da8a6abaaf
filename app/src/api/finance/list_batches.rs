use super::BatchRow;
use crate::error::AppError;
use leptos::prelude::*;

/// Payout batches, newest first (all statuses).
#[server(prefix = "/rpc", endpoint = "finance_list_batches")]
pub async fn list_batches() -> Result<Vec<BatchRow>, AppError> {
    use crate::ssr;
    let ctx = ssr::finance().await?;
    let batches = db::ledger::payouts::list_batches(&ssr::db()?, &ctx, None, 100).await?;
    Ok(batches.into_iter().map(BatchRow::from).collect())
}
