use crate::error::AppError;
use domain::ledger::Balances;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One movement on the seller's balances, with the balances after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementLine {
    pub transaction_id: String,
    pub at_ms: i64,
    pub kind: domain::ledger::TransactionKind,
    pub order_id: Option<String>,
    pub memo: String,
    pub change: Balances,
    pub after: Balances,
}

/// A page of the statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementPage {
    pub opening: Balances,
    pub closing: Balances,
    pub rows: Vec<StatementLine>,
    pub more: bool,
}

/// The caller's RUB statement, oldest first, 50 movements a page; `after` is the last
/// movement of the previous page.
#[server(prefix = "/rpc", endpoint = "get_statement")]
pub async fn get_statement(after: Option<String>) -> Result<StatementPage, AppError> {
    use crate::ssr;
    use db::ledger::statement::{StatementFilter, seller_statement};
    let ctx = ssr::seller().await?;
    let mut filter = StatementFilter::new(domain::money::Currency::Rub);
    filter.limit = Some(50);
    filter.after = match after.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(id) => Some(crate::api::finance::parse_id(id)?),
        None => None,
    };
    Ok(seller_statement(&ssr::db()?, &ctx, &filter).await?.into())
}

#[cfg(feature = "ssr")]
impl From<db::ledger::statement::Statement> for StatementPage {
    fn from(s: db::ledger::statement::Statement) -> Self {
        StatementPage {
            opening: s.opening,
            closing: s.closing,
            rows: s
                .rows
                .into_iter()
                .map(|r| StatementLine {
                    transaction_id: r.transaction_id.to_string(),
                    at_ms: r.at.millis(),
                    kind: r.kind,
                    order_id: r.order_id.map(|o| o.to_string()),
                    memo: r.memo,
                    change: r.change,
                    after: r.after,
                })
                .collect(),
            more: s.more,
        }
    }
}
