//! The append-only audit log. Rows are written in the same transaction as the change
//! they describe, so the log can never claim something that did not happen.

use crate::auth::{Actor, AdminCtx};
use crate::util::{like_contains, new_uuid, now_ms};
use crate::{Db, Result, Tx};
use domain::audit::{AuditEntry, AuditFilter};
use domain::ids::SellerId;

/// Appends one audit row inside `tx`.
pub async fn record(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    subject_kind: &str,
    subject_id: &str,
    seller_id: Option<SellerId>,
    details: serde_json::Value,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor_kind, actor_id, actor_label, action, subject_kind, subject_id, seller_id, details) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(new_uuid().to_string())
    .bind(now_ms())
    .bind(actor.kind.as_str())
    .bind(actor.id.as_deref())
    .bind(&actor.label)
    .bind(action)
    .bind(subject_kind)
    .bind(subject_id)
    .bind(seller_id.map(|s| s.to_string()))
    .bind(details.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The newest audit entries matching `filter` (admins only).
pub async fn list(db: &Db, _ctx: &AdminCtx, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
    let limit = filter.limit.unwrap_or(100).clamp(1, 500);
    let prefix = filter
        .action_prefix
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let mut like = like_contains(p.trim());
            like.remove(0);
            like
        });
    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT id, at, actor_kind, actor_label, action, subject_kind, subject_id, seller_id, details \
         FROM audit_log \
         WHERE ($1 IS NULL OR action LIKE $1 ESCAPE '\\') \
           AND ($2 IS NULL OR subject_id = $2) \
           AND ($3 IS NULL OR at < $3) \
         ORDER BY at DESC, id DESC LIMIT $4",
    )
    .bind(prefix)
    .bind(filter.subject_id.as_deref().filter(|s| !s.is_empty()))
    .bind(filter.before_ms)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AuditEntry {
            id: r.id,
            at_ms: r.at,
            actor_kind: r.actor_kind,
            actor_label: r.actor_label,
            action: r.action,
            subject_kind: r.subject_kind,
            subject_id: r.subject_id,
            seller_id: r.seller_id,
            details: r.details,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: String,
    at: i64,
    actor_kind: String,
    actor_label: String,
    action: String,
    subject_kind: String,
    subject_id: String,
    seller_id: Option<String>,
    details: String,
}
