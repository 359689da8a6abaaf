//! File transfers shared by the REST API and the cabinet's session routes: taking a
//! CSV upload (raw body or multipart), and answering with CSV downloads (error
//! reports, templates, the catalog export). Handlers stay thin: they authorise the
//! caller and hand over to these functions, which call the use cases in `db`.

use crate::state::AppState;
use app::error::AppError;
use axum::body::Body;
use axum::extract::multipart::Multipart;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use db::auth::SellerCtx;
use db::imports::{Accepted, SettingsOverrides, Upload, UploadError};
use domain::ids::ImportId;
use domain::imports::{HeaderStyle, ImportMode, TemplateError};
use domain::{ErrorCode, FieldError, Locale};
use futures::StreamExt;
use serde::Deserialize;

/// The header a client sets to make a write safe to retry.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Query parameters of an upload.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UploadQuery {
    /// `apply_valid` (default) or `all_or_nothing`.
    pub mode: Option<String>,
    /// The file's name, for a raw `text/csv` body (multipart carries its own).
    pub file_name: Option<String>,
}

fn parse_mode(value: Option<&str>) -> Result<ImportMode, AppError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(ImportMode::ApplyValid),
        Some(v) => v.parse().map_err(|_| {
            validation(
                "mode",
                "invalid",
                format!("mode must be apply_valid or all_or_nothing, not {v:?}"),
            )
        }),
    }
}

/// A validation error about one field.
pub fn validation(field: &str, code: &str, message: impl Into<String>) -> AppError {
    let message = message.into();
    AppError {
        code: ErrorCode::Validation,
        message: message.clone(),
        fields: vec![FieldError {
            field: field.to_string(),
            code: code.to_string(),
            message,
        }],
    }
}

/// The request's media type, lower-cased, without parameters (`multipart/form-data`).
pub fn request_mime(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// The `Idempotency-Key` header, checked.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, AppError> {
    let Some(v) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let key = v
        .to_str()
        .map_err(|_| {
            validation(
                "Idempotency-Key",
                "invalid",
                "Idempotency-Key must be printable ASCII",
            )
        })?
        .trim();
    if key.is_empty() || key.len() > 255 {
        return Err(validation(
            "Idempotency-Key",
            "invalid",
            "Idempotency-Key must be 1 to 255 characters",
        ));
    }
    Ok(Some(key.to_string()))
}

fn upload_error(e: UploadError) -> AppError {
    match e {
        UploadError::File { code, message } => validation("file", code, message),
        UploadError::TooLarge { limit } => AppError::new(
            ErrorCode::PayloadTooLarge,
            format!(
                "The file is larger than the limit of {limit} bytes; split it into several files"
            ),
        ),
        UploadError::Other(e) => e.into(),
    }
}

/// The JSON answer to an accepted upload: `202 {"id", "status": "queued"}`, or the
/// first answer again for a repeated `Idempotency-Key`.
fn accepted_response(state: &AppState, accepted: Accepted) -> Response {
    let (status, body, replayed) = match accepted {
        Accepted::Created { receipt, .. } => {
            state.wake_workers();
            (StatusCode::ACCEPTED, receipt, false)
        }
        Accepted::Replay { status, body } => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::ACCEPTED),
            body,
            true,
        ),
    };
    json_text_response(status, body, replayed)
}

/// A response whose body is JSON already serialised (a stored idempotent answer).
pub fn json_text_response(status: StatusCode, body: String, replayed: bool) -> Response {
    let mut res = (status, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if replayed {
        res.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    res
}

/// Takes an upload from `req`: a raw body (`text/csv`, `application/csv`,
/// `text/plain`, `application/octet-stream`) or `multipart/form-data` with the file
/// in field `file` (fields `mode` and `settings` — JSON [`SettingsOverrides`] — may
/// come before it). The body is streamed into the blob store, never held whole.
pub async fn receive_upload(
    state: &AppState,
    ctx: &SellerCtx,
    query: UploadQuery,
    locale: Locale,
    req: Request,
) -> Result<Response, AppError> {
    let idempotency_key = idempotency_key(req.headers())?;
    let mime = request_mime(req.headers());
    let max_bytes = state.settings.max_upload_bytes;
    if mime == "multipart/form-data" {
        let mut multipart = Multipart::from_request(req, state)
            .await
            .map_err(|e| validation("file", "bad_multipart", e.body_text()))?;
        let mut mode = parse_mode(query.mode.as_deref())?;
        let mut overrides = SettingsOverrides::default();
        loop {
            let field = multipart
                .next_field()
                .await
                .map_err(|e| validation("file", "bad_multipart", e.body_text()))?;
            let Some(field) = field else {
                return Err(validation(
                    "file",
                    "required",
                    "Send the CSV file in the multipart field `file`",
                ));
            };
            match field.name().unwrap_or("") {
                "mode" => {
                    let text = field
                        .text()
                        .await
                        .map_err(|e| validation("mode", "bad_multipart", e.body_text()))?;
                    mode = parse_mode(Some(&text))?;
                }
                "settings" => {
                    let text = field
                        .text()
                        .await
                        .map_err(|e| validation("settings", "bad_multipart", e.body_text()))?;
                    if !text.trim().is_empty() {
                        overrides = serde_json::from_str(&text).map_err(|e| {
                            validation(
                                "settings",
                                "invalid",
                                format!("settings is not valid JSON settings: {e}"),
                            )
                        })?;
                    }
                }
                "file" => {
                    let file_name = field
                        .file_name()
                        .map(str::to_string)
                        .or(query.file_name.clone())
                        .unwrap_or_else(|| "upload.csv".into());
                    let body = field.map(|chunk| chunk.map_err(|e| e.body_text()));
                    let accepted = db::imports::create_import(
                        &state.db,
                        &state.blobs,
                        ctx,
                        Upload {
                            file_name,
                            mode,
                            overrides,
                            body: Box::pin(body),
                            max_bytes,
                            locale,
                            idempotency_key,
                        },
                    )
                    .await
                    .map_err(upload_error)?;
                    return Ok(accepted_response(state, accepted));
                }
                _ => {}
            }
        }
    }
    if !matches!(
        mime.as_str(),
        "text/csv"
            | "application/csv"
            | "text/plain"
            | "application/octet-stream"
            | "text/tab-separated-values"
            | ""
    ) {
        return Err(AppError::new(
            ErrorCode::UnsupportedMediaType,
            format!(
                "Send the file as Content-Type: text/csv (or multipart/form-data with a field `file`), not {mime}"
            ),
        ));
    }
    let mode = parse_mode(query.mode.as_deref())?;
    let body = req.into_body().into_data_stream();
    let accepted = db::imports::create_import(
        &state.db,
        &state.blobs,
        ctx,
        Upload {
            file_name: query.file_name.unwrap_or_else(|| "upload.csv".into()),
            mode,
            overrides: SettingsOverrides::default(),
            body,
            max_bytes,
            locale,
            idempotency_key,
        },
    )
    .await
    .map_err(upload_error)?;
    Ok(accepted_response(state, accepted))
}

/// `attachment; filename="..."; filename*=UTF-8''...` for any file name.
fn content_disposition(file_name: &str) -> HeaderValue {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in file_name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

fn csv_response(file_name: &str, charset: &str, body: Body) -> Response {
    let mut res = Response::new(body);
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&format!("text/csv; charset={charset}"))
            .unwrap_or_else(|_| HeaderValue::from_static("text/csv")),
    );
    h.insert(header::CONTENT_DISPOSITION, content_disposition(file_name));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The error report of one of the caller's imports, streamed: the rejected rows in
/// the seller's own columns, delimiter and encoding, with `row` and `errors` first.
pub async fn error_report(
    state: &AppState,
    ctx: &SellerCtx,
    id: &str,
    locale: Locale,
) -> Result<Response, AppError> {
    let id = import_id(id)?;
    let (info, stream) = db::imports::error_report(&state.db, ctx, id, locale).await?;
    Ok(csv_response(
        &info.file_name,
        info.charset,
        Body::from_stream(stream),
    ))
}

/// An import id from a path, or not found.
pub fn import_id(id: &str) -> Result<ImportId, AppError> {
    id.parse()
        .map_err(|_| AppError::new(ErrorCode::NotFound, "No such import"))
}

/// Query of a template download.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TemplateQuery {
    /// `canonical` (`sku`, `attr:color`; the default), `russian` or `english`.
    pub headers: Option<HeaderStyle>,
}

/// The CSV template of a leaf category (`<code>.csv`, or `generic.csv` for the
/// standard columns plus an example category's required attributes).
pub async fn template(
    state: &AppState,
    file: &str,
    query: &TemplateQuery,
) -> Result<Response, AppError> {
    let Some(category) = file.strip_suffix(".csv") else {
        return Err(AppError::new(
            ErrorCode::NotFound,
            "Templates are named <category code>.csv",
        ));
    };
    let index = db::catalog::categories::load_index(&state.db).await?;
    let style = query.headers.unwrap_or_default();
    let selected = (category != "generic").then_some(category);
    let mut out = Vec::with_capacity(1024);
    match domain::imports::write_template(&mut out, &index, selected, style) {
        Ok(()) => {}
        Err(TemplateError::UnknownCategory(c)) => {
            return Err(AppError::new(
                ErrorCode::NotFound,
                format!("No category {c:?}; GET /api/v1/categories lists them"),
            ));
        }
        Err(e @ TemplateError::NotLeaf(_)) => {
            return Err(validation("category", "not_leaf", e.to_string()));
        }
        Err(e) => {
            tracing::error!(error = %e, "writing a template failed");
            return Err(AppError::internal());
        }
    }
    Ok(csv_response(
        &format!("template-{category}.csv"),
        "utf-8",
        Body::from(out),
    ))
}

/// The caller's whole catalog as CSV (the import's columns, `;`, UTF-8 with BOM,
/// formulas neutralised), streamed page by page.
pub fn export(state: &AppState, ctx: SellerCtx) -> Response {
    let stream = db::catalog::skus::export_skus_csv(state.db.clone(), ctx).map(|chunk| {
        chunk.map(Bytes::from).map_err(|e| {
            tracing::error!(error = %e, "catalog export failed");
            std::io::Error::other("the export could not be written")
        })
    });
    let date = chrono::Utc::now().format("%Y-%m-%d");
    csv_response(
        &format!("catalog-{date}.csv"),
        "utf-8",
        Body::from_stream(stream),
    )
}

/// The language of API messages: `Accept-Language` when sent, else English.
pub fn api_locale(headers: &HeaderMap) -> Locale {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Locale::from_accept_language)
        .unwrap_or(Locale::En)
}
