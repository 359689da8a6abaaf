//! The category tree: its storage, the cached [`CategoryIndex`] every SKU write
//! validates against, the starter tree, and the administrator's use cases (create,
//! edit, delete, import and export as CSV).
//!
//! Every change to the tree bumps `catalog_meta.tree_version` in the same
//! transaction. [`load_index`] reads that one number per call and rebuilds its
//! in-process index only when it moved, so every instance behind a load balancer
//! sees an administrator's change on its next request.

use crate::auth::{Actor, AdminCtx};
use crate::util::now_ms;
use crate::{Db, Error, Result, Tx, audit};
use domain::catalog::{
    Category, CategoryCode, CategoryIndex, CategoryInput, TreeCsvProblem, TreeCsvProblemKind,
    TreeImportReport, TreeImportResult, TreeProblemView, catalog_error_field,
    catalog_error_message, categories_depth_first, parse_category_csv_with_rows,
    starter_categories, write_category_csv,
};
use domain::{FieldError, Locale};
use sqlx::any::AnyConnectOptions;
use sqlx::{Any, Executor};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};

#[derive(sqlx::FromRow)]
struct CategoryRow {
    code: String,
    parent_code: Option<String>,
    name_ru: String,
    name_en: String,
    return_window_days: i64,
    attributes: String,
}

impl CategoryRow {
    fn into_category(self) -> Result<Category> {
        let bad = |what: &str, e: &dyn std::fmt::Display| {
            Error::Internal(format!("bad stored category {}: {what}: {e}", self.code))
        };
        Ok(Category {
            code: CategoryCode::parse(&self.code).map_err(|e| bad("code", &e))?,
            parent: self
                .parent_code
                .as_deref()
                .map(CategoryCode::parse)
                .transpose()
                .map_err(|e| bad("parent_code", &e))?,
            return_window_days: u16::try_from(self.return_window_days)
                .map_err(|e| bad("return_window_days", &e))?,
            attributes: serde_json::from_str(&self.attributes)
                .map_err(|e| bad("attributes", &e))?,
            name_ru: self.name_ru,
            name_en: self.name_en,
        })
    }
}

async fn read_categories<'e, E>(executor: E) -> Result<Vec<Category>>
where
    E: Executor<'e, Database = Any>,
{
    let rows: Vec<CategoryRow> = sqlx::query_as(
        "SELECT code, parent_code, name_ru, name_en, return_window_days, attributes \
         FROM categories ORDER BY position, code",
    )
    .fetch_all(executor)
    .await?;
    rows.into_iter().map(CategoryRow::into_category).collect()
}

/// The version of the tree: 0 until the starter tree is seeded, then bumped by
/// every change.
pub async fn tree_version(db: &Db) -> Result<i64> {
    let (v,): (i64,) = sqlx::query_as("SELECT tree_version FROM catalog_meta WHERE id = 1")
        .fetch_one(db.pool())
        .await?;
    Ok(v)
}

/// Marks the tree changed, in the transaction that changes it.
async fn bump_version(tx: &mut Tx) -> Result<()> {
    sqlx::query("UPDATE catalog_meta SET tree_version = tree_version + 1 WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// One cached index. The pool's connect options stand for the database: holding the
/// `Arc` keeps its address from being reused by another pool while it is cached, so
/// one process serving several databases (the test suite) never mixes their trees.
struct CacheEntry {
    database: Arc<AnyConnectOptions>,
    version: i64,
    index: Arc<CategoryIndex>,
}

static INDEX_CACHE: Mutex<Vec<CacheEntry>> = Mutex::new(Vec::new());
/// Databases one process keeps an index for (a server has one; tests have many).
const CACHE_SLOTS: usize = 8;

fn cached(db: &Db, version: i64) -> Option<Arc<CategoryIndex>> {
    let database = db.pool().connect_options();
    let cache = INDEX_CACHE.lock().ok()?;
    cache
        .iter()
        .find(|e| Arc::ptr_eq(&e.database, &database) && e.version == version)
        .map(|e| e.index.clone())
}

fn remember(db: &Db, version: i64, index: Arc<CategoryIndex>) {
    let database = db.pool().connect_options();
    // A poisoned lock only means another thread panicked while caching: skip caching.
    let Ok(mut cache) = INDEX_CACHE.lock() else {
        return;
    };
    cache.retain(|e| !Arc::ptr_eq(&e.database, &database));
    if cache.len() >= CACHE_SLOTS {
        cache.remove(0);
    }
    cache.push(CacheEntry {
        database,
        version,
        index,
    });
}

/// The current category tree as an index, from the in-process cache when the tree's
/// version has not moved (one small read per call). The first call on a database
/// that was never given a tree seeds the starter tree.
pub async fn load_index(db: &Db) -> Result<Arc<CategoryIndex>> {
    let mut version = tree_version(db).await?;
    if version == 0 {
        seed_starter_tree(db).await?;
        version = tree_version(db).await?;
    }
    if let Some(index) = cached(db, version) {
        return Ok(index);
    }
    // Rows read after the version are at least as new as it. Caching newer rows
    // under an older version is harmless: the next call reads a different version
    // and misses. The reverse (older rows under a newer version) cannot happen.
    let categories = read_categories(db.pool()).await?;
    let index =
        Arc::new(CategoryIndex::new(categories).map_err(|e| {
            Error::Internal(format!("the stored category tree is inconsistent: {e}"))
        })?);
    remember(db, version, index.clone());
    Ok(index)
}

/// The categories depth-first (parents before children), for the API, the cabinet
/// and the browser, which rebuilds the same index from them.
pub async fn list_categories(db: &Db) -> Result<Vec<Category>> {
    Ok(categories_depth_first(&*load_index(db).await?))
}

/// Seeds the starter tree into a database that never had one (tree version 0 and no
/// categories). Returns whether it did. Safe to call on every start.
pub async fn seed_starter_tree(db: &Db) -> Result<bool> {
    let mut tx = db.begin().await?;
    let sql = format!(
        "SELECT tree_version FROM catalog_meta WHERE id = 1{}",
        db.engine().for_update()
    );
    let (version,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_one(&mut *tx)
        .await?;
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM categories")
        .fetch_one(&mut *tx)
        .await?;
    if version != 0 || count != 0 {
        tx.rollback().await?;
        return Ok(false);
    }
    let index = CategoryIndex::new(starter_categories())
        .map_err(|e| Error::Internal(format!("the starter tree is inconsistent: {e}")))?;
    let categories = categories_depth_first(&index);
    let now = now_ms();
    for (position, c) in categories.iter().enumerate() {
        insert_category(&mut tx, c, position as i64, now).await?;
    }
    bump_version(&mut tx).await?;
    audit::record(
        &mut tx,
        &Actor::system(),
        "category.seed_starter_tree",
        "category_tree",
        "starter",
        None,
        serde_json::json!({ "categories": categories.len() }),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        categories = categories.len(),
        "seeded the starter category tree"
    );
    Ok(true)
}

fn attributes_json(c: &Category) -> Result<String> {
    serde_json::to_string(&c.attributes)
        .map_err(|e| Error::Internal(format!("cannot serialise attributes: {e}")))
}

async fn insert_category(tx: &mut Tx, c: &Category, position: i64, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO categories (code, parent_code, name_ru, name_en, return_window_days, attributes, \
         position, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(c.code.as_str())
    .bind(c.parent.as_ref().map(|p| p.as_str().to_string()))
    .bind(&c.name_ru)
    .bind(&c.name_en)
    .bind(i64::from(c.return_window_days))
    .bind(attributes_json(c)?)
    .bind(position)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn update_row(tx: &mut Tx, c: &Category, position: Option<i64>, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE categories SET parent_code = $2, name_ru = $3, name_en = $4, return_window_days = $5, \
         attributes = $6, position = COALESCE($7, position), updated_at = $8 WHERE code = $1",
    )
    .bind(c.code.as_str())
    .bind(c.parent.as_ref().map(|p| p.as_str().to_string()))
    .bind(&c.name_ru)
    .bind(&c.name_en)
    .bind(i64::from(c.return_window_days))
    .bind(attributes_json(c)?)
    .bind(position)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The tree as stored, read inside `tx` so the change is checked against exactly
/// what it will replace.
async fn locked_tree(tx: &mut Tx, engine: crate::Engine) -> Result<Vec<Category>> {
    // Serialises tree changes on PostgreSQL (SQLite's BEGIN IMMEDIATE already does).
    let sql = format!(
        "SELECT tree_version FROM catalog_meta WHERE id = 1{}",
        engine.for_update()
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(&mut **tx)
        .await?;
    read_categories(&mut **tx).await
}

async fn has_skus(tx: &mut Tx, code: &str) -> Result<bool> {
    let found: Option<(i64,)> =
        sqlx::query_as("SELECT 1 FROM skus WHERE category_code = $1 LIMIT 1")
            .bind(code)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(found.is_some())
}

/// Checks a whole tree after a change; the error names the form field at fault.
fn check_tree(all: Vec<Category>, changed: &Category, l: Locale) -> Result<CategoryIndex> {
    CategoryIndex::new(all).map_err(|e| {
        Error::Validation(vec![FieldError::new(
            catalog_error_field(&e, changed),
            "invalid_tree",
            catalog_error_message(&e, l),
        )])
    })
}

/// A category that SKUs are in must stay a leaf: SKUs only go into leaves.
async fn refuse_parent_with_skus(
    tx: &mut Tx,
    parent: Option<&CategoryCode>,
    l: Locale,
) -> Result<()> {
    if let Some(p) = parent
        && has_skus(tx, p.as_str()).await?
    {
        return Err(Error::field(
            "parent",
            "parent_has_skus",
            match l {
                Locale::Ru => format!(
                    "В категории {p} есть товары: подкатегории можно добавить только в категорию без товаров"
                ),
                Locale::En => format!(
                    "Category {p} has SKUs: subcategories can only go under a category without SKUs"
                ),
            },
        ));
    }
    Ok(())
}

/// The editor's starting values for one category.
pub async fn get_category(db: &Db, _ctx: &AdminCtx, code: &str) -> Result<CategoryInput> {
    let index = load_index(db).await?;
    index
        .get(code)
        .map(|c| CategoryInput::of(c.category()))
        .ok_or(Error::NotFound("category"))
}

/// Creates a category (appended after its siblings).
pub async fn create_category(
    db: &Db,
    ctx: &AdminCtx,
    input: &CategoryInput,
    l: Locale,
) -> Result<CategoryCode> {
    let category = input.parse(l).map_err(Error::Validation)?;
    let mut tx = db.begin().await?;
    let mut all = locked_tree(&mut tx, db.engine()).await?;
    if all.iter().any(|c| c.code == category.code) {
        return Err(Error::field(
            "code",
            "taken",
            l.pick(
                "Категория с таким кодом уже есть",
                "A category with this code exists already",
            ),
        ));
    }
    refuse_parent_with_skus(&mut tx, category.parent.as_ref(), l).await?;
    all.push(category.clone());
    check_tree(all, &category, l)?;
    let (max,): (Option<i64>,) = sqlx::query_as("SELECT MAX(position) FROM categories")
        .fetch_one(&mut *tx)
        .await?;
    insert_category(&mut tx, &category, max.unwrap_or(0) + 1, now_ms()).await?;
    bump_version(&mut tx).await?;
    audit::record(
        &mut tx,
        ctx.actor(),
        "category.create",
        "category",
        category.code.as_str(),
        None,
        serde_json::to_value(&category).unwrap_or_default(),
    )
    .await?;
    tx.commit().await?;
    Ok(category.code)
}

/// Changes a category's names, parent, return window and attributes. The code
/// stays: SKUs refer to it.
pub async fn update_category(
    db: &Db,
    ctx: &AdminCtx,
    code: &str,
    input: &CategoryInput,
    l: Locale,
) -> Result<()> {
    let mut input = input.clone();
    input.code = code.to_string();
    let category = input.parse(l).map_err(Error::Validation)?;
    let mut tx = db.begin().await?;
    let mut all = locked_tree(&mut tx, db.engine()).await?;
    let Some(slot) = all.iter().position(|c| c.code == category.code) else {
        return Err(Error::NotFound("category"));
    };
    if all[slot] == category {
        return Ok(());
    }
    let before = std::mem::replace(&mut all[slot], category.clone());
    if before.parent != category.parent {
        refuse_parent_with_skus(&mut tx, category.parent.as_ref(), l).await?;
    }
    check_tree(all, &category, l)?;
    update_row(&mut tx, &category, None, now_ms()).await?;
    bump_version(&mut tx).await?;
    audit::record(
        &mut tx,
        ctx.actor(),
        "category.update",
        "category",
        category.code.as_str(),
        None,
        serde_json::json!({ "before": before, "after": category }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a leaf category that no SKU is in.
pub async fn delete_category(db: &Db, ctx: &AdminCtx, code: &str, l: Locale) -> Result<()> {
    let mut tx = db.begin().await?;
    let all = locked_tree(&mut tx, db.engine()).await?;
    let Some(category) = all.iter().find(|c| c.code.as_str() == code) else {
        return Err(Error::NotFound("category"));
    };
    if all
        .iter()
        .any(|c| c.parent.as_ref().is_some_and(|p| p.as_str() == code))
    {
        return Err(Error::rule(
            domain::ErrorCode::Conflict,
            l.pick(
                "У категории есть подкатегории: сначала удалите или перенесите их",
                "The category has subcategories: delete or move them first",
            ),
        ));
    }
    if has_skus(&mut tx, code).await? {
        return Err(Error::rule(
            domain::ErrorCode::Conflict,
            l.pick(
                "В категории есть товары продавцов: её нельзя удалить",
                "Sellers' SKUs are in this category: it cannot be deleted",
            ),
        ));
    }
    sqlx::query("DELETE FROM categories WHERE code = $1")
        .bind(code)
        .execute(&mut *tx)
        .await?;
    bump_version(&mut tx).await?;
    audit::record(
        &mut tx,
        ctx.actor(),
        "category.delete",
        "category",
        code,
        None,
        serde_json::to_value(category).unwrap_or_default(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Replaces the tree with the one in an uploaded category CSV, all or nothing.
///
/// Everything is checked before anything is written, and every problem names its
/// row and column. Categories in the file are created or updated (in the file's
/// order). Categories missing from the file are deleted, except those SKUs are in:
/// they are kept, with their ancestors, and listed in the report. A category with
/// SKUs may not become a parent.
pub async fn import_tree_csv(
    db: &Db,
    ctx: &AdminCtx,
    bytes: &[u8],
    l: Locale,
) -> Result<TreeImportResult> {
    let reject = |problems: Vec<TreeCsvProblem>| {
        Ok(TreeImportResult::Rejected(
            problems.iter().map(|p| TreeProblemView::of(p, l)).collect(),
        ))
    };
    let (incoming, rows) = match parse_category_csv_with_rows(bytes) {
        Ok(parsed) => parsed,
        Err(problems) => return reject(problems),
    };
    let row_of: HashMap<&str, u64> = incoming
        .iter()
        .zip(&rows)
        .map(|(c, r)| (c.code.as_str(), *r))
        .collect();
    let tree_problem = |code: Option<&str>, column: Option<&'static str>, kind| TreeCsvProblem {
        row: code.and_then(|c| row_of.get(c).copied()).unwrap_or(0),
        column,
        kind,
    };

    let mut tx = db.begin().await?;
    let current = locked_tree(&mut tx, db.engine()).await?;
    let incoming_codes: HashSet<&str> = incoming.iter().map(|c| c.code.as_str()).collect();

    // Which stored categories SKUs are in (one indexed probe per category).
    let mut with_skus = BTreeSet::new();
    for c in &current {
        if has_skus(&mut tx, c.code.as_str()).await? {
            with_skus.insert(c.code.to_string());
        }
    }
    // Missing from the file but holding SKUs: kept, with every ancestor.
    let by_code: HashMap<&str, &Category> = current.iter().map(|c| (c.code.as_str(), c)).collect();
    let mut kept: BTreeSet<String> = BTreeSet::new();
    for code in &with_skus {
        let mut at = by_code.get(code.as_str()).copied();
        while let Some(c) = at {
            if incoming_codes.contains(c.code.as_str()) {
                break;
            }
            kept.insert(c.code.to_string());
            at = c
                .parent
                .as_ref()
                .and_then(|p| by_code.get(p.as_str()).copied());
        }
    }
    let mut merged = incoming.clone();
    merged.extend(
        current
            .iter()
            .filter(|c| kept.contains(c.code.as_str()))
            .cloned(),
    );
    let index = match CategoryIndex::new(merged) {
        Ok(index) => index,
        Err(e) => {
            let code = tree_error_category(&e, &incoming);
            return reject(vec![tree_problem(
                code.as_deref(),
                Some("category_code"),
                TreeCsvProblemKind::Tree(e),
            )]);
        }
    };
    // SKUs only go into leaves, so a category with SKUs must stay one.
    let mut problems = Vec::new();
    for code in &with_skus {
        if let Some(c) = index.get(code)
            && let Some(child) = c.children().next()
        {
            let child = child.code().to_string();
            problems.push(TreeProblemView {
                row: row_of.get(child.as_str()).copied().unwrap_or(0),
                column: Some("parent_code".to_string()),
                message: match l {
                    Locale::Ru => format!(
                        "в категории {code} есть товары, у неё не может быть подкатегорий (здесь {child})"
                    ),
                    Locale::En => format!(
                        "category {code} has SKUs and cannot have subcategories (here {child})"
                    ),
                },
            });
        }
    }
    if !problems.is_empty() {
        // A rejected upload changes nothing.
        tx.rollback().await?;
        return Ok(TreeImportResult::Rejected(problems));
    }

    let now = now_ms();
    let position: HashMap<&str, i64> = incoming
        .iter()
        .enumerate()
        .map(|(i, c)| (c.code.as_str(), i as i64))
        .collect();
    let mut report = TreeImportReport::default();
    // Parents first, so every parent exists before a child points at it.
    for c in categories_depth_first(&index) {
        let pos = position.get(c.code.as_str()).copied();
        match by_code.get(c.code.as_str()) {
            None => {
                insert_category(&mut tx, &c, pos.unwrap_or(0), now).await?;
                report.created += 1;
            }
            Some(old) if **old == c => {
                if let Some(p) = pos {
                    sqlx::query("UPDATE categories SET position = $2 WHERE code = $1")
                        .bind(c.code.as_str())
                        .bind(p)
                        .execute(&mut *tx)
                        .await?;
                }
                report.unchanged += 1;
            }
            Some(_) => {
                update_row(&mut tx, &c, pos, now).await?;
                report.updated += 1;
            }
        }
    }
    // Children before parents, so no remaining row points at a deleted one.
    let old_index = CategoryIndex::new(current.clone())
        .map_err(|e| Error::Internal(format!("the stored category tree is inconsistent: {e}")))?;
    let mut doomed: Vec<String> = categories_depth_first(&old_index)
        .into_iter()
        .filter(|c| index.get(c.code.as_str()).is_none())
        .map(|c| c.code.to_string())
        .collect();
    doomed.reverse();
    for code in &doomed {
        sqlx::query("DELETE FROM categories WHERE code = $1")
            .bind(code)
            .execute(&mut *tx)
            .await?;
        report.deleted += 1;
    }
    report.kept = kept.into_iter().collect();
    bump_version(&mut tx).await?;
    audit::record(
        &mut tx,
        ctx.actor(),
        "category.import_tree",
        "category_tree",
        "csv",
        None,
        serde_json::json!({
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "deleted": doomed,
            "kept": report.kept,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(TreeImportResult::Applied(report))
}

/// The category a tree-level mistake is about, to find its row.
fn tree_error_category(e: &domain::catalog::CatalogError, incoming: &[Category]) -> Option<String> {
    use domain::catalog::CatalogError as E;
    if let E::DuplicateSiblingName { name } = e {
        // The later of the two siblings is the one to fix.
        return incoming
            .iter()
            .rev()
            .find(|c| {
                [&c.name_ru, &c.name_en]
                    .iter()
                    .any(|n| n.trim().to_lowercase() == name.trim().to_lowercase())
            })
            .map(|c| c.code.to_string());
    }
    match e {
        E::DuplicateCategory(c) | E::Cycle(c) | E::MissingName(c) | E::BadReturnWindow(c) => {
            Some(c.clone())
        }
        E::UnknownParent { category, .. }
        | E::DuplicateAttribute { category, .. }
        | E::DuplicateEnumValue { category, .. }
        | E::EmptyEnum { category, .. }
        | E::BadRange { category, .. }
        | E::MissingAttributeName { category, .. } => Some(category.clone()),
        E::DuplicateSiblingName { .. }
        | E::BadCategoryCode(_)
        | E::BadAttributeCode(_)
        | E::BadEnumValueCode(_) => None,
    }
}

/// The whole tree as the category CSV (`;`, UTF-8 with BOM), parents first; the
/// import reads it back to the same tree.
pub async fn export_tree_csv(db: &Db, _ctx: &AdminCtx) -> Result<Vec<u8>> {
    let categories = list_categories(db).await?;
    let mut out = Vec::with_capacity(64 * 1024);
    write_category_csv(&categories, &mut out)
        .map_err(|e| Error::Internal(format!("cannot write the category CSV: {e}")))?;
    Ok(out)
}
