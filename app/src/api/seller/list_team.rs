use crate::error::AppError;
use domain::accounts::UserView;
use leptos::prelude::*;

/// The people of the caller's organisation.
#[server(prefix = "/rpc", endpoint = "list_team")]
pub async fn list_team() -> Result<Vec<UserView>, AppError> {
    use crate::ssr;
    let ctx = ssr::seller().await?;
    Ok(db::accounts::list_team(&ssr::db()?, &ctx).await?)
}
