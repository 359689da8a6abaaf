use crate::error::AppError;
use domain::moderation::Reason;
use leptos::prelude::*;

/// Every rejection reason, retired ones included.
#[server(prefix = "/rpc", endpoint = "admin_list_reasons")]
pub async fn admin_list_reasons() -> Result<Vec<Reason>, AppError> {
    use crate::ssr;
    let _ctx = ssr::admin().await?;
    Ok(db::moderation::lists::list_reasons(&ssr::db()?, true).await?)
}
