use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the SKU page shows next to one image URL of the SKU's newest content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageStateView {
    pub url: String,
    pub id: String,
    /// `pending`, `ready` or `failed`.
    pub status: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Why the image failed, in the caller's language.
    pub error: Option<String>,
    /// `other_seller` or `rejected_before` when the image resembles one of those.
    pub duplicate_kind: Option<String>,
}

/// The processing state of each image of one of the caller's SKUs (URLs not known
/// yet are left out).
#[server(prefix = "/rpc", endpoint = "list_image_states")]
pub async fn list_image_states(seller_sku: String) -> Result<Vec<ImageStateView>, AppError> {
    use crate::ssr;
    let ctx = ssr::seller().await?;
    let db = ssr::db()?;
    let locale = ssr::request_locale();
    let detail = db::catalog::skus::get_sku(&db, &ctx, &seller_sku).await?;
    let urls = detail.form_input().map(|i| i.images).unwrap_or_default();
    let states = db::images::states_for(&db, ctx.seller_id(), &urls).await?;
    Ok(states
        .into_iter()
        .map(|s| ImageStateView {
            error: s.error_message(locale).map(str::to_string),
            url: s.url,
            id: s.id.to_string(),
            status: s.status.as_str().to_string(),
            width: s.width,
            height: s.height,
            duplicate_kind: s.duplicate_kind.map(|k| k.as_str().to_string()),
        })
        .collect())
}
