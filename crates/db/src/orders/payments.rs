//! Payment-provider events: a capture settles the order in the ledger (and marks its
//! shipments paid in that same transaction); a refund or chargeback reverses the
//! frozen capture lines. Each event's ledger transaction is keyed by its provider
//! event id, so a redelivered event changes nothing.

use super::capture_batch::CaptureBatcher;
use super::shipments::{EventRow, insert_event};
use crate::auth::{Actor, ActorKind};
use crate::ledger::settlement::{
    self, CaptureInput, OrderLineSnapshot, RefundInput, RefundOutcome, Settlement,
};
use crate::util::{now_ms, parse_col};
use crate::{Db, Error, Result, Tx};
use domain::ErrorCode;
use domain::ids::{JournalId, OrderId, SellerId, ShipmentId};
use domain::ledger::RefundKind;
use domain::money::Currency;
use domain::orders::{PaymentEvent, PaymentEventKind, ShipmentStatus};
use domain::time::Timestamp;
use serde::{Deserialize, Serialize};

/// What a payment event did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentReceipt {
    pub event_id: String,
    pub order_id: OrderId,
    pub kind: PaymentEventKind,
    pub transaction_id: JournalId,
    /// True when the event had been processed before (nothing moved this time).
    pub replayed: bool,
}

fn provider_actor() -> Actor {
    Actor {
        kind: ActorKind::System,
        id: None,
        label: "payment provider".into(),
    }
}

/// Applies one validated payment event, a capture in a transaction of its own.
pub async fn apply_payment_event(db: &Db, event: &PaymentEvent) -> Result<PaymentReceipt> {
    apply(db, None, event).await
}

/// Applies one validated payment event; a capture shares its settlement transaction
/// with the other captures `batcher` is settling at the same moment (the webhook
/// under load). Same outcome as [`apply_payment_event`].
pub async fn apply_payment_event_batched(
    db: &Db,
    batcher: &CaptureBatcher,
    event: &PaymentEvent,
) -> Result<PaymentReceipt> {
    apply(db, Some(batcher), event).await
}

async fn apply(
    db: &Db,
    batcher: Option<&CaptureBatcher>,
    event: &PaymentEvent,
) -> Result<PaymentReceipt> {
    let key = event
        .idempotency_key()
        .map_err(|e| Error::field("event_id", "invalid_format", e.to_string()))?;
    let order: Option<(String, i64)> =
        sqlx::query_as("SELECT currency, total_minor FROM orders WHERE id = $1")
            .bind(event.order_id.to_string())
            .fetch_optional(db.pool())
            .await?;
    let (currency, total_minor) = order.ok_or_else(|| {
        Error::field(
            "order_id",
            "unknown_order",
            format!("There is no order {}", event.order_id),
        )
    })?;
    let currency: Currency = parse_col("orders.currency", &currency)?;
    if event.amount.currency() != currency {
        return Err(Error::field(
            "currency",
            "currency_mismatch",
            format!(
                "Order {} is in {}, the event in {}",
                event.order_id,
                currency.code(),
                event.amount.currency().code()
            ),
        ));
    }
    let (transaction_id, replayed) = match event.kind {
        PaymentEventKind::Captured => {
            if event.amount.amount_minor() > total_minor {
                return Err(Error::field(
                    "amount_minor",
                    "exceeds_order_total",
                    format!(
                        "The capture ({}) is more than the order total ({total_minor})",
                        event.amount.amount_minor()
                    ),
                ));
            }
            let lines = order_lines(db, event.order_id).await?;
            let input = CaptureInput {
                order_id: event.order_id,
                currency,
                captured_minor: event.amount.amount_minor(),
                event_key: key,
                lines,
            };
            let settled = match batcher {
                Some(batcher) => batcher.settle(input).await?,
                None => settlement::settle_capture(db, &input).await?,
            };
            match settled {
                Settlement::Settled(summary) => (summary.transaction_id, false),
                Settlement::Replayed(posted) => (posted.transaction_id, true),
            }
        }
        PaymentEventKind::Refunded | PaymentEventKind::Chargeback => {
            let input = RefundInput {
                order_id: event.order_id,
                kind: if event.kind == PaymentEventKind::Refunded {
                    RefundKind::Refund
                } else {
                    RefundKind::Chargeback
                },
                amount: event.amount,
                shipment_id: None,
                event_key: key,
            };
            match settlement::refund(db, &input).await? {
                RefundOutcome::Refunded(summary) => (summary.transaction_id, false),
                RefundOutcome::Replayed(posted) => (posted.transaction_id, true),
            }
        }
    };
    // The receipt: a redelivery after a crash right here writes it then.
    sqlx::query(
        "INSERT INTO payment_events (provider_event_id, kind, order_id, amount_minor, currency, \
         occurred_at, transaction_id, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (provider_event_id) DO NOTHING",
    )
    .bind(&event.provider_event_id)
    .bind(event.kind.as_str())
    .bind(event.order_id.to_string())
    .bind(event.amount.amount_minor())
    .bind(currency.code())
    .bind(event.occurred_at.millis())
    .bind(transaction_id.to_string())
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    tracing::info!(
        order = %event.order_id,
        event = %event.provider_event_id,
        kind = event.kind.as_str(),
        replayed,
        "payment event applied"
    );
    Ok(PaymentReceipt {
        event_id: event.provider_event_id.clone(),
        order_id: event.order_id,
        kind: event.kind,
        transaction_id,
        replayed,
    })
}

/// The order's lines as the ledger settles them. Lines of shipments cancelled before
/// payment are left out: nothing is owed for them.
async fn order_lines(db: &Db, order_id: OrderId) -> Result<Vec<OrderLineSnapshot>> {
    type Row = (i64, String, String, String, i64, i64, i64, String);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT l.line_no, l.shipment_id, l.seller_id, l.category_code, l.quantity, l.unit_price_minor, \
         l.line_total_minor, s.status FROM order_lines l JOIN shipments s ON s.id = l.shipment_id \
         WHERE l.order_id = $1 ORDER BY l.line_no",
    )
    .bind(order_id.to_string())
    .fetch_all(db.pool())
    .await?;
    let mut lines = Vec::with_capacity(rows.len());
    for (line_no, shipment, seller, category, quantity, unit, total, status) in rows {
        if status == ShipmentStatus::Cancelled.as_str() {
            continue;
        }
        lines.push(OrderLineSnapshot {
            line_no: u32::try_from(line_no)
                .map_err(|_| Error::Internal("bad stored line number".into()))?,
            shipment_id: parse_col::<ShipmentId>("order_lines.shipment_id", &shipment)?,
            seller_id: parse_col::<SellerId>("order_lines.seller_id", &seller)?,
            category_code: category,
            quantity: u32::try_from(quantity)
                .map_err(|_| Error::Internal("bad stored quantity".into()))?,
            unit_price_minor: unit,
            line_total_minor: total,
        });
    }
    if lines.is_empty() {
        return Err(Error::rule(
            ErrorCode::InvalidStateTransition,
            format!("Order {order_id} is cancelled: there is nothing to capture"),
        ));
    }
    Ok(lines)
}

/// Marks the shipments of newly captured orders `paid` (with their shipping
/// deadline), inside the settlement's transaction. Orders the ledger settles without
/// an order row (benchmarks, imports of history) simply match nothing.
pub(crate) async fn mark_paid_in(tx: &mut Tx, order_ids: &[OrderId], now: Timestamp) -> Result<()> {
    for chunk in order_ids.chunks(200) {
        let placeholders: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 1)).collect();
        let query = format!(
            "SELECT id, seller_id FROM shipments WHERE status = 'awaiting_payment' AND order_id IN ({})",
            placeholders.join(", ")
        );
        let mut select = sqlx::query_as::<_, (String, String)>(sqlx::AssertSqlSafe(query));
        for id in chunk {
            select = select.bind(id.to_string());
        }
        let shipments = select.fetch_all(&mut **tx).await?;
        if shipments.is_empty() {
            continue;
        }
        let actor = provider_actor();
        for (id, seller) in shipments {
            sqlx::query(
                "UPDATE shipments SET status = 'paid', paid_at = $2, ship_by = $2 + ship_hours * 3600000, \
                 updated_at = $2 WHERE id = $1 AND status = 'awaiting_payment'",
            )
            .bind(&id)
            .bind(now.millis())
            .execute(&mut **tx)
            .await?;
            insert_event(
                tx,
                EventRow {
                    shipment_id: parse_col("shipments.id", &id)?,
                    seller_id: parse_col("shipments.seller_id", &seller)?,
                    kind: "paid",
                    from: Some(ShipmentStatus::AwaitingPayment),
                    to: Some(ShipmentStatus::Paid),
                    actor: &actor,
                    external_id: None,
                    details: serde_json::json!({}),
                    occurred_at: now.millis(),
                },
            )
            .await?;
        }
    }
    Ok(())
}
