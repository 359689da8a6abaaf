use crate::error::AppError;
use domain::moderation::view::CategoryRuleView;
use leptos::prelude::*;

/// Every category with its moderation rules.
#[server(prefix = "/rpc", endpoint = "admin_list_category_rules")]
pub async fn admin_list_category_rules() -> Result<Vec<CategoryRuleView>, AppError> {
    use crate::ssr;
    let _ctx = ssr::admin().await?;
    Ok(db::moderation::lists::list_category_rules(&ssr::db()?).await?)
}
