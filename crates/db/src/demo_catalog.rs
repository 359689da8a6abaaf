//! The demo catalog: the starter category tree, SKUs of both demo sellers in every
//! everyday status, and one finished import with a few rejected rows whose error
//! report can be downloaded.
//!
//! The SKUs arrive the way sellers' SKUs do: a Windows-1251 price list from Excel
//! goes through the real upload and import job; a few English listings come through
//! the same write path as the API. Statuses the moderation queue will decide
//! (approved, rejected) are set here directly until that queue exists.

use crate::auth::SellerCtx;
use crate::blobs::BlobStore;
use crate::catalog::categories::load_index;
use crate::imports::{Accepted, ImportRunner, JOB_KIND, JobOutcome, RunnerOptions, Upload};
use crate::{Db, Error, Result};
use bytes::Bytes;
use domain::Locale;
use domain::catalog::SkuInput;
use domain::imports::sample::{SampleOptions, write_sample};
use domain::imports::{Delimiter, HeaderStyle, ImportMode, SourceEncoding};

async fn seller_of(db: &Db, email: &str) -> Result<SellerCtx> {
    crate::accounts::principal_by_email(db, email)
        .await?
        .ok_or_else(|| Error::Internal(format!("demo user {email} is missing")))?
        .seller()
}

/// Uploads a generated price list and runs its import to the end, here and now.
async fn import_sample(
    db: &Db,
    blobs: &BlobStore,
    ctx: &SellerCtx,
    file_name: &str,
    options: &SampleOptions,
) -> Result<()> {
    let index = load_index(db).await?;
    let mut file = Vec::new();
    write_sample(&mut file, &index, options)
        .map_err(|e| Error::Internal(format!("cannot generate the demo price list: {e}")))?;
    let accepted = crate::imports::create_import(
        db,
        blobs,
        ctx,
        Upload {
            file_name: file_name.to_string(),
            mode: ImportMode::ApplyValid,
            overrides: Default::default(),
            body: futures::stream::iter([Ok::<Bytes, std::io::Error>(Bytes::from(file))]),
            max_bytes: 1 << 30,
            locale: Locale::Ru,
            idempotency_key: None,
        },
    )
    .await
    .map_err(|e| Error::Internal(format!("the demo price list was refused: {e}")))?;
    if !matches!(accepted, Accepted::Created { .. }) {
        return Err(Error::Internal("the demo import was not created".into()));
    }
    let runner = ImportRunner::new(blobs.clone(), RunnerOptions::default());
    let worker = "demo-seed";
    while let Some(job) = crate::jobs::claim(db, worker, &[JOB_KIND], 60_000).await? {
        if runner.run(db, &job, worker).await? == JobOutcome::Done {
            crate::jobs::complete(db, job.id, worker).await?;
        }
    }
    Ok(())
}

async fn seller_skus(db: &Db, ctx: &SellerCtx) -> Result<Vec<String>> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT seller_sku FROM skus WHERE seller_id = $1 ORDER BY seller_sku")
            .bind(ctx.seller_id().to_string())
            .fetch_all(db.pool())
            .await?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}

/// A SKU the seller saved but has not sent to moderation yet.
async fn make_draft(db: &Db, ctx: &SellerCtx, seller_sku: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE skus SET status = 'draft' WHERE seller_id = $1 AND seller_sku = $2")
        .bind(ctx.seller_id().to_string())
        .bind(seller_sku)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

fn tshirt(sku: &str, title: &str, color: &str, size: &str, price: &str, stock: &str) -> SkuInput {
    SkuInput {
        sku: sku.into(),
        title: title.into(),
        description: "100% combed cotton, 180 g/m². Machine wash at 30 °C.".into(),
        brand: "Northwind Basics".into(),
        category: "tshirts".into(),
        price: price.into(),
        stock: stock.into(),
        vat: "20".into(),
        weight_g: "210".into(),
        images: vec![format!(
            "https://images.demo.bazaar/northwind/{}.jpg",
            sku.to_ascii_lowercase()
        )],
        attributes: [
            ("color", color),
            ("size", size),
            ("gender", "unisex"),
            ("material", "cotton"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
        ..SkuInput::default()
    }
}

/// The demo moderator at work, once the demo images exist: the automatic checks run,
/// then most queued listings are approved, some rejected with reasons, and the rest
/// stay in the queue for whoever logs in as the moderator. Two banned phrases show
/// the managed list.
pub async fn moderate(db: &Db, config: &domain::moderation::RulesConfig) -> Result<()> {
    use crate::moderation::{ReasonRef, checks, lists, queue};
    use domain::moderation::DecisionKind;
    use domain::moderation::banned::BannedAction;
    let admin = crate::auth::principal_for_user(db, user_id(db, "admin@demo.bazaar").await?)
        .await?
        .ok_or(Error::NotFound("demo admin"))?
        .admin()?;
    for (phrase, action) in [
        ("реплика", BannedAction::Reject),
        ("копия", BannedAction::Review),
    ] {
        lists::add_banned(db, &admin, phrase, action, Locale::Ru).await?;
    }
    checks::run_until_idle(db, config).await?;
    let moderator =
        crate::auth::principal_for_user(db, user_id(db, "moderator@demo.bazaar").await?)
            .await?
            .ok_or(Error::NotFound("demo moderator"))?
            .moderator()?;
    let held = queue::claim(db, &moderator, queue::MAX_HELD).await?;
    let mut left = Vec::new();
    for (i, item) in held.iter().enumerate() {
        let decision = match i % 8 {
            0..=4 => queue::HumanDecision {
                kind: DecisionKind::Approve,
                reasons: Vec::new(),
                comment: None,
            },
            5 if i < 30 => queue::HumanDecision {
                kind: DecisionKind::Reject,
                reasons: vec![
                    ReasonRef { code: "poor_images".into(), field: Some("images".into()) },
                    ReasonRef { code: "wrong_category".into(), field: Some("category".into()) },
                ],
                comment: Some(
                    "Фото с водяным знаком; товар относится к другой категории. / The photo has a watermark; the item belongs in another category."
                        .into(),
                ),
            },
            _ => {
                left.push(item.revision_id.clone());
                continue;
            }
        };
        queue::decide(db, &moderator, &item.revision_id, &decision, Locale::Ru).await?;
    }
    queue::release(db, &moderator, &left).await?;
    Ok(())
}

/// Every (seller, image URL) the catalog's content names, in first-use order.
pub async fn image_urls(db: &Db) -> Result<Vec<(domain::ids::SellerId, String)>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT seller_id, content FROM sku_revisions ORDER BY created_at, id")
            .fetch_all(db.pool())
            .await?;
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (seller, content) in rows {
        let Ok(content) = serde_json::from_str::<domain::catalog::SkuContent>(&content) else {
            continue;
        };
        let seller_id: domain::ids::SellerId =
            crate::util::parse_col("sku_revisions.seller_id", &seller)?;
        for url in content.images() {
            if seen.insert((seller.clone(), url.as_str().to_string())) {
                out.push((seller_id, url.as_str().to_string()));
            }
        }
    }
    Ok(out)
}

async fn user_id(db: &Db, email: &str) -> Result<domain::ids::UserId> {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(db.pool())
        .await?;
    crate::util::parse_col("users.id", &id)
}

/// Seeds the demo catalog (called once, right after the demo accounts are created).
pub async fn seed(db: &Db, blobs: &BlobStore) -> Result<()> {
    load_index(db).await?;
    let north = seller_of(db, "seller@demo.bazaar").await?;
    // An Excel price list: Windows-1251, semicolons, Russian headers, decimal
    // commas; about one row in twelve has a mistake.
    import_sample(
        db,
        blobs,
        &north,
        "прайс-лист сентябрь.csv",
        &SampleOptions {
            rows: 48,
            seed: 7,
            bad_rows_per_thousand: 80,
            encoding: SourceEncoding::Windows1251,
            delimiter: Delimiter::Semicolon,
            bom: false,
            headers: HeaderStyle::Russian,
            categories: vec![
                "smartphones".into(),
                "headphones".into(),
                "kettles".into(),
                "sneakers".into(),
            ],
        },
    )
    .await?;
    crate::catalog::skus::put_skus_batch(
        db,
        &north,
        &[
            tshirt(
                "NW-TEE-BLK-M",
                "Basic Cotton T-Shirt, black, M",
                "black",
                "m",
                "990",
                "120",
            ),
            tshirt(
                "NW-TEE-BLK-L",
                "Basic Cotton T-Shirt, black, L",
                "black",
                "l",
                "990",
                "85",
            ),
            tshirt(
                "NW-TEE-WHT-M",
                "Basic Cotton T-Shirt, white, M",
                "white",
                "m",
                "990",
                "0",
            ),
            tshirt(
                "NW-TEE-GRY-XL",
                "Basic Cotton T-Shirt, grey, XL",
                "grey",
                "xl",
                "1090",
                "14",
            ),
        ],
        "api",
        Locale::En,
    )
    .await?;
    // Two listings were saved but not sent to moderation yet.
    for sku in seller_skus(db, &north)
        .await?
        .iter()
        .skip(6)
        .step_by(8)
        .take(2)
    {
        make_draft(db, &north, sku).await?;
    }

    let kozlova = seller_of(db, "seller2@demo.bazaar").await?;
    import_sample(
        db,
        blobs,
        &kozlova,
        "товары Козлова.csv",
        &SampleOptions {
            rows: 18,
            seed: 11,
            bad_rows_per_thousand: 0,
            encoding: SourceEncoding::Utf8,
            delimiter: Delimiter::Comma,
            bom: true,
            headers: HeaderStyle::Canonical,
            categories: vec!["kettles".into(), "tshirts".into()],
        },
    )
    .await?;
    Ok(())
}
