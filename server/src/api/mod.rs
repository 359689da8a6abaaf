//! The REST API under `/api/v1`: machine-to-machine endpoints for sellers' systems
//! (bearer API keys), storefront channels and payment providers. Handlers are thin
//! over the same use cases the UI calls.

mod docs;
pub mod extract;
mod me;

use crate::state::AppState;
use app::error::AppError;
use axum::response::IntoResponse;
use axum::routing::get;
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
    paths(me::get_me),
    components(schemas(me::MeResponse, ErrorBody, ErrorDetail)),
    modifiers(&BearerAuth),
    tags((name = "account", description = "Who the API key acts for"))
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
