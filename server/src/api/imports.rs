//! CSV imports over REST: upload (streamed), status and history, rejected rows as
//! JSON or as the seller's own CSV, and category templates.

use super::ErrorBody;
use super::extract::{ApiLocale, ApiQuery, ApiSeller};
use crate::files::{TemplateQuery, UploadQuery};
use crate::state::AppState;
use app::error::AppError;
use axum::Json;
use axum::extract::{Path, Request, State};
use axum::response::Response;
use domain::imports::{ImportErrorView, ImportView};
use domain::page::Page;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The answer to an accepted upload.
#[derive(Serialize, ToSchema)]
pub struct ImportAccepted {
    pub id: String,
    /// Always `queued`.
    pub status: String,
}

/// One import: `id`, `file_name`, `size_bytes`, `mode` (`apply_valid` or
/// `all_or_nothing`), `status` (`queued`, `running`, `succeeded`, `failed`),
/// `phase`, `counts` `{total, created, updated, unchanged, failed}`,
/// `processed_bytes`, `progress_percent` (0–100), the detected `encoding` and
/// `delimiter`, `error_code`/`error_message` when the import failed as a whole, and
/// `created_at_ms`, `started_at_ms`, `finished_at_ms`.
#[derive(ToSchema)]
#[allow(dead_code)] // documentation of the shape `ImportView` writes
pub struct ImportDoc {
    id: String,
    file_name: String,
    size_bytes: u64,
    mode: String,
    status: String,
    phase: String,
    #[schema(value_type = Object)]
    counts: serde_json::Value,
    processed_bytes: u64,
    progress_percent: u8,
    encoding: Option<String>,
    delimiter: Option<String>,
    error_code: Option<String>,
    error_message: Option<String>,
    created_at_ms: i64,
    started_at_ms: Option<i64>,
    finished_at_ms: Option<i64>,
}

/// Paging of lists.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct PageQuery {
    /// Items to skip.
    pub offset: Option<i64>,
    /// Items per page.
    pub limit: Option<i64>,
}

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documentation of `UploadQuery`
pub struct UploadParams {
    /// `apply_valid` (default: apply the valid rows, report the others) or
    /// `all_or_nothing` (apply nothing if any row fails).
    mode: Option<String>,
    /// The file's name for a raw body (shown in the history and the report's name).
    file_name: Option<String>,
}

/// Uploads a CSV file for import. Send it as the body (`Content-Type: text/csv`) or
/// as multipart field `file`. Encoding (UTF-8, Windows-1251), delimiter (`,` `;`
/// tab) and columns (Russian or English names, `attr:<code>`) are detected. The
/// import runs in the background; poll `GET /imports/{id}`.
#[utoipa::path(
    post,
    path = "/api/v1/imports",
    tag = "imports",
    security(("api_key" = [])),
    params(
        UploadParams,
        ("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key and file gets the first answer")
    ),
    request_body(content = String, content_type = "text/csv", description = "The CSV file"),
    responses(
        (status = 202, description = "Queued", body = ImportAccepted),
        (status = 413, description = "Larger than the upload limit", body = ErrorBody),
        (status = 415, description = "Neither CSV nor multipart", body = ErrorBody),
        (status = 422, description = "Not a CSV, empty, or no SKU column: `details.fields[0].code` says which", body = ErrorBody)
    )
)]
pub async fn create_import(
    State(state): State<AppState>,
    ApiSeller(ctx): ApiSeller,
    ApiLocale(locale): ApiLocale,
    ApiQuery(query): ApiQuery<UploadQuery>,
    req: Request,
) -> Result<Response, AppError> {
    crate::files::receive_upload(&state, &ctx, query, locale, req).await
}

/// The caller's imports, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/imports",
    tag = "imports",
    security(("api_key" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "`{items: [import], total, offset, limit}`", body = Object)
    )
)]
pub async fn list_imports(
    State(state): State<AppState>,
    ApiSeller(ctx): ApiSeller,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<Page<ImportView>>, AppError> {
    Ok(Json(
        db::imports::list_imports(
            &state.db,
            &ctx,
            page.offset.unwrap_or(0),
            page.limit.unwrap_or(20),
        )
        .await?,
    ))
}

/// One import: status, counts and progress.
#[utoipa::path(
    get,
    path = "/api/v1/imports/{id}",
    tag = "imports",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "The import's id")),
    responses(
        (status = 200, description = "The import", body = ImportDoc),
        (status = 404, description = "No such import for this seller", body = ErrorBody)
    )
)]
pub async fn get_import(
    State(state): State<AppState>,
    ApiSeller(ctx): ApiSeller,
    Path(id): Path<String>,
) -> Result<Json<ImportView>, AppError> {
    let id = crate::files::import_id(&id)?;
    Ok(Json(db::imports::get_import(&state.db, &ctx, id).await?))
}

/// The rejected rows of an import, in file order: `row`, `sku`, `problems` (each
/// with a machine `code`, the `field`, a `message` and a `hint`) and the row's
/// `cells` as written.
#[utoipa::path(
    get,
    path = "/api/v1/imports/{id}/errors",
    tag = "imports",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "The import's id"), PageQuery),
    responses(
        (status = 200, description = "`{items, total, offset, limit}`", body = Object),
        (status = 404, description = "No such import for this seller", body = ErrorBody)
    )
)]
pub async fn list_import_errors(
    State(state): State<AppState>,
    ApiSeller(ctx): ApiSeller,
    ApiLocale(locale): ApiLocale,
    Path(id): Path<String>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<Page<ImportErrorView>>, AppError> {
    let id = crate::files::import_id(&id)?;
    Ok(Json(
        db::imports::list_errors(
            &state.db,
            &ctx,
            id,
            page.offset.unwrap_or(0),
            page.limit.unwrap_or(100),
            locale,
        )
        .await?,
    ))
}

/// The error report: the rejected rows in the seller's own columns, delimiter and
/// encoding, with `row` and `errors` columns in front. Fix the rows and upload this
/// file again.
#[utoipa::path(
    get,
    path = "/api/v1/imports/{id}/errors.csv",
    tag = "imports",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "The import's id")),
    responses(
        (status = 200, description = "The report", content_type = "text/csv", body = String),
        (status = 404, description = "No such import for this seller", body = ErrorBody)
    )
)]
pub async fn import_errors_csv(
    State(state): State<AppState>,
    ApiSeller(ctx): ApiSeller,
    ApiLocale(locale): ApiLocale,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    crate::files::error_report(&state, &ctx, &id, locale).await
}

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documentation of `TemplateQuery`
pub struct TemplateParams {
    /// `canonical` (`sku`, `price`, `attr:color`; default), `russian` or `english`.
    headers: Option<String>,
}

/// A CSV template for a leaf category: every standard column, one column per
/// attribute of the category, and an example row. `generic.csv` has the standard
/// columns only (plus an example category's required attributes).
#[utoipa::path(
    get,
    path = "/api/v1/templates/{category}.csv",
    tag = "imports",
    security(("api_key" = [])),
    params(("category" = String, Path, description = "A leaf category code, or `generic`"), TemplateParams),
    responses(
        (status = 200, description = "The template", content_type = "text/csv", body = String),
        (status = 404, description = "No such category", body = ErrorBody),
        (status = 422, description = "Not a leaf category", body = ErrorBody)
    )
)]
pub async fn template(
    State(state): State<AppState>,
    ApiSeller(_ctx): ApiSeller,
    Path(file): Path<String>,
    ApiQuery(query): ApiQuery<TemplateQuery>,
) -> Result<Response, AppError> {
    crate::files::template(&state, &file, &query).await
}
