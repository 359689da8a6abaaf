//! Staff and ledger downloads, authenticated by the session cookie like the cabinet's
//! files:
//!
//! - `GET /finance/payouts/{id}/register.csv` (role finance) → the bank payment
//!   register of an approved batch (`;`, Windows-1251, `Content-Disposition:
//!   attachment`); downloading it marks the batch exported. Without a session `401`,
//!   any other role `403`, an unknown batch `404`, a batch that is not approved or
//!   exported `409 invalid_state_transition`.
//! - `GET /seller/finance/statement.csv` (seller) → the caller's whole RUB statement
//!   with running balances (`;`, Windows-1251, decimal comma), in the session's
//!   language. Only the caller's own movements: every read is scoped by `SellerCtx`.
//! - `GET /admin/categories/export.csv` (role admin) → the category tree in the
//!   import format, to edit and import back.

use super::cabinet::SessionSeller;
use crate::state::AppState;
use app::error::AppError;
use app::ssr::SESSION_COOKIE;
use axum::Router;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::get;
use axum_extra::extract::cookie::CookieJar;
use db::auth::{AdminCtx, FinanceCtx, Principal};
use db::ledger::statement::{Statement, StatementFilter, seller_statement, statement_csv};
use domain::money::Currency;

/// Whoever the session cookie names: `401` without a live session.
async fn session_principal(parts: &Parts, state: &AppState) -> Result<Principal, AppError> {
    let jar = CookieJar::from_headers(&parts.headers);
    let token = jar
        .get(SESSION_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|t| !t.is_empty())
        .ok_or_else(AppError::unauthorized)?;
    db::auth::session_principal(&state.db, &token)
        .await?
        .ok_or_else(AppError::unauthorized)
}

/// The finance staff member of the logged-in session.
pub struct SessionFinance(pub FinanceCtx);

impl FromRequestParts<AppState> for SessionFinance {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(SessionFinance(
            session_principal(parts, state).await?.finance()?,
        ))
    }
}

/// The administrator of the logged-in session.
pub struct SessionAdmin(pub AdminCtx);

impl FromRequestParts<AppState> for SessionAdmin {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(SessionAdmin(
            session_principal(parts, state).await?.admin()?,
        ))
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/finance/payouts/{id}/register.csv", get(register_csv))
        .route("/seller/finance/statement.csv", get(statement_csv_download))
        .route("/admin/categories/export.csv", get(category_tree_csv))
}

/// The whole category tree in the import format (UTF-8 with BOM, `;`): edit it in
/// Excel and import it back at `/admin/categories`.
async fn category_tree_csv(
    State(state): State<AppState>,
    SessionAdmin(ctx): SessionAdmin,
) -> Result<Response, AppError> {
    let bytes = db::catalog::categories::export_tree_csv(&state.db, &ctx).await?;
    let mut res = csv_attachment("categories.csv", bytes);
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    Ok(res)
}

/// A CSV attachment in Windows-1251 (what Excel and Russian bank clients expect).
fn csv_attachment(file_name: &str, bytes: Vec<u8>) -> Response {
    let mut res = Response::new(axum::body::Body::from(bytes));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=windows-1251"),
    );
    let safe: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

async fn register_csv(
    State(state): State<AppState>,
    SessionFinance(ctx): SessionFinance,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = id
        .parse()
        .map_err(|_| AppError::new(domain::ErrorCode::NotFound, "No such payout batch"))?;
    let register = db::ledger::payouts::export_register(&state.db, &ctx, id).await?;
    tracing::info!(batch.id = %id, rows = register.rows, "payout register exported");
    Ok(csv_attachment(&register.file_name, register.windows_1251))
}

/// Rows read per statement page while building the file.
const STATEMENT_PAGE: u32 = 1000;

async fn statement_csv_download(
    State(state): State<AppState>,
    seller: SessionSeller,
) -> Result<Response, AppError> {
    let mut filter = StatementFilter::new(Currency::Rub);
    filter.limit = Some(STATEMENT_PAGE);
    let mut all: Option<Statement> = None;
    loop {
        let page = seller_statement(&state.db, &seller.ctx, &filter).await?;
        filter.after = page.rows.last().map(|r| r.transaction_id);
        let more = page.more && filter.after.is_some();
        match all.as_mut() {
            None => all = Some(page),
            Some(acc) => {
                acc.closing = page.closing;
                acc.rows.extend(page.rows);
                acc.more = page.more;
            }
        }
        if !more {
            break;
        }
    }
    let Some(statement) = all else {
        return Err(AppError::internal());
    };
    let csv = statement_csv(&statement, seller.locale)?;
    let date = chrono::Utc::now().format("%Y-%m-%d");
    Ok(csv_attachment(
        &format!("statement-{date}.csv"),
        domain::payouts::encode_windows_1251(&csv),
    ))
}
