use crate::error::AppError;
use leptos::prelude::*;

/// Approves a batch: reserves each line's funds (lines without enough available are
/// excluded). Above the four-eyes threshold the preparer is refused (`forbidden`).
/// Returns how many lines were approved and excluded.
#[server(prefix = "/rpc", endpoint = "finance_approve_batch")]
pub async fn approve_batch(id: String) -> Result<(u64, u64), AppError> {
    use crate::ssr;
    let ctx = ssr::finance().await?;
    let id = super::parse_id(&id)?;
    let report = db::ledger::payouts::approve_batch(&ssr::db()?, &ctx, id).await?;
    Ok((report.approved, report.excluded))
}
