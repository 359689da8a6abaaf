//! File routes of the seller cabinet, authenticated by the session cookie (the same
//! `bazaar_session` the pages use), for what server functions cannot do well:
//! streaming a large upload and serving downloads the browser saves as files.
//!
//! Paths and answers (all JSON errors are `{"error": {"code", "message", "details"}}`,
//! `401 unauthorized` without a session, `403 forbidden` for a non-seller, and
//! another seller's import is `404 not_found`):
//!
//! - `POST /seller/imports/upload` — `multipart/form-data`. Fields, in this order:
//!   optional `mode` (`apply_valid` default, or `all_or_nothing`), optional
//!   `settings` (JSON `{"encoding": "utf8"|"windows1251"|..., "delimiter":
//!   "semicolon"|"comma"|"tab", "header_row": 1, "mapping": ColumnMapping}` — any
//!   part may be left out or null; it overrides what the server would detect, e.g.
//!   after the seller fixed the mapping in the browser check), then `file` (the CSV).
//!   `?mode=all_or_nothing` in the query works too. Like every state-changing
//!   cabinet request it must come from our own origin (`Origin` header; the browser
//!   sends it with `fetch`/`FormData`), else `403 csrf_rejected`.
//!   → `202 {"id": "<import id>", "status": "queued"}`.
//!   A file that cannot be imported at all (empty, not CSV, no SKU column) →
//!   `422 {"error": {"code": "validation", "message": "...", "details": {"fields":
//!   [{"field": "file", "code": "not_csv"|"empty_file"|"no_sku_column"|..., "message"}]}}}`
//!   (message in the session's language); too large → `413 payload_too_large`;
//!   suspended seller → `403 seller_suspended`.
//! - `GET /seller/imports/{id}/status` → `200` the import as JSON (the same as
//!   `GET /api/v1/imports/{id}`): `{"id", "file_name", "size_bytes", "mode",
//!   "status": "queued"|"running"|"succeeded"|"failed", "phase",
//!   "counts": {"total", "created", "updated", "unchanged", "failed"},
//!   "processed_bytes", "progress_percent": 0..100, "encoding", "delimiter",
//!   "error_code", "error_message", "created_at_ms", "started_at_ms",
//!   "finished_at_ms"}`. Poll it for the progress bar.
//! - `GET /seller/imports/{id}/errors.csv` → the error report (`text/csv` in the
//!   seller's encoding, `Content-Disposition: attachment`): the rejected rows in the
//!   seller's own columns with `row` and `errors` first; messages in the session's
//!   language.
//! - `GET /seller/templates/{category}.csv[?headers=canonical|russian|english]` →
//!   the category's template (`generic.csv` for the generic one); unknown category
//!   `404`, not a leaf `422`.
//! - `GET /seller/catalog/export.csv` → the seller's whole catalog as CSV (`;`,
//!   UTF-8 with BOM, formulas neutralised), streamed.
//! - `POST /seller/images/upload` — a product image as multipart field `file` (our
//!   origin only) → `201 {"id", "url", "source", "status", "width", "height",
//!   "size_bytes", "thumb_url", "error", "duplicate"}`; refused images → `413`, `415`
//!   or `422` with `details.fields[0].code` from the media checks.
//! - `GET /seller/images/{id}/status` → the same JSON for one of the seller's images.

use crate::files::{TemplateQuery, UploadQuery};
use crate::state::AppState;
use app::error::AppError;
use app::ssr::{LOCALE_COOKIE, SESSION_COOKIE};
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, Query, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use db::auth::SellerCtx;
use domain::Locale;

/// The seller of the logged-in session, and the session's language.
pub struct SessionSeller {
    pub ctx: SellerCtx,
    pub locale: Locale,
}

impl FromRequestParts<AppState> for SessionSeller {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let locale = jar
            .get(LOCALE_COOKIE)
            .and_then(|c| Locale::from_code(c.value()))
            .or_else(|| {
                parts
                    .headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .map(Locale::from_accept_language)
            })
            .unwrap_or_default();
        let token = jar
            .get(SESSION_COOKIE)
            .map(|c| c.value().to_string())
            .filter(|t| !t.is_empty())
            .ok_or_else(AppError::unauthorized)?;
        let principal = db::auth::session_principal(&state.db, &token)
            .await?
            .ok_or_else(AppError::unauthorized)?;
        Ok(SessionSeller {
            ctx: principal.seller()?,
            locale,
        })
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/seller/imports/upload",
            post(upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/seller/imports/{id}/status", get(status))
        .route("/seller/imports/{id}/errors.csv", get(errors_csv))
        .route("/seller/templates/{file}", get(template))
        .route("/seller/catalog/export.csv", get(export))
        .route(
            "/seller/images/upload",
            post(upload_image).layer(DefaultBodyLimit::disable()),
        )
        .route("/seller/images/{id}/status", get(image_status))
}

/// `POST /seller/images/upload`: multipart field `file` (or a raw image body), our
/// origin only; → `201` the image as `POST /api/v1/images` answers it.
async fn upload_image(
    State(state): State<AppState>,
    seller: SessionSeller,
    req: Request,
) -> Result<Response, AppError> {
    crate::images::receive_upload(&state, &seller.ctx, seller.locale, req).await
}

/// `GET /seller/images/{id}/status` → the image as `GET /api/v1/images/{id}`.
async fn image_status(
    State(state): State<AppState>,
    seller: SessionSeller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    crate::images::image_status(&state, &seller.ctx, seller.locale, &id).await
}

async fn upload(
    State(state): State<AppState>,
    seller: SessionSeller,
    Query(query): Query<UploadQuery>,
    req: Request,
) -> Result<Response, AppError> {
    crate::files::receive_upload(&state, &seller.ctx, query, seller.locale, req).await
}

async fn status(
    State(state): State<AppState>,
    seller: SessionSeller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = crate::files::import_id(&id)?;
    let view = db::imports::get_import(&state.db, &seller.ctx, id).await?;
    let mut res = axum::Json(view).into_response();
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

async fn errors_csv(
    State(state): State<AppState>,
    seller: SessionSeller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    crate::files::error_report(&state, &seller.ctx, &id, seller.locale).await
}

async fn template(
    State(state): State<AppState>,
    _seller: SessionSeller,
    Path(file): Path<String>,
    Query(query): Query<TemplateQuery>,
) -> Result<Response, AppError> {
    crate::files::template(&state, &file, &query).await
}

async fn export(State(state): State<AppState>, seller: SessionSeller) -> Response {
    crate::files::export(&state, seller.ctx)
}
