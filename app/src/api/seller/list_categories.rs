use crate::error::AppError;
use domain::catalog::Category;
use leptos::prelude::*;

/// The category tree with attribute schemas, parents first, for the SKU form and the
/// browser's check of a file before upload (it rebuilds the same index from these).
#[server(prefix = "/rpc", endpoint = "list_categories")]
pub async fn list_categories() -> Result<Vec<Category>, AppError> {
    use crate::ssr;
    let _ctx = ssr::seller().await?;
    Ok(db::catalog::categories::list_categories(&ssr::db()?).await?)
}
