//! The human queue: claiming with leases, the item view, decisions, blocking.

use super::decide::{self, Decider, PENDING_REVISION_SQL, PendingRevision, ReasonRef};
use crate::auth::ModeratorCtx;
use crate::catalog::categories::load_index;
use crate::util::{now_ms, parse_col};
use crate::{Db, Error, Result, audit};
use domain::catalog::{ModerationAction, SkuContent, SkuStatus};
use domain::moderation::checks::DuplicateKind;
use domain::moderation::diff::diff;
use domain::moderation::view::{ImageStatus, ItemDetail, PastDecision, QueueItem, SellerHistory};
use domain::moderation::{DecisionKind, Flag, Priority};
use domain::{ErrorCode, Locale};
use serde::{Deserialize, Serialize};

/// How long a claimed item stays with its moderator.
pub const LEASE_MS: i64 = 15 * 60 * 1000;
/// The most items one moderator may hold at once.
pub const MAX_HELD: i64 = 100;

/// Claims up to `n` more items, oldest first within priority, skipping items other
/// moderators hold. Two moderators claiming at the same moment never get the same
/// item (SQLite: one writer at a time; PostgreSQL: `FOR UPDATE SKIP LOCKED` and a
/// lease check in the update). Returns everything the caller now holds.
pub async fn claim(db: &Db, ctx: &ModeratorCtx, n: i64) -> Result<Vec<QueueItem>> {
    claim_with_lease(db, ctx, n, LEASE_MS).await
}

/// [`claim`] with an explicit lease length (tests use short ones).
pub async fn claim_with_lease(
    db: &Db,
    ctx: &ModeratorCtx,
    n: i64,
    lease_ms: i64,
) -> Result<Vec<QueueItem>> {
    claim_ids(db, ctx, n, lease_ms).await?;
    held(db, ctx).await
}

/// The claim itself: the ids newly leased to the caller.
pub async fn claim_ids(db: &Db, ctx: &ModeratorCtx, n: i64, lease_ms: i64) -> Result<Vec<String>> {
    let me = ctx.user_id().to_string();
    let now = now_ms();
    let mut tx = db.begin().await?;
    let (holding,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM moderation_queue WHERE lease_owner = $1 AND lease_until >= $2",
    )
    .bind(&me)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let want = n.clamp(0, (MAX_HELD - holding).max(0));
    if want == 0 {
        tx.commit().await?;
        return Ok(Vec::new());
    }
    // One statement: pick the front of the queue past live leases and lease it.
    let sql = format!(
        "UPDATE moderation_queue SET lease_owner = $1, lease_until = $2 \
         WHERE lease_until < $3 AND revision_id IN (SELECT revision_id FROM moderation_queue \
         WHERE lease_until < $3 ORDER BY priority, submitted_at, revision_id LIMIT $4{}) \
         RETURNING revision_id",
        db.engine().for_update_skip_locked()
    );
    let mut claimed: Vec<String> = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(sql))
        .bind(&me)
        .bind(now + lease_ms)
        .bind(now)
        .bind(want)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|(id,)| id)
        .collect();
    tx.commit().await?;
    claimed.sort_unstable();
    Ok(claimed)
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    revision_id: String,
    seller_id: String,
    seller_name: String,
    seller_sku: String,
    title: String,
    category_code: String,
    priority: i64,
    submitted_at: i64,
    lease_until: i64,
    flags: Option<String>,
    rev_status: String,
}

const ITEM_SELECT: &str = "SELECT q.revision_id, q.seller_id, se.name AS seller_name, s.seller_sku, s.title, \
     s.category_code, q.priority, q.submitted_at, q.lease_until, r.flags, r.status AS rev_status \
     FROM moderation_queue q JOIN sku_revisions r ON r.id = q.revision_id JOIN skus s ON s.id = q.sku_id \
     JOIN sellers se ON se.id = q.seller_id";

fn flags_of(json: Option<&str>) -> Vec<Flag> {
    json.and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default()
}

impl ItemRow {
    fn item(self) -> Result<QueueItem> {
        Ok(QueueItem {
            seller_id: parse_col("moderation_queue.seller_id", &self.seller_id)?,
            flags: flags_of(self.flags.as_deref()),
            revision_id: self.revision_id,
            seller_name: self.seller_name,
            seller_sku: self.seller_sku,
            title: self.title,
            category: self.category_code,
            priority: Priority::from_rank(self.priority),
            submitted_at_ms: self.submitted_at,
            lease_until_ms: self.lease_until,
        })
    }
}

/// The items the caller holds now, in queue order. Items whose revision was replaced
/// meanwhile leave the queue here.
pub async fn held(db: &Db, ctx: &ModeratorCtx) -> Result<Vec<QueueItem>> {
    let rows: Vec<ItemRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{ITEM_SELECT} WHERE q.lease_owner = $1 AND q.lease_until >= $2 \
         ORDER BY q.priority, q.submitted_at, q.revision_id"
    )))
    .bind(ctx.user_id().to_string())
    .bind(now_ms())
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    let mut stale = Vec::new();
    for row in rows {
        if row.rev_status == "pending" {
            out.push(row.item()?);
        } else {
            stale.push(row.revision_id);
        }
    }
    if !stale.is_empty() {
        let mut tx = db.begin().await?;
        for id in stale {
            sqlx::query("DELETE FROM moderation_queue WHERE revision_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    }
    Ok(out)
}

/// Gives items back to the queue (none given: all the caller holds).
pub async fn release(db: &Db, ctx: &ModeratorCtx, revision_ids: &[String]) -> Result<u64> {
    let me = ctx.user_id().to_string();
    let mut tx = db.begin().await?;
    let mut n = 0;
    if revision_ids.is_empty() {
        n = sqlx::query(
            "UPDATE moderation_queue SET lease_owner = NULL, lease_until = 0 WHERE lease_owner = $1",
        )
        .bind(&me)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    for id in revision_ids {
        n += sqlx::query(
            "UPDATE moderation_queue SET lease_owner = NULL, lease_until = 0 WHERE revision_id = $1 AND lease_owner = $2",
        )
        .bind(id)
        .bind(&me)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    tx.commit().await?;
    Ok(n)
}

/// One revision with everything needed to decide: the diff against live content,
/// images, flags and the seller's history. Any queued revision can be viewed;
/// deciding needs a claim.
pub async fn item(
    db: &Db,
    _ctx: &ModeratorCtx,
    revision_id: &str,
    l: Locale,
) -> Result<ItemDetail> {
    let row: ItemRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{ITEM_SELECT} WHERE q.revision_id = $1"
    )))
    .bind(revision_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(Error::NotFound("queue item"))?;
    let (number, content, sku_status, live_id, price_minor, currency): (
        i64,
        String,
        String,
        Option<String>,
        i64,
        String,
    ) = sqlx::query_as(
        "SELECT r.number, r.content, s.status, s.live_revision_id, s.price_minor, s.currency \
             FROM sku_revisions r JOIN skus s ON s.id = r.sku_id WHERE r.id = $1",
    )
    .bind(revision_id)
    .fetch_one(db.pool())
    .await?;
    let content: SkuContent = parse_content(revision_id, &content)?;
    let live = match live_id {
        Some(id) => {
            let (c,): (String,) = sqlx::query_as("SELECT content FROM sku_revisions WHERE id = $1")
                .bind(&id)
                .fetch_one(db.pool())
                .await?;
            Some(parse_content(&id, &c)?)
        }
        None => None,
    };
    // A listing never approved is compared with its last rejected content, so a
    // resubmission shows what the seller fixed.
    let rejected_before = match &live {
        Some(_) => None,
        None => {
            let row: Option<(String, String)> = sqlx::query_as(
                "SELECT id, content FROM sku_revisions WHERE sku_id = (SELECT sku_id FROM sku_revisions WHERE id = $1) \
                 AND number < $2 AND status = 'rejected' ORDER BY number DESC LIMIT 1",
            )
            .bind(revision_id)
            .bind(number)
            .fetch_optional(db.pool())
            .await?;
            row.map(|(id, c)| parse_content(&id, &c)).transpose()?
        }
    };
    let (changes, image_changes) = diff(live.as_ref().or(rejected_before.as_ref()), &content);
    let urls: Vec<String> = content
        .images()
        .iter()
        .map(|u| u.as_str().to_string())
        .collect();
    let mut conn = db.pool().acquire().await?;
    let images = image_statuses(&mut conn, &row.seller_id, &urls).await?;
    drop(conn);
    let index = load_index(db).await?;
    let category_path = index
        .get(content.category().as_str())
        .map(|c| c.path(l).to_string())
        .unwrap_or_else(|| content.category().as_str().to_string());
    let history = seller_history(db, &row.seller_id).await?;
    Ok(ItemDetail {
        item: row.item()?,
        sku_status: parse_col("skus.status", &sku_status)?,
        revision_number: number,
        content,
        live,
        changes,
        against_rejected: rejected_before.is_some(),
        image_changes,
        images,
        category_path,
        price_minor,
        currency,
        history,
    })
}

fn parse_content(id: &str, json: &str) -> Result<SkuContent> {
    serde_json::from_str(json)
        .map_err(|e| Error::Internal(format!("bad stored content of revision {id}: {e}")))
}

/// Each image URL's processing state, for moderators and for the seller's SKU page.
pub async fn image_statuses(
    conn: &mut sqlx::AnyConnection,
    seller_id: &str,
    urls: &[String],
) -> Result<Vec<ImageStatus>> {
    let mut out = Vec::with_capacity(urls.len());
    for url in urls {
        type Row = (
            String,
            String,
            Option<i64>,
            Option<i64>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<i64>,
        );
        let row: Option<Row> = sqlx::query_as(
            "SELECT id, status, width, height, error_message_ru, error_message_en, duplicate_kind, moderator_rejected_at \
             FROM images WHERE seller_id = $1 AND url = $2",
        )
        .bind(seller_id)
        .bind(url)
        .fetch_optional(&mut *conn)
        .await?;
        out.push(match row {
            Some((id, status, w, h, ru, en, dup, rejected)) => ImageStatus {
                url: url.clone(),
                thumb_url: (status == "ready").then(|| format!("/media/{id}/thumb.jpg")),
                status: if rejected.is_some() {
                    "rejected".into()
                } else {
                    status
                },
                width: w.and_then(|v| u32::try_from(v).ok()),
                height: h.and_then(|v| u32::try_from(v).ok()),
                problem_ru: ru,
                problem_en: en,
                duplicate: dup.as_deref().and_then(DuplicateKind::parse),
            },
            None => ImageStatus {
                url: url.clone(),
                thumb_url: None,
                status: "pending".into(),
                width: None,
                height: None,
                problem_ru: None,
                problem_en: None,
                duplicate: None,
            },
        });
    }
    Ok(out)
}

async fn seller_history(db: &Db, seller_id: &str) -> Result<SellerHistory> {
    let (status,): (String,) = sqlx::query_as("SELECT status FROM sellers WHERE id = $1")
        .bind(seller_id)
        .fetch_one(db.pool())
        .await?;
    let counts: Vec<(String, i64)> = sqlx::query_as(
        "SELECT kind, COUNT(*) FROM moderation_decisions WHERE seller_id = $1 GROUP BY kind",
    )
    .bind(seller_id)
    .fetch_all(db.pool())
    .await?;
    let count = |kinds: &[&str]| -> i64 {
        counts
            .iter()
            .filter(|(k, _)| kinds.contains(&k.as_str()))
            .map(|(_, n)| *n)
            .sum()
    };
    let recent: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT s.seller_sku, d.kind, d.reasons, d.decided_at FROM moderation_decisions d \
         JOIN skus s ON s.id = d.sku_id WHERE d.seller_id = $1 \
         AND d.kind IN ('reject', 'request_changes', 'auto_reject', 'block') \
         ORDER BY d.decided_at DESC LIMIT 5",
    )
    .bind(seller_id)
    .fetch_all(db.pool())
    .await?;
    Ok(SellerHistory {
        verified: status == "active",
        approved: count(&["approve", "auto_approve"]),
        rejected: count(&["reject", "request_changes", "auto_reject"]),
        recent: recent
            .into_iter()
            .filter_map(|(seller_sku, kind, reasons, at)| {
                Some(PastDecision {
                    seller_sku,
                    kind: DecisionKind::parse(&kind)?,
                    reasons: serde_json::from_str::<Vec<ReasonRef>>(&reasons)
                        .map(|r| r.into_iter().map(|r| r.code).collect())
                        .unwrap_or_default(),
                    decided_at_ms: at,
                })
            })
            .collect(),
    })
}

/// A moderator's decision on one claimed revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HumanDecision {
    /// approve, reject or request_changes.
    pub kind: DecisionKind,
    pub reasons: Vec<ReasonRef>,
    pub comment: Option<String>,
}

/// Applies `decision` to a revision the caller holds. Rejections need at least one
/// known reason; the fields concerned default to the reasons' own fields.
pub async fn decide(
    db: &Db,
    ctx: &ModeratorCtx,
    revision_id: &str,
    decision: &HumanDecision,
    l: Locale,
) -> Result<()> {
    if !matches!(
        decision.kind,
        DecisionKind::Approve | DecisionKind::Reject | DecisionKind::RequestChanges
    ) {
        return Err(Error::field(
            "kind",
            "invalid",
            l.pick("Неизвестное решение", "Unknown decision"),
        ));
    }
    let comment = decision
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if comment.is_some_and(|c| c.chars().count() > 2000) {
        return Err(Error::field(
            "comment",
            "too_long",
            l.pick(
                "Комментарий длиннее 2000 символов",
                "The comment is longer than 2000 characters",
            ),
        ));
    }
    let mut reasons = Vec::new();
    if decision.kind.rejects() {
        let known = super::lists::list_reasons(db, false).await?;
        if decision.reasons.is_empty() {
            return Err(Error::field(
                "reasons",
                "required",
                l.pick("Выберите хотя бы одну причину", "Pick at least one reason"),
            ));
        }
        for r in &decision.reasons {
            let Some(k) = known.iter().find(|k| k.code == r.code) else {
                return Err(Error::field(
                    "reasons",
                    "unknown",
                    format!(
                        "{}: {}",
                        l.pick("Неизвестная причина", "Unknown reason"),
                        r.code
                    ),
                ));
            };
            reasons.push(ReasonRef {
                code: r.code.clone(),
                field: r
                    .field
                    .clone()
                    .filter(|f| !f.is_empty())
                    .or_else(|| k.field.clone()),
            });
        }
    }
    let me = ctx.user_id().to_string();
    let now = now_ms();
    let mut tx = db.begin().await?;
    let held: Option<(Option<String>, i64)> = sqlx::query_as(
        "SELECT lease_owner, lease_until FROM moderation_queue WHERE revision_id = $1",
    )
    .bind(revision_id)
    .fetch_optional(&mut *tx)
    .await?;
    match held {
        None => return Err(Error::NotFound("queue item")),
        Some((Some(owner), until)) if owner == me && until >= now => {}
        Some(_) => {
            return Err(Error::rule(
                ErrorCode::Conflict,
                l.pick(
                    "Это задание сейчас не за вами (срок истёк или его взял другой модератор). Возьмите задания заново.",
                    "You do not hold this item (your claim expired or another moderator has it). Claim again.",
                ),
            ));
        }
    }
    let rev: PendingRevision = sqlx::query_as(PENDING_REVISION_SQL)
        .bind(revision_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| {
            Error::rule(
                ErrorCode::Conflict,
                l.pick(
                    "Продавец уже заменил эту версию",
                    "The seller has replaced this revision meanwhile",
                ),
            )
        })?;
    let who = Decider {
        actor: ctx.actor(),
        moderator_id: Some(ctx.user_id()),
    };
    decide::apply(&mut tx, &rev, decision.kind, &reasons, comment, None, &who).await?;
    tx.commit().await?;
    Ok(())
}

pub use domain::moderation::view::{BulkResult, SkuHit};

/// The same decision on several held items; each succeeds or fails on its own.
pub async fn decide_many(
    db: &Db,
    ctx: &ModeratorCtx,
    revision_ids: &[String],
    decision: &HumanDecision,
    l: Locale,
) -> Result<Vec<BulkResult>> {
    let mut out = Vec::with_capacity(revision_ids.len());
    for id in revision_ids {
        match decide(db, ctx, id, decision, l).await {
            Ok(()) => out.push(BulkResult {
                revision_id: id.clone(),
                ok: true,
                error: None,
            }),
            Err(e @ (Error::Validation(_) | Error::Rule { .. } | Error::NotFound(_))) => {
                if let Error::Validation(_) = e {
                    return Err(e);
                }
                out.push(BulkResult {
                    revision_id: id.clone(),
                    ok: false,
                    error: Some(e.to_string()),
                })
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// SKUs of any seller by code or title (moderators block listings from here).
pub async fn find_skus(db: &Db, _ctx: &ModeratorCtx, q: &str) -> Result<Vec<SkuHit>> {
    let needle = crate::util::search_needle(q);
    if needle.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT s.id, se.name, s.seller_sku, s.title, s.status FROM skus s JOIN sellers se ON se.id = s.seller_id \
         WHERE s.search_text LIKE $1 ORDER BY s.updated_at DESC LIMIT 50",
    )
    .bind(crate::util::like_contains(&needle))
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(sku_id, seller_name, seller_sku, title, status)| {
            Ok(SkuHit {
                sku_id,
                seller_name,
                seller_sku,
                title,
                status: parse_col("skus.status", &status)?,
            })
        })
        .collect()
}

/// seller, seller_sku, status, live and latest revision of a SKU.
type BlockRow = (String, String, String, Option<String>, Option<String>);

/// Takes a SKU off sale (or puts it back) with a reason; the seller sees why.
pub async fn set_blocked(
    db: &Db,
    ctx: &ModeratorCtx,
    sku_id: &str,
    block: bool,
    reasons: &[ReasonRef],
    comment: Option<&str>,
    l: Locale,
) -> Result<SkuStatus> {
    if block && reasons.is_empty() {
        return Err(Error::field(
            "reasons",
            "required",
            l.pick("Укажите причину блокировки", "Give the reason for blocking"),
        ));
    }
    let mut tx = db.begin().await?;
    let sql = format!(
        "SELECT seller_id, seller_sku, status, live_revision_id, latest_revision_id FROM skus WHERE id = $1{}",
        db.engine().for_update()
    );
    let row: Option<BlockRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(sku_id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some((seller_id, seller_sku, status, live, latest)) = row else {
        return Err(Error::NotFound("SKU"));
    };
    let status: SkuStatus = parse_col("skus.status", &status)?;
    let next = if block {
        status
            .apply(ModerationAction::Block)
            .map_err(|e| Error::rule(ErrorCode::InvalidStateTransition, e.to_string()))?
    } else {
        if status != SkuStatus::Blocked {
            return Err(Error::rule(
                ErrorCode::InvalidStateTransition,
                l.pick("Товар не заблокирован", "The SKU is not blocked"),
            ));
        }
        let latest_pending = match &latest {
            Some(id) => {
                let (s,): (String,) =
                    sqlx::query_as("SELECT status FROM sku_revisions WHERE id = $1")
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?;
                s == "pending"
            }
            None => false,
        };
        if live.is_some() {
            SkuStatus::Active
        } else if latest_pending {
            SkuStatus::PendingModeration
        } else {
            SkuStatus::Rejected
        }
    };
    let now = now_ms();
    sqlx::query("UPDATE skus SET status = $2, updated_at = $3 WHERE id = $1")
        .bind(sku_id)
        .bind(next.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let kind = if block {
        DecisionKind::Block
    } else {
        DecisionKind::Unblock
    };
    let reasons_json =
        serde_json::to_string(reasons).map_err(|e| Error::Internal(e.to_string()))?;
    let revision = live.or(latest).unwrap_or_default();
    sqlx::query(
        "INSERT INTO moderation_decisions (id, revision_id, sku_id, seller_id, moderator_id, kind, reasons, comment, \
         submitted_at, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(crate::util::new_uuid().to_string())
    .bind(&revision)
    .bind(sku_id)
    .bind(&seller_id)
    .bind(ctx.user_id().to_string())
    .bind(kind.as_str())
    .bind(&reasons_json)
    .bind(comment)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if block {
        // The seller reads the block reason where rejections show: on the revision
        // buyers saw.
        sqlx::query(
            "UPDATE sku_revisions SET decision_reasons = $2, decision_comment = $3 WHERE id = $1 AND status <> 'pending'",
        )
        .bind(&revision)
        .bind(&reasons_json)
        .bind(comment)
        .execute(&mut *tx)
        .await?;
    }
    let seller = parse_col("skus.seller_id", &seller_id)?;
    audit::record(
        &mut tx,
        ctx.actor(),
        &format!("moderation.{}", kind.as_str()),
        "sku",
        &seller_sku,
        Some(seller),
        serde_json::json!({ "reasons": reasons, "comment": comment, "sku_status": next.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(next)
}
