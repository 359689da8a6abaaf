//! Payouts: settings, sellers' bank details, batches proposed from `available`
//! balances, review by finance (exclude, hold, approve with four eyes), the bank
//! register, and each line's outcome (paid, failed, unresolved).
//!
//! Money moves only through the ledger: approval reserves (`available` →
//! `payout_reserved`) against the balance read under lock, a paid line moves the
//! reserve to `payouts_clearing`, a failed line returns it to `available`, an
//! unresolved line keeps it reserved. Paid and failed share one idempotency key per
//! line (`payout_outcome:<line>`), so at most one of them can ever post: a line is
//! never paid twice, nor paid and failed.
//!
//! Every action locks the batch row first, then the line, then balance rows (the
//! ledger's lock order).

use super::balances::lock_seller_balances;
use super::posting::{self, Claimed, Posted, WriteItem};
use super::{ledger_error, payout_error, sql};
use crate::auth::{FinanceCtx, SellerCtx};
use crate::util::{new_uuid, now_ms, parse_col};
use crate::{Db, Engine, Error, Result, Tx, audit};
use chrono::{NaiveDate, Weekday};
use domain::ErrorCode;
use domain::accounts::Inn;
use domain::ids::{JournalId, PayoutBatchId, PayoutId, SellerId, UserId};
use domain::ledger::{
    Balances, IdempotencyKey, PayoutMovement, TxMeta, payout_failed_transaction,
    payout_paid_transaction, payout_reserve_transaction,
};
use domain::money::{Currency, Money};
use domain::payouts::{
    ApprovalPolicy, BankDetails, BatchStatus, BatchSummary, ExclusionReason, LedgerEffect,
    LineAction, PayoutCandidate, PayoutFrequency, PayoutLineStatus, PayoutPeriod, PayoutSchedule,
    RegisterRow, apply_line_action, approval_action, encode_windows_1251, export_register_csv,
    propose_payouts,
};
use domain::time::Timestamp;
use domain::{FieldError, payouts};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

// ---------------------------------------------------------------------------
// Settings

/// The payout schedule of one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutSettings {
    pub currency: Currency,
    pub frequency: PayoutFrequency,
    /// The smallest payout worth a bank transfer.
    pub minimum_minor: i64,
    /// Above this batch total the approver must not be the preparer.
    pub four_eyes_threshold_minor: i64,
}

impl PayoutSettings {
    pub fn schedule(&self) -> Result<PayoutSchedule> {
        PayoutSchedule::new(
            self.frequency,
            BTreeMap::from([(self.currency, self.minimum_minor)]),
        )
        .map_err(payout_error)
    }

    pub fn approval_policy(&self) -> ApprovalPolicy {
        ApprovalPolicy {
            four_eyes_threshold: Money::from_minor(self.four_eyes_threshold_minor, self.currency),
        }
    }
}

fn weekday_number(weekday: Weekday) -> i64 {
    i64::from(weekday.number_from_monday())
}

fn weekday_from(number: i64) -> Option<Weekday> {
    [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ]
    .into_iter()
    .find(|w| weekday_number(*w) == number)
}

/// The payout settings of `currency`; a currency nobody configured has none.
pub async fn payout_settings(db: &Db, currency: Currency) -> Result<Option<PayoutSettings>> {
    let row: Option<(String, Option<i64>, i64, i64)> = sqlx::query_as(
        "SELECT frequency, weekday, minimum_minor, four_eyes_threshold_minor FROM payout_settings WHERE currency = $1",
    )
    .bind(currency.code())
    .fetch_optional(db.pool())
    .await?;
    let Some((frequency, weekday, minimum_minor, four_eyes_threshold_minor)) = row else {
        return Ok(None);
    };
    let frequency = match (frequency.as_str(), weekday.and_then(weekday_from)) {
        ("daily", _) => PayoutFrequency::Daily,
        ("weekly", Some(weekday)) => PayoutFrequency::Weekly { weekday },
        _ => {
            return Err(Error::Internal(format!(
                "bad stored payout frequency {frequency:?}"
            )));
        }
    };
    Ok(Some(PayoutSettings {
        currency,
        frequency,
        minimum_minor,
        four_eyes_threshold_minor,
    }))
}

/// Sets a currency's payout schedule, minimum and four-eyes threshold.
pub async fn update_payout_settings(
    db: &Db,
    ctx: &FinanceCtx,
    settings: &PayoutSettings,
) -> Result<()> {
    let mut errors = Vec::new();
    if settings.minimum_minor < 0 {
        errors.push(FieldError::new(
            "minimum",
            "negative",
            "The minimum payout must not be negative",
        ));
    }
    if settings.four_eyes_threshold_minor < 0 {
        errors.push(FieldError::new(
            "four_eyes_threshold",
            "negative",
            "The four-eyes threshold must not be negative",
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let (frequency, weekday) = match settings.frequency {
        PayoutFrequency::Daily => ("daily", None),
        PayoutFrequency::Weekly { weekday } => ("weekly", Some(weekday_number(weekday))),
    };
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO payout_settings (currency, frequency, weekday, minimum_minor, four_eyes_threshold_minor, \
         updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (currency) DO UPDATE SET \
         frequency = excluded.frequency, weekday = excluded.weekday, minimum_minor = excluded.minimum_minor, \
         four_eyes_threshold_minor = excluded.four_eyes_threshold_minor, updated_at = excluded.updated_at, \
         updated_by = excluded.updated_by",
    )
    .bind(settings.currency.code())
    .bind(frequency)
    .bind(weekday)
    .bind(settings.minimum_minor)
    .bind(settings.four_eyes_threshold_minor)
    .bind(now_ms())
    .bind(ctx.user_id().to_string())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        ctx.actor(),
        "payouts.settings.update",
        "payout_settings",
        settings.currency.code(),
        None,
        serde_json::json!({
            "frequency": frequency,
            "weekday": weekday,
            "minimum_minor": settings.minimum_minor,
            "four_eyes_threshold_minor": settings.four_eyes_threshold_minor,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Bank details

/// Bank details as the seller types them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutDetailsInput {
    pub recipient_name: String,
    pub inn: String,
    pub bik: String,
    pub account_number: String,
    pub correspondent_account: String,
    pub bank_name: String,
}

/// Where a seller's payouts go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutDetails {
    pub recipient_name: String,
    pub inn: String,
    pub bank: BankDetails,
    pub updated_at: Timestamp,
}

fn digits(
    field: &str,
    value: &str,
    len: usize,
    what: &str,
    errors: &mut Vec<FieldError>,
) -> String {
    let clean: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    if clean.is_empty() {
        errors.push(FieldError::new(
            field,
            "required",
            format!("{what} is required"),
        ));
    } else if clean.len() != len || !clean.bytes().all(|b| b.is_ascii_digit()) {
        errors.push(FieldError::new(
            field,
            "invalid_format",
            format!("{what} has {len} digits"),
        ));
    }
    clean
}

fn text(field: &str, value: &str, max: usize, what: &str, errors: &mut Vec<FieldError>) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.push(FieldError::new(
            field,
            "required",
            format!("{what} is required"),
        ));
    } else if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            "too_long",
            format!("{what} is at most {max} characters"),
        ));
    }
    value.to_string()
}

impl PayoutDetailsInput {
    /// Checks the form: every field present, INN with its check digits, BIK 9 digits,
    /// accounts 20 digits.
    pub fn validate(&self) -> Result<(String, String, BankDetails), Vec<FieldError>> {
        let mut errors = Vec::new();
        let recipient = text(
            "recipient_name",
            &self.recipient_name,
            160,
            "Recipient",
            &mut errors,
        );
        let inn = match Inn::parse(&self.inn) {
            Ok(inn) => inn.as_str().to_string(),
            Err(e) => {
                errors.push(e);
                String::new()
            }
        };
        let bik = digits("bik", &self.bik, 9, "BIK", &mut errors);
        let account_number = digits(
            "account_number",
            &self.account_number,
            20,
            "Account number",
            &mut errors,
        );
        let correspondent_account = digits(
            "correspondent_account",
            &self.correspondent_account,
            20,
            "Correspondent account",
            &mut errors,
        );
        let bank_name = text("bank_name", &self.bank_name, 160, "Bank name", &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok((
            recipient,
            inn,
            BankDetails {
                account_number,
                bik,
                correspondent_account,
                bank_name,
            },
        ))
    }
}

/// Saves the calling seller's bank details (the organisation's owner only).
pub async fn set_payout_details(
    db: &Db,
    ctx: &SellerCtx,
    input: &PayoutDetailsInput,
) -> Result<PayoutDetails> {
    ctx.require_owner()?;
    let (recipient_name, inn, bank) = input.validate().map_err(Error::Validation)?;
    let now = now_ms();
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO seller_payout_details (seller_id, recipient_name, inn, bik, account_number, \
         correspondent_account, bank_name, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (seller_id) DO UPDATE SET recipient_name = excluded.recipient_name, inn = excluded.inn, \
         bik = excluded.bik, account_number = excluded.account_number, \
         correspondent_account = excluded.correspondent_account, bank_name = excluded.bank_name, \
         updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(ctx.seller_id().to_string())
    .bind(&recipient_name)
    .bind(&inn)
    .bind(&bank.bik)
    .bind(&bank.account_number)
    .bind(&bank.correspondent_account)
    .bind(&bank.bank_name)
    .bind(now)
    .bind(ctx.user_id().map(|id| id.to_string()))
    .execute(&mut *tx)
    .await?;
    // The audit row says that the details changed, not what they are.
    audit::record(
        &mut tx,
        ctx.actor(),
        "payouts.details.update",
        "seller",
        &ctx.seller_id().to_string(),
        Some(ctx.seller_id()),
        serde_json::json!({ "bik": bank.bik }),
    )
    .await?;
    tx.commit().await?;
    Ok(PayoutDetails {
        recipient_name,
        inn,
        bank,
        updated_at: Timestamp::from_millis(now),
    })
}

/// The calling seller's bank details, if any.
pub async fn get_payout_details(db: &Db, ctx: &SellerCtx) -> Result<Option<PayoutDetails>> {
    let row: Option<(String, String, String, String, String, String, i64)> = sqlx::query_as(
        "SELECT recipient_name, inn, bik, account_number, correspondent_account, bank_name, updated_at \
         FROM seller_payout_details WHERE seller_id = $1",
    )
    .bind(ctx.seller_id().to_string())
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(
        |(recipient_name, inn, bik, account_number, correspondent_account, bank_name, at)| {
            PayoutDetails {
                recipient_name,
                inn,
                bank: BankDetails {
                    account_number,
                    bik,
                    correspondent_account,
                    bank_name,
                },
                updated_at: Timestamp::from_millis(at),
            }
        },
    ))
}

// ---------------------------------------------------------------------------
// Batches and lines: read models

/// A payout batch as finance staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchView {
    pub id: PayoutBatchId,
    pub currency: Currency,
    pub status: BatchStatus,
    pub period: PayoutPeriod,
    pub proposed_total_minor: i64,
    pub approved_total_minor: Option<i64>,
    pub line_count: i64,
    /// `None` when the schedule proposed it.
    pub prepared_by: Option<UserId>,
    pub approved_by: Option<UserId>,
    pub approved_at: Option<Timestamp>,
    pub exported_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct BatchRow {
    id: String,
    currency: String,
    status: String,
    period_from: String,
    period_to: String,
    proposed_total_minor: i64,
    approved_total_minor: Option<i64>,
    line_count: i64,
    prepared_by: Option<String>,
    approved_by: Option<String>,
    approved_at: Option<i64>,
    exported_at: Option<i64>,
    created_at: i64,
}

const BATCH_SELECT: &str = "id, currency, status, period_from, period_to, proposed_total_minor, \
     approved_total_minor, line_count, prepared_by, approved_by, approved_at, exported_at, created_at";

fn batch_status(s: &str) -> Result<BatchStatus> {
    Ok(match s {
        "proposed" => BatchStatus::Proposed,
        "approved" => BatchStatus::Approved,
        "exported" => BatchStatus::Exported,
        "closed" => BatchStatus::Closed,
        "cancelled" => BatchStatus::Cancelled,
        other => {
            return Err(Error::Internal(format!(
                "bad stored batch status {other:?}"
            )));
        }
    })
}

fn date(column: &'static str, value: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|e| Error::Internal(format!("bad stored date in {column}: {value:?}: {e}")))
}

impl BatchRow {
    fn into_view(self) -> Result<BatchView> {
        Ok(BatchView {
            id: parse_col("payout_batches.id", &self.id)?,
            currency: parse_col("payout_batches.currency", &self.currency)?,
            status: batch_status(&self.status)?,
            period: PayoutPeriod {
                from: date("payout_batches.period_from", &self.period_from)?,
                to: date("payout_batches.period_to", &self.period_to)?,
            },
            proposed_total_minor: self.proposed_total_minor,
            approved_total_minor: self.approved_total_minor,
            line_count: self.line_count,
            prepared_by: self
                .prepared_by
                .map(|id| parse_col("payout_batches.prepared_by", &id))
                .transpose()?,
            approved_by: self
                .approved_by
                .map(|id| parse_col("payout_batches.approved_by", &id))
                .transpose()?,
            approved_at: self.approved_at.map(Timestamp::from_millis),
            exported_at: self.exported_at.map(Timestamp::from_millis),
            created_at: Timestamp::from_millis(self.created_at),
        })
    }
}

/// One payout line as finance staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutLineView {
    pub id: PayoutId,
    pub batch_id: PayoutBatchId,
    pub seller_id: SellerId,
    pub seller_name: String,
    pub amount: Money,
    pub status: PayoutLineStatus,
    /// The available balance found at approval, when it was too low.
    pub available_at_approval_minor: Option<i64>,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    id: String,
    batch_id: String,
    seller_id: String,
    seller_name: String,
    currency: String,
    amount_minor: i64,
    status: String,
    exclusion_reason: Option<String>,
    status_note: Option<String>,
    available_at_approval_minor: Option<i64>,
    bank_reference: Option<String>,
    updated_at: i64,
}

const LINE_SELECT: &str = "l.id, l.batch_id, l.seller_id, s.name AS seller_name, l.currency, l.amount_minor, \
     l.status, l.exclusion_reason, l.status_note, l.available_at_approval_minor, l.bank_reference, l.updated_at";

impl LineRow {
    fn line_status(&self) -> Result<PayoutLineStatus> {
        let note = || self.status_note.clone().unwrap_or_default();
        Ok(match self.status.as_str() {
            "proposed" => PayoutLineStatus::Proposed,
            "approved" => PayoutLineStatus::Approved,
            "held" => PayoutLineStatus::Held { reason: note() },
            "paid" => PayoutLineStatus::Paid {
                bank_reference: self.bank_reference.clone().unwrap_or_default(),
            },
            "failed" => PayoutLineStatus::Failed { reason: note() },
            "unresolved" => PayoutLineStatus::Unresolved { note: note() },
            "excluded" => PayoutLineStatus::Excluded {
                reason: match self.exclusion_reason.as_deref() {
                    Some("missing_bank_details") => ExclusionReason::MissingBankDetails,
                    Some("insufficient_funds") => ExclusionReason::InsufficientFunds {
                        available_minor: self.available_at_approval_minor.unwrap_or(0),
                    },
                    _ => ExclusionReason::Manual { note: note() },
                },
            },
            other => return Err(Error::Internal(format!("bad stored line status {other:?}"))),
        })
    }

    fn into_view(self) -> Result<PayoutLineView> {
        let currency: Currency = parse_col("payout_lines.currency", &self.currency)?;
        Ok(PayoutLineView {
            status: self.line_status()?,
            id: parse_col("payout_lines.id", &self.id)?,
            batch_id: parse_col("payout_lines.batch_id", &self.batch_id)?,
            seller_id: parse_col("payout_lines.seller_id", &self.seller_id)?,
            seller_name: self.seller_name,
            amount: Money::from_minor(self.amount_minor, currency),
            available_at_approval_minor: self.available_at_approval_minor,
            updated_at: Timestamp::from_millis(self.updated_at),
        })
    }
}

/// Batches, newest first, optionally of one status (`Proposed`: awaiting review).
pub async fn list_batches(
    db: &Db,
    _ctx: &FinanceCtx,
    status: Option<BatchStatus>,
    limit: i64,
) -> Result<Vec<BatchView>> {
    let query = format!(
        "SELECT {BATCH_SELECT} FROM payout_batches WHERE ($1 IS NULL OR status = $1) \
         ORDER BY created_at DESC, id DESC LIMIT $2"
    );
    let rows: Vec<BatchRow> = sqlx::query_as(sqlx::AssertSqlSafe(query))
        .bind(status.map(BatchStatus::as_str))
        .bind(limit.clamp(1, 500))
        .fetch_all(db.pool())
        .await?;
    rows.into_iter().map(BatchRow::into_view).collect()
}

pub async fn get_batch(db: &Db, _ctx: &FinanceCtx, id: PayoutBatchId) -> Result<BatchView> {
    let query = format!("SELECT {BATCH_SELECT} FROM payout_batches WHERE id = $1");
    let row: Option<BatchRow> = sqlx::query_as(sqlx::AssertSqlSafe(query))
        .bind(id.to_string())
        .fetch_optional(db.pool())
        .await?;
    row.ok_or(Error::NotFound("payout batch"))?.into_view()
}

/// A batch's lines in seller-name order, a page at a time.
pub async fn list_batch_lines(
    db: &Db,
    _ctx: &FinanceCtx,
    batch_id: PayoutBatchId,
    offset: i64,
    limit: i64,
) -> Result<Vec<PayoutLineView>> {
    let query = format!(
        "SELECT {LINE_SELECT} FROM payout_lines l JOIN sellers s ON s.id = l.seller_id \
         WHERE l.batch_id = $1 ORDER BY s.name, l.id LIMIT $2 OFFSET $3"
    );
    let rows: Vec<LineRow> = sqlx::query_as(sqlx::AssertSqlSafe(query))
        .bind(batch_id.to_string())
        .bind(limit.clamp(1, 1_000))
        .bind(offset.max(0))
        .fetch_all(db.pool())
        .await?;
    rows.into_iter().map(LineRow::into_view).collect()
}

/// A payout as the seller sees it in the payout history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerPayoutView {
    pub id: PayoutId,
    pub amount: Money,
    pub period: PayoutPeriod,
    pub status: PayoutLineStatus,
    pub updated_at: Timestamp,
}

/// The calling seller's payouts, newest first.
pub async fn list_seller_payouts(
    db: &Db,
    ctx: &SellerCtx,
    limit: i64,
) -> Result<Vec<SellerPayoutView>> {
    let query = format!(
        "SELECT {LINE_SELECT}, b.period_from, b.period_to FROM payout_lines l \
         JOIN sellers s ON s.id = l.seller_id JOIN payout_batches b ON b.id = l.batch_id \
         WHERE l.seller_id = $1 AND b.status <> 'cancelled' ORDER BY l.created_at DESC, l.id DESC LIMIT $2"
    );
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        line: LineRow,
        period_from: String,
        period_to: String,
    }
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(query))
        .bind(ctx.seller_id().to_string())
        .bind(limit.clamp(1, 500))
        .fetch_all(db.pool())
        .await?;
    rows.into_iter()
        .map(|r| {
            let period = PayoutPeriod {
                from: date("payout_batches.period_from", &r.period_from)?,
                to: date("payout_batches.period_to", &r.period_to)?,
            };
            // A seller is told "excluded: insufficient funds" but not finance's notes.
            let view = r.line.into_view()?;
            Ok(SellerPayoutView {
                id: view.id,
                amount: view.amount,
                period,
                status: match view.status {
                    PayoutLineStatus::Excluded {
                        reason: ExclusionReason::Manual { .. },
                    } => PayoutLineStatus::Excluded {
                        reason: ExclusionReason::Manual {
                            note: String::new(),
                        },
                    },
                    other => other,
                },
                updated_at: view.updated_at,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Proposal

/// Proposes a batch from every seller's `available` balance in `currency`: one
/// aggregate query over the balance rows (joined with payout holds and bank details),
/// the domain's `propose_payouts`, one multi-row insert. Returns `None` when nobody
/// has anything payable. Only one batch per currency can be under review at a time.
///
/// `by` is the finance staff member who asked for it, or `None` for the schedule.
pub async fn propose_payout_batch(
    db: &Db,
    by: Option<&FinanceCtx>,
    currency: Currency,
    now: Timestamp,
) -> Result<Option<BatchView>> {
    let settings = payout_settings(db, currency).await?.ok_or_else(|| {
        Error::rule(
            ErrorCode::Conflict,
            format!("No payout schedule is configured for {}", currency.code()),
        )
    })?;
    let schedule = settings.schedule()?;
    let rows: Vec<(String, i64, Option<String>, i64)> = sqlx::query_as(
        "SELECT b.seller_id, b.balance_minor, f.payout_hold_reason, \
         CASE WHEN d.seller_id IS NULL THEN 0 ELSE 1 END \
         FROM ledger_balances b \
         LEFT JOIN seller_finance_settings f ON f.seller_id = b.seller_id \
         LEFT JOIN seller_payout_details d ON d.seller_id = b.seller_id \
         WHERE b.kind = 'available' AND b.currency = $1 AND b.balance_minor > 0 AND b.balance_minor >= $2",
    )
    .bind(currency.code())
    .bind(settings.minimum_minor)
    .fetch_all(db.pool())
    .await?;
    let mut candidates = Vec::with_capacity(rows.len());
    for (seller_id, available_minor, hold_reason, has_details) in rows {
        candidates.push(PayoutCandidate {
            seller_id: parse_col("ledger_balances.seller_id", &seller_id)?,
            currency,
            balances: Balances {
                available_minor,
                ..Balances::default()
            },
            payout_hold_reason: hold_reason,
            has_bank_details: has_details == 1,
        });
    }
    let Some((_, lines)) = propose_payouts(&schedule, &candidates)
        .into_iter()
        .find(|(c, _)| *c == currency)
    else {
        return Ok(None);
    };
    let period = schedule.period_for(now.to_datetime().date_naive());
    let proposed_total_minor: i64 = lines
        .iter()
        .filter(|l| l.status == PayoutLineStatus::Proposed)
        .map(|l| l.amount.amount_minor())
        .sum();
    let batch_id = PayoutBatchId::from_uuid(new_uuid());
    let at = now_ms();

    let mut tx = db.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO payout_batches (id, currency, status, period_from, period_to, proposed_total_minor, \
         line_count, prepared_by, created_at, updated_at) VALUES ($1, $2, 'proposed', $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(batch_id.to_string())
    .bind(currency.code())
    .bind(period.from.format("%Y-%m-%d").to_string())
    .bind(period.to.format("%Y-%m-%d").to_string())
    .bind(proposed_total_minor)
    .bind(i64::try_from(lines.len()).unwrap_or(i64::MAX))
    .bind(by.map(|ctx| ctx.user_id().to_string()))
    .bind(at)
    .execute(&mut *tx)
    .await;
    if let Err(e) = inserted {
        let e = Error::from(e);
        if e.violates_unique("payout_batches_proposed_key", "payout_batches.currency") {
            return Err(Error::conflict(format!(
                "A {} payout batch is already awaiting review: approve or cancel it first",
                currency.code()
            )));
        }
        return Err(e);
    }
    const COLUMNS: usize = 9;
    let engine = crate::dialect::Engine::of(&tx)?;
    for chunk in lines.chunks(sql::rows_per_statement(COLUMNS, 2_000)) {
        let query = format!(
            "INSERT INTO payout_lines (id, batch_id, seller_id, currency, amount_minor, status, exclusion_reason, \
             status_note, created_at, updated_at) \
             SELECT column1, column2, column3, column4, column5, column6, column7, column8, column9, column9 \
             FROM (VALUES {}) AS v",
            sql::values(chunk.len(), COLUMNS, 1)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(engine.numbered_params(query)));
        for line in chunk {
            let (status, reason, note) = match &line.status {
                PayoutLineStatus::Held { reason } => ("held", None, Some(reason.clone())),
                PayoutLineStatus::Excluded { .. } => {
                    ("excluded", Some("missing_bank_details"), None)
                }
                _ => ("proposed", None, None),
            };
            q = q
                .bind(PayoutId::from_uuid(new_uuid()).to_string())
                .bind(batch_id.to_string())
                .bind(line.seller_id.to_string())
                .bind(currency.code())
                .bind(line.amount.amount_minor())
                .bind(status)
                .bind(reason)
                .bind(note)
                .bind(at);
        }
        q.execute(&mut *tx).await?;
    }
    let actor = by.map_or_else(crate::auth::Actor::system, |ctx| ctx.actor().clone());
    audit::record(
        &mut tx,
        &actor,
        "payouts.batch.propose",
        "payout_batch",
        &batch_id.to_string(),
        None,
        serde_json::json!({
            "currency": currency.code(),
            "lines": lines.len(),
            "proposed_total_minor": proposed_total_minor,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(BatchView {
        id: batch_id,
        currency,
        status: BatchStatus::Proposed,
        period,
        proposed_total_minor,
        approved_total_minor: None,
        line_count: i64::try_from(lines.len()).unwrap_or(i64::MAX),
        prepared_by: by.map(FinanceCtx::user_id),
        approved_by: None,
        approved_at: None,
        exported_at: None,
        created_at: Timestamp::from_millis(at),
    }))
}

/// The scheduled run: for every configured currency whose schedule is due today and
/// that has no batch for today's period yet, proposes one. Safe to run many times a day.
pub async fn run_payout_schedule(db: &Db, now: Timestamp) -> Result<Vec<PayoutBatchId>> {
    let currencies: Vec<(String,)> =
        sqlx::query_as("SELECT currency FROM payout_settings ORDER BY currency")
            .fetch_all(db.pool())
            .await?;
    let today = now.to_datetime().date_naive();
    let mut proposed = Vec::new();
    for (code,) in currencies {
        let currency: Currency = parse_col("payout_settings.currency", &code)?;
        let Some(settings) = payout_settings(db, currency).await? else {
            continue;
        };
        let schedule = settings.schedule()?;
        if !schedule.is_due(today) {
            continue;
        }
        let period = schedule.period_for(today);
        let existing: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM payout_batches WHERE currency = $1 AND period_to = $2 AND status <> 'cancelled'",
        )
        .bind(currency.code())
        .bind(period.to.format("%Y-%m-%d").to_string())
        .fetch_optional(db.pool())
        .await?;
        if existing.is_some() {
            continue;
        }
        match propose_payout_batch(db, None, currency, now).await {
            Ok(Some(batch)) => proposed.push(batch.id),
            Ok(None) => {}
            // Another batch is under review: the next run tries again.
            Err(Error::Rule {
                code: ErrorCode::Conflict,
                ..
            }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(proposed)
}

// ---------------------------------------------------------------------------
// Reservation: the one place a payout takes money from `available`

/// The idempotency key of a payout line's reservation.
fn reserve_key(line_id: PayoutId) -> Result<IdempotencyKey> {
    IdempotencyKey::parse(&format!("payout_reserve:{line_id}")).map_err(ledger_error)
}

/// The idempotency key shared by a line's paid and failed outcomes.
fn outcome_key(line_id: PayoutId) -> Result<IdempotencyKey> {
    IdempotencyKey::parse(&format!("payout_outcome:{line_id}")).map_err(ledger_error)
}

/// Reserves a payout inside `tx`: reads the seller's balances under lock
/// ([`lock_seller_balances`]), checks `check_payout_within_available`, and posts
/// `available` → `payout_reserved`. However many of these run at once, the sum
/// reserved never exceeds what was payable. Refused with `insufficient_funds`.
pub async fn reserve_payout(
    tx: &mut Tx,
    engine: Engine,
    payout: &PayoutMovement,
    key: IdempotencyKey,
) -> Result<Posted> {
    let balances = lock_seller_balances(tx, engine, &[payout.seller_id], payout.amount.currency())
        .await?
        .remove(&payout.seller_id)
        .unwrap_or_default();
    let meta = TxMeta::new(
        JournalId::from_uuid(new_uuid()),
        key,
        Timestamp::from_millis(now_ms()),
    );
    let transaction = payout_reserve_transaction(meta, payout, &balances).map_err(ledger_error)?;
    posting::post(tx, &transaction).await
}

// ---------------------------------------------------------------------------
// Review and approval

struct LockedBatch {
    status: BatchStatus,
    currency: Currency,
    prepared_by: Option<String>,
}

async fn lock_batch(tx: &mut Tx, engine: Engine, batch_id: PayoutBatchId) -> Result<LockedBatch> {
    let query = format!(
        "SELECT status, currency, prepared_by FROM payout_batches WHERE id = $1{}",
        engine.for_update()
    );
    let row: Option<(String, String, Option<String>)> = sqlx::query_as(sqlx::AssertSqlSafe(query))
        .bind(batch_id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    let (status, currency, prepared_by) = row.ok_or(Error::NotFound("payout batch"))?;
    Ok(LockedBatch {
        status: batch_status(&status)?,
        currency: parse_col("payout_batches.currency", &currency)?,
        prepared_by,
    })
}

/// What an approval did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalReport {
    pub approved: u64,
    pub approved_total_minor: i64,
    /// Lines excluded because the seller's balance no longer covered them.
    pub excluded: u64,
}

/// Sellers whose balances are locked and lines approved per step of an approval.
const APPROVAL_CHUNK: usize = 1_000;

/// Approves a proposed batch. Four eyes: above the currency's threshold the approver
/// must not be the preparer. Each proposed line's reservation is posted against the
/// seller's balance read under lock; a line that no longer fits (a refund or penalty
/// arrived after the proposal) is excluded with `insufficient_funds` and the balance
/// it found. All in one database transaction.
pub async fn approve_batch(
    db: &Db,
    ctx: &FinanceCtx,
    batch_id: PayoutBatchId,
) -> Result<ApprovalReport> {
    let engine = db.engine();
    let mut tx = db.begin().await?;
    let batch = lock_batch(&mut tx, engine, batch_id).await?;
    let settings = payout_settings(db, batch.currency).await?.ok_or_else(|| {
        Error::rule(
            ErrorCode::Conflict,
            format!(
                "No payout schedule is configured for {}",
                batch.currency.code()
            ),
        )
    })?;
    let mut lines: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT id, seller_id, amount_minor FROM payout_lines WHERE batch_id = $1 AND status = 'proposed'",
    )
    .bind(batch_id.to_string())
    .fetch_all(&mut *tx)
    .await?;
    // Seller order (byte-wise, as account keys compare), so that the chunks below lock
    // balance rows in ascending key order across the whole approval.
    lines.sort_by(|a, b| a.1.cmp(&b.1));
    let total_minor: i64 = lines.iter().map(|(_, _, amount)| amount).sum();
    // A batch the schedule proposed has no preparer: any approver is a second person.
    let prepared_by = match &batch.prepared_by {
        Some(id) => parse_col("payout_batches.prepared_by", id)?,
        None => UserId::from_uuid(uuid::Uuid::nil()),
    };
    payouts::approve_batch(
        &BatchSummary {
            status: batch.status,
            currency: batch.currency,
            total_minor,
            prepared_by,
        },
        ctx.user_id(),
        &settings.approval_policy(),
    )
    .map_err(payout_error)?;

    let mut report = ApprovalReport::default();
    let now = Timestamp::from_millis(now_ms());
    for chunk in lines.chunks(APPROVAL_CHUNK) {
        let mut parsed = Vec::with_capacity(chunk.len());
        for (id, seller_id, amount_minor) in chunk {
            parsed.push((
                parse_col::<PayoutId>("payout_lines.id", id)?,
                parse_col::<SellerId>("payout_lines.seller_id", seller_id)?,
                Money::from_minor(*amount_minor, batch.currency),
            ));
        }
        let sellers: Vec<SellerId> = parsed.iter().map(|(_, s, _)| *s).collect();
        let balances = lock_seller_balances(&mut tx, engine, &sellers, batch.currency).await?;
        let mut reserves = Vec::new();
        let mut excluded = Vec::new();
        for (line_id, seller_id, amount) in &parsed {
            let found = balances.get(seller_id).copied().unwrap_or_default();
            match approval_action(*amount, &found) {
                LineAction::Approve => {
                    let movement = PayoutMovement {
                        payout_id: *line_id,
                        batch_id,
                        seller_id: *seller_id,
                        amount: *amount,
                    };
                    let meta = TxMeta::new(
                        JournalId::from_uuid(new_uuid()),
                        reserve_key(*line_id)?,
                        now,
                    );
                    let transaction = payout_reserve_transaction(meta, &movement, &found)
                        .map_err(ledger_error)?;
                    reserves.push((*line_id, amount.amount_minor(), transaction));
                }
                _ => excluded.push((*line_id, found.available_minor)),
            }
        }
        let fingerprints: Vec<_> = reserves
            .iter()
            .map(|(_, _, t)| posting::transaction_fingerprint(t))
            .collect();
        let claims: Vec<_> = reserves
            .iter()
            .zip(&fingerprints)
            .map(|((_, _, t), f)| (t, f))
            .collect();
        let outcomes = posting::claim(&mut tx, &claims).await?;
        let mut approved: Vec<(PayoutId, JournalId)> = Vec::with_capacity(reserves.len());
        let mut writes = Vec::with_capacity(reserves.len());
        for ((line_id, amount_minor, transaction), outcome) in reserves.iter().zip(outcomes) {
            match outcome {
                Claimed::New => {
                    writes.push(WriteItem {
                        transaction,
                        extras: None,
                    });
                    approved.push((*line_id, transaction.id()));
                    report.approved += 1;
                    report.approved_total_minor += amount_minor;
                }
                Claimed::Replay(_) | Claimed::Conflict => {
                    return Err(Error::Internal(format!(
                        "payout line {line_id} was reserved before while still proposed"
                    )));
                }
            }
        }
        report.excluded += excluded.len() as u64;
        let at = now_ms();
        let engine = crate::dialect::Engine::of(&tx)?;
        for rows in approved.chunks(sql::rows_per_statement(2, 1_000)) {
            let query = format!(
                "UPDATE payout_lines SET status = 'approved', reserve_transaction_id = v.column2, updated_at = $1 \
                 FROM (VALUES {}) AS v WHERE payout_lines.id = v.column1 AND payout_lines.status = 'proposed'",
                sql::values(rows.len(), 2, 2)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(engine.numbered_params(query))).bind(at);
            for (line_id, transaction_id) in rows {
                q = q.bind(line_id.to_string()).bind(transaction_id.to_string());
            }
            q.execute(&mut *tx).await?;
        }
        for rows in excluded.chunks(sql::rows_per_statement(2, 1_000)) {
            let query = format!(
                "UPDATE payout_lines SET status = 'excluded', exclusion_reason = 'insufficient_funds', \
                 available_at_approval_minor = v.column2, updated_at = $1 \
                 FROM (VALUES {}) AS v WHERE payout_lines.id = v.column1 AND payout_lines.status = 'proposed'",
                sql::values(rows.len(), 2, 2)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(engine.numbered_params(query))).bind(at);
            for (line_id, available_minor) in rows {
                q = q.bind(line_id.to_string()).bind(*available_minor);
            }
            q.execute(&mut *tx).await?;
        }
        posting::write(&mut tx, &writes).await?;
    }

    sqlx::query(
        "UPDATE payout_batches SET status = 'approved', approved_by = $2, approved_at = $3, \
         approved_total_minor = $4, updated_at = $3 WHERE id = $1 AND status = 'proposed'",
    )
    .bind(batch_id.to_string())
    .bind(ctx.user_id().to_string())
    .bind(now.millis())
    .bind(report.approved_total_minor)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        ctx.actor(),
        "payouts.batch.approve",
        "payout_batch",
        &batch_id.to_string(),
        None,
        serde_json::json!({
            "approved": report.approved,
            "approved_total_minor": report.approved_total_minor,
            "excluded_insufficient_funds": report.excluded,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// Cancels a batch that was never approved (no money was reserved).
pub async fn cancel_batch(db: &Db, ctx: &FinanceCtx, batch_id: PayoutBatchId) -> Result<()> {
    let mut tx = db.begin().await?;
    let batch = lock_batch(&mut tx, db.engine(), batch_id).await?;
    payouts::cancel_batch(batch.status).map_err(payout_error)?;
    let now = now_ms();
    sqlx::query(
        "UPDATE payout_batches SET status = 'cancelled', cancelled_at = $2, updated_at = $2 WHERE id = $1",
    )
    .bind(batch_id.to_string())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        ctx.actor(),
        "payouts.batch.cancel",
        "payout_batch",
        &batch_id.to_string(),
        None,
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A line locked for a status change, with its batch.
struct LockedLine {
    batch_id: PayoutBatchId,
    batch_status: BatchStatus,
    seller_id: SellerId,
    amount: Money,
    status: PayoutLineStatus,
    status_str: String,
}

async fn lock_line(tx: &mut Tx, engine: Engine, line_id: PayoutId) -> Result<LockedLine> {
    let batch: Option<(String,)> =
        sqlx::query_as("SELECT batch_id FROM payout_lines WHERE id = $1")
            .bind(line_id.to_string())
            .fetch_optional(&mut **tx)
            .await?;
    let (batch_id,) = batch.ok_or(Error::NotFound("payout line"))?;
    let batch_id: PayoutBatchId = parse_col("payout_lines.batch_id", &batch_id)?;
    // The batch first, then the line: every payout action takes them in this order.
    let batch = lock_batch(tx, engine, batch_id).await?;
    let query = format!(
        "SELECT {LINE_SELECT} FROM payout_lines l JOIN sellers s ON s.id = l.seller_id WHERE l.id = $1{}",
        match engine {
            Engine::Postgres => " FOR UPDATE OF l",
            Engine::Sqlite => "",
        }
    );
    let row: LineRow = sqlx::query_as(sqlx::AssertSqlSafe(query))
        .bind(line_id.to_string())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(Error::NotFound("payout line"))?;
    let status = row.line_status()?;
    let status_str = row.status.clone();
    let view = row.into_view()?;
    Ok(LockedLine {
        batch_id,
        batch_status: batch.status,
        seller_id: view.seller_id,
        amount: view.amount,
        status,
        status_str,
    })
}

/// Applies a staff or bank action to one line: the state machine decides, the
/// ledger effect is posted, the status is changed by compare-and-set on the old one.
async fn act_on_line(
    db: &Db,
    ctx: &FinanceCtx,
    line_id: PayoutId,
    action: LineAction,
) -> Result<Option<Posted>> {
    let engine = db.engine();
    let mut tx = db.begin().await?;
    let line = lock_line(&mut tx, engine, line_id).await?;
    let (next, effect) =
        apply_line_action(line.batch_status, &line.status, action.clone()).map_err(payout_error)?;
    let movement = PayoutMovement {
        payout_id: line_id,
        batch_id: line.batch_id,
        seller_id: line.seller_id,
        amount: line.amount,
    };
    let now = Timestamp::from_millis(now_ms());
    let meta = || -> Result<TxMeta> {
        Ok(TxMeta::new(
            JournalId::from_uuid(new_uuid()),
            outcome_key(line_id)?,
            now,
        ))
    };
    let posted = match effect {
        LedgerEffect::None => None,
        LedgerEffect::Paid => {
            let t = payout_paid_transaction(meta()?, &movement).map_err(ledger_error)?;
            Some(posting::post(&mut tx, &t).await.map_err(twice)?)
        }
        LedgerEffect::ReturnToAvailable => {
            let t = payout_failed_transaction(meta()?, &movement).map_err(ledger_error)?;
            Some(posting::post(&mut tx, &t).await.map_err(twice)?)
        }
        LedgerEffect::Reserve => {
            return Err(Error::Internal(
                "lines are approved only by approving their batch".into(),
            ));
        }
    };
    let (status, exclusion_reason, note, bank_reference) = match &next {
        PayoutLineStatus::Excluded { reason } => (
            "excluded",
            Some(match reason {
                ExclusionReason::MissingBankDetails => "missing_bank_details",
                ExclusionReason::InsufficientFunds { .. } => "insufficient_funds",
                ExclusionReason::Manual { .. } => "manual",
            }),
            match reason {
                ExclusionReason::Manual { note } => Some(note.clone()),
                _ => None,
            },
            None,
        ),
        PayoutLineStatus::Held { reason } => ("held", None, Some(reason.clone()), None),
        PayoutLineStatus::Proposed => ("proposed", None, None, None),
        PayoutLineStatus::Approved => ("approved", None, None, None),
        PayoutLineStatus::Paid { bank_reference } => {
            ("paid", None, None, Some(bank_reference.clone()))
        }
        PayoutLineStatus::Failed { reason } => ("failed", None, Some(reason.clone()), None),
        PayoutLineStatus::Unresolved { note } => ("unresolved", None, Some(note.clone()), None),
    };
    let changed = sqlx::query(
        "UPDATE payout_lines SET status = $2, exclusion_reason = $3, status_note = $4, \
         bank_reference = COALESCE($5, bank_reference), \
         outcome_transaction_id = COALESCE($6, outcome_transaction_id), updated_at = $7 \
         WHERE id = $1 AND status = $8",
    )
    .bind(line_id.to_string())
    .bind(status)
    .bind(exclusion_reason)
    .bind(note)
    .bind(bank_reference)
    .bind(posted.map(|p| p.transaction_id.to_string()))
    .bind(now.millis())
    .bind(line.status_str.as_str())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed != 1 {
        return Err(Error::conflict(
            "The payout line changed meanwhile: reload and try again",
        ));
    }
    if line.batch_status == BatchStatus::Exported {
        close_if_settled(&mut tx, line.batch_id).await?;
    }
    audit::record(
        &mut tx,
        ctx.actor(),
        &format!("payouts.line.{status}"),
        "payout_line",
        &line_id.to_string(),
        Some(line.seller_id),
        serde_json::json!({ "action": action, "transaction": posted.map(|p| p.transaction_id.to_string()) }),
    )
    .await?;
    tx.commit().await?;
    Ok(posted)
}

/// A second outcome for the same line (paid after failed, or the other way round)
/// reuses the line's outcome key with another transaction.
fn twice(e: Error) -> Error {
    match e {
        Error::Rule {
            code: ErrorCode::IdempotencyKeyReused,
            ..
        } => Error::conflict("This payout line already has an outcome; a line is settled once"),
        other => other,
    }
}

/// Closes an exported batch once every line is paid, failed, excluded or held.
async fn close_if_settled(tx: &mut Tx, batch_id: PayoutBatchId) -> Result<()> {
    let (open,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM payout_lines WHERE batch_id = $1 AND status IN ('proposed', 'approved', 'unresolved')",
    )
    .bind(batch_id.to_string())
    .fetch_one(&mut **tx)
    .await?;
    if open == 0 {
        let now = now_ms();
        sqlx::query(
            "UPDATE payout_batches SET status = 'closed', closed_at = $2, updated_at = $2 \
             WHERE id = $1 AND status = 'exported'",
        )
        .bind(batch_id.to_string())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Excludes a line from its (proposed) batch with a note saying why.
pub async fn exclude_line(db: &Db, ctx: &FinanceCtx, line_id: PayoutId, note: &str) -> Result<()> {
    act_on_line(
        db,
        ctx,
        line_id,
        LineAction::Exclude {
            reason: ExclusionReason::Manual {
                note: note.trim().to_string(),
            },
        },
    )
    .await
    .map(|_| ())
}

/// Holds a line (not paid in this batch while e.g. a risk review runs).
pub async fn hold_line(db: &Db, ctx: &FinanceCtx, line_id: PayoutId, reason: &str) -> Result<()> {
    act_on_line(
        db,
        ctx,
        line_id,
        LineAction::Hold {
            reason: reason.to_string(),
        },
    )
    .await
    .map(|_| ())
}

/// Puts a held line back into the batch.
pub async fn release_line(db: &Db, ctx: &FinanceCtx, line_id: PayoutId) -> Result<()> {
    act_on_line(db, ctx, line_id, LineAction::Release)
        .await
        .map(|_| ())
}

/// The bank paid the line: the reserve moves to `payouts_clearing`.
pub async fn mark_line_paid(
    db: &Db,
    ctx: &FinanceCtx,
    line_id: PayoutId,
    bank_reference: &str,
) -> Result<Posted> {
    act_on_line(
        db,
        ctx,
        line_id,
        LineAction::MarkPaid {
            bank_reference: bank_reference.to_string(),
        },
    )
    .await?
    .ok_or_else(|| Error::Internal("a paid line posted nothing".into()))
}

/// The bank rejected the line: the reserve returns to `available`.
pub async fn mark_line_failed(
    db: &Db,
    ctx: &FinanceCtx,
    line_id: PayoutId,
    reason: &str,
) -> Result<Posted> {
    act_on_line(
        db,
        ctx,
        line_id,
        LineAction::MarkFailed {
            reason: reason.to_string(),
        },
    )
    .await?
    .ok_or_else(|| Error::Internal("a failed line posted nothing".into()))
}

/// The outcome is unknown: the funds stay reserved and the line is never exported
/// again; it is later marked paid or failed.
pub async fn mark_line_unresolved(
    db: &Db,
    ctx: &FinanceCtx,
    line_id: PayoutId,
    note: &str,
) -> Result<()> {
    act_on_line(
        db,
        ctx,
        line_id,
        LineAction::MarkUnresolved {
            note: note.to_string(),
        },
    )
    .await
    .map(|_| ())
}

// ---------------------------------------------------------------------------
// The bank register

/// An exported register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Register {
    pub file_name: String,
    /// The CSV as text (`;`, CRLF, decimal comma).
    pub csv: String,
    /// The same in Windows-1251, which Russian bank clients expect.
    pub windows_1251: Vec<u8>,
    pub rows: usize,
}

/// Produces the bank register of an approved batch's approved lines and marks the
/// batch exported. Exporting again gives the approved lines again, never those
/// already paid, failed or unresolved (an unresolved payment must not be resent).
pub async fn export_register(
    db: &Db,
    ctx: &FinanceCtx,
    batch_id: PayoutBatchId,
) -> Result<Register> {
    let mut tx = db.begin().await?;
    let batch = lock_batch(&mut tx, db.engine(), batch_id).await?;
    payouts::export_batch(batch.status).map_err(payout_error)?;
    let (period_from, period_to): (String, String) =
        sqlx::query_as("SELECT period_from, period_to FROM payout_batches WHERE id = $1")
            .bind(batch_id.to_string())
            .fetch_one(&mut *tx)
            .await?;
    let period = PayoutPeriod {
        from: date("payout_batches.period_from", &period_from)?,
        to: date("payout_batches.period_to", &period_to)?,
    };
    #[allow(clippy::type_complexity, reason = "one row of a join")]
    let rows: Vec<(String, String, i64, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>)> =
        sqlx::query_as(
            "SELECT l.id, l.seller_id, l.amount_minor, d.recipient_name, d.inn, d.account_number, d.bik, \
             d.correspondent_account, d.bank_name FROM payout_lines l \
             LEFT JOIN seller_payout_details d ON d.seller_id = l.seller_id \
             WHERE l.batch_id = $1 AND l.status = 'approved' ORDER BY l.seller_id",
        )
        .bind(batch_id.to_string())
        .fetch_all(&mut *tx)
        .await?;
    let mut register_rows = Vec::with_capacity(rows.len());
    for (id, seller_id, amount_minor, name, inn, account, bik, corr, bank) in rows {
        let (Some(name), Some(inn), Some(account), Some(bik), Some(corr), Some(bank)) =
            (name, inn, account, bik, corr, bank)
        else {
            return Err(Error::conflict(format!(
                "Seller {seller_id} has no bank details any more: mark the line failed or unresolved"
            )));
        };
        register_rows.push(RegisterRow {
            payout_id: parse_col("payout_lines.id", &id)?,
            seller_name: name,
            inn,
            bank: BankDetails {
                account_number: account,
                bik,
                correspondent_account: corr,
                bank_name: bank,
            },
            amount: Money::from_minor(amount_minor, batch.currency),
        });
    }
    let csv = export_register_csv(&register_rows, &period).map_err(payout_error)?;
    let now = now_ms();
    sqlx::query(
        "UPDATE payout_batches SET status = 'exported', exported_by = $2, exported_at = $3, updated_at = $3 \
         WHERE id = $1",
    )
    .bind(batch_id.to_string())
    .bind(ctx.user_id().to_string())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        ctx.actor(),
        "payouts.batch.export",
        "payout_batch",
        &batch_id.to_string(),
        None,
        serde_json::json!({ "rows": register_rows.len() }),
    )
    .await?;
    tx.commit().await?;
    Ok(Register {
        file_name: format!(
            "payouts-{}-{}.csv",
            period.to.format("%Y-%m-%d"),
            &batch_id.to_string()[..8]
        ),
        windows_1251: encode_windows_1251(&csv),
        csv,
        rows: register_rows.len(),
    })
}

/// Lines per status of a batch, for the review page's summary.
pub async fn batch_line_counts(
    db: &Db,
    _ctx: &FinanceCtx,
    batch_id: PayoutBatchId,
) -> Result<HashMap<String, (i64, i64)>> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT status, COUNT(*), CAST(SUM(amount_minor) AS BIGINT) FROM payout_lines WHERE batch_id = $1 GROUP BY status",
    )
    .bind(batch_id.to_string())
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(status, count, sum)| (status, (count, sum)))
        .collect())
}
