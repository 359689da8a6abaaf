//! The REST API under `/api/v1`: machine-to-machine endpoints for sellers' systems
//! (bearer API keys), storefront channels and payment providers. Handlers are thin
//! over the same use cases the UI calls.

mod catalog;
mod docs;
pub mod extract;
mod idempotent;
mod images;
mod imports;
mod me;
mod orders;

use crate::state::AppState;
use app::error::AppError;
use axum::extract::DefaultBodyLimit;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::ErrorCode;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Bazaar API",
        version = "1",
        description = "REST API of the Bazaar marketplace. Sellers authenticate with `Authorization: Bearer <api key>` (keys are created in the seller cabinet). Errors are JSON `{\"error\": {\"code\", \"message\", \"details\"}}` with a stable snake_case `code`. Money is given as a decimal string in major units (\"1299.90\") plus an ISO 4217 currency, or as integer minor units where the field name says `_minor`."
    ),
    paths(
        me::get_me,
        catalog::list_categories,
        catalog::list_skus,
        catalog::get_sku,
        catalog::put_sku,
        catalog::put_skus_batch,
        catalog::patch_sku,
        catalog::delete_sku,
        catalog::export_skus,
        imports::create_import,
        imports::list_imports,
        imports::get_import,
        imports::list_import_errors,
        imports::import_errors_csv,
        imports::template,
        images::upload_image,
        images::get_image,
        orders::create_order,
        orders::get_order,
        orders::cancel_order,
        orders::payment_event,
        orders::carrier_event,
        orders::list_shipments,
        orders::get_shipment,
        orders::confirm_shipment,
        orders::ship_shipment,
        orders::cancel_shipment,
    ),
    components(schemas(
        me::MeResponse,
        ErrorBody,
        ErrorDetail,
        catalog::CategoriesResponse,
        catalog::SkuInputDoc,
        catalog::PutSkuResponse,
        catalog::SkuResponse,
        catalog::BatchPutDoc,
        catalog::BatchPutResponse,
        catalog::PatchSkuBody,
        imports::ImportAccepted,
        imports::ImportDoc,
        crate::images::ImageView,
        crate::images::ImageErrorView,
        crate::images::DuplicateView,
        orders::CreateOrderDoc,
        orders::OrderDoc,
        orders::PaymentEventDoc,
        orders::CarrierEventBody,
        orders::ShipBody,
        orders::CancelBody,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "account", description = "Who the API key acts for"),
        (name = "catalog", description = "Categories and the seller's SKUs"),
        (name = "imports", description = "CSV imports, error reports and templates"),
        (name = "images", description = "Product image uploads and their processing status"),
        (name = "orders", description = "Storefront channels: orders, cancellations, carrier events (channel keys)"),
        (name = "payments", description = "The payment provider's signed events"),
        (name = "shipments", description = "The seller's shipments: confirm, ship, cancel")
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "channel_key",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The error envelope every endpoint uses.
#[derive(utoipa::ToSchema, serde::Serialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(utoipa::ToSchema, serde::Serialize)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `validation`, `not_found`, `unauthorized`.
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
    /// For validation errors: `{ "fields": [{ "field", "code", "message" }] }`.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .route("/docs", get(docs::docs_page))
        .route("/me", get(me::get_me))
        .route("/categories", get(catalog::list_categories))
        .route(
            "/skus",
            get(catalog::list_skus)
                .put(catalog::put_skus_batch)
                // 1,000 SKUs with long descriptions.
                .layer(DefaultBodyLimit::max(16 * 1024 * 1024)),
        )
        .route("/skus/export.csv", get(catalog::export_skus))
        .route(
            "/skus/{seller_sku}",
            get(catalog::get_sku)
                .put(catalog::put_sku)
                .patch(catalog::patch_sku)
                .delete(catalog::delete_sku),
        )
        .route(
            "/imports",
            // The file is streamed to the blob store under the configured upload
            // limit, not buffered under axum's default body limit.
            post(imports::create_import)
                .layer(DefaultBodyLimit::disable())
                .get(imports::list_imports),
        )
        .route(
            "/images",
            // Read under the image size limit by the handler (413 with a clear error).
            post(images::upload_image).layer(DefaultBodyLimit::disable()),
        )
        .route("/images/{id}", get(images::get_image))
        .route("/imports/{id}", get(imports::get_import))
        .route("/imports/{id}/errors", get(imports::list_import_errors))
        .route("/imports/{id}/errors.csv", get(imports::import_errors_csv))
        // `{category}.csv`: the handler takes the whole segment and strips `.csv`.
        .route("/templates/{file}", get(imports::template))
        .route("/orders", post(orders::create_order))
        .route("/orders/{id}", get(orders::get_order))
        .route("/orders/{id}/cancel", post(orders::cancel_order))
        .route("/payments/events", post(orders::payment_event))
        .route("/shipments", get(orders::list_shipments))
        .route("/shipments/{id}", get(orders::get_shipment))
        .route("/shipments/{id}/events", post(orders::carrier_event))
        .route("/shipments/{id}/confirm", post(orders::confirm_shipment))
        .route("/shipments/{id}/ship", post(orders::ship_shipment))
        .route("/shipments/{id}/cancel", post(orders::cancel_shipment))
        .fallback(not_found)
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

async fn openapi_json() -> impl IntoResponse {
    Json(openapi())
}

async fn not_found() -> AppError {
    AppError::new(
        ErrorCode::NotFound,
        "No such API endpoint; see /api/v1/docs",
    )
}
