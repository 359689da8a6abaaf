use crate::error::AppError;
use domain::catalog::CategoryNode;
use leptos::prelude::*;

/// The whole category tree, depth-first, with each category's own and inherited
/// attributes.
#[server(prefix = "/rpc", endpoint = "admin_list_categories")]
pub async fn list_categories() -> Result<Vec<CategoryNode>, AppError> {
    use crate::ssr;
    let _ctx = ssr::admin().await?;
    let index = db::catalog::categories::load_index(&ssr::db()?).await?;
    Ok(domain::catalog::category_nodes(&index))
}
