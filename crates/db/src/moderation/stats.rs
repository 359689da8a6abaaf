//! The moderation dashboard's figures and the decisions log.

use super::decide::ReasonRef;
use crate::auth::{AdminCtx, ModeratorCtx};
use crate::util::now_ms;
use crate::{Db, Result};
use domain::moderation::view::{DecisionEntry, ModerationStats, ModeratorDay, PriorityCount};
use domain::moderation::{DecisionKind, Priority, RulesConfig};

const DAY_MS: i64 = 86_400_000;

/// Queue size by priority, waiting-time percentiles, SLA breaches, decisions per
/// moderator per day and the automatic rates, over the last 7 days.
pub async fn stats(db: &Db, _ctx: &ModeratorCtx, config: &RulesConfig) -> Result<ModerationStats> {
    let now = now_ms();
    let by: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT priority, COUNT(*) FROM moderation_queue GROUP BY priority ORDER BY priority",
    )
    .fetch_all(db.pool())
    .await?;
    let queue_total: i64 = by.iter().map(|(_, n)| n).sum();
    let by_priority = Priority::ALL
        .into_iter()
        .map(|p| PriorityCount {
            priority: p,
            count: by
                .iter()
                .filter(|(r, _)| Priority::from_rank(*r) == p)
                .map(|(_, n)| n)
                .sum(),
        })
        .collect();
    let (awaiting_checks,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM sku_revisions WHERE check_state IN ('unchecked', 'awaiting_images') AND check_after >= 0",
    )
    .fetch_one(db.pool())
    .await?;
    // The k-th oldest submission (index on submitted_at).
    let nth_oldest = |k: i64| async move {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT submitted_at FROM moderation_queue ORDER BY submitted_at LIMIT 1 OFFSET $1",
        )
        .bind(k)
        .fetch_optional(db.pool())
        .await?;
        Ok::<_, crate::Error>(row.map(|(t,)| (now - t).max(0)).unwrap_or(0))
    };
    let (age_p50_ms, age_p95_ms) = if queue_total == 0 {
        (0, 0)
    } else {
        (
            nth_oldest(queue_total / 2).await?,
            nth_oldest(queue_total * 5 / 100).await?,
        )
    };
    let (sla_breaches,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM moderation_queue WHERE submitted_at < $1")
            .bind(now - config.sla_hours * 3_600_000)
            .fetch_one(db.pool())
            .await?;
    let (leased,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM moderation_queue WHERE lease_owner IS NOT NULL AND lease_until >= $1",
    )
    .bind(now)
    .fetch_one(db.pool())
    .await?;
    let since = now - 7 * DAY_MS;
    let per: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT COALESCE(u.display_name, d.moderator_id), d.decided_at / 86400000 AS day, COUNT(*) \
         FROM moderation_decisions d LEFT JOIN users u ON u.id = d.moderator_id \
         WHERE d.decided_at >= $1 AND d.moderator_id IS NOT NULL \
         GROUP BY COALESCE(u.display_name, d.moderator_id), d.decided_at / 86400000 ORDER BY day DESC, 1",
    )
    .bind(since)
    .fetch_all(db.pool())
    .await?;
    let kinds: Vec<(String, i64)> = sqlx::query_as(
        "SELECT kind, COUNT(*) FROM moderation_decisions WHERE decided_at >= $1 GROUP BY kind",
    )
    .bind(since)
    .fetch_all(db.pool())
    .await?;
    let kind = |k: &str| {
        kinds
            .iter()
            .filter(|(x, _)| x == k)
            .map(|(_, n)| *n)
            .sum::<i64>()
    };
    Ok(ModerationStats {
        queue_total,
        by_priority,
        awaiting_checks,
        age_p50_ms,
        age_p95_ms,
        sla_hours: config.sla_hours,
        sla_breaches,
        leased,
        per_moderator: per
            .into_iter()
            .map(|(moderator, day, decisions)| ModeratorDay {
                day: day_string(day),
                moderator,
                decisions,
            })
            .collect(),
        decisions_7d: [
            "approve",
            "reject",
            "request_changes",
            "auto_approve",
            "auto_reject",
        ]
        .iter()
        .map(|k| kind(k))
        .sum(),
        auto_approved_7d: kind("auto_approve"),
        auto_rejected_7d: kind("auto_reject"),
        rejected_7d: kind("reject") + kind("request_changes"),
    })
}

/// `YYYY-MM-DD` of a day number since the epoch.
fn day_string(day: i64) -> String {
    chrono::DateTime::from_timestamp(day * 86_400, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// The newest decisions, automatic and human (admins read the full trail in the
/// audit log too).
pub async fn recent_decisions(db: &Db, _ctx: &AdminCtx, limit: i64) -> Result<Vec<DecisionEntry>> {
    decisions(db, limit).await
}

/// The same list for moderators.
pub async fn recent_decisions_for_moderator(
    db: &Db,
    _ctx: &ModeratorCtx,
    limit: i64,
) -> Result<Vec<DecisionEntry>> {
    decisions(db, limit).await
}

async fn decisions(db: &Db, limit: i64) -> Result<Vec<DecisionEntry>> {
    type Row = (
        i64,
        String,
        String,
        String,
        Option<String>,
        String,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT d.decided_at, d.kind, se.name, s.seller_sku, u.display_name, d.reasons, d.comment \
         FROM moderation_decisions d JOIN skus s ON s.id = d.sku_id JOIN sellers se ON se.id = d.seller_id \
         LEFT JOIN users u ON u.id = d.moderator_id ORDER BY d.decided_at DESC LIMIT $1",
    )
    .bind(limit.clamp(1, 500))
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(
            |(at, kind, seller_name, seller_sku, moderator, reasons, comment)| {
                Some(DecisionEntry {
                    decided_at_ms: at,
                    kind: DecisionKind::parse(&kind)?,
                    seller_name,
                    seller_sku,
                    moderator,
                    reasons: serde_json::from_str::<Vec<ReasonRef>>(&reasons)
                        .map(|r| r.into_iter().map(|r| r.code).collect())
                        .unwrap_or_default(),
                    comment,
                })
            },
        )
        .collect())
}
