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
