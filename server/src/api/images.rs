//! Product images over REST: upload (processed at once) and status. URL images need
//! no call of their own: putting a URL into a SKU's `images` registers it and a
//! background worker fetches it; its status comes with the SKU.

use super::ErrorBody;
use super::extract::{ApiLocale, ApiSeller};
use crate::state::AppState;
use app::error::AppError;
use axum::extract::{Path, Request, State};
use axum::response::Response;

/// Uploads a product image (JPEG, PNG or WebP, at most `BAZAAR_IMAGE_MAX_BYTES`,
/// 20 MB by default). Send it as the body with its image content type, or as
/// multipart field `file`. The image is checked and processed at once (decompression
/// bombs, truncated, mislabelled and non-image files are refused with a reason in
/// `details.fields[0].code`); the answer's `url` is what to put into a SKU's
/// `images`.
#[utoipa::path(
    post,
    path = "/api/v1/images",
    tag = "images",
    security(("api_key" = [])),
    request_body(content = Vec<u8>, content_type = "image/jpeg", description = "The image (or multipart/form-data with field `file`)"),
    responses(
        (status = 201, description = "Stored and processed", body = crate::images::ImageView),
        (status = 413, description = "Larger than the image size limit", body = ErrorBody),
        (status = 415, description = "Not JPEG, PNG or WebP, or labelled as another type than it is", body = ErrorBody),
        (status = 422, description = "Not an acceptable image (empty, truncated, too many pixels, undecodable)", body = ErrorBody)
    )
)]
pub async fn upload_image(
    State(state): State<AppState>,
    ApiSeller(ctx): ApiSeller,
    ApiLocale(locale): ApiLocale,
    req: Request,
) -> Result<Response, AppError> {
    crate::images::receive_upload(&state, &ctx, locale, req).await
}

/// One of the caller's images: `status` (`pending` while a URL image waits to be
/// fetched, `ready`, `failed` with `error`), size, thumbnail and near-duplicate
/// finding.
#[utoipa::path(
    get,
    path = "/api/v1/images/{id}",
    tag = "images",
    security(("api_key" = [])),
    params(("id" = String, Path, description = "The image's id")),
    responses(
        (status = 200, description = "The image", body = crate::images::ImageView),
        (status = 404, description = "No such image for this seller", body = ErrorBody)
    )
)]
pub async fn get_image(
    State(state): State<AppState>,
    ApiSeller(ctx): ApiSeller,
    ApiLocale(locale): ApiLocale,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    crate::images::image_status(&state, &ctx, locale, &id).await
}
