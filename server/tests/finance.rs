//! The finance area and the seller's finance page end to end through the router:
//! payout settings, a proposed batch, the four-eyes refusal, the bank register and
//! the statement downloads (right role only, each seller sees only their own), line
//! outcomes, and the ledger still verifying afterwards.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use axum::http::{Method, StatusCode, header};
use common::{TestApp, TestResponse};
use db::auth::Actor;
use db::ledger::holds::{mark_delivered, release_due_holds};
use db::ledger::settlement::{CaptureInput, OrderLineSnapshot, settle_capture};
use db::testing::{TEST_PASSWORD, staff, two_sellers};
use db::{Db, db_test};
use domain::accounts::Role;
use domain::ids::{OrderId, SellerId, ShipmentId};
use domain::ledger::IdempotencyKey;
use domain::money::Currency;
use domain::time::Timestamp;
use uuid::Uuid;

const DAY_MS: i64 = 86_400_000;

/// Captures a one-line order for `seller`, delivered long ago and released: the
/// seller ends with the money available. Returns the order id.
async fn fund(db: &Db, seller: SellerId, amount_minor: i64, event: &str) -> String {
    let order_id = OrderId::from_uuid(Uuid::now_v7());
    let shipment_id = ShipmentId::from_uuid(Uuid::now_v7());
    let input = CaptureInput {
        order_id,
        currency: Currency::Rub,
        captured_minor: amount_minor,
        event_key: IdempotencyKey::parse(event).unwrap(),
        lines: vec![OrderLineSnapshot {
            line_no: 0,
            shipment_id,
            seller_id: seller,
            category_code: "misc".into(),
            quantity: 1,
            unit_price_minor: amount_minor,
            line_total_minor: amount_minor,
        }],
    };
    settle_capture(db, &input).await.unwrap();
    let now = Timestamp::now();
    mark_delivered(
        db,
        &Actor::system(),
        shipment_id,
        Timestamp::from_millis(now.millis() - 30 * DAY_MS),
    )
    .await
    .unwrap();
    release_due_holds(db, now, 10_000).await.unwrap();
    order_id.to_string()
}

async fn download(app: &TestApp, path: &str, cookie: Option<&str>) -> TestResponse {
    app.raw(Method::GET, path, None, cookie, &[], Vec::new())
        .await
}

const BANK: &[(&str, &str)] = &[
    ("recipient_name", "ООО «Северный ветер»"),
    ("inn", "7707083893"),
    ("bik", "044525225"),
    ("account_number", "40702810900000000001"),
    ("correspondent_account", "30101810400000000225"),
    ("bank_name", "ПАО Сбербанк"),
];

db_test!(
    payouts_and_statements_through_the_ui_routes,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let ab = two_sellers(&db).await;
        let a_seller = ab.a.seller.as_ref().unwrap().seller_id;
        let b_seller = ab.b.seller.as_ref().unwrap().seller_id;
        staff(&db, "preparer@fin.test", Role::Finance).await;
        staff(&db, "approver@fin.test", Role::Finance).await;
        let a = app.login(&ab.a.email, TEST_PASSWORD).await;
        let b = app.login(&ab.b.email, TEST_PASSWORD).await;
        let preparer = app.login("preparer@fin.test", TEST_PASSWORD).await;
        let approver = app.login("approver@fin.test", TEST_PASSWORD).await;

        let a_order = fund(&db, a_seller, 1_000_000, "payment:a").await;
        let b_order = fund(&db, b_seller, 500_000, "payment:b").await;

        // A gives bank details in the cabinet; B has none.
        let saved = app.rpc("set_payout_details", BANK, Some(&a)).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
        let mine = app.rpc("get_seller_finance", &[], Some(&a)).await;
        assert_eq!(mine.status, StatusCode::OK, "{}", mine.text());
        let mine = mine.json();
        assert_eq!(mine["details"]["bik"], "044525225");
        assert!(mine["balances"]["available_minor"].as_i64().unwrap() > 0);

        // The finance area refuses sellers.
        for name in ["finance_overview", "finance_list_batches"] {
            let res = app.rpc(name, &[("days", "30")], Some(&a)).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{name}: {}", res.text());
        }

        // Payout settings: daily, minimum 100 ₽, four eyes above 1 000 ₽.
        let set = app
            .rpc(
                "finance_update_payout_settings",
                &[
                    ("every", "daily"),
                    ("minimum", "100"),
                    ("four_eyes_threshold", "1000"),
                ],
                Some(&preparer),
            )
            .await;
        assert_eq!(set.status, StatusCode::OK, "{}", set.text());
        let got = app
            .rpc("finance_get_payout_settings", &[], Some(&preparer))
            .await
            .json();
        assert_eq!(got["every"], "daily");
        assert_eq!(got["configured"], true);

        // Statement downloads: a session is needed, and each seller gets only theirs.
        assert_eq!(
            download(&app, "/seller/finance/statement.csv", None)
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            download(&app, "/seller/finance/statement.csv", Some(&preparer))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let a_csv = download(&app, "/seller/finance/statement.csv", Some(&a)).await;
        assert_eq!(a_csv.status, StatusCode::OK, "{}", a_csv.text());
        assert!(
            a_csv.headers[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );
        let a_text = String::from_utf8_lossy(&a_csv.body).to_string();
        assert!(a_text.contains(&a_order), "{a_text}");
        assert!(!a_text.contains(&b_order), "A's statement shows B's order");
        let b_text = String::from_utf8_lossy(
            &download(&app, "/seller/finance/statement.csv", Some(&b))
                .await
                .body,
        )
        .to_string();
        assert!(b_text.contains(&b_order) && !b_text.contains(&a_order));
        // The paged statement and the order breakdown are scoped the same way.
        let page = app.rpc("get_statement", &[], Some(&a)).await.json();
        assert!(page["rows"].to_string().contains(&a_order));
        let other = app
            .rpc("get_order_breakdown", &[("order_id", &b_order)], Some(&a))
            .await;
        assert_eq!(other.status, StatusCode::NOT_FOUND, "{}", other.text());
        let own = app
            .rpc("get_order_breakdown", &[("order_id", &a_order)], Some(&a))
            .await;
        assert_eq!(own.status, StatusCode::OK, "{}", own.text());
        assert_eq!(own.json()[0]["captured"]["amount_minor"], 1_000_000);

        // Propose; the preparer is refused approval above the threshold.
        let proposed = app.rpc("finance_propose_batch", &[], Some(&preparer)).await;
        assert_eq!(proposed.status, StatusCode::OK, "{}", proposed.text());
        let batch_id = proposed.json().as_str().unwrap().to_string();
        let register = format!("/finance/payouts/{batch_id}/register.csv");

        // The statement lines behind A's payout line: A's movements only, adding up to
        // the line's amount (nothing was paid out to A before).
        let proposed_lines = app
            .rpc("finance_get_batch", &[("id", &batch_id)], Some(&preparer))
            .await
            .json();
        let a_proposed = proposed_lines["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["seller_id"] == a_seller.to_string())
            .unwrap()
            .clone();
        let a_line_id = a_proposed["id"].as_str().unwrap();
        let behind = app
            .rpc(
                "finance_line_statement",
                &[("line_id", a_line_id)],
                Some(&preparer),
            )
            .await;
        assert_eq!(behind.status, StatusCode::OK, "{}", behind.text());
        let behind = behind.json();
        let rows = behind["page"]["rows"].to_string();
        assert!(rows.contains(&a_order), "{behind}");
        assert!(
            !rows.contains(&b_order),
            "A's payout shows B's order: {behind}"
        );
        assert_eq!(behind["page"]["opening"]["available_minor"], 0);
        assert_eq!(
            behind["page"]["closing"]["available_minor"], a_proposed["amount"]["amount_minor"],
            "{behind}"
        );
        assert!(behind["since_ms"].is_null());
        let kinds: Vec<&str> = behind["page"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["capture", "hold_release"], "{behind}");
        // Sellers cannot read it, not even for their own line.
        let denied = app
            .rpc(
                "finance_line_statement",
                &[("line_id", a_line_id)],
                Some(&a),
            )
            .await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN, "{}", denied.text());
        let refused = app
            .rpc(
                "finance_approve_batch",
                &[("id", &batch_id)],
                Some(&preparer),
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text());
        assert!(refused.text().contains("four-eyes"), "{}", refused.text());
        // Not approved yet: no register.
        assert_eq!(
            download(&app, &register, Some(&approver)).await.status,
            StatusCode::CONFLICT
        );
        let approved = app
            .rpc(
                "finance_approve_batch",
                &[("id", &batch_id)],
                Some(&approver),
            )
            .await;
        assert_eq!(approved.status, StatusCode::OK, "{}", approved.text());

        // The register: finance only.
        assert_eq!(
            download(&app, &register, None).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            download(&app, &register, Some(&a)).await.status,
            StatusCode::FORBIDDEN
        );
        let csv = download(&app, &register, Some(&preparer)).await;
        assert_eq!(csv.status, StatusCode::OK, "{}", csv.text());
        assert_eq!(
            csv.headers[header::CONTENT_TYPE],
            "text/csv; charset=windows-1251"
        );
        assert!(String::from_utf8_lossy(&csv.body).contains("40702810900000000001"));

        // Lines: A approved, B excluded (no bank details); A's is paid.
        let detail = app
            .rpc("finance_get_batch", &[("id", &batch_id)], Some(&preparer))
            .await
            .json();
        assert_eq!(detail["batch"]["status"], "exported");
        let lines = detail["lines"].as_array().unwrap();
        let a_line = lines
            .iter()
            .find(|l| l["seller_id"] == a_seller.to_string())
            .unwrap();
        assert_eq!(a_line["status"]["status"], "approved");
        let paid = app
            .rpc(
                "finance_update_payout_line",
                &[
                    ("id", a_line["id"].as_str().unwrap()),
                    ("action", "paid"),
                    ("text", "PP-000123"),
                ],
                Some(&preparer),
            )
            .await;
        assert_eq!(paid.status, StatusCode::OK, "{}", paid.text());
        let history = app.rpc("get_seller_finance", &[], Some(&a)).await.json();
        assert_eq!(history["payouts"][0]["status"]["status"], "paid");
        assert_eq!(history["balances"]["payout_reserved_minor"], 0);

        // The dashboard adds up, and the ledger verifies.
        let overview = app
            .rpc("finance_overview", &[("days", "30")], Some(&approver))
            .await;
        assert_eq!(overview.status, StatusCode::OK, "{}", overview.text());
        let overview = overview.json();
        assert_eq!(overview["totals"]["in_payout"]["amount_minor"], 0);
        assert!(
            overview["days"].as_array().unwrap().len() == 1,
            "{overview}"
        );
        let report = db::ledger::verify::verify(&db).await.unwrap();
        assert!(report.is_ok(), "{report}");

        // The pages render on the server with their data.
        for (path, cookie, marker) in [
            ("/finance".to_string(), &approver, "revenue-chart"),
            ("/finance/payouts".to_string(), &approver, "batches-table"),
            (
                format!("/finance/payouts/{batch_id}"),
                &approver,
                "PP-000123",
            ),
            ("/finance/penalties".to_string(), &approver, "penalty-form"),
            (
                "/finance/settings".to_string(),
                &approver,
                "payout-settings-form",
            ),
            (
                format!("/finance/sellers?id={a_seller}"),
                &approver,
                "seller-settings-form",
            ),
            ("/seller/finance".to_string(), &a, "statement-table"),
        ] {
            let page = app.get(&path, Some(cookie)).await;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            assert!(page.text().contains(marker), "{path} lacks {marker}");
        }
        let seller_page = app.get("/seller/finance", Some(&a)).await.text();
        assert!(seller_page.contains(&a_order) && !seller_page.contains(&b_order));
        assert_eq!(
            app.get("/finance/payouts", Some(&a)).await.status,
            StatusCode::FORBIDDEN
        );
    }
);

db_test!(
    penalties_are_charged_and_reversed_by_finance,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let ab = two_sellers(&db).await;
        let a_seller = ab.a.seller.as_ref().unwrap().seller_id;
        staff(&db, "fin@fin.test", Role::Finance).await;
        let fin = app.login("fin@fin.test", TEST_PASSWORD).await;
        let a = app.login(&ab.a.email, TEST_PASSWORD).await;
        let form = [
            ("seller_id", a_seller.to_string()),
            ("amount", "500,00".to_string()),
            ("reason", "prohibited_item".to_string()),
            ("note", "Запрещённый товар в карточке".to_string()),
            ("key", String::new()),
        ];
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = app.rpc("finance_apply_penalty", &form, Some(&a)).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        // The penalty form's seller picker: finds sellers by name, sellers cannot use it.
        let all = app
            .rpc("finance_find_sellers", &[("query", "")], Some(&fin))
            .await
            .json();
        let a_row = all
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == a_seller.to_string())
            .expect("seller A is listed")
            .clone();
        let name = a_row["name"].as_str().unwrap();
        let by_name = app
            .rpc("finance_find_sellers", &[("query", name)], Some(&fin))
            .await
            .json();
        assert!(
            by_name
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["id"] == a_seller.to_string()),
            "{by_name}"
        );
        let none = app
            .rpc(
                "finance_find_sellers",
                &[("query", "zzz-no-such-seller")],
                Some(&fin),
            )
            .await
            .json();
        assert_eq!(none.as_array().unwrap().len(), 0);
        assert_eq!(
            app.rpc("finance_find_sellers", &[("query", "")], Some(&a))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let charged = app.rpc("finance_apply_penalty", &form, Some(&fin)).await;
        assert_eq!(charged.status, StatusCode::OK, "{}", charged.text());
        // A double submit charges once.
        let again = app.rpc("finance_apply_penalty", &form, Some(&fin)).await;
        assert_eq!(again.json(), charged.json());
        let list = app
            .rpc("finance_list_penalties", &[], Some(&fin))
            .await
            .json();
        assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
        let id = charged.json().as_str().unwrap().to_string();
        let reversed = app
            .rpc(
                "finance_reverse_penalty",
                &[("id", &id), ("note", "ошибка")],
                Some(&fin),
            )
            .await;
        assert_eq!(reversed.status, StatusCode::OK, "{}", reversed.text());
        let list = app
            .rpc("finance_list_penalties", &[], Some(&fin))
            .await
            .json();
        assert_eq!(list[0]["reversed"], true);
        let mine = app.rpc("get_seller_finance", &[], Some(&a)).await.json();
        assert_eq!(mine["balances"]["available_minor"], 0);
        // Seller finance settings: tier and hold period, saved and read back.
        let a_id = a_seller.to_string();
        let saved = app
            .rpc(
                "finance_update_seller_settings",
                &[
                    ("seller_id", &a_id),
                    ("tier", "gold"),
                    ("hold_days_override", "3"),
                    ("payout_hold_reason", ""),
                ],
                Some(&fin),
            )
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
        let got = app
            .rpc(
                "finance_get_seller_settings",
                &[("seller_id", &a_id)],
                Some(&fin),
            )
            .await
            .json();
        assert_eq!(got["tier"], "gold");
        assert_eq!(got["hold_days_override"], 3);
        let report = db::ledger::verify::verify(&db).await.unwrap();
        assert!(report.is_ok(), "{report}");
    }
);

db_test!(
    the_ledger_loop_releases_due_holds_and_proposes_scheduled_batches,
    |db: Db| async move {
        use db::ledger::payouts::{PayoutSettings, list_batches, update_payout_settings};
        use domain::payouts::PayoutFrequency;
        let app = TestApp::new(db.clone());
        let ab = two_sellers(&db).await;
        let a_seller = ab.a.seller.as_ref().unwrap().seller_id;
        let fin = staff(&db, "fin@fin.test", Role::Finance)
            .await
            .finance()
            .unwrap();
        update_payout_settings(
            &db,
            &fin,
            &PayoutSettings {
                currency: Currency::Rub,
                frequency: PayoutFrequency::Daily,
                minimum_minor: 100,
                four_eyes_threshold_minor: 0,
            },
        )
        .await
        .unwrap();
        let a = app.login(&ab.a.email, TEST_PASSWORD).await;
        let saved = app.rpc("set_payout_details", BANK, Some(&a)).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
        // Captured and delivered long ago, but not released yet.
        let shipment_id = ShipmentId::from_uuid(Uuid::now_v7());
        let input = CaptureInput {
            order_id: OrderId::from_uuid(Uuid::now_v7()),
            currency: Currency::Rub,
            captured_minor: 100_000,
            event_key: IdempotencyKey::parse("payment:loop").unwrap(),
            lines: vec![OrderLineSnapshot {
                line_no: 0,
                shipment_id,
                seller_id: a_seller,
                category_code: "misc".into(),
                quantity: 1,
                unit_price_minor: 100_000,
                line_total_minor: 100_000,
            }],
        };
        settle_capture(&db, &input).await.unwrap();
        mark_delivered(
            &db,
            &Actor::system(),
            shipment_id,
            Timestamp::from_millis(Timestamp::now().millis() - 30 * DAY_MS),
        )
        .await
        .unwrap();
        let before = app.rpc("get_seller_finance", &[], Some(&a)).await.json();
        assert_eq!(before["balances"]["available_minor"], 0);
        server::workers::ledger_tick(&app.state).await;
        let after = app.rpc("get_seller_finance", &[], Some(&a)).await.json();
        assert_eq!(after["balances"]["held_minor"], 0);
        assert!(after["balances"]["available_minor"].as_i64().unwrap() > 0);
        let batches = list_batches(&db, &fin, None, 10).await.unwrap();
        assert_eq!(batches.len(), 1, "the daily schedule proposes one batch");
        // Twice is the same as once.
        server::workers::ledger_tick(&app.state).await;
        assert_eq!(list_batches(&db, &fin, None, 10).await.unwrap().len(), 1);
    }
);

#[tokio::test]
async fn ledger_verify_exits_non_zero_on_drift() {
    use server::cli::{Cli, Command, LedgerCommand};
    use std::process::ExitCode;
    let dir = tempfile::tempdir().unwrap();
    let mut settings = common::test_settings();
    settings.database_url = format!("sqlite://{}/cli.db", dir.path().display());
    let verify = || Cli {
        command: Some(Command::Ledger {
            command: LedgerCommand::Verify,
        }),
    };
    let code = server::cli::run(verify(), settings.clone()).await.unwrap();
    assert_eq!(code, ExitCode::SUCCESS);
    let db = server::cli::connect(&settings).await.unwrap();
    let ab = two_sellers(&db).await;
    fund(
        &db,
        ab.a.seller.as_ref().unwrap().seller_id,
        10_000,
        "payment:cli",
    )
    .await;
    assert_eq!(
        server::cli::run(verify(), settings.clone()).await.unwrap(),
        ExitCode::SUCCESS
    );
    sqlx::query(
        "UPDATE ledger_balances SET balance_minor = balance_minor + 1 \
         WHERE account_key = (SELECT MIN(account_key) FROM ledger_balances)",
    )
    .execute(db.pool())
    .await
    .unwrap();
    assert_eq!(
        server::cli::run(verify(), settings).await.unwrap(),
        ExitCode::from(1)
    );
}

db_test!(
    commission_rules_are_set_by_finance_and_charge_later_captures,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let ab = two_sellers(&db).await;
        let a_seller = ab.a.seller.as_ref().unwrap().seller_id;
        staff(&db, "fin@fin.test", Role::Finance).await;
        let fin = app.login("fin@fin.test", TEST_PASSWORD).await;
        let a = app.login(&ab.a.email, TEST_PASSWORD).await;

        let listed = app
            .rpc("finance_list_commission_rules", &[], Some(&fin))
            .await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.text());
        let listed = listed.json();
        let category = listed["categories"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["depth"] == 1)
            .expect("the starter tree has subcategories")["code"]
            .as_str()
            .unwrap()
            .to_string();
        let rule = |rate: &'static str| {
            vec![
                ("category_code", category.clone()),
                ("tier", String::new()),
                ("rate_percent", rate.to_string()),
                ("fixed", String::new()),
                ("min", "10".to_string()),
                ("max", String::new()),
            ]
        };
        let send = |form: Vec<(&'static str, String)>, cookie: String| {
            let app = &app;
            async move {
                let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                app.rpc("finance_save_commission_rule", &form, Some(&cookie))
                    .await
            }
        };
        // Sellers cannot set or read commission rules.
        assert_eq!(
            send(rule("1"), a.clone()).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.rpc("finance_list_commission_rules", &[], Some(&a))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        // Saved, then replaced (one rule per category and tier).
        let saved = send(rule("12,5"), fin.clone()).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
        let saved = send(rule("15"), fin.clone()).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
        let rules = app
            .rpc("finance_list_commission_rules", &[], Some(&fin))
            .await
            .json();
        let mine: Vec<_> = rules["rules"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["category_code"] == category.as_str())
            .collect();
        assert_eq!(mine.len(), 1, "{rules}");
        assert_eq!(mine[0]["rate"], "15%");
        assert_eq!(mine[0]["min"]["amount_minor"], 1_000);
        // Bad input names its field and changes nothing.
        let mut unknown = rule("5");
        unknown[0].1 = "no-such-category".into();
        let refused = send(unknown, fin.clone()).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.json()["fields"][0]["field"], "category_code");
        let refused = send(rule("сто"), fin.clone()).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.json()["fields"][0]["field"], "rate_percent");

        // A capture in that category is charged 15 %.
        let input = CaptureInput {
            order_id: OrderId::from_uuid(Uuid::now_v7()),
            currency: Currency::Rub,
            captured_minor: 10_000,
            event_key: IdempotencyKey::parse("payment:rule").unwrap(),
            lines: vec![OrderLineSnapshot {
                line_no: 0,
                shipment_id: ShipmentId::from_uuid(Uuid::now_v7()),
                seller_id: a_seller,
                category_code: category.clone(),
                quantity: 1,
                unit_price_minor: 10_000,
                line_total_minor: 10_000,
            }],
        };
        match settle_capture(&db, &input).await.unwrap() {
            db::ledger::settlement::Settlement::Settled(s) => {
                assert_eq!(s.commission_minor, 1_500);
            }
            other => panic!("expected a settlement, got {other:?}"),
        }
        let report = db::ledger::verify::verify(&db).await.unwrap();
        assert!(report.is_ok(), "{report}");
    }
);
