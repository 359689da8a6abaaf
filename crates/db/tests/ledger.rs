//! The persisted ledger on both engines: settlement to the kopeck, idempotency under
//! retries and concurrency, holds, refunds and debt, penalties, payouts with four
//! eyes, statements, and `verify` catching drift.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use db::auth::{Actor, FinanceCtx, SellerCtx};
use db::ledger::balances::{marketplace_balance, seller_balances};
use db::ledger::holds::{HoldBlockKind, mark_delivered, release_due_holds, set_hold_block};
use db::ledger::payouts::{
    PayoutDetailsInput, PayoutSettings, approve_batch, exclude_line, export_register,
    list_batch_lines, mark_line_failed, mark_line_paid, mark_line_unresolved, propose_payout_batch,
    reserve_payout, set_payout_details, update_payout_settings,
};
use db::ledger::penalties::{PenaltyBy, PenaltyInput, apply_penalty, reverse_penalty};
use db::ledger::settlement::{
    CaptureInput, OrderLineSnapshot, RefundInput, RefundOutcome, Settlement, refund, settle_capture,
};
use db::ledger::statement::{StatementFilter, held_breakdown, order_breakdown, seller_statement};
use db::ledger::verify::verify;
use db::testing::staff;
use db::{Db, db_test};
use domain::ErrorCode;
use domain::accounts::{Role, SellerStatus};
use domain::ids::{OrderId, PayoutBatchId, SellerId, ShipmentId};
use domain::ledger::{
    IdempotencyKey, MarketplaceAccountKind, PayoutMovement, PenaltyReason, RefundKind,
    TransactionKind,
};
use domain::money::{Currency, Money};
use domain::payouts::{BatchStatus, LineStatusKind, PayoutFrequency, PayoutLineStatus};
use domain::time::Timestamp;
use uuid::Uuid;

const DAY_MS: i64 = 86_400_000;
const RUB: Currency = Currency::Rub;

fn rub(minor: i64) -> Money {
    Money::from_minor(minor, RUB)
}

fn key(s: &str) -> IdempotencyKey {
    IdempotencyKey::parse(s).unwrap()
}

fn now() -> Timestamp {
    Timestamp::now()
}

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

/// Electronics (5 %) > smartphones, clothing (15 %), beauty with no returns (12 %).
async fn insert_categories(db: &Db) {
    for (code, parent, days) in [
        ("electronics", None, 14_i64),
        ("smartphones", Some("electronics"), 14),
        ("clothing", None, 14),
        ("beauty", None, 0),
        ("perfume", Some("beauty"), 0),
    ] {
        sqlx::query(
            "INSERT INTO categories (code, parent_code, name_ru, name_en, return_window_days, attributes, \
             position, created_at, updated_at) VALUES ($1, $2, $1, $1, $3, '[]', 0, 0, 0)",
        )
        .bind(code)
        .bind(parent)
        .bind(days)
        .execute(db.pool())
        .await
        .unwrap();
    }
}

async fn finance(db: &Db, email: &str) -> FinanceCtx {
    staff(db, email, Role::Finance).await.finance().unwrap()
}

fn seller_ctx(seller: SellerId) -> SellerCtx {
    SellerCtx::for_system(seller, SellerStatus::Active)
}

fn line(
    line_no: u32,
    shipment: ShipmentId,
    seller: SellerId,
    category: &str,
    quantity: u32,
    unit_price_minor: i64,
) -> OrderLineSnapshot {
    OrderLineSnapshot {
        line_no,
        shipment_id: shipment,
        seller_id: seller,
        category_code: category.into(),
        quantity,
        unit_price_minor,
        line_total_minor: unit_price_minor * i64::from(quantity),
    }
}

fn new_shipment() -> ShipmentId {
    ShipmentId::from_uuid(Uuid::now_v7())
}

/// A one-line order of `amount_minor` for `seller`, fully captured, in a category
/// without its own rule (the default 10 % applies).
fn simple_capture(seller: SellerId, amount_minor: i64, event: &str) -> CaptureInput {
    CaptureInput {
        order_id: OrderId::from_uuid(Uuid::now_v7()),
        currency: RUB,
        captured_minor: amount_minor,
        event_key: key(event),
        lines: vec![line(0, new_shipment(), seller, "misc", 1, amount_minor)],
    }
}

fn settled(s: Settlement) -> db::ledger::settlement::CaptureSummary {
    match s {
        Settlement::Settled(summary) => summary,
        Settlement::Replayed(p) => panic!("expected a new settlement, got a replay of {p:?}"),
    }
}

/// Captures, delivers long ago and releases: the seller ends with `available`.
async fn fund(db: &Db, seller: SellerId, amount_minor: i64, event: &str) -> i64 {
    let input = simple_capture(seller, amount_minor, event);
    let summary = settled(settle_capture(db, &input).await.unwrap());
    let shipment = input.lines[0].shipment_id;
    mark_delivered(
        db,
        &Actor::system(),
        shipment,
        Timestamp::from_millis(now().millis() - 30 * DAY_MS),
    )
    .await
    .unwrap();
    release_due_holds(db, now(), 10_000).await.unwrap();
    summary.seller_shares[0].1
}

fn code(e: &db::Error) -> ErrorCode {
    e.code()
}

async fn assert_verified(db: &Db) {
    let report = verify(db).await.unwrap();
    assert!(report.is_ok(), "{report}");
}

async fn count(db: &Db, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(db.pool())
        .await
        .unwrap();
    n
}

async fn give_bank_details(db: &Db, seller: SellerId, name: &str) {
    set_payout_details(
        db,
        &seller_ctx(seller),
        &PayoutDetailsInput {
            recipient_name: name.into(),
            inn: "7707083893".into(),
            bik: "044525225".into(),
            account_number: "40702810900000000001".into(),
            correspondent_account: "30101810400000000225".into(),
            bank_name: "ПАО Сбербанк".into(),
        },
    )
    .await
    .unwrap();
}

async fn set_payouts(db: &Db, ctx: &FinanceCtx, minimum_minor: i64, four_eyes_minor: i64) {
    update_payout_settings(
        db,
        ctx,
        &PayoutSettings {
            currency: RUB,
            frequency: PayoutFrequency::Daily,
            minimum_minor,
            four_eyes_threshold_minor: four_eyes_minor,
        },
    )
    .await
    .unwrap();
}

// ---------------------------------------------------------------------------

db_test!(
    capture_splits_to_the_kopeck_and_balances,
    |db: Db| async move {
        insert_categories(&db).await;
        let phones = insert_seller(&db, "Phones").await;
        let clothes = insert_seller(&db, "Clothes").await;
        let (s1, s2) = (new_shipment(), new_shipment());
        // 999,99 ₽ + 999,99 ₽, of which 999,99 ₽ is captured: the odd kopeck of the
        // allocation goes to the first line (largest remainder, ties to the earlier line).
        let input = CaptureInput {
            order_id: OrderId::from_uuid(Uuid::now_v7()),
            currency: RUB,
            captured_minor: 99_999,
            event_key: key("payment:evt-1"),
            lines: vec![
                line(0, s1, phones, "smartphones", 1, 99_999),
                line(1, s2, clothes, "clothing", 3, 33_333),
            ],
        };
        let summary = settled(settle_capture(&db, &input).await.unwrap());
        // Line 0: 500,00 ₽ allocated, 5 % (electronics, inherited by smartphones) = 25,00 ₽.
        // Line 1: 499,99 ₽ allocated, 15 % = 74,9985 → 75,00 ₽ (half up).
        assert_eq!(summary.commission_minor, 2_500 + 7_500);
        assert_eq!(
            seller_balances(&db, phones, RUB).await.unwrap().held_minor,
            47_500
        );
        assert_eq!(
            seller_balances(&db, clothes, RUB).await.unwrap().held_minor,
            42_499
        );
        assert_eq!(
            marketplace_balance(&db, MarketplaceAccountKind::CommissionRevenue, RUB)
                .await
                .unwrap(),
            10_000
        );
        assert_eq!(
            marketplace_balance(&db, MarketplaceAccountKind::ProviderClearing, RUB)
                .await
                .unwrap(),
            -99_999
        );
        // captured = seller shares + commission, to the kopeck.
        assert_eq!(47_500 + 42_499 + 10_000, 99_999);
        // One hold per shipment, frozen commission lines with their rule.
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM holds WHERE status = 'held'").await,
            2
        );
        assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM ledger_commission_lines WHERE rate_bps = 1500 AND amount_minor = 7500"
        )
        .await,
        1
    );
        let breakdown = order_breakdown(&db, &seller_ctx(clothes), input.order_id)
            .await
            .unwrap();
        assert_eq!(breakdown.len(), 1);
        assert_eq!(breakdown[0].captured, rub(49_999));
        assert_eq!(breakdown[0].commission, rub(7_500));
        assert_eq!(breakdown[0].net, rub(42_499));
        // Another seller cannot read this order's breakdown.
        let stranger = insert_seller(&db, "Stranger").await;
        assert!(matches!(
            order_breakdown(&db, &seller_ctx(stranger), input.order_id).await,
            Err(db::Error::NotFound(_))
        ));
        assert_verified(&db).await;
    }
);

db_test!(
    a_retried_capture_posts_once_and_a_changed_body_is_refused,
    |db: Db| async move {
        let seller = insert_seller(&db, "S").await;
        let input = simple_capture(seller, 10_000, "payment:evt-retry");
        let first = settled(settle_capture(&db, &input).await.unwrap());
        let again = settle_capture(&db, &input).await.unwrap();
        let Settlement::Replayed(posted) = again else {
            panic!("expected a replay, got {again:?}");
        };
        assert_eq!(posted.transaction_id, first.transaction_id);
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM ledger_transactions").await,
            1
        );
        assert_eq!(
            seller_balances(&db, seller, RUB).await.unwrap().held_minor,
            9_000
        );

        // The same key with another amount is a conflict, not a silent success.
        let mut changed = input.clone();
        changed.captured_minor = 9_000;
        let err = settle_capture(&db, &changed).await.unwrap_err();
        assert_eq!(code(&err), ErrorCode::IdempotencyKeyReused);

        // The same order under another key is refused: one capture per order.
        let mut other_key = input.clone();
        other_key.event_key = key("payment:evt-other");
        let err = settle_capture(&db, &other_key).await.unwrap_err();
        assert_eq!(code(&err), ErrorCode::Conflict);

        // Invalid input stores nothing.
        let mut bad = simple_capture(seller, 10_000, "payment:evt-bad");
        bad.captured_minor = 10_001;
        assert!(settle_capture(&db, &bad).await.is_err());
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM ledger_transactions").await,
            1
        );
        assert_verified(&db).await;
    }
);

db_test!(
    the_same_key_sent_by_16_tasks_at_once_posts_once,
    |db: Db| async move {
        let seller = insert_seller(&db, "S").await;
        let input = simple_capture(seller, 123_456, "payment:evt-concurrent");
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let (db, input) = (db.clone(), input.clone());
            tasks.push(tokio::spawn(
                async move { settle_capture(&db, &input).await },
            ));
        }
        let mut new = 0;
        let mut replays = 0;
        for task in tasks {
            match task.await.unwrap().unwrap() {
                Settlement::Settled(_) => new += 1,
                Settlement::Replayed(_) => replays += 1,
            }
        }
        assert_eq!((new, replays), (1, 15));
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM ledger_transactions").await,
            1
        );
        assert_eq!(count(&db, "SELECT COUNT(*) FROM holds").await, 1);
        assert_eq!(
            seller_balances(&db, seller, RUB).await.unwrap().held_minor,
            123_456 - 12_346
        );
        assert_verified(&db).await;
    }
);

db_test!(
    concurrent_reservations_and_penalties_never_overdraw_or_lose_updates,
    |db: Db| async move {
        let seller = insert_seller(&db, "Hot seller").await;
        let available = fund(&db, seller, 111_111, "payment:fund").await;
        assert_eq!(available, 100_000);
        let fin = finance(&db, "fin@test.example").await;
        let batch = PayoutBatchId::from_uuid(Uuid::now_v7());
        let mut tasks = Vec::new();
        for i in 0..100 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = db.begin().await?;
                let movement = PayoutMovement {
                    payout_id: domain::ids::PayoutId::from_uuid(Uuid::now_v7()),
                    batch_id: batch,
                    seller_id: seller,
                    amount: rub(3_000),
                };
                let posted = reserve_payout(
                    &mut tx,
                    db.engine(),
                    &movement,
                    key(&format!("reserve:{i}")),
                )
                .await?;
                tx.commit().await?;
                Ok::<_, db::Error>(posted)
            }));
        }
        let mut penalties = Vec::new();
        for i in 0..40 {
            let (db, fin) = (db.clone(), fin.clone());
            penalties.push(tokio::spawn(async move {
                apply_penalty(
                    &db,
                    PenaltyBy::Staff(&fin),
                    &PenaltyInput {
                        seller_id: seller,
                        amount: rub(500),
                        reason: PenaltyReason::Other,
                        order_id: None,
                        shipment_id: None,
                        note: "late documents".into(),
                        key: key(&format!("penalty:{i}")),
                    },
                )
                .await
            }));
        }
        let mut reserved = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => reserved += 1,
                Err(e) => assert_eq!(code(&e), ErrorCode::InsufficientFunds, "{e}"),
            }
        }
        for task in penalties {
            task.await.unwrap().unwrap();
        }
        let balances = seller_balances(&db, seller, RUB).await.unwrap();
        // Never more reserved than there was, and every update counted.
        assert!(reserved * 3_000 <= 100_000, "{reserved} reservations");
        assert!(reserved >= 1);
        assert_eq!(balances.payout_reserved_minor, reserved * 3_000);
        assert_eq!(
            balances.available_minor,
            100_000 - reserved * 3_000 - 40 * 500
        );
        // Every reservation found enough available money when it was posted.
        let statement = seller_statement(
            &db,
            &seller_ctx(seller),
            &StatementFilter {
                limit: Some(1_000),
                ..StatementFilter::new(RUB)
            },
        )
        .await
        .unwrap();
        let reserves: Vec<_> = statement
            .rows
            .iter()
            .filter(|r| r.kind == TransactionKind::PayoutReserve)
            .collect();
        assert_eq!(reserves.len() as i64, reserved);
        // Every reservation was checked against the locked balance when it was posted
        // (reserved × 3 000 ≤ 100 000 above). The statement lists rows in transaction-id
        // order, which for concurrent writers is creation order, not commit order, so its
        // intermediate "after" figures are not asserted here; the closing balance is.
        assert_eq!(statement.closing, balances);
        assert_verified(&db).await;
    }
);

db_test!(
    concurrent_approvals_of_one_batch_reserve_once,
    |db: Db| async move {
        let fin = finance(&db, "fin@test.example").await;
        set_payouts(&db, &fin, 100, 0).await;
        let mut sellers = Vec::new();
        for i in 0..5 {
            let seller = insert_seller(&db, &format!("S{i}")).await;
            fund(&db, seller, 11_111, &format!("payment:{i}")).await;
            give_bank_details(&db, seller, &format!("ООО С{i}")).await;
            sellers.push(seller);
        }
        let batch = propose_payout_batch(&db, None, RUB, now())
            .await
            .unwrap()
            .unwrap();
        let mut tasks = Vec::new();
        for i in 0..8 {
            let db = db.clone();
            let ctx = finance(&db, &format!("approver{i}@test.example")).await;
            tasks.push(tokio::spawn(async move {
                approve_batch(&db, &ctx, batch.id).await
            }));
        }
        let mut ok = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(report) => {
                    ok += 1;
                    assert_eq!(report.approved, 5);
                }
                Err(e) => assert_eq!(code(&e), ErrorCode::InvalidStateTransition, "{e}"),
            }
        }
        assert_eq!(ok, 1);
        for seller in sellers {
            let b = seller_balances(&db, seller, RUB).await.unwrap();
            assert_eq!((b.available_minor, b.payout_reserved_minor), (0, 10_000));
        }
        assert_verified(&db).await;
    }
);

db_test!(
    refunds_after_release_make_debt_and_the_next_release_repays_it,
    |db: Db| async move {
        let fin = finance(&db, "fin@test.example").await;
        let seller = insert_seller(&db, "S").await;
        let first = simple_capture(seller, 100_000, "payment:c1");
        settled(settle_capture(&db, &first).await.unwrap());
        mark_delivered(
            &db,
            &Actor::system(),
            first.lines[0].shipment_id,
            Timestamp::from_millis(now().millis() - 20 * DAY_MS),
        )
        .await
        .unwrap();
        release_due_holds(&db, now(), 100).await.unwrap();
        assert_eq!(
            seller_balances(&db, seller, RUB)
                .await
                .unwrap()
                .available_minor,
            90_000
        );
        // A penalty of 100 ₽, then the whole order refunded after release.
        apply_penalty(
            &db,
            PenaltyBy::Staff(&fin),
            &PenaltyInput {
                seller_id: seller,
                amount: rub(10_000),
                reason: PenaltyReason::ProhibitedItem,
                order_id: None,
                shipment_id: None,
                note: "counterfeit".into(),
                key: key("penalty:1"),
            },
        )
        .await
        .unwrap();
        let outcome = refund(
            &db,
            &RefundInput {
                order_id: first.order_id,
                kind: RefundKind::Refund,
                amount: rub(100_000),
                shipment_id: None,
                event_key: key("payment:r1"),
            },
        )
        .await
        .unwrap();
        let RefundOutcome::Refunded(summary) = outcome else {
            panic!("expected a refund");
        };
        assert_eq!(summary.commission_reversed_minor, 10_000);
        assert_eq!(summary.from_available_minor, 90_000);
        let balances = seller_balances(&db, seller, RUB).await.unwrap();
        assert_eq!(balances.available_minor, -10_000);
        assert_eq!(balances.debt_minor(), 10_000);
        // The same refund event again moves nothing; more than was captured is refused.
        assert!(matches!(
            refund(
                &db,
                &RefundInput {
                    order_id: first.order_id,
                    kind: RefundKind::Refund,
                    amount: rub(100_000),
                    shipment_id: None,
                    event_key: key("payment:r1"),
                },
            )
            .await
            .unwrap(),
            RefundOutcome::Replayed(_)
        ));
        let err = refund(
            &db,
            &RefundInput {
                order_id: first.order_id,
                kind: RefundKind::Chargeback,
                amount: rub(1),
                shipment_id: None,
                event_key: key("payment:r2"),
            },
        )
        .await
        .unwrap_err();
        assert_eq!(code(&err), ErrorCode::Conflict);
        // A seller in debt gets no payout line.
        set_payouts(&db, &fin, 0, 0).await;
        give_bank_details(&db, seller, "ООО Должник").await;
        assert!(
            propose_payout_batch(&db, Some(&fin), RUB, now())
                .await
                .unwrap()
                .is_none()
        );

        // The next release repays the debt before anything becomes payable.
        let second = simple_capture(seller, 50_000, "payment:c2");
        settled(settle_capture(&db, &second).await.unwrap());
        mark_delivered(
            &db,
            &Actor::system(),
            second.lines[0].shipment_id,
            Timestamp::from_millis(now().millis() - 20 * DAY_MS),
        )
        .await
        .unwrap();
        release_due_holds(&db, now(), 100).await.unwrap();
        let balances = seller_balances(&db, seller, RUB).await.unwrap();
        assert_eq!(balances.available_minor, 45_000 - 10_000);
        assert_eq!(balances.held_minor, 0);
        assert_verified(&db).await;
    }
);

db_test!(
    a_partial_refund_before_release_comes_out_of_the_hold,
    |db: Db| async move {
        insert_categories(&db).await;
        let seller = insert_seller(&db, "S").await;
        let mut input = simple_capture(seller, 30_000, "payment:c");
        input.lines = vec![
            line(0, input.lines[0].shipment_id, seller, "clothing", 1, 10_000),
            line(1, input.lines[0].shipment_id, seller, "clothing", 1, 20_000),
        ];
        settled(settle_capture(&db, &input).await.unwrap());
        assert_eq!(
            seller_balances(&db, seller, RUB).await.unwrap().held_minor,
            25_500
        );
        // 100,01 ₽ back: 33,34 + 66,67 by remaining share; commission back in proportion.
        let RefundOutcome::Refunded(r) = refund(
            &db,
            &RefundInput {
                order_id: input.order_id,
                kind: RefundKind::Refund,
                amount: rub(10_001),
                shipment_id: Some(input.lines[0].shipment_id),
                event_key: key("payment:r"),
            },
        )
        .await
        .unwrap() else {
            panic!("expected a refund")
        };
        assert_eq!(r.from_available_minor, 0);
        assert_eq!(r.commission_reversed_minor, 500 + 1_000);
        let b = seller_balances(&db, seller, RUB).await.unwrap();
        assert_eq!(b.held_minor, 25_500 - (10_001 - 1_500));
        let (held,): (i64,) = sqlx::query_as("SELECT held_minor FROM holds")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(held, b.held_minor);
        // The rest of the order, refunded in full, gives back exactly the rest of the commission.
        refund(
            &db,
            &RefundInput {
                order_id: input.order_id,
                kind: RefundKind::Refund,
                amount: rub(30_000 - 10_001),
                shipment_id: None,
                event_key: key("payment:r-rest"),
            },
        )
        .await
        .unwrap();
        assert_eq!(
            seller_balances(&db, seller, RUB).await.unwrap().held_minor,
            0
        );
        assert_eq!(
            marketplace_balance(&db, MarketplaceAccountKind::CommissionRevenue, RUB)
                .await
                .unwrap(),
            0
        );
        assert_verified(&db).await;
    }
);

db_test!(
    holds_are_released_only_after_release_at_and_never_while_blocked,
    |db: Db| async move {
        insert_categories(&db).await;
        let fin = finance(&db, "fin@test.example").await;
        let seller = insert_seller(&db, "S").await;
        let mut input = simple_capture(seller, 10_000, "payment:h");
        input.lines[0].category_code = "smartphones".into();
        settled(settle_capture(&db, &input).await.unwrap());
        let shipment = input.lines[0].shipment_id;
        let t0 = Timestamp::from_millis(1_800_000_000_000);
        // Not delivered: nothing is due, whatever the date.
        assert_eq!(
            release_due_holds(&db, t0.plus_days(400), 100)
                .await
                .unwrap()
                .released,
            0
        );
        let held = held_breakdown(&db, &seller_ctx(seller)).await.unwrap();
        assert!(matches!(
            held.items[0].reason,
            db::ledger::holds::HeldReason::AwaitingDelivery { hold_days: 14 }
        ));

        let release_at = mark_delivered(&db, &Actor::system(), shipment, t0)
            .await
            .unwrap();
        assert_eq!(release_at, t0.plus_days(14));
        // A second delivery report keeps the first date.
        assert_eq!(
            mark_delivered(&db, &Actor::system(), shipment, t0.plus_days(3))
                .await
                .unwrap(),
            release_at
        );
        let held = held_breakdown(&db, &seller_ctx(seller)).await.unwrap();
        assert_eq!(held.items[0].expected_release_at, Some(release_at));
        assert_eq!(held.totals, vec![(RUB, 9_500)]);

        assert_eq!(
            release_due_holds(&db, t0.plus_days(13), 100)
                .await
                .unwrap()
                .released,
            0
        );
        set_hold_block(
            &db,
            &fin,
            shipment,
            HoldBlockKind::Dispute,
            true,
            "buyer dispute",
        )
        .await
        .unwrap();
        assert_eq!(
            release_due_holds(&db, t0.plus_days(20), 100)
                .await
                .unwrap()
                .released,
            0
        );
        let held = held_breakdown(&db, &seller_ctx(seller)).await.unwrap();
        assert!(matches!(
            held.items[0].reason,
            db::ledger::holds::HeldReason::Blocked { .. }
        ));
        set_hold_block(
            &db,
            &fin,
            shipment,
            HoldBlockKind::Dispute,
            false,
            "resolved",
        )
        .await
        .unwrap();
        let report = release_due_holds(&db, t0.plus_days(20), 100).await.unwrap();
        assert_eq!((report.released, report.released_minor), (1, 9_500));
        let b = seller_balances(&db, seller, RUB).await.unwrap();
        assert_eq!((b.held_minor, b.available_minor), (0, 9_500));
        // Running the job again releases nothing twice.
        assert_eq!(
            release_due_holds(&db, t0.plus_days(30), 100)
                .await
                .unwrap()
                .released,
            0
        );
        assert_eq!(
            seller_balances(&db, seller, RUB)
                .await
                .unwrap()
                .available_minor,
            9_500
        );

        // A seller with a 30-day hold period set by risk management.
        let risky = insert_seller(&db, "Risky").await;
        db::ledger::settings::update_seller_finance_settings(
            &db,
            &fin,
            risky,
            &db::ledger::settings::SellerFinanceSettings {
                hold_days_override: Some(30),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let input = simple_capture(risky, 10_000, "payment:risky");
        settled(settle_capture(&db, &input).await.unwrap());
        let release_at = mark_delivered(&db, &Actor::system(), input.lines[0].shipment_id, t0)
            .await
            .unwrap();
        assert_eq!(release_at, t0.plus_days(30));
        assert_verified(&db).await;
    }
);

db_test!(
    payout_outcomes_failed_returns_unresolved_keeps_and_nothing_is_paid_twice,
    |db: Db| async move {
        let preparer = finance(&db, "preparer@test.example").await;
        let approver = finance(&db, "approver@test.example").await;
        set_payouts(&db, &preparer, 1_000, 0).await;
        let a = insert_seller(&db, "A").await;
        let b = insert_seller(&db, "B").await;
        let c = insert_seller(&db, "C").await;
        let no_details = insert_seller(&db, "No details").await;
        for (i, seller) in [a, b, c, no_details].into_iter().enumerate() {
            fund(
                &db,
                seller,
                11_111 * (i as i64 + 1),
                &format!("payment:{i}"),
            )
            .await;
        }
        give_bank_details(&db, a, "ООО «Альфа»").await;
        give_bank_details(&db, b, "=HYPERLINK(\"x\")").await;
        give_bank_details(&db, c, "ООО «Це»").await;

        let batch = propose_payout_batch(&db, Some(&preparer), RUB, now())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(batch.line_count, 4);
        let lines = list_batch_lines(&db, &preparer, batch.id, 0, 100)
            .await
            .unwrap();
        let line_of = |seller| {
            lines
                .iter()
                .find(|l| l.seller_id == seller)
                .unwrap()
                .clone()
        };
        assert!(matches!(
            line_of(no_details).status,
            PayoutLineStatus::Excluded { .. }
        ));
        // Finance excludes C with a reason: C's money stays available.
        let err = exclude_line(&db, &preparer, line_of(c).id, " ")
            .await
            .unwrap_err();
        assert!(matches!(err, db::Error::Validation(_)));
        exclude_line(&db, &preparer, line_of(c).id, "bank details under review")
            .await
            .unwrap();

        let report = approve_batch(&db, &approver, batch.id).await.unwrap();
        assert_eq!(
            (report.approved, report.approved_total_minor),
            (2, 10_000 + 20_000)
        );
        assert_eq!(
            seller_balances(&db, c, RUB).await.unwrap().available_minor,
            30_000
        );
        let register = export_register(&db, &approver, batch.id).await.unwrap();
        assert_eq!(register.rows, 2);
        assert!(register.csv.contains("ООО «Альфа»"));
        assert!(register.csv.contains("100,00;RUB"));
        // A seller-supplied formula is neutralised for Excel.
        assert!(register.csv.contains("'=HYPERLINK"));
        assert!(!register.windows_1251.is_empty());

        // A: the bank rejects it; the money returns to available.
        mark_line_failed(&db, &approver, line_of(a).id, "account closed")
            .await
            .unwrap();
        let ba = seller_balances(&db, a, RUB).await.unwrap();
        assert_eq!((ba.available_minor, ba.payout_reserved_minor), (10_000, 0));
        // A failed line cannot then be paid.
        let err = mark_line_paid(&db, &approver, line_of(a).id, "REF-1")
            .await
            .unwrap_err();
        assert_eq!(code(&err), ErrorCode::InvalidStateTransition);

        // B: the outcome is unknown; the money stays reserved and is not exported again.
        mark_line_unresolved(&db, &approver, line_of(b).id, "bank timeout")
            .await
            .unwrap();
        let bb = seller_balances(&db, b, RUB).await.unwrap();
        assert_eq!((bb.available_minor, bb.payout_reserved_minor), (0, 20_000));
        assert!(export_register(&db, &approver, batch.id).await.is_err());
        mark_line_paid(&db, &approver, line_of(b).id, "REF-2")
            .await
            .unwrap();
        let bb = seller_balances(&db, b, RUB).await.unwrap();
        assert_eq!((bb.available_minor, bb.payout_reserved_minor), (0, 0));
        assert_eq!(
            marketplace_balance(&db, MarketplaceAccountKind::PayoutsClearing, RUB)
                .await
                .unwrap(),
            20_000
        );
        for again in [
            mark_line_paid(&db, &approver, line_of(b).id, "REF-3")
                .await
                .map(|_| ()),
            mark_line_failed(&db, &approver, line_of(b).id, "oops")
                .await
                .map(|_| ()),
        ] {
            assert_eq!(code(&again.unwrap_err()), ErrorCode::InvalidStateTransition);
        }
        // Every line settled: the batch closed.
        let batch = db::ledger::payouts::get_batch(&db, &approver, batch.id)
            .await
            .unwrap();
        assert_eq!(batch.status, BatchStatus::Closed);
        let lines = list_batch_lines(&db, &approver, batch.id, 0, 100)
            .await
            .unwrap();
        assert_eq!(
            lines
                .iter()
                .filter(|l| l.status.kind() == LineStatusKind::Paid)
                .count(),
            1
        );
        assert_verified(&db).await;
    }
);

db_test!(
    four_eyes_above_the_threshold_and_lines_that_no_longer_fit_are_excluded,
    |db: Db| async move {
        let preparer = finance(&db, "preparer@test.example").await;
        let other = finance(&db, "other@test.example").await;
        // Above 150 ₽ a second person approves.
        set_payouts(&db, &preparer, 0, 15_000).await;
        let a = insert_seller(&db, "A").await;
        let b = insert_seller(&db, "B").await;
        fund(&db, a, 11_111, "payment:a").await;
        fund(&db, b, 11_111, "payment:b").await;
        give_bank_details(&db, a, "A").await;
        give_bank_details(&db, b, "B").await;
        let batch = propose_payout_batch(&db, Some(&preparer), RUB, now())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(batch.proposed_total_minor, 20_000);
        let err = approve_batch(&db, &preparer, batch.id).await.unwrap_err();
        assert_eq!(code(&err), ErrorCode::Forbidden);
        // A penalty after the proposal: B's line no longer fits and is excluded at approval.
        apply_penalty(
            &db,
            PenaltyBy::Automatic,
            &PenaltyInput {
                seller_id: b,
                amount: rub(1),
                reason: PenaltyReason::LateShipment,
                order_id: None,
                shipment_id: None,
                note: String::new(),
                key: key("penalty:late:b"),
            },
        )
        .await
        .unwrap();
        let report = approve_batch(&db, &other, batch.id).await.unwrap();
        assert_eq!((report.approved, report.excluded), (1, 1));
        let lines = list_batch_lines(&db, &other, batch.id, 0, 10)
            .await
            .unwrap();
        let b_line = lines.iter().find(|l| l.seller_id == b).unwrap();
        assert_eq!(b_line.available_at_approval_minor, Some(9_999));
        assert_eq!(
            seller_balances(&db, b, RUB).await.unwrap().available_minor,
            9_999
        );
        // Below the threshold the preparer may approve alone.
        let batch = propose_payout_batch(&db, Some(&preparer), RUB, now())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(batch.proposed_total_minor, 9_999);
        approve_batch(&db, &preparer, batch.id).await.unwrap();
        assert_verified(&db).await;
    }
);

db_test!(
    penalty_reversal_restores_the_balance_once,
    |db: Db| async move {
        let fin = finance(&db, "fin@test.example").await;
        let seller = insert_seller(&db, "S").await;
        let input = PenaltyInput {
            seller_id: seller,
            amount: rub(2_500),
            reason: PenaltyReason::Other,
            order_id: None,
            shipment_id: None,
            note: "late documents".into(),
            key: key("penalty:form-1"),
        };
        let applied = apply_penalty(&db, PenaltyBy::Staff(&fin), &input)
            .await
            .unwrap();
        let again = apply_penalty(&db, PenaltyBy::Staff(&fin), &input)
            .await
            .unwrap();
        assert_eq!(again.penalty_id, applied.penalty_id);
        assert!(again.posted.is_replay());
        assert_eq!(
            seller_balances(&db, seller, RUB)
                .await
                .unwrap()
                .available_minor,
            -2_500
        );
        // A staff penalty needs a note.
        let err = apply_penalty(
            &db,
            PenaltyBy::Staff(&fin),
            &PenaltyInput {
                note: "  ".into(),
                key: key("penalty:form-2"),
                ..input.clone()
            },
        )
        .await
        .unwrap_err();
        assert!(matches!(err, db::Error::Validation(_)));
        let first = reverse_penalty(&db, &fin, applied.penalty_id, "appeal accepted")
            .await
            .unwrap();
        let second = reverse_penalty(&db, &fin, applied.penalty_id, "appeal accepted")
            .await
            .unwrap();
        assert_eq!(first.transaction_id, second.transaction_id);
        assert!(second.is_replay());
        assert_eq!(
            seller_balances(&db, seller, RUB)
                .await
                .unwrap()
                .available_minor,
            0
        );
        assert_eq!(
            marketplace_balance(&db, MarketplaceAccountKind::PenaltyRevenue, RUB)
                .await
                .unwrap(),
            0
        );
        let statement = seller_statement(&db, &seller_ctx(seller), &StatementFilter::new(RUB))
            .await
            .unwrap();
        let kinds: Vec<_> = statement.rows.iter().map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            vec![TransactionKind::Penalty, TransactionKind::PenaltyReversal]
        );
        assert_eq!(statement.rows[0].after.available_minor, -2_500);
        assert!(statement.rows[0].memo.contains("late documents"));
        assert_verified(&db).await;
    }
);

db_test!(
    statement_pages_carry_running_balances_across_pages,
    |db: Db| async move {
        let seller = insert_seller(&db, "S").await;
        for i in 0..5 {
            fund(&db, seller, 10_000, &format!("payment:{i}")).await;
        }
        let ctx = seller_ctx(seller);
        let all = seller_statement(&db, &ctx, &StatementFilter::new(RUB))
            .await
            .unwrap();
        // Five captures and five releases.
        assert_eq!(all.rows.len(), 10);
        assert_eq!(
            all.closing,
            seller_balances(&db, seller, RUB).await.unwrap()
        );
        assert!(!all.more);
        let first = seller_statement(
            &db,
            &ctx,
            &StatementFilter {
                limit: Some(4),
                ..StatementFilter::new(RUB)
            },
        )
        .await
        .unwrap();
        assert!(first.more);
        let next = seller_statement(
            &db,
            &ctx,
            &StatementFilter {
                limit: Some(100),
                after: first.rows.last().map(|r| r.transaction_id),
                ..StatementFilter::new(RUB)
            },
        )
        .await
        .unwrap();
        assert_eq!(next.opening, first.closing);
        assert_eq!(next.rows.len(), 6);
        assert_eq!(next.closing, all.closing);
        let csv = db::ledger::statement::statement_csv(&all, domain::Locale::Ru).unwrap();
        assert!(csv.starts_with("Дата (UTC);Операция"));
        assert!(csv.contains("90,00"));
        // Another seller's statement is empty.
        let stranger = insert_seller(&db, "Stranger").await;
        let theirs = seller_statement(&db, &seller_ctx(stranger), &StatementFilter::new(RUB))
            .await
            .unwrap();
        assert!(theirs.rows.is_empty());
    }
);

db_test!(
    verify_passes_on_a_sound_ledger_and_catches_drift_and_lost_postings,
    |db: Db| async move {
        let seller = insert_seller(&db, "S").await;
        fund(&db, seller, 10_000, "payment:v1").await;
        let input = simple_capture(seller, 20_000, "payment:v2");
        settle_capture(&db, &input).await.unwrap();
        assert_verified(&db).await;

        // A balance row changed behind the ledger's back.
        let held_key = domain::ledger::AccountRef::held(seller, RUB).key();
        sqlx::query(
            "UPDATE ledger_balances SET balance_minor = balance_minor + 1 WHERE account_key = $1",
        )
        .bind(&held_key)
        .execute(db.pool())
        .await
        .unwrap();
        let report = verify(&db).await.unwrap();
        assert!(!report.is_ok());
        assert_eq!(report.drift.len(), 1);
        assert_eq!(report.drift[0].account.key(), held_key);
        assert_eq!(
            (report.drift[0].expected_minor, report.drift[0].actual_minor),
            (18_000, 18_001)
        );
        assert_eq!(report.unbalanced_currencies.len(), 1);
        assert!(report.to_string().contains(&held_key));
        sqlx::query(
            "UPDATE ledger_balances SET balance_minor = balance_minor - 1 WHERE account_key = $1",
        )
        .bind(&held_key)
        .execute(db.pool())
        .await
        .unwrap();
        assert_verified(&db).await;

        // A posting deleted: its transaction no longer balances and the balance drifts.
        sqlx::query("DELETE FROM ledger_postings WHERE account_key = $1 AND transaction_id = $2")
            .bind(&held_key)
            .bind(count_id(&db, input.order_id).await)
            .execute(db.pool())
            .await
            .unwrap();
        let report = verify(&db).await.unwrap();
        assert!(!report.is_ok());
        assert_eq!(report.invalid_transactions.len(), 1);
        assert!(
            report.invalid_transactions[0].1.contains("do not balance"),
            "{report}"
        );
        assert!(!report.drift.is_empty());
    }
);

async fn count_id(db: &Db, order: OrderId) -> String {
    let (id,): (String,) = sqlx::query_as(
        "SELECT id FROM ledger_transactions WHERE order_id = $1 AND kind = 'capture'",
    )
    .bind(order.to_string())
    .fetch_one(db.pool())
    .await
    .unwrap();
    id
}

db_test!(finance_read_models_add_up, |db: Db| async move {
    insert_categories(&db).await;
    let fin = finance(&db, "fin@test.example").await;
    let a = insert_seller(&db, "A").await;
    let b = insert_seller(&db, "B").await;
    fund(&db, a, 10_000, "payment:a").await;
    let mut input = simple_capture(b, 20_000, "payment:b");
    input.lines[0].category_code = "clothing".into();
    settle_capture(&db, &input).await.unwrap();
    apply_penalty(
        &db,
        PenaltyBy::Staff(&fin),
        &PenaltyInput {
            seller_id: a,
            amount: rub(15_000),
            reason: PenaltyReason::Other,
            order_id: None,
            shipment_id: None,
            note: "fraud".into(),
            key: key("penalty:a"),
        },
    )
    .await
    .unwrap();
    let totals = db::ledger::reports::finance_totals(&db, &fin, RUB)
        .await
        .unwrap();
    assert_eq!(totals.held_minor, 17_000);
    assert_eq!(totals.debt_minor, 15_000 - 9_000);
    assert_eq!(totals.sellers_in_debt, 1);
    assert_eq!(totals.commission_revenue_minor, 1_000 + 3_000);
    assert_eq!(totals.provider_clearing_minor, -30_000);
    let debtors = db::ledger::reports::sellers_in_debt(&db, &fin, RUB, 10)
        .await
        .unwrap();
    assert_eq!(debtors.len(), 1);
    assert_eq!((debtors[0].seller_id, debtors[0].debt_minor), (a, 6_000));
    let from = Timestamp::from_millis(now().millis() - DAY_MS);
    let to = Timestamp::from_millis(now().millis() + DAY_MS);
    let days = db::ledger::reports::commission_by_day(&db, &fin, RUB, from, to)
        .await
        .unwrap();
    assert_eq!(days.iter().map(|d| d.captured_minor).sum::<i64>(), 30_000);
    assert_eq!(days.iter().map(|d| d.commission_minor).sum::<i64>(), 4_000);
    let categories = db::ledger::reports::commission_by_category(&db, &fin, RUB, from, to)
        .await
        .unwrap();
    assert_eq!(categories[0].category_code, "clothing");
    assert_eq!(categories[0].commission_minor, 3_000);
});

db_test!(
    captures_sharing_a_batcher_each_keep_their_own_result,
    |db: Db| async move {
        use db::orders::capture_batch::CaptureBatcher;
        let seller = insert_seller(&db, "S").await;
        let batcher = CaptureBatcher::new(db.clone());
        // 60 good captures, each sent twice (a provider redelivery racing the first),
        // and one invalid: all at once. Then one reusing a settled key for another body.
        let good: Vec<CaptureInput> = (0..60)
            .map(|i| simple_capture(seller, 10_000 + i, &format!("payment:batch-{i}")))
            .collect();
        let mut reused = good[0].clone();
        reused.captured_minor -= 1;
        reused.lines[0].line_total_minor -= 1;
        let mut invalid = simple_capture(seller, 5_000, "payment:batch-invalid");
        invalid.captured_minor = 5_001;
        let mut sends: Vec<(&'static str, CaptureInput)> = Vec::new();
        for input in &good {
            sends.push(("good", input.clone()));
            sends.push(("good", input.clone()));
        }
        sends.push(("invalid", invalid));
        let tasks: Vec<_> = sends
            .into_iter()
            .map(|(what, input)| {
                let batcher = batcher.clone();
                tokio::spawn(async move { (what, input.order_id, batcher.settle(input).await) })
            })
            .collect();
        let mut transactions: std::collections::HashMap<OrderId, Vec<_>> = Default::default();
        let mut held = 0;
        for task in tasks {
            let (what, order, result) = task.await.unwrap();
            match what {
                "good" => {
                    let id = match result.unwrap() {
                        Settlement::Settled(s) => {
                            held += s.seller_shares[0].1;
                            s.transaction_id
                        }
                        Settlement::Replayed(p) => p.transaction_id,
                    };
                    transactions.entry(order).or_default().push(id);
                }
                _ => assert!(result.is_err(), "an invalid capture was settled"),
            }
        }
        let err = batcher.settle(reused).await.unwrap_err();
        assert_eq!(code(&err), ErrorCode::IdempotencyKeyReused);
        // Each order settled once; both of its sends name the same transaction.
        assert_eq!(transactions.len(), 60);
        for ids in transactions.values() {
            assert_eq!(ids.len(), 2);
            assert_eq!(ids[0], ids[1]);
        }
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM ledger_transactions").await,
            60
        );
        assert!(held > 0);
        assert_eq!(
            seller_balances(&db, seller, RUB).await.unwrap().held_minor,
            held
        );
        assert_verified(&db).await;
    }
);
