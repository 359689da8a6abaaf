//! Property tests of the ledger: random sequences of marketplace events applied to a
//! small in-memory ledger built from the domain types, checking after every event that
//! the money adds up.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed unwrap is a failed test"
)]

use domain::ids::{
    CategoryId, JournalId, OrderId, PayoutBatchId, PayoutId, PenaltyId, SellerId, ShipmentId,
};
use domain::ledger::{
    AccountRef, BasisPoints, Capture, CaptureLine, CaptureRequest, CommissionRule,
    CommissionRuleId, CommissionSchedule, HoldDecision, IdempotencyKey, JournalTransaction,
    LedgerBalances, LedgerError, MarketplaceAccountKind, PayoutMovement, Penalty, PenaltyReason,
    PenaltySource, RefundKind, RefundRequest, SellerTier, SettlementLine, ShipmentHold,
    TransactionKind, TxMeta, decide_hold_release, hold_release_at, hold_release_transaction,
    payout_failed_transaction, payout_paid_transaction, payout_reserve_transaction,
    penalty_transaction, plan_capture, plan_refund,
};
use domain::money::{Currency, Money};
use domain::payouts::{BatchStatus, LedgerEffect, LineAction, PayoutLineStatus, apply_line_action};
use domain::time::Timestamp;
use proptest::prelude::*;
use std::collections::BTreeMap;
use uuid::Uuid;

const SELLERS: usize = 5;
const CURRENCIES: [Currency; 2] = [Currency::Rub, Currency::Usd];
const TIERS: [SellerTier; SELLERS] = [
    SellerTier::Standard,
    SellerTier::Silver,
    SellerTier::Gold,
    SellerTier::Standard,
    SellerTier::Gold,
];
const RETURN_WINDOW_DAYS: u32 = 14;
const HOUR_MS: i64 = 3_600_000;

#[derive(Debug, Clone)]
enum Event {
    NewOrder {
        usd: bool,
        lines: Vec<(usize, u32, i64, usize)>,
    },
    Capture {
        order: usize,
        permille: i64,
    },
    Deliver {
        order: usize,
        shipment: usize,
    },
    Advance {
        hours: i64,
    },
    Release {
        order: usize,
        shipment: usize,
    },
    Refund {
        order: usize,
        permille: i64,
        chargeback: bool,
    },
    Penalty {
        seller: usize,
        amount_minor: i64,
        usd: bool,
    },
    ReversePenalty {
        index: usize,
    },
    PayoutApprove {
        seller: usize,
        usd: bool,
    },
    PayoutOutcome {
        index: usize,
        outcome: u8,
    },
    CheckReverse {
        index: usize,
    },
}

fn event() -> impl Strategy<Value = Event> {
    let line = (0..SELLERS, 1_u32..=5, 1_i64..=500_000, 0_usize..4);
    prop_oneof![
        3 => (any::<bool>(), prop::collection::vec(line, 1..=8)).prop_map(|(usd, lines)| Event::NewOrder { usd, lines }),
        4 => (any::<usize>(), prop_oneof![Just(1000_i64), 1_i64..=1000]).prop_map(|(order, permille)| Event::Capture { order, permille }),
        3 => (any::<usize>(), any::<usize>()).prop_map(|(order, shipment)| Event::Deliver { order, shipment }),
        2 => (1_i64..=24 * 20).prop_map(|hours| Event::Advance { hours }),
        3 => (any::<usize>(), any::<usize>()).prop_map(|(order, shipment)| Event::Release { order, shipment }),
        3 => (any::<usize>(), prop_oneof![Just(1000_i64), 1_i64..=1000], any::<bool>())
            .prop_map(|(order, permille, chargeback)| Event::Refund { order, permille, chargeback }),
        2 => (0..SELLERS, 1_i64..=200_000, any::<bool>()).prop_map(|(seller, amount_minor, usd)| Event::Penalty { seller, amount_minor, usd }),
        1 => any::<usize>().prop_map(|index| Event::ReversePenalty { index }),
        2 => (0..SELLERS, any::<bool>()).prop_map(|(seller, usd)| Event::PayoutApprove { seller, usd }),
        2 => (any::<usize>(), 0_u8..3).prop_map(|(index, outcome)| Event::PayoutOutcome { index, outcome }),
        1 => any::<usize>().prop_map(|index| Event::CheckReverse { index }),
    ]
}

struct SimOrder {
    order_id: OrderId,
    currency: Currency,
    lines: Vec<SettlementLine>,
    capture: Option<Capture>,
    capture_lines: Vec<CaptureLine>,
    holds: Vec<ShipmentHold>,
    refunded_minor: i64,
}

struct SimPayout {
    movement: PayoutMovement,
    status: PayoutLineStatus,
}

struct Sim {
    now: Timestamp,
    counter: u128,
    schedule: CommissionSchedule,
    transactions: Vec<JournalTransaction>,
    balances: LedgerBalances,
    orders: Vec<SimOrder>,
    payouts: Vec<SimPayout>,
    penalties: Vec<(usize, bool)>,
}

fn seller(i: usize) -> SellerId {
    SellerId::from_uuid(Uuid::from_u128(0x5e11_0000 + i as u128))
}

fn category(i: usize) -> CategoryId {
    CategoryId::from_uuid(Uuid::from_u128(0xca7_0000 + i as u128))
}

fn currency(usd: bool) -> Currency {
    if usd { Currency::Usd } else { Currency::Rub }
}

fn schedule() -> CommissionSchedule {
    let mut rules = Vec::new();
    let mut n = 0_u128;
    let mut rule = |currency, category_id, tier, bps, fixed_minor, min_minor, max_minor| {
        n += 1;
        CommissionRule {
            id: CommissionRuleId::from_uuid(Uuid::from_u128(n)),
            currency,
            category_id,
            tier,
            rate: BasisPoints::new(bps).unwrap(),
            fixed_minor,
            min_minor,
            max_minor,
        }
    };
    for c in CURRENCIES {
        rules.push(rule(c, None, None, 1000, 0, 0, None));
        rules.push(rule(c, None, Some(SellerTier::Silver), 800, 0, 0, None));
        rules.push(rule(c, Some(category(1)), None, 500, 30, 100, Some(50_000)));
        rules.push(rule(
            c,
            Some(category(2)),
            Some(SellerTier::Gold),
            333,
            0,
            0,
            None,
        ));
        // A rule that takes whole cheap lines: commission capped at the line.
        rules.push(rule(c, Some(category(3)), None, 1500, 5_000, 10_000, None));
    }
    CommissionSchedule::new(rules).unwrap()
}

impl Sim {
    fn new() -> Self {
        Self {
            now: Timestamp::from_millis(1_700_000_000_000),
            counter: 0,
            schedule: schedule(),
            transactions: Vec::new(),
            balances: LedgerBalances::new(),
            orders: Vec::new(),
            payouts: Vec::new(),
            penalties: Vec::new(),
        }
    }

    fn meta(&mut self) -> TxMeta {
        self.counter += 1;
        TxMeta::new(
            JournalId::from_uuid(Uuid::from_u128(self.counter)),
            IdempotencyKey::parse(&format!("k{}", self.counter)).unwrap(),
            self.now,
        )
    }

    fn post(&mut self, tx: JournalTransaction) -> usize {
        self.balances.apply(&tx).unwrap();
        self.transactions.push(tx);
        self.transactions.len() - 1
    }

    fn apply(&mut self, event: Event) {
        match event {
            Event::NewOrder { usd, lines } => self.new_order(currency(usd), lines),
            Event::Capture { order, permille } => self.capture(order, permille),
            Event::Deliver { order, shipment } => self.deliver(order, shipment),
            Event::Advance { hours } => {
                self.now = Timestamp::from_millis(self.now.millis() + hours * HOUR_MS)
            }
            Event::Release { order, shipment } => self.release(order, shipment),
            Event::Refund {
                order,
                permille,
                chargeback,
            } => self.refund(order, permille, chargeback),
            Event::Penalty {
                seller: s,
                amount_minor,
                usd,
            } => {
                let penalty = Penalty {
                    penalty_id: PenaltyId::from_uuid(Uuid::from_u128(self.counter + 1)),
                    seller_id: seller(s),
                    amount: Money::from_minor(amount_minor, currency(usd)),
                    reason: PenaltyReason::LateShipment,
                    source: PenaltySource::Automatic,
                    order_id: None,
                    shipment_id: None,
                    note: String::new(),
                };
                let meta = self.meta();
                let tx = penalty_transaction(meta, &penalty).unwrap();
                let index = self.post(tx);
                self.penalties.push((index, false));
            }
            Event::ReversePenalty { index } => {
                if self.penalties.is_empty() {
                    return;
                }
                let slot = index % self.penalties.len();
                let (tx_index, reversed) = self.penalties[slot];
                if reversed {
                    return;
                }
                let meta = self.meta();
                let reversal = self.transactions[tx_index].reverse(meta).unwrap();
                assert_eq!(reversal.kind(), TransactionKind::PenaltyReversal);
                let meta = self.meta();
                assert_eq!(
                    reversal.reverse(meta),
                    Err(LedgerError::CannotReverseReversal)
                );
                self.post(reversal);
                self.penalties[slot].1 = true;
            }
            Event::PayoutApprove { seller: s, usd } => {
                self.approve_payout(seller(s), currency(usd))
            }
            Event::PayoutOutcome { index, outcome } => self.payout_outcome(index, outcome),
            Event::CheckReverse { index } => self.check_reverse(index),
        }
    }

    fn new_order(&mut self, currency: Currency, lines: Vec<(usize, u32, i64, usize)>) {
        let n = self.orders.len() as u128;
        let order_id = OrderId::from_uuid(Uuid::from_u128(0x0dde_0000 + n));
        let shipment_of =
            |s: usize| ShipmentId::from_uuid(Uuid::from_u128(0x5417_0000 + n * 16 + s as u128));
        let lines: Vec<SettlementLine> = lines
            .into_iter()
            .enumerate()
            .map(|(i, (s, quantity, unit_price_minor, c))| SettlementLine {
                line_no: i as u32,
                shipment_id: shipment_of(s),
                seller_id: seller(s),
                seller_tier: TIERS[s],
                category_path: vec![category(c)],
                quantity,
                unit_price_minor,
                line_total_minor: unit_price_minor * i64::from(quantity),
            })
            .collect();
        let mut holds: Vec<ShipmentHold> = Vec::new();
        for line in &lines {
            if !holds.iter().any(|h| h.shipment_id == line.shipment_id) {
                holds.push(ShipmentHold {
                    order_id,
                    shipment_id: line.shipment_id,
                    seller_id: line.seller_id,
                    currency,
                    held_minor: 0,
                    delivered_at: None,
                    release_at: None,
                    released: false,
                    open_return: false,
                    open_dispute: false,
                });
            }
        }
        self.orders.push(SimOrder {
            order_id,
            currency,
            lines,
            capture: None,
            capture_lines: Vec::new(),
            holds,
            refunded_minor: 0,
        });
    }

    fn capture(&mut self, order: usize, permille: i64) {
        if self.orders.is_empty() {
            return;
        }
        let o = order % self.orders.len();
        if self.orders[o].capture.is_some() {
            return;
        }
        let total: i64 = self.orders[o]
            .lines
            .iter()
            .map(|l| l.line_total_minor)
            .sum();
        let captured_minor = (total * permille / 1000).max(1);
        let meta = self.meta();
        let order_ref = &self.orders[o];
        let request = CaptureRequest {
            order_id: order_ref.order_id,
            currency: order_ref.currency,
            lines: &order_ref.lines,
            captured_minor,
        };
        let capture = plan_capture(meta, &request, &self.schedule).unwrap();
        // captured = Σ seller shares + Σ commissions, to the minor unit.
        let shares: i64 = capture.seller_shares().values().sum();
        assert_eq!(shares + capture.commission_minor(), captured_minor);
        for line in &capture.lines {
            assert!(line.commission_minor <= line.allocated_minor && line.commission_minor >= 0);
        }
        let held = capture.held_by_shipment();
        let order_mut = &mut self.orders[o];
        for hold in &mut order_mut.holds {
            hold.held_minor = held.get(&hold.shipment_id).copied().unwrap_or(0);
        }
        order_mut.capture_lines = capture.lines.clone();
        let tx = capture.transaction.clone();
        order_mut.capture = Some(capture);
        self.post(tx);
    }

    fn hold_index(&self, order: usize, shipment: usize) -> Option<(usize, usize)> {
        if self.orders.is_empty() {
            return None;
        }
        let o = order % self.orders.len();
        self.orders[o].capture.as_ref()?;
        Some((o, shipment % self.orders[o].holds.len()))
    }

    fn deliver(&mut self, order: usize, shipment: usize) {
        let Some((o, h)) = self.hold_index(order, shipment) else {
            return;
        };
        let now = self.now;
        let hold = &mut self.orders[o].holds[h];
        if hold.delivered_at.is_some() {
            return;
        }
        // The last seller is a risky one: a 30-day hold instead of the return window.
        let override_days = (hold.seller_id == seller(SELLERS - 1)).then_some(30);
        hold.delivered_at = Some(now);
        hold.release_at = Some(hold_release_at(now, RETURN_WINDOW_DAYS, override_days));
    }

    fn release(&mut self, order: usize, shipment: usize) {
        let Some((o, h)) = self.hold_index(order, shipment) else {
            return;
        };
        let hold = self.orders[o].holds[h].clone();
        match decide_hold_release(&hold, self.now) {
            HoldDecision::Release { amount_minor } => {
                if amount_minor > 0 {
                    let meta = self.meta();
                    let tx = hold_release_transaction(meta, &hold, self.now).unwrap();
                    assert_eq!(
                        tx.amount_on(&AccountRef::available(hold.seller_id, hold.currency)),
                        amount_minor
                    );
                    self.post(tx);
                }
                let hold = &mut self.orders[o].holds[h];
                hold.released = true;
                hold.held_minor = 0;
            }
            HoldDecision::NotYet { release_at } => assert!(self.now < release_at),
            HoldDecision::Blocked { .. } => {
                let meta = self.meta();
                assert!(hold_release_transaction(meta, &hold, self.now).is_err());
            }
        }
    }

    fn refund(&mut self, order: usize, permille: i64, chargeback: bool) {
        if self.orders.is_empty() {
            return;
        }
        let o = order % self.orders.len();
        if self.orders[o].capture.is_none() {
            return;
        }
        let meta_over = self.meta();
        let meta = self.meta();
        let Some(capture) = &self.orders[o].capture else {
            return;
        };
        let captured_minor = -capture.transaction.amount_on(&provider_account(capture));
        let order_ref = &self.orders[o];
        let remaining: i64 = order_ref
            .capture_lines
            .iter()
            .map(CaptureLine::remaining_minor)
            .sum();
        assert_eq!(remaining, captured_minor - order_ref.refunded_minor);
        let held_by_shipment: BTreeMap<ShipmentId, i64> = order_ref
            .holds
            .iter()
            .filter(|h| !h.released)
            .map(|h| (h.shipment_id, h.held_minor))
            .collect();
        let kind = if chargeback {
            RefundKind::Chargeback
        } else {
            RefundKind::Refund
        };
        let request = |amount_minor| RefundRequest {
            kind,
            order_id: order_ref.order_id,
            currency: order_ref.currency,
            amount_minor,
            lines: &order_ref.capture_lines,
            held_by_shipment: &held_by_shipment,
        };
        // Refunds never exceed captures.
        assert_eq!(
            plan_refund(meta_over, &request(remaining + 1)).map(|p| p.transaction),
            Err(LedgerError::RefundExceedsCaptured {
                requested_minor: remaining + 1,
                refundable_minor: remaining
            })
        );
        if remaining == 0 {
            return;
        }
        let amount_minor = (remaining * permille / 1000).max(1);
        let plan = plan_refund(meta, &request(amount_minor)).unwrap();
        let seller_parts: i64 = plan
            .lines
            .iter()
            .map(|l| l.from_held_minor + l.from_available_minor)
            .sum();
        let commission_back: i64 = plan.lines.iter().map(|l| l.commission_reversed_minor).sum();
        assert_eq!(seller_parts + commission_back, amount_minor);
        let order_mut = &mut self.orders[o];
        order_mut.capture_lines = plan.updated_lines;
        order_mut.refunded_minor += amount_minor;
        for hold in order_mut.holds.iter_mut().filter(|h| !h.released) {
            hold.held_minor = plan.held_after.get(&hold.shipment_id).copied().unwrap_or(0);
        }
        if amount_minor == remaining {
            assert!(
                order_mut
                    .capture_lines
                    .iter()
                    .all(|l| l.remaining_commission_minor() == 0)
            );
        }
        self.post(plan.transaction);
    }

    fn approve_payout(&mut self, seller_id: SellerId, currency: Currency) {
        let balances = self.balances.seller(seller_id, currency);
        let payable = balances.payable_minor();
        self.counter += 1;
        let payout_number = self.counter;
        let movement = |amount_minor| PayoutMovement {
            payout_id: PayoutId::from_uuid(Uuid::from_u128(payout_number)),
            batch_id: PayoutBatchId::from_uuid(Uuid::from_u128(1)),
            seller_id,
            amount: Money::from_minor(amount_minor, currency),
        };
        // No payout exceeds what is available at approval.
        let over = movement(payable + 1);
        let meta = self.meta();
        assert!(matches!(
            payout_reserve_transaction(meta, &over, &balances),
            Err(LedgerError::InsufficientFunds { .. })
        ));
        if payable == 0 {
            return;
        }
        let movement = movement(payable);
        let (status, effect) = apply_line_action(
            BatchStatus::Proposed,
            &PayoutLineStatus::Proposed,
            LineAction::Approve,
        )
        .unwrap();
        assert_eq!(effect, LedgerEffect::Reserve);
        let meta = self.meta();
        let tx = payout_reserve_transaction(meta, &movement, &balances).unwrap();
        self.post(tx);
        assert_eq!(self.balances.seller(seller_id, currency).available_minor, 0);
        self.payouts.push(SimPayout { movement, status });
    }

    fn payout_outcome(&mut self, index: usize, outcome: u8) {
        if self.payouts.is_empty() {
            return;
        }
        let p = index % self.payouts.len();
        let action = match outcome {
            0 => LineAction::MarkPaid {
                bank_reference: format!("PP-{p}"),
            },
            1 => LineAction::MarkFailed {
                reason: "rejected".into(),
            },
            _ => LineAction::MarkUnresolved {
                note: "timeout".into(),
            },
        };
        let was_paid = matches!(self.payouts[p].status, PayoutLineStatus::Paid { .. });
        let Ok((status, effect)) =
            apply_line_action(BatchStatus::Exported, &self.payouts[p].status, action)
        else {
            return;
        };
        assert!(!was_paid, "a paid line changed again");
        let movement = self.payouts[p].movement;
        let meta = self.meta();
        let tx = match effect {
            LedgerEffect::Paid => Some(payout_paid_transaction(meta, &movement).unwrap()),
            LedgerEffect::ReturnToAvailable => {
                Some(payout_failed_transaction(meta, &movement).unwrap())
            }
            LedgerEffect::None => None,
            LedgerEffect::Reserve => unreachable!("reserve happens at approval"),
        };
        if let Some(tx) = tx {
            self.post(tx);
        }
        self.payouts[p].status = status;
    }

    /// Reversing any transaction restores exactly the balances the ledger would have
    /// without it (checked on a copy: the simulation's own state is not changed).
    fn check_reverse(&mut self, index: usize) {
        if self.transactions.is_empty() {
            return;
        }
        let t = index % self.transactions.len();
        if self.transactions[t].kind().is_reversal() {
            return;
        }
        let meta = self.meta();
        let reversal = self.transactions[t].reverse(meta).unwrap();
        assert_eq!(
            reversal.references().reverses,
            Some(self.transactions[t].id())
        );
        let mut with_reversal = self.balances.clone();
        with_reversal.apply(&reversal).unwrap();
        let without = LedgerBalances::recompute(
            self.transactions
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != t)
                .map(|(_, tx)| tx),
        )
        .unwrap();
        assert_eq!(without.diff(&with_reversal), vec![]);
    }

    fn check_invariants(&self) {
        // Every transaction balances per currency.
        for tx in &self.transactions {
            let mut sums: BTreeMap<Currency, i128> = BTreeMap::new();
            for p in tx.postings() {
                assert_ne!(p.amount_minor(), 0);
                *sums.entry(p.currency()).or_insert(0) += i128::from(p.amount_minor());
            }
            assert!(sums.values().all(|s| *s == 0), "unbalanced {tx:?}");
        }
        // All accounts sum to zero per currency.
        assert!(self.balances.sum_by_currency().values().all(|s| *s == 0));
        // Recomputed balances equal the incrementally maintained ones.
        let recomputed = LedgerBalances::recompute(&self.transactions).unwrap();
        assert_eq!(recomputed.diff(&self.balances), vec![]);

        for c in CURRENCIES {
            let orders = || self.orders.iter().filter(|o| o.currency == c);
            let captured: i128 = orders()
                .filter_map(|o| o.capture.as_ref())
                .map(|cap| i128::from(-cap.transaction.amount_on(&provider_account(cap))))
                .sum();
            let refunded: i128 = orders().map(|o| i128::from(o.refunded_minor)).sum();
            let commission: i128 = orders()
                .flat_map(|o| &o.capture_lines)
                .map(|l| i128::from(l.remaining_commission_minor()))
                .sum();
            let m = |kind| self.balances.marketplace(kind, c);
            assert_eq!(m(MarketplaceAccountKind::ProviderClearing), -captured);
            assert_eq!(m(MarketplaceAccountKind::CommissionRevenue), commission);
            assert_eq!(
                m(MarketplaceAccountKind::RefundsPayable) + m(MarketplaceAccountKind::Chargebacks),
                refunded
            );
            for o in orders() {
                assert!(
                    o.refunded_minor
                        <= o.capture
                            .as_ref()
                            .map_or(0, |cap| -cap.transaction.amount_on(&provider_account(cap)))
                );
                let line_refunds: i64 = o.capture_lines.iter().map(|l| l.refunded_minor).sum();
                assert_eq!(line_refunds, o.refunded_minor);
            }
            for s in 0..SELLERS {
                let id = seller(s);
                let b = self.balances.seller(id, c);
                let held: i64 = orders()
                    .flat_map(|o| &o.holds)
                    .filter(|h| h.seller_id == id && !h.released)
                    .map(|h| h.held_minor)
                    .sum();
                assert_eq!(b.held_minor, held, "held of seller {s} in {c}");
                assert!(b.held_minor >= 0);
                let reserved: i64 = self
                    .payouts
                    .iter()
                    .filter(|p| p.movement.seller_id == id && p.movement.amount.currency() == c)
                    .filter(|p| {
                        matches!(
                            p.status,
                            PayoutLineStatus::Approved | PayoutLineStatus::Unresolved { .. }
                        )
                    })
                    .map(|p| p.movement.amount.amount_minor())
                    .sum();
                assert_eq!(
                    b.payout_reserved_minor, reserved,
                    "reserved of seller {s} in {c}"
                );
                assert_eq!(b.payable_minor(), b.available_minor.max(0));
            }
        }
    }
}

fn provider_account(capture: &Capture) -> AccountRef {
    let posting = capture
        .transaction
        .postings()
        .iter()
        .find(|p| {
            matches!(
                p.account(),
                AccountRef::Marketplace {
                    kind: MarketplaceAccountKind::ProviderClearing,
                    ..
                }
            )
        })
        .unwrap();
    posting.account()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn money_always_adds_up_over_random_event_sequences(events in prop::collection::vec(event(), 1..60)) {
        let mut sim = Sim::new();
        for event in events {
            sim.apply(event);
            sim.check_invariants();
        }
    }
}

/// A long, fixed scenario through every kind of event, so the properties above are
/// also exercised on a ledger with history, not only on short random runs.
#[test]
fn a_full_lifecycle_keeps_the_ledger_exact() {
    let mut sim = Sim::new();
    sim.apply(Event::NewOrder {
        usd: false,
        lines: vec![
            (0, 1, 3_334, 0),
            (1, 1, 3_333, 0),
            (2, 1, 3_333, 3),
            (0, 2, 1, 3),
        ],
    });
    sim.apply(Event::Capture {
        order: 0,
        permille: 1000,
    });
    sim.check_invariants();
    sim.apply(Event::Refund {
        order: 0,
        permille: 333,
        chargeback: false,
    });
    for shipment in 0..3 {
        sim.apply(Event::Deliver { order: 0, shipment });
    }
    sim.apply(Event::Advance { hours: 24 * 15 });
    for shipment in 0..3 {
        sim.apply(Event::Release { order: 0, shipment });
    }
    sim.check_invariants();
    sim.apply(Event::Penalty {
        seller: 1,
        amount_minor: 500_000,
        usd: false,
    });
    sim.apply(Event::PayoutApprove {
        seller: 0,
        usd: false,
    });
    sim.apply(Event::PayoutApprove {
        seller: 1,
        usd: false,
    });
    sim.apply(Event::PayoutOutcome {
        index: 0,
        outcome: 2,
    });
    sim.apply(Event::PayoutOutcome {
        index: 0,
        outcome: 0,
    });
    sim.apply(Event::PayoutOutcome {
        index: 0,
        outcome: 1,
    });
    sim.apply(Event::Refund {
        order: 0,
        permille: 1000,
        chargeback: true,
    });
    sim.apply(Event::ReversePenalty { index: 0 });
    sim.apply(Event::CheckReverse { index: 3 });
    sim.check_invariants();
    // Seller 1 was penalised (and in debt) before the reversal; nothing was paid to them.
    assert_eq!(sim.payouts.len(), 1);
    assert!(matches!(
        sim.payouts[0].status,
        PayoutLineStatus::Paid { .. }
    ));
    // After the full chargeback seller 0 owes back what was paid out.
    let b = sim.balances.seller(seller(0), Currency::Rub);
    assert!(b.debt_minor() > 0);
    assert_eq!(b.held_minor, 0);
}
