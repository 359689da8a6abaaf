use crate::error::AppError;
use domain::catalog::SkuStatus;
use leptos::prelude::*;

/// Blocks a SKU with a reason, or unblocks it.
#[server(prefix = "/rpc", endpoint = "moderation_block_sku")]
pub async fn block_sku(
    sku_id: String,
    block: bool,
    #[server(default)] reasons: Vec<String>,
    #[server(default)] comment: String,
) -> Result<SkuStatus, AppError> {
    use crate::ssr;
    use db::moderation::ReasonRef;
    let ctx = ssr::moderator().await?;
    let reasons: Vec<ReasonRef> = reasons
        .into_iter()
        .map(|code| ReasonRef { code, field: None })
        .collect();
    let comment = Some(comment.trim()).filter(|c| !c.is_empty());
    let l = ssr::request_locale();
    Ok(
        db::moderation::queue::set_blocked(&ssr::db()?, &ctx, &sku_id, block, &reasons, comment, l)
            .await?,
    )
}
