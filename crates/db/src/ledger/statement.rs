//! What a seller sees of the ledger: the statement of every movement on their
//! accounts with running balances, why each held amount is held, and each order's
//! price / commission / net breakdown. Every query filters by `ctx.seller_id()`.
//!
//! Order: journal ids are UUID v7, so id order is posting order and the first 48
//! bits of an id are its posting time in milliseconds; time filters are id bounds
//! and use the postings' `(account_key, transaction_id)` index.

use super::holds::{HeldItem, held_items};
use super::sql;
use crate::auth::{FinanceCtx, SellerCtx};
use crate::util::parse_col;
use crate::{Db, Error, Result};
use domain::Locale;
use domain::ids::{JournalId, OrderId, PayoutId, PenaltyId, SellerId, ShipmentId};
use domain::ledger::{AccountRef, Balances, SellerAccountKind, TransactionKind};
use domain::money::{Currency, Money};
use domain::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The smallest UUID v7 (as text) posted at or after `at`: ids compare as text in
/// time order, so `id >= bound` means "posted at or after `at`".
fn id_bound(at: Timestamp) -> String {
    let ms = u64::try_from(at.millis().max(0)).unwrap_or(0);
    format!(
        "{:08x}-{:04x}-0000-0000-000000000000",
        (ms >> 16) & 0xffff_ffff,
        ms & 0xffff
    )
}

/// Which movements a statement shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementFilter {
    pub currency: Currency,
    /// Movements posted at or after this time.
    pub from: Option<Timestamp>,
    /// Movements posted before this time.
    pub to: Option<Timestamp>,
    /// Continue after this movement (the last row of the previous page).
    pub after: Option<JournalId>,
    /// At most this many rows (1 to 1000; default 200).
    pub limit: Option<u32>,
}

impl StatementFilter {
    pub fn new(currency: Currency) -> Self {
        Self {
            currency,
            from: None,
            to: None,
            after: None,
            limit: None,
        }
    }
}

/// One journal transaction as it touched the seller's accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementRow {
    pub transaction_id: JournalId,
    pub at: Timestamp,
    pub kind: TransactionKind,
    pub order_id: Option<OrderId>,
    pub shipment_id: Option<ShipmentId>,
    pub payout_id: Option<PayoutId>,
    pub penalty_id: Option<PenaltyId>,
    pub memo: String,
    /// What the transaction moved on each account (signed: + credit to the seller).
    pub change: Balances,
    /// The balances right after it.
    pub after: Balances,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    pub currency: Currency,
    /// Balances before the first row.
    pub opening: Balances,
    /// Balances after the last row.
    pub closing: Balances,
    pub rows: Vec<StatementRow>,
    /// More rows follow: ask again with `after` = the last row's id.
    pub more: bool,
}

fn add(balances: &mut Balances, kind: SellerAccountKind, amount_minor: i64) -> Result<()> {
    let slot = match kind {
        SellerAccountKind::Held => &mut balances.held_minor,
        SellerAccountKind::Available => &mut balances.available_minor,
        SellerAccountKind::PayoutReserved => &mut balances.payout_reserved_minor,
    };
    *slot = slot
        .checked_add(amount_minor)
        .ok_or_else(|| Error::Internal("balance overflow in a statement".into()))?;
    Ok(())
}

fn seller_kind(account_key: &str) -> Result<SellerAccountKind> {
    match parse_col::<AccountRef>("ledger_postings.account_key", account_key)? {
        AccountRef::Seller { kind, .. } => Ok(kind),
        AccountRef::Marketplace { .. } => Err(Error::Internal(
            "a marketplace posting in a seller statement".into(),
        )),
    }
}

#[derive(sqlx::FromRow)]
struct MovementRow {
    transaction_id: String,
    account_key: String,
    amount_minor: i64,
    kind: String,
    order_id: Option<String>,
    shipment_id: Option<String>,
    payout_id: Option<String>,
    penalty_id: Option<String>,
    memo: String,
    created_at: i64,
}

/// The calling seller's statement: every movement on their held, available and
/// in-payout accounts in one currency, oldest first, with the balances after each.
pub async fn seller_statement(
    db: &Db,
    ctx: &SellerCtx,
    filter: &StatementFilter,
) -> Result<Statement> {
    statement_of(db, ctx.seller_id(), filter).await
}

/// The movements behind one payout line: the seller's statement from their previous
/// payout line (or from the start) up to the moment this line was proposed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutLineStatement {
    pub seller_id: SellerId,
    /// When the seller's previous payout line was proposed, if there was one.
    pub since: Option<Timestamp>,
    /// When this line was proposed.
    pub until: Timestamp,
    pub statement: Statement,
}

/// Finance staff: what lies behind a payout line's amount (at most `limit` movements,
/// oldest first; `more` says when the period holds more).
pub async fn payout_line_statement(
    db: &Db,
    _ctx: &FinanceCtx,
    line_id: PayoutId,
    limit: u32,
) -> Result<PayoutLineStatement> {
    let line: Option<(String, String, i64)> =
        sqlx::query_as("SELECT seller_id, currency, created_at FROM payout_lines WHERE id = $1")
            .bind(line_id.to_string())
            .fetch_optional(db.pool())
            .await?;
    let (seller_id, currency, created_at) = line.ok_or(Error::NotFound("payout line"))?;
    let previous: Option<(Option<i64>,)> = sqlx::query_as(
        "SELECT MAX(l.created_at) FROM payout_lines l JOIN payout_batches b ON b.id = l.batch_id \
         WHERE l.seller_id = $1 AND l.currency = $2 AND l.created_at < $3 AND b.status <> 'cancelled'",
    )
    .bind(&seller_id)
    .bind(&currency)
    .bind(created_at)
    .fetch_optional(db.pool())
    .await?;
    let since = previous.and_then(|(at,)| at).map(Timestamp::from_millis);
    let until = Timestamp::from_millis(created_at);
    let seller_id: SellerId = parse_col("payout_lines.seller_id", &seller_id)?;
    let filter = StatementFilter {
        currency: parse_col("payout_lines.currency", &currency)?,
        from: since,
        // Everything posted up to and including the millisecond the line was proposed.
        to: Some(Timestamp::from_millis(created_at.saturating_add(1))),
        after: None,
        limit: Some(limit),
    };
    Ok(PayoutLineStatement {
        seller_id,
        since,
        until,
        statement: statement_of(db, seller_id, &filter).await?,
    })
}

async fn statement_of(db: &Db, seller_id: SellerId, filter: &StatementFilter) -> Result<Statement> {
    let keys = SellerAccountKind::ALL
        .map(|kind| AccountRef::seller(seller_id, kind, filter.currency).key());
    let limit = filter.limit.unwrap_or(200).clamp(1, 1_000);
    // Rows start strictly after `after`, or at `from`.
    let (lower, lower_inclusive) = match (filter.after, filter.from) {
        (Some(after), _) => (Some(after.to_string()), false),
        (None, Some(from)) => (Some(id_bound(from)), true),
        (None, None) => (None, true),
    };
    let upper = filter.to.map(id_bound);

    let mut opening = Balances::default();
    if let Some(lower) = &lower {
        let query = format!(
            "SELECT account_key, CAST(SUM(amount_minor) AS BIGINT) FROM ledger_postings \
             WHERE account_key IN ({}) AND transaction_id {} $4 GROUP BY account_key",
            sql::list(3, 1),
            if lower_inclusive { "<" } else { "<=" }
        );
        let sums: Vec<(String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(query))
            .bind(&keys[0])
            .bind(&keys[1])
            .bind(&keys[2])
            .bind(lower)
            .fetch_all(db.pool())
            .await?;
        for (key, sum) in sums {
            add(&mut opening, seller_kind(&key)?, sum)?;
        }
    }

    let query = format!(
        "SELECT p.transaction_id, p.account_key, p.amount_minor, t.kind, t.order_id, t.shipment_id, \
         t.payout_id, t.penalty_id, t.memo, t.created_at \
         FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.transaction_id \
         WHERE p.account_key IN ({}) AND ($4 IS NULL OR p.transaction_id {} $4) \
         AND ($5 IS NULL OR p.transaction_id < $5) \
         ORDER BY p.transaction_id, p.account_key LIMIT $6",
        sql::list(3, 1),
        if lower_inclusive { ">=" } else { ">" }
    );
    // At most three postings per transaction (one per account), so `3 × limit + 3`
    // postings always hold `limit + 1` whole transactions: enough to fill the page
    // and know whether more follow.
    let fetch = i64::from(limit) * 3 + 3;
    let movements: Vec<MovementRow> = sqlx::query_as(sqlx::AssertSqlSafe(query))
        .bind(&keys[0])
        .bind(&keys[1])
        .bind(&keys[2])
        .bind(lower.as_deref())
        .bind(upper.as_deref())
        .bind(fetch)
        .fetch_all(db.pool())
        .await?;

    let mut rows: Vec<StatementRow> = Vec::new();
    let mut running = opening;
    let mut more = false;
    for movement in movements {
        let id: JournalId = parse_col("ledger_postings.transaction_id", &movement.transaction_id)?;
        if rows.last().is_none_or(|r| r.transaction_id != id) {
            if rows.len() == limit as usize {
                more = true;
                break;
            }
            rows.push(StatementRow {
                transaction_id: id,
                at: Timestamp::from_millis(movement.created_at),
                kind: parse_col("ledger_transactions.kind", &movement.kind)?,
                order_id: movement
                    .order_id
                    .as_deref()
                    .map(|v| parse_col("ledger_transactions.order_id", v))
                    .transpose()?,
                shipment_id: movement
                    .shipment_id
                    .as_deref()
                    .map(|v| parse_col("ledger_transactions.shipment_id", v))
                    .transpose()?,
                payout_id: movement
                    .payout_id
                    .as_deref()
                    .map(|v| parse_col("ledger_transactions.payout_id", v))
                    .transpose()?,
                penalty_id: movement
                    .penalty_id
                    .as_deref()
                    .map(|v| parse_col("ledger_transactions.penalty_id", v))
                    .transpose()?,
                memo: movement.memo.clone(),
                change: Balances::default(),
                after: running,
            });
        }
        let kind = seller_kind(&movement.account_key)?;
        add(&mut running, kind, movement.amount_minor)?;
        if let Some(row) = rows.last_mut() {
            add(&mut row.change, kind, movement.amount_minor)?;
            row.after = running;
        }
    }
    Ok(Statement {
        currency: filter.currency,
        opening,
        closing: running,
        rows,
        more,
    })
}

/// The statement as a CSV for Excel: `;` separated, decimal comma, CRLF.
pub fn statement_csv(statement: &Statement, locale: Locale) -> Result<String> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let header = [
        locale.pick("Дата (UTC)", "Date (UTC)"),
        locale.pick("Операция", "Operation"),
        locale.pick("Заказ", "Order"),
        locale.pick("Отправление", "Shipment"),
        locale.pick("Удержано, изменение", "Held, change"),
        locale.pick("Доступно, изменение", "Available, change"),
        locale.pick("К выплате, изменение", "In payout, change"),
        locale.pick("Удержано", "Held"),
        locale.pick("Доступно", "Available"),
        locale.pick("К выплате", "In payout"),
        locale.pick("Комментарий", "Memo"),
    ];
    let csv_error = |e: csv::Error| Error::Internal(format!("statement CSV: {e}"));
    writer.write_record(header).map_err(csv_error)?;
    let money = |minor: i64| {
        Money::from_minor(minor, statement.currency)
            .to_plain_string()
            .replace('.', ",")
    };
    for row in &statement.rows {
        writer
            .write_record([
                row.at.format_utc(),
                row.kind.as_str().to_string(),
                row.order_id.map(|id| id.to_string()).unwrap_or_default(),
                row.shipment_id.map(|id| id.to_string()).unwrap_or_default(),
                money(row.change.held_minor),
                money(row.change.available_minor),
                money(row.change.payout_reserved_minor),
                money(row.after.held_minor),
                money(row.after.available_minor),
                money(row.after.payout_reserved_minor),
                domain::payouts::neutralise_cell(&row.memo),
            ])
            .map_err(csv_error)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| Error::Internal(format!("statement CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Error::Internal(format!("statement CSV: {e}")))
}

/// Every amount the seller has on hold and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldBreakdown {
    pub items: Vec<HeldItem>,
    /// Per currency, the sum of the items (equals the `held` balance).
    pub totals: Vec<(Currency, i64)>,
}

/// The calling seller's held amounts: awaiting delivery, in the return window until
/// a date, or blocked by a return or dispute, each with its expected release date.
pub async fn held_breakdown(db: &Db, ctx: &SellerCtx) -> Result<HeldBreakdown> {
    let items = held_items(db, ctx.seller_id()).await?;
    let mut totals: HashMap<Currency, i64> = HashMap::new();
    for item in &items {
        *totals.entry(item.currency).or_insert(0) += item.held_minor;
    }
    let mut totals: Vec<(Currency, i64)> = totals.into_iter().collect();
    totals.sort();
    Ok(HeldBreakdown { items, totals })
}

/// One order line of the seller's: what the buyer paid, the commission, and the net.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLineBreakdown {
    pub line_no: u32,
    pub shipment_id: ShipmentId,
    pub category_code: String,
    pub quantity: u32,
    pub unit_price: Money,
    pub line_total: Money,
    /// The part of the captured payment allocated to the line.
    pub captured: Money,
    pub commission_rate_bps: u32,
    pub commission: Money,
    pub refunded: Money,
    pub commission_returned: Money,
    /// What the seller keeps: captured − commission − (refunded − commission returned).
    pub net: Money,
}

/// The calling seller's lines of an order (another seller's order is not found).
pub async fn order_breakdown(
    db: &Db,
    ctx: &SellerCtx,
    order_id: OrderId,
) -> Result<Vec<OrderLineBreakdown>> {
    #[allow(clippy::type_complexity, reason = "one row of capture_lines")]
    let rows: Vec<(i64, String, String, i64, i64, i64, String, i64, i64, i64, i64, i64)> =
        sqlx::query_as(
            "SELECT line_no, shipment_id, category_code, quantity, unit_price_minor, line_total_minor, currency, \
             rate_bps, allocated_minor, commission_minor, refunded_minor, commission_reversed_minor \
             FROM capture_lines WHERE order_id = $1 AND seller_id = $2 ORDER BY line_no",
        )
        .bind(order_id.to_string())
        .bind(ctx.seller_id().to_string())
        .fetch_all(db.pool())
        .await?;
    if rows.is_empty() {
        return Err(Error::NotFound("order"));
    }
    rows.into_iter()
        .map(
            |(
                line_no,
                shipment,
                category,
                quantity,
                unit,
                total,
                currency,
                bps,
                alloc,
                comm,
                refunded,
                returned,
            )| {
                let currency: Currency = parse_col("capture_lines.currency", &currency)?;
                let m = |minor| Money::from_minor(minor, currency);
                Ok(OrderLineBreakdown {
                    line_no: u32::try_from(line_no).unwrap_or(0),
                    shipment_id: parse_col("capture_lines.shipment_id", &shipment)?,
                    category_code: category,
                    quantity: u32::try_from(quantity).unwrap_or(0),
                    unit_price: m(unit),
                    line_total: m(total),
                    captured: m(alloc),
                    commission_rate_bps: u32::try_from(bps).unwrap_or(0),
                    commission: m(comm),
                    refunded: m(refunded),
                    commission_returned: m(returned),
                    net: m(alloc - comm - (refunded - returned)),
                })
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_bounds_order_like_uuid_v7_ids_of_the_same_time() {
        let at = Timestamp::from_millis(1_764_000_000_123);
        let id = uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
            uuid::NoContext,
            1_764_000_000,
            123_000_000,
        ))
        .to_string();
        assert!(id_bound(at) <= id);
        assert!(id < id_bound(Timestamp::from_millis(at.millis() + 1)));
    }
}
