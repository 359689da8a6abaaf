use crate::error::AppError;
use domain::audit::{AuditEntry, AuditFilter};
use leptos::prelude::*;

/// The newest audit-log entries, filtered by action prefix and/or subject.
#[server(prefix = "/rpc", endpoint = "admin_list_audit")]
pub async fn list_audit(filter: AuditFilter) -> Result<Vec<AuditEntry>, AppError> {
    use crate::ssr;
    let ctx = ssr::admin().await?;
    Ok(db::audit::list(&ssr::db()?, &ctx, &filter).await?)
}
