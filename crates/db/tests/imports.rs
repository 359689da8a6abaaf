//! The SKU write path and CSV imports, on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use db::auth::SellerCtx;
use db::catalog::upsert::{BatchCounts, Change, apply_batch, apply_batch_detailed};
use db::testing::two_sellers;
use db::{Db, db_test};
use domain::catalog::{CategoryIndex, SkuInput, SkuRules, ValidatedSku};

fn tshirt(sku: &str, title: &str, price: &str, stock: &str) -> ValidatedSku {
    let input = SkuInput {
        sku: sku.into(),
        title: title.into(),
        category: "tshirts".into(),
        price: price.into(),
        stock: stock.into(),
        attributes: [("color", "black"), ("size", "m"), ("gender", "men")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..SkuInput::default()
    };
    input
        .validate(&CategoryIndex::starter(), &SkuRules::default())
        .unwrap()
}

async fn seller_a(db: &Db) -> (SellerCtx, SellerCtx) {
    let ab = two_sellers(db).await;
    (ab.a.seller().unwrap(), ab.b.seller().unwrap())
}

async fn count(db: &Db, sql: &str, seller: &SellerCtx) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(seller.seller_id().to_string())
        .fetch_one(db.pool())
        .await
        .unwrap();
    n
}

async fn revisions(db: &Db, seller: &SellerCtx) -> Vec<(String, i64, String)> {
    sqlx::query_as(
        "SELECT s.seller_sku, r.number, r.status FROM sku_revisions r JOIN skus s ON s.id = r.sku_id \
         WHERE r.seller_id = $1 ORDER BY s.seller_sku, r.number",
    )
    .bind(seller.seller_id().to_string())
    .fetch_all(db.pool())
    .await
    .unwrap()
}

async fn apply(db: &Db, ctx: &SellerCtx, items: &[ValidatedSku]) -> BatchCounts {
    let mut tx = db.begin().await.unwrap();
    let counts = apply_batch(&mut tx, ctx, items, "test").await.unwrap();
    tx.commit().await.unwrap();
    counts
}

db_test!(
    a_second_write_of_the_same_skus_changes_nothing,
    |db: Db| async move {
        let (a, _) = seller_a(&db).await;
        let items = vec![
            tshirt("TS-1", "Футболка", "100", "5"),
            tshirt("TS-2", "Футболка белая", "200", "7"),
        ];
        let first = apply(&db, &a, &items).await;
        assert_eq!((first.created, first.updated, first.unchanged), (2, 0, 0));
        let (status,): (String,) =
            sqlx::query_as("SELECT status FROM skus WHERE seller_sku = 'TS-1'")
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(status, "pending_moderation");
        let updated_at: Vec<(i64,)> =
            sqlx::query_as("SELECT updated_at FROM skus ORDER BY seller_sku")
                .fetch_all(db.pool())
                .await
                .unwrap();
        let again = apply(&db, &a, &items).await;
        assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 2));
        let after: Vec<(i64,)> = sqlx::query_as("SELECT updated_at FROM skus ORDER BY seller_sku")
            .fetch_all(db.pool())
            .await
            .unwrap();
        assert_eq!(after, updated_at, "an unchanged SKU is not written");
        assert_eq!(
            revisions(&db, &a).await,
            [
                ("TS-1".to_string(), 1, "pending".to_string()),
                ("TS-2".to_string(), 1, "pending".to_string())
            ]
        );
    }
);

db_test!(
    a_price_or_stock_change_is_live_at_once_without_a_revision,
    |db: Db| async move {
        let (a, _) = seller_a(&db).await;
        apply(&db, &a, &[tshirt("TS-1", "Футболка", "100", "5")]).await;
        let mut tx = db.begin().await.unwrap();
        let out = apply_batch_detailed(
            &mut tx,
            &a,
            &[tshirt("TS-1", "Футболка", "99,90", "4")],
            "test",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(out[0].change, Change::CommercialChanged);
        assert_eq!(out[0].revision_id, None);
        let (price, stock): (i64, i64) =
            sqlx::query_as("SELECT price_minor, stock FROM skus WHERE seller_sku = 'TS-1'")
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!((price, stock), (9990, 4));
        assert_eq!(revisions(&db, &a).await.len(), 1);
    }
);

db_test!(
    a_content_change_waits_in_a_new_revision_and_supersedes_the_older_pending_one,
    |db: Db| async move {
        let (a, _) = seller_a(&db).await;
        apply(&db, &a, &[tshirt("TS-1", "Футболка", "100", "5")]).await;
        let counts = apply(&db, &a, &[tshirt("TS-1", "Футболка хлопок", "100", "5")]).await;
        assert_eq!(counts.updated, 1);
        assert_eq!(
            revisions(&db, &a).await,
            [
                ("TS-1".to_string(), 1, "superseded".to_string()),
                ("TS-1".to_string(), 2, "pending".to_string())
            ]
        );
        let (title, latest, status): (String, String, String) = sqlx::query_as(
            "SELECT s.title, r.status, s.status FROM skus s JOIN sku_revisions r ON r.id = s.latest_revision_id \
             WHERE s.seller_sku = 'TS-1'",
        )
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(
            (title.as_str(), latest.as_str(), status.as_str()),
            ("Футболка хлопок", "pending", "pending_moderation")
        );
        // An approved SKU stays active (on sale with its approved content) while the
        // new content waits.
        sqlx::query("UPDATE skus SET status = 'active'")
            .execute(db.pool())
            .await
            .unwrap();
        let mut tx = db.begin().await.unwrap();
        let out = apply_batch_detailed(
            &mut tx,
            &a,
            &[tshirt("TS-1", "Футболка хлопок 100%", "100", "5")],
            "test",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(out[0].change, Change::ContentChanged);
        assert_eq!(out[0].status.as_str(), "active");
        assert_eq!(revisions(&db, &a).await.len(), 3);
    }
);

db_test!(
    a_repeated_sku_in_one_batch_is_applied_after_the_first,
    |db: Db| async move {
        let (a, b) = seller_a(&db).await;
        let mut tx = db.begin().await.unwrap();
        let out = apply_batch_detailed(
            &mut tx,
            &a,
            &[
                tshirt("TS-1", "Футболка", "100", "5"),
                tshirt("TS-1", "Футболка", "100", "6"),
            ],
            "test",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let changes: Vec<Change> = out.iter().map(|o| o.change).collect();
        assert_eq!(changes, [Change::Created, Change::CommercialChanged]);
        assert_eq!(out[0].sku_id, out[1].sku_id);
        // Another seller's SKU with the same seller_sku is a different SKU.
        let counts = apply(&db, &b, &[tshirt("TS-1", "Футболка", "100", "5")]).await;
        assert_eq!(counts.created, 1);
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM skus WHERE seller_id = $1", &a).await,
            1
        );
    }
);

// ---------------------------------------------------------------------------
// CSV imports through the real upload and job runner.

use bytes::Bytes;
use db::blobs::BlobStore;
use db::imports::{Accepted, ImportRunner, JOB_KIND, JobOutcome, RunnerOptions, Upload};
use domain::Locale;
use domain::ids::ImportId;
use domain::imports::{Delimiter, ImportMode, ImportStatus, ImportView, SourceEncoding};
use futures::StreamExt;

const HEADER: &str = "sku;title;category;price;stock;attr:color;attr:size;attr:gender";

fn row(sku: &str, title: &str, price: &str, stock: &str) -> String {
    format!("{sku};{title};tshirts;{price};{stock};black;m;men")
}

fn csv(rows: &[String]) -> Vec<u8> {
    let mut s = String::from(HEADER);
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.push('\n');
    s.into_bytes()
}

fn good_rows(n: usize, price: &str) -> Vec<String> {
    (1..=n)
        .map(|i| row(&format!("TS-{i:03}"), &format!("Футболка {i}"), price, "5"))
        .collect()
}

struct Files {
    blobs: BlobStore,
    _dir: tempfile::TempDir,
}

fn files() -> Files {
    let dir = tempfile::tempdir().unwrap();
    Files {
        blobs: BlobStore::local(&dir.path().join("blobs")).unwrap(),
        _dir: dir,
    }
}

async fn upload(
    db: &Db,
    f: &Files,
    ctx: &SellerCtx,
    name: &str,
    bytes: Vec<u8>,
    mode: ImportMode,
) -> ImportId {
    // Odd-sized chunks, as a network delivers them.
    let chunks: Vec<Result<Bytes, std::io::Error>> = bytes
        .chunks(997)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    let accepted = db::imports::create_import(
        db,
        &f.blobs,
        ctx,
        Upload {
            file_name: name.into(),
            mode,
            overrides: Default::default(),
            body: futures::stream::iter(chunks),
            max_bytes: 1 << 30,
            locale: Locale::En,
            idempotency_key: None,
        },
    )
    .await
    .unwrap_or_else(|e| panic!("upload refused: {e}"));
    match accepted {
        Accepted::Created { import, receipt } => {
            assert_eq!(import.status, ImportStatus::Queued);
            assert!(receipt.contains("\"queued\""));
            import.id
        }
        other => panic!("unexpected {other:?}"),
    }
}

fn runner(f: &Files, slice_rows: usize, max_slices_per_turn: usize) -> ImportRunner {
    ImportRunner::new(
        f.blobs.clone(),
        RunnerOptions {
            slice_rows,
            max_slices_per_turn,
            ..RunnerOptions::default()
        },
    )
}

/// Claims and runs import jobs as `worker` until the queue is empty.
async fn run_jobs(db: &Db, runner: &ImportRunner, worker: &str) {
    for _ in 0..10_000 {
        let Some(job) = db::jobs::claim(db, worker, &[JOB_KIND], 60_000)
            .await
            .unwrap()
        else {
            return;
        };
        match runner.run(db, &job, worker).await.unwrap() {
            JobOutcome::Done => {
                db::jobs::complete(db, job.id, worker).await.unwrap();
            }
            JobOutcome::Yielded => {}
        }
    }
    panic!("the import jobs never finished");
}

async fn import_file(
    db: &Db,
    f: &Files,
    ctx: &SellerCtx,
    bytes: Vec<u8>,
    mode: ImportMode,
) -> ImportView {
    let id = upload(db, f, ctx, "catalog.csv", bytes, mode).await;
    run_jobs(db, &runner(f, 1000, usize::MAX), "worker-1").await;
    db::imports::get_import(db, ctx, id).await.unwrap()
}

fn counts(v: &ImportView) -> (u64, u64, u64, u64, u64) {
    let c = v.counts;
    (c.total, c.created, c.updated, c.unchanged, c.failed)
}

async fn report(db: &Db, ctx: &SellerCtx, id: ImportId) -> Vec<u8> {
    let (_, stream) = db::imports::error_report(db, ctx, id, Locale::En)
        .await
        .unwrap();
    let chunks: Vec<_> = stream.collect().await;
    chunks
        .into_iter()
        .flat_map(|c| c.unwrap().to_vec())
        .collect()
}

db_test!(
    bad_rows_are_counted_and_reported_with_their_problems,
    |db: Db| async move {
        let (a, _) = seller_a(&db).await;
        let f = files();
        let mut rows = good_rows(3, "100");
        rows.insert(1, row("BAD-1", "Футболка", "abc", "5"));
        rows.push("BAD-2;Футболка;no-such-category;100;5;black;m;men".into());
        rows.push(row("TS-001", "Дубль", "100", "5"));
        let view = import_file(&db, &f, &a, csv(&rows), ImportMode::ApplyValid).await;
        assert_eq!(view.status, ImportStatus::Succeeded, "{view:?}");
        assert_eq!(counts(&view), (6, 3, 0, 0, 3));
        assert_eq!(view.progress_percent, 100);
        let errors = db::imports::list_errors(&db, &a, view.id, 0, 100, Locale::En)
            .await
            .unwrap();
        assert_eq!(errors.total, 3);
        let found: Vec<(u64, String, String)> = errors
            .items
            .iter()
            .map(|e| {
                (
                    e.row.row,
                    e.row.problems[0].field.clone(),
                    serde_json::to_value(e.row.problems[0].code)
                        .unwrap()
                        .as_str()
                        .unwrap()
                        .to_string(),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                (3, "price".to_string(), "bad_number".to_string()),
                (6, "category".to_string(), "unknown_category".to_string()),
                (7, "sku".to_string(), "duplicate_sku_in_file".to_string()),
            ]
        );
        assert_eq!(errors.items[0].cells[0], "BAD-1");
        // Valid rows were applied; the bad ones were not.
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM skus WHERE seller_id = $1", &a).await,
            3
        );
        let (title,): (String,) =
            sqlx::query_as("SELECT title FROM skus WHERE seller_sku = 'TS-001'")
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(
            title, "Футболка 1",
            "the duplicate later in the file is refused"
        );
    }
);

db_test!(
    a_windows_1251_file_with_semicolons_and_decimal_commas_imports,
    |db: Db| async move {
        let (a, _) = seller_a(&db).await;
        let f = files();
        let text = "Артикул;Наименование;Категория;Цена;Старая цена;Остаток;attr:color;attr:size;attr:gender\r\n\
                    ФУТ-1;\"Футболка \"\"Север\"\"; хлопок\";Одежда/Футболки и майки;1 299,90;1 500;7;black;m;men\r\n\
                    ФУТ-2;Футболка белая;tshirts;99,5;;0;black;l;men\r\n\
                    ФУТ-3;Футболка с ошибкой;tshirts;-5;;1;black;m;men\r\n";
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1251.encode(text);
        assert!(!unmappable);
        let view = import_file(&db, &f, &a, bytes.into_owned(), ImportMode::ApplyValid).await;
        assert_eq!(view.status, ImportStatus::Succeeded, "{view:?}");
        assert_eq!(view.encoding, Some(SourceEncoding::Windows1251));
        assert_eq!(view.delimiter, Some(Delimiter::Semicolon));
        assert_eq!(counts(&view), (3, 2, 0, 0, 1));
        let sku = db::catalog::skus::get_sku(&db, &a, "ФУТ-1").await.unwrap();
        assert_eq!(sku.commercial.price().amount_minor(), 129_990);
        assert_eq!(
            sku.commercial.old_price().map(|m| m.amount_minor()),
            Some(150_000)
        );
        assert_eq!(sku.commercial.stock(), 7);
        assert_eq!(
            sku.latest.as_ref().unwrap().content.title(),
            "Футболка \"Север\"; хлопок"
        );
        let white = db::catalog::skus::get_sku(&db, &a, "ФУТ-2").await.unwrap();
        assert_eq!(white.commercial.price().amount_minor(), 9_950);

        // The report is in the seller's encoding, delimiter and columns, with `row`
        // and `errors` in front.
        let bytes = report(&db, &a, view.id).await;
        let (text, _, malformed) = encoding_rs::WINDOWS_1251.decode(&bytes);
        assert!(!malformed);
        let mut lines = text.lines();
        assert_eq!(
            lines.next().unwrap().trim_start_matches('\u{feff}'),
            "row;errors;Артикул;Наименование;Категория;Цена;Старая цена;Остаток;attr:color;attr:size;attr:gender"
        );
        let bad = lines.next().unwrap();
        assert!(bad.starts_with("4;"), "{bad}");
        assert!(bad.contains("ФУТ-3;Футболка с ошибкой;tshirts;-5"), "{bad}");
        assert!(
            bad.contains("Цена"),
            "the problem names the seller's column: {bad}"
        );
        assert_eq!(lines.next(), None);
    }
);

db_test!(
    all_or_nothing_applies_nothing_when_a_row_fails,
    |db: Db| async move {
        let (a, _) = seller_a(&db).await;
        let f = files();
        let mut rows = good_rows(5, "100");
        rows.push(row("BAD-1", "", "100", "5"));
        let view = import_file(&db, &f, &a, csv(&rows), ImportMode::AllOrNothing).await;
        assert_eq!(view.status, ImportStatus::Failed, "{view:?}");
        assert_eq!(view.error_code.as_deref(), Some("rows_rejected"));
        assert_eq!(view.counts.failed, 1);
        assert_eq!(view.counts.created, 0);
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM skus WHERE seller_id = $1", &a).await,
            0
        );
        assert!(!report(&db, &a, view.id).await.is_empty());

        // The fixed file goes through whole.
        let view = import_file(
            &db,
            &f,
            &a,
            csv(&good_rows(5, "100")),
            ImportMode::AllOrNothing,
        )
        .await;
        assert_eq!(view.status, ImportStatus::Succeeded, "{view:?}");
        assert_eq!(counts(&view), (5, 5, 0, 0, 0));
    }
);

db_test!(
    a_re_upload_of_the_same_file_changes_nothing_and_a_price_change_needs_no_moderation,
    |db: Db| async move {
        let (a, _) = seller_a(&db).await;
        let f = files();
        let first = import_file(
            &db,
            &f,
            &a,
            csv(&good_rows(30, "100")),
            ImportMode::ApplyValid,
        )
        .await;
        assert_eq!(counts(&first), (30, 30, 0, 0, 0));
        let revisions_before = revisions(&db, &a).await;
        assert_eq!(revisions_before.len(), 30);

        let again = import_file(
            &db,
            &f,
            &a,
            csv(&good_rows(30, "100")),
            ImportMode::ApplyValid,
        )
        .await;
        assert_eq!(counts(&again), (30, 0, 0, 30, 0));
        assert_eq!(
            revisions(&db, &a).await,
            revisions_before,
            "no new revisions"
        );

        let cheaper = import_file(
            &db,
            &f,
            &a,
            csv(&good_rows(30, "89,90")),
            ImportMode::ApplyValid,
        )
        .await;
        assert_eq!(counts(&cheaper), (30, 0, 30, 0, 0));
        assert_eq!(
            revisions(&db, &a).await,
            revisions_before,
            "a price change creates no revision and waits for no moderation"
        );
        let sku = db::catalog::skus::get_sku(&db, &a, "TS-007").await.unwrap();
        assert_eq!(sku.commercial.price().amount_minor(), 8_990);
    }
);

db_test!(
    an_import_whose_worker_died_is_finished_by_another_without_applying_rows_twice,
    |db: Db| async move {
        let (a, _) = seller_a(&db).await;
        let f = files();
        let mut rows = good_rows(95, "100");
        for i in [10, 40, 70] {
            rows.insert(i, row(&format!("BAD-{i}"), "Футболка", "ноль", "1"));
        }
        let id = upload(&db, &f, &a, "big.csv", csv(&rows), ImportMode::ApplyValid).await;

        // Worker A commits two slices of ten rows and yields; then it claims the job
        // again and dies (its lease runs out without a word from it).
        let runner_a = runner(&f, 10, 2);
        let job = db::jobs::claim(&db, "worker-a", &[JOB_KIND], 60_000)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            runner_a.run(&db, &job, "worker-a").await.unwrap(),
            JobOutcome::Yielded
        );
        let stale = db::jobs::claim(&db, "worker-a", &[JOB_KIND], 60_000)
            .await
            .unwrap()
            .unwrap();
        let view = db::imports::get_import(&db, &a, id).await.unwrap();
        assert_eq!(view.status, ImportStatus::Running);
        assert_eq!(view.counts.total, 20);
        sqlx::query("UPDATE jobs SET locked_until = $1")
            .bind(0_i64)
            .execute(db.pool())
            .await
            .unwrap();

        // Worker B (another process: nothing in memory) takes the job over...
        let runner_b = runner(&f, 10, 2);
        let job_b = db::jobs::claim(&db, "worker-b", &[JOB_KIND], 60_000)
            .await
            .unwrap()
            .expect("the expired lease makes the job claimable");
        assert_eq!(job_b.id, stale.id);
        // ...and A, come back to life, cannot commit anything any more.
        assert_eq!(
            runner_a.run(&db, &stale, "worker-a").await.unwrap(),
            JobOutcome::Yielded
        );
        assert_eq!(
            db::imports::get_import(&db, &a, id)
                .await
                .unwrap()
                .counts
                .total,
            20
        );

        assert_eq!(
            runner_b.run(&db, &job_b, "worker-b").await.unwrap(),
            JobOutcome::Yielded
        );
        run_jobs(&db, &runner_b, "worker-b").await;
        let view = db::imports::get_import(&db, &a, id).await.unwrap();
        assert_eq!(view.status, ImportStatus::Succeeded, "{view:?}");
        assert_eq!(counts(&view), (98, 95, 0, 0, 3));
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM skus WHERE seller_id = $1", &a).await,
            95
        );
        assert_eq!(revisions(&db, &a).await.len(), 95, "one revision per SKU");
        let (errors, distinct): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COUNT(DISTINCT row_number) FROM import_errors WHERE import_id = $1",
        )
        .bind(id.to_string())
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!((errors, distinct), (3, 3));
        assert_eq!(db::jobs::count(&db, "queued").await.unwrap(), 0);
        assert_eq!(db::jobs::count(&db, "running").await.unwrap(), 0);
    }
);

db_test!(
    a_file_that_is_not_csv_is_refused_with_one_message,
    |db: Db| async move {
        let (a, _) = seller_a(&db).await;
        let f = files();
        for (bytes, code) in [
            (b"".to_vec(), "empty"),
            (b"title;price\nx;1\n".to_vec(), "no_sku_column"),
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0".to_vec(), "not_csv"),
        ] {
            let err = db::imports::create_import(
                &db,
                &f.blobs,
                &a,
                Upload {
                    file_name: "x.csv".into(),
                    mode: ImportMode::ApplyValid,
                    overrides: Default::default(),
                    body: futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from(bytes))]),
                    max_bytes: 1 << 20,
                    locale: Locale::En,
                    idempotency_key: None,
                },
            )
            .await
            .unwrap_err();
            match err {
                db::imports::UploadError::File { code: got, message } => {
                    assert!(got.starts_with(code), "{got} {message}");
                    assert!(!message.is_empty());
                }
                other => panic!("expected a file error, got {other:?}"),
            }
        }
        assert_eq!(db::jobs::count(&db, "queued").await.unwrap(), 0);
    }
);

db_test!(
    the_demo_catalog_has_listings_in_every_status_and_an_import_with_a_report,
    |db: Db| async move {
        let f = files();
        assert!(db::demo::seed(&db).await.unwrap());
        db::demo_catalog::seed(&db, &f.blobs).await.unwrap();
        // The server generates the demo images; here each URL is marked processed.
        for (seller, url) in db::demo_catalog::image_urls(&db).await.unwrap() {
            sqlx::query(
                "INSERT INTO images (id, seller_id, source, url, status, width, height, attempts, created_at) \
                 VALUES ($1, $2, 'upload', $3, 'ready', 800, 800, 1, 0)",
            )
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(seller.to_string())
            .bind(url)
            .execute(db.pool())
            .await
            .unwrap();
        }
        db::demo_catalog::moderate(&db, &domain::moderation::RulesConfig::default())
            .await
            .unwrap();
        let north = db::accounts::principal_by_email(&db, "seller@demo.bazaar")
            .await
            .unwrap()
            .unwrap()
            .seller()
            .unwrap();
        let counts = db::catalog::skus::count_skus(&db, &north).await.unwrap();
        for status in ["active", "pending_moderation", "draft", "rejected"] {
            let n = counts
                .by_status
                .iter()
                .find(|(s, _)| s.as_str() == status)
                .map(|(_, n)| *n)
                .unwrap();
            assert!(n > 0, "no {status} SKU in the demo: {counts:?}");
        }
        let imports = db::imports::list_imports(&db, &north, 0, 10).await.unwrap();
        assert_eq!(imports.total, 1);
        let import = &imports.items[0];
        assert_eq!(import.status, ImportStatus::Succeeded);
        assert!(
            import.counts.failed > 0 && import.counts.created > 30,
            "{import:?}"
        );
        assert_eq!(import.encoding, Some(SourceEncoding::Windows1251));
        let bytes = report(&db, &north, import.id).await;
        let (text, _, _) = encoding_rs::WINDOWS_1251.decode(&bytes);
        assert_eq!(text.lines().count() as u64, import.counts.failed + 1);
        // The moderator's queue is not empty, and decisions were logged.
        let (queued,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM moderation_queue")
            .fetch_one(db.pool())
            .await
            .unwrap();
        let (decided,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM moderation_decisions")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert!(
            queued > 5 && decided > 20,
            "queued {queued}, decided {decided}"
        );
        // The second seller has a catalog of her own.
        let kozlova = db::accounts::principal_by_email(&db, "seller2@demo.bazaar")
            .await
            .unwrap()
            .unwrap()
            .seller()
            .unwrap();
        assert!(
            db::catalog::skus::count_skus(&db, &kozlova)
                .await
                .unwrap()
                .total
                > 10
        );
        assert_eq!(db::jobs::count(&db, "queued").await.unwrap(), 0);

        // Orders in several states, held and available money, a batch to review.
        db::demo_orders::seed(&db, &db::orders::OrderRules::default())
            .await
            .unwrap();
        let statuses: Vec<(String,)> =
            sqlx::query_as("SELECT DISTINCT status FROM shipments ORDER BY status")
                .fetch_all(db.pool())
                .await
                .unwrap();
        let statuses: Vec<&str> = statuses.iter().map(|(s,)| s.as_str()).collect();
        assert_eq!(
            statuses,
            vec![
                "awaiting_payment",
                "cancelled",
                "confirmed",
                "delivered",
                "paid",
                "shipped"
            ]
        );
        let balances = db::ledger::balances::seller_balances(
            &db,
            north.seller_id(),
            domain::money::Currency::Rub,
        )
        .await
        .unwrap();
        assert!(balances.held_minor > 0, "{balances:?}");
        assert!(
            balances.available_minor > 0,
            "old deliveries released: {balances:?}"
        );
        let (proposed,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM payout_lines l JOIN payout_batches b ON b.id = l.batch_id WHERE b.status = 'proposed'")
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert!(proposed >= 1, "a batch awaiting review with lines");
        let (penalties,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM penalties")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert!(penalties >= 1);
        let report = db::ledger::verify::verify(&db).await.unwrap();
        assert!(report.is_ok(), "{report}");
    }
);

db_test!(
    one_sellers_big_imports_do_not_hold_up_another_sellers_import,
    |db: Db| async move {
        let (a, b) = seller_a(&db).await;
        let f = files();
        let big_1 = upload(
            &db,
            &f,
            &a,
            "big-1.csv",
            csv(&good_rows(100, "100")),
            ImportMode::ApplyValid,
        )
        .await;
        let big_2 = upload(
            &db,
            &f,
            &a,
            "big-2.csv",
            csv(&good_rows(100, "90")),
            ImportMode::ApplyValid,
        )
        .await;
        let small = upload(
            &db,
            &f,
            &b,
            "small.csv",
            csv(&good_rows(5, "100")),
            ImportMode::ApplyValid,
        )
        .await;

        // Two workers: while A's first import runs, A's second one waits and the
        // second worker takes B's.
        let first = db::jobs::claim(&db, "w1", &[JOB_KIND], 60_000)
            .await
            .unwrap()
            .unwrap();
        let second = db::jobs::claim(&db, "w2", &[JOB_KIND], 60_000)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first.fairness_key, a.seller_id().to_string());
        assert_eq!(second.fairness_key, b.seller_id().to_string());
        assert!(
            db::jobs::claim(&db, "w3", &[JOB_KIND], 60_000)
                .await
                .unwrap()
                .is_none()
        );
        let runner = runner(&f, 10, 1);
        assert_eq!(
            runner.run(&db, &second, "w2").await.unwrap(),
            JobOutcome::Done
        );
        db::jobs::complete(&db, second.id, "w2").await.unwrap();
        assert_eq!(
            db::imports::get_import(&db, &b, small)
                .await
                .unwrap()
                .status,
            ImportStatus::Succeeded
        );

        // One worker: a turn is one slice here, so jobs take turns slice by slice.
        assert_eq!(
            runner.run(&db, &first, "w1").await.unwrap(),
            JobOutcome::Yielded
        );
        let late = upload(
            &db,
            &f,
            &b,
            "late.csv",
            csv(&good_rows(3, "100")),
            ImportMode::ApplyValid,
        )
        .await;
        let mut turns = 0;
        while db::imports::get_import(&db, &b, late).await.unwrap().status
            != ImportStatus::Succeeded
        {
            let job = db::jobs::claim(&db, "w1", &[JOB_KIND], 60_000)
                .await
                .unwrap()
                .unwrap();
            if runner.run(&db, &job, "w1").await.unwrap() == JobOutcome::Done {
                db::jobs::complete(&db, job.id, "w1").await.unwrap();
            }
            turns += 1;
        }
        assert!(turns <= 3, "B's late import waited {turns} turns");
        let a_first = db::imports::get_import(&db, &a, big_1).await.unwrap();
        assert_eq!(
            a_first.status,
            ImportStatus::Running,
            "A's import is still going"
        );
        run_jobs(&db, &runner, "w1").await;
        for id in [big_1, big_2] {
            let v = db::imports::get_import(&db, &a, id).await.unwrap();
            assert_eq!(v.status, ImportStatus::Succeeded);
            assert_eq!(v.counts.total, 100);
        }
    }
);
