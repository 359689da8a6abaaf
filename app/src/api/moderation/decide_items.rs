use crate::error::AppError;
use domain::moderation::DecisionKind;
use domain::moderation::view::BulkResult;
use leptos::prelude::*;

/// Approves, rejects or requests changes on one or more held items; each item
/// succeeds or fails on its own. Rejections carry reason codes from the managed list.
#[server(prefix = "/rpc", endpoint = "moderation_decide")]
pub async fn decide_items(
    ids: Vec<String>,
    kind: DecisionKind,
    #[server(default)] reasons: Vec<String>,
    #[server(default)] comment: String,
) -> Result<Vec<BulkResult>, AppError> {
    use crate::ssr;
    use db::moderation::ReasonRef;
    use db::moderation::queue::{HumanDecision, decide_many};
    let ctx = ssr::moderator().await?;
    let decision = HumanDecision {
        kind,
        reasons: reasons
            .into_iter()
            .map(|code| ReasonRef { code, field: None })
            .collect(),
        comment: Some(comment),
    };
    let l = ssr::request_locale();
    Ok(decide_many(&ssr::db()?, &ctx, &ids, &decision, l).await?)
}
