//! The catalog on both engines: the category tree (admin use cases, CSV import and
//! export, the cached index), SKU writes and their revision rules, the list, and
//! isolation between sellers.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use db::auth::SellerCtx;
use db::catalog::categories::{self as cats};
use db::catalog::skus::{self, CommercialPatch};
use db::testing::{staff, two_sellers};
use db::{Db, db_test};
use domain::accounts::{Role, SellerStatus};
use domain::catalog::{
    AttributeCells, CategoryInput, RevisionStatus, SkuInput, SkuListQuery, SkuSort, SkuStatus,
    SortDir, TreeImportResult, UpsertOutcome,
};
use domain::{ErrorCode, Locale};
use futures::StreamExt;
use std::sync::Arc;

async fn admin(db: &Db) -> db::auth::AdminCtx {
    staff(db, "admin@bazaar.test", Role::Admin)
        .await
        .admin()
        .unwrap()
}

async fn sellers(db: &Db) -> (SellerCtx, SellerCtx) {
    let ab = two_sellers(db).await;
    (ab.a.seller().unwrap(), ab.b.seller().unwrap())
}

/// A valid T-shirt; `n` makes the code, title and barcode unique.
fn tshirt(n: u32) -> SkuInput {
    SkuInput {
        sku: format!("TS-{n:03}"),
        title: format!("Футболка базовая №{n}"),
        brand: "Северный ветер".into(),
        category: "tshirts".into(),
        price: "1 299,90".into(),
        stock: "10".into(),
        images: vec!["https://cdn.example.com/ts.jpg".into()],
        attributes: [("gender", "мужской"), ("size", "M"), ("color", "белый")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..SkuInput::default()
    }
}

fn fields(e: &db::Error) -> Vec<(String, String)> {
    match e {
        db::Error::Validation(f) => f
            .iter()
            .map(|f| (f.field.clone(), f.code.clone()))
            .collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

async fn revisions(db: &Db, sku_id: &str) -> Vec<(i64, String)> {
    sqlx::query_as("SELECT number, status FROM sku_revisions WHERE sku_id = $1 ORDER BY number")
        .bind(sku_id)
        .fetch_all(db.pool())
        .await
        .unwrap()
}

// ---------------------------------------------------------------------------
// Categories

db_test!(
    the_starter_tree_is_seeded_once_and_served_from_the_cache,
    |db: Db| async move {
        assert_eq!(cats::tree_version(&db).await.unwrap(), 0);
        let first = cats::load_index(&db).await.unwrap();
        assert!(first.get("smartphones").is_some());
        assert_eq!(cats::tree_version(&db).await.unwrap(), 1);
        assert!(!cats::seed_starter_tree(&db).await.unwrap());
        let again = cats::load_index(&db).await.unwrap();
        assert!(
            Arc::ptr_eq(&first, &again),
            "an unchanged tree is not rebuilt"
        );
        let listed = cats::list_categories(&db).await.unwrap();
        assert_eq!(listed.len(), first.len());
    }
);

db_test!(
    the_index_follows_a_change_made_by_another_instance,
    |db: Db| async move {
        let before = cats::load_index(&db).await.unwrap();
        assert_eq!(before.get("tvs").unwrap().name(Locale::Ru), "Телевизоры");
        // Another instance renames a category: same rows, version bumped.
        sqlx::query("UPDATE categories SET name_ru = 'ТВ' WHERE code = 'tvs'")
            .execute(db.pool())
            .await
            .unwrap();
        let stale = cats::load_index(&db).await.unwrap();
        assert_eq!(
            stale.get("tvs").unwrap().name(Locale::Ru),
            "Телевизоры",
            "without a version bump the cached tree stays"
        );
        sqlx::query("UPDATE catalog_meta SET tree_version = tree_version + 1 WHERE id = 1")
            .execute(db.pool())
            .await
            .unwrap();
        let after = cats::load_index(&db).await.unwrap();
        assert_eq!(after.get("tvs").unwrap().name(Locale::Ru), "ТВ");
    }
);

fn tea_input() -> CategoryInput {
    CategoryInput {
        code: "tea".into(),
        parent: "home_kitchen".into(),
        name_ru: "Чай".into(),
        name_en: "Tea".into(),
        return_window_days: "0".into(),
        attributes: vec![AttributeCells {
            code: "tea_kind".into(),
            name_ru: "Вид чая".into(),
            name_en: "Kind of tea".into(),
            attribute_type: "enum".into(),
            required: "yes".into(),
            allowed_values: "black=Чёрный=Black|green=Зелёный=Green".into(),
            ..AttributeCells::default()
        }],
    }
}

db_test!(
    an_admin_creates_edits_and_deletes_a_category_with_audit,
    |db: Db| async move {
        let admin = admin(&db).await;
        let v0 = {
            cats::load_index(&db).await.unwrap();
            cats::tree_version(&db).await.unwrap()
        };
        cats::create_category(&db, &admin, &tea_input(), Locale::En)
            .await
            .unwrap();
        let index = cats::load_index(&db).await.unwrap();
        let tea = index.get("tea").unwrap();
        assert_eq!(tea.path(Locale::Ru), "Дом и кухня/Чай");
        assert!(tea.attribute("tea_kind").unwrap().required);
        assert_eq!(tea.return_window_days(), 0);
        assert!(cats::tree_version(&db).await.unwrap() > v0);

        let mut edit = cats::get_category(&db, &admin, "tea").await.unwrap();
        edit.name_en = "Tea and infusions".into();
        edit.attributes.push(AttributeCells {
            code: "weight_pack_g".into(),
            name_ru: "Вес упаковки".into(),
            name_en: "Pack weight".into(),
            attribute_type: "integer:1..5000".into(),
            unit: "g".into(),
            ..AttributeCells::default()
        });
        cats::update_category(&db, &admin, "tea", &edit, Locale::En)
            .await
            .unwrap();
        let index = cats::load_index(&db).await.unwrap();
        let tea = index.get("tea").unwrap();
        assert_eq!(tea.name(Locale::En), "Tea and infusions");
        assert_eq!(tea.effective_attributes().count(), 2);

        // The same code twice, a parent that is not there, a bad attribute type.
        let dup = cats::create_category(&db, &admin, &tea_input(), Locale::En)
            .await
            .unwrap_err();
        assert_eq!(fields(&dup), [("code".into(), "taken".into())]);
        let mut orphan = tea_input();
        orphan.code = "herbal".into();
        orphan.parent = "drinks".into();
        orphan.name_ru = "Травяной".into();
        orphan.name_en = "Herbal".into();
        let e = cats::create_category(&db, &admin, &orphan, Locale::En)
            .await
            .unwrap_err();
        assert_eq!(fields(&e), [("parent".into(), "invalid_tree".into())]);
        edit.attributes[1].attribute_type = "float".into();
        let e = cats::update_category(&db, &admin, "tea", &edit, Locale::En)
            .await
            .unwrap_err();
        assert_eq!(
            fields(&e),
            [("attributes[1].attribute_type".into(), "invalid".into())]
        );

        // A category with children cannot be deleted; a leaf can.
        let e = cats::delete_category(&db, &admin, "home_kitchen", Locale::En)
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Conflict);
        cats::delete_category(&db, &admin, "tea", Locale::En)
            .await
            .unwrap();
        assert!(cats::load_index(&db).await.unwrap().get("tea").is_none());

        let actions: Vec<(String,)> = sqlx::query_as(
            "SELECT action FROM audit_log WHERE subject_kind = 'category' ORDER BY at, id",
        )
        .fetch_all(db.pool())
        .await
        .unwrap();
        let actions: Vec<&str> = actions.iter().map(|a| a.0.as_str()).collect();
        assert_eq!(
            actions,
            ["category.create", "category.update", "category.delete"]
        );
    }
);

db_test!(
    a_category_with_skus_can_neither_be_deleted_nor_get_subcategories,
    |db: Db| async move {
        let admin = admin(&db).await;
        let (a, _) = sellers(&db).await;
        skus::put_sku(&db, &a, &tshirt(1), "cabinet", Locale::En)
            .await
            .unwrap();
        let e = cats::delete_category(&db, &admin, "tshirts", Locale::En)
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Conflict);
        let mut polo = tea_input();
        polo.code = "polo".into();
        polo.parent = "tshirts".into();
        polo.name_ru = "Поло".into();
        polo.name_en = "Polo".into();
        polo.attributes.clear();
        let e = cats::create_category(&db, &admin, &polo, Locale::En)
            .await
            .unwrap_err();
        assert_eq!(fields(&e), [("parent".into(), "parent_has_skus".into())]);
    }
);

const TREE_HEADER: &str = "category_code;parent_code;name_ru;name_en;return_window_days;attribute_code;attribute_name_ru;attribute_name_en;attribute_type;unit;required;allowed_values\n";

db_test!(
    a_bad_tree_file_names_rows_and_columns_and_changes_nothing,
    |db: Db| async move {
        let admin = admin(&db).await;
        cats::load_index(&db).await.unwrap();
        let version = cats::tree_version(&db).await.unwrap();
        let bad = TREE_HEADER.to_string()
            + "books;;Книги;Books;14;pages;Страниц;Pages;integer;furlong;no;\n"
            + "Bad Code;;Плохо;Bad;;;;;;;;\n";
        let TreeImportResult::Rejected(problems) =
            cats::import_tree_csv(&db, &admin, bad.as_bytes(), Locale::En)
                .await
                .unwrap()
        else {
            panic!("a bad file was applied");
        };
        let at: Vec<(u64, Option<&str>)> = problems
            .iter()
            .map(|p| (p.row, p.column.as_deref()))
            .collect();
        assert!(at.contains(&(2, Some("unit"))), "{at:?}");
        assert!(at.contains(&(3, Some("category_code"))), "{at:?}");

        // Consistent rows but a broken tree: the row of the category at fault.
        let orphan = TREE_HEADER.to_string()
            + "books;;Книги;Books;14;;;;;;;\n"
            + "fiction;books;Проза;Fiction;14;;;;;;;\n"
            + "poetry;verse;Поэзия;Poetry;14;;;;;;;\n";
        let TreeImportResult::Rejected(problems) =
            cats::import_tree_csv(&db, &admin, orphan.as_bytes(), Locale::Ru)
                .await
                .unwrap()
        else {
            panic!("a tree with an unknown parent was applied");
        };
        assert_eq!(problems[0].row, 4);
        assert!(problems[0].message.contains("verse"), "{problems:?}");
        assert_eq!(cats::tree_version(&db).await.unwrap(), version);
        assert!(cats::load_index(&db).await.unwrap().get("tvs").is_some());
    }
);

db_test!(
    a_tree_file_is_applied_as_a_whole_and_keeps_categories_with_skus,
    |db: Db| async move {
        let admin = admin(&db).await;
        let (a, _) = sellers(&db).await;
        skus::put_sku(&db, &a, &tshirt(1), "cabinet", Locale::En)
            .await
            .unwrap();
        let exported = cats::export_tree_csv(&db, &admin).await.unwrap();
        assert!(exported.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(exported[3..].to_vec()).unwrap();
        // Drop all of clothing (T-shirts hold a SKU) and TVs (empty); rename
        // Books; add a category under Books.
        let mut edited: Vec<String> = text
            .lines()
            .filter(|l| {
                let code = l.split(';').next().unwrap_or_default();
                let parent = l.split(';').nth(1).unwrap_or_default();
                code != "tvs" && code != "clothing" && parent != "clothing"
            })
            .map(|l| l.replace(";Книги;Books;", ";Книги и журналы;Books;"))
            .collect();
        edited.push("comics;books;Комиксы;Comics;14;;;;;;;".into());
        let body = edited.join("\n");
        let TreeImportResult::Applied(report) =
            cats::import_tree_csv(&db, &admin, body.as_bytes(), Locale::En)
                .await
                .unwrap()
        else {
            panic!("a good file was refused");
        };
        assert_eq!(report.created, 1);
        assert_eq!(report.updated, 1);
        assert_eq!(report.kept, ["clothing", "tshirts"]);
        // tvs and the other clothing leaves (jeans, dresses, jackets).
        assert_eq!(report.deleted, 4);
        let index = cats::load_index(&db).await.unwrap();
        assert!(index.get("tvs").is_none());
        assert!(index.get("jeans").is_none());
        assert!(index.get("tshirts").is_some());
        assert_eq!(
            index.get("comics").unwrap().path(Locale::Ru),
            "Книги и журналы/Комиксы"
        );
        let audit: (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = 'category.import_tree'")
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(audit.0, 1);

        // Giving the category with SKUs a child is refused, naming the child's row.
        let child = body + "\nvests;tshirts;Майки;Vests;14;;;;;;;";
        let TreeImportResult::Rejected(problems) =
            cats::import_tree_csv(&db, &admin, child.as_bytes(), Locale::En)
                .await
                .unwrap()
        else {
            panic!("a category with SKUs got a subcategory");
        };
        assert_eq!(problems[0].column.as_deref(), Some("parent_code"));
        assert!(problems[0].row > 1);
        assert!(cats::load_index(&db).await.unwrap().get("vests").is_none());
    }
);

// ---------------------------------------------------------------------------
// SKU writes and revisions

db_test!(
    a_new_sku_waits_for_moderation_and_the_same_values_change_nothing,
    |db: Db| async move {
        let (a, _) = sellers(&db).await;
        let made = skus::put_sku(&db, &a, &tshirt(1), "cabinet", Locale::En)
            .await
            .unwrap();
        assert_eq!(made.outcome, UpsertOutcome::Created);
        assert_eq!(made.sku.status, SkuStatus::PendingModeration);
        assert!(made.sku.live.is_none());
        let latest = made.sku.latest.as_ref().unwrap();
        assert_eq!((latest.number, latest.status), (1, RevisionStatus::Pending));
        assert_eq!(made.sku.commercial.price().amount_minor(), 129_990);
        assert_eq!(made.sku.moderation.status, Some(RevisionStatus::Pending));

        let again = skus::put_sku(&db, &a, &tshirt(1), "api", Locale::En)
            .await
            .unwrap();
        assert_eq!(again.outcome, UpsertOutcome::Unchanged);
        assert_eq!(
            revisions(&db, &made.sku.id.to_string()).await,
            [(1, "pending".to_string())]
        );
    }
);

db_test!(
    a_price_change_is_live_at_once_without_a_revision,
    |db: Db| async move {
        let (a, _) = sellers(&db).await;
        let made = skus::put_sku(&db, &a, &tshirt(1), "cabinet", Locale::En)
            .await
            .unwrap();
        let mut cheaper = tshirt(1);
        cheaper.price = "999".into();
        cheaper.old_price = "1299,90".into();
        cheaper.stock = "3".into();
        let put = skus::put_sku(&db, &a, &cheaper, "cabinet", Locale::En)
            .await
            .unwrap();
        assert_eq!(put.outcome, UpsertOutcome::Updated);
        assert_eq!(put.sku.commercial.price().amount_minor(), 99_900);
        assert_eq!(put.sku.commercial.stock(), 3);
        assert_eq!(revisions(&db, &made.sku.id.to_string()).await.len(), 1);

        let patched = skus::patch_commercial(
            &db,
            &a,
            "TS-001",
            &CommercialPatch {
                stock: Some("0".into()),
                ..CommercialPatch::default()
            },
            Locale::En,
        )
        .await
        .unwrap();
        assert_eq!(patched.commercial.stock(), 0);
        assert_eq!(patched.commercial.price().amount_minor(), 99_900);
        assert_eq!(
            patched.commercial.old_price().map(|m| m.amount_minor()),
            Some(129_990)
        );
        assert_eq!(revisions(&db, &made.sku.id.to_string()).await.len(), 1);
        // The hash follows the patch, so the same values by PUT are unchanged.
        let mut same = cheaper.clone();
        same.stock = "0".into();
        let put = skus::put_sku(&db, &a, &same, "api", Locale::En)
            .await
            .unwrap();
        assert_eq!(put.outcome, UpsertOutcome::Unchanged);
    }
);

db_test!(
    a_patch_follows_the_price_rules_and_clears_the_old_price,
    |db: Db| async move {
        let (a, _) = sellers(&db).await;
        let mut input = tshirt(1);
        input.old_price = "1500".into();
        skus::put_sku(&db, &a, &input, "cabinet", Locale::En)
            .await
            .unwrap();
        let low = CommercialPatch {
            old_price: Some("1000".into()),
            ..CommercialPatch::default()
        };
        let e = skus::patch_commercial(&db, &a, "TS-001", &low, Locale::Ru)
            .await
            .unwrap_err();
        assert_eq!(
            fields(&e),
            [("old_price".into(), "old_price_not_greater".into())]
        );
        let bad = CommercialPatch {
            price: Some("0".into()),
            stock: Some("-2".into()),
            ..CommercialPatch::default()
        };
        let e = skus::patch_commercial(&db, &a, "TS-001", &bad, Locale::En)
            .await
            .unwrap_err();
        assert_eq!(
            fields(&e),
            [
                ("price".into(), "not_positive".into()),
                ("stock".into(), "out_of_range".into())
            ]
        );
        let cleared = skus::patch_commercial(
            &db,
            &a,
            "TS-001",
            &CommercialPatch {
                old_price: Some(String::new()),
                ..CommercialPatch::default()
            },
            Locale::En,
        )
        .await
        .unwrap();
        assert_eq!(cleared.commercial.old_price(), None);
        let missing = skus::patch_commercial(&db, &a, "NOPE", &low, Locale::En)
            .await
            .unwrap_err();
        assert!(matches!(missing, db::Error::NotFound(_)));
    }
);

db_test!(
    new_content_of_an_active_sku_waits_while_the_approved_content_stays_live,
    |db: Db| async move {
        let (a, _) = sellers(&db).await;
        let made = skus::put_sku(&db, &a, &tshirt(1), "cabinet", Locale::En)
            .await
            .unwrap();
        skus::system_approve_latest_revision(&db, &a, "TS-001")
            .await
            .unwrap();
        let active = skus::get_sku(&db, &a, "TS-001").await.unwrap();
        assert_eq!(active.status, SkuStatus::Active);
        assert_eq!(active.live.as_ref().unwrap().number, 1);

        let mut renamed = tshirt(1);
        renamed.title = "Футболка оверсайз".into();
        let put = skus::put_sku(&db, &a, &renamed, "cabinet", Locale::En)
            .await
            .unwrap();
        assert_eq!(put.outcome, UpsertOutcome::Updated);
        assert_eq!(put.sku.status, SkuStatus::Active, "still on sale");
        assert_eq!(
            put.sku.live.as_ref().unwrap().content.title(),
            "Футболка базовая №1"
        );
        assert_eq!(
            put.sku.latest.as_ref().unwrap().content.title(),
            "Футболка оверсайз"
        );
        assert!(put.sku.has_pending_change());

        // A second change before moderation supersedes the first pending one.
        renamed.title = "Футболка оверсайз, хлопок".into();
        skus::put_sku(&db, &a, &renamed, "api", Locale::En)
            .await
            .unwrap();
        assert_eq!(
            revisions(&db, &made.sku.id.to_string()).await,
            [
                (1, "approved".to_string()),
                (2, "superseded".to_string()),
                (3, "pending".to_string())
            ]
        );
        let detail = skus::get_sku(&db, &a, "TS-001").await.unwrap();
        let history: Vec<i64> = detail.history.iter().map(|r| r.number).collect();
        assert_eq!(history, [3, 2, 1]);
        assert_eq!(detail.history[0].source, "api");
        let listed = skus::list_skus(&db, &a, &SkuListQuery::default(), Locale::En)
            .await
            .unwrap();
        assert!(listed.items[0].has_pending_change);
    }
);

db_test!(invalid_input_names_each_field, |db: Db| async move {
    let (a, _) = sellers(&db).await;
    let mut bad = tshirt(1);
    bad.price = "0".into();
    bad.attributes.insert("size".into(), "XXXXL".into());
    bad.barcode = "4006381333932".into();
    let e = skus::put_sku(&db, &a, &bad, "cabinet", Locale::En)
        .await
        .unwrap_err();
    let f = fields(&e);
    for want in [
        ("price", "not_positive"),
        ("barcode", "bad_checksum"),
        ("attr:size", "bad_enum_value"),
    ] {
        assert!(
            f.contains(&(want.0.to_string(), want.1.to_string())),
            "{want:?} not in {f:?}"
        );
    }
});

db_test!(
    a_batch_applies_the_valid_items_and_reports_the_rest,
    |db: Db| async move {
        let (a, _) = sellers(&db).await;
        skus::put_sku(&db, &a, &tshirt(2), "cabinet", Locale::En)
            .await
            .unwrap();
        let mut bad = tshirt(3);
        bad.title = String::new();
        let mut changed = tshirt(2);
        changed.stock = "99".into();
        let items = vec![tshirt(1), bad, changed, tshirt(4)];
        let results = skus::put_skus_batch(&db, &a, &items, "api", Locale::En)
            .await
            .unwrap();
        let outcomes: Vec<Option<UpsertOutcome>> = results.iter().map(|r| r.outcome).collect();
        assert_eq!(
            outcomes,
            [
                Some(UpsertOutcome::Created),
                None,
                Some(UpsertOutcome::Updated),
                Some(UpsertOutcome::Created)
            ]
        );
        assert_eq!(results[1].errors[0].field, "items[1].title");
        assert_eq!(results[1].seller_sku, "TS-003");
        assert!(matches!(
            skus::get_sku(&db, &a, "TS-003").await,
            Err(db::Error::NotFound(_))
        ));
        let too_many = vec![tshirt(1); skus::BATCH_MAX_ITEMS + 1];
        let e = skus::put_skus_batch(&db, &a, &too_many, "api", Locale::En)
            .await
            .unwrap_err();
        assert_eq!(fields(&e), [("items".into(), "too_many".into())]);
    }
);

db_test!(
    archiving_hides_a_sku_from_the_list_and_can_be_repeated,
    |db: Db| async move {
        let (a, _) = sellers(&db).await;
        skus::put_sku(&db, &a, &tshirt(1), "cabinet", Locale::En)
            .await
            .unwrap();
        skus::put_sku(&db, &a, &tshirt(2), "cabinet", Locale::En)
            .await
            .unwrap();
        let archived = skus::archive_sku(&db, &a, "TS-001").await.unwrap();
        assert_eq!(archived.status, SkuStatus::Archived);
        let again = skus::archive_sku(&db, &a, "TS-001").await.unwrap();
        assert_eq!(again.status, SkuStatus::Archived);
        let list = skus::list_skus(&db, &a, &SkuListQuery::default(), Locale::En)
            .await
            .unwrap();
        let codes: Vec<&str> = list.items.iter().map(|i| i.seller_sku.as_str()).collect();
        assert_eq!(codes, ["TS-002"]);
        let only_archived = SkuListQuery {
            status: Some(SkuStatus::Archived),
            ..SkuListQuery::default()
        };
        let list = skus::list_skus(&db, &a, &only_archived, Locale::En)
            .await
            .unwrap();
        assert_eq!(list.items[0].seller_sku, "TS-001");
        let counts = skus::count_skus(&db, &a).await.unwrap();
        assert_eq!(counts.of(SkuStatus::Archived), 1);
        assert_eq!(counts.of(SkuStatus::PendingModeration), 1);
        assert_eq!(counts.total, 2);
    }
);

db_test!(
    suspended_sellers_and_accountants_cannot_change_the_catalog,
    |db: Db| async move {
        let (a, _) = sellers(&db).await;
        skus::put_sku(&db, &a, &tshirt(1), "cabinet", Locale::En)
            .await
            .unwrap();
        let suspended = SellerCtx::for_system(a.seller_id(), SellerStatus::Suspended);
        let e = skus::put_sku(&db, &suspended, &tshirt(2), "cabinet", Locale::En)
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::SellerSuspended);
        let e = skus::patch_commercial(
            &db,
            &suspended,
            "TS-001",
            &CommercialPatch {
                stock: Some("1".into()),
                ..CommercialPatch::default()
            },
            Locale::En,
        )
        .await
        .unwrap_err();
        assert_eq!(e.code(), ErrorCode::SellerSuspended);
        let e = skus::archive_sku(&db, &suspended, "TS-001")
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::SellerSuspended);
        // Reading stays allowed.
        assert!(skus::get_sku(&db, &suspended, "TS-001").await.is_ok());

        let accountant = db::accounts::add_team_member(
            &db,
            &a,
            "books@a.test",
            "long password 1",
            domain::accounts::MemberRole::Accountant,
            "Бухгалтер",
        )
        .await;
        accountant.unwrap();
        let p = db::auth::login(
            &db,
            "books@a.test",
            "long password 1",
            &db::auth::ClientInfo::default(),
            3_600_000,
        )
        .await
        .unwrap()
        .principal
        .seller()
        .unwrap();
        let e = skus::put_sku(&db, &p, &tshirt(2), "cabinet", Locale::En)
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Forbidden);
    }
);

// ---------------------------------------------------------------------------
// The list

async fn all_pages(db: &Db, ctx: &SellerCtx, mut q: SkuListQuery) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        let page = skus::list_skus(db, ctx, &q, Locale::En).await.unwrap();
        seen.extend(page.items.iter().map(|i| i.seller_sku.clone()));
        match page.next_cursor {
            Some(c) => q.after = Some(c),
            None => return seen,
        }
    }
}

db_test!(
    the_list_searches_filters_sorts_and_pages_by_cursor,
    |db: Db| async move {
        let (a, b) = sellers(&db).await;
        let mut items: Vec<SkuInput> = (1..=23).map(tshirt).collect();
        for (i, item) in items.iter_mut().enumerate() {
            // Prices not in code order, some equal, to exercise the id tie-break.
            item.price = format!("{},50", 100 + (i * 7) % 10);
            if i % 5 == 0 {
                item.brand = "Ёлка".into();
            }
        }
        let mut phone = SkuInput {
            sku: "PH-1".into(),
            title: "Смартфон Redmi".into(),
            category: "smartphones".into(),
            barcode: "4006381333931".into(),
            price: "24999".into(),
            stock: "2".into(),
            ..SkuInput::default()
        };
        for (k, v) in [
            ("screen_size_in", "6,67"),
            ("storage_gb", "256"),
            ("color", "black"),
        ] {
            phone.attributes.insert(k.into(), v.into());
        }
        items.push(phone);
        skus::put_skus_batch(&db, &a, &items, "api", Locale::En)
            .await
            .unwrap();
        skus::put_sku(&db, &b, &tshirt(99), "api", Locale::En)
            .await
            .unwrap();

        // Every order walks all 24 exactly once, in order, 5 per page.
        for (sort, dir) in [
            (SkuSort::Updated, SortDir::Desc),
            (SkuSort::Title, SortDir::Asc),
            (SkuSort::Price, SortDir::Asc),
            (SkuSort::Price, SortDir::Desc),
            (SkuSort::Stock, SortDir::Asc),
        ] {
            let q = SkuListQuery {
                sort,
                dir: Some(dir),
                limit: Some(5),
                ..SkuListQuery::default()
            };
            let walked = all_pages(&db, &a, q.clone()).await;
            assert_eq!(walked.len(), 24, "{sort:?} {dir:?}: {walked:?}");
            let mut unique = walked.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), 24, "{sort:?} {dir:?} repeated a row");
            let first = skus::list_skus(&db, &a, &q, Locale::En).await.unwrap();
            assert_eq!(first.total, 24);
            assert!(first.total_is_exact);
            assert!(first.prev_cursor.is_none());
            if sort == SkuSort::Price {
                let page = skus::list_skus(
                    &db,
                    &a,
                    &SkuListQuery {
                        limit: Some(24),
                        ..q.clone()
                    },
                    Locale::En,
                )
                .await
                .unwrap();
                let prices: Vec<i64> = page.items.iter().map(|i| i.price.amount_minor()).collect();
                let mut sorted = prices.clone();
                sorted.sort();
                if dir == SortDir::Desc {
                    sorted.reverse();
                }
                assert_eq!(prices, sorted);
            }
        }

        // Back from page 3 gives page 2 again.
        let q = SkuListQuery {
            sort: SkuSort::Title,
            limit: Some(5),
            ..SkuListQuery::default()
        };
        let p1 = skus::list_skus(&db, &a, &q, Locale::En).await.unwrap();
        let p2 = skus::list_skus(
            &db,
            &a,
            &SkuListQuery {
                after: p1.next_cursor.clone(),
                ..q.clone()
            },
            Locale::En,
        )
        .await
        .unwrap();
        let p3 = skus::list_skus(
            &db,
            &a,
            &SkuListQuery {
                after: p2.next_cursor.clone(),
                ..q.clone()
            },
            Locale::En,
        )
        .await
        .unwrap();
        let back = skus::list_skus(
            &db,
            &a,
            &SkuListQuery {
                before: p3.prev_cursor.clone(),
                ..q.clone()
            },
            Locale::En,
        )
        .await
        .unwrap();
        assert_eq!(back.items, p2.items);
        let back1 = skus::list_skus(
            &db,
            &a,
            &SkuListQuery {
                before: back.prev_cursor.clone(),
                ..q.clone()
            },
            Locale::En,
        )
        .await
        .unwrap();
        assert_eq!(back1.items, p1.items);
        assert!(back1.prev_cursor.is_none());
        // A cursor of another order is refused.
        let e = skus::list_skus(
            &db,
            &a,
            &SkuListQuery {
                sort: SkuSort::Price,
                after: p1.next_cursor.clone(),
                ..SkuListQuery::default()
            },
            Locale::En,
        )
        .await
        .unwrap_err();
        assert_eq!(fields(&e), [("cursor".into(), "invalid".into())]);

        // Search by brand (case and ё folded), by code, by barcode.
        let search = |q: &str| SkuListQuery {
            q: Some(q.into()),
            limit: Some(50),
            ..SkuListQuery::default()
        };
        let found = skus::list_skus(&db, &a, &search("ЕЛКА"), Locale::En)
            .await
            .unwrap();
        assert_eq!(found.total, 5);
        let found = skus::list_skus(&db, &a, &search("ts-01"), Locale::En)
            .await
            .unwrap();
        assert_eq!(found.total, 10);
        let found = skus::list_skus(&db, &a, &search("4006381333931"), Locale::En)
            .await
            .unwrap();
        assert_eq!(found.items[0].seller_sku, "PH-1");
        let found = skus::list_skus(&db, &a, &search("100%"), Locale::En)
            .await
            .unwrap();
        assert_eq!(found.total, 0, "LIKE wildcards in the query are literal");

        // Category filter: a leaf, and a parent covering its leaves.
        let in_cat = |c: &str| SkuListQuery {
            category: Some(c.into()),
            ..SkuListQuery::default()
        };
        let phones = skus::list_skus(&db, &a, &in_cat("smartphones"), Locale::En)
            .await
            .unwrap();
        assert_eq!(phones.total, 1);
        let clothing = skus::list_skus(&db, &a, &in_cat("clothing"), Locale::En)
            .await
            .unwrap();
        assert_eq!(clothing.total, 23);
        let e = skus::list_skus(&db, &a, &in_cat("nothing"), Locale::En)
            .await
            .unwrap_err();
        assert_eq!(fields(&e), [("category".into(), "unknown_category".into())]);

        // Status filter.
        skus::system_approve_latest_revision(&db, &a, "TS-005")
            .await
            .unwrap();
        let active = skus::list_skus(
            &db,
            &a,
            &SkuListQuery {
                status: Some(SkuStatus::Active),
                ..SkuListQuery::default()
            },
            Locale::En,
        )
        .await
        .unwrap();
        let codes: Vec<&str> = active.items.iter().map(|i| i.seller_sku.as_str()).collect();
        assert_eq!(codes, ["TS-005"]);
    }
);

db_test!(
    seller_b_can_neither_see_nor_change_seller_a_skus,
    |db: Db| async move {
        let (a, b) = sellers(&db).await;
        skus::put_sku(&db, &a, &tshirt(1), "cabinet", Locale::En)
            .await
            .unwrap();
        assert!(matches!(
            skus::get_sku(&db, &b, "TS-001").await,
            Err(db::Error::NotFound(_))
        ));
        let patch = CommercialPatch {
            price: Some("1".into()),
            ..CommercialPatch::default()
        };
        assert!(matches!(
            skus::patch_commercial(&db, &b, "TS-001", &patch, Locale::En).await,
            Err(db::Error::NotFound(_))
        ));
        assert!(matches!(
            skus::archive_sku(&db, &b, "TS-001").await,
            Err(db::Error::NotFound(_))
        ));
        let list = skus::list_skus(&db, &b, &SkuListQuery::default(), Locale::En)
            .await
            .unwrap();
        assert!(list.items.is_empty());
        assert_eq!(skus::count_skus(&db, &b).await.unwrap().total, 0);
        // B writing the same code makes B's own SKU; A's stays as it was.
        let mut mine = tshirt(1);
        mine.price = "1".into();
        let put = skus::put_sku(&db, &b, &mine, "api", Locale::En)
            .await
            .unwrap();
        assert_eq!(put.outcome, UpsertOutcome::Created);
        let a_sku = skus::get_sku(&db, &a, "TS-001").await.unwrap();
        assert_eq!(a_sku.commercial.price().amount_minor(), 129_990);
        let exported: Vec<u8> = skus::export_skus_csv(db.clone(), b.clone())
            .map(|c| c.unwrap())
            .concat()
            .await;
        let text = String::from_utf8(exported).unwrap();
        assert_eq!(text.lines().count(), 2, "B's export holds only B's SKU");
        assert!(text.contains(";1,00;"));
    }
);

db_test!(
    the_csv_export_holds_every_column_and_guards_formulas,
    |db: Db| async move {
        let (a, _) = sellers(&db).await;
        let mut evil = tshirt(1);
        evil.title = "=HYPERLINK(\"http://evil.example\",\"click\")".into();
        evil.brand = "@SUM(A1)".into();
        evil.description = "+7 (999) 123-45-67".into();
        evil.old_price = "1500,5".into();
        evil.attributes
            .insert("composition".into(), "-хлопок 100%".into());
        skus::put_sku(&db, &a, &evil, "cabinet", Locale::En)
            .await
            .unwrap();
        skus::put_sku(&db, &a, &tshirt(2), "cabinet", Locale::En)
            .await
            .unwrap();
        let bytes: Vec<u8> = skus::export_skus_csv(db.clone(), a.clone())
            .map(|c| c.unwrap())
            .concat()
            .await;
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let mut r = csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_reader(text.as_bytes());
        let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
        assert_eq!(&header[..3], ["sku", "title", "description"]);
        for col in [
            "attr:gender",
            "attr:size",
            "attr:color",
            "attr:composition",
            "status",
        ] {
            assert!(header.iter().any(|h| h == col), "{col} missing: {header:?}");
        }
        let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 2);
        let cell = |row: &csv::StringRecord, col: &str| {
            row.get(header.iter().position(|h| h == col).unwrap())
                .unwrap()
                .to_string()
        };
        assert_eq!(
            cell(&rows[0], "title"),
            "'=HYPERLINK(\"http://evil.example\",\"click\")"
        );
        assert_eq!(cell(&rows[0], "brand"), "'@SUM(A1)");
        assert_eq!(cell(&rows[0], "description"), "'+7 (999) 123-45-67");
        assert_eq!(cell(&rows[0], "attr:composition"), "'-хлопок 100%");
        assert_eq!(cell(&rows[0], "price"), "1299,90");
        assert_eq!(cell(&rows[0], "old_price"), "1500,50");
        assert_eq!(cell(&rows[0], "attr:size"), "m");
        assert_eq!(cell(&rows[0], "status"), "pending_moderation");
        assert_eq!(cell(&rows[1], "sku"), "TS-002");
    }
);
