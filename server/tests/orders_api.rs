//! Orders over HTTP on both engines: channel keys, required idempotency keys, signed
//! payment events (wrong, stale and replayed signatures refused; duplicate events
//! harmless), carrier events, and sellers' shipment endpoints scoped to their seller.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use axum::http::{Method, StatusCode};
use common::{PAYMENT_SECRET, TestApp};
use db::testing::{TEST_PASSWORD, two_sellers};
use db::{Db, db_test};
use domain::orders::{WebhookSecret, sign_webhook};
use domain::time::Timestamp;
use serde_json::json;

struct World {
    app: TestApp,
    channel_key: String,
    key_a: String,
    key_b: String,
    seller_a: String,
}

async fn world(db: &Db) -> World {
    let app = TestApp::new(db.clone());
    let ab = two_sellers(db).await;
    let cookie_a = app.login(&ab.a.email, TEST_PASSWORD).await;
    let cookie_b = app.login(&ab.b.email, TEST_PASSWORD).await;
    let key_a = app.api_key(&cookie_a).await;
    let key_b = app.api_key(&cookie_b).await;
    let seller_a = ab.a.seller().unwrap().seller_id().to_string();
    sqlx::query(
        "INSERT INTO categories (code, parent_code, name_ru, name_en, return_window_days, attributes, \
         position, created_at, updated_at) VALUES ('orders-test', NULL, 'Тест', 'Test', 14, '[]', 0, 0, 0)",
    )
    .execute(db.pool())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO skus (id, seller_id, seller_sku, status, title, brand, category_code, price_minor, \
         currency, vat, stock, content_hash, commercial_hash, search_text, created_at, updated_at) \
         VALUES ($1, $2, 'KET-1', 'active', 'Чайник', NULL, 'orders-test', 349000, 'RUB', '20', 3, 'h', 'h', 'ket-1', 0, 0)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(&seller_a)
    .execute(db.pool())
    .await
    .unwrap();
    let (_, channel_key) = db::orders::channel_keys::create_channel_key(db, None, "web")
        .await
        .unwrap();
    World {
        app,
        channel_key,
        key_a,
        key_b,
        seller_a,
    }
}

fn order_body(w: &World, external: &str, quantity: i64) -> serde_json::Value {
    json!({
        "external_order_id": external,
        "channel": "web",
        "currency": "RUB",
        "delivery": { "method": "pickup", "pickup_point_id": "PVZ-77" },
        "lines": [{ "seller_id": w.seller_a, "seller_sku": "KET-1", "quantity": quantity, "unit_price": "3490.00" }]
    })
}

impl World {
    async fn post_order(
        &self,
        key: Option<&str>,
        body: &serde_json::Value,
    ) -> common::TestResponse {
        let mut headers = vec![("content-type", "application/json")];
        if let Some(k) = key {
            headers.push(("idempotency-key", k));
        }
        self.app
            .raw(
                Method::POST,
                "/api/v1/orders",
                Some(&self.channel_key),
                None,
                &headers,
                body.to_string().into_bytes(),
            )
            .await
    }

    async fn payment(
        &self,
        body: &serde_json::Value,
        signature: Option<String>,
    ) -> common::TestResponse {
        let bytes = body.to_string().into_bytes();
        let signature = signature.unwrap_or_else(|| sign(&bytes, Timestamp::now().millis() / 1000));
        self.app
            .raw(
                Method::POST,
                "/api/v1/payments/events",
                None,
                None,
                &[
                    ("content-type", "application/json"),
                    ("bazaar-signature", &signature),
                ],
                bytes,
            )
            .await
    }
}

fn sign(body: &[u8], t: i64) -> String {
    let secret = WebhookSecret::new(PAYMENT_SECRET.as_bytes().to_vec()).unwrap();
    sign_webhook(&secret, t, body).unwrap()
}

db_test!(channels_push_orders_once_per_key, |db: Db| async move {
    let w = world(&db).await;
    // Only channel keys: a seller's key cannot push orders.
    let res = w
        .app
        .raw(
            Method::POST,
            "/api/v1/orders",
            Some(&w.key_a),
            None,
            &[("idempotency-key", "k0")],
            order_body(&w, "E-0", 1).to_string().into_bytes(),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    // The Idempotency-Key is required.
    let res = w.post_order(None, &order_body(&w, "E-1", 1)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.json()["error"]["details"]["fields"][0]["field"],
        "Idempotency-Key"
    );

    let first = w.post_order(Some("k1"), &order_body(&w, "E-1", 1)).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    let retry = w.post_order(Some("k1"), &order_body(&w, "E-1", 1)).await;
    assert_eq!(retry.status, StatusCode::CREATED);
    assert_eq!(retry.headers["idempotent-replayed"], "true");
    assert_eq!(retry.json()["id"], first.json()["id"]);
    let other = w.post_order(Some("k1"), &order_body(&w, "E-2", 1)).await;
    assert_eq!(other.status, StatusCode::CONFLICT);
    assert_eq!(other.error_code(), "idempotency_key_reused");
    let dup = w.post_order(Some("k2"), &order_body(&w, "E-1", 1)).await;
    assert_eq!(dup.status, StatusCode::CONFLICT);

    // Bad lines are named; nothing is reserved.
    let too_many = w.post_order(Some("k3"), &order_body(&w, "E-3", 3)).await;
    assert_eq!(
        too_many.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        too_many.text()
    );
    assert_eq!(
        too_many.json()["error"]["details"]["fields"][0]["field"],
        "lines[0].quantity"
    );
    let negative = w.post_order(Some("k4"), &order_body(&w, "E-4", -2)).await;
    assert_eq!(negative.status, StatusCode::UNPROCESSABLE_ENTITY);

    let id = first.json()["id"].as_str().unwrap().to_string();
    let got = w
        .app
        .api(
            Method::GET,
            &format!("/api/v1/orders/{id}"),
            Some(&w.channel_key),
            None,
        )
        .await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.json()["shipments"][0]["status"], "awaiting_payment");
    assert_eq!(
        db::orders::read::list_all_shipments(&db, &db::auth::Actor::system(), &Default::default())
            .await
            .unwrap()
            .total,
        1
    );
});

db_test!(
    payment_events_must_be_signed_and_fresh,
    |db: Db| async move {
        let w = world(&db).await;
        let order = w
            .post_order(Some("k1"), &order_body(&w, "E-1", 2))
            .await
            .json();
        let order_id = order["id"].as_str().unwrap().to_string();
        let shipment = order["shipments"][0]["id"].as_str().unwrap().to_string();
        let event = json!({
            "event_id": "pay-1", "type": "captured", "order_id": order_id,
            "amount_minor": 698000, "currency": "RUB", "occurred_at": "2026-11-26T10:00:00Z"
        });
        let bytes = event.to_string().into_bytes();
        let now = Timestamp::now().millis() / 1000;

        let unsigned = w
            .app
            .raw(
                Method::POST,
                "/api/v1/payments/events",
                None,
                None,
                &[("content-type", "application/json")],
                bytes.clone(),
            )
            .await;
        assert_eq!(unsigned.status, StatusCode::UNAUTHORIZED);
        assert_eq!(unsigned.error_code(), "invalid_signature");
        let forged = w
            .payment(&event, Some(format!("t={now},v1={}", "ab".repeat(32))))
            .await;
        assert_eq!(forged.error_code(), "invalid_signature");
        let stale = w.payment(&event, Some(sign(&bytes, now - 301))).await;
        assert_eq!(stale.status, StatusCode::BAD_REQUEST);
        assert_eq!(stale.error_code(), "stale_event");
        // A signature for another body does not carry over.
        let tampered = json!({ "event_id": "pay-1", "type": "captured", "order_id": order_id, "amount_minor": 1, "currency": "RUB", "occurred_at": "2026-11-26T10:00:00Z" });
        let res = w.payment(&tampered, Some(sign(&bytes, now))).await;
        assert_eq!(res.error_code(), "invalid_signature");
        assert!(db::ledger::verify::verify(&db).await.unwrap().is_ok());
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM ledger_transactions")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(n, 0, "nothing posted for refused events");

        // Too many decimals and unknown orders are named.
        let bad = json!({ "event_id": "pay-2", "type": "captured", "order_id": order_id, "amount_minor": "10.5", "currency": "RUB", "occurred_at": "2026-11-26T10:00:00Z" });
        let res = w.payment(&bad, None).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            res.text()
        );
        assert_eq!(
            res.json()["error"]["details"]["fields"][0]["field"],
            "amount_minor"
        );

        let ok = w.payment(&event, None).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
        assert_eq!(ok.json()["replayed"], false);
        let again = w.payment(&event, None).await;
        assert_eq!(again.json()["replayed"], true);

        // The seller works the shipment through the API; seller B sees none of it.
        let path = format!("/api/v1/shipments/{shipment}");
        let b = w.app.api(Method::GET, &path, Some(&w.key_b), None).await;
        assert_eq!(b.status, StatusCode::NOT_FOUND);
        let b = w
            .app
            .api(
                Method::POST,
                &format!("{path}/confirm"),
                Some(&w.key_b),
                None,
            )
            .await;
        assert_eq!(b.status, StatusCode::NOT_FOUND);
        let list_b = w
            .app
            .api(Method::GET, "/api/v1/shipments", Some(&w.key_b), None)
            .await;
        assert_eq!(list_b.json()["total"], 0);
        let a = w.app.api(Method::GET, &path, Some(&w.key_a), None).await;
        assert_eq!(a.json()["summary"]["status"], "paid");
        let shipped_early = w
            .app
            .api(
                Method::POST,
                &format!("{path}/ship"),
                Some(&w.key_a),
                Some(json!({"carrier": "cdek", "tracking_number": "CD1"})),
            )
            .await;
        assert_eq!(
            shipped_early.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "tracking number too short"
        );
        let early = w
            .app
            .api(
                Method::POST,
                &format!("{path}/ship"),
                Some(&w.key_a),
                Some(json!({"carrier": "cdek", "tracking_number": "CD123456"})),
            )
            .await;
        assert_eq!(early.status, StatusCode::CONFLICT);
        assert_eq!(early.error_code(), "invalid_state_transition");
        let res = w
            .app
            .api(
                Method::POST,
                &format!("{path}/confirm"),
                Some(&w.key_a),
                None,
            )
            .await;
        assert_eq!(res.json()["status"], "confirmed");
        let res = w
            .app
            .api(
                Method::POST,
                &format!("{path}/ship"),
                Some(&w.key_a),
                Some(json!({"carrier": "cdek", "tracking_number": "CD123456"})),
            )
            .await;
        assert_eq!(res.json()["status"], "shipped");

        // The carrier's delivery, relayed by the channel; sellers' keys cannot report it.
        let delivered = json!({ "event_id": "cdek-9", "carrier": "cdek", "tracking_number": "CD123456", "kind": "delivered" });
        let res = w
            .app
            .api(
                Method::POST,
                &format!("{path}/events"),
                Some(&w.key_a),
                Some(delivered.clone()),
            )
            .await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
        let res = w
            .app
            .api(
                Method::POST,
                &format!("{path}/events"),
                Some(&w.channel_key),
                Some(delivered),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        assert_eq!(res.json()["status"], "delivered");
        let a = w
            .app
            .api(Method::GET, &path, Some(&w.key_a), None)
            .await
            .json();
        assert!(a["money"]["release_at"].as_i64().is_some());
        assert!(db::ledger::verify::verify(&db).await.unwrap().is_ok());
    }
);

db_test!(
    the_openapi_document_lists_the_order_endpoints,
    |db: Db| async move {
        let app = TestApp::new(db);
        let doc = app.get("/api/v1/openapi.json", None).await.json();
        for path in [
            "/api/v1/orders",
            "/api/v1/payments/events",
            "/api/v1/shipments/{id}/events",
            "/api/v1/shipments/{id}/ship",
        ] {
            assert!(doc["paths"][path].is_object(), "{path} missing");
        }
    }
);
