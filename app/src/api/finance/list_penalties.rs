use super::PenaltyRow;
use crate::error::AppError;
use leptos::prelude::*;

/// Penalties, newest first; only one seller's when `seller_id` is given.
#[server(prefix = "/rpc", endpoint = "finance_list_penalties")]
pub async fn list_penalties(seller_id: Option<String>) -> Result<Vec<PenaltyRow>, AppError> {
    use crate::ssr;
    let ctx = ssr::finance().await?;
    let seller = match seller_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => Some(super::parse_id(s)?),
        None => None,
    };
    let list = db::ledger::penalties::list_penalties(&ssr::db()?, &ctx, seller, 200).await?;
    Ok(list.into_iter().map(PenaltyRow::from).collect())
}
