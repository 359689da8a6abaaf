use crate::error::AppError;
use leptos::prelude::*;

/// Reverses a penalty (a new, opposite posting that references it) with a note.
#[server(prefix = "/rpc", endpoint = "finance_reverse_penalty")]
pub async fn reverse_penalty(id: String, note: String) -> Result<(), AppError> {
    use crate::ssr;
    let ctx = ssr::finance().await?;
    let id = super::parse_id(&id)?;
    db::ledger::penalties::reverse_penalty(&ssr::db()?, &ctx, id, note.trim()).await?;
    Ok(())
}
