use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Counts for the admin home page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminOverview {
    pub sellers_total: i64,
    pub sellers_pending: i64,
    pub sellers_suspended: i64,
    pub users_total: i64,
    pub jobs_failed: i64,
}

#[server(prefix = "/rpc", endpoint = "admin_overview")]
pub async fn get_admin_overview() -> Result<AdminOverview, AppError> {
    use crate::ssr;
    let ctx = ssr::admin().await?;
    let o = db::accounts::overview(&ssr::db()?, &ctx).await?;
    Ok(AdminOverview {
        sellers_total: o.sellers_total,
        sellers_pending: o.sellers_pending,
        sellers_suspended: o.sellers_suspended,
        users_total: o.users_total,
        jobs_failed: o.jobs_failed,
    })
}
