use crate::error::AppError;
use domain::accounts::SellerView;
use leptos::prelude::*;

/// Finance staff: up to 20 sellers whose name or INN matches `query` (all sellers,
/// newest first, when it is empty), to pick one in the penalty and settings forms.
#[server(prefix = "/rpc", endpoint = "finance_find_sellers")]
pub async fn find_sellers(query: String) -> Result<Vec<SellerView>, AppError> {
    use crate::ssr;
    let ctx = ssr::finance().await?;
    Ok(db::accounts::find_sellers_for_finance(&ssr::db()?, &ctx, query.trim(), 20).await?)
}
