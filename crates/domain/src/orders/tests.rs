//! Scenario tables for order intake, the shipment state machine and webhooks.

use super::*;
use crate::ledger::PenaltyReason;
use crate::money::{Currency, Money};
use crate::time::Timestamp;
use serde_json::json;

const SELLER_A: &str = "0190f1e2-7a3b-7c4d-8e5f-00000000000a";
const SELLER_B: &str = "0190f1e2-7a3b-7c4d-8e5f-00000000000b";

fn order_json() -> serde_json::Value {
    json!({
        "external_order_id": "SHOP-1001",
        "channel": "web",
        "currency": "RUB",
        "buyer": {"name": "Иван Петров", "email": "Ivan@Example.ru", "phone": "8 (999) 123-45-67"},
        "delivery": {"method": "fbs", "address": {"postal_code": "101000", "city": "Москва", "line1": "ул. Мясницкая, д. 1"}},
        "lines": [
            {"seller_id": SELLER_A, "seller_sku": "A-1", "quantity": 2, "unit_price": "1299.90"},
            {"seller_id": SELLER_B, "seller_sku": "B-1", "quantity": 1, "unit_price": "15"},
            {"seller_id": SELLER_A, "seller_sku": "A-2", "quantity": 3, "unit_price": "0.01"}
        ]
    })
}

fn validate(value: serde_json::Value) -> Result<ValidOrder, Vec<crate::FieldError>> {
    serde_json::from_value::<CreateOrderInput>(value)
        .unwrap()
        .validate()
}

fn error_fields(value: serde_json::Value) -> Vec<(String, String)> {
    validate(value)
        .unwrap_err()
        .into_iter()
        .map(|e| (e.field, e.code))
        .collect()
}

#[test]
fn a_valid_order_is_parsed_exactly() {
    let order = validate(order_json()).unwrap();
    assert_eq!(order.currency, Currency::Rub);
    assert_eq!(
        order.lines[0].unit_price,
        Money::from_minor(129_990, Currency::Rub)
    );
    assert_eq!(order.lines[0].line_total.amount_minor(), 259_980);
    assert_eq!(order.lines[1].unit_price.amount_minor(), 1_500);
    assert_eq!(order.total.amount_minor(), 259_980 + 1_500 + 3);
    let buyer = order.buyer.unwrap();
    assert_eq!(buyer.email.unwrap().as_str(), "ivan@example.ru");
    assert_eq!(buyer.phone.as_deref(), Some("+79991234567"));
    assert_eq!(order.delivery.method, DeliveryMethod::Fbs);
    assert!(matches!(order.delivery.destination, Destination::Address(ref a) if a.country == "RU"));
}

#[test]
fn order_errors_name_the_json_path() {
    let mutate = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = order_json();
        f(&mut v);
        error_fields(v)
    };
    let pair = |field: &str, code: &str| vec![(field.to_string(), code.to_string())];
    let cases: Vec<(&str, Vec<(String, String)>, Vec<(String, String)>)> = vec![
        (
            "float price",
            mutate(&|v| v["lines"][2]["unit_price"] = json!(0.01)),
            pair("lines[2].unit_price", "must_be_string"),
        ),
        (
            "three decimals",
            mutate(&|v| v["lines"][1]["unit_price"] = json!("1.999")),
            pair("lines[1].unit_price", "too_many_decimals"),
        ),
        (
            "trailing zero decimals count too",
            mutate(&|v| v["lines"][1]["unit_price"] = json!("1.500")),
            pair("lines[1].unit_price", "too_many_decimals"),
        ),
        (
            "negative price",
            mutate(&|v| v["lines"][1]["unit_price"] = json!("-5")),
            pair("lines[1].unit_price", "negative"),
        ),
        (
            "zero price",
            mutate(&|v| v["lines"][1]["unit_price"] = json!("0.00")),
            pair("lines[1].unit_price", "must_be_positive"),
        ),
        (
            "decimal comma",
            mutate(&|v| v["lines"][1]["unit_price"] = json!("1299,90")),
            pair("lines[1].unit_price", "invalid_format"),
        ),
        (
            "absurd price",
            mutate(&|v| v["lines"][1]["unit_price"] = json!("100000000.01")),
            pair("lines[1].unit_price", "too_large"),
        ),
        (
            "zero quantity",
            mutate(&|v| v["lines"][2]["quantity"] = json!(0)),
            pair("lines[2].quantity", "must_be_positive"),
        ),
        (
            "fractional quantity",
            mutate(&|v| v["lines"][2]["quantity"] = json!(1.5)),
            pair("lines[2].quantity", "must_be_integer"),
        ),
        (
            "quantity as text",
            mutate(&|v| v["lines"][0]["quantity"] = json!("2")),
            pair("lines[0].quantity", "must_be_integer"),
        ),
        (
            "huge quantity",
            mutate(&|v| v["lines"][0]["quantity"] = json!(10_000)),
            pair("lines[0].quantity", "too_large"),
        ),
        (
            "negative quantity",
            mutate(&|v| v["lines"][0]["quantity"] = json!(-1)),
            pair("lines[0].quantity", "must_be_positive"),
        ),
        (
            "seller id not a uuid",
            mutate(&|v| v["lines"][1]["seller_id"] = json!("shop-b")),
            pair("lines[1].seller_id", "invalid_format"),
        ),
        (
            "duplicate sku of a seller",
            mutate(&|v| v["lines"][2]["seller_sku"] = json!("A-1")),
            pair("lines[2].seller_sku", "duplicate_line"),
        ),
        (
            "pickup without a pickup point",
            mutate(&|v| v["delivery"] = json!({"method": "pickup"})),
            pair("delivery.pickup_point_id", "required"),
        ),
        (
            "pickup with an address",
            mutate(&|v| v["delivery"]["method"] = json!("pickup")),
            vec![
                ("delivery.address".to_string(), "not_allowed".to_string()),
                (
                    "delivery.pickup_point_id".to_string(),
                    "required".to_string(),
                ),
            ],
        ),
        (
            "fbo without an address",
            mutate(&|v| v["delivery"] = json!({"method": "fbo"})),
            pair("delivery.address", "required"),
        ),
        (
            "unknown method",
            mutate(&|v| v["delivery"]["method"] = json!("drone")),
            pair("delivery.method", "unknown_delivery_method"),
        ),
        (
            "bad postal code",
            mutate(&|v| v["delivery"]["address"]["postal_code"] = json!("1010")),
            pair("delivery.address.postal_code", "invalid_format"),
        ),
        (
            "missing city",
            mutate(&|v| v["delivery"]["address"]["city"] = json!("  ")),
            pair("delivery.address.city", "required"),
        ),
        (
            "bad email",
            mutate(&|v| v["buyer"]["email"] = json!("ivan@")),
            pair("buyer.email", "invalid_email"),
        ),
        (
            "bad phone",
            mutate(&|v| v["buyer"]["phone"] = json!("12")),
            pair("buyer.phone", "invalid_phone"),
        ),
        (
            "unknown currency",
            mutate(&|v| v["currency"] = json!("XYZ")),
            pair("currency", "unknown_currency"),
        ),
        (
            "bad channel",
            mutate(&|v| v["channel"] = json!("Web Shop")),
            pair("channel", "invalid_format"),
        ),
        (
            "no lines",
            mutate(&|v| v["lines"] = json!([])),
            pair("lines", "required"),
        ),
    ];
    for (name, got, expected) in cases {
        assert_eq!(got, expected, "{name}");
    }
}

#[test]
fn an_empty_body_reports_every_required_field() {
    let fields: Vec<String> = error_fields(json!({}))
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    assert_eq!(
        fields,
        [
            "external_order_id",
            "channel",
            "currency",
            "delivery",
            "lines"
        ]
    );
}

#[test]
fn too_many_lines_are_refused() {
    let mut v = order_json();
    let line = v["lines"][0].clone();
    v["lines"] = json!(
        (0..=MAX_LINES)
            .map(|i| {
                let mut l = line.clone();
                l["seller_sku"] = json!(format!("SKU-{i}"));
                l
            })
            .collect::<Vec<_>>()
    );
    assert_eq!(
        error_fields(v),
        vec![("lines".to_string(), "too_many".to_string())]
    );
}

#[test]
fn order_splits_into_one_shipment_per_seller_in_first_appearance_order() {
    let order = validate(order_json()).unwrap();
    let drafts = split_into_shipments(&order);
    assert_eq!(drafts.len(), 2);
    assert_eq!(drafts[0].seller_id.to_string(), SELLER_A);
    assert_eq!(drafts[0].line_nos, vec![0, 2]);
    assert_eq!(drafts[0].total.amount_minor(), 259_983);
    assert_eq!(drafts[1].seller_id.to_string(), SELLER_B);
    assert_eq!(drafts[1].line_nos, vec![1]);
    let sum: i64 = drafts.iter().map(|d| d.total.amount_minor()).sum();
    assert_eq!(sum, order.total.amount_minor());
}

fn shipped() -> ShipmentEvent {
    ShipmentEvent::Shipped {
        carrier: CarrierCode::parse("CDEK").unwrap(),
        tracking_number: TrackingNumber::parse("ra 1234 5678 9ru").unwrap(),
    }
}

#[test]
fn shipment_state_machine_table() {
    use ShipmentStatus as S;
    let seller_cancel = ShipmentEvent::Cancelled {
        cancelled_by: CancelledBy::Seller {
            reason: SellerCancelReason::OutOfStock,
        },
    };
    let channel_cancel = ShipmentEvent::Cancelled {
        cancelled_by: CancelledBy::Channel,
    };
    let payment_failed = ShipmentEvent::Cancelled {
        cancelled_by: CancelledBy::PaymentFailure,
    };
    let delivered = ShipmentEvent::Delivered {
        reported_by: DeliveryReportedBy::Staff,
    };
    let events = [
        ShipmentEvent::PaymentCaptured,
        ShipmentEvent::SellerConfirmed,
        shipped(),
        delivered,
        seller_cancel,
        channel_cancel,
        payment_failed,
    ];
    // Rows: from-state; columns: the events above in order; None = refused.
    let table: [(S, [Option<S>; 7]); 6] = [
        (
            S::AwaitingPayment,
            [
                Some(S::Paid),
                None,
                None,
                None,
                Some(S::Cancelled),
                Some(S::Cancelled),
                Some(S::Cancelled),
            ],
        ),
        (
            S::Paid,
            [
                None,
                Some(S::Confirmed),
                None,
                None,
                Some(S::Cancelled),
                Some(S::Cancelled),
                None,
            ],
        ),
        (
            S::Confirmed,
            [
                None,
                None,
                Some(S::Shipped),
                None,
                Some(S::Cancelled),
                Some(S::Cancelled),
                None,
            ],
        ),
        (
            S::Shipped,
            [None, None, None, Some(S::Delivered), None, None, None],
        ),
        (S::Delivered, [None; 7]),
        (S::Cancelled, [None; 7]),
    ];
    for (from, expected_row) in table {
        for (event, expected) in events.iter().zip(expected_row) {
            let got = next_status(from, event);
            match expected {
                Some(to) => assert_eq!(got, Ok(to), "{from} + {}", event.name()),
                None => assert_eq!(
                    got,
                    Err(OrderError::InvalidTransition {
                        from,
                        event: event.name()
                    }),
                    "{from} + {} should be refused",
                    event.name()
                ),
            }
        }
    }
}

#[test]
fn seller_cancellation_after_payment_triggers_a_penalty() {
    let cancel = ShipmentEvent::Cancelled {
        cancelled_by: CancelledBy::Seller {
            reason: SellerCancelReason::OutOfStock,
        },
    };
    assert_eq!(
        penalty_for_transition(ShipmentStatus::Confirmed, &cancel),
        Some(PenaltyReason::SellerCancellation)
    );
    assert_eq!(
        penalty_for_transition(ShipmentStatus::AwaitingPayment, &cancel),
        None
    );
    let channel = ShipmentEvent::Cancelled {
        cancelled_by: CancelledBy::Channel,
    };
    assert_eq!(penalty_for_transition(ShipmentStatus::Paid, &channel), None);
}

#[test]
fn shipping_deadlines_per_method() {
    let deadlines = ShippingDeadlines::default();
    let paid = Timestamp::from_millis(0);
    let hours = |h: i64| Timestamp::from_millis(h * 3_600_000);
    // (method, shipped_at, now, late?)
    let cases = [
        (DeliveryMethod::Fbs, Some(hours(48)), hours(100), false),
        (DeliveryMethod::Fbs, Some(hours(49)), hours(100), true),
        (DeliveryMethod::Fbo, Some(hours(60)), hours(100), false),
        (DeliveryMethod::Fbo, None, hours(72), false),
        (DeliveryMethod::Fbo, None, hours(73), true),
        (DeliveryMethod::Pickup, None, hours(47), false),
        (DeliveryMethod::Pickup, None, hours(49), true),
    ];
    for (method, shipped_at, now, late) in cases {
        assert_eq!(
            deadlines.is_late(method, paid, shipped_at, now),
            late,
            "{method:?} {shipped_at:?} {now:?}"
        );
    }
    let custom = ShippingDeadlines {
        fbs_hours: 24,
        ..ShippingDeadlines::default()
    };
    assert_eq!(custom.deadline(DeliveryMethod::Fbs, paid), hours(24));
}

#[test]
fn carrier_events_map_to_transitions() {
    let event = |kind| CarrierEvent {
        event_id: "e1".to_string(),
        carrier: CarrierCode::parse("cdek").unwrap(),
        tracking_number: TrackingNumber::parse("RA123456789RU").unwrap(),
        kind,
        occurred_at: Timestamp::from_millis(0),
    };
    use CarrierEventKind as K;
    use ShipmentStatus as S;
    let cases = [
        (S::Confirmed, K::InTransit, "apply shipped"),
        (S::Shipped, K::Delivered, "apply delivered"),
        (S::Shipped, K::InTransit, "record"),
        (S::Shipped, K::DeliveryFailed, "record"),
        (S::Delivered, K::Delivered, "record"),
        (S::Shipped, K::ReturnedToSender, "attention"),
        (S::Cancelled, K::InTransit, "attention"),
        (S::Paid, K::Delivered, "attention"),
    ];
    for (status, kind, expected) in cases {
        let got = match carrier_effect(status, &event(kind)) {
            CarrierEffect::Apply { event } => {
                let to = next_status(status, &event).unwrap();
                format!("apply {to}")
            }
            CarrierEffect::RecordOnly => "record".to_string(),
            CarrierEffect::NeedsAttention => "attention".to_string(),
        };
        assert_eq!(got, expected, "{status} + {kind:?}");
    }
}

#[test]
fn tracking_numbers_and_carriers_are_normalised() {
    assert_eq!(
        TrackingNumber::parse(" ra 1234 5678 9ru ")
            .unwrap()
            .as_str(),
        "RA123456789RU"
    );
    assert!(TrackingNumber::parse("12").is_err());
    assert!(TrackingNumber::parse("AB#123").is_err());
    assert_eq!(
        CarrierCode::parse("Russian_Post").unwrap().as_str(),
        "russian_post"
    );
    assert!(CarrierCode::parse("").is_err());
}

#[test]
fn payment_events_are_validated() {
    let ok = json!({
        "event_id": "evt_1", "type": "captured", "order_id": "0190f1e2-7a3b-7c4d-8e5f-0123456789ab",
        "amount_minor": 129990, "currency": "RUB", "occurred_at": "2026-03-01T12:00:00+03:00"
    });
    let event = serde_json::from_value::<PaymentEventInput>(ok.clone())
        .unwrap()
        .validate()
        .unwrap();
    assert_eq!(event.kind, PaymentEventKind::Captured);
    assert_eq!(event.amount, Money::from_minor(129_990, Currency::Rub));
    assert_eq!(event.occurred_at.to_rfc3339(), "2026-03-01T09:00:00.000Z");
    assert_eq!(event.idempotency_key().unwrap().as_str(), "payment:evt_1");
    let cases = [
        ("amount_minor", json!(12.5), "must_be_integer"),
        ("amount_minor", json!("100"), "must_be_integer"),
        ("amount_minor", json!(0), "must_be_positive"),
        ("type", json!("authorized"), "unknown_event_type"),
        ("currency", json!("rub"), "unknown_currency"),
        ("occurred_at", json!("yesterday"), "invalid_format"),
        ("order_id", json!("42"), "invalid_format"),
    ];
    for (field, value, code) in cases {
        let mut v = ok.clone();
        v[field] = value;
        let errors = serde_json::from_value::<PaymentEventInput>(v)
            .unwrap()
            .validate()
            .unwrap_err();
        assert_eq!(errors.len(), 1, "{field}");
        assert_eq!(
            (errors[0].field.as_str(), errors[0].code.as_str()),
            (field, code)
        );
    }
}

fn secret(s: &str) -> WebhookSecret {
    WebhookSecret::new(s.as_bytes().to_vec()).unwrap()
}

#[test]
fn webhook_signature_round_trip_and_known_vector() {
    let key = secret("whsec_test_0123456789");
    let body = br#"{"event_id":"evt_1"}"#;
    let header = sign_webhook(&key, 1_700_000_000, body).unwrap();
    let now = Timestamp::from_millis(1_700_000_100_000);
    assert!(verify_webhook(std::slice::from_ref(&key), &header, body, now).is_ok());
    // Known answer, computed independently with `openssl dgst -sha256 -hmac` and Python's hmac module.
    assert_eq!(
        header,
        "t=1700000000,v1=a78158ef9de24d00ecb5c3fbbcdd84b885f61793514d4d82e51bad7ff505a11b"
    );
}

#[test]
fn webhook_verification_refusals() {
    let key = secret("whsec_test_0123456789");
    let body = b"{}";
    let t = 1_700_000_000;
    let header = sign_webhook(&key, t, body).unwrap();
    let at = |secs: i64| Timestamp::from_millis(secs * 1_000);
    let keys = std::slice::from_ref(&key);
    assert_eq!(
        verify_webhook(keys, &header, b"{ }", at(t)),
        Err(WebhookError::SignatureMismatch)
    );
    assert_eq!(
        verify_webhook(&[secret("another_secret_abcdef")], &header, body, at(t)),
        Err(WebhookError::SignatureMismatch)
    );
    assert!(verify_webhook(keys, &header, body, at(t + 300)).is_ok());
    assert_eq!(
        verify_webhook(keys, &header, body, at(t + 301)),
        Err(WebhookError::Stale {
            age_secs: 301,
            tolerance_secs: 300
        })
    );
    assert_eq!(
        verify_webhook(keys, &header, body, at(t - 301)),
        Err(WebhookError::FromTheFuture { ahead_secs: 301 })
    );
    // A rotated secret: either signature is enough.
    let old = secret("old_secret_0123456789");
    let both = format!(
        "{header},v1={}",
        sign_webhook(&old, t, body)
            .unwrap()
            .split_once("v1=")
            .unwrap()
            .1
    );
    assert!(verify_webhook(std::slice::from_ref(&old), &both, body, at(t)).is_ok());
    for bad in [
        "",
        "t=1",
        "v1=00",
        "t=abc,v1=00",
        "t=1,v1=zz",
        "t=1,t=2,v1=00",
        "garbage",
    ] {
        assert!(
            matches!(
                verify_webhook(keys, bad, body, at(t)),
                Err(WebhookError::MalformedHeader(_))
            ),
            "{bad:?}"
        );
    }
    assert!(WebhookSecret::new(b"short".to_vec()).is_err());
    assert_eq!(format!("{key:?}"), "WebhookSecret(<redacted>)");
}
