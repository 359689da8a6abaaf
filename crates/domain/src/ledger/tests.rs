//! Scenario tables for journal transactions, split payment and refunds.

use super::*;
use crate::ids::{CategoryId, JournalId, OrderId, PenaltyId, SellerId, ShipmentId};
use crate::money::{Currency, Money};
use crate::time::Timestamp;
use std::collections::BTreeMap;
use uuid::Uuid;

fn seller(n: u128) -> SellerId {
    SellerId::from_uuid(Uuid::from_u128(0x005e_11e7_0000 + n))
}
fn shipment(n: u128) -> ShipmentId {
    ShipmentId::from_uuid(Uuid::from_u128(0x5417_0000 + n))
}
fn order() -> OrderId {
    OrderId::from_uuid(Uuid::from_u128(0x0dde7))
}
fn category(n: u128) -> CategoryId {
    CategoryId::from_uuid(Uuid::from_u128(0xca7_0000 + n))
}
fn meta(n: u128, key: &str) -> TxMeta {
    TxMeta::new(
        JournalId::from_uuid(Uuid::from_u128(n)),
        IdempotencyKey::parse(key).unwrap(),
        Timestamp::from_millis(1_700_000_000_000),
    )
}
fn rub(minor: i64) -> Money {
    Money::from_minor(minor, Currency::Rub)
}
fn mkt(kind: MarketplaceAccountKind, key: &str) -> AccountRef {
    AccountRef::marketplace(kind, Currency::Rub, Shard::for_key(key))
}
fn rule(
    n: u128,
    category_id: Option<CategoryId>,
    tier: Option<SellerTier>,
    bps: u32,
) -> CommissionRule {
    CommissionRule {
        id: CommissionRuleId::from_uuid(Uuid::from_u128(n)),
        currency: Currency::Rub,
        category_id,
        tier,
        rate: BasisPoints::new(bps).unwrap(),
        fixed_minor: 0,
        min_minor: 0,
        max_minor: None,
    }
}
fn ten_percent() -> CommissionSchedule {
    CommissionSchedule::new(vec![rule(1, None, None, 1000)]).unwrap()
}
fn line(line_no: u32, seller_n: u128, quantity: u32, unit_price_minor: i64) -> SettlementLine {
    SettlementLine {
        line_no,
        shipment_id: shipment(seller_n),
        seller_id: seller(seller_n),
        seller_tier: SellerTier::Standard,
        category_path: vec![category(1)],
        quantity,
        unit_price_minor,
        line_total_minor: unit_price_minor * i64::from(quantity),
    }
}
fn capture(
    lines: &[SettlementLine],
    captured_minor: i64,
    schedule: &CommissionSchedule,
) -> Result<Capture, LedgerError> {
    plan_capture(
        meta(100, "capture-1"),
        &CaptureRequest {
            order_id: order(),
            currency: Currency::Rub,
            lines,
            captured_minor,
        },
        schedule,
    )
}

#[test]
fn capture_example_from_the_sign_convention() {
    let c = capture(&[line(0, 1, 1, 100_000)], 100_000, &ten_percent()).unwrap();
    let tx = &c.transaction;
    assert_eq!(tx.kind(), TransactionKind::Capture);
    assert_eq!(
        tx.amount_on(&mkt(MarketplaceAccountKind::ProviderClearing, "capture-1")),
        -100_000
    );
    assert_eq!(
        tx.amount_on(&AccountRef::held(seller(1), Currency::Rub)),
        90_000
    );
    assert_eq!(
        tx.amount_on(&mkt(MarketplaceAccountKind::CommissionRevenue, "capture-1")),
        10_000
    );
    assert_eq!(tx.commission_lines().len(), 1);
    assert_eq!(tx.commission_lines()[0].base_minor, 100_000);
    assert_eq!(tx.commission_lines()[0].amount_minor, 10_000);
    assert_eq!(tx.references().order_id, Some(order()));
    assert_eq!(tx.references().seller_id, Some(seller(1)));
}

#[test]
fn three_sellers_sharing_100_rub_get_33_34_33_33_33_33() {
    let zero = CommissionSchedule::new(vec![rule(1, None, None, 0)]).unwrap();
    let lines = [
        line(0, 1, 1, 5_000),
        line(1, 2, 1, 5_000),
        line(2, 3, 1, 5_000),
    ];
    let c = capture(&lines, 10_000, &zero).unwrap();
    let allocated: Vec<i64> = c.lines.iter().map(|l| l.allocated_minor).collect();
    assert_eq!(allocated, vec![3_334, 3_333, 3_333]);
    let shares = c.seller_shares();
    assert_eq!(shares[&seller(1)], 3_334);
    assert_eq!(shares[&seller(2)], 3_333);
    assert_eq!(shares[&seller(3)], 3_333);
    // Same input, same answer: nothing depends on hashing or iteration order.
    assert_eq!(capture(&lines, 10_000, &zero).unwrap(), c);
}

#[test]
fn split_payment_scenarios_keep_captured_equal_to_shares_plus_commissions() {
    let electronics = category(2);
    let mut clamped = rule(2, Some(electronics), None, 100);
    clamped.min_minor = 5_000;
    clamped.max_minor = Some(20_000);
    let mut fixed = rule(3, None, Some(SellerTier::Gold), 500);
    fixed.fixed_minor = 3_000;
    let schedule =
        CommissionSchedule::new(vec![rule(1, None, None, 1000), clamped, fixed]).unwrap();
    let gold = |mut l: SettlementLine| {
        l.seller_tier = SellerTier::Gold;
        l
    };
    let in_electronics = |mut l: SettlementLine| {
        l.category_path = vec![electronics];
        l
    };
    // (name, lines, captured, expected (allocated, commission) per line)
    let cases: Vec<(&str, Vec<SettlementLine>, i64, Vec<(i64, i64)>)> = vec![
        (
            "one line, default 10 %",
            vec![line(0, 1, 2, 50_000)],
            100_000,
            vec![(100_000, 10_000)],
        ),
        (
            "two sellers, default rule",
            vec![line(0, 1, 1, 99_990), line(1, 2, 3, 333)],
            100_989,
            vec![(99_990, 9_999), (999, 100)],
        ),
        (
            "minimum clamp",
            vec![in_electronics(line(0, 1, 1, 10_000))],
            10_000,
            vec![(10_000, 5_000)],
        ),
        (
            "maximum clamp",
            vec![in_electronics(line(0, 1, 1, 10_000_000))],
            10_000_000,
            vec![(10_000_000, 20_000)],
        ),
        (
            "commission bigger than a tiny line is capped at the line",
            vec![in_electronics(line(0, 1, 1, 1_000)), line(1, 2, 1, 100_000)],
            101_000,
            vec![(1_000, 1_000), (100_000, 10_000)],
        ),
        (
            "tier rule with a fixed part",
            vec![gold(line(0, 1, 1, 100_000))],
            100_000,
            vec![(100_000, 8_000)],
        ),
        (
            "partial capture allocated proportionally",
            vec![line(0, 1, 1, 30_000), line(1, 2, 1, 10_000)],
            20_000,
            vec![(15_000, 1_500), (5_000, 500)],
        ),
        (
            "odd kopeck of a partial capture goes to the largest remainder",
            vec![line(0, 1, 1, 1), line(1, 2, 1, 2)],
            2,
            vec![(1, 0), (1, 0)],
        ),
    ];
    for (name, lines, captured, expected) in cases {
        let c = capture(&lines, captured, &schedule).unwrap();
        let got: Vec<(i64, i64)> = c
            .lines
            .iter()
            .map(|l| (l.allocated_minor, l.commission_minor))
            .collect();
        assert_eq!(got, expected, "{name}");
        let shares: i64 = c.seller_shares().values().sum();
        assert_eq!(shares + c.commission_minor(), captured, "{name}");
        let provider = c
            .transaction
            .amount_on(&mkt(MarketplaceAccountKind::ProviderClearing, "capture-1"));
        assert_eq!(provider, -captured, "{name}");
    }
}

#[test]
fn capture_refuses_invalid_requests() {
    let schedule = ten_percent();
    assert_eq!(capture(&[], 100, &schedule), Err(LedgerError::NoLines));
    assert_eq!(
        capture(&[line(0, 1, 1, 100)], 0, &schedule),
        Err(LedgerError::NonPositiveAmount)
    );
    assert_eq!(
        capture(&[line(0, 1, 1, 100)], 101, &schedule),
        Err(LedgerError::CaptureExceedsOrderTotal {
            captured_minor: 101,
            order_total_minor: 100
        })
    );
    assert!(matches!(
        capture(&[line(0, 1, 1, 100), line(0, 2, 1, 100)], 100, &schedule),
        Err(LedgerError::InvalidLine { line_no: 0, .. })
    ));
    assert!(matches!(
        capture(&[line(0, 1, 0, 100)], 100, &schedule),
        Err(LedgerError::InvalidLine { .. })
    ));
    let mut over = line(0, 1, 1, 100);
    over.line_total_minor = 101;
    assert!(matches!(
        capture(&[over], 100, &schedule),
        Err(LedgerError::InvalidLine { .. })
    ));
    let usd_only = CommissionSchedule::new(vec![CommissionRule {
        currency: Currency::Usd,
        ..rule(1, None, None, 1000)
    }])
    .unwrap();
    assert_eq!(
        capture(&[line(0, 1, 1, 100)], 100, &usd_only),
        Err(LedgerError::NoCommissionRule {
            currency: Currency::Rub
        })
    );
}

fn refund(
    n: u128,
    kind: RefundKind,
    lines: &[CaptureLine],
    held: &BTreeMap<ShipmentId, i64>,
    amount_minor: i64,
) -> Result<RefundPlan, LedgerError> {
    plan_refund(
        meta(n, &format!("refund-{n}")),
        &RefundRequest {
            kind,
            order_id: order(),
            currency: Currency::Rub,
            amount_minor,
            lines,
            held_by_shipment: held,
        },
    )
}

#[test]
fn full_refund_reverses_exactly_what_the_capture_posted() {
    let lines = [
        line(0, 1, 1, 33_333),
        line(1, 2, 1, 66_667),
        line(2, 2, 1, 1),
    ];
    let c = capture(&lines, 100_001, &ten_percent()).unwrap();
    let r = refund(
        1,
        RefundKind::Refund,
        &c.lines,
        &c.held_by_shipment(),
        100_001,
    )
    .unwrap();
    assert_eq!(
        r.transaction
            .amount_on(&mkt(MarketplaceAccountKind::RefundsPayable, "refund-1")),
        100_001
    );
    for l in &r.updated_lines {
        assert_eq!(l.remaining_minor(), 0);
        assert_eq!(l.remaining_commission_minor(), 0);
    }
    let balances = LedgerBalances::recompute([&c.transaction, &r.transaction]).unwrap();
    assert_eq!(
        balances.seller(seller(1), Currency::Rub),
        Balances::default()
    );
    assert_eq!(
        balances.seller(seller(2), Currency::Rub),
        Balances::default()
    );
    assert_eq!(
        balances.marketplace(MarketplaceAccountKind::CommissionRevenue, Currency::Rub),
        0
    );
    assert!(r.held_after.is_empty());
    // Nothing is left to refund.
    assert_eq!(
        refund(2, RefundKind::Refund, &r.updated_lines, &r.held_after, 1),
        Err(LedgerError::RefundExceedsCaptured {
            requested_minor: 1,
            refundable_minor: 0
        })
    );
}

#[test]
fn repeated_partial_refunds_never_drift() {
    let lines = [line(0, 1, 1, 33_333), line(1, 2, 3, 11_111)];
    let c = capture(&lines, 66_666, &ten_percent()).unwrap();
    let mut state = c.lines.clone();
    let mut held = c.held_by_shipment();
    let mut txs = vec![c.transaction.clone()];
    let mut refunded = 0;
    for (n, amount) in [(1, 1), (2, 7), (3, 33_333), (4, 3), (5, 33_322)] {
        let r = refund(n, RefundKind::Refund, &state, &held, amount).unwrap();
        refunded += amount;
        state = r.updated_lines;
        held = r.held_after;
        txs.push(r.transaction);
    }
    assert_eq!(refunded, 66_666);
    let balances = LedgerBalances::recompute(&txs).unwrap();
    assert_eq!(
        balances.marketplace(MarketplaceAccountKind::CommissionRevenue, Currency::Rub),
        0
    );
    assert_eq!(
        balances.seller(seller(1), Currency::Rub),
        Balances::default()
    );
    assert_eq!(
        balances.seller(seller(2), Currency::Rub),
        Balances::default()
    );
    assert!(balances.sum_by_currency().values().all(|s| *s == 0));
}

#[test]
fn refund_after_release_takes_from_available_and_may_create_debt() {
    let c = capture(&[line(0, 1, 1, 100_000)], 100_000, &ten_percent()).unwrap();
    // The hold was released, then the seller was paid everything.
    let released: BTreeMap<ShipmentId, i64> = BTreeMap::new();
    let r = refund(1, RefundKind::Chargeback, &c.lines, &released, 50_000).unwrap();
    assert_eq!(r.transaction.kind(), TransactionKind::Chargeback);
    assert_eq!(r.lines[0].from_held_minor, 0);
    assert_eq!(r.lines[0].from_available_minor, 45_000);
    assert_eq!(r.lines[0].commission_reversed_minor, 5_000);
    assert_eq!(
        r.transaction
            .amount_on(&AccountRef::available(seller(1), Currency::Rub)),
        -45_000
    );
    assert_eq!(
        r.transaction
            .amount_on(&mkt(MarketplaceAccountKind::Chargebacks, "refund-1")),
        50_000
    );
    let balances = LedgerBalances::recompute([&r.transaction]).unwrap();
    assert_eq!(
        balances.seller(seller(1), Currency::Rub).debt_minor(),
        45_000
    );
}

#[test]
fn refund_splits_between_held_and_available_when_part_is_still_held() {
    let c = capture(&[line(0, 1, 1, 100_000)], 100_000, &ten_percent()).unwrap();
    let held = BTreeMap::from([(shipment(1), 30_000)]);
    let r = refund(1, RefundKind::Refund, &c.lines, &held, 100_000).unwrap();
    assert_eq!(r.lines[0].from_held_minor, 30_000);
    assert_eq!(r.lines[0].from_available_minor, 60_000);
    assert!(r.held_after.is_empty());
}

#[test]
fn reversing_a_transaction_restores_balances_exactly() {
    let c = capture(
        &[line(0, 1, 1, 12_345), line(1, 2, 1, 67_890)],
        80_235,
        &ten_percent(),
    )
    .unwrap();
    let reversal = c
        .transaction
        .reverse(meta(200, "reverse-capture-1"))
        .unwrap();
    assert_eq!(reversal.kind(), TransactionKind::Reversal);
    assert_eq!(reversal.references().reverses, Some(c.transaction.id()));
    assert_eq!(reversal.references().order_id, Some(order()));
    let balances = LedgerBalances::recompute([&c.transaction, &reversal]).unwrap();
    assert!(balances.accounts().all(|(_, b)| *b == 0));
    assert_eq!(
        reversal.reverse(meta(201, "again")),
        Err(LedgerError::CannotReverseReversal)
    );
}

#[test]
fn penalty_reversal_gets_its_own_kind() {
    let p = Penalty {
        penalty_id: PenaltyId::from_uuid(Uuid::from_u128(7)),
        seller_id: seller(1),
        amount: rub(50_000),
        reason: PenaltyReason::LateShipment,
        source: PenaltySource::Automatic,
        order_id: Some(order()),
        shipment_id: Some(shipment(1)),
        note: String::new(),
    };
    let tx = penalty_transaction(meta(1, "penalty-7"), &p).unwrap();
    assert_eq!(
        tx.amount_on(&AccountRef::available(seller(1), Currency::Rub)),
        -50_000
    );
    assert_eq!(
        tx.amount_on(&mkt(MarketplaceAccountKind::PenaltyRevenue, "penalty-7")),
        50_000
    );
    let back = tx.reverse(meta(2, "penalty-7-reversal")).unwrap();
    assert_eq!(back.kind(), TransactionKind::PenaltyReversal);
    assert_eq!(back.references().penalty_id, p.penalty_id.into());
    let staff_without_note = Penalty {
        source: PenaltySource::Staff {
            user_id: crate::ids::UserId::from_uuid(Uuid::from_u128(1)),
        },
        ..p
    };
    assert!(matches!(
        penalty_transaction(meta(3, "penalty-8"), &staff_without_note),
        Err(LedgerError::MemoRequired(_))
    ));
}

#[test]
fn builder_refuses_broken_transactions() {
    let a = AccountRef::available(seller(1), Currency::Rub);
    let b = AccountRef::held(seller(1), Currency::Rub);
    let usd = AccountRef::available(seller(1), Currency::Usd);
    let build = |postings: Vec<(AccountRef, Money)>, kind: TransactionKind| {
        postings
            .into_iter()
            .fold(
                JournalTransaction::builder(meta(1, "k"), kind),
                |b, (acc, m)| b.post(acc, m),
            )
            .build()
    };
    let adj = TransactionKind::Adjustment;
    let cases: Vec<(&str, Vec<(AccountRef, Money)>, TransactionKind, LedgerError)> = vec![
        ("empty", vec![], adj, LedgerError::EmptyTransaction),
        (
            "zero posting",
            vec![(a, rub(0)), (b, rub(0))],
            adj,
            LedgerError::ZeroPosting { account: a.key() },
        ),
        (
            "unbalanced",
            vec![(a, rub(100)), (b, rub(-99))],
            adj,
            LedgerError::Unbalanced {
                currency: Currency::Rub,
                sum_minor: 1,
            },
        ),
        (
            "balanced across currencies is still unbalanced per currency",
            vec![(a, rub(100)), (usd, Money::from_minor(-100, Currency::Usd))],
            adj,
            LedgerError::Unbalanced {
                currency: Currency::Rub,
                sum_minor: 100,
            },
        ),
        (
            "currency mixed up on an account",
            vec![(a, Money::from_minor(100, Currency::Usd)), (b, rub(-100))],
            adj,
            LedgerError::CurrencyMismatch {
                account: a.key(),
                account_currency: Currency::Rub,
                amount_currency: Currency::Usd,
            },
        ),
        (
            "overflow on one account",
            vec![(a, rub(i64::MAX)), (a, rub(1)), (b, rub(-1))],
            adj,
            LedgerError::Overflow,
        ),
        (
            "postings netting to zero on an account",
            vec![(a, rub(5)), (a, rub(-5))],
            adj,
            LedgerError::ZeroPosting { account: a.key() },
        ),
        (
            "reversal without the original",
            vec![(a, rub(5)), (b, rub(-5))],
            TransactionKind::Reversal,
            LedgerError::ReversalReference,
        ),
        (
            "capture without commission lines for its commission",
            vec![
                (a, rub(5)),
                (mkt(MarketplaceAccountKind::CommissionRevenue, "k"), rub(1)),
                (b, rub(-6)),
            ],
            TransactionKind::Capture,
            LedgerError::CommissionLinesMismatch {
                lines_minor: 0,
                postings_minor: 1,
            },
        ),
    ];
    for (name, postings, kind, expected) in cases {
        assert_eq!(build(postings, kind), Err(expected), "{name}");
    }
    // Large opposite amounts that balance are fine: sums are checked in i128.
    assert!(build(vec![(a, rub(i64::MAX)), (b, rub(-i64::MAX))], adj).is_ok());
}

#[test]
fn stored_transactions_round_trip_and_are_revalidated() {
    let c = capture(
        &[line(0, 1, 1, 100_000), line(1, 2, 1, 5)],
        100_005,
        &ten_percent(),
    )
    .unwrap();
    let json = serde_json::to_string(&c.transaction).unwrap();
    let back: JournalTransaction = serde_json::from_str(&json).unwrap();
    assert_eq!(back, c.transaction);
    let mut record = JournalTransactionRecord::from(c.transaction.clone());
    record.postings[0].amount_minor += 1;
    assert!(matches!(
        JournalTransaction::try_from(record),
        Err(LedgerError::Unbalanced { .. })
    ));
}

#[test]
fn postings_are_sorted_by_account_key_for_lock_ordering() {
    let c = capture(
        &[line(0, 3, 1, 100), line(1, 1, 1, 100), line(2, 2, 1, 100)],
        300,
        &ten_percent(),
    )
    .unwrap();
    let keys: Vec<String> = c
        .transaction
        .postings()
        .iter()
        .map(|p| p.account().key())
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn payout_cannot_exceed_available_balance() {
    let movement = PayoutMovement {
        payout_id: crate::ids::PayoutId::from_uuid(Uuid::from_u128(1)),
        batch_id: crate::ids::PayoutBatchId::from_uuid(Uuid::from_u128(2)),
        seller_id: seller(1),
        amount: rub(10_001),
    };
    let balances = Balances {
        held_minor: 1_000_000,
        available_minor: 10_000,
        payout_reserved_minor: 0,
    };
    assert_eq!(
        payout_reserve_transaction(meta(1, "p"), &movement, &balances),
        Err(LedgerError::InsufficientFunds {
            requested_minor: 10_001,
            available_minor: 10_000
        })
    );
    let ok = PayoutMovement {
        amount: rub(10_000),
        ..movement
    };
    let tx = payout_reserve_transaction(meta(1, "p"), &ok, &balances).unwrap();
    assert_eq!(
        tx.amount_on(&AccountRef::payout_reserved(seller(1), Currency::Rub)),
        10_000
    );
    let in_debt = Balances {
        available_minor: -1,
        ..balances
    };
    assert!(check_payout_within_available(rub(1), &in_debt).is_err());
}

#[test]
fn idempotency_keys_are_validated() {
    assert!(IdempotencyKey::parse("").is_err());
    assert!(IdempotencyKey::parse("has space").is_err());
    assert!(IdempotencyKey::parse("кириллица").is_err());
    assert!(IdempotencyKey::parse(&"x".repeat(201)).is_err());
    assert_eq!(
        IdempotencyKey::parse("order-1:capture").unwrap().as_str(),
        "order-1:capture"
    );
}
