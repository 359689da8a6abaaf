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
