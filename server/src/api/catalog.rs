//! The catalog over REST: the category tree with attribute schemas, and the caller's
//! SKUs (list, read, create or replace, batch, price/stock patch, archive).
//!
//! Writes honour `Idempotency-Key`. Another seller's SKU is `404 not_found`.

use super::ErrorBody;
use super::extract::{ApiLocale, ApiQuery, ApiSeller, parse_json};
use super::idempotent;
use crate::state::AppState;
use app::error::AppError;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use db::catalog::skus::{self, BATCH_MAX_ITEMS, CommercialPatch};
use domain::ErrorCode;
use domain::catalog::{SkuInput, SkuListQuery, UpsertOutcome};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The category tree, parents before children.
#[derive(Serialize, ToSchema)]
pub struct CategoriesResponse {
    /// Categories depth-first: `code`, `parent` (code or null), `name_ru`, `name_en`,
    /// `return_window_days` and `attributes` — each attribute has `code`, `name_ru`,
    /// `name_en`, `kind` (`text`, `integer`, `decimal` with `unit`, `boolean`, `enum`
    /// with allowed `values`) and `required`. A leaf inherits its ancestors'
    /// attributes.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<domain::catalog::Category>,
}

/// A SKU as sent to `PUT /skus/{seller_sku}` and in batch `items`. Numbers may be
/// JSON numbers or strings (`"1 299,90"` is read like a CSV cell).
#[derive(ToSchema)]
#[allow(dead_code)] // documentation of the shape `SkuInput` reads
pub struct SkuInputDoc {
    /// The seller's own code (unique per seller). Optional in `PUT /skus/{seller_sku}`.
    sku: String,
    title: String,
    description: Option<String>,
    brand: Option<String>,
    /// Category code (`smartphones`) or path of names (`Электроника/Смартфоны`).
    category: String,
    /// EAN-13, EAN-8 or UPC-A with a correct check digit.
    barcode: Option<String>,
    /// Price in major units, e.g. `"1299.90"`.
    price: String,
    /// Price before the discount; must be above `price`.
    old_price: Option<String>,
    /// ISO 4217, default `RUB`.
    currency: Option<String>,
    /// `none`, `0`, `10` or `20` (percent).
    vat: Option<String>,
    stock: Option<String>,
    weight_g: Option<String>,
    length_mm: Option<String>,
    width_mm: Option<String>,
    height_mm: Option<String>,
    /// Image URLs (https).
    images: Vec<String>,
    /// Attribute values by attribute code, as text.
    attributes: BTreeMap<String, String>,
}

/// The result of a single SKU write.
#[derive(Serialize, ToSchema)]
pub struct PutSkuResponse {
    /// `created`, `updated` or `unchanged`.
    #[schema(value_type = String)]
    pub outcome: UpsertOutcome,
    /// The SKU after the write: status, commercial data, live and latest content,
    /// revision history, moderation outcome.
    #[schema(value_type = Object)]
    pub sku: domain::catalog::SkuDetail,
}

/// One SKU.
#[derive(Serialize, ToSchema)]
pub struct SkuResponse {
    #[schema(value_type = Object)]
    pub sku: domain::catalog::SkuDetail,
}

#[derive(Deserialize)]
struct BatchBody {
    items: Vec<SkuInput>,
}

/// Up to 1,000 SKUs.
#[derive(ToSchema)]
#[allow(dead_code)] // documentation of the shape `BatchBody` reads
pub struct BatchPutDoc {
    items: Vec<SkuInputDoc>,
}

/// Per-item results of a batch, in the order sent.
#[derive(Serialize, ToSchema)]
pub struct BatchPutResponse {
    /// `{index, seller_sku, outcome (null when refused), status, errors: [{field, code, message}]}`.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<skus::BatchItemResult>,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub failed: usize,
}

/// A price/stock change. Omitted fields keep their value; `old_price: ""` removes
/// the old price. Numbers may be JSON numbers or strings.
#[derive(Deserialize, ToSchema)]
pub struct PatchSkuBody {
    #[schema(value_type = Option<String>)]
    price: Option<serde_json::Value>,
    #[schema(value_type = Option<String>)]
    old_price: Option<serde_json::Value>,
    #[schema(value_type = Option<String>)]
    vat: Option<serde_json::Value>,
    #[schema(value_type = Option<String>)]
    stock: Option<serde_json::Value>,
}

fn as_text(v: Option<serde_json::Value>) -> Option<String> {
    v.map(|v| match v {
        serde_json::Value::String(s) => s,
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    })
}

/// Query of the SKU list.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documentation of the parameters `SkuListQuery` reads
pub struct SkuListParams {
    /// Search in code, title, brand and barcode.
    q: Option<String>,
    /// `draft`, `pending_moderation`, `active`, `rejected`, `blocked` or `archived`
    /// (archived SKUs are listed only when asked for).
    status: Option<String>,
    /// A category code: SKUs in it or below it.
    category: Option<String>,
    /// `updated` (default), `title`, `price` or `stock`.
    sort: Option<String>,
    /// `asc` or `desc`.
    dir: Option<String>,
    /// `next_cursor` of the previous page.
    after: Option<String>,
    /// `prev_cursor` of the next page.
    before: Option<String>,
    /// Page size, 1–200 (default 50).
    limit: Option<i64>,
}

/// The category tree with every category's attribute schema.
#[utoipa::path(
    get,
    path = "/api/v1/categories",
    tag = "catalog",
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The tree, parents before children", body = CategoriesResponse),
        (status = 401, description = "Missing, unknown or revoked key", body = ErrorBody)
    )
)]
pub async fn list_categories(
    State(state): State<AppState>,
    ApiSeller(_ctx): ApiSeller,
) -> Result<Json<CategoriesResponse>, AppError> {
    Ok(Json(CategoriesResponse {
        items: db::catalog::categories::list_categories(&state.db).await?,
    }))
}

/// The caller's SKUs: searched, filtered and sorted, paged by cursor.
#[utoipa::path(
    get,
    path = "/api/v1/skus",
    tag = "catalog",
    security(("api_key" = [])),
    params(SkuListParams),
    responses(
        (status = 200, description = "`{items, next_cursor, prev_cursor, total, total_is_exact}`", body = Object),
        (status = 422, description = "A bad parameter", body = ErrorBody)
    )
)]
pub async fn list_skus(
    State(state): State<AppState>,
    ApiSeller(ctx): ApiSeller,
    ApiLocale(locale): ApiLocale,
    ApiQuery(query): ApiQuery<SkuListQuery>,
) -> Result<Json<domain::catalog::SkuListPage>, AppError> {
    Ok(Json(
        skus::list_skus(&state.db, &ctx, &query, locale).await?,
    ))
}

/// One SKU of the caller with its content, revisions and moderation status.
#[utoipa::path(
    get,
    path = "/api/v1/skus/{seller_sku}",
    tag = "catalog",
    security(("api_key" = [])),
    params(("seller_sku" = String, Path, description = "The seller's SKU code")),
    responses(
        (status = 200, description = "The SKU", body = SkuResponse),
        (status = 404, description = "No such SKU for this seller", body = ErrorBody)
    )
)]
pub async fn get_sku(
    State(state): State<AppState>,
    ApiSeller(ctx): ApiSeller,
    Path(seller_sku): Path<String>,
) -> Result<Json<SkuResponse>, AppError> {
    Ok(Json(SkuResponse {
        sku: skus::get_sku(&state.db, &ctx, &seller_sku).await?,
    }))
}

/// Creates or replaces a SKU. Content changes wait for moderation in a new revision
/// (the approved content stays live); price and stock changes are live at once; the
/// same data again changes nothing (`unchanged`).
#[utoipa::path(
    put,
    path = "/api/v1/skus/{seller_sku}",
    tag = "catalog",
    security(("api_key" = [])),
    params(
        ("seller_sku" = String, Path, description = "The seller's SKU code"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    request_body = SkuInputDoc,
    responses(
        (status = 201, description = "Created", body = PutSkuResponse),
        (status = 200, description = "Updated or unchanged", body = PutSkuResponse),
        (status = 422, description = "Invalid fields, each named", body = ErrorBody)
    )
)]
pub async fn put_sku(
    State(state): State<AppState>,
    ApiSeller(ctx): ApiSeller,
    ApiLocale(locale): ApiLocale,
    Path(seller_sku): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let path = format!("/skus/{seller_sku}");
    idempotent::run(
        &state,
        &ctx,
        &headers,
        &Method::PUT,
        &path,
        &body,
        || async {
            let mut input: SkuInput = parse_json(&body)?;
            if input.sku.trim().is_empty() {
                input.sku = seller_sku.clone();
            } else if input.sku.trim() != seller_sku.trim() {
                return Err(crate::files::validation(
                    "sku",
                    "mismatch",
                    format!(
                        "The body's sku {:?} differs from the path's {seller_sku:?}",
                        input.sku
                    ),
                ));
            }
            let result = skus::put_sku(&state.db, &ctx, &input, "api", locale).await?;
            let status = if result.outcome == UpsertOutcome::Created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok((
                status,
                serde_json::json!({ "outcome": result.outcome, "sku": result.sku }),
            ))
        },
    )
    .await
}

/// Creates or replaces up to 1,000 SKUs; valid items are applied, invalid ones are
/// reported per item.
#[utoipa::path(
    put,
    path = "/api/v1/skus",
    tag = "catalog",
    security(("api_key" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    request_body = BatchPutDoc,
    responses(
        (status = 200, description = "Per-item results", body = BatchPutResponse),
        (status = 422, description = "More than 1,000 items, or not the expected JSON", body = ErrorBody)
    )
)]
pub async fn put_skus_batch(
    State(state): State<AppState>,
    ApiSeller(ctx): ApiSeller,
    ApiLocale(locale): ApiLocale,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    idempotent::run(
        &state,
        &ctx,
        &headers,
        &Method::PUT,
        "/skus",
        &body,
        || async {
            let batch: BatchBody = parse_json(&body)?;
            if batch.items.len() > BATCH_MAX_ITEMS {
                return Err(crate::files::validation(
                    "items",
                    "too_many",
                    format!(
                        "At most {BATCH_MAX_ITEMS} items per request; got {}",
                        batch.items.len()
                    ),
                ));
            }
            let items = skus::put_skus_batch(&state.db, &ctx, &batch.items, "api", locale).await?;
            let count = |o: UpsertOutcome| items.iter().filter(|i| i.outcome == Some(o)).count();
            let response = BatchPutResponse {
                created: count(UpsertOutcome::Created),
                updated: count(UpsertOutcome::Updated),
                unchanged: count(UpsertOutcome::Unchanged),
                failed: items.iter().filter(|i| i.outcome.is_none()).count(),
                items,
            };
            let value = serde_json::to_value(&response).map_err(|e| {
                tracing::error!(error = %e, "serialising a batch result failed");
                AppError::internal()
            })?;
            Ok((StatusCode::OK, value))
        },
    )
    .await
}

/// Changes price, old price, VAT or stock: live at once, never moderated.
#[utoipa::path(
    patch,
    path = "/api/v1/skus/{seller_sku}",
    tag = "catalog",
    security(("api_key" = [])),
    params(
        ("seller_sku" = String, Path, description = "The seller's SKU code"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    request_body = PatchSkuBody,
    responses(
        (status = 200, description = "The SKU after the change", body = SkuResponse),
        (status = 404, description = "No such SKU for this seller", body = ErrorBody),
        (status = 422, description = "Invalid values, each named", body = ErrorBody)
    )
)]
pub async fn patch_sku(
    State(state): State<AppState>,
    ApiSeller(ctx): ApiSeller,
    ApiLocale(locale): ApiLocale,
    Path(seller_sku): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let path = format!("/skus/{seller_sku}");
    idempotent::run(
        &state,
        &ctx,
        &headers,
        &Method::PATCH,
        &path,
        &body,
        || async {
            let patch: PatchSkuBody = parse_json(&body)?;
            let patch = CommercialPatch {
                price: as_text(patch.price),
                old_price: as_text(patch.old_price),
                vat: as_text(patch.vat),
                stock: as_text(patch.stock),
            };
            if patch.is_empty() {
                return Err(AppError::new(
                    ErrorCode::Validation,
                    "Send at least one of price, old_price, vat, stock",
                ));
            }
            let sku = skus::patch_commercial(&state.db, &ctx, &seller_sku, &patch, locale).await?;
            Ok((StatusCode::OK, serde_json::json!({ "sku": sku })))
        },
    )
    .await
}

/// Withdraws a SKU from sale (archives it). Its data and history stay; a later PUT
/// brings it back through moderation.
#[utoipa::path(
    delete,
    path = "/api/v1/skus/{seller_sku}",
    tag = "catalog",
    security(("api_key" = [])),
    params(
        ("seller_sku" = String, Path, description = "The seller's SKU code"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    responses(
        (status = 200, description = "The archived SKU", body = SkuResponse),
        (status = 404, description = "No such SKU for this seller", body = ErrorBody)
    )
)]
pub async fn delete_sku(
    State(state): State<AppState>,
    ApiSeller(ctx): ApiSeller,
    Path(seller_sku): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let path = format!("/skus/{seller_sku}");
    idempotent::run(
        &state,
        &ctx,
        &headers,
        &Method::DELETE,
        &path,
        b"",
        || async {
            let sku = skus::archive_sku(&state.db, &ctx, &seller_sku).await?;
            Ok((StatusCode::OK, serde_json::json!({ "sku": sku })))
        },
    )
    .await
}

/// The caller's catalog as CSV: the import's columns, `;`-separated UTF-8 with a
/// BOM, decimal commas; cells starting with `=`, `+`, `-` or `@` are neutralised.
#[utoipa::path(
    get,
    path = "/api/v1/skus/export.csv",
    tag = "catalog",
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The catalog", content_type = "text/csv", body = String)
    )
)]
pub async fn export_skus(State(state): State<AppState>, ApiSeller(ctx): ApiSeller) -> Response {
    crate::files::export(&state, ctx)
}
