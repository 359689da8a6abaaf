//! The checks worker: every new revision passes the automatic checks, then is
//! rejected, approved or queued for a human by the rules.

use super::decide::{self, Decider, PENDING_REVISION_SQL, PendingRevision, ReasonRef};
use super::lists::banned_phrases;
use crate::auth::Actor;
use crate::catalog::categories::load_index;
use crate::util::now_ms;
use crate::{Db, Error, Result, Tx};
use domain::catalog::SkuContent;
use domain::moderation::checks::{self, CheckInput, DuplicateKind, ImageFacts};
use domain::moderation::{
    DecisionKind, Flag, Outcome, RulesConfig, SellerStanding, Submission, decide as rules,
};
use std::collections::HashMap;

/// How long a revision waits for its images before the checks go on without them.
pub const IMAGE_WAIT_MS: i64 = 10 * 60 * 1000;
/// How often a revision waiting for images is looked at again.
const IMAGE_RECHECK_MS: i64 = 5_000;
/// Revisions checked per transaction.
const BATCH: i64 = 200;
/// How often category medians are recomputed.
const MEDIAN_MAX_AGE_MS: i64 = 10 * 60 * 1000;

#[derive(sqlx::FromRow)]
struct DueRow {
    id: String,
    sku_id: String,
    seller_id: String,
    number: i64,
    status: String,
    content: String,
    source: String,
    created_at: i64,
}

/// What happened in one pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassCounts {
    pub queued: u64,
    pub auto_approved: u64,
    pub auto_rejected: u64,
    pub waiting_for_images: u64,
    pub skipped: u64,
}

impl PassCounts {
    pub fn total(&self) -> u64 {
        self.queued
            + self.auto_approved
            + self.auto_rejected
            + self.waiting_for_images
            + self.skipped
    }
}

/// Checks up to one batch of due revisions. Safe to run on several instances at once:
/// each revision's outcome is written only if it is still unchecked.
pub async fn run_pass(db: &Db, config: &RulesConfig) -> Result<PassCounts> {
    let now = now_ms();
    let due: Vec<DueRow> = sqlx::query_as(
        "SELECT id, sku_id, seller_id, number, status, content, source, created_at FROM sku_revisions \
         WHERE check_state IN ('unchecked', 'awaiting_images') AND check_after <= $1 \
         ORDER BY check_after LIMIT $2",
    )
    .bind(now)
    .bind(BATCH)
    .fetch_all(db.pool())
    .await?;
    let mut counts = PassCounts::default();
    if due.is_empty() {
        return Ok(counts);
    }
    refresh_medians(db, now).await?;
    let index = load_index(db).await?;
    let banned = banned_phrases(db).await?;
    let categories = category_rules(db).await?;
    let medians = medians(db).await?;
    let mut standings: HashMap<String, SellerStanding> = HashMap::new();
    let mut tx = db.begin().await?;
    for row in due {
        if row.status != "pending" {
            // Superseded (or decided some other way) before its turn.
            mark(&mut tx, &row.id, "decided", None, 0, now).await?;
            counts.skipped += 1;
            continue;
        }
        let content: SkuContent = serde_json::from_str(&row.content).map_err(|e| {
            Error::Internal(format!("bad stored content of revision {}: {e}", row.id))
        })?;
        let urls: Vec<String> = content
            .images()
            .iter()
            .map(|u| u.as_str().to_string())
            .collect();
        let images = image_facts(&mut tx, &row.seller_id, &urls).await?;
        if checks::images_pending(&images) && now - row.created_at < IMAGE_WAIT_MS {
            let seller = crate::util::parse_col("sku_revisions.seller_id", &row.seller_id)?;
            crate::images::ensure_url_images_in(&mut tx, seller, &urls).await?;
            mark(
                &mut tx,
                &row.id,
                "awaiting_images",
                None,
                now + IMAGE_RECHECK_MS,
                now,
            )
            .await?;
            counts.waiting_for_images += 1;
            continue;
        }
        let standing = match standings.get(&row.seller_id) {
            Some(s) => *s,
            None => {
                let s = seller_standing(&mut tx, &row.seller_id, config, now).await?;
                standings.insert(row.seller_id.clone(), s);
                s
            }
        };
        let (price_minor, currency, sku_status): (i64, String, String) =
            sqlx::query_as("SELECT price_minor, currency, status FROM skus WHERE id = $1")
                .bind(&row.sku_id)
                .fetch_one(&mut *tx)
                .await?;
        if sku_status == "draft" {
            // Not sent to moderation: the next save makes a new revision that is.
            mark(&mut tx, &row.id, "draft", None, 0, now).await?;
            counts.skipped += 1;
            continue;
        }
        let code = content.category().as_str();
        // A rule set on a category applies to its subcategories too.
        let mut rule = CategoryRule::default();
        let mut at = index.get(code);
        while let Some(c) = at {
            if let Some(r) = categories.get(c.code().as_str()) {
                rule.restricted |= r.restricted;
                rule.image_min_side = rule.image_min_side.or(r.image_min_side);
            }
            at = c.parent();
        }
        let median = medians
            .get(code)
            .filter(|(cur, _, n)| *cur == currency && *n >= config.price_min_sample)
            .map(|(_, m, _)| *m);
        let input = CheckInput {
            content: &content,
            category: index.get(code),
            category_restricted: rule.restricted,
            category_image_min_side: rule.image_min_side,
            seller_verified: standing.verified,
            price_minor,
            median_minor: median,
            images: &images,
            banned: &banned,
        };
        let flags = checks::run(&input, config);
        let submission = Submission {
            resubmission: previous_was_rejected(&mut tx, &row.sku_id, row.number).await?,
            bulk: row.source.starts_with("import:"),
        };
        let flags_json = serde_json::to_string(&flags)
            .map_err(|e| Error::Internal(format!("cannot serialise flags: {e}")))?;
        match rules(&flags, &standing, submission, config) {
            Outcome::Queue(priority) => {
                if !mark(&mut tx, &row.id, "queued", Some(&flags_json), 0, now).await? {
                    counts.skipped += 1;
                    continue;
                }
                // An older revision of the same SKU still queued is stale now.
                sqlx::query("DELETE FROM moderation_queue WHERE sku_id = $1")
                    .bind(&row.sku_id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO moderation_queue (revision_id, sku_id, seller_id, priority, submitted_at, enqueued_at, \
                     flag_count, lease_owner, lease_until) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, 0)",
                )
                .bind(&row.id)
                .bind(&row.sku_id)
                .bind(&row.seller_id)
                .bind(priority.rank())
                .bind(row.created_at)
                .bind(now)
                .bind(flags.len() as i64)
                .execute(&mut *tx)
                .await?;
                counts.queued += 1;
            }
            outcome @ (Outcome::AutoApprove | Outcome::AutoReject(_)) => {
                let Some(rev) = sqlx::query_as::<_, PendingRevision>(PENDING_REVISION_SQL)
                    .bind(&row.id)
                    .fetch_optional(&mut *tx)
                    .await?
                else {
                    counts.skipped += 1;
                    continue;
                };
                let (kind, reasons) = match &outcome {
                    Outcome::AutoReject(rejects) => (DecisionKind::AutoReject, reasons_of(rejects)),
                    _ => (DecisionKind::AutoApprove, Vec::new()),
                };
                let system = Actor::system();
                let who = Decider {
                    actor: &system,
                    moderator_id: None,
                };
                let comment = match &outcome {
                    Outcome::AutoReject(rejects) => Some(describe(rejects)),
                    _ => None,
                };
                decide::apply(
                    &mut tx,
                    &rev,
                    kind,
                    &reasons,
                    comment.as_deref(),
                    Some(&flags_json),
                    &who,
                )
                .await?;
                sqlx::query("DELETE FROM moderation_queue WHERE sku_id = $1")
                    .bind(&row.sku_id)
                    .execute(&mut *tx)
                    .await?;
                if kind == DecisionKind::AutoApprove {
                    counts.auto_approved += 1;
                } else {
                    counts.auto_rejected += 1;
                }
            }
        }
    }
    tx.commit().await?;
    Ok(counts)
}

/// Runs passes until nothing is due (tests and the demo use it to settle).
pub async fn run_until_idle(db: &Db, config: &RulesConfig) -> Result<PassCounts> {
    let mut total = PassCounts::default();
    loop {
        let c = run_pass(db, config).await?;
        total.queued += c.queued;
        total.auto_approved += c.auto_approved;
        total.auto_rejected += c.auto_rejected;
        total.waiting_for_images += c.waiting_for_images;
        total.skipped += c.skipped;
        if c.total() == 0 || c.total() == c.waiting_for_images {
            return Ok(total);
        }
    }
}

/// One reason per distinct (reason code, field) of the rejecting flags.
fn reasons_of(flags: &[Flag]) -> Vec<ReasonRef> {
    let mut out: Vec<ReasonRef> = Vec::new();
    for f in flags {
        let r = ReasonRef {
            code: f.code.reason_code().to_string(),
            field: Some(f.field.clone()),
        };
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

/// The automatic rejection's note to the seller: what each check found.
fn describe(flags: &[Flag]) -> String {
    flags
        .iter()
        .map(|f| {
            let label = f.code.label(domain::Locale::Ru);
            let label_en = f.code.label(domain::Locale::En);
            if f.detail.is_empty() {
                format!("{label} / {label_en}")
            } else {
                format!("{label} / {label_en}: {}", f.detail)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Moves the revision along; false when another worker got there first.
async fn mark(
    tx: &mut Tx,
    id: &str,
    state: &str,
    flags: Option<&str>,
    check_after: i64,
    now: i64,
) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE sku_revisions SET check_state = $2, flags = COALESCE($3, flags), check_after = $4, checked_at = $5 \
         WHERE id = $1 AND check_state IN ('unchecked', 'awaiting_images')",
    )
    .bind(id)
    .bind(state)
    .bind(flags)
    .bind(check_after)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// status, width, height, error code, English message, duplicate kind.
type ImageRow = (
    String,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The image pipeline's verdict on each URL (pending when it has not seen it yet).
async fn image_facts(
    tx: &mut Tx,
    seller_id: &str,
    urls: &[String],
) -> Result<Vec<(String, ImageFacts)>> {
    let mut out = Vec::with_capacity(urls.len());
    for url in urls {
        let row: Option<ImageRow> =
            sqlx::query_as(
                "SELECT status, width, height, error_code, error_message_en, duplicate_kind FROM images \
                 WHERE seller_id = $1 AND url = $2",
            )
            .bind(seller_id)
            .bind(url)
            .fetch_optional(&mut **tx)
            .await?;
        let facts = match row {
            Some((status, w, h, _, _, dup)) if status == "ready" => ImageFacts::Ready {
                width: u32::try_from(w.unwrap_or(0)).unwrap_or(0),
                height: u32::try_from(h.unwrap_or(0)).unwrap_or(0),
                duplicate: dup.as_deref().and_then(DuplicateKind::parse),
            },
            Some((status, _, _, code, message, _)) if status == "failed" => ImageFacts::Failed {
                code: code.unwrap_or_default(),
                message: message.unwrap_or_default(),
            },
            _ => ImageFacts::Pending,
        };
        out.push((url.clone(), facts));
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, Default)]
struct CategoryRule {
    restricted: bool,
    image_min_side: Option<u32>,
}

async fn category_rules(db: &Db) -> Result<HashMap<String, CategoryRule>> {
    let rows: Vec<(String, i64, Option<i64>)> =
        sqlx::query_as("SELECT code, restricted, image_min_side FROM categories")
            .fetch_all(db.pool())
            .await?;
    Ok(rows
        .into_iter()
        .map(|(code, restricted, side)| {
            (
                code,
                CategoryRule {
                    restricted: restricted != 0,
                    image_min_side: side.and_then(|s| u32::try_from(s).ok()),
                },
            )
        })
        .collect())
}

async fn medians(db: &Db) -> Result<HashMap<String, (String, i64, i64)>> {
    let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT category_code, currency, median_minor, sample_size FROM category_price_stats",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(code, cur, m, n)| (code, (cur, m, n)))
        .collect())
}

/// Recomputes the category medians of active RUB SKUs when they are older than
/// [`MEDIAN_MAX_AGE_MS`].
async fn refresh_medians(db: &Db, now: i64) -> Result<()> {
    let (newest,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(computed_at) FROM category_price_stats")
            .fetch_one(db.pool())
            .await?;
    if newest.is_some_and(|t| now - t < MEDIAN_MAX_AGE_MS) {
        return Ok(());
    }
    let counts: Vec<(String, i64)> = sqlx::query_as(
        "SELECT category_code, COUNT(*) FROM skus WHERE status = 'active' AND currency = 'RUB' GROUP BY category_code",
    )
    .fetch_all(db.pool())
    .await?;
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM category_price_stats")
        .execute(&mut *tx)
        .await?;
    for (code, n) in counts {
        let (median,): (i64,) = sqlx::query_as(
            "SELECT price_minor FROM skus WHERE category_code = $1 AND status = 'active' AND currency = 'RUB' \
             ORDER BY price_minor LIMIT 1 OFFSET $2",
        )
        .bind(&code)
        .bind(n / 2)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO category_price_stats (category_code, currency, median_minor, sample_size, computed_at) \
             VALUES ($1, 'RUB', $2, $3, $4)",
        )
        .bind(&code)
        .bind(median)
        .bind(n)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    if newest.is_none() {
        // Mark the computation even when no category has active SKUs yet.
        sqlx::query(
            "INSERT INTO category_price_stats (category_code, currency, median_minor, sample_size, computed_at) \
             SELECT '', 'RUB', 0, 0, $1 WHERE NOT EXISTS (SELECT 1 FROM category_price_stats)",
        )
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Verified status, approvals so far and recent rejections of one seller.
async fn seller_standing(
    tx: &mut Tx,
    seller_id: &str,
    config: &RulesConfig,
    now: i64,
) -> Result<SellerStanding> {
    let (status,): (String,) = sqlx::query_as("SELECT status FROM sellers WHERE id = $1")
        .bind(seller_id)
        .fetch_one(&mut **tx)
        .await?;
    // Counted only as far as the rules look (the threshold, and "any at all" for
    // rejections): a seller with a million decisions costs the same as a new one.
    let (approved,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM (SELECT 1 FROM moderation_decisions WHERE seller_id = $1 \
         AND kind IN ('approve', 'auto_approve') LIMIT $2) AS t",
    )
    .bind(seller_id)
    .bind(config.trusted_min_approved.max(0))
    .fetch_one(&mut **tx)
    .await?;
    let (recent,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM (SELECT 1 FROM moderation_decisions WHERE seller_id = $1 AND decided_at >= $2 \
         AND kind IN ('reject', 'request_changes', 'auto_reject', 'block') LIMIT 1) AS t",
    )
    .bind(seller_id)
    .bind(now - config.trust_window_days * 86_400_000)
    .fetch_one(&mut **tx)
    .await?;
    Ok(SellerStanding {
        verified: status == "active",
        approved,
        recent_rejections: recent,
    })
}

/// Whether the SKU's previous decided revision was rejected (so this is the fix).
async fn previous_was_rejected(tx: &mut Tx, sku_id: &str, number: i64) -> Result<bool> {
    let prev: Option<(String,)> = sqlx::query_as(
        "SELECT status FROM sku_revisions WHERE sku_id = $1 AND number < $2 AND status IN ('approved', 'rejected') \
         ORDER BY number DESC LIMIT 1",
    )
    .bind(sku_id)
    .bind(number)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(matches!(prev, Some((s,)) if s == "rejected"))
}
