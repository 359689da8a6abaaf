//! The lists admins manage: rejection reasons and banned phrases.

use crate::auth::AdminCtx;
use crate::util::{new_uuid, now_ms};
use crate::{Db, Error, Result, audit};
use domain::Locale;
use domain::moderation::banned::{BannedAction, BannedPhrase, PhraseError};
use domain::moderation::{Reason, default_reasons};

/// Inserts the starter reasons when the list is empty (first start).
pub async fn seed_reasons(db: &Db) -> Result<bool> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM moderation_reasons")
        .fetch_one(db.pool())
        .await?;
    if n > 0 {
        return Ok(false);
    }
    let mut tx = db.begin().await?;
    let now = now_ms();
    for (i, r) in default_reasons().into_iter().enumerate() {
        sqlx::query(
            "INSERT INTO moderation_reasons (code, name_ru, name_en, hint_ru, hint_en, field, active, position, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8)",
        )
        .bind(&r.code)
        .bind(&r.name_ru)
        .bind(&r.name_en)
        .bind(&r.hint_ru)
        .bind(&r.hint_en)
        .bind(&r.field)
        .bind(i as i64)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

#[derive(sqlx::FromRow)]
pub(crate) struct ReasonRow {
    code: String,
    name_ru: String,
    name_en: String,
    hint_ru: String,
    hint_en: String,
    field: Option<String>,
    active: i64,
}

impl From<ReasonRow> for Reason {
    fn from(r: ReasonRow) -> Self {
        Reason {
            code: r.code,
            name_ru: r.name_ru,
            name_en: r.name_en,
            hint_ru: r.hint_ru,
            hint_en: r.hint_en,
            field: r.field,
            active: r.active != 0,
        }
    }
}

/// The reasons in display order (retired ones only when asked). The starter list is
/// written on first use.
pub async fn list_reasons(db: &Db, include_retired: bool) -> Result<Vec<Reason>> {
    seed_reasons(db).await?;
    let rows: Vec<ReasonRow> = sqlx::query_as(
        "SELECT code, name_ru, name_en, hint_ru, hint_en, field, active FROM moderation_reasons \
         WHERE active = 1 OR $1 = 1 ORDER BY position, code",
    )
    .bind(i64::from(include_retired))
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(Reason::from).collect())
}

/// Adds a reason or changes an existing one (codes never change: decisions refer to
/// them). Retiring (`active = false`) hides it from moderators' pick list only.
pub async fn save_reason(db: &Db, ctx: &AdminCtx, reason: &Reason, l: Locale) -> Result<()> {
    let code = reason.code.trim();
    let valid_code = !code.is_empty()
        && code.len() <= 40
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid_code {
        return Err(Error::field(
            "code",
            "invalid",
            l.pick(
                "Код: латинские строчные буквы, цифры и _, до 40 символов",
                "Code: lower-case Latin letters, digits and _, up to 40 characters",
            ),
        ));
    }
    for (field, value) in [("name_ru", &reason.name_ru), ("name_en", &reason.name_en)] {
        if value.trim().is_empty() || value.chars().count() > 100 {
            return Err(Error::field(
                field,
                "required",
                l.pick(
                    "Название: от 1 до 100 символов",
                    "Name: 1 to 100 characters",
                ),
            ));
        }
    }
    let mut tx = db.begin().await?;
    let now = now_ms();
    let updated = sqlx::query(
        "UPDATE moderation_reasons SET name_ru = $2, name_en = $3, hint_ru = $4, hint_en = $5, field = $6, active = $7 \
         WHERE code = $1",
    )
    .bind(code)
    .bind(reason.name_ru.trim())
    .bind(reason.name_en.trim())
    .bind(reason.hint_ru.trim())
    .bind(reason.hint_en.trim())
    .bind(reason.field.as_deref().filter(|f| !f.trim().is_empty()))
    .bind(i64::from(reason.active))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if updated == 0 {
        sqlx::query(
            "INSERT INTO moderation_reasons (code, name_ru, name_en, hint_ru, hint_en, field, active, position, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT COALESCE(MAX(position), 0) + 1 FROM moderation_reasons), $8)",
        )
        .bind(code)
        .bind(reason.name_ru.trim())
        .bind(reason.name_en.trim())
        .bind(reason.hint_ru.trim())
        .bind(reason.hint_en.trim())
        .bind(reason.field.as_deref().filter(|f| !f.trim().is_empty()))
        .bind(i64::from(reason.active))
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    audit::record(
        &mut tx,
        ctx.actor(),
        if updated == 0 {
            "moderation.reason_add"
        } else {
            "moderation.reason_change"
        },
        "moderation_reason",
        code,
        None,
        serde_json::json!({ "name_en": reason.name_en, "active": reason.active }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub use domain::moderation::view::BannedEntry;

pub async fn list_banned(db: &Db) -> Result<Vec<BannedEntry>> {
    let rows: Vec<(String, String, String, i64)> =
        sqlx::query_as("SELECT id, phrase, action, created_at FROM banned_phrases ORDER BY phrase")
            .fetch_all(db.pool())
            .await?;
    rows.into_iter()
        .map(|(id, phrase, action, created_at_ms)| {
            Ok(BannedEntry {
                id,
                phrase,
                action: BannedAction::parse(&action)
                    .ok_or_else(|| Error::Internal(format!("bad banned action {action}")))?,
                created_at_ms,
            })
        })
        .collect()
}

/// The phrases ready for matching (the checks worker's copy).
pub async fn banned_phrases(db: &Db) -> Result<Vec<BannedPhrase>> {
    Ok(list_banned(db)
        .await?
        .into_iter()
        .filter_map(|e| BannedPhrase::new(&e.phrase, e.action).ok())
        .collect())
}

pub async fn add_banned(
    db: &Db,
    ctx: &AdminCtx,
    phrase: &str,
    action: BannedAction,
    l: Locale,
) -> Result<BannedEntry> {
    let parsed = BannedPhrase::new(phrase, action).map_err(|e| {
        Error::field(
            "phrase",
            "invalid",
            match e {
                PhraseError::Empty => l.pick("Введите слово или фразу", "Enter a word or phrase"),
                PhraseError::TooLong => l.pick("Не длиннее 100 символов", "At most 100 characters"),
            },
        )
    })?;
    let normalized = parsed.normalized();
    let mut tx = db.begin().await?;
    let (exists,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM banned_phrases WHERE normalized = $1")
            .bind(&normalized)
            .fetch_one(&mut *tx)
            .await?;
    if exists > 0 {
        return Err(Error::field(
            "phrase",
            "duplicate",
            l.pick(
                "Такая фраза (или её форма) уже в списке",
                "This phrase (or a form of it) is already on the list",
            ),
        ));
    }
    let id = new_uuid().to_string();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO banned_phrases (id, phrase, normalized, action, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(&parsed.phrase)
    .bind(&normalized)
    .bind(action.as_str())
    .bind(&ctx.actor().label)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        ctx.actor(),
        "moderation.banned_add",
        "banned_phrase",
        &id,
        None,
        serde_json::json!({ "phrase": parsed.phrase, "action": action.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(BannedEntry {
        id,
        phrase: parsed.phrase,
        action,
        created_at_ms: now,
    })
}

pub async fn remove_banned(db: &Db, ctx: &AdminCtx, id: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    let row: Option<(String,)> = sqlx::query_as("SELECT phrase FROM banned_phrases WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some((phrase,)) = row else {
        return Err(Error::NotFound("banned phrase"));
    };
    sqlx::query("DELETE FROM banned_phrases WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        ctx.actor(),
        "moderation.banned_remove",
        "banned_phrase",
        id,
        None,
        serde_json::json!({ "phrase": phrase }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Every category in tree order with its moderation rules.
pub async fn list_category_rules(
    db: &Db,
) -> Result<Vec<domain::moderation::view::CategoryRuleView>> {
    let index = crate::catalog::categories::load_index(db).await?;
    let rows: Vec<(String, i64, Option<i64>)> =
        sqlx::query_as("SELECT code, restricted, image_min_side FROM categories")
            .fetch_all(db.pool())
            .await?;
    let mut out = Vec::new();
    for c in index.iter() {
        let (restricted, side) = rows
            .iter()
            .find(|(code, _, _)| code == c.code().as_str())
            .map(|(_, r, s)| (*r != 0, s.and_then(|s| u32::try_from(s).ok())))
            .unwrap_or((false, None));
        out.push(domain::moderation::view::CategoryRuleView {
            code: c.code().as_str().to_string(),
            name_ru: c.name(Locale::Ru).to_string(),
            name_en: c.name(Locale::En).to_string(),
            depth: u32::try_from(c.depth()).unwrap_or(0),
            restricted,
            image_min_side: side,
        });
    }
    Ok(out)
}

/// Sets whether a category is for verified sellers only and its minimum image side.
pub async fn set_category_rule(
    db: &Db,
    ctx: &AdminCtx,
    code: &str,
    restricted: bool,
    image_min_side: Option<u32>,
    l: Locale,
) -> Result<()> {
    if let Some(side) = image_min_side
        && !(1..=10_000).contains(&side)
    {
        return Err(Error::field(
            "image_min_side",
            "out_of_range",
            l.pick(
                "Сторона фото: от 1 до 10 000 пикселей",
                "Image side: 1 to 10,000 pixels",
            ),
        ));
    }
    // The starter tree is written on first use.
    crate::catalog::categories::load_index(db).await?;
    let mut tx = db.begin().await?;
    let n =
        sqlx::query("UPDATE categories SET restricted = $2, image_min_side = $3 WHERE code = $1")
            .bind(code)
            .bind(i64::from(restricted))
            .bind(image_min_side.map(i64::from))
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if n == 0 {
        return Err(Error::NotFound("category"));
    }
    audit::record(
        &mut tx,
        ctx.actor(),
        "moderation.category_rule",
        "category",
        code,
        None,
        serde_json::json!({ "restricted": restricted, "image_min_side": image_min_side }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
