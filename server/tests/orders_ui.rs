//! The orders screens through the real router on both engines: the seller's list and
//! shipment page render on the server with the shipment and its actions, the
//! cabinet's server functions move it (and refuse a wrong transition with
//! `invalid_state_transition`), staff confirm the delivery, and admins manage channel
//! keys (the key is shown once).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use axum::http::StatusCode;
use common::TestApp;
use db::testing::{TEST_PASSWORD, staff, two_sellers};
use db::{Db, db_test};
use domain::accounts::Role;

/// A paid order of one unit of seller A's SKU; returns the shipment id and number.
async fn paid_shipment(db: &Db, seller_id: &str) -> (String, String) {
    sqlx::query("UPDATE sellers SET status = 'active' WHERE id = $1")
        .bind(seller_id)
        .execute(db.pool())
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO skus (id, seller_id, seller_sku, status, title, brand, category_code, price_minor, \
         currency, vat, stock, content_hash, commercial_hash, search_text, created_at, updated_at) \
         VALUES ($1, $2, 'KET-1', 'active', 'Чайник электрический', NULL, 'tshirts', 349000, 'RUB', '20', 3, 'h', 'h', 'ket-1', 0, 0)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(seller_id)
    .execute(db.pool())
    .await
    .unwrap();
    let (_, key) = db::orders::channel_keys::create_channel_key(db, None, "web")
        .await
        .unwrap();
    let channel = db::orders::channel_keys::channel_for_key(db, &key)
        .await
        .unwrap()
        .unwrap();
    let order: domain::orders::CreateOrderInput = serde_json::from_value(serde_json::json!({
        "external_order_id": "WEB-777",
        "channel": "web",
        "currency": "RUB",
        "buyer": { "name": "Анна Петрова" },
        "delivery": { "method": "pickup", "pickup_point_id": "PVZ-77" },
        "lines": [{ "seller_id": seller_id, "seller_sku": "KET-1", "quantity": 1, "unit_price": "3490.00" }]
    }))
    .unwrap();
    let receipt = db::orders::create::create_order(
        db,
        &channel,
        &order.validate().unwrap(),
        &db::orders::OrderRules::default(),
    )
    .await
    .unwrap();
    db::orders::payments::apply_payment_event(
        db,
        &domain::orders::PaymentEvent {
            provider_event_id: "pay-777".into(),
            kind: domain::orders::PaymentEventKind::Captured,
            order_id: receipt.id,
            amount: domain::money::Money::from_minor(
                receipt.total_minor,
                domain::money::Currency::Rub,
            ),
            occurred_at: domain::time::Timestamp::now(),
        },
    )
    .await
    .unwrap();
    let s = &receipt.shipments[0];
    (s.id.to_string(), s.number.clone())
}

db_test!(
    seller_works_an_order_and_staff_deliver_it,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let ab = two_sellers(&db).await;
        let seller_id = ab.a.seller.as_ref().unwrap().seller_id.to_string();
        let (id, number) = paid_shipment(&db, &seller_id).await;
        let a = app.login(&ab.a.email, TEST_PASSWORD).await;

        // The list renders on the server with the shipment and the status tabs' counts.
        let list = app.get("/seller/orders", Some(&a)).await;
        assert_eq!(list.status, StatusCode::OK);
        let html = list.text();
        assert!(html.contains("data-testid=\"shipment-row\""), "{html}");
        assert!(html.contains(&number), "{html}");
        assert!(html.contains("data-testid=\"tab-paid\""), "{html}");
        let counts = app.rpc("get_shipment_counts", &[], Some(&a)).await;
        assert_eq!(counts.status, StatusCode::OK, "{}", counts.text());
        assert_eq!(counts.json()["paid"], 1);
        let found = app
            .rpc(
                "list_shipments",
                &[("q", "ket-1"), ("status", "paid"), ("offset", "0")],
                Some(&a),
            )
            .await;
        assert_eq!(found.json()["total"], 1, "{}", found.text());
        let bad = app
            .rpc(
                "list_shipments",
                &[("status", "lost"), ("offset", "0")],
                Some(&a),
            )
            .await;
        assert_eq!(
            bad.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            bad.text()
        );

        // The page shows the lines, the money and the actions of a paid shipment.
        let page = app.get(&format!("/seller/orders/{id}"), Some(&a)).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        for testid in [
            "shipment-line",
            "money-box",
            "money-captured",
            "confirm-shipment",
            "cancel-shipment",
            "cancel-penalty-warning",
            "shipment-events",
        ] {
            assert!(
                html.contains(&format!("data-testid=\"{testid}\"")),
                "{testid}: {html}"
            );
        }
        assert!(html.contains("Анна Петрова"), "{html}");
        let view = app.rpc("get_shipment", &[("id", &id)], Some(&a)).await;
        assert_eq!(view.status, StatusCode::OK, "{}", view.text());
        assert!(view.json()["cancel_penalty_minor"].as_i64().unwrap() > 0);

        // Shipping before confirming is refused with a clear code; confirm, then ship.
        let early = app
            .rpc(
                "ship_shipment",
                &[
                    ("id", &id),
                    ("carrier", "cdek"),
                    ("tracking_number", "RA123456789RU"),
                ],
                Some(&a),
            )
            .await;
        assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.text());
        assert_eq!(early.json()["code"], "invalid_state_transition");
        let confirmed = app.rpc("confirm_shipment", &[("id", &id)], Some(&a)).await;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.text());
        assert_eq!(confirmed.json(), serde_json::json!("confirmed"));
        let bad_tracking = app
            .rpc(
                "ship_shipment",
                &[("id", &id), ("carrier", "cdek"), ("tracking_number", "x")],
                Some(&a),
            )
            .await;
        assert_eq!(bad_tracking.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad_tracking.json()["fields"][0]["field"], "tracking_number");
        let shipped = app
            .rpc(
                "ship_shipment",
                &[
                    ("id", &id),
                    ("carrier", "cdek"),
                    ("tracking_number", "RA 1234 5678 9RU"),
                ],
                Some(&a),
            )
            .await;
        assert_eq!(
            shipped.json(),
            serde_json::json!("shipped"),
            "{}",
            shipped.text()
        );
        let late_cancel = app
            .rpc(
                "cancel_shipment",
                &[("id", &id), ("reason", "out_of_stock")],
                Some(&a),
            )
            .await;
        assert_eq!(
            late_cancel.status,
            StatusCode::CONFLICT,
            "{}",
            late_cancel.text()
        );

        // Staff see it among all shipments and confirm the delivery.
        staff(&db, "admin@x.ru", Role::Admin).await;
        let admin = app.login("admin@x.ru", TEST_PASSWORD).await;
        let all = app
            .rpc(
                "admin_list_shipments",
                &[("status", "shipped"), ("offset", "0")],
                Some(&admin),
            )
            .await;
        assert_eq!(all.json()["total"], 1, "{}", all.text());
        let page = app.get(&format!("/admin/orders/{id}"), Some(&admin)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("data-testid=\"confirm-delivery\""));
        assert!(page.text().contains("RA123456789RU"));
        let delivered = app
            .rpc("admin_confirm_delivery", &[("id", &id)], Some(&admin))
            .await;
        assert_eq!(
            delivered.json(),
            serde_json::json!("delivered"),
            "{}",
            delivered.text()
        );
        let detail = app
            .rpc("get_shipment", &[("id", &id)], Some(&a))
            .await
            .json();
        assert_eq!(detail["detail"]["money"]["hold_status"], "held");
        assert!(detail["detail"]["money"]["release_at"].as_i64().is_some());
        assert_eq!(
            app.get("/admin/orders", Some(&admin)).await.status,
            StatusCode::OK
        );
        assert_eq!(
            app.get("/admin/orders", Some(&a)).await.status,
            StatusCode::FORBIDDEN
        );
    }
);

db_test!(admins_manage_channel_keys, |db: Db| async move {
    let app = TestApp::new(db.clone());
    staff(&db, "admin@x.ru", Role::Admin).await;
    let admin = app.login("admin@x.ru", TEST_PASSWORD).await;
    let empty = app
        .rpc("admin_create_channel_key", &[("name", " ")], Some(&admin))
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let made = app
        .rpc(
            "admin_create_channel_key",
            &[("name", "Web shop")],
            Some(&admin),
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.text());
    let made = made.json();
    let secret = made["secret"].as_str().unwrap();
    assert!(secret.starts_with("bzc_"));
    let id = made["key"]["id"].as_str().unwrap();
    let list = app.rpc("admin_list_channel_keys", &[], Some(&admin)).await;
    assert!(!list.text().contains(secret), "the key is shown only once");
    assert_eq!(list.json()[0]["name"], "Web shop");
    let page = app.get("/admin/channel-keys", Some(&admin)).await;
    assert!(page.text().contains("data-testid=\"channel-key-row\""));
    let revoked = app
        .rpc("admin_revoke_channel_key", &[("id", id)], Some(&admin))
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text());
    assert!(
        db::orders::channel_keys::channel_for_key(&db, secret)
            .await
            .unwrap()
            .is_none()
    );
});
