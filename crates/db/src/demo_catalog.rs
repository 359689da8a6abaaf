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
use crate::util::now_ms;
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

/// A moderator's rejection, written directly until the moderation queue exists.
async fn reject(
    db: &Db,
    ctx: &SellerCtx,
    seller_sku: &str,
    reasons: &str,
    comment: &str,
) -> Result<()> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE sku_revisions SET status = 'rejected', decided_at = $3, decided_by = 'moderator@demo.bazaar', \
         decision_reasons = $4, decision_comment = $5 \
         WHERE seller_id = $1 AND status = 'pending' AND id = \
         (SELECT latest_revision_id FROM skus WHERE seller_id = $1 AND seller_sku = $2)",
    )
    .bind(ctx.seller_id().to_string())
    .bind(seller_sku)
    .bind(now_ms())
    .bind(reasons)
    .bind(comment)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE skus SET status = 'rejected' WHERE seller_id = $1 AND seller_sku = $2")
        .bind(ctx.seller_id().to_string())
        .bind(seller_sku)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
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
    let skus = seller_skus(db, &north).await?;
    // Most listings are on sale; a few were rejected, two are drafts, the rest wait
    // for moderation.
    for (i, sku) in skus.iter().enumerate() {
        match i % 8 {
            0..=4 => crate::catalog::skus::system_approve_latest_revision(db, &north, sku).await?,
            5 if i < 24 => {
                reject(
                    db,
                    &north,
                    sku,
                    r#"[{"code": "bad_photo", "field": "images"}, {"code": "wrong_category", "field": "category"}]"#,
                    "Фото с водяным знаком; товар относится к другой категории. / The photo has a watermark; the item belongs in another category.",
                )
                .await?
            }
            6 if i < 16 => make_draft(db, &north, sku).await?,
            _ => {}
        }
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
    for (i, sku) in seller_skus(db, &kozlova).await?.iter().enumerate() {
        if i % 3 != 2 {
            crate::catalog::skus::system_approve_latest_revision(db, &kozlova, sku).await?;
        }
    }
    Ok(())
}
