use crate::error::AppError;
use domain::moderation::view::SkuHit;
use leptos::prelude::*;

/// SKUs of any seller by code or title, for blocking.
#[server(prefix = "/rpc", endpoint = "moderation_find_skus")]
pub async fn find_skus(q: String) -> Result<Vec<SkuHit>, AppError> {
    use crate::ssr;
    let ctx = ssr::moderator().await?;
    Ok(db::moderation::queue::find_skus(&ssr::db()?, &ctx, &q).await?)
}
