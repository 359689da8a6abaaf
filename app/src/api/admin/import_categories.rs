use crate::error::AppError;
use domain::catalog::TreeImportResult;
use leptos::prelude::*;

/// Replaces the category tree with the one in a category CSV, all or nothing; every
/// problem names its row and column.
#[server(prefix = "/rpc", endpoint = "admin_import_categories")]
pub async fn import_categories(csv: String) -> Result<TreeImportResult, AppError> {
    use crate::ssr;
    let ctx = ssr::admin().await?;
    let l = ssr::request_locale();
    Ok(db::catalog::categories::import_tree_csv(&ssr::db()?, &ctx, csv.as_bytes(), l).await?)
}
