use crate::api::seller::get_statement::StatementPage;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The movements behind one payout line's amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineStatement {
    pub line_id: String,
    pub currency: domain::money::Currency,
    /// When the seller's previous payout was proposed (the period's start), if ever.
    pub since_ms: Option<i64>,
    /// When this line was proposed (the period's end).
    pub until_ms: i64,
    pub page: StatementPage,
}

/// Movements shown behind a payout line at most.
pub const LINE_STATEMENT_ROWS: u32 = 200;

/// Finance staff: the seller's statement lines behind a payout line, from their
/// previous payout up to this line's proposal.
#[server(prefix = "/rpc", endpoint = "finance_line_statement")]
pub async fn get_line_statement(line_id: String) -> Result<LineStatement, AppError> {
    use crate::ssr;
    let ctx = ssr::finance().await?;
    let id = super::parse_id(&line_id)?;
    let s =
        db::ledger::statement::payout_line_statement(&ssr::db()?, &ctx, id, LINE_STATEMENT_ROWS)
            .await?;
    Ok(LineStatement {
        line_id,
        currency: s.statement.currency,
        since_ms: s.since.map(|t| t.millis()),
        until_ms: s.until.millis(),
        page: s.statement.into(),
    })
}
