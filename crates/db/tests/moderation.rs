//! Moderation on both engines: automatic checks and rules, the queue with leases
//! (concurrent claims, expiry), decisions and what the seller sees, blocking, the
//! managed lists and the dashboard.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use db::auth::{ModeratorCtx, SellerCtx};
use db::catalog::skus;
use db::moderation::checks::{PassCounts, run_until_idle};
use db::moderation::lists;
use db::moderation::queue::{self, HumanDecision};
use db::moderation::{ReasonRef, stats};
use db::testing::{staff, two_sellers};
use db::{Db, db_test};
use domain::accounts::Role;
use domain::catalog::{RevisionStatus, SkuInput, SkuStatus};
use domain::moderation::banned::BannedAction;
use domain::moderation::{DecisionKind, Priority, RulesConfig};
use domain::{ErrorCode, Locale};
use std::collections::HashSet;

const L: Locale = Locale::En;
const IMG: &str = "https://cdn.example.com/ts.jpg";

fn tshirt(n: u32, title: &str) -> SkuInput {
    SkuInput {
        sku: format!("TS-{n:03}"),
        title: title.into(),
        brand: "Северный ветер".into(),
        category: "tshirts".into(),
        price: "1 299,90".into(),
        stock: "10".into(),
        images: vec![IMG.into()],
        attributes: [("gender", "мужской"), ("size", "M"), ("color", "белый")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..SkuInput::default()
    }
}

/// Seller A (verified) and B, and two moderators.
struct World {
    a: SellerCtx,
    b: SellerCtx,
    m1: ModeratorCtx,
    m2: ModeratorCtx,
}

async fn world(db: &Db) -> World {
    let ab = two_sellers(db).await;
    sqlx::query("UPDATE sellers SET status = 'active'")
        .execute(db.pool())
        .await
        .unwrap();
    lists::seed_reasons(db).await.unwrap();
    World {
        a: ab.a.seller().unwrap(),
        b: ab.b.seller().unwrap(),
        m1: staff(db, "m1@bazaar.test", Role::Moderator)
            .await
            .moderator()
            .unwrap(),
        m2: staff(db, "m2@bazaar.test", Role::Moderator)
            .await
            .moderator()
            .unwrap(),
    }
}

/// The image pipeline's result for `url` of `seller`, as if it had processed it.
async fn image(db: &Db, seller: &SellerCtx, url: &str, w: i64, h: i64, status: &str) {
    sqlx::query(
        "INSERT INTO images (id, seller_id, source, url, status, width, height, error_code, error_message_ru, \
         error_message_en, attempts, created_at) VALUES ($1, $2, 'url', $3, $4, $5, $6, $7, $8, $9, 1, 0)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(seller.seller_id().to_string())
    .bind(url)
    .bind(status)
    .bind(w)
    .bind(h)
    .bind((status == "failed").then_some("truncated"))
    .bind((status == "failed").then_some("Файл обрезан"))
    .bind((status == "failed").then_some("The file is truncated"))
    .execute(db.pool())
    .await
    .unwrap();
}

fn strict() -> RulesConfig {
    // Nobody is trusted: everything clean goes to a human.
    RulesConfig {
        trusted_min_approved: i64::MAX,
        ..RulesConfig::default()
    }
}

async fn settle(db: &Db, config: &RulesConfig) -> PassCounts {
    run_until_idle(db, config).await.unwrap()
}

fn approve() -> HumanDecision {
    HumanDecision {
        kind: DecisionKind::Approve,
        reasons: vec![],
        comment: None,
    }
}

fn reject(code: &str, comment: &str) -> HumanDecision {
    HumanDecision {
        kind: DecisionKind::Reject,
        reasons: vec![ReasonRef {
            code: code.into(),
            field: None,
        }],
        comment: Some(comment.into()),
    }
}

db_test!(
    a_seller_fixes_a_rejected_listing_and_it_goes_live,
    |db: Db| async move {
        let w = world(&db).await;
        image(&db, &w.a, IMG, 1200, 1200, "ready").await;
        skus::put_sku(&db, &w.a, &tshirt(1, "Футболка базовая"), "cabinet", L)
            .await
            .unwrap();
        let c = settle(&db, &strict()).await;
        assert_eq!(c.queued, 1);

        let held = queue::claim(&db, &w.m1, 20).await.unwrap();
        assert_eq!(held.len(), 1);
        assert_eq!(held[0].seller_sku, "TS-001");
        assert_eq!(held[0].priority, Priority::Normal);
        let detail = queue::item(&db, &w.m1, &held[0].revision_id, L)
            .await
            .unwrap();
        assert!(detail.live.is_none());
        assert!(detail.changes.iter().any(|c| c.field == "title"));
        assert_eq!(detail.images[0].status, "ready");

        // A rejection needs a reason from the list.
        let none = HumanDecision {
            reasons: vec![],
            ..reject("x", "")
        };
        assert!(matches!(
            queue::decide(&db, &w.m1, &held[0].revision_id, &none, L).await,
            Err(db::Error::Validation(_))
        ));
        let unknown = reject("no_such_reason", "");
        assert!(matches!(
            queue::decide(&db, &w.m1, &held[0].revision_id, &unknown, L).await,
            Err(db::Error::Validation(_))
        ));
        queue::decide(
            &db,
            &w.m1,
            &held[0].revision_id,
            &reject("misleading_title", "Укажите состав"),
            L,
        )
        .await
        .unwrap();

        let sku = skus::get_sku(&db, &w.a, "TS-001").await.unwrap();
        assert_eq!(sku.status, SkuStatus::Rejected);
        assert_eq!(sku.moderation.status, Some(RevisionStatus::Rejected));
        assert_eq!(sku.moderation.reason_codes, vec!["misleading_title"]);
        assert_eq!(sku.moderation.fields, vec!["title"]);
        assert_eq!(sku.moderation.comment.as_deref(), Some("Укажите состав"));

        // The fix is a resubmission: served first.
        skus::put_sku(
            &db,
            &w.a,
            &tshirt(1, "Футболка базовая, хлопок 100%"),
            "cabinet",
            L,
        )
        .await
        .unwrap();
        settle(&db, &strict()).await;
        let held = queue::claim(&db, &w.m2, 20).await.unwrap();
        assert_eq!(held.len(), 1);
        assert_eq!(held[0].priority, Priority::High);
        let detail = queue::item(&db, &w.m2, &held[0].revision_id, L)
            .await
            .unwrap();
        assert!(detail.against_rejected);
        let title = detail.changes.iter().find(|c| c.field == "title").unwrap();
        assert_eq!(title.before.as_deref(), Some("Футболка базовая"));
        assert_eq!(detail.changes.len(), 1, "only the fixed field differs");
        queue::decide(&db, &w.m2, &held[0].revision_id, &approve(), L)
            .await
            .unwrap();
        let sku = skus::get_sku(&db, &w.a, "TS-001").await.unwrap();
        assert_eq!(sku.status, SkuStatus::Active);
        assert_eq!(
            sku.live.as_ref().unwrap().content.title(),
            "Футболка базовая, хлопок 100%"
        );

        // The trail: two decisions, both in the audit log.
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM moderation_decisions")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(n, 2);
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action IN ('moderation.reject', 'moderation.approve')")
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(n, 2);
        // Content changes of a live SKU wait while the approved content stays live.
        skus::put_sku(
            &db,
            &w.a,
            &tshirt(1, "Футболка базовая, новая"),
            "cabinet",
            L,
        )
        .await
        .unwrap();
        settle(&db, &strict()).await;
        let held = queue::claim(&db, &w.m1, 20).await.unwrap();
        queue::decide(
            &db,
            &w.m1,
            &held[0].revision_id,
            &reject("poor_description", ""),
            L,
        )
        .await
        .unwrap();
        let sku = skus::get_sku(&db, &w.a, "TS-001").await.unwrap();
        assert_eq!(sku.status, SkuStatus::Active);
        assert_eq!(
            sku.live.as_ref().unwrap().content.title(),
            "Футболка базовая, хлопок 100%"
        );
        assert_eq!(sku.moderation.status, Some(RevisionStatus::Rejected));
    }
);

db_test!(
    clear_violations_are_rejected_and_trusted_sellers_approved_without_a_human,
    |db: Db| async move {
        let w = world(&db).await;
        let admin = staff(&db, "admin@bazaar.test", Role::Admin)
            .await
            .admin()
            .unwrap();
        lists::add_banned(&db, &admin, "реплика", BannedAction::Reject, L)
            .await
            .unwrap();
        // The same phrase in another form is refused as a duplicate.
        assert!(matches!(
            lists::add_banned(&db, &admin, "Реплики", BannedAction::Review, L).await,
            Err(db::Error::Validation(_))
        ));
        image(&db, &w.a, IMG, 1200, 1200, "ready").await;
        image(
            &db,
            &w.a,
            "https://cdn.example.com/small.jpg",
            200,
            200,
            "ready",
        )
        .await;
        skus::put_sku(
            &db,
            &w.a,
            &tshirt(1, "Футболка РЕПЛИКА бренда"),
            "cabinet",
            L,
        )
        .await
        .unwrap();
        let mut small = tshirt(2, "Футболка");
        small.images = vec!["https://cdn.example.com/small.jpg".into()];
        skus::put_sku(&db, &w.a, &small, "cabinet", L)
            .await
            .unwrap();
        let trusting = RulesConfig {
            trusted_min_approved: 0,
            ..RulesConfig::default()
        };
        skus::put_sku(&db, &w.a, &tshirt(3, "Футболка чистая"), "cabinet", L)
            .await
            .unwrap();
        let c = settle(&db, &trusting).await;
        assert_eq!((c.auto_rejected, c.auto_approved, c.queued), (2, 1, 0));

        let banned = skus::get_sku(&db, &w.a, "TS-001").await.unwrap();
        assert_eq!(banned.status, SkuStatus::Rejected);
        assert_eq!(banned.moderation.reason_codes, vec!["banned_words"]);
        assert_eq!(banned.moderation.fields, vec!["title"]);
        let small = skus::get_sku(&db, &w.a, "TS-002").await.unwrap();
        assert_eq!(small.moderation.reason_codes, vec!["poor_images"]);
        assert!(small.moderation.comment.unwrap().contains("200×200"));
        let clean = skus::get_sku(&db, &w.a, "TS-003").await.unwrap();
        assert_eq!(clean.status, SkuStatus::Active);
        let (auto,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'moderation.auto_%' AND actor_kind = 'system'")
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(auto, 3);
    }
);

db_test!(
    revisions_wait_for_their_images_then_go_on,
    |db: Db| async move {
        let w = world(&db).await;
        skus::put_sku(&db, &w.a, &tshirt(1, "Футболка"), "cabinet", L)
            .await
            .unwrap();
        let c = settle(&db, &strict()).await;
        assert_eq!(c.waiting_for_images, 1);
        // The URL is registered for fetching, once.
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM images WHERE url = $1 AND status = 'pending'")
                .bind(IMG)
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(n, 1);
        sqlx::query("UPDATE images SET status = 'failed', error_code = 'truncated', error_message_en = 'The file is truncated' WHERE url = $1")
        .bind(IMG)
        .execute(db.pool())
        .await
        .unwrap();
        sqlx::query("UPDATE sku_revisions SET check_after = 0")
            .execute(db.pool())
            .await
            .unwrap();
        let c = settle(&db, &strict()).await;
        assert_eq!(c.auto_rejected, 1);
        let sku = skus::get_sku(&db, &w.a, "TS-001").await.unwrap();
        assert_eq!(sku.moderation.reason_codes, vec!["poor_images"]);
        assert!(sku.moderation.comment.unwrap().contains("truncated"));
    }
);

db_test!(
    two_moderators_never_get_the_same_item_and_expired_leases_return,
    |db: Db| async move {
        let w = world(&db).await;
        image(&db, &w.a, IMG, 1200, 1200, "ready").await;
        let items: Vec<SkuInput> = (0..60)
            .map(|n| tshirt(n, &format!("Футболка №{n}")))
            .collect();
        skus::put_skus_batch(&db, &w.a, &items, "cabinet", L)
            .await
            .unwrap();
        assert_eq!(settle(&db, &strict()).await.queued, 60);

        for _ in 0..2 {
            let (x, y) = tokio::join!(
                queue::claim_ids(&db, &w.m1, 20, 60_000),
                queue::claim_ids(&db, &w.m2, 20, 60_000)
            );
            let (x, y) = (x.unwrap(), y.unwrap());
            let xs: HashSet<_> = x.iter().collect();
            assert!(
                y.iter().all(|id| !xs.contains(id)),
                "an item was given to both moderators"
            );
            assert_eq!(x.len() + y.len(), 40);
            queue::release(&db, &w.m1, &[]).await.unwrap();
            queue::release(&db, &w.m2, &[]).await.unwrap();
        }
        // Oldest first.
        let first = queue::claim(&db, &w.m1, 5).await.unwrap();
        assert_eq!(
            first
                .iter()
                .map(|i| i.seller_sku.as_str())
                .collect::<Vec<_>>(),
            ["TS-000", "TS-001", "TS-002", "TS-003", "TS-004"]
        );
        queue::release(&db, &w.m1, &[]).await.unwrap();

        // A short lease runs out; the next moderator gets the items and the first one can
        // no longer decide them.
        let mine = queue::claim_ids(&db, &w.m1, 3, 50).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(120)).await;
        let theirs = queue::claim_ids(&db, &w.m2, 3, 60_000).await.unwrap();
        assert_eq!(mine, theirs);
        let err = queue::decide(&db, &w.m1, &mine[0], &approve(), L)
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            db::Error::Rule {
                code: ErrorCode::Conflict,
                ..
            }
        ));
        queue::decide(&db, &w.m2, &mine[0], &approve(), L)
            .await
            .unwrap();

        // Bulk: each item on its own.
        let held: Vec<String> = queue::held(&db, &w.m2)
            .await
            .unwrap()
            .into_iter()
            .map(|i| i.revision_id)
            .collect();
        assert_eq!(held.len(), 2);
        let mut ids = held.clone();
        ids.push(mine[0].clone()); // already decided
        let results = queue::decide_many(&db, &w.m2, &ids, &reject("poor_images", ""), L)
            .await
            .unwrap();
        assert_eq!(results.iter().filter(|r| r.ok).count(), 2);
        assert!(!results[2].ok);

        let s = stats::stats(&db, &w.m1, &RulesConfig::default())
            .await
            .unwrap();
        assert_eq!(s.queue_total, 57);
        assert_eq!(s.decisions_7d, 3);
        assert_eq!(s.rejected_7d, 2);
        assert_eq!(s.per_moderator.len(), 1);
        assert_eq!(s.per_moderator[0].decisions, 3);
    }
);

db_test!(
    newer_content_replaces_the_queued_revision,
    |db: Db| async move {
        let w = world(&db).await;
        image(&db, &w.a, IMG, 1200, 1200, "ready").await;
        skus::put_sku(&db, &w.a, &tshirt(1, "Футболка"), "cabinet", L)
            .await
            .unwrap();
        settle(&db, &strict()).await;
        let held = queue::claim(&db, &w.m1, 20).await.unwrap();
        skus::put_sku(&db, &w.a, &tshirt(1, "Футболка исправленная"), "cabinet", L)
            .await
            .unwrap();
        // The moderator cannot decide the replaced content.
        assert!(
            queue::decide(&db, &w.m1, &held[0].revision_id, &approve(), L)
                .await
                .is_err()
        );
        settle(&db, &strict()).await;
        assert!(queue::held(&db, &w.m1).await.unwrap().is_empty());
        let again = queue::claim(&db, &w.m1, 20).await.unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].title, "Футболка исправленная");
    }
);

db_test!(
    moderators_block_and_unblock_live_listings,
    |db: Db| async move {
        let w = world(&db).await;
        image(&db, &w.a, IMG, 1200, 1200, "ready").await;
        skus::put_sku(&db, &w.a, &tshirt(1, "Футболка"), "cabinet", L)
            .await
            .unwrap();
        settle(&db, &strict()).await;
        let held = queue::claim(&db, &w.m1, 20).await.unwrap();
        queue::decide(&db, &w.m1, &held[0].revision_id, &approve(), L)
            .await
            .unwrap();
        let hits = queue::find_skus(&db, &w.m1, "ts-001").await.unwrap();
        assert_eq!(hits.len(), 1);
        let reasons = [ReasonRef {
            code: "counterfeit".into(),
            field: None,
        }];
        assert!(
            queue::set_blocked(&db, &w.m1, &hits[0].sku_id, true, &[], None, L)
                .await
                .is_err()
        );
        let s = queue::set_blocked(
            &db,
            &w.m1,
            &hits[0].sku_id,
            true,
            &reasons,
            Some("Жалоба правообладателя"),
            L,
        )
        .await
        .unwrap();
        assert_eq!(s, SkuStatus::Blocked);
        let sku = skus::get_sku(&db, &w.a, "TS-001").await.unwrap();
        assert_eq!(sku.status, SkuStatus::Blocked);
        // Seller B cannot see A's SKU at all.
        assert!(matches!(
            skus::get_sku(&db, &w.b, "TS-001").await,
            Err(db::Error::NotFound(_))
        ));
        let s = queue::set_blocked(&db, &w.m1, &hits[0].sku_id, false, &[], None, L)
            .await
            .unwrap();
        assert_eq!(s, SkuStatus::Active);
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action IN ('moderation.block', 'moderation.unblock')")
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(n, 2);
    }
);

db_test!(admins_manage_reasons, |db: Db| async move {
    let _w = world(&db).await;
    let admin = staff(&db, "admin@bazaar.test", Role::Admin)
        .await
        .admin()
        .unwrap();
    let mut r = lists::list_reasons(&db, false).await.unwrap().remove(0);
    r.active = false;
    lists::save_reason(&db, &admin, &r, L).await.unwrap();
    assert!(
        !lists::list_reasons(&db, false)
            .await
            .unwrap()
            .iter()
            .any(|x| x.code == r.code)
    );
    assert!(
        lists::list_reasons(&db, true)
            .await
            .unwrap()
            .iter()
            .any(|x| x.code == r.code)
    );
    let bad = domain::moderation::Reason {
        code: "Bad Code".into(),
        ..r.clone()
    };
    assert!(matches!(
        lists::save_reason(&db, &admin, &bad, L).await,
        Err(db::Error::Validation(_))
    ));
    let new = domain::moderation::Reason {
        code: "no_certificate".into(),
        name_en: "No certificate".into(),
        active: true,
        ..r
    };
    lists::save_reason(&db, &admin, &new, L).await.unwrap();
    assert_eq!(
        lists::list_reasons(&db, false)
            .await
            .unwrap()
            .last()
            .unwrap()
            .code,
        "no_certificate"
    );
});

db_test!(category_rules_apply_to_subcategories, |db: Db| async move {
    let w = world(&db).await;
    let admin = staff(&db, "admin@bazaar.test", Role::Admin)
        .await
        .admin()
        .unwrap();
    // Clothing (the parent of T-shirts) is for verified sellers; B is not verified.
    sqlx::query("UPDATE sellers SET status = 'pending_verification' WHERE id = $1")
        .bind(w.b.seller_id().to_string())
        .execute(db.pool())
        .await
        .unwrap();
    let b = db::auth::principal_for_user(&db, {
        let (id,): (String,) = sqlx::query_as("SELECT id FROM users WHERE email = 'b@seller.test'")
            .fetch_one(db.pool())
            .await
            .unwrap();
        id.parse().unwrap()
    })
    .await
    .unwrap()
    .unwrap()
    .seller()
    .unwrap();
    lists::set_category_rule(&db, &admin, "clothing", true, None, L)
        .await
        .unwrap();
    lists::set_category_rule(&db, &admin, "tshirts", false, Some(1500), L)
        .await
        .unwrap();
    assert!(matches!(
        lists::set_category_rule(&db, &admin, "tshirts", false, Some(0), L).await,
        Err(db::Error::Validation(_))
    ));
    let rules = lists::list_category_rules(&db).await.unwrap();
    assert!(rules.iter().any(|r| r.code == "clothing" && r.restricted));
    image(&db, &w.a, IMG, 1200, 1200, "ready").await;
    image(&db, &b, IMG, 1600, 1600, "ready").await;
    skus::put_sku(&db, &w.a, &tshirt(1, "Футболка"), "cabinet", L)
        .await
        .unwrap();
    skus::put_sku(&db, &b, &tshirt(1, "Футболка"), "cabinet", L)
        .await
        .unwrap();
    let c = settle(&db, &strict()).await;
    assert_eq!(c.auto_rejected, 2);
    // A is verified but its image is below the T-shirts' 1500 px.
    let a_sku = skus::get_sku(&db, &w.a, "TS-001").await.unwrap();
    assert_eq!(a_sku.moderation.reason_codes, vec!["poor_images"]);
    // B's image is large enough, but B may not list clothing yet.
    let b_sku = skus::get_sku(&db, &b, "TS-001").await.unwrap();
    assert_eq!(b_sku.moderation.reason_codes, vec!["wrong_category"]);
    assert!(
        b_sku
            .moderation
            .reasons
            .iter()
            .any(|r| r.code == "wrong_category" && !r.name_ru.is_empty())
    );
});
