//! Split payment: capturing an order's payment over its sellers, and giving it back
//! (refunds and chargebacks) over the same frozen lines.

use super::LedgerError;
use super::account::{AccountRef, MarketplaceAccountKind, Shard};
use super::allocation::{allocate_largest_remainder, mul_div_round_half_up};
use super::basis_points::BasisPoints;
use super::commission::{CommissionLine, CommissionRuleId, CommissionSchedule, SellerTier};
use super::journal::{JournalTransaction, References, TransactionKind, TxMeta};
use crate::ids::{CategoryId, JournalId, OrderId, SellerId, ShipmentId};
use crate::money::{Currency, Money};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One order line as the settlement needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettlementLine {
    /// The line's position (0-based) in the order; unique within the order.
    pub line_no: u32,
    pub shipment_id: ShipmentId,
    pub seller_id: SellerId,
    pub seller_tier: SellerTier,
    /// The line's category first, then its ancestors (see commission precedence).
    pub category_path: Vec<CategoryId>,
    pub quantity: u32,
    pub unit_price_minor: i64,
    /// What the buyer pays for the line; at most quantity × unit price (discounts).
    pub line_total_minor: i64,
}

/// A payment capture to split.
#[derive(Debug, Clone, Copy)]
pub struct CaptureRequest<'a> {
    pub order_id: OrderId,
    pub currency: Currency,
    pub lines: &'a [SettlementLine],
    /// What the provider captured: at most the order total (less for a partial capture).
    pub captured_minor: i64,
}

/// One order line's share of one capture: frozen at capture time, plus running totals
/// of what refunds and chargebacks have taken back from it. The database stores one
/// row per capture line and updates the two running totals in the transaction that
/// posts each refund, so repeated partial refunds work on what is left and never drift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureLine {
    pub capture_id: JournalId,
    pub line_no: u32,
    pub shipment_id: ShipmentId,
    pub seller_id: SellerId,
    pub currency: Currency,
    pub rule_id: CommissionRuleId,
    pub rate: BasisPoints,
    pub fixed_minor: i64,
    /// The part of the captured amount allocated to this line.
    pub allocated_minor: i64,
    /// The commission charged on the allocation (≤ allocated).
    pub commission_minor: i64,
    /// Refunded so far (refunds and chargebacks).
    pub refunded_minor: i64,
    /// Commission given back so far.
    pub commission_reversed_minor: i64,
}

impl CaptureLine {
    /// What the seller was credited: allocated − commission.
    pub const fn seller_share_minor(&self) -> i64 {
        self.allocated_minor - self.commission_minor
    }
    pub const fn remaining_minor(&self) -> i64 {
        self.allocated_minor - self.refunded_minor
    }
    pub const fn remaining_commission_minor(&self) -> i64 {
        self.commission_minor - self.commission_reversed_minor
    }
    pub const fn remaining_seller_share_minor(&self) -> i64 {
        self.remaining_minor() - self.remaining_commission_minor()
    }

    /// The invariants a stored line must satisfy; checked again whenever it is read.
    pub fn check(&self) -> Result<(), LedgerError> {
        let ok = self.allocated_minor >= 0
            && (0..=self.allocated_minor).contains(&self.commission_minor)
            && (0..=self.allocated_minor).contains(&self.refunded_minor)
            && (0..=self.commission_minor).contains(&self.commission_reversed_minor)
            && self.remaining_commission_minor() <= self.remaining_minor();
        if ok {
            Ok(())
        } else {
            Err(LedgerError::InconsistentCaptureLines)
        }
    }

    fn commission_line(&self, base_minor: i64, amount_minor: i64) -> CommissionLine {
        CommissionLine {
            capture_id: self.capture_id,
            line_no: self.line_no,
            shipment_id: self.shipment_id,
            seller_id: self.seller_id,
            rule_id: self.rule_id,
            rate: self.rate,
            fixed_minor: self.fixed_minor,
            base_minor,
            amount_minor,
            currency: self.currency,
        }
    }
}

/// A planned capture: the transaction to post and the lines to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capture {
    pub transaction: JournalTransaction,
    pub lines: Vec<CaptureLine>,
}

impl Capture {
    /// What each seller's `held` account receives.
    pub fn seller_shares(&self) -> BTreeMap<SellerId, i64> {
        let mut shares = BTreeMap::new();
        for line in &self.lines {
            *shares.entry(line.seller_id).or_insert(0) += line.seller_share_minor();
        }
        shares
    }

    /// What each shipment holds (the per-shipment hold the release later moves).
    pub fn held_by_shipment(&self) -> BTreeMap<ShipmentId, i64> {
        let mut held = BTreeMap::new();
        for line in &self.lines {
            *held.entry(line.shipment_id).or_insert(0) += line.seller_share_minor();
        }
        held
    }

    pub fn commission_minor(&self) -> i64 {
        self.lines.iter().map(|l| l.commission_minor).sum()
    }
}

/// Splits a captured payment over the order's lines and sellers.
///
/// The captured amount is allocated over the lines in proportion to their totals with
/// the largest-remainder method (ties to the earlier line), commission is computed per
/// line on its allocation (capped at the allocation), and the transaction posts:
/// provider_clearing −captured, each seller's held +(allocated − commission),
/// commission_revenue +Σ commission. So captured = Σ seller shares + Σ commissions,
/// to the minor unit, always.
pub fn plan_capture(
    meta: TxMeta,
    request: &CaptureRequest<'_>,
    schedule: &CommissionSchedule,
) -> Result<Capture, LedgerError> {
    if request.lines.is_empty() {
        return Err(LedgerError::NoLines);
    }
    if request.captured_minor <= 0 {
        return Err(LedgerError::NonPositiveAmount);
    }
    let mut line_numbers = BTreeSet::new();
    let mut order_total_minor: i64 = 0;
    for line in request.lines {
        let invalid = |reason| LedgerError::InvalidLine {
            line_no: line.line_no,
            reason,
        };
        if !line_numbers.insert(line.line_no) {
            return Err(invalid("the line number appears twice"));
        }
        if line.quantity == 0 {
            return Err(invalid("the quantity must be positive"));
        }
        if line.unit_price_minor < 0 || line.line_total_minor < 0 {
            return Err(invalid("amounts must not be negative"));
        }
        let gross = line
            .unit_price_minor
            .checked_mul(i64::from(line.quantity))
            .ok_or(LedgerError::Overflow)?;
        if line.line_total_minor > gross {
            return Err(invalid("the line total exceeds quantity × unit price"));
        }
        order_total_minor = order_total_minor
            .checked_add(line.line_total_minor)
            .ok_or(LedgerError::Overflow)?;
    }
    if request.captured_minor > order_total_minor {
        return Err(LedgerError::CaptureExceedsOrderTotal {
            captured_minor: request.captured_minor,
            order_total_minor,
        });
    }
    let weights: Vec<i64> = request.lines.iter().map(|l| l.line_total_minor).collect();
    let allocations = allocate_largest_remainder(request.captured_minor, &weights)?;

    let mut lines = Vec::with_capacity(request.lines.len());
    for (line, allocated_minor) in request.lines.iter().zip(allocations) {
        let rule = schedule.select(request.currency, &line.category_path, line.seller_tier)?;
        let commission_minor = rule.commission_minor(allocated_minor)?;
        lines.push(CaptureLine {
            capture_id: meta.id,
            line_no: line.line_no,
            shipment_id: line.shipment_id,
            seller_id: line.seller_id,
            currency: request.currency,
            rule_id: rule.id,
            rate: rule.rate,
            fixed_minor: rule.fixed_minor,
            allocated_minor,
            commission_minor,
            refunded_minor: 0,
            commission_reversed_minor: 0,
        });
    }

    let currency = request.currency;
    let shard = Shard::for_key(meta.idempotency_key.as_str());
    let money = |amount_minor| Money::from_minor(amount_minor, currency);
    let mut builder = JournalTransaction::builder(meta, TransactionKind::Capture)
        .references(settlement_references(request.order_id, &lines))
        .memo(format!("capture of order {}", request.order_id))
        .post(
            AccountRef::marketplace(MarketplaceAccountKind::ProviderClearing, currency, shard),
            money(-request.captured_minor),
        );
    let mut commission_total: i64 = 0;
    for line in &lines {
        if line.seller_share_minor() != 0 {
            builder = builder.post(
                AccountRef::held(line.seller_id, currency),
                money(line.seller_share_minor()),
            );
        }
        commission_total += line.commission_minor;
        builder = builder
            .commission_line(line.commission_line(line.allocated_minor, line.commission_minor));
    }
    if commission_total != 0 {
        builder = builder.post(
            AccountRef::marketplace(MarketplaceAccountKind::CommissionRevenue, currency, shard),
            money(commission_total),
        );
    }
    let transaction = builder.build()?;
    Ok(Capture { transaction, lines })
}

/// A refund gives money back to the buyer; a chargeback is taken back by the card
/// network. The arithmetic is the same; only the credited account differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundKind {
    Refund,
    Chargeback,
}

impl RefundKind {
    const fn transaction_kind(self) -> TransactionKind {
        match self {
            RefundKind::Refund => TransactionKind::Refund,
            RefundKind::Chargeback => TransactionKind::Chargeback,
        }
    }

    const fn credited_account(self) -> MarketplaceAccountKind {
        match self {
            RefundKind::Refund => MarketplaceAccountKind::RefundsPayable,
            RefundKind::Chargeback => MarketplaceAccountKind::Chargebacks,
        }
    }
}

/// A refund or chargeback to plan.
#[derive(Debug, Clone, Copy)]
pub struct RefundRequest<'a> {
    pub kind: RefundKind,
    pub order_id: OrderId,
    pub currency: Currency,
    pub amount_minor: i64,
    /// The capture lines the money comes back from, with their running totals: all of
    /// the order's lines for an order-level refund, or only the returned shipment's
    /// lines for a return.
    pub lines: &'a [CaptureLine],
    /// What each shipment still holds; absent or 0 once its hold was released.
    pub held_by_shipment: &'a BTreeMap<ShipmentId, i64>,
}

/// One capture line's part of a refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundLine {
    pub capture_id: JournalId,
    pub line_no: u32,
    pub shipment_id: ShipmentId,
    pub seller_id: SellerId,
    pub refund_minor: i64,
    pub commission_reversed_minor: i64,
    /// The seller's part (refund − commission reversed) taken from `held`...
    pub from_held_minor: i64,
    /// ... and the rest of it taken from `available` (which may go negative).
    pub from_available_minor: i64,
}

/// A planned refund: the transaction, the per-line breakdown, the capture lines with
/// their new running totals, and what each shipment still holds afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundPlan {
    pub transaction: JournalTransaction,
    pub lines: Vec<RefundLine>,
    pub updated_lines: Vec<CaptureLine>,
    pub held_after: BTreeMap<ShipmentId, i64>,
}

/// Plans a refund or chargeback over frozen capture lines.
///
/// The amount is allocated over what remains of each line (largest remainder, ties to
/// the earlier line). Each line gives back commission in proportion: the remaining
/// commission × refund ÷ remaining allocation, rounded half up; a refund of everything
/// that remains of a line gives back exactly its remaining commission, so a sequence of
/// partial refunds adding up to the capture reverses the commission exactly. The
/// seller's part comes from the shipment's `held` funds while there are any, the rest
/// from `available`. The credit goes to refunds_payable (or chargebacks).
pub fn plan_refund(meta: TxMeta, request: &RefundRequest<'_>) -> Result<RefundPlan, LedgerError> {
    if request.amount_minor <= 0 {
        return Err(LedgerError::NonPositiveAmount);
    }
    if request.lines.is_empty() {
        return Err(LedgerError::NoLines);
    }
    let mut refundable_minor: i64 = 0;
    for line in request.lines {
        line.check()?;
        if line.currency != request.currency {
            return Err(LedgerError::InconsistentCaptureLines);
        }
        refundable_minor = refundable_minor
            .checked_add(line.remaining_minor())
            .ok_or(LedgerError::Overflow)?;
    }
    if request.amount_minor > refundable_minor {
        return Err(LedgerError::RefundExceedsCaptured {
            requested_minor: request.amount_minor,
            refundable_minor,
        });
    }
    let weights: Vec<i64> = request
        .lines
        .iter()
        .map(CaptureLine::remaining_minor)
        .collect();
    let parts = allocate_largest_remainder(request.amount_minor, &weights)?;

    let mut held_after: BTreeMap<ShipmentId, i64> = request
        .held_by_shipment
        .iter()
        .map(|(shipment, held)| (*shipment, (*held).max(0)))
        .collect();
    let mut refund_lines = Vec::new();
    let mut commission_lines = Vec::new();
    let mut updated_lines = Vec::with_capacity(request.lines.len());
    for (line, refund_minor) in request.lines.iter().zip(parts) {
        let commission_reversed_minor = if refund_minor == line.remaining_minor() {
            line.remaining_commission_minor()
        } else {
            mul_div_round_half_up(
                line.remaining_commission_minor(),
                refund_minor,
                line.remaining_minor(),
            )?
        };
        let seller_part_minor = refund_minor - commission_reversed_minor;
        let held = held_after.entry(line.shipment_id).or_insert(0);
        let from_held_minor = seller_part_minor.min(*held);
        *held -= from_held_minor;
        let updated = CaptureLine {
            refunded_minor: line.refunded_minor + refund_minor,
            commission_reversed_minor: line.commission_reversed_minor + commission_reversed_minor,
            ..line.clone()
        };
        updated.check()?;
        updated_lines.push(updated);
        if refund_minor > 0 {
            commission_lines.push(line.commission_line(-refund_minor, -commission_reversed_minor));
            refund_lines.push(RefundLine {
                capture_id: line.capture_id,
                line_no: line.line_no,
                shipment_id: line.shipment_id,
                seller_id: line.seller_id,
                refund_minor,
                commission_reversed_minor,
                from_held_minor,
                from_available_minor: seller_part_minor - from_held_minor,
            });
        }
    }
    held_after.retain(|_, held| *held > 0);

    let currency = request.currency;
    let shard = Shard::for_key(meta.idempotency_key.as_str());
    let money = |amount_minor: i64| Money::from_minor(amount_minor, currency);
    let mut builder = JournalTransaction::builder(meta, request.kind.transaction_kind())
        .references(settlement_references(request.order_id, request.lines))
        .memo(format!(
            "{} of {} for order {}",
            request.kind.transaction_kind().as_str(),
            money(request.amount_minor).to_plain_string(),
            request.order_id
        ))
        .post(
            AccountRef::marketplace(request.kind.credited_account(), currency, shard),
            money(request.amount_minor),
        );
    let mut commission_reversed_total: i64 = 0;
    for refund in &refund_lines {
        if refund.from_held_minor != 0 {
            builder = builder.post(
                AccountRef::held(refund.seller_id, currency),
                money(-refund.from_held_minor),
            );
        }
        if refund.from_available_minor != 0 {
            builder = builder.post(
                AccountRef::available(refund.seller_id, currency),
                money(-refund.from_available_minor),
            );
        }
        commission_reversed_total += refund.commission_reversed_minor;
    }
    for line in commission_lines {
        builder = builder.commission_line(line);
    }
    if commission_reversed_total != 0 {
        builder = builder.post(
            AccountRef::marketplace(MarketplaceAccountKind::CommissionRevenue, currency, shard),
            money(-commission_reversed_total),
        );
    }
    let transaction = builder.build()?;
    Ok(RefundPlan {
        transaction,
        lines: refund_lines,
        updated_lines,
        held_after,
    })
}

/// The order, plus the seller and shipment when there is only one of each.
fn settlement_references(order_id: OrderId, lines: &[CaptureLine]) -> References {
    let sellers: BTreeSet<SellerId> = lines.iter().map(|l| l.seller_id).collect();
    let shipments: BTreeSet<ShipmentId> = lines.iter().map(|l| l.shipment_id).collect();
    References {
        order_id: Some(order_id),
        seller_id: if sellers.len() == 1 {
            sellers.first().copied()
        } else {
            None
        },
        shipment_id: if shipments.len() == 1 {
            shipments.first().copied()
        } else {
            None
        },
        ..References::default()
    }
}
