//! `Idempotency-Key` on JSON writes: the first request with a key runs and its
//! answer is stored; a retry with the same key and the same request gets that answer
//! again (with `Idempotent-Replayed: true`); the same key with a different request is
//! refused (`idempotency_key_reused`), and so is a retry while the first is still
//! running (`idempotency_key_in_progress`). Keys are scoped to the seller.

use crate::files::{idempotency_key, json_text_response};
use crate::state::AppState;
use app::error::AppError;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use db::auth::SellerCtx;
use db::idempotency::{self, Claim};
use domain::ErrorCode;
use sha2::{Digest, Sha256};
use std::future::Future;

/// Runs `write` at most once per `Idempotency-Key` (when the header is sent).
pub async fn run<F, Fut>(
    state: &AppState,
    ctx: &SellerCtx,
    headers: &HeaderMap,
    method: &Method,
    path: &str,
    body: &[u8],
    write: F,
) -> Result<Response, AppError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<(StatusCode, serde_json::Value), AppError>>,
{
    let scope = format!("api:{}", ctx.seller_id());
    run_scoped(state, &scope, headers, method, path, body, write).await
}

/// [`run`] with keys scoped to `scope` (e.g. `channel:<key id>` for storefront channels).
pub async fn run_scoped<F, Fut>(
    state: &AppState,
    scope: &str,
    headers: &HeaderMap,
    method: &Method,
    path: &str,
    body: &[u8],
    write: F,
) -> Result<Response, AppError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<(StatusCode, serde_json::Value), AppError>>,
{
    let Some(key) = idempotency_key(headers)? else {
        let (status, value) = write().await?;
        return Ok(json_text_response(status, value.to_string(), false));
    };
    let mut hasher = Sha256::new();
    hasher.update(method.as_str().as_bytes());
    hasher.update(b" ");
    hasher.update(path.as_bytes());
    hasher.update(b"\n");
    hasher.update(body);
    let fingerprint = hex::encode(hasher.finalize());
    match idempotency::claim(&state.db, scope, &key, &fingerprint).await? {
        Claim::New => {}
        Claim::Replay { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            return Ok(json_text_response(status, body, true));
        }
        Claim::InProgress => {
            return Err(AppError::new(
                ErrorCode::IdempotencyKeyInProgress,
                "A request with this Idempotency-Key is still being processed; retry in a moment",
            ));
        }
        Claim::Mismatch => {
            return Err(AppError::new(
                ErrorCode::IdempotencyKeyReused,
                "This Idempotency-Key was used for a different request; use a new key",
            ));
        }
    }
    match write().await {
        Ok((status, value)) => {
            let body = value.to_string();
            idempotency::complete(&state.db, scope, &key, status.as_u16(), &body).await?;
            Ok(json_text_response(status, body, false))
        }
        Err(e) => {
            // Nothing was changed: the client may fix the request and retry with the
            // same key.
            if let Err(release) = idempotency::release(&state.db, scope, &key).await {
                tracing::warn!(error = %release, "could not release an idempotency key");
            }
            Err(e)
        }
    }
}
