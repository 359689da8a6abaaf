use crate::error::AppError;
use domain::catalog::SkuListPage;
use leptos::prelude::*;

/// One page of the caller's SKUs: searched, filtered and sorted in the database and
/// paged by cursor, so the thousandth page of a million SKUs costs what the first does.
#[server(prefix = "/rpc", endpoint = "list_skus")]
pub async fn list_skus(
    q: Option<String>,
    status: Option<String>,
    category: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
    after: Option<String>,
    before: Option<String>,
) -> Result<SkuListPage, AppError> {
    use crate::ssr;
    use domain::ErrorCode;
    use domain::catalog::{SkuListQuery, SkuSort, SkuStatus, SortDir};
    let ctx = ssr::seller().await?;
    let bad =
        |field: &str, m: String| AppError::new(ErrorCode::Validation, format!("{field}: {m}"));
    let nonempty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let query = SkuListQuery {
        q: nonempty(q),
        status: nonempty(status)
            .map(|s| s.parse::<SkuStatus>())
            .transpose()
            .map_err(|m| bad("status", m))?,
        category: nonempty(category),
        sort: nonempty(sort)
            .map(|s| s.parse::<SkuSort>())
            .transpose()
            .map_err(|m| bad("sort", m))?
            .unwrap_or_default(),
        dir: nonempty(dir)
            .map(|s| s.parse::<SortDir>())
            .transpose()
            .map_err(|m| bad("dir", m))?,
        after: nonempty(after),
        before: nonempty(before),
        limit: None,
    };
    let l = ssr::request_locale();
    Ok(db::catalog::skus::list_skus(&ssr::db()?, &ctx, &query, l).await?)
}
