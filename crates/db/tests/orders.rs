//! Orders on both engines: intake with stock reservation and per-seller shipments,
//! bad input that stores nothing, payment events settling in the ledger (and marking
//! shipments paid), the shipment state machine with its side effects (stock, hold
//! release date, automatic penalties), carrier events, and sellers kept apart.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use db::auth::{Actor, SellerCtx};
use db::ledger::balances::seller_balances;
use db::ledger::holds::release_due_holds;
use db::ledger::verify::verify;
use db::orders::OrderRules;
use db::orders::channel_keys::{ChannelCtx, channel_for_key, create_channel_key};
use db::orders::create::create_order;
use db::orders::payments::apply_payment_event;
use db::orders::read::{ShipmentFilter, get_seller_shipment, list_seller_shipments};
use db::orders::shipments::{
    cancel_by_channel, cancel_by_seller, carrier_event, confirm, confirm_delivery_by_staff,
    penalise_overdue, ship,
};
use db::{Db, db_test};
use domain::ErrorCode;
use domain::accounts::SellerStatus;
use domain::ids::{OrderId, SellerId};
use domain::money::{Currency, Money};
use domain::orders::{
    CarrierCode, CarrierEvent, CarrierEventKind, CreateOrderInput, OrderReceipt, PaymentEvent,
    PaymentEventKind, SellerCancelReason, ShipmentStatus, TrackingNumber,
};
use domain::time::Timestamp;
use serde_json::json;
use uuid::Uuid;

const RUB: Currency = Currency::Rub;
const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 86_400_000;

async fn insert_seller(db: &Db, name: &str) -> SellerId {
    let id = SellerId::from_uuid(Uuid::now_v7());
    sqlx::query(
        "INSERT INTO sellers (id, name, inn, status, search_text, created_at, updated_at) \
         VALUES ($1, $2, NULL, 'active', $3, 0, 0)",
    )
    .bind(id.to_string())
    .bind(name)
    .bind(name.to_lowercase())
    .execute(db.pool())
    .await
    .unwrap();
    id
}

async fn insert_categories(db: &Db) {
    for (code, days) in [("smartphones", 14_i64), ("clothing", 14)] {
        sqlx::query(
            "INSERT INTO categories (code, parent_code, name_ru, name_en, return_window_days, attributes, \
             position, created_at, updated_at) VALUES ($1, NULL, $1, $1, $2, '[]', 0, 0, 0)",
        )
        .bind(code)
        .bind(days)
        .execute(db.pool())
        .await
        .unwrap();
    }
}

async fn insert_sku(
    db: &Db,
    seller: SellerId,
    sku: &str,
    category: &str,
    price_minor: i64,
    stock: i64,
    status: &str,
) {
    sqlx::query(
        "INSERT INTO skus (id, seller_id, seller_sku, status, title, brand, category_code, price_minor, \
         currency, vat, stock, content_hash, commercial_hash, search_text, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, 'RUB', '20', $8, 'h', 'h', $3, 0, 0)",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(seller.to_string())
    .bind(sku)
    .bind(status)
    .bind(format!("Title of {sku}"))
    .bind(category)
    .bind(price_minor)
    .bind(stock)
    .execute(db.pool())
    .await
    .unwrap();
}

async fn stock_of(db: &Db, seller: SellerId, sku: &str) -> (i64, i64) {
    sqlx::query_as("SELECT stock, reserved FROM skus WHERE seller_id = $1 AND seller_sku = $2")
        .bind(seller.to_string())
        .bind(sku)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

async fn channel(db: &Db) -> ChannelCtx {
    let (_, key) = create_channel_key(db, None, "web shop").await.unwrap();
    channel_for_key(db, &key).await.unwrap().unwrap()
}

fn order_input(external: &str, lines: serde_json::Value) -> CreateOrderInput {
    serde_json::from_value(json!({
        "external_order_id": external,
        "channel": "web",
        "currency": "RUB",
        "buyer": { "name": "Анна Петрова", "phone": "+79161234567" },
        "delivery": { "method": "fbs", "address": { "city": "Москва", "line1": "ул. Тверская, 1" } },
        "lines": lines,
    }))
    .unwrap()
}

async fn place(
    db: &Db,
    ch: &ChannelCtx,
    external: &str,
    lines: serde_json::Value,
) -> db::Result<OrderReceipt> {
    let order = order_input(external, lines).validate().unwrap();
    create_order(db, ch, &order, &OrderRules::default()).await
}

fn capture(order: OrderId, amount_minor: i64, event: &str) -> PaymentEvent {
    PaymentEvent {
        provider_event_id: event.into(),
        kind: PaymentEventKind::Captured,
        order_id: order,
        amount: Money::from_minor(amount_minor, RUB),
        occurred_at: Timestamp::now(),
    }
}

fn ctx(seller: SellerId) -> SellerCtx {
    SellerCtx::for_system(seller, SellerStatus::Active)
}

fn carrier(event_id: &str, tracking: &str, kind: CarrierEventKind) -> CarrierEvent {
    CarrierEvent {
        event_id: event_id.into(),
        carrier: CarrierCode::parse("cdek").unwrap(),
        tracking_number: TrackingNumber::parse(tracking).unwrap(),
        kind,
        occurred_at: Timestamp::now(),
    }
}

async fn count(db: &Db, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(db.pool())
        .await
        .unwrap();
    n
}

async fn assert_verified(db: &Db) {
    let report = verify(db).await.unwrap();
    assert!(report.is_ok(), "{report}");
}

struct Shop {
    ch: ChannelCtx,
    phones: SellerId,
    clothes: SellerId,
}

async fn shop(db: &Db) -> Shop {
    insert_categories(db).await;
    let phones = insert_seller(db, "Phones").await;
    let clothes = insert_seller(db, "Clothes").await;
    insert_sku(db, phones, "PH-1", "smartphones", 1_999_990, 5, "active").await;
    insert_sku(db, phones, "PH-OLD", "smartphones", 500_000, 5, "archived").await;
    insert_sku(db, clothes, "TS-1", "clothing", 129_990, 10, "active").await;
    insert_sku(db, clothes, "TS-2", "clothing", 129_990, 1, "active").await;
    Shop {
        ch: channel(db).await,
        phones,
        clothes,
    }
}

fn two_seller_lines(s: &Shop) -> serde_json::Value {
    json!([
        { "seller_id": s.phones.to_string(), "seller_sku": "PH-1", "quantity": 1, "unit_price": "19999.90" },
        { "seller_id": s.clothes.to_string(), "seller_sku": "TS-1", "quantity": 2, "unit_price": "1299.90" },
    ])
}

// ---------------------------------------------------------------------------

db_test!(
    an_order_splits_per_seller_and_reserves_stock,
    |db: Db| async move {
        let s = shop(&db).await;
        let receipt = place(&db, &s.ch, "W-1", two_seller_lines(&s))
            .await
            .unwrap();
        assert_eq!(receipt.total_minor, 1_999_990 + 2 * 129_990);
        assert_eq!(receipt.shipments.len(), 2);
        assert_eq!(receipt.shipments[0].seller_id, s.phones);
        assert_eq!(receipt.shipments[1].total_minor, 259_980);
        assert!(
            receipt
                .shipments
                .iter()
                .all(|sh| sh.status == ShipmentStatus::AwaitingPayment)
        );
        assert_eq!(stock_of(&db, s.phones, "PH-1").await, (5, 1));
        assert_eq!(stock_of(&db, s.clothes, "TS-1").await, (10, 2));

        // The same external id again is a conflict naming the first order; nothing more is reserved.
        let again = place(&db, &s.ch, "W-1", two_seller_lines(&s))
            .await
            .unwrap_err();
        assert_eq!(again.code(), ErrorCode::Conflict);
        assert!(again.to_string().contains(&receipt.number), "{again}");
        assert_eq!(stock_of(&db, s.phones, "PH-1").await, (5, 1));

        // Each seller sees only its own shipment.
        let page = list_seller_shipments(
            &db,
            &ctx(s.clothes),
            &ShipmentFilter {
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(page.total, 1);
        assert_eq!(page.items[0].id, receipt.shipments[1].id);
        let found = list_seller_shipments(
            &db,
            &ctx(s.clothes),
            &ShipmentFilter {
                q: Some(receipt.number.to_lowercase()),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(found.total, 1);
        let other = get_seller_shipment(&db, &ctx(s.clothes), receipt.shipments[0].id)
            .await
            .unwrap_err();
        assert_eq!(other.code(), ErrorCode::NotFound);
    }
);

db_test!(
    bad_lines_are_named_and_nothing_is_stored,
    |db: Db| async move {
        let s = shop(&db).await;
        let err = place(
        &db,
        &s.ch,
        "W-BAD",
        json!([
            { "seller_id": s.phones.to_string(), "seller_sku": "PH-1", "quantity": 1, "unit_price": "19999.90" },
            { "seller_id": s.phones.to_string(), "seller_sku": "NOPE", "quantity": 1, "unit_price": "10.00" },
            { "seller_id": s.phones.to_string(), "seller_sku": "PH-OLD", "quantity": 1, "unit_price": "5000.00" },
            { "seller_id": s.clothes.to_string(), "seller_sku": "TS-1", "quantity": 1, "unit_price": "999.00" },
            { "seller_id": s.clothes.to_string(), "seller_sku": "TS-2", "quantity": 11, "unit_price": "1299.90" },
        ]),
    )
    .await
    .unwrap_err();
        let db::Error::Validation(fields) = err else {
            panic!("expected validation, got {err:?}")
        };
        let got: Vec<(String, String)> = fields
            .iter()
            .map(|f| (f.field.clone(), f.code.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("lines[1].seller_sku".to_string(), "unknown_sku".to_string()),
                ("lines[2].seller_sku".to_string(), "not_on_sale".to_string()),
                (
                    "lines[3].unit_price".to_string(),
                    "price_mismatch".to_string()
                ),
                (
                    "lines[4].quantity".to_string(),
                    "insufficient_stock".to_string()
                ),
            ]
        );
        // The valid first line's reservation was rolled back with the rest.
        assert_eq!(stock_of(&db, s.phones, "PH-1").await, (5, 0));
        assert_eq!(count(&db, "SELECT COUNT(*) FROM orders").await, 0);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM shipments").await, 0);

        // Negative quantities and over-precise prices never reach the catalog check.
        let invalid = order_input(
        "W-NEG",
        json!([{ "seller_id": s.phones.to_string(), "seller_sku": "PH-1", "quantity": -1, "unit_price": "1.999" }]),
    )
    .validate()
    .unwrap_err();
        let fields: Vec<&str> = invalid.iter().map(|f| f.field.as_str()).collect();
        assert!(fields.contains(&"lines[0].quantity"), "{fields:?}");
        assert!(fields.contains(&"lines[0].unit_price"), "{fields:?}");
    }
);

db_test!(concurrent_orders_never_oversell, |db: Db| async move {
    let s = shop(&db).await;
    let mut tasks = Vec::new();
    for n in 0..12 {
        let (db, ch, phones) = (db.clone(), s.ch.clone(), s.phones);
        tasks.push(tokio::spawn(async move {
            let lines = json!([{ "seller_id": phones.to_string(), "seller_sku": "PH-1", "quantity": 1, "unit_price": "19999.90" }]);
            place(&db, &ch, &format!("W-C{n}"), lines).await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(db::Error::Validation(f)) => assert_eq!(f[0].code, "insufficient_stock"),
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(ok, 5);
    assert_eq!(stock_of(&db, s.phones, "PH-1").await, (5, 5));
});

db_test!(
    a_paid_order_ships_is_delivered_and_releases_its_hold,
    |db: Db| async move {
        let s = shop(&db).await;
        let rules = OrderRules::default();
        let receipt = place(&db, &s.ch, "W-2", two_seller_lines(&s))
            .await
            .unwrap();
        let phone_shipment = receipt.shipments[0].id;

        // Nothing can be confirmed before the payment.
        let early = confirm(&db, &ctx(s.phones), phone_shipment, &rules)
            .await
            .unwrap_err();
        assert_eq!(early.code(), ErrorCode::InvalidStateTransition);

        let first = apply_payment_event(&db, &capture(receipt.id, receipt.total_minor, "evt-1"))
            .await
            .unwrap();
        assert!(!first.replayed);
        let again = apply_payment_event(&db, &capture(receipt.id, receipt.total_minor, "evt-1"))
            .await
            .unwrap();
        assert!(again.replayed);
        assert_eq!(again.transaction_id, first.transaction_id);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM payment_events").await, 1);
        let held = seller_balances(&db, s.phones, RUB)
            .await
            .unwrap()
            .held_minor;
        assert!(held > 0 && held < 1_999_990, "held {held}");

        let detail = get_seller_shipment(&db, &ctx(s.phones), phone_shipment)
            .await
            .unwrap();
        assert_eq!(detail.summary.status, ShipmentStatus::Paid);
        assert_eq!(
            detail.summary.ship_by,
            detail.paid_at.map(|p| p + 48 * HOUR_MS)
        );
        assert_eq!(detail.money.captured_minor, 1_999_990);
        assert_eq!(detail.money.net_minor, held);
        assert_eq!(detail.lines[0].commission_minor, Some(1_999_990 - held));

        // Shipping before confirming is refused; then confirm, ship (stock leaves).
        let skip = ship(
            &db,
            &ctx(s.phones),
            phone_shipment,
            "cdek",
            "CD 1234 5678",
            &rules,
        )
        .await
        .unwrap_err();
        assert_eq!(skip.code(), ErrorCode::InvalidStateTransition);
        confirm(&db, &ctx(s.phones), phone_shipment, &rules)
            .await
            .unwrap();
        let bad = ship(&db, &ctx(s.phones), phone_shipment, "", "x", &rules)
            .await
            .unwrap_err();
        let db::Error::Validation(fields) = bad else {
            panic!("expected validation")
        };
        assert_eq!(fields.len(), 2);
        ship(
            &db,
            &ctx(s.phones),
            phone_shipment,
            "cdek",
            "CD 1234 5678",
            &rules,
        )
        .await
        .unwrap();
        assert_eq!(stock_of(&db, s.phones, "PH-1").await, (4, 0));
        let cancel = cancel_by_seller(
            &db,
            &ctx(s.phones),
            phone_shipment,
            SellerCancelReason::Other,
            &rules,
        )
        .await
        .unwrap_err();
        assert_eq!(cancel.code(), ErrorCode::InvalidStateTransition);

        // The carrier: a wrong tracking number is refused; in transit is history; delivered delivers, once.
        let wrong = carrier_event(
            &db,
            &Actor::system(),
            phone_shipment,
            &carrier("c-0", "OTHER1", CarrierEventKind::Delivered),
            &rules,
        )
        .await
        .unwrap_err();
        assert_eq!(wrong.code(), ErrorCode::Validation);
        let moving = carrier_event(
            &db,
            &Actor::system(),
            phone_shipment,
            &carrier("c-1", "CD12345678", CarrierEventKind::InTransit),
            &rules,
        )
        .await
        .unwrap();
        assert_eq!(moving.effect, "recorded");
        let delivered = carrier_event(
            &db,
            &Actor::system(),
            phone_shipment,
            &carrier("c-2", "CD12345678", CarrierEventKind::Delivered),
            &rules,
        )
        .await
        .unwrap();
        assert_eq!(
            (delivered.effect.as_str(), delivered.status),
            ("applied", ShipmentStatus::Delivered)
        );
        let dup = carrier_event(
            &db,
            &Actor::system(),
            phone_shipment,
            &carrier("c-2", "CD12345678", CarrierEventKind::Delivered),
            &rules,
        )
        .await
        .unwrap();
        assert_eq!(dup.effect, "duplicate");

        let detail = get_seller_shipment(&db, &ctx(s.phones), phone_shipment)
            .await
            .unwrap();
        let release_at = detail
            .money
            .release_at
            .expect("a release date once delivered");
        assert_eq!(release_at, detail.delivered_at.unwrap() + 14 * DAY_MS);
        let kinds: Vec<&str> = detail.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            vec![
                "created",
                "paid",
                "confirmed",
                "shipped",
                "carrier",
                "delivered"
            ]
        );

        // Not before the return window has passed; then the share becomes available.
        release_due_holds(&db, Timestamp::now(), 100).await.unwrap();
        assert_eq!(
            seller_balances(&db, s.phones, RUB)
                .await
                .unwrap()
                .available_minor,
            0
        );
        release_due_holds(&db, Timestamp::from_millis(release_at + 1), 100)
            .await
            .unwrap();
        let balances = seller_balances(&db, s.phones, RUB).await.unwrap();
        assert_eq!((balances.held_minor, balances.available_minor), (0, held));

        // The other seller's shipment is untouched by all this: still paid, still held.
        let clothes = get_seller_shipment(&db, &ctx(s.clothes), receipt.shipments[1].id)
            .await
            .unwrap();
        assert_eq!(clothes.summary.status, ShipmentStatus::Paid);
        assert_verified(&db).await;
    }
);

db_test!(
    payment_events_are_checked_against_the_order,
    |db: Db| async move {
        let s = shop(&db).await;
        let receipt = place(&db, &s.ch, "W-3", two_seller_lines(&s))
            .await
            .unwrap();
        let too_much =
            apply_payment_event(&db, &capture(receipt.id, receipt.total_minor + 1, "evt-x"))
                .await
                .unwrap_err();
        assert_eq!(too_much.code(), ErrorCode::Validation);
        let mut usd = capture(receipt.id, 100, "evt-usd");
        usd.amount = Money::from_minor(100, Currency::Usd);
        assert_eq!(
            apply_payment_event(&db, &usd).await.unwrap_err().code(),
            ErrorCode::Validation
        );
        let unknown = apply_payment_event(
            &db,
            &capture(OrderId::from_uuid(Uuid::now_v7()), 100, "evt-u"),
        )
        .await
        .unwrap_err();
        assert_eq!(unknown.code(), ErrorCode::Validation);
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM ledger_transactions").await,
            0
        );
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM shipments WHERE status = 'paid'").await,
            0
        );

        // A full refund after capture takes the sellers' shares back out of held.
        apply_payment_event(&db, &capture(receipt.id, receipt.total_minor, "evt-ok"))
            .await
            .unwrap();
        let refund = PaymentEvent {
            provider_event_id: "evt-refund".into(),
            kind: PaymentEventKind::Refunded,
            order_id: receipt.id,
            amount: Money::from_minor(receipt.total_minor, RUB),
            occurred_at: Timestamp::now(),
        };
        apply_payment_event(&db, &refund).await.unwrap();
        assert!(apply_payment_event(&db, &refund).await.unwrap().replayed);
        assert_eq!(
            seller_balances(&db, s.phones, RUB)
                .await
                .unwrap()
                .held_minor,
            0
        );
        assert_verified(&db).await;
    }
);

db_test!(
    cancelling_a_paid_shipment_costs_one_penalty_and_frees_stock,
    |db: Db| async move {
        let s = shop(&db).await;
        let rules = OrderRules::default();
        let receipt = place(&db, &s.ch, "W-4", two_seller_lines(&s))
            .await
            .unwrap();
        apply_payment_event(&db, &capture(receipt.id, receipt.total_minor, "evt-4"))
            .await
            .unwrap();
        let shipment = receipt.shipments[1].id;
        // Another seller cannot cancel it.
        let foreign = cancel_by_seller(
            &db,
            &ctx(s.phones),
            shipment,
            SellerCancelReason::OutOfStock,
            &rules,
        )
        .await
        .unwrap_err();
        assert_eq!(foreign.code(), ErrorCode::NotFound);
        cancel_by_seller(
            &db,
            &ctx(s.clothes),
            shipment,
            SellerCancelReason::OutOfStock,
            &rules,
        )
        .await
        .unwrap();
        assert_eq!(stock_of(&db, s.clothes, "TS-1").await, (10, 0));
        // 10 % of 2 599,80 ₽ = 259,98 ₽, within 100–5 000 ₽.
        let (n, amount): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) FROM penalties WHERE reason = 'seller_cancellation'",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
        assert_eq!((n, amount), (1, 25_998));
        let again = cancel_by_seller(
            &db,
            &ctx(s.clothes),
            shipment,
            SellerCancelReason::OutOfStock,
            &rules,
        )
        .await
        .unwrap_err();
        assert_eq!(again.code(), ErrorCode::InvalidStateTransition);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM penalties").await, 1);

        // The channel cancels the rest; the cancelled one stays cancelled, no new penalty.
        let result = cancel_by_channel(&db, &s.ch, receipt.id, &rules)
            .await
            .unwrap();
        assert!(
            result
                .iter()
                .all(|(_, st)| *st == ShipmentStatus::Cancelled)
        );
        assert_eq!(stock_of(&db, s.phones, "PH-1").await, (5, 0));
        assert_eq!(count(&db, "SELECT COUNT(*) FROM penalties").await, 1);
        assert_verified(&db).await;
    }
);

db_test!(late_shipments_are_penalised_once, |db: Db| async move {
    let s = shop(&db).await;
    let rules = OrderRules::default();
    let receipt = place(&db, &s.ch, "W-5", two_seller_lines(&s))
        .await
        .unwrap();
    apply_payment_event(&db, &capture(receipt.id, receipt.total_minor, "evt-5"))
        .await
        .unwrap();
    let now = Timestamp::now();
    assert_eq!(penalise_overdue(&db, now, &rules, 100).await.unwrap(), 0);
    let later = Timestamp::from_millis(now.millis() + 49 * HOUR_MS);
    assert_eq!(penalise_overdue(&db, later, &rules, 100).await.unwrap(), 2);
    assert_eq!(penalise_overdue(&db, later, &rules, 100).await.unwrap(), 0);
    // 5 % of 19 999,90 ₽ = 999,995 → 1 000,00 ₽ (the cap); 5 % of 2 599,80 ₽ = 129,99 ₽.
    let amounts: Vec<(i64,)> =
        sqlx::query_as("SELECT amount_minor FROM penalties ORDER BY amount_minor")
            .fetch_all(db.pool())
            .await
            .unwrap();
    assert_eq!(amounts, vec![(12_999,), (100_000,)]);
    // Shipping afterwards charges nothing more.
    let sh = receipt.shipments[0].id;
    confirm(&db, &ctx(s.phones), sh, &rules).await.unwrap();
    ship(&db, &ctx(s.phones), sh, "cdek", "CD0001", &rules)
        .await
        .unwrap();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM penalties").await, 2);
    // Staff confirm the delivery the carrier never reported.
    confirm_delivery_by_staff(&db, &Actor::system(), sh, &rules)
        .await
        .unwrap();
    let detail = get_seller_shipment(&db, &ctx(s.phones), sh).await.unwrap();
    assert_eq!(detail.summary.status, ShipmentStatus::Delivered);
    assert!(detail.money.release_at.is_some());
    assert_verified(&db).await;
});
