//! Moving shipments through the state machine (`domain::orders::next_status`): the
//! seller confirms, ships and cancels; carriers or staff report delivery; the channel
//! cancels; the late-shipment rule charges penalties. Each change locks the shipment
//! row, writes its event, and does its side effects (stock, hold, penalty) in one
//! transaction.

use super::OrderRules;
use crate::auth::{Actor, SellerCtx};
use crate::ledger::holds::mark_delivered_in;
use crate::ledger::penalties::{PenaltyBy, PenaltyInput, apply_penalty_in};
use crate::util::{new_uuid, now_ms, parse_col};
use crate::{Db, Error, Result, Tx};
use domain::ErrorCode;
use domain::ids::{OrderId, SellerId, ShipmentId};
use domain::ledger::{IdempotencyKey, PenaltyReason};
use domain::money::{Currency, Money};
use domain::orders::{
    CancelledBy, CarrierEffect, CarrierEvent, DeliveryReportedBy, OrderError, SellerCancelReason,
    ShipmentEvent, ShipmentStatus, carrier_effect, next_status, penalty_for_transition,
};
use domain::time::Timestamp;
use serde::{Deserialize, Serialize};

/// One `shipment_events` row to write.
pub(crate) struct EventRow<'a> {
    pub shipment_id: ShipmentId,
    pub seller_id: SellerId,
    pub kind: &'a str,
    pub from: Option<ShipmentStatus>,
    pub to: Option<ShipmentStatus>,
    pub actor: &'a Actor,
    pub external_id: Option<&'a str>,
    pub details: serde_json::Value,
    pub occurred_at: i64,
}

pub(crate) async fn insert_event(tx: &mut Tx, row: EventRow<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO shipment_events (id, shipment_id, seller_id, kind, from_status, to_status, \
         actor_kind, actor_label, external_id, details, occurred_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(new_uuid().to_string())
    .bind(row.shipment_id.to_string())
    .bind(row.seller_id.to_string())
    .bind(row.kind)
    .bind(row.from.map(|s| s.as_str()))
    .bind(row.to.map(|s| s.as_str()))
    .bind(row.actor.kind.as_str())
    .bind(&row.actor.label)
    .bind(row.external_id)
    .bind(row.details.to_string())
    .bind(row.occurred_at)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The snake_case name serde gives a unit enum variant.
pub(crate) fn snake<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[derive(Debug, Clone)]
pub(crate) struct Locked {
    pub id: ShipmentId,
    pub order_id: OrderId,
    pub seller_id: SellerId,
    pub status: ShipmentStatus,
    pub delivery_method: domain::orders::DeliveryMethod,
    pub currency: Currency,
    pub total_minor: i64,
    pub paid_at: Option<i64>,
    pub ship_by: Option<i64>,
    pub late_checked: bool,
    pub tracking_number: Option<String>,
}

type LockedRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    i64,
    Option<String>,
);

/// Locks a shipment row (PostgreSQL `FOR UPDATE`; SQLite writers are serial),
/// optionally only if it belongs to `seller`.
pub(crate) async fn lock(
    tx: &mut Tx,
    engine: crate::Engine,
    id: ShipmentId,
    seller: Option<SellerId>,
) -> Result<Locked> {
    let query = format!(
        "SELECT id, order_id, seller_id, status, delivery_method, currency, total_minor, paid_at, ship_by, \
         late_checked, tracking_number FROM shipments WHERE id = $1 AND ($2 = '' OR seller_id = $2){}",
        engine.for_update()
    );
    let row: Option<LockedRow> = sqlx::query_as(sqlx::AssertSqlSafe(query))
        .bind(id.to_string())
        .bind(seller.map(|s| s.to_string()).unwrap_or_default())
        .fetch_optional(&mut **tx)
        .await?;
    let (sid, order, seller_id, status, method, currency, total, paid_at, ship_by, late, tracking) =
        row.ok_or(Error::NotFound("shipment"))?;
    Ok(Locked {
        id: parse_col("shipments.id", &sid)?,
        order_id: parse_col("shipments.order_id", &order)?,
        seller_id: parse_col("shipments.seller_id", &seller_id)?,
        status: parse_col("shipments.status", &status)?,
        delivery_method: super::parse_method(&method)?,
        currency: parse_col("shipments.currency", &currency)?,
        total_minor: total,
        paid_at,
        ship_by,
        late_checked: late != 0,
        tracking_number: tracking,
    })
}

fn transition_error(e: OrderError) -> Error {
    match e {
        OrderError::InvalidTransition { from, event } => Error::rule(
            ErrorCode::InvalidStateTransition,
            format!("A shipment that is {from} cannot be {event}"),
        ),
        other => Error::rule(ErrorCode::Validation, other.to_string()),
    }
}

/// Applies `event` to a locked shipment: status and its timestamps, the event row,
/// stock, the hold's release date and automatic penalties.
#[expect(
    clippy::too_many_arguments,
    reason = "one transition's whole context; a struct would only rename the parameters"
)]
pub(crate) async fn apply(
    tx: &mut Tx,
    engine: crate::Engine,
    shipment: &Locked,
    event: &ShipmentEvent,
    actor: &Actor,
    external_id: Option<&str>,
    mut details: serde_json::Value,
    rules: &OrderRules,
    now: i64,
) -> Result<ShipmentStatus> {
    let next = next_status(shipment.status, event).map_err(transition_error)?;
    let id = shipment.id.to_string();
    match event {
        ShipmentEvent::PaymentCaptured => {
            return Err(Error::Internal(
                "captures are applied by the settlement".into(),
            ));
        }
        ShipmentEvent::SellerConfirmed => {
            sqlx::query("UPDATE shipments SET status = $2, confirmed_at = $3, updated_at = $3 WHERE id = $1")
                .bind(&id)
                .bind(next.as_str())
                .bind(now)
                .execute(&mut **tx)
                .await?;
        }
        ShipmentEvent::Shipped {
            carrier,
            tracking_number,
        } => {
            sqlx::query(
                "UPDATE shipments SET status = $2, shipped_at = $3, carrier = $4, tracking_number = $5, \
                 search_text = search_text || ' ' || $6, updated_at = $3 WHERE id = $1",
            )
            .bind(&id)
            .bind(next.as_str())
            .bind(now)
            .bind(carrier.as_str())
            .bind(tracking_number.as_str())
            .bind(tracking_number.as_str().to_lowercase())
            .execute(&mut **tx)
            .await?;
            // The units leave the warehouse: off the stock and off the reservation.
            sqlx::query(
                "UPDATE skus SET stock = stock - (SELECT CAST(COALESCE(SUM(l.quantity), 0) AS BIGINT) FROM order_lines l \
                 WHERE l.shipment_id = $1 AND l.sku_id = skus.id), \
                 reserved = reserved - (SELECT CAST(COALESCE(SUM(l.quantity), 0) AS BIGINT) FROM order_lines l \
                 WHERE l.shipment_id = $1 AND l.sku_id = skus.id) \
                 WHERE id IN (SELECT sku_id FROM order_lines WHERE shipment_id = $1)",
            )
            .bind(&id)
            .execute(&mut **tx)
            .await?;
            details["carrier"] = serde_json::json!(carrier.as_str());
            details["tracking_number"] = serde_json::json!(tracking_number.as_str());
            if let (Some(paid_at), false) = (shipment.paid_at, shipment.late_checked) {
                let late = rules.deadlines.is_late(
                    shipment.delivery_method,
                    Timestamp::from_millis(paid_at),
                    Some(Timestamp::from_millis(now)),
                    Timestamp::from_millis(now),
                );
                if late {
                    charge(tx, shipment, PenaltyReason::LateShipment, rules).await?;
                    details["late"] = serde_json::json!(true);
                }
                sqlx::query("UPDATE shipments SET late_checked = 1 WHERE id = $1")
                    .bind(&id)
                    .execute(&mut **tx)
                    .await?;
            }
        }
        ShipmentEvent::Delivered { reported_by } => {
            sqlx::query("UPDATE shipments SET status = $2, delivered_at = $3, updated_at = $3 WHERE id = $1")
                .bind(&id)
                .bind(next.as_str())
                .bind(now)
                .execute(&mut **tx)
                .await?;
            let release_at =
                mark_delivered_in(tx, engine, shipment.id, Timestamp::from_millis(now)).await?;
            details["reported_by"] = serde_json::json!(snake(reported_by));
            details["hold_release_at"] = serde_json::json!(release_at.millis());
        }
        ShipmentEvent::Cancelled { cancelled_by } => {
            let (by, reason) = match cancelled_by {
                CancelledBy::Seller { reason } => ("seller", Some(snake(reason))),
                CancelledBy::Channel => ("channel", None),
                CancelledBy::PaymentFailure => ("payment_failure", None),
            };
            sqlx::query(
                "UPDATE shipments SET status = $2, cancelled_at = $3, cancelled_by = $4, cancel_reason = $5, \
                 updated_at = $3 WHERE id = $1",
            )
            .bind(&id)
            .bind(next.as_str())
            .bind(now)
            .bind(by)
            .bind(reason.clone())
            .execute(&mut **tx)
            .await?;
            // The reserved units go back on sale.
            sqlx::query(
                "UPDATE skus SET reserved = reserved - (SELECT CAST(COALESCE(SUM(l.quantity), 0) AS BIGINT) FROM order_lines l \
                 WHERE l.shipment_id = $1 AND l.sku_id = skus.id) \
                 WHERE id IN (SELECT sku_id FROM order_lines WHERE shipment_id = $1)",
            )
            .bind(&id)
            .execute(&mut **tx)
            .await?;
            details["cancelled_by"] = serde_json::json!(by);
            if let Some(reason) = reason {
                details["reason"] = serde_json::json!(reason);
            }
            if let Some(penalty) = penalty_for_transition(shipment.status, event) {
                charge(tx, shipment, penalty, rules).await?;
                details["penalty"] = serde_json::json!(penalty.as_str());
            }
        }
    }
    insert_event(
        tx,
        EventRow {
            shipment_id: shipment.id,
            seller_id: shipment.seller_id,
            kind: event_kind(event),
            from: Some(shipment.status),
            to: Some(next),
            actor,
            external_id,
            details,
            occurred_at: now,
        },
    )
    .await?;
    Ok(next)
}

fn event_kind(event: &ShipmentEvent) -> &'static str {
    match event {
        ShipmentEvent::PaymentCaptured => "paid",
        ShipmentEvent::SellerConfirmed => "confirmed",
        ShipmentEvent::Shipped { .. } => "shipped",
        ShipmentEvent::Delivered { .. } => "delivered",
        ShipmentEvent::Cancelled { .. } => "cancelled",
    }
}

/// Charges an automatic penalty for a shipment, at most once per reason.
async fn charge(
    tx: &mut Tx,
    shipment: &Locked,
    reason: PenaltyReason,
    rules: &OrderRules,
) -> Result<()> {
    let total = Money::from_minor(shipment.total_minor, shipment.currency);
    let amount = match rules.penalties.automatic_amount(reason, total) {
        Ok(Some(amount)) if amount.amount_minor() > 0 => amount,
        Ok(_) => return Ok(()),
        Err(e) => {
            tracing::warn!(shipment = %shipment.id, error = %e, "no automatic penalty for this currency");
            return Ok(());
        }
    };
    let key = IdempotencyKey::parse(&format!("penalty:{}:{}", reason.as_str(), shipment.id))
        .map_err(|e| Error::Internal(format!("bad penalty key: {e}")))?;
    let note = match reason {
        PenaltyReason::LateShipment => {
            "Shipped after the shipping deadline / Отгружено позже срока"
        }
        _ => "Cancelled a paid order / Отмена оплаченного заказа",
    };
    apply_penalty_in(
        tx,
        PenaltyBy::Automatic,
        &PenaltyInput {
            seller_id: shipment.seller_id,
            amount,
            reason,
            order_id: Some(shipment.order_id),
            shipment_id: Some(shipment.id),
            note: note.to_string(),
            key,
        },
    )
    .await?;
    Ok(())
}

/// Runs one state change on a shipment in its own transaction.
async fn change(
    db: &Db,
    id: ShipmentId,
    seller: Option<SellerId>,
    event: ShipmentEvent,
    actor: &Actor,
    rules: &OrderRules,
) -> Result<ShipmentStatus> {
    let mut tx = db.begin().await?;
    let shipment = lock(&mut tx, db.engine(), id, seller).await?;
    let next = apply(
        &mut tx,
        db.engine(),
        &shipment,
        &event,
        actor,
        None,
        serde_json::json!({}),
        rules,
        now_ms(),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(shipment = %id, to = next.as_str(), "shipment changed");
    Ok(next)
}

fn require_orders_write(ctx: &SellerCtx) -> Result<()> {
    if ctx.member_role().can_edit_catalog() {
        Ok(())
    } else {
        Err(Error::forbidden(
            "Your role in the organisation cannot change orders",
        ))
    }
}

/// The seller accepts a paid shipment.
pub async fn confirm(
    db: &Db,
    ctx: &SellerCtx,
    id: ShipmentId,
    rules: &OrderRules,
) -> Result<ShipmentStatus> {
    require_orders_write(ctx)?;
    change(
        db,
        id,
        Some(ctx.seller_id()),
        ShipmentEvent::SellerConfirmed,
        ctx.actor(),
        rules,
    )
    .await
}

/// The seller hands a confirmed shipment to a carrier.
pub async fn ship(
    db: &Db,
    ctx: &SellerCtx,
    id: ShipmentId,
    carrier: &str,
    tracking_number: &str,
    rules: &OrderRules,
) -> Result<ShipmentStatus> {
    require_orders_write(ctx)?;
    let mut errors = Vec::new();
    let carrier = domain::orders::CarrierCode::parse(carrier)
        .map_err(|e| errors.push(domain::FieldError::new("carrier", "invalid", e.to_string())))
        .ok();
    let tracking = domain::orders::TrackingNumber::parse(tracking_number)
        .map_err(|e| {
            errors.push(domain::FieldError::new(
                "tracking_number",
                "invalid",
                e.to_string(),
            ))
        })
        .ok();
    let (Some(carrier), Some(tracking_number)) = (carrier, tracking) else {
        return Err(Error::Validation(errors));
    };
    let event = ShipmentEvent::Shipped {
        carrier,
        tracking_number,
    };
    change(db, id, Some(ctx.seller_id()), event, ctx.actor(), rules).await
}

/// The seller cancels a shipment before shipping; a paid one costs a penalty.
pub async fn cancel_by_seller(
    db: &Db,
    ctx: &SellerCtx,
    id: ShipmentId,
    reason: SellerCancelReason,
    rules: &OrderRules,
) -> Result<ShipmentStatus> {
    require_orders_write(ctx)?;
    let event = ShipmentEvent::Cancelled {
        cancelled_by: CancelledBy::Seller { reason },
    };
    change(db, id, Some(ctx.seller_id()), event, ctx.actor(), rules).await
}

/// Staff confirm a delivery the carrier did not report (`actor` is the staff member).
pub async fn confirm_delivery_by_staff(
    db: &Db,
    actor: &Actor,
    id: ShipmentId,
    rules: &OrderRules,
) -> Result<ShipmentStatus> {
    let event = ShipmentEvent::Delivered {
        reported_by: DeliveryReportedBy::Staff,
    };
    change(db, id, None, event, actor, rules).await
}

/// The channel cancels what is not shipped yet of one of its orders.
pub async fn cancel_by_channel(
    db: &Db,
    channel: &super::ChannelCtx,
    order_id: OrderId,
    rules: &OrderRules,
) -> Result<Vec<(ShipmentId, ShipmentStatus)>> {
    let mut tx = db.begin().await?;
    let ids: Vec<(String,)> = sqlx::query_as(
        "SELECT s.id FROM shipments s JOIN orders o ON o.id = s.order_id \
         WHERE o.id = $1 AND o.channel_key_id = $2 ORDER BY s.number",
    )
    .bind(order_id.to_string())
    .bind(channel.key_id())
    .fetch_all(&mut *tx)
    .await?;
    if ids.is_empty() {
        return Err(Error::NotFound("order"));
    }
    let now = now_ms();
    let mut out = Vec::new();
    for (id,) in ids {
        let shipment = lock(&mut tx, db.engine(), parse_col("shipments.id", &id)?, None).await?;
        if shipment.status == ShipmentStatus::Cancelled {
            out.push((shipment.id, shipment.status));
            continue;
        }
        let event = ShipmentEvent::Cancelled {
            cancelled_by: CancelledBy::Channel,
        };
        let next = apply(
            &mut tx,
            db.engine(),
            &shipment,
            &event,
            channel.actor(),
            None,
            serde_json::json!({}),
            rules,
            now,
        )
        .await?;
        out.push((shipment.id, next));
    }
    tx.commit().await?;
    Ok(out)
}

/// What a carrier event did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarrierReceipt {
    pub shipment_id: ShipmentId,
    pub status: ShipmentStatus,
    /// `applied`, `recorded`, `needs_attention` or `duplicate`.
    pub effect: String,
}

/// A carrier's tracking event for a shipment (reported through a channel key).
/// Redelivered events (same carrier event id) change nothing.
pub async fn carrier_event(
    db: &Db,
    actor: &Actor,
    id: ShipmentId,
    event: &CarrierEvent,
    rules: &OrderRules,
) -> Result<CarrierReceipt> {
    let mut tx = db.begin().await?;
    let shipment = lock(&mut tx, db.engine(), id, None).await?;
    let seen: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM shipment_events WHERE shipment_id = $1 AND external_id = $2",
    )
    .bind(id.to_string())
    .bind(&event.event_id)
    .fetch_optional(&mut *tx)
    .await?;
    if seen.is_some() {
        return Ok(CarrierReceipt {
            shipment_id: id,
            status: shipment.status,
            effect: "duplicate".into(),
        });
    }
    if let Some(tracking) = &shipment.tracking_number
        && tracking != event.tracking_number.as_str()
    {
        return Err(Error::field(
            "tracking_number",
            "tracking_mismatch",
            format!(
                "Shipment {id} travels under tracking number {tracking}, not {}",
                event.tracking_number.as_str()
            ),
        ));
    }
    let details = serde_json::json!({
        "carrier": event.carrier.as_str(),
        "tracking_number": event.tracking_number.as_str(),
        "carrier_event": snake(&event.kind),
        "carrier_time": event.occurred_at.millis(),
    });
    let now = now_ms();
    let (status, effect) = match carrier_effect(shipment.status, event) {
        CarrierEffect::Apply { event: change } => {
            let next = apply(
                &mut tx,
                db.engine(),
                &shipment,
                &change,
                actor,
                Some(&event.event_id),
                details,
                rules,
                now,
            )
            .await?;
            (next, "applied")
        }
        other => {
            let effect = if other == CarrierEffect::RecordOnly {
                "recorded"
            } else {
                "needs_attention"
            };
            insert_event(
                &mut tx,
                EventRow {
                    shipment_id: shipment.id,
                    seller_id: shipment.seller_id,
                    kind: if effect == "recorded" {
                        "carrier"
                    } else {
                        "carrier_attention"
                    },
                    from: None,
                    to: None,
                    actor,
                    external_id: Some(&event.event_id),
                    details,
                    occurred_at: now,
                },
            )
            .await?;
            (shipment.status, effect)
        }
    };
    tx.commit().await?;
    Ok(CarrierReceipt {
        shipment_id: id,
        status,
        effect: effect.into(),
    })
}

/// Charges the late-shipment penalty, once, on paid shipments past their deadline
/// that are still not shipped. Returns how many were charged.
pub async fn penalise_overdue(
    db: &Db,
    now: Timestamp,
    rules: &OrderRules,
    limit: i64,
) -> Result<usize> {
    let due: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM shipments WHERE status IN ('paid', 'confirmed') AND late_checked = 0 \
         AND ship_by < $1 ORDER BY ship_by LIMIT $2",
    )
    .bind(now.millis())
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    let mut charged = 0;
    for (id,) in due {
        let mut tx = db.begin().await?;
        let shipment = lock(&mut tx, db.engine(), parse_col("shipments.id", &id)?, None).await?;
        if shipment.late_checked || !shipment.status.awaits_shipping() {
            continue;
        }
        if shipment.ship_by.is_some_and(|b| b < now.millis()) {
            charge(&mut tx, &shipment, PenaltyReason::LateShipment, rules).await?;
            insert_event(
                &mut tx,
                EventRow {
                    shipment_id: shipment.id,
                    seller_id: shipment.seller_id,
                    kind: "overdue",
                    from: None,
                    to: None,
                    actor: &Actor::system(),
                    external_id: None,
                    details: serde_json::json!({ "penalty": PenaltyReason::LateShipment.as_str() }),
                    occurred_at: now.millis(),
                },
            )
            .await?;
            charged += 1;
        }
        sqlx::query("UPDATE shipments SET late_checked = 1 WHERE id = $1")
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(charged)
}
