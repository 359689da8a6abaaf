//! `bazaar ledger verify`: recomputes every balance from the postings and checks the
//! ledger's invariants, reading one consistent snapshot page by page (memory grows
//! with the number of accounts, not of postings).
//!
//! Checks:
//! 1. every stored transaction is rebuilt by the domain: it has postings, sums to zero
//!    per currency, and its frozen commission lines explain its commission postings;
//! 2. the balance recomputed from the postings equals the stored balance, for every
//!    account (`LedgerBalances::recompute`-style summing and `LedgerBalances::diff`);
//! 3. all accounts of a currency sum to zero, stored and recomputed;
//! 4. each seller's `held` balance equals the sum of their unreleased holds.

use super::posting::{
    COMMISSION_LINE_SELECT, CommissionLineRow, TRANSACTION_SELECT, TransactionRow, posting_record,
};
use crate::util::parse_col;
use crate::{Db, Engine, Result};
use domain::ids::{JournalId, SellerId};
use domain::ledger::{AccountRef, BalanceMismatch, JournalTransaction, LedgerBalances};
use domain::money::Currency;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// A seller whose `held` balance disagrees with their unreleased holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldMismatch {
    pub seller_id: SellerId,
    pub currency: Currency,
    pub held_balance_minor: i64,
    pub holds_minor: i64,
}

/// What [`verify`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    pub transactions: u64,
    pub postings: u64,
    pub accounts: u64,
    /// Transactions the domain refuses to rebuild, with the reason.
    pub invalid_transactions: Vec<(JournalId, String)>,
    /// Accounts whose stored balance differs from the sum of their postings.
    pub drift: Vec<BalanceMismatch>,
    /// Currencies whose stored balances do not sum to zero.
    pub unbalanced_currencies: Vec<(Currency, i128)>,
    /// Currencies whose postings do not sum to zero.
    pub unbalanced_postings: Vec<(Currency, i128)>,
    pub hold_mismatches: Vec<HoldMismatch>,
}

impl VerifyReport {
    pub fn is_ok(&self) -> bool {
        self.invalid_transactions.is_empty()
            && self.drift.is_empty()
            && self.unbalanced_currencies.is_empty()
            && self.unbalanced_postings.is_empty()
            && self.hold_mismatches.is_empty()
    }

    /// One line per problem, for operators.
    pub fn problems(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for (id, reason) in &self.invalid_transactions {
            lines.push(format!("transaction {id}: {reason}"));
        }
        for m in &self.drift {
            lines.push(format!(
                "balance drift on {}: postings say {}, the balance row says {} (difference {})",
                m.account,
                m.expected_minor,
                m.actual_minor,
                i128::from(m.actual_minor) - i128::from(m.expected_minor)
            ));
        }
        for (currency, sum) in &self.unbalanced_currencies {
            lines.push(format!(
                "the balances in {} sum to {sum}, not zero",
                currency.code()
            ));
        }
        for (currency, sum) in &self.unbalanced_postings {
            lines.push(format!(
                "the postings in {} sum to {sum}, not zero",
                currency.code()
            ));
        }
        for m in &self.hold_mismatches {
            lines.push(format!(
                "seller {} held {} in {}, but the unreleased holds sum to {}",
                m.seller_id,
                m.held_balance_minor,
                m.currency.code(),
                m.holds_minor
            ));
        }
        lines
    }
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_ok() {
            write!(
                f,
                "ledger OK: {} transactions, {} postings, {} accounts; every transaction balances, \
                 every balance equals its postings, every currency sums to zero",
                self.transactions, self.postings, self.accounts
            )
        } else {
            writeln!(
                f,
                "ledger NOT OK: {} problems in {} transactions, {} postings, {} accounts",
                self.problems().len(),
                self.transactions,
                self.postings,
                self.accounts
            )?;
            for line in self.problems() {
                writeln!(f, "  {line}")?;
            }
            Ok(())
        }
    }
}

/// Transactions read per page.
const PAGE: i64 = 5_000;

/// Recomputes and checks the whole ledger (see the module documentation).
pub async fn verify(db: &Db) -> Result<VerifyReport> {
    // One snapshot for every read, so concurrent posting cannot look like drift.
    let begin = match db.engine() {
        Engine::Sqlite => "BEGIN",
        Engine::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    };
    let mut tx = db.pool().begin_with(begin).await?;
    let mut report = VerifyReport::default();
    let mut recomputed: HashMap<String, i64> = HashMap::new();
    let mut last = String::new();
    loop {
        let query = format!(
            "SELECT {TRANSACTION_SELECT} FROM ledger_transactions WHERE id > $1 ORDER BY id LIMIT $2"
        );
        let rows: Vec<TransactionRow> = sqlx::query_as(sqlx::AssertSqlSafe(query))
            .bind(&last)
            .bind(PAGE)
            .fetch_all(&mut *tx)
            .await?;
        let Some(page_last) = rows.last().map(|r| r.id.clone()) else {
            break;
        };
        let postings: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT transaction_id, account_key, amount_minor FROM ledger_postings \
             WHERE transaction_id > $1 AND transaction_id <= $2",
        )
        .bind(&last)
        .bind(&page_last)
        .fetch_all(&mut *tx)
        .await?;
        let query = format!(
            "SELECT {COMMISSION_LINE_SELECT} FROM ledger_commission_lines \
             WHERE transaction_id > $1 AND transaction_id <= $2 ORDER BY transaction_id, capture_id, line_no"
        );
        let lines: Vec<CommissionLineRow> = sqlx::query_as(sqlx::AssertSqlSafe(query))
            .bind(&last)
            .bind(&page_last)
            .fetch_all(&mut *tx)
            .await?;

        let mut postings_by_tx: HashMap<String, Vec<(String, i64)>> = HashMap::new();
        for (transaction_id, key, amount) in postings {
            report.postings += 1;
            let entry = recomputed.entry(key.clone()).or_insert(0);
            *entry = entry.saturating_add(amount);
            postings_by_tx
                .entry(transaction_id)
                .or_default()
                .push((key, amount));
        }
        let mut lines_by_tx: HashMap<String, Vec<CommissionLineRow>> = HashMap::new();
        for line in lines {
            lines_by_tx
                .entry(line.transaction_id.clone())
                .or_default()
                .push(line);
        }
        for row in rows {
            report.transactions += 1;
            let id: JournalId = parse_col("ledger_transactions.id", &row.id)?;
            let postings = postings_by_tx.remove(&row.id).unwrap_or_default();
            let lines = lines_by_tx.remove(&row.id).unwrap_or_default();
            let rebuilt = rebuild(row, &postings, &lines);
            if let Err(reason) = rebuilt {
                report.invalid_transactions.push((id, reason));
            }
        }
        last = page_last;
    }
    // Postings whose transaction was not read cannot exist (foreign key), but a
    // count keeps the check honest if the constraint was ever bypassed.
    let (total_postings,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM ledger_postings")
        .fetch_one(&mut *tx)
        .await?;
    if u64::try_from(total_postings).unwrap_or(0) != report.postings {
        report.invalid_transactions.push((
            JournalId::from_uuid(uuid::Uuid::nil()),
            format!(
                "{} postings belong to no transaction",
                u64::try_from(total_postings)
                    .unwrap_or(0)
                    .saturating_sub(report.postings)
            ),
        ));
    }

    let expected = LedgerBalances::from_rows(
        recomputed
            .iter()
            .map(|(key, amount)| {
                Ok((
                    parse_col::<AccountRef>("ledger_postings.account_key", key)?,
                    *amount,
                ))
            })
            .collect::<Result<Vec<_>>>()?,
    )
    .map_err(super::ledger_error)?;
    let stored_rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT account_key, balance_minor FROM ledger_balances")
            .fetch_all(&mut *tx)
            .await?;
    report.accounts = stored_rows.len() as u64;
    let mut stored_held: BTreeMap<(SellerId, Currency), i64> = BTreeMap::new();
    let mut parsed = Vec::with_capacity(stored_rows.len());
    for (key, balance) in &stored_rows {
        let account: AccountRef = parse_col("ledger_balances.account_key", key)?;
        if let AccountRef::Seller {
            seller_id,
            kind: domain::ledger::SellerAccountKind::Held,
            currency,
        } = account
        {
            stored_held.insert((seller_id, currency), *balance);
        }
        parsed.push((account, *balance));
    }
    let stored = LedgerBalances::from_rows(parsed).map_err(super::ledger_error)?;
    report.drift = expected.diff(&stored);
    report.unbalanced_currencies = stored
        .sum_by_currency()
        .into_iter()
        .filter(|(_, sum)| *sum != 0)
        .collect();
    report.unbalanced_postings = expected
        .sum_by_currency()
        .into_iter()
        .filter(|(_, sum)| *sum != 0)
        .collect();

    let holds: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT seller_id, currency, CAST(SUM(held_minor) AS BIGINT) FROM holds \
         WHERE status <> 'released' GROUP BY seller_id, currency",
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut held_by_holds: BTreeMap<(SellerId, Currency), i64> = BTreeMap::new();
    for (seller_id, currency, sum) in holds {
        held_by_holds.insert(
            (
                parse_col("holds.seller_id", &seller_id)?,
                parse_col("holds.currency", &currency)?,
            ),
            sum,
        );
    }
    let mut keys: Vec<(SellerId, Currency)> = stored_held
        .keys()
        .chain(held_by_holds.keys())
        .copied()
        .collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let held_balance_minor = stored_held.get(&key).copied().unwrap_or(0);
        let holds_minor = held_by_holds.get(&key).copied().unwrap_or(0);
        if held_balance_minor != holds_minor {
            report.hold_mismatches.push(HoldMismatch {
                seller_id: key.0,
                currency: key.1,
                held_balance_minor,
                holds_minor,
            });
        }
    }
    tx.rollback().await?;
    Ok(report)
}

/// Rebuilds a stored transaction through the domain, which re-runs every check.
fn rebuild(
    row: TransactionRow,
    postings: &[(String, i64)],
    lines: &[CommissionLineRow],
) -> std::result::Result<JournalTransaction, String> {
    let postings = postings
        .iter()
        .map(|(key, amount)| posting_record(key, *amount))
        .collect::<Result<Vec<_>>>()
        .map_err(|e| e.to_string())?;
    let lines = lines
        .iter()
        .map(CommissionLineRow::to_domain)
        .collect::<Result<Vec<_>>>()
        .map_err(|e| e.to_string())?;
    let record = row
        .into_record(postings, lines)
        .map_err(|e| e.to_string())?;
    JournalTransaction::try_from(record).map_err(|e| e.to_string())
}
