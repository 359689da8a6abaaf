use crate::error::AppError;
use leptos::prelude::*;

/// Proposes a payout batch now (RUB); `None` when no seller has enough to pay out.
#[server(prefix = "/rpc", endpoint = "finance_propose_batch")]
pub async fn propose_batch() -> Result<Option<String>, AppError> {
    use crate::ssr;
    let ctx = ssr::finance().await?;
    let batch = db::ledger::payouts::propose_payout_batch(
        &ssr::db()?,
        Some(&ctx),
        domain::money::Currency::Rub,
        domain::time::Timestamp::now(),
    )
    .await?;
    Ok(batch.map(|b| b.id.to_string()))
}
