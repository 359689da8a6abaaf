//! Applying a decision: the one place a revision's moderation outcome is written, for
//! the automatic rules and for moderators alike.

use crate::auth::Actor;
use crate::util::{new_uuid, now_ms, parse_col};
use crate::{Error, Result, Tx, audit};
use domain::ErrorCode;
use domain::catalog::{ModerationAction, SkuStatus};
use domain::ids::{SellerId, UserId};
use domain::moderation::DecisionKind;
use serde::{Deserialize, Serialize};

/// A reason code with the field it concerns, as stored with the revision (the seller
/// sees both).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonRef {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// The revision a decision is about, read inside the deciding transaction.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct PendingRevision {
    pub id: String,
    pub sku_id: String,
    pub seller_id: String,
    pub created_at: i64,
    pub content: String,
    pub seller_sku: String,
    pub sku_status: String,
    pub latest_revision_id: Option<String>,
}

pub(crate) const PENDING_REVISION_SQL: &str = "SELECT r.id, r.sku_id, r.seller_id, r.created_at, r.content, \
     s.seller_sku, s.status AS sku_status, s.latest_revision_id \
     FROM sku_revisions r JOIN skus s ON s.id = r.sku_id WHERE r.id = $1 AND r.status = 'pending'";

/// Who decided.
pub(crate) struct Decider<'a> {
    pub actor: &'a Actor,
    pub moderator_id: Option<UserId>,
}

/// Writes the outcome of `rev`: the revision's status and reasons, the SKU's live
/// content and status, the queue, the decisions log and the audit log — all in `tx`.
pub(crate) async fn apply(
    tx: &mut Tx,
    rev: &PendingRevision,
    kind: DecisionKind,
    reasons: &[ReasonRef],
    comment: Option<&str>,
    flags_json: Option<&str>,
    who: &Decider<'_>,
) -> Result<()> {
    let now = now_ms();
    let approve = matches!(kind, DecisionKind::Approve | DecisionKind::AutoApprove);
    if !approve && !kind.rejects() {
        return Err(Error::Internal(format!(
            "{} is not a revision decision",
            kind.as_str()
        )));
    }
    let reasons_json = serde_json::to_string(reasons)
        .map_err(|e| Error::Internal(format!("cannot serialise reasons: {e}")))?;
    let decided_by = who
        .moderator_id
        .map(|u| u.to_string())
        .unwrap_or_else(|| "system".to_string());
    let n = sqlx::query(
        "UPDATE sku_revisions SET status = $2, decided_at = $3, decided_by = $4, decision_reasons = $5, \
         decision_comment = $6, decision_kind = $7, check_state = 'decided', \
         flags = COALESCE($8, flags), checked_at = COALESCE(checked_at, $3) \
         WHERE id = $1 AND status = 'pending'",
    )
    .bind(&rev.id)
    .bind(if approve { "approved" } else { "rejected" })
    .bind(now)
    .bind(&decided_by)
    .bind(&reasons_json)
    .bind(comment)
    .bind(kind.as_str())
    .bind(flags_json)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n != 1 {
        return Err(Error::rule(
            ErrorCode::Conflict,
            "This revision has already been decided or replaced by newer content",
        ));
    }
    let status: SkuStatus = parse_col("skus.status", &rev.sku_status)?;
    let is_latest = rev.latest_revision_id.as_deref() == Some(rev.id.as_str());
    let next_status = match status {
        // A blocked or archived SKU stays so; approved content just becomes what
        // would be live once it is back.
        SkuStatus::Blocked | SkuStatus::Archived => status,
        _ if !is_latest => status,
        _ => status
            .apply(if approve {
                ModerationAction::Approve
            } else {
                ModerationAction::Reject
            })
            .unwrap_or(status),
    };
    if approve {
        sqlx::query(
            "UPDATE skus SET live_revision_id = $2, status = $3, updated_at = $4 WHERE id = $1",
        )
        .bind(&rev.sku_id)
        .bind(&rev.id)
        .bind(next_status.as_str())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    } else if next_status != status {
        sqlx::query("UPDATE skus SET status = $2, updated_at = $3 WHERE id = $1")
            .bind(&rev.sku_id)
            .bind(next_status.as_str())
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("DELETE FROM moderation_queue WHERE revision_id = $1")
        .bind(&rev.id)
        .execute(&mut **tx)
        .await?;
    log_decision(tx, rev, kind, &reasons_json, comment, who, now).await?;
    let seller: SellerId = parse_col("skus.seller_id", &rev.seller_id)?;
    if !approve
        && reasons
            .iter()
            .any(|r| r.code == "poor_images" || r.code == "stolen_images")
    {
        remember_rejected_images(tx, rev, now).await?;
    }
    audit::record(
        tx,
        who.actor,
        &format!("moderation.{}", kind.as_str()),
        "sku",
        &rev.seller_sku,
        Some(seller),
        serde_json::json!({
            "revision": rev.id,
            "reasons": reasons,
            "comment": comment,
            "sku_status": next_status.as_str(),
        }),
    )
    .await?;
    Ok(())
}

/// Appends to the decisions log (dashboard and history).
pub(crate) async fn log_decision(
    tx: &mut Tx,
    rev: &PendingRevision,
    kind: DecisionKind,
    reasons_json: &str,
    comment: Option<&str>,
    who: &Decider<'_>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO moderation_decisions (id, revision_id, sku_id, seller_id, moderator_id, kind, reasons, comment, \
         submitted_at, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(new_uuid().to_string())
    .bind(&rev.id)
    .bind(&rev.sku_id)
    .bind(&rev.seller_id)
    .bind(who.moderator_id.map(|u| u.to_string()))
    .bind(kind.as_str())
    .bind(reasons_json)
    .bind(comment)
    .bind(rev.created_at)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Images of content rejected for its images count as "rejected before": the same
/// picture uploaded again (by anyone) is flagged.
async fn remember_rejected_images(tx: &mut Tx, rev: &PendingRevision, now: i64) -> Result<()> {
    let content: domain::catalog::SkuContent = serde_json::from_str(&rev.content)
        .map_err(|e| Error::Internal(format!("bad stored content of revision {}: {e}", rev.id)))?;
    for url in content.images() {
        sqlx::query(
            "UPDATE images SET moderator_rejected_at = $3 WHERE seller_id = $1 AND url = $2 \
             AND moderator_rejected_at IS NULL",
        )
        .bind(&rev.seller_id)
        .bind(url.as_str())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
