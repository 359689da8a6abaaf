use crate::error::AppError;
use domain::catalog::SkuDetail;
use leptos::prelude::*;

/// Changes price, old price, VAT and stock of one of the caller's SKUs: live at once,
/// never a revision, never moderation.
#[server(prefix = "/rpc", endpoint = "update_sku_commercial")]
pub async fn update_sku_commercial(
    seller_sku: String,
    price: String,
    old_price: String,
    vat: String,
    stock: String,
) -> Result<SkuDetail, AppError> {
    use crate::ssr;
    use db::catalog::skus::CommercialPatch;
    let ctx = ssr::seller().await?;
    let patch = CommercialPatch {
        price: Some(price),
        old_price: Some(old_price),
        vat: Some(vat),
        stock: Some(stock),
    };
    let l = ssr::request_locale();
    Ok(db::catalog::skus::patch_commercial(&ssr::db()?, &ctx, &seller_sku, &patch, l).await?)
}
