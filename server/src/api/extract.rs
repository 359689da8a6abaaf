//! Extractors for the REST API: the calling seller from a bearer key, and JSON
//! bodies whose errors come back in the API's error format.

use crate::state::AppState;
use app::error::AppError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use db::auth::SellerCtx;
use domain::ErrorCode;
use serde::de::DeserializeOwned;

/// The seller an `Authorization: Bearer <api key>` acts for.
pub struct ApiSeller(pub SellerCtx);

impl FromRequestParts<AppState> for ApiSeller {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let unauthorized = |msg: &str| AppError::new(ErrorCode::Unauthorized, msg);
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| {
                unauthorized("Missing Authorization header: send `Authorization: Bearer <api key>`")
            })?
            .to_str()
            .map_err(|_| unauthorized("Authorization header is not valid text"))?;
        let key = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .ok_or_else(|| unauthorized("Authorization must use the Bearer scheme"))?
            .trim();
        match db::auth::api_key_seller(&state.db, key).await? {
            Some(ctx) => Ok(ApiSeller(ctx)),
            None => Err(unauthorized("Unknown or revoked API key")),
        }
    }
}

/// The storefront channel an `Authorization: Bearer <channel key>` (`bzc_...`) acts for.
pub struct ApiChannel(pub db::orders::ChannelCtx);

impl FromRequestParts<AppState> for ApiChannel {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let unauthorized = |msg: &str| AppError::new(ErrorCode::Unauthorized, msg);
        let key = bearer(parts).ok_or_else(|| {
            unauthorized(
                "Send `Authorization: Bearer <channel key>` (a bzc_ key made by an administrator)",
            )
        })?;
        match db::orders::channel_keys::channel_for_key(&state.db, &key).await? {
            Some(ctx) => Ok(ApiChannel(ctx)),
            None => Err(unauthorized("Unknown or revoked channel key")),
        }
    }
}

fn bearer(parts: &Parts) -> Option<String> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(|k| k.trim().to_string())
}

/// `Json<T>` whose rejections are API errors naming what is wrong.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::new(
                ErrorCode::UnsupportedMediaType,
                "Send the body as JSON with Content-Type: application/json",
            )),
            Err(JsonRejection::JsonSyntaxError(e)) => Err(AppError::new(
                ErrorCode::Validation,
                format!("The body is not valid JSON: {}", e.body_text()),
            )),
            Err(JsonRejection::JsonDataError(e)) => Err(AppError::new(
                ErrorCode::Validation,
                format!(
                    "The JSON does not match the expected shape: {}",
                    e.body_text()
                ),
            )),
            Err(e) => Err(AppError::new(ErrorCode::Validation, e.body_text())),
        }
    }
}

/// `Query<T>` whose rejections are API errors naming the bad parameter.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned> FromRequestParts<AppState> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(e) => Err(AppError::new(
                ErrorCode::Validation,
                format!("Bad query parameters: {}", e.body_text()),
            )),
        }
    }
}

/// The language of the API's messages: `Accept-Language` when sent, else English.
pub struct ApiLocale(pub domain::Locale);

impl FromRequestParts<AppState> for ApiLocale {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ApiLocale(crate::files::api_locale(&parts.headers)))
    }
}

/// Parses a JSON body taken as bytes (kept for idempotency fingerprints).
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    if body.is_empty() {
        return Err(AppError::new(
            ErrorCode::Validation,
            "The body is empty: send JSON with Content-Type: application/json",
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        AppError::new(
            ErrorCode::Validation,
            format!("The body is not the expected JSON: {e}"),
        )
    })
}
