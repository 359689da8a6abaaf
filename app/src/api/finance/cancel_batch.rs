use crate::error::AppError;
use leptos::prelude::*;

/// Cancels a proposed batch.
#[server(prefix = "/rpc", endpoint = "finance_cancel_batch")]
pub async fn cancel_batch(id: String) -> Result<(), AppError> {
    use crate::ssr;
    let ctx = ssr::finance().await?;
    let id = super::parse_id(&id)?;
    Ok(db::ledger::payouts::cancel_batch(&ssr::db()?, &ctx, id).await?)
}
