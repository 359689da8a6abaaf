//! Reading shipments: the seller's own (always filtered by the caller's seller id) and
//! all of them for staff.

use crate::auth::SellerCtx;
use crate::util::{like_contains, parse_col, search_needle};
use crate::{Db, Error, Result};
use domain::ids::{SellerId, ShipmentId};
use domain::orders::{
    BuyerContact, Destination, ShipmentCounts, ShipmentDetail, ShipmentEventView, ShipmentLineView,
    ShipmentMoney, ShipmentStatus, ShipmentSummary,
};
use domain::page::Page;
use serde::{Deserialize, Serialize};

/// Filters of a shipment list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentFilter {
    /// A status, or `overdue` (paid or confirmed past the deadline).
    pub status: Option<String>,
    /// Order or shipment number, external id, seller SKU, title or tracking number.
    pub q: Option<String>,
    pub offset: i64,
    pub limit: i64,
}

const SUMMARY_SELECT: &str = "s.id, s.number, s.order_id, o.number, s.seller_id, se.name, o.channel, \
    o.external_order_id, s.status, s.delivery_method, s.currency, s.total_minor, s.items, s.ship_by, \
    s.created_at, s.updated_at";

type SummaryRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<i64>,
    i64,
    i64,
);

fn summary(row: SummaryRow) -> Result<ShipmentSummary> {
    let (
        id,
        number,
        order_id,
        order_number,
        seller_id,
        seller_name,
        channel,
        external_order_id,
        status,
        method,
        currency,
        total_minor,
        items,
        ship_by,
        created_at,
        updated_at,
    ) = row;
    Ok(ShipmentSummary {
        id: parse_col("shipments.id", &id)?,
        number,
        order_id: parse_col("shipments.order_id", &order_id)?,
        order_number,
        seller_id: parse_col("shipments.seller_id", &seller_id)?,
        seller_name,
        channel,
        external_order_id,
        status: parse_col("shipments.status", &status)?,
        delivery_method: super::parse_method(&method)?,
        currency: parse_col("shipments.currency", &currency)?,
        total_minor,
        items,
        ship_by,
        created_at,
        updated_at,
    })
}

async fn list(
    db: &Db,
    seller: Option<SellerId>,
    filter: &ShipmentFilter,
    now_ms: i64,
) -> Result<Page<ShipmentSummary>> {
    let limit = filter.limit.clamp(1, 200);
    let offset = filter.offset.max(0);
    let mut conditions = vec!["($1 = '' OR s.seller_id = $1)".to_string()];
    let status = filter.status.as_deref().unwrap_or("").trim().to_string();
    match status.as_str() {
        "" => {}
        "overdue" => {
            conditions.push("s.status IN ('paid', 'confirmed') AND s.ship_by < $2".to_string())
        }
        other => {
            other.parse::<ShipmentStatus>().map_err(|_| {
                Error::field(
                    "status",
                    "unknown_status",
                    format!("Unknown status {other:?}"),
                )
            })?;
            conditions.push("s.status = $3".to_string());
        }
    }
    let needle = filter
        .q
        .as_deref()
        .map(search_needle)
        .filter(|q| !q.is_empty());
    if needle.is_some() {
        conditions.push("s.search_text LIKE $4 ESCAPE '\\'".to_string());
    }
    let where_sql = conditions.join(" AND ");
    let seller = seller.map(|s| s.to_string()).unwrap_or_default();
    let pattern = needle.as_deref().map(like_contains).unwrap_or_default();
    let count_sql = format!(
        "SELECT COUNT(*) FROM shipments s WHERE {where_sql} AND $2 = $2 AND $3 = $3 AND $4 = $4"
    );
    let (total,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(count_sql))
        .bind(&seller)
        .bind(now_ms)
        .bind(&status)
        .bind(&pattern)
        .fetch_one(db.pool())
        .await?;
    let list_sql = format!(
        "SELECT {SUMMARY_SELECT} FROM shipments s JOIN orders o ON o.id = s.order_id \
         JOIN sellers se ON se.id = s.seller_id WHERE {where_sql} AND $2 = $2 AND $3 = $3 AND $4 = $4 \
         ORDER BY s.created_at DESC, s.id DESC LIMIT $5 OFFSET $6"
    );
    let rows: Vec<SummaryRow> = sqlx::query_as(sqlx::AssertSqlSafe(list_sql))
        .bind(&seller)
        .bind(now_ms)
        .bind(&status)
        .bind(&pattern)
        .bind(limit)
        .bind(offset)
        .fetch_all(db.pool())
        .await?;
    Ok(Page {
        items: rows.into_iter().map(summary).collect::<Result<_>>()?,
        total,
        offset,
        limit,
    })
}

/// The caller's seller's shipments, newest first.
pub async fn list_seller_shipments(
    db: &Db,
    ctx: &SellerCtx,
    filter: &ShipmentFilter,
) -> Result<Page<ShipmentSummary>> {
    list(db, Some(ctx.seller_id()), filter, crate::util::now_ms()).await
}

/// All shipments, for staff (admin, finance).
pub async fn list_all_shipments(
    db: &Db,
    _staff: &crate::auth::Actor,
    filter: &ShipmentFilter,
) -> Result<Page<ShipmentSummary>> {
    list(db, None, filter, crate::util::now_ms()).await
}

/// Counts per status of the caller's seller's shipments.
pub async fn seller_shipment_counts(db: &Db, ctx: &SellerCtx) -> Result<ShipmentCounts> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, COUNT(*) FROM shipments WHERE seller_id = $1 GROUP BY status",
    )
    .bind(ctx.seller_id().to_string())
    .fetch_all(db.pool())
    .await?;
    let mut counts = ShipmentCounts::default();
    for (status, n) in rows {
        match status.as_str() {
            "awaiting_payment" => counts.awaiting_payment = n,
            "paid" => counts.paid = n,
            "confirmed" => counts.confirmed = n,
            "shipped" => counts.shipped = n,
            "delivered" => counts.delivered = n,
            "cancelled" => counts.cancelled = n,
            _ => {}
        }
    }
    let (overdue,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM shipments WHERE seller_id = $1 AND status IN ('paid', 'confirmed') AND ship_by < $2",
    )
    .bind(ctx.seller_id().to_string())
    .bind(crate::util::now_ms())
    .fetch_one(db.pool())
    .await?;
    counts.overdue = overdue;
    Ok(counts)
}

/// One of the caller's seller's shipments; another seller's is "not found".
pub async fn get_seller_shipment(
    db: &Db,
    ctx: &SellerCtx,
    id: ShipmentId,
) -> Result<ShipmentDetail> {
    detail(db, Some(ctx.seller_id()), id).await
}

/// Any shipment, for staff.
pub async fn get_any_shipment(
    db: &Db,
    _staff: &crate::auth::Actor,
    id: ShipmentId,
) -> Result<ShipmentDetail> {
    detail(db, None, id).await
}

type DetailRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

async fn detail(db: &Db, seller: Option<SellerId>, id: ShipmentId) -> Result<ShipmentDetail> {
    let seller = seller.map(|s| s.to_string()).unwrap_or_default();
    let query = format!(
        "SELECT {SUMMARY_SELECT} FROM shipments s JOIN orders o ON o.id = s.order_id \
         JOIN sellers se ON se.id = s.seller_id WHERE s.id = $1 AND ($2 = '' OR s.seller_id = $2)"
    );
    let row: Option<SummaryRow> = sqlx::query_as(sqlx::AssertSqlSafe(query))
        .bind(id.to_string())
        .bind(&seller)
        .fetch_optional(db.pool())
        .await?;
    let summary = summary(row.ok_or(Error::NotFound("shipment"))?)?;
    let (
        destination,
        buyer,
        carrier,
        tracking,
        paid,
        confirmed,
        shipped,
        delivered,
        cancelled,
        by,
        reason,
    ): DetailRow = sqlx::query_as(
        "SELECT o.destination, o.buyer, s.carrier, s.tracking_number, s.paid_at, s.confirmed_at, \
             s.shipped_at, s.delivered_at, s.cancelled_at, s.cancelled_by, s.cancel_reason \
             FROM shipments s JOIN orders o ON o.id = s.order_id WHERE s.id = $1",
    )
    .bind(id.to_string())
    .fetch_one(db.pool())
    .await?;
    let destination = serde_json::from_str::<Destination>(&destination)
        .map(|d| super::create::destination_text(&d))
        .unwrap_or(destination);
    let buyer_name = buyer
        .and_then(|b| serde_json::from_str::<BuyerContact>(&b).ok())
        .and_then(|b| b.name);

    type LineRow = (
        i64,
        String,
        String,
        String,
        i64,
        i64,
        i64,
        Option<i64>,
        Option<i64>,
        Option<i64>,
    );
    let line_rows: Vec<LineRow> = sqlx::query_as(
        "SELECT l.line_no, l.seller_sku, l.title, l.category_code, l.quantity, l.unit_price_minor, \
         l.line_total_minor, c.commission_minor, c.rate_bps, c.refunded_minor \
         FROM order_lines l LEFT JOIN capture_lines c ON c.order_id = l.order_id AND c.line_no = l.line_no \
         WHERE l.shipment_id = $1 ORDER BY l.line_no",
    )
    .bind(id.to_string())
    .fetch_all(db.pool())
    .await?;
    let lines = line_rows
        .into_iter()
        .map(
            |(
                line_no,
                seller_sku,
                title,
                category_code,
                quantity,
                unit,
                total,
                commission,
                rate,
                refunded,
            )| {
                ShipmentLineView {
                    line_no,
                    seller_sku,
                    title,
                    category_code,
                    quantity,
                    unit_price_minor: unit,
                    line_total_minor: total,
                    commission_minor: commission,
                    commission_rate_bps: rate,
                    refunded_minor: refunded.unwrap_or(0),
                }
            },
        )
        .collect();

    type EventRowT = (
        String,
        Option<String>,
        Option<String>,
        String,
        String,
        String,
        i64,
    );
    let event_rows: Vec<EventRowT> = sqlx::query_as(
        "SELECT kind, from_status, to_status, actor_kind, actor_label, details, occurred_at \
         FROM shipment_events WHERE shipment_id = $1 ORDER BY created_at, id",
    )
    .bind(id.to_string())
    .fetch_all(db.pool())
    .await?;
    let events = event_rows
        .into_iter()
        .map(
            |(kind, from_status, to_status, actor_kind, actor_label, details, occurred_at)| {
                ShipmentEventView {
                    kind,
                    from_status,
                    to_status,
                    actor_kind,
                    actor_label,
                    details: serde_json::from_str(&details).unwrap_or(serde_json::Value::Null),
                    occurred_at,
                }
            },
        )
        .collect();

    let (captured, commission, refunded, reversed): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(allocated_minor), 0) AS BIGINT), CAST(COALESCE(SUM(commission_minor), 0) AS BIGINT), \
         CAST(COALESCE(SUM(refunded_minor), 0) AS BIGINT), CAST(COALESCE(SUM(commission_reversed_minor), 0) AS BIGINT) \
         FROM capture_lines WHERE shipment_id = $1",
    )
    .bind(id.to_string())
    .fetch_one(db.pool())
    .await?;
    let hold: Option<(String, i64, Option<i64>)> =
        sqlx::query_as("SELECT status, held_minor, release_at FROM holds WHERE shipment_id = $1")
            .bind(id.to_string())
            .fetch_optional(db.pool())
            .await?;
    let money = ShipmentMoney {
        captured_minor: captured,
        commission_minor: commission,
        refunded_minor: refunded,
        net_minor: captured - commission - refunded + reversed,
        hold_status: hold.as_ref().map(|h| h.0.clone()),
        held_minor: hold.as_ref().map_or(0, |h| h.1),
        release_at: hold.and_then(|h| h.2),
    };
    Ok(ShipmentDetail {
        summary,
        destination,
        buyer_name,
        carrier,
        tracking_number: tracking,
        paid_at: paid,
        confirmed_at: confirmed,
        shipped_at: shipped,
        delivered_at: delivered,
        cancelled_at: cancelled,
        cancelled_by: by,
        cancel_reason: reason,
        lines,
        events,
        money,
    })
}
