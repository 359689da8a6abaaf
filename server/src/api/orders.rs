//! Orders over REST: storefront channels push and cancel orders and report carrier
//! events (channel keys, `bzc_...`); the payment provider posts signed payment events;
//! sellers' systems read and work their shipments (seller API keys). Handlers are
//! thin over `db::orders`.

use super::ErrorBody;
use super::extract::{ApiChannel, ApiQuery, ApiSeller, parse_json};
use super::idempotent;
use crate::state::AppState;
use app::error::AppError;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use db::orders::read::{self, ShipmentFilter};
use db::orders::{create, payments, shipments};
use domain::ErrorCode;
use domain::ids::{OrderId, ShipmentId};
use domain::orders::{
    CarrierCode, CarrierEvent, CarrierEventKind, CreateOrderInput, PaymentEventInput,
    SIGNATURE_HEADER, SellerCancelReason, ShipmentDetail, ShipmentSummary, TrackingNumber,
    WebhookSecret, verify_webhook,
};
use domain::page::Page;
use domain::time::Timestamp;
use serde::Deserialize;
use utoipa::ToSchema;

fn bad_id(field: &str, value: &str) -> AppError {
    crate::files::validation(field, "invalid_id", format!("{value:?} is not a valid id"))
}

/// Field errors as the API's validation error (the same shape the use cases return).
fn invalid(fields: Vec<domain::FieldError>) -> AppError {
    AppError::from(db::Error::Validation(fields))
}

fn shipment_id(value: &str) -> Result<ShipmentId, AppError> {
    value.parse().map_err(|_| bad_id("id", value))
}

/// An order as a channel sends it. Money is a decimal string in major units.
#[derive(ToSchema)]
#[allow(dead_code)] // documentation of the shape `CreateOrderInput` reads
pub struct CreateOrderDoc {
    /// The channel's own order id (unique per channel key).
    external_order_id: String,
    /// The sales channel's code, e.g. `web`, `mobile_app`.
    channel: String,
    /// ISO 4217, e.g. `RUB`.
    currency: String,
    /// `{ "name", "email", "phone" }`, all optional.
    #[schema(value_type = Object)]
    buyer: Option<serde_json::Value>,
    /// `{ "method": "fbs"|"fbo"|"pickup", "address": { "country", "postal_code", "region", "city", "line1", "line2" } }` or `{ "method": "pickup", "pickup_point_id" }`.
    #[schema(value_type = Object)]
    delivery: serde_json::Value,
    /// `[{ "seller_id", "seller_sku", "quantity": 2, "unit_price": "1299.90" }]`; the
    /// unit price must be the SKU's current price.
    #[schema(value_type = Vec<Object>)]
    lines: Vec<serde_json::Value>,
}

/// What Bazaar made of an order: its id and number and one shipment per seller.
#[derive(ToSchema)]
#[allow(dead_code)] // documentation of the shape `OrderReceipt` writes
pub struct OrderDoc {
    id: String,
    number: String,
    external_order_id: String,
    channel: String,
    currency: String,
    total_minor: i64,
    created_at: i64,
    /// `[{ "id", "number", "seller_id", "status", "total_minor", "carrier", "tracking_number" }]`
    #[schema(value_type = Vec<Object>)]
    shipments: Vec<serde_json::Value>,
}

/// Takes an order from a storefront channel: checks every line against the catalog
/// (active SKU, current price, stock), reserves stock and splits the order into one
/// shipment per seller. `Idempotency-Key` is required: a retry returns the first answer.
#[utoipa::path(
    post,
    path = "/api/v1/orders",
    tag = "orders",
    security(("channel_key" = [])),
    params(("Idempotency-Key" = String, Header, description = "Required; makes a retry safe")),
    request_body = CreateOrderDoc,
    responses(
        (status = 201, description = "Order taken", body = OrderDoc),
        (status = 409, description = "Already received, or the key was used for another body", body = ErrorBody),
        (status = 422, description = "Invalid lines, each named (`lines[0].unit_price`)", body = ErrorBody)
    )
)]
pub async fn create_order(
    State(state): State<AppState>,
    ApiChannel(channel): ApiChannel,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    if crate::files::idempotency_key(&headers)?.is_none() {
        return Err(crate::files::validation(
            "Idempotency-Key",
            "required",
            "Send an Idempotency-Key header with every order, so a retry cannot create it twice",
        ));
    }
    let scope = format!("channel:{}", channel.key_id());
    idempotent::run_scoped(
        &state,
        &scope,
        &headers,
        &Method::POST,
        "/orders",
        &body,
        || async {
            let input: CreateOrderInput = parse_json(&body)?;
            let order = input.validate().map_err(invalid)?;
            let receipt =
                create::create_order(&state.db, &channel, &order, &state.settings.orders).await?;
            Ok((StatusCode::CREATED, serde_json::json!(receipt)))
        },
    )
    .await
}

/// One of the channel's orders with its shipments' statuses and tracking.
#[utoipa::path(
    get,
    path = "/api/v1/orders/{id}",
    tag = "orders",
    security(("channel_key" = [])),
    params(("id" = String, Path, description = "Bazaar's order id")),
    responses(
        (status = 200, description = "The order", body = OrderDoc),
        (status = 404, description = "No such order for this channel", body = ErrorBody)
    )
)]
pub async fn get_order(
    State(state): State<AppState>,
    ApiChannel(channel): ApiChannel,
    Path(id): Path<String>,
) -> Result<Json<domain::orders::OrderReceipt>, AppError> {
    let order_id: OrderId = id.parse().map_err(|_| bad_id("id", &id))?;
    Ok(Json(
        create::get_order_for_channel(&state.db, &channel, order_id).await?,
    ))
}

/// Cancels whatever of the order is not shipped yet (the buyer cancelled in the shop).
/// Refunds of captured money come from the payment provider as `refunded` events.
#[utoipa::path(
    post,
    path = "/api/v1/orders/{id}/cancel",
    tag = "orders",
    security(("channel_key" = [])),
    params(("id" = String, Path, description = "Bazaar's order id")),
    responses(
        (status = 200, description = "Each shipment's status after the cancellation"),
        (status = 409, description = "A shipment has already left", body = ErrorBody)
    )
)]
pub async fn cancel_order(
    State(state): State<AppState>,
    ApiChannel(channel): ApiChannel,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, AppError> {
    let order_id: OrderId = id.parse().map_err(|_| bad_id("id", &id))?;
    let result =
        shipments::cancel_by_channel(&state.db, &channel, order_id, &state.settings.orders).await?;
    Ok(Json(serde_json::json!({
        "shipments": result
            .into_iter()
            .map(|(id, status)| serde_json::json!({ "id": id, "status": status }))
            .collect::<Vec<_>>()
    })))
}

/// A payment-provider event.
#[derive(ToSchema)]
#[allow(dead_code)] // documentation of the shape `PaymentEventInput` reads
pub struct PaymentEventDoc {
    /// The provider's event id; a redelivered event with the same id changes nothing.
    event_id: String,
    /// `captured`, `refunded` or `chargeback`.
    r#type: String,
    order_id: String,
    /// Integer minor units (kopecks).
    amount_minor: i64,
    currency: String,
    /// RFC 3339.
    occurred_at: String,
}

/// Takes a payment event, signed with the shared secret:
/// `Bazaar-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`; events
/// older than 5 minutes are refused. A capture splits the money over the order's
/// sellers (commission frozen, shares held until delivery + the return window).
#[utoipa::path(
    post,
    path = "/api/v1/payments/events",
    tag = "payments",
    params(("Bazaar-Signature" = String, Header, description = "t=<unix seconds>,v1=<hex hmac>")),
    request_body = PaymentEventDoc,
    responses(
        (status = 200, description = "Applied, or a duplicate (`replayed: true`)"),
        (status = 401, description = "Missing or wrong signature", body = ErrorBody),
        (status = 400, description = "Stale event (replay protection)", body = ErrorBody),
        (status = 422, description = "Invalid fields, each named", body = ErrorBody)
    )
)]
pub async fn payment_event(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<payments::PaymentReceipt>, AppError> {
    let secrets: Vec<WebhookSecret> = state
        .settings
        .payment_webhook_secret
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .filter_map(|s| WebhookSecret::new(s.as_bytes().to_vec()).ok())
        .collect();
    if secrets.is_empty() {
        tracing::error!("a payment event arrived but BAZAAR_PAYMENT_WEBHOOK_SECRET is not set");
        return Err(AppError::new(
            ErrorCode::Unavailable,
            "Payment events are not configured on this server",
        ));
    }
    let signature = headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::InvalidSignature,
                format!("Missing the {SIGNATURE_HEADER} header"),
            )
        })?;
    verify_webhook(&secrets, signature, &body, Timestamp::now())
        .map_err(|e| AppError::new(e.code(), e.to_string()))?;
    let input: PaymentEventInput = parse_json(&body)?;
    let event = input.validate().map_err(invalid)?;
    Ok(Json(
        payments::apply_payment_event_batched(&state.db, &state.captures, &event).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CarrierEventBody {
    /// The carrier's event id (duplicates change nothing).
    pub event_id: Option<String>,
    /// Carrier code, e.g. `cdek`.
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    /// `in_transit`, `out_for_delivery`, `delivered`, `delivery_failed`, `returned_to_sender`.
    pub kind: Option<String>,
    /// RFC 3339; now when absent.
    pub occurred_at: Option<String>,
}

fn carrier_event_of(body: CarrierEventBody) -> Result<CarrierEvent, AppError> {
    let mut fields = Vec::new();
    let mut bad = |field: &str, code: &str, message: String| {
        fields.push(domain::FieldError::new(field, code, message));
    };
    let event_id = match body.event_id.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() && id.len() <= 150 => Some(id.to_string()),
        _ => {
            bad(
                "event_id",
                "required",
                "event_id is required (1 to 150 characters)".into(),
            );
            None
        }
    };
    let carrier = match CarrierCode::parse(body.carrier.as_deref().unwrap_or("")) {
        Ok(c) => Some(c),
        Err(e) => {
            bad("carrier", "invalid", e.to_string());
            None
        }
    };
    let tracking = match TrackingNumber::parse(body.tracking_number.as_deref().unwrap_or("")) {
        Ok(t) => Some(t),
        Err(e) => {
            bad("tracking_number", "invalid", e.to_string());
            None
        }
    };
    let kind: Option<CarrierEventKind> = match body.kind.as_deref() {
        Some(k) => serde_json::from_value(serde_json::json!(k)).ok(),
        None => None,
    };
    if kind.is_none() {
        bad(
            "kind",
            "invalid",
            "kind is in_transit, out_for_delivery, delivered, delivery_failed or returned_to_sender".into(),
        );
    }
    let occurred_at = match body.occurred_at.as_deref() {
        None => Some(Timestamp::now()),
        Some(s) => match chrono::DateTime::parse_from_rfc3339(s) {
            Ok(t) => Some(Timestamp::from_millis(t.timestamp_millis())),
            Err(_) => {
                bad(
                    "occurred_at",
                    "invalid",
                    "occurred_at is an RFC 3339 time".into(),
                );
                None
            }
        },
    };
    match (event_id, carrier, tracking, kind, occurred_at) {
        (Some(event_id), Some(carrier), Some(tracking_number), Some(kind), Some(occurred_at)) => {
            Ok(CarrierEvent {
                event_id,
                carrier,
                tracking_number,
                kind,
                occurred_at,
            })
        }
        _ => Err(invalid(fields)),
    }
}

/// A carrier's tracking event for a shipment, relayed by a channel: `delivered`
/// delivers a shipped parcel (the seller's hold gets its release date).
#[utoipa::path(
    post,
    path = "/api/v1/shipments/{id}/events",
    tag = "orders",
    security(("channel_key" = [])),
    params(("id" = String, Path, description = "The shipment id")),
    request_body = CarrierEventBody,
    responses(
        (status = 200, description = "`effect`: applied, recorded, needs_attention or duplicate"),
        (status = 404, description = "No such shipment", body = ErrorBody),
        (status = 422, description = "Invalid fields, each named", body = ErrorBody)
    )
)]
pub async fn carrier_event(
    State(state): State<AppState>,
    ApiChannel(channel): ApiChannel,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<shipments::CarrierReceipt>, AppError> {
    let id = shipment_id(&id)?;
    let event = carrier_event_of(parse_json(&body)?)?;
    Ok(Json(
        shipments::carrier_event(
            &state.db,
            channel.actor(),
            id,
            &event,
            &state.settings.orders,
        )
        .await?,
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ShipmentQuery {
    /// A status (`paid`, `confirmed`, `shipped`...) or `overdue`.
    pub status: Option<String>,
    /// Order number, external id, SKU, title or tracking number.
    pub q: Option<String>,
    pub offset: Option<i64>,
    /// At most 200; 50 by default.
    pub limit: Option<i64>,
}

/// The seller's shipments, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/shipments",
    tag = "shipments",
    security(("api_key" = [])),
    params(ShipmentQuery),
    responses((status = 200, description = "`{ items, total, offset, limit }`"))
)]
pub async fn list_shipments(
    State(state): State<AppState>,
    ApiSeller(ctx): ApiSeller,
    ApiQuery(q): ApiQuery<ShipmentQuery>,
) -> Result<Json<Page<ShipmentSummary>>, AppError> {
    let filter = ShipmentFilter {
        status: q.status,
        q: q.q,
        offset: q.offset.unwrap_or(0),
        limit: q.limit.unwrap_or(50),
    };
    Ok(Json(
        read::list_seller_shipments(&state.db, &ctx, &filter).await?,
    ))
}

/// One of the seller's shipments: lines, commission, hold and history.
#[utoipa::path(
    get,
    path = "/api/v1/shipments/{id}",
    tag = "shipments",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "The shipment id")),
    responses(
        (status = 200, description = "The shipment"),
        (status = 404, description = "No such shipment of this seller", body = ErrorBody)
    )
)]
pub async fn get_shipment(
    State(state): State<AppState>,
    ApiSeller(ctx): ApiSeller,
    Path(id): Path<String>,
) -> Result<Json<ShipmentDetail>, AppError> {
    let id = shipment_id(&id)?;
    Ok(Json(read::get_seller_shipment(&state.db, &ctx, id).await?))
}

fn status_json(status: domain::orders::ShipmentStatus) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": status }))
}

/// The seller accepts a paid shipment.
#[utoipa::path(
    post,
    path = "/api/v1/shipments/{id}/confirm",
    tag = "shipments",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "The shipment id")),
    responses(
        (status = 200, description = "`{ status }`"),
        (status = 409, description = "Not in a state that can be confirmed", body = ErrorBody)
    )
)]
pub async fn confirm_shipment(
    State(state): State<AppState>,
    ApiSeller(ctx): ApiSeller,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, AppError> {
    let id = shipment_id(&id)?;
    let status = shipments::confirm(&state.db, &ctx, id, &state.settings.orders).await?;
    Ok(status_json(status))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ShipBody {
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
}

/// The seller hands a confirmed shipment to a carrier.
#[utoipa::path(
    post,
    path = "/api/v1/shipments/{id}/ship",
    tag = "shipments",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "The shipment id")),
    request_body = ShipBody,
    responses(
        (status = 200, description = "`{ status }`"),
        (status = 409, description = "Not confirmed", body = ErrorBody),
        (status = 422, description = "Bad carrier or tracking number", body = ErrorBody)
    )
)]
pub async fn ship_shipment(
    State(state): State<AppState>,
    ApiSeller(ctx): ApiSeller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, AppError> {
    let id = shipment_id(&id)?;
    let body: ShipBody = parse_json(&body)?;
    let status = shipments::ship(
        &state.db,
        &ctx,
        id,
        body.carrier.as_deref().unwrap_or(""),
        body.tracking_number.as_deref().unwrap_or(""),
        &state.settings.orders,
    )
    .await?;
    Ok(status_json(status))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CancelBody {
    /// `out_of_stock`, `price_error`, `cannot_ship_in_time` or `other`.
    pub reason: Option<String>,
}

/// The seller cancels a shipment before shipping; cancelling a paid one costs a penalty.
#[utoipa::path(
    post,
    path = "/api/v1/shipments/{id}/cancel",
    tag = "shipments",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "The shipment id")),
    request_body = CancelBody,
    responses(
        (status = 200, description = "`{ status }`"),
        (status = 409, description = "Already shipped", body = ErrorBody),
        (status = 422, description = "Unknown reason", body = ErrorBody)
    )
)]
pub async fn cancel_shipment(
    State(state): State<AppState>,
    ApiSeller(ctx): ApiSeller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, AppError> {
    let id = shipment_id(&id)?;
    let body: CancelBody = parse_json(&body)?;
    let reason: SellerCancelReason = serde_json::from_value(serde_json::json!(
        body.reason.as_deref().unwrap_or("")
    ))
    .map_err(|_| {
        crate::files::validation(
            "reason",
            "invalid",
            "reason is out_of_stock, price_error, cannot_ship_in_time or other",
        )
    })?;
    let status =
        shipments::cancel_by_seller(&state.db, &ctx, id, reason, &state.settings.orders).await?;
    Ok(status_json(status))
}
