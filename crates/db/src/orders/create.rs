//! Taking an order from a channel: check every line against the catalog, reserve
//! stock, split into one shipment per seller, all in one transaction.

use super::{ChannelCtx, OrderRules};
use crate::util::{new_uuid, now_ms, search_text};
use crate::{Db, Error, Result, Tx, audit};
use domain::FieldError;
use domain::ids::{OrderId, ShipmentId};
use domain::orders::{
    Destination, OrderReceipt, OrderShipmentRef, ShipmentStatus, ValidOrder, split_into_shipments,
};
use std::collections::HashMap;

type SkuRow = (
    String,
    String,
    String,
    i64,
    String,
    i64,
    i64,
    String,
    String,
);
type ShipmentRefRow = (
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
);

struct SkuFacts {
    id: String,
    title: String,
    category_code: String,
}

/// `ABCD-EF12-3456`: 48 random bits, easy to read out on the phone.
fn order_number(id: OrderId) -> String {
    let hex = id.to_string().replace('-', "").to_ascii_uppercase();
    let tail = &hex[hex.len().saturating_sub(12)..];
    format!("{}-{}-{}", &tail[0..4], &tail[4..8], &tail[8..12])
}

/// Takes a validated order. Every line must name an active SKU of an active seller at
/// its current price and currency, with enough unreserved stock; all problems come
/// back at once (`lines[i].field`) and nothing is stored. A second order with the
/// same external id from the same channel is a conflict naming the first.
pub async fn create_order(
    db: &Db,
    channel: &ChannelCtx,
    order: &ValidOrder,
    rules: &OrderRules,
) -> Result<OrderReceipt> {
    let now = now_ms();
    let mut tx = db.begin().await?;
    if let Some((id, number)) = existing(&mut tx, channel, &order.external_order_id).await? {
        return Err(Error::conflict(format!(
            "Order {:?} was already received as {number} (id {id}); send each order once",
            order.external_order_id
        )));
    }

    // Check every line against the catalog and reserve its units.
    let mut errors = Vec::new();
    let mut facts: HashMap<u32, SkuFacts> = HashMap::new();
    for line in &order.lines {
        let row: Option<SkuRow> = sqlx::query_as(
            "SELECT k.id, k.status, k.title, k.price_minor, k.currency, k.stock, k.reserved, \
                 k.category_code, s.status FROM skus k JOIN sellers s ON s.id = k.seller_id \
                 WHERE k.seller_id = $1 AND k.seller_sku = $2",
        )
        .bind(line.seller_id.to_string())
        .bind(&line.seller_sku)
        .fetch_optional(&mut *tx)
        .await?;
        let at = |field: &str| format!("lines[{}].{field}", line.line_no);
        let Some((id, status, title, price, currency, stock, reserved, category, seller_status)) =
            row
        else {
            errors.push(FieldError::new(
                at("seller_sku"),
                "unknown_sku",
                format!("Seller {} has no SKU {:?}", line.seller_id, line.seller_sku),
            ));
            continue;
        };
        if status != "active" || seller_status != "active" {
            errors.push(FieldError::new(
                at("seller_sku"),
                "not_on_sale",
                format!(
                    "SKU {:?} is not on sale (its status is {status}, the seller's {seller_status})",
                    line.seller_sku
                ),
            ));
            continue;
        }
        if currency != order.currency.code() {
            errors.push(FieldError::new(
                at("unit_price"),
                "currency_mismatch",
                format!(
                    "SKU {:?} is priced in {currency}, the order in {}",
                    line.seller_sku,
                    order.currency.code()
                ),
            ));
            continue;
        }
        if price != line.unit_price.amount_minor() {
            errors.push(FieldError::new(
                at("unit_price"),
                "price_mismatch",
                format!(
                    "SKU {:?} costs {} now, not {}; refresh the price and resend",
                    line.seller_sku,
                    domain::money::Money::from_minor(price, order.currency).to_plain_string(),
                    line.unit_price.to_plain_string()
                ),
            ));
            continue;
        }
        let quantity = i64::from(line.quantity);
        let reserved_now = sqlx::query(
            "UPDATE skus SET reserved = reserved + $2 WHERE id = $1 AND stock - reserved >= $2",
        )
        .bind(&id)
        .bind(quantity)
        .execute(&mut *tx)
        .await?;
        if reserved_now.rows_affected() == 0 {
            errors.push(FieldError::new(
                at("quantity"),
                "insufficient_stock",
                format!(
                    "Only {} of SKU {:?} can be ordered now (asked for {quantity})",
                    (stock - reserved).max(0),
                    line.seller_sku
                ),
            ));
            continue;
        }
        facts.insert(
            line.line_no,
            SkuFacts {
                id,
                title,
                category_code: category,
            },
        );
    }
    if !errors.is_empty() {
        // Dropping the transaction rolls the reservations back.
        return Err(Error::Validation(errors));
    }

    let order_id = OrderId::from_uuid(new_uuid());
    let number = order_number(order_id);
    let destination = serde_json::to_string(&order.delivery.destination)
        .map_err(|e| Error::Internal(format!("cannot store a destination: {e}")))?;
    let buyer = match &order.buyer {
        Some(b) => Some(
            serde_json::to_string(b)
                .map_err(|e| Error::Internal(format!("cannot store a buyer: {e}")))?,
        ),
        None => None,
    };
    let inserted = sqlx::query(
        "INSERT INTO orders (id, number, channel_key_id, channel, external_order_id, currency, \
         total_minor, delivery_method, destination, buyer, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(order_id.to_string())
    .bind(&number)
    .bind(channel.key_id())
    .bind(&order.channel)
    .bind(&order.external_order_id)
    .bind(order.currency.code())
    .bind(order.total.amount_minor())
    .bind(order.delivery.method.as_str())
    .bind(destination)
    .bind(buyer)
    .bind(now)
    .execute(&mut *tx)
    .await;
    if let Err(e) = inserted {
        let e = Error::from(e);
        if e.violates_unique(
            "orders_external_key",
            "orders.channel_key_id, orders.external_order_id",
        ) {
            return Err(Error::conflict(format!(
                "Order {:?} was already received; send each order once",
                order.external_order_id
            )));
        }
        return Err(e);
    }

    let ship_hours = i64::from(rules.deadlines.hours(order.delivery.method));
    let mut shipments = Vec::new();
    for (n, draft) in split_into_shipments(order).into_iter().enumerate() {
        let shipment_id = ShipmentId::from_uuid(new_uuid());
        let shipment_number = format!("{number}/{}", n + 1);
        let lines: Vec<_> = order
            .lines
            .iter()
            .filter(|l| draft.line_nos.contains(&l.line_no))
            .collect();
        let items: i64 = lines.iter().map(|l| i64::from(l.quantity)).sum();
        let mut search_parts: Vec<&str> = vec![&number, &order.external_order_id];
        for l in &lines {
            search_parts.push(&l.seller_sku);
            if let Some(f) = facts.get(&l.line_no) {
                search_parts.push(&f.title);
            }
        }
        sqlx::query(
            "INSERT INTO shipments (id, order_id, number, seller_id, status, delivery_method, currency, \
             total_minor, items, ship_hours, search_text, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'awaiting_payment', $5, $6, $7, $8, $9, $10, $11, $11)",
        )
        .bind(shipment_id.to_string())
        .bind(order_id.to_string())
        .bind(&shipment_number)
        .bind(draft.seller_id.to_string())
        .bind(order.delivery.method.as_str())
        .bind(order.currency.code())
        .bind(draft.total.amount_minor())
        .bind(items)
        .bind(ship_hours)
        .bind(search_text(&search_parts))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for l in &lines {
            let f = facts
                .get(&l.line_no)
                .ok_or_else(|| Error::Internal("a checked line lost its SKU".into()))?;
            sqlx::query(
                "INSERT INTO order_lines (order_id, line_no, shipment_id, seller_id, sku_id, seller_sku, \
                 title, category_code, quantity, unit_price_minor, line_total_minor) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(order_id.to_string())
            .bind(i64::from(l.line_no))
            .bind(shipment_id.to_string())
            .bind(l.seller_id.to_string())
            .bind(&f.id)
            .bind(&l.seller_sku)
            .bind(&f.title)
            .bind(&f.category_code)
            .bind(i64::from(l.quantity))
            .bind(l.unit_price.amount_minor())
            .bind(l.line_total.amount_minor())
            .execute(&mut *tx)
            .await?;
        }
        super::shipments::insert_event(
            &mut tx,
            super::shipments::EventRow {
                shipment_id,
                seller_id: draft.seller_id,
                kind: "created",
                from: None,
                to: Some(ShipmentStatus::AwaitingPayment),
                actor: channel.actor(),
                external_id: None,
                details: serde_json::json!({ "order": number, "external_order_id": order.external_order_id }),
                occurred_at: now,
            },
        )
        .await?;
        shipments.push(OrderShipmentRef {
            id: shipment_id,
            number: shipment_number,
            seller_id: draft.seller_id,
            status: ShipmentStatus::AwaitingPayment,
            total_minor: draft.total.amount_minor(),
            carrier: None,
            tracking_number: None,
        });
    }
    audit::record(
        &mut tx,
        channel.actor(),
        "order.created",
        "order",
        &order_id.to_string(),
        None,
        serde_json::json!({
            "number": number,
            "external_order_id": order.external_order_id,
            "total_minor": order.total.amount_minor(),
            "shipments": shipments.len(),
        }),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(order = %number, shipments = shipments.len(), "order received");
    Ok(OrderReceipt {
        id: order_id,
        number,
        external_order_id: order.external_order_id.clone(),
        channel: order.channel.clone(),
        currency: order.currency,
        total_minor: order.total.amount_minor(),
        created_at: now,
        shipments,
    })
}

async fn existing(
    tx: &mut Tx,
    channel: &ChannelCtx,
    external_order_id: &str,
) -> Result<Option<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, number FROM orders WHERE channel_key_id = $1 AND external_order_id = $2",
    )
    .bind(channel.key_id())
    .bind(external_order_id)
    .fetch_optional(&mut **tx)
    .await?)
}

/// An order as its channel sees it (only the channel that sent it).
pub async fn get_order_for_channel(
    db: &Db,
    channel: &ChannelCtx,
    order_id: OrderId,
) -> Result<OrderReceipt> {
    let row: Option<(String, String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT number, external_order_id, channel, currency, total_minor, created_at FROM orders \
         WHERE id = $1 AND channel_key_id = $2",
    )
    .bind(order_id.to_string())
    .bind(channel.key_id())
    .fetch_optional(db.pool())
    .await?;
    let (number, external_order_id, channel_code, currency, total_minor, created_at) =
        row.ok_or(Error::NotFound("order"))?;
    let rows: Vec<ShipmentRefRow> = sqlx::query_as(
        "SELECT id, number, seller_id, status, total_minor, carrier, tracking_number \
             FROM shipments WHERE order_id = $1 ORDER BY number",
    )
    .bind(order_id.to_string())
    .fetch_all(db.pool())
    .await?;
    let mut shipments = Vec::with_capacity(rows.len());
    for (id, number, seller_id, status, total_minor, carrier, tracking_number) in rows {
        shipments.push(OrderShipmentRef {
            id: crate::util::parse_col("shipments.id", &id)?,
            number,
            seller_id: crate::util::parse_col("shipments.seller_id", &seller_id)?,
            status: crate::util::parse_col("shipments.status", &status)?,
            total_minor,
            carrier,
            tracking_number,
        });
    }
    Ok(OrderReceipt {
        id: order_id,
        number,
        external_order_id,
        channel: channel_code,
        currency: crate::util::parse_col("orders.currency", &currency)?,
        total_minor,
        created_at,
        shipments,
    })
}

/// The destination as one line of text for people.
pub fn destination_text(destination: &Destination) -> String {
    match destination {
        Destination::Address(a) => {
            let mut parts: Vec<&str> = Vec::new();
            if let Some(p) = a.postal_code.as_deref() {
                parts.push(p);
            }
            parts.push(&a.country);
            if let Some(r) = a.region.as_deref() {
                parts.push(r);
            }
            parts.push(&a.city);
            parts.push(&a.line1);
            if let Some(l) = a.line2.as_deref() {
                parts.push(l);
            }
            parts.join(", ")
        }
        Destination::PickupPoint { pickup_point_id } => format!("pickup point {pickup_point_id}"),
    }
}
