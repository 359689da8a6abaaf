//! The one SKU write path. Single writes from the cabinet, the REST batch endpoint and
//! the CSV import all go through [`apply_batch`], so "what counts as a change" is
//! decided in one place:
//!
//! - same content hash and same commercial hash → unchanged, nothing is written;
//! - only the commercial hash differs → price, old price, currency, VAT and stock are
//!   updated in place (live at once, no revision, no moderation);
//! - the content hash differs → a new `pending` revision ([`record_revision`]) and the
//!   SKU's mirror columns (title, brand, category, barcode, search text) follow it;
//! - an unknown `seller_sku` → a new SKU in `pending_moderation` with revision 1.
//!
//! Speed matters here (a 1,000,000-row import runs through it): existing hashes are
//! read with one query per batch, and writes are multi-row statements sized by
//! [`Engine::max_bind_params`], with a fixed row count so that the prepared
//! statements are reused from the connection's cache.

use crate::auth::SellerCtx;
use crate::dialect::Engine;
use crate::util::{new_uuid, now_ms, parse_col, search_text};
use crate::{Error, Result};
use domain::catalog::{
    CommercialHash, ContentHash, ModerationAction, SkuContent, SkuStatus, ValidatedSku,
};
use domain::ids::{RevisionId, SellerId, SkuId};
use serde::{Deserialize, Serialize};
use sqlx::{Any, Transaction};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

/// Rows per multi-row statement. Every batch is cut into statements of exactly this
/// many rows plus one remainder, so the same few prepared statements serve a whole
/// import; it is lowered further when an engine's bind-parameter limit requires.
const MAX_ROWS_PER_STATEMENT: usize = 500;

/// Keys per `IN (...)` read. Fixed for the same reason: one prepared statement per
/// size, reused slice after slice.
const KEYS_PER_QUERY: usize = 10_000;

/// Whether a statement of `rows` rows (of at most `full`) is kept in the connection's
/// prepared-statement cache. Only full-size statements are: remainders differ in size
/// from slice to slice, and caching each of them (an SQLite statement with thousands
/// of parameters holds megabytes) made memory grow with the size of the import.
fn keep_prepared(rows: usize, full: usize) -> bool {
    rows == full
}

/// How many SKUs of a batch were created, updated or left as they were.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchCounts {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

impl BatchCounts {
    pub fn add(&mut self, other: BatchCounts) {
        self.created += other.created;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
    }

    pub fn total(&self) -> u64 {
        self.created + self.updated + self.unchanged
    }
}

/// What happened to one item of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// A new SKU, waiting for moderation with revision 1.
    Created,
    /// The content changed: a new revision waits for moderation (commercial fields
    /// may have changed too and are live already).
    ContentChanged,
    /// Only price, old price, VAT or stock changed: live at once, no revision.
    CommercialChanged,
    /// Nothing changed; nothing was written.
    Unchanged,
}

/// The result for one item of a batch, in the order of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemOutcome {
    pub sku_id: SkuId,
    pub change: Change,
    /// The SKU's status after the write.
    pub status: SkuStatus,
    /// The revision created by this write, if the content changed.
    pub revision_id: Option<RevisionId>,
}

/// Applies a batch of validated SKUs for `ctx`'s seller; returns the counts.
/// `source` names where the change came from (`cabinet`, `api`, `import:<id>`) and is
/// kept on every revision.
pub async fn apply_batch(
    tx: &mut Transaction<'_, Any>,
    ctx: &SellerCtx,
    items: &[ValidatedSku],
    source: &str,
) -> Result<BatchCounts> {
    let outcomes = apply_batch_detailed(tx, ctx, items, source).await?;
    Ok(count(&outcomes))
}

/// Counts outcomes as the import and the API report them (content and commercial
/// changes are both "updated").
pub fn count(outcomes: &[ItemOutcome]) -> BatchCounts {
    let mut counts = BatchCounts::default();
    for o in outcomes {
        match o.change {
            Change::Created => counts.created += 1,
            Change::ContentChanged | Change::CommercialChanged => counts.updated += 1,
            Change::Unchanged => counts.unchanged += 1,
        }
    }
    counts
}

/// Like [`apply_batch`], with one outcome per item (in input order), for the REST
/// batch endpoint. An item whose `seller_sku` repeats an earlier one in the same
/// batch is applied after it, as if sent in a later request.
pub async fn apply_batch_detailed(
    tx: &mut Transaction<'_, Any>,
    ctx: &SellerCtx,
    items: &[ValidatedSku],
    source: &str,
) -> Result<Vec<ItemOutcome>> {
    ctx.require_catalog_write()?;
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let engine = Engine::of(tx)?;
    lock_seller_catalog(tx, engine, ctx.seller_id()).await?;
    let mut outcomes = Vec::with_capacity(items.len());
    for round in rounds(items) {
        let applied = apply_round(tx, engine, ctx.seller_id(), round, source).await?;
        outcomes.extend(applied);
    }
    Ok(outcomes)
}

/// Serialises writers of one seller's catalog: the compare-then-write below must not
/// interleave with another transaction doing the same for the same seller (two
/// imports at once on PostgreSQL). SQLite's `BEGIN IMMEDIATE` already serialises all
/// writers, so it needs no lock.
async fn lock_seller_catalog(
    tx: &mut Transaction<'_, Any>,
    engine: Engine,
    seller_id: SellerId,
) -> Result<()> {
    if engine == Engine::Sqlite {
        return Ok(());
    }
    let sql = format!(
        "SELECT id FROM sellers WHERE id = $1{}",
        engine.for_update()
    );
    let found: Option<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(seller_id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    found.map(|_| ()).ok_or(Error::NotFound("seller"))
}

/// Cuts `items` into consecutive runs without a repeated `seller_sku`, so every
/// run can be compared against the database in one read.
fn rounds(items: &[ValidatedSku]) -> Vec<&[ValidatedSku]> {
    let mut out = Vec::new();
    let mut seen: HashSet<&str> = HashSet::with_capacity(items.len());
    let mut start = 0;
    for (i, item) in items.iter().enumerate() {
        if !seen.insert(item.seller_sku.as_str()) {
            out.push(&items[start..i]);
            start = i;
            seen.clear();
            seen.insert(item.seller_sku.as_str());
        }
    }
    out.push(&items[start..]);
    out
}

/// What the database holds for a SKU about to be written.
struct Existing {
    id: String,
    status: SkuStatus,
    content_hash: Option<ContentHash>,
    commercial_hash: Option<CommercialHash>,
}

/// One row to write into `skus`.
struct SkuWrite<'a> {
    id: String,
    item: &'a ValidatedSku,
    status: SkuStatus,
    latest_revision_id: Option<String>,
}

async fn apply_round(
    tx: &mut Transaction<'_, Any>,
    engine: Engine,
    seller_id: SellerId,
    items: &[ValidatedSku],
    source: &str,
) -> Result<Vec<ItemOutcome>> {
    let existing = read_existing(tx, engine, seller_id, items).await?;
    let mut outcomes = Vec::with_capacity(items.len());
    let mut content_writes: Vec<SkuWrite<'_>> = Vec::new();
    let mut commercial_writes: Vec<SkuWrite<'_>> = Vec::new();
    let mut revisions: Vec<NewRevision<'_>> = Vec::new();
    for item in items {
        let outcome = match existing.get(item.seller_sku.as_str()) {
            None => {
                let sku_id = SkuId::from_uuid(new_uuid());
                let revision_id = RevisionId::from_uuid(new_uuid());
                let status = SkuStatus::PendingModeration;
                content_writes.push(SkuWrite {
                    id: sku_id.to_string(),
                    item,
                    status,
                    latest_revision_id: Some(revision_id.to_string()),
                });
                revisions.push(NewRevision {
                    id: revision_id,
                    sku_id,
                    first: true,
                    content: &item.content,
                    content_hash: item.content_hash,
                });
                ItemOutcome {
                    sku_id,
                    change: Change::Created,
                    status,
                    revision_id: Some(revision_id),
                }
            }
            Some(e) if e.content_hash != Some(item.content_hash) => {
                let sku_id: SkuId = parse_col("skus.id", &e.id)?;
                let revision_id = RevisionId::from_uuid(new_uuid());
                // An active SKU stays on sale with its approved content while the new
                // revision waits; a blocked one stays blocked until a moderator lifts
                // the block (approving a revision is how they do it).
                let status = e.status.apply(ModerationAction::Submit).unwrap_or(e.status);
                content_writes.push(SkuWrite {
                    id: e.id.clone(),
                    item,
                    status,
                    latest_revision_id: Some(revision_id.to_string()),
                });
                revisions.push(NewRevision {
                    id: revision_id,
                    sku_id,
                    first: false,
                    content: &item.content,
                    content_hash: item.content_hash,
                });
                ItemOutcome {
                    sku_id,
                    change: Change::ContentChanged,
                    status,
                    revision_id: Some(revision_id),
                }
            }
            Some(e) if e.commercial_hash != Some(item.commercial_hash) => {
                commercial_writes.push(SkuWrite {
                    id: e.id.clone(),
                    item,
                    status: e.status,
                    latest_revision_id: None,
                });
                ItemOutcome {
                    sku_id: parse_col("skus.id", &e.id)?,
                    change: Change::CommercialChanged,
                    status: e.status,
                    revision_id: None,
                }
            }
            Some(e) => ItemOutcome {
                sku_id: parse_col("skus.id", &e.id)?,
                change: Change::Unchanged,
                status: e.status,
                revision_id: None,
            },
        };
        outcomes.push(outcome);
    }
    let now = now_ms();
    write_skus(tx, engine, seller_id, now, &content_writes, SkuUpdate::All).await?;
    write_skus(
        tx,
        engine,
        seller_id,
        now,
        &commercial_writes,
        SkuUpdate::Commercial,
    )
    .await?;
    record_revision(tx, engine, seller_id, source, now, &revisions).await?;
    Ok(outcomes)
}

/// Reads id, status and hashes of the batch's SKUs that exist, keyed by `seller_sku`.
async fn read_existing(
    tx: &mut Transaction<'_, Any>,
    engine: Engine,
    seller_id: SellerId,
    items: &[ValidatedSku],
) -> Result<HashMap<String, Existing>> {
    let mut found = HashMap::with_capacity(items.len());
    let seller = seller_id.to_string();
    if engine == Engine::Postgres {
        // PostgreSQL plans a 10,000-value `IN (...)` value by value (~0.5 s per slice
        // against a million SKUs); the keys as one JSON array joined to the unique
        // index are a nested loop of index probes, planned once.
        let keys: Vec<&str> = items.iter().map(|i| i.seller_sku.as_str()).collect();
        let keys = serde_json::to_string(&keys)
            .map_err(|e| Error::Internal(format!("cannot serialise SKU keys: {e}")))?;
        let rows = sqlx::query_as::<_, (String, String, String, String, String)>(
            "SELECT s.id, s.seller_sku, s.status, s.content_hash, s.commercial_hash \
             FROM json_array_elements_text($2::json) AS k(sku) \
             JOIN skus s ON s.seller_id = $1 AND s.seller_sku = k.sku",
        )
        .bind(seller)
        .bind(keys)
        .fetch_all(&mut **tx)
        .await?;
        for row in rows {
            insert_existing(&mut found, row)?;
        }
        return Ok(found);
    }
    let per_query = KEYS_PER_QUERY.min(engine.max_bind_params() - 1);
    for chunk in items.chunks(per_query) {
        let mut sql = String::with_capacity(128 + chunk.len() * 8);
        sql.push_str(
            "SELECT id, seller_sku, status, content_hash, commercial_hash FROM skus \
             WHERE seller_id = $1 AND seller_sku IN (",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            let _ = write!(sql, "${}", i + 2);
        }
        sql.push(')');
        let mut q = sqlx::query_as::<_, (String, String, String, String, String)>(
            sqlx::AssertSqlSafe(engine.numbered_params(sql)),
        )
        .persistent(keep_prepared(chunk.len(), per_query))
        .bind(seller.clone());
        for item in chunk {
            q = q.bind(item.seller_sku.as_str().to_string());
        }
        for row in q.fetch_all(&mut **tx).await? {
            insert_existing(&mut found, row)?;
        }
    }
    Ok(found)
}

fn insert_existing(
    found: &mut HashMap<String, Existing>,
    (id, seller_sku, status, content_hash, commercial_hash): (
        String,
        String,
        String,
        String,
        String,
    ),
) -> Result<()> {
    found.insert(
        seller_sku,
        Existing {
            id,
            status: parse_col("skus.status", &status)?,
            // An unreadable stored hash counts as "changed", which rewrites it.
            content_hash: ContentHash::from_hex(&content_hash),
            commercial_hash: CommercialHash::from_hex(&commercial_hash),
        },
    );
    Ok(())
}

/// Which columns an existing SKU row takes from the written values.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SkuUpdate {
    /// Content and commercial columns, status and latest revision.
    All,
    /// Only the commercial columns.
    Commercial,
}

/// Bind parameters per row of the `skus` insert (each row binds the seller and the
/// time again: parameters used once each, in order, bind fastest on SQLite).
const SKU_BINDS_PER_ROW: usize = 19;

/// The shape of one `skus` row: `?` is a parameter.
const SKU_ROW: [&str; 20] = [
    "?", "?", "?", "NULL", "?", "?", "?", "?", "?", "?", "?", "?", "?", "?", "?", "?", "?", "?",
    "?", "?",
];

async fn write_skus(
    tx: &mut Transaction<'_, Any>,
    engine: Engine,
    seller_id: SellerId,
    now: i64,
    rows: &[SkuWrite<'_>],
    update: SkuUpdate,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let per_statement = rows_per_statement(engine, SKU_BINDS_PER_ROW);
    let seller = seller_id.to_string();
    for chunk in rows.chunks(per_statement) {
        let mut sql = String::with_capacity(600 + chunk.len() * 120);
        sql.push_str(
            "INSERT INTO skus (seller_id, created_at, updated_at, live_revision_id, id, seller_sku, status, \
             latest_revision_id, title, brand, category_code, barcode, price_minor, old_price_minor, currency, vat, \
             stock, content_hash, commercial_hash, search_text) VALUES ",
        );
        push_value_rows(&mut sql, chunk.len(), &SKU_ROW, 1);
        sql.push_str(" ON CONFLICT (seller_id, seller_sku) DO UPDATE SET ");
        sql.push_str(match update {
            SkuUpdate::All => {
                "status = excluded.status, latest_revision_id = excluded.latest_revision_id, \
                 title = excluded.title, brand = excluded.brand, category_code = excluded.category_code, \
                 barcode = excluded.barcode, price_minor = excluded.price_minor, \
                 old_price_minor = excluded.old_price_minor, currency = excluded.currency, vat = excluded.vat, \
                 stock = excluded.stock, content_hash = excluded.content_hash, \
                 commercial_hash = excluded.commercial_hash, search_text = excluded.search_text, \
                 updated_at = excluded.updated_at"
            }
            SkuUpdate::Commercial => {
                "price_minor = excluded.price_minor, old_price_minor = excluded.old_price_minor, \
                 currency = excluded.currency, vat = excluded.vat, stock = excluded.stock, \
                 commercial_hash = excluded.commercial_hash, updated_at = excluded.updated_at"
            }
        });
        let mut q = sqlx::query(sqlx::AssertSqlSafe(engine.numbered_params(sql)))
            .persistent(keep_prepared(chunk.len(), per_statement));
        for row in chunk {
            let item = row.item;
            let content = &item.content;
            let commercial = &item.commercial;
            let barcode = content.barcode().map(|b| b.as_str().to_string());
            let search = search_text(&[
                item.seller_sku.as_str(),
                content.title(),
                content.brand().unwrap_or(""),
                barcode.as_deref().unwrap_or(""),
            ]);
            q = q
                .bind(seller.clone())
                .bind(now)
                .bind(now)
                .bind(row.id.clone())
                .bind(item.seller_sku.as_str().to_string())
                .bind(row.status.as_str())
                .bind(row.latest_revision_id.clone())
                .bind(content.title().to_string())
                .bind(content.brand().map(str::to_string))
                .bind(content.category().as_str().to_string())
                .bind(barcode)
                .bind(commercial.price().amount_minor())
                .bind(commercial.old_price().map(|m| m.amount_minor()))
                .bind(commercial.currency().code())
                .bind(commercial.vat().code())
                .bind(i64::from(commercial.stock()))
                .bind(item.content_hash.to_hex())
                .bind(item.commercial_hash.to_hex())
                .bind(search);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// A content revision about to be recorded.
pub struct NewRevision<'a> {
    pub id: RevisionId,
    pub sku_id: SkuId,
    /// The SKU was created by this write: its revision is number 1 and nothing older
    /// can be pending.
    pub first: bool,
    pub content: &'a SkuContent,
    pub content_hash: ContentHash,
}

/// Bind parameters per row of the `sku_revisions` insert (seller, source and time
/// are bound again for each row).
const REVISION_BINDS_PER_ROW: usize = 8;

/// The shape of one `sku_revisions` row.
const REVISION_ROW: [&str; 9] = ["?", "?", "?", "'pending'", "?", "?", "?", "?", "?"];

/// Records new content revisions, one per SKU: each is `pending` with the next number,
/// and an older revision of the same SKU that was still pending becomes `superseded`
/// (the moderator reviews only the newest content).
///
/// This is the only place a revision is created; the moderation queue hooks in here.
/// The SKU rows must exist already (the revisions reference them).
pub async fn record_revision(
    tx: &mut Transaction<'_, Any>,
    engine: Engine,
    seller_id: SellerId,
    source: &str,
    now: i64,
    revisions: &[NewRevision<'_>],
) -> Result<()> {
    if revisions.is_empty() {
        return Ok(());
    }
    let later: Vec<String> = revisions
        .iter()
        .filter(|r| !r.first)
        .map(|r| r.sku_id.to_string())
        .collect();
    let mut numbers: HashMap<String, i64> = HashMap::with_capacity(later.len());
    if engine == Engine::Postgres && !later.is_empty() {
        // One JSON array of ids instead of `IN (...)` lists (see `read_existing`).
        let ids = serde_json::to_string(&later)
            .map_err(|e| Error::Internal(format!("cannot serialise SKU ids: {e}")))?;
        numbers.extend(
            sqlx::query_as::<_, (String, i64)>(
                "SELECT r.sku_id, MAX(r.number) FROM json_array_elements_text($2::json) AS k(id) \
                 JOIN sku_revisions r ON r.sku_id = k.id WHERE r.seller_id = $1 GROUP BY r.sku_id",
            )
            .bind(seller_id.to_string())
            .bind(&ids)
            .fetch_all(&mut **tx)
            .await?,
        );
        sqlx::query(
            "UPDATE sku_revisions SET status = 'superseded', decided_at = $1 \
             WHERE seller_id = $2 AND status = 'pending' \
             AND sku_id IN (SELECT k.id FROM json_array_elements_text($3::json) AS k(id))",
        )
        .bind(now)
        .bind(seller_id.to_string())
        .bind(&ids)
        .execute(&mut **tx)
        .await?;
    }
    let per_query = KEYS_PER_QUERY.min(engine.max_bind_params() - 2);
    let sqlite_later: &[String] = if engine == Engine::Postgres {
        &[]
    } else {
        &later
    };
    for chunk in sqlite_later.chunks(per_query) {
        let sql = format!(
            "SELECT sku_id, MAX(number) FROM sku_revisions WHERE seller_id = $1 AND sku_id IN ({}) \
             GROUP BY sku_id",
            placeholder_list(2, chunk.len())
        );
        let q =
            sqlx::query_as::<_, (String, i64)>(sqlx::AssertSqlSafe(engine.numbered_params(sql)))
                .persistent(keep_prepared(chunk.len(), per_query))
                .bind(seller_id.to_string());
        let q = chunk.iter().fold(q, |q, id| q.bind(id.clone()));
        numbers.extend(q.fetch_all(&mut **tx).await?);
        let sql = format!(
            "UPDATE sku_revisions SET status = 'superseded', decided_at = $1 \
             WHERE seller_id = $2 AND status = 'pending' AND sku_id IN ({})",
            placeholder_list(3, chunk.len())
        );
        let q = sqlx::query(sqlx::AssertSqlSafe(engine.numbered_params(sql)))
            .persistent(keep_prepared(chunk.len(), per_query))
            .bind(now)
            .bind(seller_id.to_string());
        chunk
            .iter()
            .fold(q, |q, id| q.bind(id.clone()))
            .execute(&mut **tx)
            .await?;
    }
    let per_statement = rows_per_statement(engine, REVISION_BINDS_PER_ROW);
    let seller = seller_id.to_string();
    for chunk in revisions.chunks(per_statement) {
        let mut sql = String::with_capacity(200 + chunk.len() * 40);
        sql.push_str(
            "INSERT INTO sku_revisions (seller_id, source, created_at, status, id, sku_id, number, content, \
             content_hash) VALUES ",
        );
        push_value_rows(&mut sql, chunk.len(), &REVISION_ROW, 1);
        let mut q = sqlx::query(sqlx::AssertSqlSafe(engine.numbered_params(sql)))
            .persistent(keep_prepared(chunk.len(), per_statement));
        for r in chunk {
            let sku_id = r.sku_id.to_string();
            let number = if r.first {
                1
            } else {
                numbers.get(&sku_id).copied().unwrap_or(0) + 1
            };
            let content = serde_json::to_string(r.content)
                .map_err(|e| Error::Internal(format!("cannot serialise SKU content: {e}")))?;
            q = q
                .bind(seller.clone())
                .bind(source.to_string())
                .bind(now)
                .bind(r.id.to_string())
                .bind(sku_id)
                .bind(number)
                .bind(content)
                .bind(r.content_hash.to_hex());
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// How many rows one statement carries: at most [`MAX_ROWS_PER_STATEMENT`], and few
/// enough that `binds_per_row` per row fit the engine's limit.
fn rows_per_statement(engine: Engine, binds_per_row: usize) -> usize {
    (engine.max_bind_params() / binds_per_row).clamp(1, MAX_ROWS_PER_STATEMENT)
}

/// `$first, $first+1, ...` for `n` parameters.
fn placeholder_list(first: usize, n: usize) -> String {
    let mut s = String::with_capacity(n * 7);
    for i in 0..n {
        if i > 0 {
            s.push_str(", ");
        }
        let _ = write!(s, "${}", first + i);
    }
    s
}

/// Appends `rows` value tuples shaped by `columns`: `"?"` takes the next parameter,
/// numbered from `first`; anything else (`NULL`, `'pending'`) is written as is. Each
/// parameter appears once, in ascending order, so SQLite binds them by position
/// ([`Engine::numbered_params`]).
fn push_value_rows(sql: &mut String, rows: usize, columns: &[&str], first: usize) {
    let mut n = first;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for (c, column) in columns.iter().enumerate() {
            if c > 0 {
                sql.push_str(", ");
            }
            if *column == "?" {
                let _ = write!(sql, "${n}");
                n += 1;
            } else {
                sql.push_str(column);
            }
        }
        sql.push(')');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_rows_number_their_parameters_in_order() {
        let mut sql = String::new();
        push_value_rows(&mut sql, 2, &["?", "NULL", "?"], 1);
        assert_eq!(sql, "($1, NULL, $2), ($3, NULL, $4)");
        assert_eq!(placeholder_list(2, 3), "$2, $3, $4");
        assert_eq!(
            SKU_ROW.iter().filter(|c| **c == "?").count(),
            SKU_BINDS_PER_ROW
        );
        assert_eq!(
            REVISION_ROW.iter().filter(|c| **c == "?").count(),
            REVISION_BINDS_PER_ROW
        );
    }

    #[test]
    fn statements_stay_under_each_engines_bind_limit() {
        for engine in [Engine::Sqlite, Engine::Postgres] {
            let rows = rows_per_statement(engine, SKU_BINDS_PER_ROW);
            assert!(rows * SKU_BINDS_PER_ROW <= engine.max_bind_params());
            assert!(rows >= 100);
        }
    }
}
