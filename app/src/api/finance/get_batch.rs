use super::BatchDetail;
use crate::error::AppError;
use leptos::prelude::*;

/// One batch with its per-seller lines.
#[server(prefix = "/rpc", endpoint = "finance_get_batch")]
pub async fn get_batch(id: String) -> Result<BatchDetail, AppError> {
    use super::{BatchRow, PayoutLineRow};
    use crate::ssr;
    use db::ledger::payouts;
    let ctx = ssr::finance().await?;
    let db = ssr::db()?;
    let id = super::parse_id(&id)?;
    let batch = payouts::get_batch(&db, &ctx, id).await?;
    let threshold = payouts::payout_settings(&db, batch.currency)
        .await?
        .map(|s| domain::Money::from_minor(s.four_eyes_threshold_minor, s.currency));
    let lines = payouts::list_batch_lines(&db, &ctx, id, 0, 1000).await?;
    Ok(BatchDetail {
        batch: BatchRow::from(batch),
        lines: lines.into_iter().map(PayoutLineRow::from).collect(),
        viewer_id: ctx.user_id().to_string(),
        four_eyes_threshold: threshold,
    })
}
