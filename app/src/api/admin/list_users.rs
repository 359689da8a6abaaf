use crate::error::AppError;
use domain::accounts::{Role, UserView};
use domain::page::Page;
use leptos::prelude::*;

/// Users matching `query` (email or name), optionally of one role.
#[server(prefix = "/rpc", endpoint = "admin_list_users")]
pub async fn list_users(
    query: String,
    role: Option<Role>,
    offset: i64,
) -> Result<Page<UserView>, AppError> {
    use crate::ssr;
    let ctx = ssr::admin().await?;
    Ok(db::accounts::list_users(&ssr::db()?, &ctx, &query, role, offset, 50).await?)
}
