use crate::error::AppError;
use leptos::prelude::*;

/// Acts on one payout line: `exclude`, `hold` (with a reason), `release` (back to
/// proposed), `paid` (bank reference), `failed` (reason) or `unresolved` (note).
#[server(prefix = "/rpc", endpoint = "finance_update_payout_line")]
pub async fn update_payout_line(id: String, action: String, text: String) -> Result<(), AppError> {
    use crate::ssr;
    use db::ledger::payouts;
    let ctx = ssr::finance().await?;
    let db = ssr::db()?;
    let id = super::parse_id(&id)?;
    let text = text.trim();
    match action.as_str() {
        "exclude" => payouts::exclude_line(&db, &ctx, id, text).await?,
        "hold" => payouts::hold_line(&db, &ctx, id, text).await?,
        "release" => payouts::release_line(&db, &ctx, id).await?,
        "paid" => {
            payouts::mark_line_paid(&db, &ctx, id, text).await?;
        }
        "failed" => {
            payouts::mark_line_failed(&db, &ctx, id, text).await?;
        }
        "unresolved" => payouts::mark_line_unresolved(&db, &ctx, id, text).await?,
        _ => {
            return Err(AppError::new(
                domain::ErrorCode::Validation,
                "action must be exclude, hold, release, paid, failed or unresolved",
            ));
        }
    }
    Ok(())
}
