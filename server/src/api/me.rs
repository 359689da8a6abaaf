//! `GET /api/v1/me`: which seller the API key acts for.

use super::extract::ApiSeller;
use crate::state::AppState;
use app::error::AppError;
use axum::Json;
use axum::extract::State;
use serde::Serialize;

#[derive(Serialize, utoipa::ToSchema)]
pub struct MeResponse {
    /// The seller's id.
    pub seller_id: String,
    /// The seller's organisation name.
    pub seller_name: String,
    /// `pending_verification`, `active` or `suspended`.
    pub seller_status: String,
    /// Who the key is (for logs).
    pub actor: String,
}

/// The seller this API key acts for.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "account",
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The key's seller", body = MeResponse),
        (status = 401, description = "Missing, unknown or revoked key", body = super::ErrorBody)
    )
)]
pub async fn get_me(
    State(state): State<AppState>,
    ApiSeller(ctx): ApiSeller,
) -> Result<Json<MeResponse>, AppError> {
    let name = db::accounts::seller_name(&state.db, &ctx).await?;
    Ok(Json(MeResponse {
        seller_id: ctx.seller_id().to_string(),
        seller_name: name,
        seller_status: ctx.status().as_str().to_string(),
        actor: ctx.actor().label.clone(),
    }))
}
