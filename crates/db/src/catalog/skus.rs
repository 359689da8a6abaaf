//! A seller's SKUs: the list (search, filters, sorting, keyset pages), one SKU with
//! its revisions, single and batch writes from the cabinet and the REST API, the
//! fast commercial patch, archiving, counts and the CSV export.
//!
//! Content writes go through [`super::upsert::apply_batch_detailed`], the one write
//! path the CSV import uses too, so "what counts as a change" and "when a revision is
//! created" are decided in one place. Only the commercial patch and archiving write
//! here directly: neither ever touches content.

use super::categories::load_index;
use super::upsert::{self, Change};
use crate::auth::SellerCtx;
use crate::util::{like_contains, now_ms, parse_col, search_needle};
use crate::{Db, Error, Result, Tx, audit};
use domain::catalog::{
    CategoryIndex, RevisionStatus, SKU_COUNT_CAP, SkuCommercial, SkuContent, SkuCounts, SkuDetail,
    SkuInput, SkuListItem, SkuListPage, SkuListQuery, SkuModeration, SkuProblem,
    SkuRevisionSummary, SkuRevisionView, SkuRules, SkuSort, SkuStatus, SortDir, UpsertOutcome,
    ValidatedSku, VatRate,
};
use domain::{Currency, ErrorCode, FieldError, Locale, Money};
use serde::{Deserialize, Serialize};

/// The most SKUs one batch request may carry.
pub const BATCH_MAX_ITEMS: usize = 1000;
/// How many revisions the SKU page lists (newest first).
const HISTORY_MAX: i64 = 50;

// ---------------------------------------------------------------------------
// Reading one SKU

#[derive(sqlx::FromRow)]
struct SkuRow {
    id: String,
    seller_sku: String,
    status: String,
    live_revision_id: Option<String>,
    latest_revision_id: Option<String>,
    price_minor: i64,
    old_price_minor: Option<i64>,
    currency: String,
    vat: String,
    stock: i64,
    created_at: i64,
    updated_at: i64,
}

#[derive(sqlx::FromRow)]
struct RevisionRow {
    id: String,
    number: i64,
    status: String,
    content: String,
    source: String,
    created_at: i64,
    decided_at: Option<i64>,
    decision_reasons: Option<String>,
    decision_comment: Option<String>,
    decision_kind: Option<String>,
}

/// Reason codes and the fields they concern, from the stored JSON array. The
/// moderation issue may store plain codes (`["bad_photo"]`) or objects
/// (`[{"code": "bad_photo", "field": "images"}]`); both read.
fn reasons(json: Option<&str>) -> (Vec<String>, Vec<String>) {
    let Some(Ok(serde_json::Value::Array(items))) =
        json.map(serde_json::from_str::<serde_json::Value>)
    else {
        return (Vec::new(), Vec::new());
    };
    let mut codes = Vec::new();
    let mut fields = Vec::new();
    for item in items {
        match item {
            serde_json::Value::String(code) => codes.push(code),
            serde_json::Value::Object(o) => {
                if let Some(code) = o.get("code").and_then(|c| c.as_str()) {
                    codes.push(code.to_string());
                }
                if let Some(field) = o.get("field").and_then(|c| c.as_str())
                    && !fields.iter().any(|f| f == field)
                {
                    fields.push(field.to_string());
                }
            }
            _ => {}
        }
    }
    (codes, fields)
}

impl RevisionRow {
    fn content(&self) -> Result<SkuContent> {
        serde_json::from_str(&self.content).map_err(|e| {
            Error::Internal(format!("bad stored content of revision {}: {e}", self.id))
        })
    }

    fn status(&self) -> Result<RevisionStatus> {
        parse_col("sku_revisions.status", &self.status)
    }

    fn view(&self) -> Result<SkuRevisionView> {
        Ok(SkuRevisionView {
            number: self.number,
            status: self.status()?,
            content: self.content()?,
            source: self.source.clone(),
            created_at_ms: self.created_at,
            decided_at_ms: self.decided_at,
            decision_reasons: reasons(self.decision_reasons.as_deref()).0,
            decision_comment: self.decision_comment.clone(),
        })
    }

    fn summary(&self) -> Result<SkuRevisionSummary> {
        Ok(SkuRevisionSummary {
            number: self.number,
            status: self.status()?,
            source: self.source.clone(),
            created_at_ms: self.created_at,
            decided_at_ms: self.decided_at,
            decision_reasons: reasons(self.decision_reasons.as_deref()).0,
            decision_comment: self.decision_comment.clone(),
            title: self.content()?.title().to_string(),
        })
    }
}

fn commercial_of(
    price_minor: i64,
    old_price_minor: Option<i64>,
    currency: &str,
    vat: &str,
    stock: i64,
) -> Result<SkuCommercial> {
    let currency: Currency = parse_col("skus.currency", currency)?;
    let vat = VatRate::parse(vat)
        .ok_or_else(|| Error::Internal(format!("bad stored VAT rate {vat:?}")))?;
    let stock =
        u32::try_from(stock).map_err(|_| Error::Internal(format!("bad stored stock {stock}")))?;
    SkuCommercial::new(
        Money::from_minor(price_minor, currency),
        old_price_minor.map(|m| Money::from_minor(m, currency)),
        vat,
        stock,
    )
    .map_err(|p| Error::Internal(format!("stored commercial data breaks the rules: {p:?}")))
}

const SKU_COLUMNS: &str = "id, seller_sku, status, live_revision_id, latest_revision_id, price_minor, \
     old_price_minor, currency, vat, stock, created_at, updated_at";

async fn find_sku<'e, E>(executor: E, ctx: &SellerCtx, seller_sku: &str) -> Result<SkuRow>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let sql = format!("SELECT {SKU_COLUMNS} FROM skus WHERE seller_id = $1 AND seller_sku = $2");
    sqlx::query_as::<_, SkuRow>(sqlx::AssertSqlSafe(sql))
        .bind(ctx.seller_id().to_string())
        .bind(seller_sku.trim())
        .fetch_optional(executor)
        .await?
        .ok_or(Error::NotFound("SKU"))
}

/// One SKU of the caller's seller with its live and newest content, revision
/// history and moderation outcome. Another seller's SKU is `NotFound`.
pub async fn get_sku(db: &Db, ctx: &SellerCtx, seller_sku: &str) -> Result<SkuDetail> {
    let mut conn = db.pool().acquire().await?;
    let row = find_sku(&mut *conn, ctx, seller_sku).await?;
    detail_of(&mut conn, ctx, row).await
}

/// [`get_sku`] inside a writing transaction, which sees its own changes.
async fn get_sku_in(tx: &mut Tx, ctx: &SellerCtx, seller_sku: &str) -> Result<SkuDetail> {
    let row = find_sku(&mut **tx, ctx, seller_sku).await?;
    detail_of(tx, ctx, row).await
}

/// The managed reason list (read only: the list is seeded on first use elsewhere).
async fn reason_list(conn: &mut sqlx::AnyConnection) -> Result<Vec<domain::moderation::Reason>> {
    let rows: Vec<crate::moderation::lists::ReasonRow> = sqlx::query_as(
        "SELECT code, name_ru, name_en, hint_ru, hint_en, field, active FROM moderation_reasons",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(domain::moderation::Reason::from)
        .collect())
}

/// The SKU page's data for a row already read.
async fn detail_of(
    conn: &mut sqlx::AnyConnection,
    ctx: &SellerCtx,
    row: SkuRow,
) -> Result<SkuDetail> {
    let revisions: Vec<RevisionRow> = sqlx::query_as(
        "SELECT id, number, status, content, source, created_at, decided_at, decision_reasons, \
         decision_comment, decision_kind FROM sku_revisions WHERE seller_id = $1 AND sku_id = $2 \
         ORDER BY number DESC LIMIT $3",
    )
    .bind(ctx.seller_id().to_string())
    .bind(&row.id)
    .bind(HISTORY_MAX)
    .fetch_all(&mut *conn)
    .await?;
    let mut views = Vec::with_capacity(2);
    for id in [&row.live_revision_id, &row.latest_revision_id] {
        let Some(id) = id else {
            views.push(None);
            continue;
        };
        let found = match revisions.iter().find(|r| &r.id == id) {
            Some(r) => Some(r.view()?),
            None => {
                let r: Option<RevisionRow> = sqlx::query_as(
                    "SELECT id, number, status, content, source, created_at, decided_at, \
                     decision_reasons, decision_comment, decision_kind FROM sku_revisions \
                     WHERE seller_id = $1 AND id = $2",
                )
                .bind(ctx.seller_id().to_string())
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
                r.map(|r| r.view()).transpose()?
            }
        };
        views.push(found);
    }
    let latest = views.pop().flatten();
    let live = views.pop().flatten();
    let latest_row = row
        .latest_revision_id
        .as_ref()
        .and_then(|id| revisions.iter().find(|r| &r.id == id));
    let moderation = match &latest {
        Some(l) => {
            let (reason_codes, fields) =
                reasons(latest_row.and_then(|r| r.decision_reasons.as_deref()));
            let all_reasons = reason_list(conn).await?;
            let urls: Vec<String> = l
                .content
                .images()
                .iter()
                .map(|u| u.as_str().to_string())
                .collect();
            SkuModeration {
                status: Some(l.status),
                reasons: reason_codes
                    .iter()
                    .filter_map(|c| all_reasons.iter().find(|r| &r.code == c).cloned())
                    .collect(),
                reason_codes,
                comment: l.decision_comment.clone(),
                fields,
                decision: latest_row
                    .and_then(|r| r.decision_kind.as_deref())
                    .and_then(domain::moderation::DecisionKind::parse),
                images: crate::moderation::queue::image_statuses(
                    conn,
                    &ctx.seller_id().to_string(),
                    &urls,
                )
                .await?,
            }
        }
        None => SkuModeration::default(),
    };
    Ok(SkuDetail {
        id: parse_col("skus.id", &row.id)?,
        seller_sku: row.seller_sku,
        status: parse_col("skus.status", &row.status)?,
        commercial: commercial_of(
            row.price_minor,
            row.old_price_minor,
            &row.currency,
            &row.vat,
            row.stock,
        )?,
        live,
        latest,
        history: revisions
            .iter()
            .map(RevisionRow::summary)
            .collect::<Result<_>>()?,
        moderation,
        created_at_ms: row.created_at,
        updated_at_ms: row.updated_at,
    })
}

// ---------------------------------------------------------------------------
// The list

/// A bind value of a query built at run time.
enum Bind {
    Text(String),
    Int(i64),
}

/// SQL text with numbered placeholders and their values.
struct QueryText {
    sql: String,
    binds: Vec<Bind>,
}

impl QueryText {
    fn new() -> Self {
        QueryText {
            sql: String::with_capacity(512),
            binds: Vec::new(),
        }
    }

    /// Adds a value and returns its placeholder.
    fn bind(&mut self, b: Bind) -> String {
        self.binds.push(b);
        format!("${}", self.binds.len())
    }

    fn push(&mut self, s: &str) {
        self.sql.push_str(s);
    }
}

fn bind_all<'q, O>(
    mut q: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments>,
    binds: &'q [Bind],
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments> {
    for b in binds {
        q = match b {
            Bind::Text(s) => q.bind(s.as_str()),
            Bind::Int(i) => q.bind(*i),
        };
    }
    q
}

/// The sort column of each order. Every one has an index `(seller_id, column, id)`.
const fn sort_column(sort: SkuSort) -> &'static str {
    match sort {
        SkuSort::Updated => "s.updated_at",
        SkuSort::Title => "s.title",
        SkuSort::Price => "s.price_minor",
        SkuSort::Stock => "s.stock",
    }
}

/// A place in the list: the sort value and id of the row a page starts after (or
/// ends before). Opaque to clients: base64url of a small JSON array.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Cursor {
    sort: SkuSort,
    dir: SortDir,
    key: SortKey,
    id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
enum SortKey {
    Int(i64),
    Text(String),
}

impl Cursor {
    fn encode(&self) -> String {
        use base64::Engine as _;
        let json = serde_json::to_vec(self).unwrap_or_default();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    fn decode(s: &str, sort: SkuSort, dir: SortDir, l: Locale) -> Result<Cursor> {
        use base64::Engine as _;
        let bad = || {
            Error::field(
                "cursor",
                "invalid",
                l.pick(
                    "Ссылка на страницу устарела: откройте список сначала",
                    "The page cursor is not valid for this list: start from the first page",
                ),
            )
        };
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s.trim())
            .map_err(|_| bad())?;
        let c: Cursor = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        let key_fits = matches!(
            (&c.key, sort),
            (SortKey::Text(_), SkuSort::Title)
                | (
                    SortKey::Int(_),
                    SkuSort::Updated | SkuSort::Price | SkuSort::Stock
                )
        );
        if c.sort != sort || c.dir != dir || !key_fits {
            return Err(bad());
        }
        Ok(c)
    }
}

#[derive(sqlx::FromRow)]
struct ListRow {
    id: String,
    seller_sku: String,
    title: String,
    brand: Option<String>,
    category_code: String,
    barcode: Option<String>,
    status: String,
    price_minor: i64,
    old_price_minor: Option<i64>,
    currency: String,
    vat: String,
    stock: i64,
    live_revision_id: Option<String>,
    latest_revision_id: Option<String>,
    latest_status: Option<String>,
    updated_at: i64,
}

impl ListRow {
    fn key(&self, sort: SkuSort) -> SortKey {
        match sort {
            SkuSort::Updated => SortKey::Int(self.updated_at),
            SkuSort::Title => SortKey::Text(self.title.clone()),
            SkuSort::Price => SortKey::Int(self.price_minor),
            SkuSort::Stock => SortKey::Int(self.stock),
        }
    }

    fn item(self) -> Result<SkuListItem> {
        let currency: Currency = parse_col("skus.currency", &self.currency)?;
        Ok(SkuListItem {
            id: parse_col("skus.id", &self.id)?,
            has_pending_change: self.live_revision_id.is_some()
                && self.live_revision_id != self.latest_revision_id
                && self.latest_status.as_deref() == Some(RevisionStatus::Pending.as_str()),
            seller_sku: self.seller_sku,
            title: self.title,
            brand: self.brand,
            category: self.category_code,
            barcode: self.barcode,
            status: parse_col("skus.status", &self.status)?,
            price: Money::from_minor(self.price_minor, currency),
            old_price: self.old_price_minor.map(|m| Money::from_minor(m, currency)),
            vat: VatRate::parse(&self.vat)
                .ok_or_else(|| Error::Internal(format!("bad stored VAT {:?}", self.vat)))?,
            stock: self.stock,
            updated_at_ms: self.updated_at,
        })
    }
}

/// The category filter as the leaf codes it covers.
fn category_leaves(index: &CategoryIndex, code: &str, l: Locale) -> Result<Vec<String>> {
    let Some(c) = index.get(code.trim()) else {
        return Err(Error::field(
            "category",
            "unknown_category",
            l.pick("Нет такой категории", "No such category"),
        ));
    };
    let mut leaves = Vec::new();
    let mut stack = vec![c];
    while let Some(c) = stack.pop() {
        if c.is_leaf() {
            leaves.push(c.code().to_string());
        } else {
            stack.extend(c.children());
        }
    }
    Ok(leaves)
}

/// Appends the WHERE clause shared by a page and its count.
fn push_filters(
    q: &mut QueryText,
    ctx: &SellerCtx,
    query: &SkuListQuery,
    leaves: Option<&[String]>,
) {
    let seller = q.bind(Bind::Text(ctx.seller_id().to_string()));
    q.push(&format!(" WHERE s.seller_id = {seller}"));
    match query.status {
        Some(status) => {
            let p = q.bind(Bind::Text(status.as_str().to_string()));
            q.push(&format!(" AND s.status = {p}"));
        }
        // Archived SKUs are what the seller deleted: shown only when asked for.
        None => q.push(" AND s.status <> 'archived'"),
    }
    if let Some(leaves) = leaves {
        if let [one] = leaves {
            let p = q.bind(Bind::Text(one.clone()));
            q.push(&format!(" AND s.category_code = {p}"));
        } else {
            let list: Vec<String> = leaves
                .iter()
                .map(|c| q.bind(Bind::Text(c.clone())))
                .collect();
            q.push(&format!(" AND s.category_code IN ({})", list.join(", ")));
        }
    }
    if let Some(needle) = query
        .q
        .as_deref()
        .map(search_needle)
        .filter(|n| !n.is_empty())
    {
        let p = q.bind(Bind::Text(like_contains(&needle)));
        q.push(&format!(" AND s.search_text LIKE {p} ESCAPE '\\'"));
    }
}

/// One page of the caller's SKUs: searched, filtered and sorted in the database,
/// paged by keyset, so page 20,000 of a million SKUs costs what page 1 costs.
/// Archived SKUs are left out unless `status = archived` is asked for.
pub async fn list_skus(
    db: &Db,
    ctx: &SellerCtx,
    query: &SkuListQuery,
    l: Locale,
) -> Result<SkuListPage> {
    let sort = query.sort;
    let dir = query.direction();
    let limit = query.page_size();
    let leaves = match query.category.as_deref().filter(|c| !c.trim().is_empty()) {
        Some(code) => Some(category_leaves(&*load_index(db).await?, code, l)?),
        None => None,
    };
    let (cursor, backwards) = match (query.after.as_deref(), query.before.as_deref()) {
        (Some(a), _) if !a.is_empty() => (Some(Cursor::decode(a, sort, dir, l)?), false),
        (_, Some(b)) if !b.is_empty() => (Some(Cursor::decode(b, sort, dir, l)?), true),
        _ => (None, false),
    };
    // A previous page is read backwards from its cursor and turned round.
    let scan = if backwards { dir.flip() } else { dir };
    let column = sort_column(sort);

    let mut q = QueryText::new();
    q.push(
        "SELECT s.id, s.seller_sku, s.title, s.brand, s.category_code, s.barcode, s.status, \
         s.price_minor, s.old_price_minor, s.currency, s.vat, s.stock, s.live_revision_id, \
         s.latest_revision_id, \
         (SELECT r.status FROM sku_revisions r WHERE r.id = s.latest_revision_id) AS latest_status, \
         s.updated_at FROM skus s",
    );
    push_filters(&mut q, ctx, query, leaves.as_deref());
    if let Some(c) = &cursor {
        let v = q.bind(match &c.key {
            SortKey::Int(i) => Bind::Int(*i),
            SortKey::Text(t) => Bind::Text(t.clone()),
        });
        let id = q.bind(Bind::Text(c.id.clone()));
        // `col >= v AND (...)` rather than a bare OR, so both engines range-scan the
        // (seller_id, col, id) index from the cursor.
        let (cmp, cmp_eq) = match scan {
            SortDir::Asc => (">", ">="),
            SortDir::Desc => ("<", "<="),
        };
        q.push(&format!(
            " AND {column} {cmp_eq} {v} AND ({column} {cmp} {v} OR s.id {cmp} {id})"
        ));
    }
    let order = match scan {
        SortDir::Asc => "ASC",
        SortDir::Desc => "DESC",
    };
    let fetch = q.bind(Bind::Int(limit + 1));
    q.push(&format!(
        " ORDER BY {column} {order}, s.id {order} LIMIT {fetch}"
    ));
    let rows: Vec<ListRow> = bind_all(
        sqlx::query_as::<_, ListRow>(sqlx::AssertSqlSafe(q.sql.clone())),
        &q.binds,
    )
    .fetch_all(db.pool())
    .await?;

    let more = rows.len() as i64 > limit;
    let mut rows = rows;
    rows.truncate(limit as usize);
    if backwards {
        rows.reverse();
    }
    let cursor_of = |r: &ListRow| {
        Cursor {
            sort,
            dir,
            key: r.key(sort),
            id: r.id.clone(),
        }
        .encode()
    };
    let (next_cursor, prev_cursor) = match (backwards, cursor.is_some()) {
        // Forward from the start: a previous page exists only after a cursor.
        (false, has_cursor) => (
            more.then(|| rows.last().map(cursor_of)).flatten(),
            has_cursor.then(|| rows.first().map(cursor_of)).flatten(),
        ),
        // Backward: the page we came from is next; more rows before mean a previous.
        (true, _) => (
            rows.last().map(cursor_of),
            more.then(|| rows.first().map(cursor_of)).flatten(),
        ),
    };

    let mut c = QueryText::new();
    c.push("SELECT COUNT(*) FROM (SELECT 1 FROM skus s");
    push_filters(&mut c, ctx, query, leaves.as_deref());
    let cap = c.bind(Bind::Int(SKU_COUNT_CAP + 1));
    c.push(&format!(" LIMIT {cap}) capped"));
    let (count,): (i64,) = bind_all(
        sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(c.sql.clone())),
        &c.binds,
    )
    .fetch_one(db.pool())
    .await?;

    Ok(SkuListPage {
        items: rows.into_iter().map(ListRow::item).collect::<Result<_>>()?,
        next_cursor,
        prev_cursor,
        total: count.min(SKU_COUNT_CAP),
        total_is_exact: count <= SKU_COUNT_CAP,
    })
}

/// How many SKUs the caller's seller has in each status.
pub async fn count_skus(db: &Db, ctx: &SellerCtx) -> Result<SkuCounts> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM skus WHERE seller_id = $1 GROUP BY status")
            .bind(ctx.seller_id().to_string())
            .fetch_all(db.pool())
            .await?;
    let mut counts = SkuCounts {
        by_status: SkuStatus::ALL.iter().map(|s| (*s, 0)).collect(),
        total: 0,
    };
    for (status, n) in rows {
        let status: SkuStatus = parse_col("skus.status", &status)?;
        if let Some(slot) = counts.by_status.iter_mut().find(|(s, _)| *s == status) {
            slot.1 = n;
        }
        counts.total += n;
    }
    Ok(counts)
}

// ---------------------------------------------------------------------------
// Writes

/// SKU problems as field errors, each field prefixed (`items[3].` in a batch).
fn field_errors(problems: &[SkuProblem], prefix: &str, l: Locale) -> Vec<FieldError> {
    problems
        .iter()
        .map(|p| {
            let mut e = p.to_field_error(l);
            if !prefix.is_empty() {
                e.field = format!("{prefix}{}", e.field);
            }
            e
        })
        .collect()
}

const fn outcome_of(change: Change) -> UpsertOutcome {
    match change {
        Change::Created => UpsertOutcome::Created,
        Change::ContentChanged | Change::CommercialChanged => UpsertOutcome::Updated,
        Change::Unchanged => UpsertOutcome::Unchanged,
    }
}

/// What a single write did, and the SKU after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutResult {
    pub outcome: UpsertOutcome,
    pub sku: SkuDetail,
}

/// Creates or replaces one SKU from a form or JSON. Content changes become a new
/// revision waiting for moderation while approved content stays live; commercial
/// changes are live at once; the same values again change nothing.
///
/// `source` is kept on the revision: `cabinet` or `api`.
pub async fn put_sku(
    db: &Db,
    ctx: &SellerCtx,
    input: &SkuInput,
    source: &str,
    l: Locale,
) -> Result<PutResult> {
    ctx.require_catalog_write()?;
    let index = load_index(db).await?;
    let valid = input
        .validate(&index, &SkuRules::default())
        .map_err(|p| Error::Validation(field_errors(&p, "", l)))?;
    let mut tx = db.begin().await?;
    let outcomes =
        upsert::apply_batch_detailed(&mut tx, ctx, std::slice::from_ref(&valid), source).await?;
    let change = outcomes
        .first()
        .map(|o| o.change)
        .ok_or_else(|| Error::Internal("the write path returned no outcome".into()))?;
    if change != Change::Unchanged {
        audit::record(
            &mut tx,
            ctx.actor(),
            "sku.put",
            "sku",
            valid.seller_sku.as_str(),
            Some(ctx.seller_id()),
            serde_json::json!({ "change": change, "source": source }),
        )
        .await?;
    }
    let sku = get_sku_in(&mut tx, ctx, valid.seller_sku.as_str()).await?;
    tx.commit().await?;
    Ok(PutResult {
        outcome: outcome_of(change),
        sku,
    })
}

/// The result for one item of a batch, in the order sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchItemResult {
    pub index: usize,
    pub seller_sku: String,
    /// `None` when the item was refused (see `errors`).
    pub outcome: Option<UpsertOutcome>,
    pub status: Option<SkuStatus>,
    /// Problems, each naming `items[i].<field>`.
    pub errors: Vec<FieldError>,
}

/// Creates or replaces up to [`BATCH_MAX_ITEMS`] SKUs. Valid items are applied
/// together in one transaction; invalid ones are reported per item and do not stop
/// the others.
pub async fn put_skus_batch(
    db: &Db,
    ctx: &SellerCtx,
    items: &[SkuInput],
    source: &str,
    l: Locale,
) -> Result<Vec<BatchItemResult>> {
    ctx.require_catalog_write()?;
    if items.len() > BATCH_MAX_ITEMS {
        return Err(Error::field(
            "items",
            "too_many",
            match l {
                Locale::Ru => format!(
                    "Не больше {BATCH_MAX_ITEMS} товаров за запрос; прислано {}",
                    items.len()
                ),
                Locale::En => format!(
                    "At most {BATCH_MAX_ITEMS} items per request; got {}",
                    items.len()
                ),
            },
        ));
    }
    let index = load_index(db).await?;
    let rules = SkuRules::default();
    let mut results: Vec<BatchItemResult> = Vec::with_capacity(items.len());
    let mut valid: Vec<ValidatedSku> = Vec::with_capacity(items.len());
    let mut valid_at: Vec<usize> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let mut result = BatchItemResult {
            index: i,
            seller_sku: item.sku.trim().to_string(),
            outcome: None,
            status: None,
            errors: Vec::new(),
        };
        match item.validate(&index, &rules) {
            Ok(v) => {
                valid.push(v);
                valid_at.push(i);
            }
            Err(p) => result.errors = field_errors(&p, &format!("items[{i}]."), l),
        }
        results.push(result);
    }
    if valid.is_empty() {
        return Ok(results);
    }
    let mut tx = db.begin().await?;
    let outcomes = upsert::apply_batch_detailed(&mut tx, ctx, &valid, source).await?;
    let counts = upsert::count(&outcomes);
    for (at, o) in valid_at.iter().zip(&outcomes) {
        if let Some(r) = results.get_mut(*at) {
            r.outcome = Some(outcome_of(o.change));
            r.status = Some(o.status);
        }
    }
    if counts.created + counts.updated > 0 {
        audit::record(
            &mut tx,
            ctx.actor(),
            "sku.put_batch",
            "seller_catalog",
            &ctx.seller_id().to_string(),
            Some(ctx.seller_id()),
            serde_json::json!({
                "source": source,
                "created": counts.created,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
                "refused": items.len() - valid.len(),
            }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(results)
}

/// A change of commercial data only. `None` keeps the stored value; an empty old
/// price removes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CommercialPatch {
    pub price: Option<String>,
    pub old_price: Option<String>,
    pub vat: Option<String>,
    pub stock: Option<String>,
}

impl CommercialPatch {
    pub fn is_empty(&self) -> bool {
        self.price.is_none()
            && self.old_price.is_none()
            && self.vat.is_none()
            && self.stock.is_none()
    }
}

/// Changes price, old price, VAT or stock: live at once, never a revision, never
/// moderation. Values are checked with the same rules as a whole SKU.
pub async fn patch_commercial(
    db: &Db,
    ctx: &SellerCtx,
    seller_sku: &str,
    patch: &CommercialPatch,
    l: Locale,
) -> Result<SkuDetail> {
    ctx.require_catalog_write()?;
    let mut tx = db.begin().await?;
    let row = find_sku_for_update(&mut tx, db.engine(), ctx, seller_sku).await?;
    let current = commercial_of(
        row.price_minor,
        row.old_price_minor,
        &row.currency,
        &row.vat,
        row.stock,
    )?;
    let keep_money = |m: Option<Money>| m.map(|m| m.to_plain_string()).unwrap_or_default();
    let price = patch
        .price
        .clone()
        .unwrap_or_else(|| current.price().to_plain_string());
    let old_price = patch
        .old_price
        .clone()
        .unwrap_or_else(|| keep_money(current.old_price()));
    let vat = patch
        .vat
        .clone()
        .unwrap_or_else(|| current.vat().code().to_string());
    let stock = patch
        .stock
        .clone()
        .unwrap_or_else(|| current.stock().to_string());
    let next = SkuCommercial::parse(
        &price,
        &old_price,
        current.currency().code(),
        &vat,
        &stock,
        &SkuRules::default(),
    )
    .map_err(|p| Error::Validation(field_errors(&p, "", l)))?;
    if next.hash() != current.hash() {
        sqlx::query(
            "UPDATE skus SET price_minor = $3, old_price_minor = $4, vat = $5, stock = $6, \
             commercial_hash = $7, updated_at = $8 WHERE seller_id = $1 AND id = $2",
        )
        .bind(ctx.seller_id().to_string())
        .bind(&row.id)
        .bind(next.price().amount_minor())
        .bind(next.old_price().map(|m| m.amount_minor()))
        .bind(next.vat().code())
        .bind(i64::from(next.stock()))
        .bind(next.hash().to_hex())
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            ctx.actor(),
            "sku.patch_commercial",
            "sku",
            &row.seller_sku,
            Some(ctx.seller_id()),
            serde_json::json!({ "before": current, "after": next }),
        )
        .await?;
    }
    let sku = get_sku_in(&mut tx, ctx, &row.seller_sku).await?;
    tx.commit().await?;
    Ok(sku)
}

async fn find_sku_for_update(
    tx: &mut Tx,
    engine: crate::Engine,
    ctx: &SellerCtx,
    seller_sku: &str,
) -> Result<SkuRow> {
    let sql = format!(
        "SELECT {SKU_COLUMNS} FROM skus WHERE seller_id = $1 AND seller_sku = $2{}",
        engine.for_update()
    );
    sqlx::query_as::<_, SkuRow>(sqlx::AssertSqlSafe(sql))
        .bind(ctx.seller_id().to_string())
        .bind(seller_sku.trim())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(Error::NotFound("SKU"))
}

/// Withdraws a SKU from sale (the API's DELETE). Its data and history stay; writing
/// new content brings it back through moderation. Archiving an archived SKU changes
/// nothing.
pub async fn archive_sku(db: &Db, ctx: &SellerCtx, seller_sku: &str) -> Result<SkuDetail> {
    ctx.require_catalog_write()?;
    let mut tx = db.begin().await?;
    let row = find_sku_for_update(&mut tx, db.engine(), ctx, seller_sku).await?;
    let status: SkuStatus = parse_col("skus.status", &row.status)?;
    if let Ok(next) = status.apply(domain::catalog::ModerationAction::Archive) {
        sqlx::query(
            "UPDATE skus SET status = $3, updated_at = $4 WHERE seller_id = $1 AND id = $2",
        )
        .bind(ctx.seller_id().to_string())
        .bind(&row.id)
        .bind(next.as_str())
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            ctx.actor(),
            "sku.archive",
            "sku",
            &row.seller_sku,
            Some(ctx.seller_id()),
            serde_json::json!({ "from": status }),
        )
        .await?;
    } else if status != SkuStatus::Archived {
        return Err(Error::rule(
            ErrorCode::InvalidStateTransition,
            format!("A SKU that is {} cannot be archived", status.as_str()),
        ));
    }
    let sku = get_sku_in(&mut tx, ctx, &row.seller_sku).await?;
    tx.commit().await?;
    Ok(sku)
}

/// Approves a SKU's newest pending revision with no moderator involved: its content
/// goes live and a SKU waiting for its first approval becomes active.
///
/// For demo data and tests only, until the moderation queue exists; the audit log
/// records the system as the one who approved.
pub async fn system_approve_latest_revision(
    db: &Db,
    ctx: &SellerCtx,
    seller_sku: &str,
) -> Result<()> {
    let mut tx = db.begin().await?;
    let row = find_sku_for_update(&mut tx, db.engine(), ctx, seller_sku).await?;
    let Some(latest) = row.latest_revision_id.clone() else {
        return Err(Error::NotFound("revision"));
    };
    let status: SkuStatus = parse_col("skus.status", &row.status)?;
    let next = status
        .apply(domain::catalog::ModerationAction::Approve)
        .map_err(|e| Error::rule(ErrorCode::InvalidStateTransition, e.to_string()))?;
    let now = now_ms();
    let approved = sqlx::query(
        "UPDATE sku_revisions SET status = 'approved', decided_at = $3, decided_by = 'system' \
         WHERE seller_id = $1 AND id = $2 AND status = 'pending'",
    )
    .bind(ctx.seller_id().to_string())
    .bind(&latest)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if approved != 1 {
        return Err(Error::rule(
            ErrorCode::InvalidStateTransition,
            "The newest revision is not waiting for moderation",
        ));
    }
    sqlx::query(
        "UPDATE skus SET live_revision_id = $3, status = $4 WHERE seller_id = $1 AND id = $2",
    )
    .bind(ctx.seller_id().to_string())
    .bind(&row.id)
    .bind(&latest)
    .bind(next.as_str())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        &crate::auth::Actor::system(),
        "sku.system_approve",
        "sku",
        &row.seller_sku,
        Some(ctx.seller_id()),
        serde_json::json!({ "revision": latest }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------
// CSV export

/// SKUs read per query while exporting.
const EXPORT_PAGE: i64 = 1000;

#[derive(sqlx::FromRow)]
struct ExportRow {
    seller_sku: String,
    status: String,
    price_minor: i64,
    old_price_minor: Option<i64>,
    currency: String,
    vat: String,
    stock: i64,
    content: Option<String>,
}

enum ExportState {
    Start,
    /// Rows after this `seller_sku`, with the attribute columns of the header.
    After(String, std::sync::Arc<[String]>),
    Done,
}

/// Writes rows as `;`-separated CSV, every cell guarded against formula injection.
fn csv_chunk(rows: &[Vec<String>]) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::with_capacity(rows.len() * 256));
    for row in rows {
        w.write_record(
            row.iter()
                .map(|c| domain::imports::neutralise_formula(c).into_owned()),
        )
        .map_err(|e| Error::Internal(format!("cannot write CSV: {e}")))?;
    }
    w.into_inner()
        .map_err(|e| Error::Internal(format!("cannot write CSV: {e}")))
}

/// A decimal the way Russian spreadsheets write it (`1299,90`); the import reads it.
fn decimal_comma(s: String) -> String {
    s.replace('.', ",")
}

/// The caller's whole catalog as CSV, streamed page by page so memory stays flat
/// whatever its size: the template's columns (newest content and live commercial
/// data), one `attr:<code>` column per attribute of the categories in use, and the
/// status. `;`-separated UTF-8 with a BOM, decimal commas: Excel opens it as is and
/// the import reads it back. Cells starting with `=`, `+`, `-` or `@` are guarded.
pub fn export_skus_csv(
    db: Db,
    ctx: SellerCtx,
) -> impl futures::Stream<Item = Result<Vec<u8>>> + Send + 'static {
    futures::stream::try_unfold(ExportState::Start, move |state| {
        let db = db.clone();
        let ctx = ctx.clone();
        async move {
            let (after, codes) = match state {
                ExportState::Done => return Ok(None),
                ExportState::Start => {
                    let codes = export_attribute_codes(&db, &ctx).await?;
                    let mut header: Vec<String> = domain::catalog::SkuField::ALL
                        .iter()
                        .map(|f| f.as_str().to_string())
                        .collect();
                    header.extend(codes.iter().map(|c| format!("attr:{c}")));
                    header.push("status".to_string());
                    let mut chunk = b"\xEF\xBB\xBF".to_vec();
                    chunk.extend(csv_chunk(&[header])?);
                    return Ok(Some((
                        chunk,
                        ExportState::After(String::new(), codes.into()),
                    )));
                }
                ExportState::After(after, codes) => (after, codes),
            };
            let rows: Vec<ExportRow> = sqlx::query_as(
                "SELECT s.seller_sku, s.status, s.price_minor, s.old_price_minor, s.currency, s.vat, \
                 s.stock, r.content FROM skus s LEFT JOIN sku_revisions r ON r.id = s.latest_revision_id \
                 WHERE s.seller_id = $1 AND s.seller_sku > $2 ORDER BY s.seller_sku LIMIT $3",
            )
            .bind(ctx.seller_id().to_string())
            .bind(&after)
            .bind(EXPORT_PAGE)
            .fetch_all(db.pool())
            .await?;
            let Some(last) = rows.last().map(|r| r.seller_sku.clone()) else {
                return Ok(None);
            };
            let lines = rows
                .iter()
                .map(|r| export_line(r, &codes))
                .collect::<Result<Vec<_>>>()?;
            let next = if (rows.len() as i64) < EXPORT_PAGE {
                ExportState::Done
            } else {
                ExportState::After(last, codes)
            };
            Ok(Some((csv_chunk(&lines)?, next)))
        }
    })
}

/// The attribute codes of every category the seller has SKUs in, in tree order
/// (one indexed probe per leaf category).
async fn export_attribute_codes(db: &Db, ctx: &SellerCtx) -> Result<Vec<String>> {
    let index = load_index(db).await?;
    let mut codes: Vec<String> = Vec::new();
    for node in domain::catalog::category_nodes(&index) {
        if !node.is_leaf {
            continue;
        }
        let used: Option<(i64,)> = sqlx::query_as(
            "SELECT 1 FROM skus WHERE category_code = $1 AND seller_id = $2 LIMIT 1",
        )
        .bind(&node.code)
        .bind(ctx.seller_id().to_string())
        .fetch_optional(db.pool())
        .await?;
        if used.is_none() {
            continue;
        }
        for a in &node.attributes {
            if !codes.iter().any(|c| c == a.code.as_str()) {
                codes.push(a.code.to_string());
            }
        }
    }
    Ok(codes)
}

fn export_line(r: &ExportRow, attr_codes: &[String]) -> Result<Vec<String>> {
    use domain::catalog::{AttributeValue, SkuField};
    let commercial = commercial_of(
        r.price_minor,
        r.old_price_minor,
        &r.currency,
        &r.vat,
        r.stock,
    )?;
    let content: Option<SkuContent> = r
        .content
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| Error::Internal(format!("bad stored content of {}: {e}", r.seller_sku)))?;
    let num = |v: Option<u32>| v.map(|n| n.to_string()).unwrap_or_default();
    let mut line: Vec<String> = SkuField::ALL
        .iter()
        .map(|f| {
            let c = content.as_ref();
            match f {
                SkuField::Sku => r.seller_sku.clone(),
                SkuField::Title => c.map(|c| c.title().to_string()).unwrap_or_default(),
                SkuField::Description => c
                    .and_then(|c| c.description())
                    .unwrap_or_default()
                    .to_string(),
                SkuField::Brand => c.and_then(|c| c.brand()).unwrap_or_default().to_string(),
                SkuField::Category => c.map(|c| c.category().to_string()).unwrap_or_default(),
                SkuField::Barcode => c
                    .and_then(|c| c.barcode())
                    .map(|b| b.as_str().to_string())
                    .unwrap_or_default(),
                SkuField::Price => decimal_comma(commercial.price().to_plain_string()),
                SkuField::OldPrice => commercial
                    .old_price()
                    .map(|m| decimal_comma(m.to_plain_string()))
                    .unwrap_or_default(),
                SkuField::Currency => commercial.currency().code().to_string(),
                SkuField::Vat => commercial.vat().code().to_string(),
                SkuField::Stock => commercial.stock().to_string(),
                SkuField::WeightG => num(c.and_then(SkuContent::weight_g)),
                SkuField::LengthMm => num(c.and_then(SkuContent::length_mm)),
                SkuField::WidthMm => num(c.and_then(SkuContent::width_mm)),
                SkuField::HeightMm => num(c.and_then(SkuContent::height_mm)),
                SkuField::Images => c
                    .map(|c| {
                        c.images()
                            .iter()
                            .map(|i| i.as_str())
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .unwrap_or_default(),
            }
        })
        .collect();
    for code in attr_codes {
        line.push(
            content
                .as_ref()
                .and_then(|c| c.attribute(code))
                .map(|v| match v {
                    AttributeValue::Decimal(_) => decimal_comma(v.as_input()),
                    _ => v.as_input(),
                })
                .unwrap_or_default(),
        );
    }
    line.push(r.status.clone());
    Ok(line)
}
