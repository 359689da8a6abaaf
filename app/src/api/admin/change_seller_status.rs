use crate::error::AppError;
use domain::accounts::{SellerAction, SellerStatus};
use leptos::prelude::*;

/// Verify, suspend or reactivate a seller.
#[server(prefix = "/rpc", endpoint = "admin_change_seller_status")]
pub async fn change_seller_status(
    seller_id: String,
    action: SellerAction,
    reason: Option<String>,
) -> Result<SellerStatus, AppError> {
    use crate::ssr;
    let ctx = ssr::admin().await?;
    let id = seller_id
        .parse()
        .map_err(|_| AppError::new(domain::ErrorCode::NotFound, "No such seller"))?;
    Ok(db::accounts::change_seller_status(
        &ssr::db()?,
        &ctx,
        id,
        action,
        reason.as_deref().unwrap_or_default(),
    )
    .await?)
}
