//! Settling payments: a capture split over the order's sellers (with frozen
//! commission lines, running-total capture lines and one hold per shipment), and
//! refunds and chargebacks over those capture lines.
//!
//! One capture per order: a second capture of an order under another key is a
//! conflict (a unique index on `capture_lines (order_id, line_no)` backs the check).

use super::commission::{self, CategoryFacts, category_id};
use super::posting::{self, Claimed, CommissionExtra, Marks, Posted, WriteItem};
use super::settings::settings_of;
use super::sql;
use super::{key_reused, ledger_error};
use crate::util::{new_uuid, now_ms, parse_col};
use crate::{Db, Error, Result, Tx};
use domain::ids::{JournalId, OrderId, SellerId, ShipmentId};
use domain::ledger::{
    BasisPoints, Capture, CaptureLine, CaptureRequest, IdempotencyKey, RefundKind, RefundRequest,
    RequestFingerprint, SettlementLine, TxMeta, fingerprint_of, plan_capture, plan_refund,
    shipment_return_window_days,
};
use domain::money::{Currency, Money};
use domain::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// One order line as it was when the order was placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLineSnapshot {
    /// The line's position (0-based) in the order; unique within the order.
    pub line_no: u32,
    pub shipment_id: ShipmentId,
    pub seller_id: SellerId,
    /// The SKU's category code (commission rule and return window come from it).
    pub category_code: String,
    pub quantity: u32,
    pub unit_price_minor: i64,
    /// What the buyer pays for the line (at most quantity × unit price).
    pub line_total_minor: i64,
}

/// A captured payment to settle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureInput {
    pub order_id: OrderId,
    pub currency: Currency,
    /// What the provider captured: at most the order total.
    pub captured_minor: i64,
    /// The payment event's key, e.g. `payment:<provider event id>`.
    pub event_key: IdempotencyKey,
    pub lines: Vec<OrderLineSnapshot>,
}

/// What a new capture did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureSummary {
    pub transaction_id: JournalId,
    pub order_id: OrderId,
    pub captured_minor: i64,
    pub commission_minor: i64,
    /// What each seller's `held` account received.
    pub seller_shares: Vec<(SellerId, i64)>,
    /// What each shipment's hold holds.
    pub holds: Vec<(ShipmentId, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Settlement {
    Settled(CaptureSummary),
    /// The same event was settled before; nothing moved this time.
    Replayed(Posted),
}

/// Settles one captured payment (see [`settle_captures`]).
pub async fn settle_capture(db: &Db, input: &CaptureInput) -> Result<Settlement> {
    let mut results = settle_captures(db, std::slice::from_ref(input)).await?;
    results
        .pop()
        .unwrap_or_else(|| Err(Error::Internal("settlement returned no result".into())))
}

/// A capture planned and ready to store.
struct Planned<'a> {
    input: &'a CaptureInput,
    fingerprint: RequestFingerprint,
    capture: Capture,
    extras: Vec<CommissionExtra>,
    /// shipment → return window (days).
    windows: BTreeMap<ShipmentId, u32>,
}

/// Settles captured payments in one database transaction, each on its own terms:
/// one result per input, in order. Each capture is planned with
/// `domain::ledger::plan_capture` (the commission schedule from `commission_rules`,
/// the sellers' tiers, the categories' paths and return windows), then posted with
/// its frozen commission lines, its capture lines and one `held` hold per shipment.
///
/// Per-input refusals (invalid lines, a key reused with another body, an order
/// captured before under another key) come back as that input's `Err` and store
/// nothing for it; a database failure fails the call and stores nothing at all.
/// Each input keeps its own idempotency key, so a batch can be retried as a whole
/// or one input at a time.
pub async fn settle_captures(db: &Db, inputs: &[CaptureInput]) -> Result<Vec<Result<Settlement>>> {
    let now = Timestamp::from_millis(now_ms());
    let mut results: Vec<Option<Result<Settlement>>> = (0..inputs.len()).map(|_| None).collect();

    // Reads that need no lock happen before the write transaction starts.
    let codes: Vec<&str> = inputs
        .iter()
        .flat_map(|i| i.lines.iter().map(|l| l.category_code.as_str()))
        .collect();
    let categories = commission::category_facts(db, &codes).await?;
    let sellers: Vec<SellerId> = inputs
        .iter()
        .flat_map(|i| i.lines.iter().map(|l| l.seller_id))
        .collect();
    let settings = {
        let mut conn = db.pool().acquire().await?;
        settings_of(&mut conn, &sellers).await?
    };
    let mut schedules = HashMap::new();
    for input in inputs {
        if let std::collections::hash_map::Entry::Vacant(slot) = schedules.entry(input.currency) {
            slot.insert(commission::commission_schedule(db, input.currency).await?);
        }
    }

    let mut planned: Vec<(usize, Planned<'_>)> = Vec::with_capacity(inputs.len());
    for (index, input) in inputs.iter().enumerate() {
        let Some(loaded) = schedules.get(&input.currency) else {
            results[index] = Some(Err(Error::Internal("schedule not loaded".into())));
            continue;
        };
        match plan_one(input, now, &categories, &settings, loaded) {
            Ok(p) => planned.push((index, p)),
            Err(e) => results[index] = Some(Err(e)),
        }
    }

    // The same order twice in one batch under different keys: the later one conflicts.
    let mut first_key: HashMap<OrderId, &str> = HashMap::new();
    planned.retain(|(index, p)| {
        let key = p.input.event_key.as_str();
        match first_key.get(&p.input.order_id) {
            Some(first) if *first != key => {
                results[*index] = Some(Err(already_captured(p.input.order_id)));
                false
            }
            Some(_) => true,
            None => {
                first_key.insert(p.input.order_id, key);
                true
            }
        }
    });

    let mut tx = db.begin().await?;
    let captured_before = capture_keys(&mut tx, &planned).await?;
    planned.retain(|(index, p)| match captured_before.get(&p.input.order_id) {
        Some(key) if key != p.input.event_key.as_str() => {
            results[*index] = Some(Err(already_captured(p.input.order_id)));
            false
        }
        _ => true,
    });

    let claims: Vec<_> = planned
        .iter()
        .map(|(_, p)| (&p.capture.transaction, &p.fingerprint))
        .collect();
    let outcomes = posting::claim(&mut tx, &claims).await?;
    let mut new: Vec<&Planned<'_>> = Vec::new();
    for ((index, p), outcome) in planned.iter().zip(outcomes) {
        results[*index] = Some(match outcome {
            Claimed::New => {
                new.push(p);
                Ok(Settlement::Settled(summary(p)))
            }
            Claimed::Replay(posted) => Ok(Settlement::Replayed(posted)),
            Claimed::Conflict => Err(key_reused(p.input.event_key.as_str())),
        });
    }

    insert_capture_lines(&mut tx, &new, now)
        .await
        .map_err(order_conflict)?;
    insert_holds(&mut tx, &new, now)
        .await
        .map_err(order_conflict)?;
    // The orders' shipments become `paid` in the same transaction as their capture.
    let paid: Vec<OrderId> = new.iter().map(|p| p.input.order_id).collect();
    crate::orders::payments::mark_paid_in(&mut tx, &paid, now).await?;
    let items: Vec<WriteItem<'_>> = new
        .iter()
        .map(|p| WriteItem {
            transaction: &p.capture.transaction,
            extras: Some(&p.extras),
        })
        .collect();
    posting::write(&mut tx, &items).await?;
    tx.commit().await?;

    results
        .into_iter()
        .map(|r| r.ok_or_else(|| Error::Internal("a capture was left without a result".into())))
        .collect()
}

fn already_captured(order_id: OrderId) -> Error {
    Error::conflict(format!(
        "Order {order_id} was already captured by another payment event"
    ))
}

/// A concurrent capture of the same order (or shipment) under another key.
fn order_conflict(e: Error) -> Error {
    if e.violates_unique(
        "capture_lines_order_line_key",
        "capture_lines.order_id, capture_lines.line_no",
    ) || e.violates_unique("holds_pkey", "holds.shipment_id")
    {
        return Error::conflict("This order was already captured by another payment event");
    }
    e
}

fn plan_one<'a>(
    input: &'a CaptureInput,
    now: Timestamp,
    categories: &HashMap<String, CategoryFacts>,
    settings: &HashMap<SellerId, super::settings::SellerFinanceSettings>,
    loaded: &commission::LoadedSchedule,
) -> Result<Planned<'a>> {
    let fingerprint = fingerprint_of(input)
        .map_err(|e| Error::Internal(format!("cannot fingerprint a capture: {e}")))?;
    let mut shipment_sellers: HashMap<ShipmentId, SellerId> = HashMap::new();
    let mut lines = Vec::with_capacity(input.lines.len());
    let mut windows: BTreeMap<ShipmentId, Vec<u32>> = BTreeMap::new();
    for line in &input.lines {
        if *shipment_sellers
            .entry(line.shipment_id)
            .or_insert(line.seller_id)
            != line.seller_id
        {
            return Err(Error::field(
                &format!("lines[{}].shipment_id", line.line_no),
                "mixed_sellers",
                "A shipment belongs to one seller",
            ));
        }
        let facts = categories.get(&line.category_code);
        windows.entry(line.shipment_id).or_default().push(
            facts.map_or(commission::DEFAULT_RETURN_WINDOW_DAYS, |f| {
                f.return_window_days
            }),
        );
        let path = facts.map_or_else(
            || vec![category_id(&line.category_code)],
            |f| f.path.iter().map(|code| category_id(code)).collect(),
        );
        lines.push(SettlementLine {
            line_no: line.line_no,
            shipment_id: line.shipment_id,
            seller_id: line.seller_id,
            seller_tier: settings
                .get(&line.seller_id)
                .map(|s| s.tier)
                .unwrap_or_default(),
            category_path: path,
            quantity: line.quantity,
            unit_price_minor: line.unit_price_minor,
            line_total_minor: line.line_total_minor,
        });
    }
    let meta = TxMeta::new(
        JournalId::from_uuid(new_uuid()),
        input.event_key.clone(),
        now,
    );
    let capture = plan_capture(
        meta,
        &CaptureRequest {
            order_id: input.order_id,
            currency: input.currency,
            lines: &lines,
            captured_minor: input.captured_minor,
        },
        &loaded.schedule,
    )
    .map_err(ledger_error)?;
    let by_line: HashMap<u32, &OrderLineSnapshot> =
        input.lines.iter().map(|l| (l.line_no, l)).collect();
    let mut extras = Vec::with_capacity(capture.transaction.commission_lines().len());
    for line in capture.transaction.commission_lines() {
        let rule = loaded.rules.get(&line.rule_id);
        extras.push(CommissionExtra {
            order_id: input.order_id,
            category_code: by_line
                .get(&line.line_no)
                .map(|l| l.category_code.clone())
                .unwrap_or_default(),
            min_minor: rule.map_or(0, |r| r.min_minor),
            max_minor: rule.and_then(|r| r.max_minor),
        });
    }
    let default_days = commission::DEFAULT_RETURN_WINDOW_DAYS;
    Ok(Planned {
        input,
        fingerprint,
        capture,
        extras,
        windows: windows
            .into_iter()
            .map(|(shipment, days)| (shipment, shipment_return_window_days(&days, default_days)))
            .collect(),
    })
}

fn summary(p: &Planned<'_>) -> CaptureSummary {
    CaptureSummary {
        transaction_id: p.capture.transaction.id(),
        order_id: p.input.order_id,
        captured_minor: p.input.captured_minor,
        commission_minor: p.capture.commission_minor(),
        seller_shares: p.capture.seller_shares().into_iter().collect(),
        holds: p.capture.held_by_shipment().into_iter().collect(),
    }
}

/// The keys under which the batch's orders were captured before.
async fn capture_keys(
    tx: &mut Tx,
    planned: &[(usize, Planned<'_>)],
) -> Result<HashMap<OrderId, String>> {
    let orders: Vec<String> = planned
        .iter()
        .map(|(_, p)| p.input.order_id.to_string())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let marks = Marks::of(tx);
    let mut found = HashMap::new();
    for chunk in orders.chunks(500) {
        let query = format!(
            "SELECT DISTINCT cl.order_id, t.idempotency_key FROM capture_lines cl \
             JOIN ledger_transactions t ON t.id = cl.capture_id WHERE cl.order_id IN ({})",
            marks.list(chunk.len())
        );
        let mut q = sqlx::query_as::<_, (String, String)>(sqlx::AssertSqlSafe(query));
        for id in chunk {
            q = q.bind(id.as_str());
        }
        for (order_id, key) in q.fetch_all(&mut **tx).await? {
            found.insert(parse_col("capture_lines.order_id", &order_id)?, key);
        }
    }
    Ok(found)
}

const CAPTURE_LINE_COLUMNS: usize = 20;

async fn insert_capture_lines(tx: &mut Tx, new: &[&Planned<'_>], now: Timestamp) -> Result<()> {
    let marks = Marks::of(tx);
    let mut rows: Vec<(
        &Planned<'_>,
        &CaptureLine,
        &OrderLineSnapshot,
        &CommissionExtra,
    )> = Vec::new();
    for p in new {
        let by_line: HashMap<u32, &OrderLineSnapshot> =
            p.input.lines.iter().map(|l| (l.line_no, l)).collect();
        for (line, extra) in p.capture.lines.iter().zip(&p.extras) {
            let snapshot = by_line
                .get(&line.line_no)
                .ok_or_else(|| Error::Internal("capture line without its order line".into()))?;
            rows.push((p, line, snapshot, extra));
        }
    }
    for chunk in rows.chunks(sql::rows_per_statement(CAPTURE_LINE_COLUMNS, 500)) {
        let query = format!(
            "INSERT INTO capture_lines (capture_id, line_no, order_id, shipment_id, seller_id, currency, \
             category_code, quantity, unit_price_minor, line_total_minor, rule_id, rate_bps, fixed_minor, \
             min_minor, max_minor, allocated_minor, commission_minor, refunded_minor, \
             commission_reversed_minor, updated_at) VALUES {}",
            marks.values(chunk.len(), CAPTURE_LINE_COLUMNS)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(query));
        for (p, line, snapshot, extra) in chunk {
            q = q
                .bind(line.capture_id.to_string())
                .bind(i64::from(line.line_no))
                .bind(p.input.order_id.to_string())
                .bind(line.shipment_id.to_string())
                .bind(line.seller_id.to_string())
                .bind(line.currency.code())
                .bind(snapshot.category_code.as_str())
                .bind(i64::from(snapshot.quantity))
                .bind(snapshot.unit_price_minor)
                .bind(snapshot.line_total_minor)
                .bind(line.rule_id.to_string())
                .bind(i64::from(line.rate.bps()))
                .bind(line.fixed_minor)
                .bind(extra.min_minor)
                .bind(extra.max_minor)
                .bind(line.allocated_minor)
                .bind(line.commission_minor)
                .bind(line.refunded_minor)
                .bind(line.commission_reversed_minor)
                .bind(now.millis());
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

const HOLD_COLUMNS: usize = 12;

async fn insert_holds(tx: &mut Tx, new: &[&Planned<'_>], now: Timestamp) -> Result<()> {
    let marks = Marks::of(tx);
    let mut rows: Vec<(&Planned<'_>, ShipmentId, SellerId, i64, u32)> = Vec::new();
    for p in new {
        let sellers: HashMap<ShipmentId, SellerId> = p
            .capture
            .lines
            .iter()
            .map(|l| (l.shipment_id, l.seller_id))
            .collect();
        for (shipment, held_minor) in p.capture.held_by_shipment() {
            let seller = sellers
                .get(&shipment)
                .copied()
                .ok_or_else(|| Error::Internal("hold without a seller".into()))?;
            let window = p
                .windows
                .get(&shipment)
                .copied()
                .unwrap_or(commission::DEFAULT_RETURN_WINDOW_DAYS);
            rows.push((p, shipment, seller, held_minor, window));
        }
    }
    for chunk in rows.chunks(sql::rows_per_statement(HOLD_COLUMNS, 500)) {
        let query = format!(
            "INSERT INTO holds (shipment_id, order_id, seller_id, currency, capture_id, captured_minor, \
             held_minor, return_window_days, status, open_return, open_dispute, created_at, updated_at) \
             SELECT column1, column2, column3, column4, column5, column6, column7, column8, 'held', 0, 0, \
             column9, column9 FROM (VALUES {}) AS v",
            marks.values(chunk.len(), 9)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(query));
        for (p, shipment, seller, held_minor, window) in chunk {
            q = q
                .bind(shipment.to_string())
                .bind(p.input.order_id.to_string())
                .bind(seller.to_string())
                .bind(p.input.currency.code())
                .bind(p.capture.transaction.id().to_string())
                .bind(*held_minor)
                .bind(*held_minor)
                .bind(i64::from(*window))
                .bind(now.millis());
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Refunds and chargebacks

/// Money given back to the buyer (refund) or taken by the card network (chargeback).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundInput {
    pub order_id: OrderId,
    pub kind: RefundKind,
    pub amount: Money,
    /// Only this shipment's lines (a return of one seller's parcel); `None`: the
    /// whole order, allocated over what remains of every line.
    pub shipment_id: Option<ShipmentId>,
    /// The payment event's key, e.g. `payment:<provider event id>`.
    pub event_key: IdempotencyKey,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundSummary {
    pub transaction_id: JournalId,
    pub amount_minor: i64,
    pub commission_reversed_minor: i64,
    /// The sellers' part taken from `held` ...
    pub from_held_minor: i64,
    /// ... and from `available` (which may go negative: debt).
    pub from_available_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum RefundOutcome {
    Refunded(RefundSummary),
    /// The same event was processed before; nothing moved this time.
    Replayed(Posted),
}

#[derive(sqlx::FromRow)]
pub(crate) struct CaptureLineRow {
    pub capture_id: String,
    pub line_no: i64,
    pub shipment_id: String,
    pub seller_id: String,
    pub currency: String,
    pub category_code: String,
    pub rule_id: String,
    pub rate_bps: i64,
    pub fixed_minor: i64,
    pub min_minor: i64,
    pub max_minor: Option<i64>,
    pub allocated_minor: i64,
    pub commission_minor: i64,
    pub refunded_minor: i64,
    pub commission_reversed_minor: i64,
}

pub(crate) const CAPTURE_LINE_SELECT: &str = "capture_id, line_no, shipment_id, seller_id, currency, \
     category_code, rule_id, rate_bps, fixed_minor, min_minor, max_minor, allocated_minor, commission_minor, \
     refunded_minor, commission_reversed_minor";

impl CaptureLineRow {
    pub(crate) fn to_domain(&self) -> Result<CaptureLine> {
        let rate = u32::try_from(self.rate_bps)
            .ok()
            .and_then(|bps| BasisPoints::new(bps).ok())
            .ok_or_else(|| Error::Internal(format!("bad stored rate {}", self.rate_bps)))?;
        let line = CaptureLine {
            capture_id: parse_col("capture_lines.capture_id", &self.capture_id)?,
            line_no: u32::try_from(self.line_no)
                .map_err(|_| Error::Internal("bad stored line number".into()))?,
            shipment_id: parse_col("capture_lines.shipment_id", &self.shipment_id)?,
            seller_id: parse_col("capture_lines.seller_id", &self.seller_id)?,
            currency: parse_col("capture_lines.currency", &self.currency)?,
            rule_id: parse_col("capture_lines.rule_id", &self.rule_id)?,
            rate,
            fixed_minor: self.fixed_minor,
            allocated_minor: self.allocated_minor,
            commission_minor: self.commission_minor,
            refunded_minor: self.refunded_minor,
            commission_reversed_minor: self.commission_reversed_minor,
        };
        // Stored lines are checked again when read.
        line.check().map_err(ledger_error)?;
        Ok(line)
    }
}

/// Refunds (or charges back) part of a captured order. Plans with
/// `domain::ledger::plan_refund` over the order's capture lines (their running totals
/// read under lock), takes each seller's part from the shipment's hold while it lasts
/// and from `available` after, and updates the capture lines and holds in the same
/// transaction as the postings.
pub async fn refund(db: &Db, input: &RefundInput) -> Result<RefundOutcome> {
    let fingerprint = fingerprint_of(input)
        .map_err(|e| Error::Internal(format!("cannot fingerprint a refund: {e}")))?;
    let engine = db.engine();
    let mut tx = db.begin().await?;
    // Lock the order's capture lines first: a concurrent retry of this event waits
    // here and then finds the key below.
    let query = format!(
        "SELECT {CAPTURE_LINE_SELECT} FROM capture_lines WHERE order_id = $1 ORDER BY capture_id, line_no{}",
        engine.for_update()
    );
    let rows: Vec<CaptureLineRow> = sqlx::query_as(sqlx::AssertSqlSafe(query))
        .bind(input.order_id.to_string())
        .fetch_all(&mut *tx)
        .await?;
    if let Some(stored) = posting::stored_key(&mut tx, input.event_key.as_str()).await? {
        return Ok(RefundOutcome::Replayed(
            stored.replay_of(&fingerprint, input.event_key.as_str())?,
        ));
    }
    let rows: Vec<CaptureLineRow> = rows
        .into_iter()
        .filter(|r| {
            input
                .shipment_id
                .is_none_or(|s| r.shipment_id == s.to_string())
        })
        .collect();
    if rows.is_empty() {
        return Err(Error::NotFound("captured payment"));
    }
    let lines: Vec<CaptureLine> = rows
        .iter()
        .map(CaptureLineRow::to_domain)
        .collect::<Result<_>>()?;
    if lines.iter().any(|l| l.currency != input.amount.currency()) {
        return Err(Error::field(
            "amount",
            "currency_mismatch",
            "The refund must be in the currency the order was paid in",
        ));
    }

    let query = format!(
        "SELECT shipment_id, held_minor, status FROM holds WHERE order_id = $1 ORDER BY shipment_id{}",
        engine.for_update()
    );
    let holds: Vec<(String, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(query))
        .bind(input.order_id.to_string())
        .fetch_all(&mut *tx)
        .await?;
    let mut held_by_shipment: BTreeMap<ShipmentId, i64> = BTreeMap::new();
    for (shipment, held_minor, status) in &holds {
        if status != "released" {
            held_by_shipment.insert(parse_col("holds.shipment_id", shipment)?, *held_minor);
        }
    }

    let meta = TxMeta::new(
        JournalId::from_uuid(new_uuid()),
        input.event_key.clone(),
        Timestamp::from_millis(now_ms()),
    );
    let plan = plan_refund(
        meta,
        &RefundRequest {
            kind: input.kind,
            order_id: input.order_id,
            currency: input.amount.currency(),
            amount_minor: input.amount.amount_minor(),
            lines: &lines,
            held_by_shipment: &held_by_shipment,
        },
    )
    .map_err(ledger_error)?;

    let by_line: HashMap<(String, i64), &CaptureLineRow> = rows
        .iter()
        .map(|r| ((r.capture_id.clone(), r.line_no), r))
        .collect();
    let mut extras = Vec::new();
    for line in plan.transaction.commission_lines() {
        let row = by_line
            .get(&(line.capture_id.to_string(), i64::from(line.line_no)))
            .ok_or_else(|| Error::Internal("refund line without its capture line".into()))?;
        extras.push(CommissionExtra {
            order_id: input.order_id,
            category_code: row.category_code.clone(),
            min_minor: row.min_minor,
            max_minor: row.max_minor,
        });
    }

    let claimed = posting::claim(&mut tx, &[(&plan.transaction, &fingerprint)]).await?;
    match claimed.first() {
        Some(Claimed::New) => {}
        Some(Claimed::Replay(posted)) => return Ok(RefundOutcome::Replayed(*posted)),
        Some(Claimed::Conflict) | None => return Err(key_reused(input.event_key.as_str())),
    }

    let now = now_ms();
    for (before, after) in lines.iter().zip(&plan.updated_lines) {
        if before == after {
            continue;
        }
        sqlx::query(
            "UPDATE capture_lines SET refunded_minor = $3, commission_reversed_minor = $4, updated_at = $5 \
             WHERE capture_id = $1 AND line_no = $2",
        )
        .bind(after.capture_id.to_string())
        .bind(i64::from(after.line_no))
        .bind(after.refunded_minor)
        .bind(after.commission_reversed_minor)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    for (shipment, held_before) in &held_by_shipment {
        let held_after = plan.held_after.get(shipment).copied().unwrap_or(0);
        if held_after != *held_before {
            sqlx::query("UPDATE holds SET held_minor = $2, updated_at = $3 WHERE shipment_id = $1")
                .bind(shipment.to_string())
                .bind(held_after)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
    }
    posting::write(
        &mut tx,
        &[WriteItem {
            transaction: &plan.transaction,
            extras: Some(&extras),
        }],
    )
    .await?;
    tx.commit().await?;

    Ok(RefundOutcome::Refunded(RefundSummary {
        transaction_id: plan.transaction.id(),
        amount_minor: input.amount.amount_minor(),
        commission_reversed_minor: plan.lines.iter().map(|l| l.commission_reversed_minor).sum(),
        from_held_minor: plan.lines.iter().map(|l| l.from_held_minor).sum(),
        from_available_minor: plan.lines.iter().map(|l| l.from_available_minor).sum(),
    }))
}
