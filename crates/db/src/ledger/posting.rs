//! The posting engine: the only code that writes `ledger_postings` and
//! `ledger_balances`.
//!
//! Posting a transaction happens in two phases inside the caller's database
//! transaction:
//! 1. **claim**: insert the `ledger_transactions` row. Its idempotency key is unique,
//!    and the insert is `ON CONFLICT (idempotency_key) DO NOTHING`, so a key is
//!    claimed atomically (never check-then-insert). A key that was already there is
//!    looked up: the same request fingerprint is a replay (the stored transaction is
//!    returned and nothing moves), another fingerprint is `idempotency_key_reused`.
//!    On PostgreSQL a second writer with the same key waits on the first one's
//!    uncommitted row and then sees it, so concurrent retries post once.
//! 2. **write**: insert the postings and frozen commission lines, then add each
//!    account's delta to its balance row (`balance_minor = balance_minor + delta,
//!    version = version + 1`, inserting the row on first use): O(1) per account,
//!    whatever the history.
//!
//! Use cases that store business rows next to a transaction (capture lines, holds)
//! write them between the two phases, so that the balance rows, which hot accounts
//! make contended, are updated by the last statements before commit.
//!
//! Batches: [`claim`] and [`write`] take many transactions at once and use multi-row
//! statements. Every transaction keeps its own key, fingerprint and postings, so each
//! stays idempotent on its own; the batch commits or rolls back as a whole, so each is
//! atomic too.

use super::sql;
use super::{key_reused, ledger_error};
use crate::util::parse_col;
use crate::{Error, Result, Tx};
use domain::ids::{JournalId, OrderId};
use domain::ledger::{
    AccountRef, JournalTransaction, RequestFingerprint, TransactionKind, fingerprint_json,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Placeholders for the multi-row statements of the settlement hot path: `$n` on
/// PostgreSQL, anonymous `?` on SQLite. sqlx's SQLite driver looks every `$n`
/// parameter up by name (`sqlite3_bind_parameter_name`, a linear scan), so binding a
/// statement of P named parameters costs O(P²): with a few thousand parameters that
/// was most of the time of a batch. Anonymous parameters bind by position.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Marks {
    sqlite: bool,
}

impl Marks {
    /// The placeholder style for the connection `tx` runs on.
    pub(crate) fn of(tx: &Tx) -> Self {
        Self {
            sqlite: tx.backend_name() == <sqlx::Sqlite as sqlx::Database>::NAME,
        }
    }

    /// `rows` rows of `cols` placeholders, numbered from 1 on PostgreSQL.
    pub(crate) fn values(self, rows: usize, cols: usize) -> String {
        if !self.sqlite {
            return sql::values(rows, cols, 1);
        }
        let row = format!("({})", vec!["?"; cols].join(","));
        vec![row.as_str(); rows].join(",")
    }

    /// An `IN (...)` list of `count` placeholders, numbered from 1 on PostgreSQL.
    pub(crate) fn list(self, count: usize) -> String {
        if self.sqlite {
            vec!["?"; count].join(",")
        } else {
            sql::list(count, 1)
        }
    }
}

/// Whether a post moved money or found the same request already posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostOutcome {
    /// Posted now.
    Posted,
    /// The same key and request were posted before; nothing moved this time.
    Replayed,
}

/// The stored transaction a post resulted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posted {
    pub transaction_id: JournalId,
    pub kind: TransactionKind,
    pub outcome: PostOutcome,
}

impl Posted {
    pub const fn is_replay(&self) -> bool {
        matches!(self.outcome, PostOutcome::Replayed)
    }
}

/// The fingerprint of a transaction's content: kind, references, memo and postings.
/// The id, time and commission lines' capture ids are left out, because a retry of
/// the same request builds them anew. Use cases that have the request itself (a
/// webhook body, a settlement input) fingerprint that instead.
pub fn transaction_fingerprint(transaction: &JournalTransaction) -> RequestFingerprint {
    let postings: Vec<serde_json::Value> = transaction
        .postings()
        .iter()
        .map(|p| serde_json::json!([p.account().key(), p.amount_minor()]))
        .collect();
    fingerprint_json(&serde_json::json!({
        "kind": transaction.kind().as_str(),
        "references": transaction.references(),
        "memo": transaction.memo(),
        "postings": postings,
    }))
}

/// Posts one transaction, fingerprinted by its content ([`transaction_fingerprint`]).
pub async fn post(tx: &mut Tx, transaction: &JournalTransaction) -> Result<Posted> {
    let fingerprint = transaction_fingerprint(transaction);
    post_with_fingerprint(tx, transaction, &fingerprint).await
}

/// Posts one transaction whose request has the given fingerprint: posted, replayed, or
/// refused with `idempotency_key_reused`.
pub async fn post_with_fingerprint(
    tx: &mut Tx,
    transaction: &JournalTransaction,
    fingerprint: &RequestFingerprint,
) -> Result<Posted> {
    let claimed = claim(tx, &[(transaction, fingerprint)]).await?;
    match claimed.into_iter().next() {
        Some(Claimed::New) => {
            write(
                tx,
                &[WriteItem {
                    transaction,
                    extras: None,
                }],
            )
            .await?;
            Ok(Posted {
                transaction_id: transaction.id(),
                kind: transaction.kind(),
                outcome: PostOutcome::Posted,
            })
        }
        Some(Claimed::Replay(posted)) => Ok(posted),
        Some(Claimed::Conflict) => Err(key_reused(transaction.idempotency_key().as_str())),
        None => Err(Error::Internal("claim returned no outcome".into())),
    }
}

/// What claiming a transaction's key found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Claimed {
    /// The key is ours: write the transaction.
    New,
    /// The same request was posted before (or earlier in this batch).
    Replay(Posted),
    /// The key was used for another request.
    Conflict,
}

/// A transaction whose key was stored before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredKey {
    pub id: JournalId,
    pub kind: TransactionKind,
    pub fingerprint: String,
}

impl StoredKey {
    /// Replay when the fingerprints agree; otherwise the key was reused.
    pub(crate) fn replay_of(&self, fingerprint: &RequestFingerprint, key: &str) -> Result<Posted> {
        if self.fingerprint == fingerprint.as_str() {
            Ok(Posted {
                transaction_id: self.id,
                kind: self.kind,
                outcome: PostOutcome::Replayed,
            })
        } else {
            Err(key_reused(key))
        }
    }
}

#[derive(sqlx::FromRow)]
struct StoredKeyRow {
    id: String,
    idempotency_key: String,
    request_fingerprint: String,
    kind: String,
}

/// Looks up the transactions stored under `keys`.
pub(crate) async fn stored_keys(tx: &mut Tx, keys: &[&str]) -> Result<HashMap<String, StoredKey>> {
    let marks = Marks::of(tx);
    let mut found = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(sql::rows_per_statement(1, 1_000)) {
        let query = format!(
            "SELECT id, idempotency_key, request_fingerprint, kind FROM ledger_transactions \
             WHERE idempotency_key IN ({})",
            marks.list(chunk.len())
        );
        let mut q = sqlx::query_as::<_, StoredKeyRow>(sqlx::AssertSqlSafe(query));
        for key in chunk {
            q = q.bind(*key);
        }
        for row in q.fetch_all(&mut **tx).await? {
            found.insert(
                row.idempotency_key,
                StoredKey {
                    id: parse_col("ledger_transactions.id", &row.id)?,
                    kind: parse_col("ledger_transactions.kind", &row.kind)?,
                    fingerprint: row.request_fingerprint,
                },
            );
        }
    }
    Ok(found)
}

/// The transaction stored under `key`, if any.
pub(crate) async fn stored_key(tx: &mut Tx, key: &str) -> Result<Option<StoredKey>> {
    Ok(stored_keys(tx, &[key]).await?.remove(key))
}

const TRANSACTION_COLUMNS: usize = 13;

/// Phase 1: inserts the transaction rows, claiming their keys. Returns one outcome per
/// item, in order. A key repeated inside the batch is claimed by its first item; the
/// later ones are replays of it (same fingerprint) or conflicts.
pub(crate) async fn claim(
    tx: &mut Tx,
    items: &[(&JournalTransaction, &RequestFingerprint)],
) -> Result<Vec<Claimed>> {
    let mut outcomes: Vec<Option<Claimed>> = vec![None; items.len()];
    let mut first_with_key: HashMap<&str, usize> = HashMap::with_capacity(items.len());
    let mut to_insert: Vec<usize> = Vec::with_capacity(items.len());
    let mut repeats: Vec<(usize, usize)> = Vec::new();
    for (index, (transaction, _)) in items.iter().enumerate() {
        let key = transaction.idempotency_key().as_str();
        match first_with_key.get(key) {
            Some(first) => repeats.push((index, *first)),
            None => {
                first_with_key.insert(key, index);
                to_insert.push(index);
            }
        }
    }

    let marks = Marks::of(tx);
    let mut taken: Vec<usize> = Vec::new();
    for chunk in to_insert.chunks(sql::rows_per_statement(TRANSACTION_COLUMNS, 500)) {
        let query = format!(
            "INSERT INTO ledger_transactions (id, idempotency_key, request_fingerprint, kind, order_id, \
             shipment_id, seller_id, payout_id, payout_batch_id, penalty_id, reverses, memo, created_at) \
             VALUES {} ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key",
            marks.values(chunk.len(), TRANSACTION_COLUMNS)
        );
        let mut q = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(query));
        for index in chunk {
            let (transaction, fingerprint) = items[*index];
            let r = transaction.references();
            q = q
                .bind(transaction.id().to_string())
                .bind(transaction.idempotency_key().as_str().to_string())
                .bind(fingerprint.as_str().to_string())
                .bind(transaction.kind().as_str())
                .bind(r.order_id.map(|id| id.to_string()))
                .bind(r.shipment_id.map(|id| id.to_string()))
                .bind(r.seller_id.map(|id| id.to_string()))
                .bind(r.payout_id.map(|id| id.to_string()))
                .bind(r.payout_batch_id.map(|id| id.to_string()))
                .bind(r.penalty_id.map(|id| id.to_string()))
                .bind(r.reverses.map(|id| id.to_string()))
                .bind(transaction.memo().to_string())
                .bind(transaction.posted_at().millis());
        }
        let inserted: HashSet<String> = q
            .fetch_all(&mut **tx)
            .await
            .map_err(reversal_conflict)?
            .into_iter()
            .map(|(key,)| key)
            .collect();
        for index in chunk {
            if inserted.contains(items[*index].0.idempotency_key().as_str()) {
                outcomes[*index] = Some(Claimed::New);
            } else {
                taken.push(*index);
            }
        }
    }

    if !taken.is_empty() {
        let keys: Vec<&str> = taken
            .iter()
            .map(|i| items[*i].0.idempotency_key().as_str())
            .collect();
        let stored = stored_keys(tx, &keys).await?;
        for index in taken {
            let (transaction, fingerprint) = items[index];
            let key = transaction.idempotency_key().as_str();
            let Some(found) = stored.get(key) else {
                return Err(Error::Internal(format!(
                    "idempotency key {key:?} conflicted but no transaction holds it"
                )));
            };
            outcomes[index] = Some(match found.replay_of(fingerprint, key) {
                Ok(posted) => Claimed::Replay(posted),
                Err(_) => Claimed::Conflict,
            });
        }
    }

    for (index, first) in repeats {
        let same_request = items[index].1 == items[first].1;
        outcomes[index] = Some(match (outcomes[first], same_request) {
            (_, false) | (Some(Claimed::Conflict), true) => Claimed::Conflict,
            (Some(Claimed::Replay(posted)), true) => Claimed::Replay(posted),
            (Some(Claimed::New), true) => Claimed::Replay(Posted {
                transaction_id: items[first].0.id(),
                kind: items[first].0.kind(),
                outcome: PostOutcome::Replayed,
            }),
            (None, true) => {
                return Err(Error::Internal("claim left an item undecided".into()));
            }
        });
    }
    outcomes
        .into_iter()
        .map(|o| o.ok_or_else(|| Error::Internal("claim left an item undecided".into())))
        .collect()
}

/// A second reversal of the same transaction violates the unique index on `reverses`.
fn reversal_conflict(e: sqlx::Error) -> Error {
    let error = Error::from(e);
    if error.violates_unique(
        "ledger_transactions_reverses_key",
        "ledger_transactions.reverses",
    ) {
        return Error::conflict("This transaction has already been reversed");
    }
    error
}

/// What a frozen commission line needs besides the domain's `CommissionLine`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CommissionExtra {
    pub order_id: OrderId,
    pub category_code: String,
    pub min_minor: i64,
    pub max_minor: Option<i64>,
}

/// A claimed transaction to write. `extras` go with its commission lines, in order;
/// when `None`, they are read from the capture lines the commission lines name.
pub(crate) struct WriteItem<'a> {
    pub transaction: &'a JournalTransaction,
    pub extras: Option<&'a [CommissionExtra]>,
}

const POSTING_COLUMNS: usize = 5;
const COMMISSION_COLUMNS: usize = 16;
const BALANCE_COLUMNS: usize = 8;

/// Phase 2: writes the postings, commission lines and balances of claimed transactions.
pub(crate) async fn write(tx: &mut Tx, items: &[WriteItem<'_>]) -> Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    let now = crate::util::now_ms();
    let marks = Marks::of(tx);

    // Postings, and each account's total delta in key order (the lock order).
    let mut postings: Vec<(String, String, AccountRef, i64)> = Vec::new();
    let mut deltas: BTreeMap<String, (AccountRef, i64)> = BTreeMap::new();
    for item in items {
        let id = item.transaction.id().to_string();
        for p in item.transaction.postings() {
            let key = p.account().key();
            let entry = deltas.entry(key.clone()).or_insert((p.account(), 0));
            entry.1 = entry
                .1
                .checked_add(p.amount_minor())
                .ok_or_else(|| ledger_error(domain::ledger::LedgerError::Overflow))?;
            postings.push((id.clone(), key, p.account(), p.amount_minor()));
        }
    }
    for chunk in postings.chunks(sql::rows_per_statement(POSTING_COLUMNS, 1_000)) {
        let query = format!(
            "INSERT INTO ledger_postings (transaction_id, account_key, seller_id, currency, amount_minor) VALUES {}",
            marks.values(chunk.len(), POSTING_COLUMNS)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(query));
        for (id, key, account, amount_minor) in chunk {
            q = q
                .bind(id.as_str())
                .bind(key.as_str())
                .bind(account.seller_id().map(|s| s.to_string()))
                .bind(account.currency().code())
                .bind(*amount_minor);
        }
        q.execute(&mut **tx).await?;
    }

    write_commission_lines(tx, items).await?;

    // Balances last: one upsert per chunk, rows in ascending key order.
    let rows: Vec<(&String, &(AccountRef, i64))> = deltas
        .iter()
        .filter(|(_, (_, delta))| *delta != 0)
        .collect();
    for chunk in rows.chunks(sql::rows_per_statement(BALANCE_COLUMNS, 1_000)) {
        let query = format!(
            "INSERT INTO ledger_balances (account_key, seller_id, kind, currency, shard, balance_minor, version, updated_at) \
             VALUES {} ON CONFLICT (account_key) DO UPDATE SET \
             balance_minor = ledger_balances.balance_minor + excluded.balance_minor, \
             version = ledger_balances.version + 1, updated_at = excluded.updated_at",
            marks.values(chunk.len(), BALANCE_COLUMNS)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(query));
        for (key, (account, delta)) in chunk {
            let (seller_id, kind, shard) = match account {
                AccountRef::Seller {
                    seller_id, kind, ..
                } => (Some(seller_id.to_string()), kind.as_str(), None),
                AccountRef::Marketplace { kind, shard, .. } => {
                    (None, kind.as_str(), Some(i64::from(shard.number())))
                }
            };
            q = q
                .bind(key.as_str())
                .bind(seller_id)
                .bind(kind)
                .bind(account.currency().code())
                .bind(shard)
                .bind(*delta)
                .bind(1_i64)
                .bind(now);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ExtraRow {
    capture_id: String,
    line_no: i64,
    order_id: String,
    category_code: String,
    min_minor: i64,
    max_minor: Option<i64>,
}

async fn write_commission_lines(tx: &mut Tx, items: &[WriteItem<'_>]) -> Result<()> {
    let marks = Marks::of(tx);
    // Extras for lines that came without them, read from their capture lines.
    let missing: Vec<String> = items
        .iter()
        .filter(|item| item.extras.is_none())
        .flat_map(|item| item.transaction.commission_lines())
        .map(|line| line.capture_id.to_string())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut loaded: HashMap<(String, i64), CommissionExtra> = HashMap::new();
    for chunk in missing.chunks(500) {
        let query = format!(
            "SELECT capture_id, line_no, order_id, category_code, min_minor, max_minor FROM capture_lines \
             WHERE capture_id IN ({})",
            marks.list(chunk.len())
        );
        let mut q = sqlx::query_as::<_, ExtraRow>(sqlx::AssertSqlSafe(query));
        for id in chunk {
            q = q.bind(id.as_str());
        }
        for row in q.fetch_all(&mut **tx).await? {
            loaded.insert(
                (row.capture_id, row.line_no),
                CommissionExtra {
                    order_id: parse_col("capture_lines.order_id", &row.order_id)?,
                    category_code: row.category_code,
                    min_minor: row.min_minor,
                    max_minor: row.max_minor,
                },
            );
        }
    }

    let mut rows = Vec::new();
    for item in items {
        let lines = item.transaction.commission_lines();
        if let Some(extras) = item.extras
            && extras.len() != lines.len()
        {
            return Err(Error::Internal(
                "commission extras do not match the commission lines".into(),
            ));
        }
        for (index, line) in lines.iter().enumerate() {
            let extra = match item.extras {
                Some(extras) => &extras[index],
                None => loaded
                    .get(&(line.capture_id.to_string(), i64::from(line.line_no)))
                    .ok_or_else(|| {
                        Error::Internal(format!(
                            "commission line {} of capture {} has no capture line",
                            line.line_no, line.capture_id
                        ))
                    })?,
            };
            rows.push((item.transaction, line, extra));
        }
    }
    for chunk in rows.chunks(sql::rows_per_statement(COMMISSION_COLUMNS, 1_000)) {
        let query = format!(
            "INSERT INTO ledger_commission_lines (transaction_id, capture_id, line_no, order_id, shipment_id, \
             seller_id, category_code, rule_id, rate_bps, fixed_minor, min_minor, max_minor, base_minor, \
             amount_minor, currency, created_at) VALUES {}",
            marks.values(chunk.len(), COMMISSION_COLUMNS)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(query));
        for (transaction, line, extra) in chunk {
            q = q
                .bind(transaction.id().to_string())
                .bind(line.capture_id.to_string())
                .bind(i64::from(line.line_no))
                .bind(extra.order_id.to_string())
                .bind(line.shipment_id.to_string())
                .bind(line.seller_id.to_string())
                .bind(extra.category_code.as_str())
                .bind(line.rule_id.to_string())
                .bind(i64::from(line.rate.bps()))
                .bind(line.fixed_minor)
                .bind(extra.min_minor)
                .bind(extra.max_minor)
                .bind(line.base_minor)
                .bind(line.amount_minor)
                .bind(line.currency.code())
                .bind(transaction.posted_at().millis());
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Reading transactions back

#[derive(sqlx::FromRow)]
pub(crate) struct TransactionRow {
    pub id: String,
    pub idempotency_key: String,
    pub kind: String,
    pub order_id: Option<String>,
    pub shipment_id: Option<String>,
    pub seller_id: Option<String>,
    pub payout_id: Option<String>,
    pub payout_batch_id: Option<String>,
    pub penalty_id: Option<String>,
    pub reverses: Option<String>,
    pub memo: String,
    pub created_at: i64,
}

pub(crate) const TRANSACTION_SELECT: &str = "id, idempotency_key, kind, order_id, shipment_id, seller_id, \
     payout_id, payout_batch_id, penalty_id, reverses, memo, created_at";

fn opt<T: std::str::FromStr>(column: &'static str, value: Option<&String>) -> Result<Option<T>>
where
    T::Err: std::fmt::Display,
{
    value.map(|v| parse_col(column, v)).transpose()
}

#[derive(sqlx::FromRow)]
pub(crate) struct CommissionLineRow {
    pub transaction_id: String,
    pub capture_id: String,
    pub line_no: i64,
    pub shipment_id: String,
    pub seller_id: String,
    pub rule_id: String,
    pub rate_bps: i64,
    pub fixed_minor: i64,
    pub base_minor: i64,
    pub amount_minor: i64,
    pub currency: String,
}

pub(crate) const COMMISSION_LINE_SELECT: &str = "transaction_id, capture_id, line_no, shipment_id, \
     seller_id, rule_id, rate_bps, fixed_minor, base_minor, amount_minor, currency";

impl CommissionLineRow {
    pub(crate) fn to_domain(&self) -> Result<domain::ledger::CommissionLine> {
        Ok(domain::ledger::CommissionLine {
            capture_id: parse_col("ledger_commission_lines.capture_id", &self.capture_id)?,
            line_no: u32::try_from(self.line_no)
                .map_err(|_| Error::Internal("bad stored line number".into()))?,
            shipment_id: parse_col("ledger_commission_lines.shipment_id", &self.shipment_id)?,
            seller_id: parse_col("ledger_commission_lines.seller_id", &self.seller_id)?,
            rule_id: parse_col("ledger_commission_lines.rule_id", &self.rule_id)?,
            rate: u32::try_from(self.rate_bps)
                .ok()
                .and_then(|bps| domain::ledger::BasisPoints::new(bps).ok())
                .ok_or_else(|| Error::Internal(format!("bad stored rate {}", self.rate_bps)))?,
            fixed_minor: self.fixed_minor,
            base_minor: self.base_minor,
            amount_minor: self.amount_minor,
            currency: parse_col("ledger_commission_lines.currency", &self.currency)?,
        })
    }
}

impl TransactionRow {
    /// The stored shape, to be turned back into a (re-validated) transaction.
    pub(crate) fn into_record(
        self,
        postings: Vec<domain::ledger::PostingRecord>,
        commission_lines: Vec<domain::ledger::CommissionLine>,
    ) -> Result<domain::ledger::JournalTransactionRecord> {
        Ok(domain::ledger::JournalTransactionRecord {
            id: parse_col("ledger_transactions.id", &self.id)?,
            kind: parse_col("ledger_transactions.kind", &self.kind)?,
            idempotency_key: domain::ledger::IdempotencyKey::parse(&self.idempotency_key)
                .map_err(|e| Error::Internal(format!("bad stored idempotency key: {e}")))?,
            posted_at: domain::time::Timestamp::from_millis(self.created_at),
            references: domain::ledger::References {
                order_id: opt("ledger_transactions.order_id", self.order_id.as_ref())?,
                shipment_id: opt("ledger_transactions.shipment_id", self.shipment_id.as_ref())?,
                seller_id: opt("ledger_transactions.seller_id", self.seller_id.as_ref())?,
                payout_id: opt("ledger_transactions.payout_id", self.payout_id.as_ref())?,
                payout_batch_id: opt(
                    "ledger_transactions.payout_batch_id",
                    self.payout_batch_id.as_ref(),
                )?,
                penalty_id: opt("ledger_transactions.penalty_id", self.penalty_id.as_ref())?,
                reverses: opt("ledger_transactions.reverses", self.reverses.as_ref())?,
            },
            memo: self.memo,
            postings,
            commission_lines,
        })
    }
}

pub(crate) fn posting_record(
    account_key: &str,
    amount_minor: i64,
) -> Result<domain::ledger::PostingRecord> {
    let account: AccountRef = parse_col("ledger_postings.account_key", account_key)?;
    Ok(domain::ledger::PostingRecord {
        account,
        amount_minor,
        currency: account.currency(),
    })
}

/// Reads a stored transaction back, re-validated by the domain (it must still
/// balance and its commission lines must still explain its commission postings).
pub(crate) async fn load_transaction(
    conn: &mut sqlx::AnyConnection,
    id: JournalId,
) -> Result<JournalTransaction> {
    let query = format!("SELECT {TRANSACTION_SELECT} FROM ledger_transactions WHERE id = $1");
    let row: TransactionRow = sqlx::query_as(sqlx::AssertSqlSafe(query))
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(Error::NotFound("journal transaction"))?;
    let postings: Vec<(String, i64)> = sqlx::query_as(
        "SELECT account_key, amount_minor FROM ledger_postings WHERE transaction_id = $1 ORDER BY account_key",
    )
    .bind(id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let query = format!(
        "SELECT {COMMISSION_LINE_SELECT} FROM ledger_commission_lines WHERE transaction_id = $1 \
         ORDER BY capture_id, line_no"
    );
    let lines: Vec<CommissionLineRow> = sqlx::query_as(sqlx::AssertSqlSafe(query))
        .bind(id.to_string())
        .fetch_all(&mut *conn)
        .await?;
    let postings = postings
        .iter()
        .map(|(key, amount)| posting_record(key, *amount))
        .collect::<Result<Vec<_>>>()?;
    let lines = lines
        .iter()
        .map(CommissionLineRow::to_domain)
        .collect::<Result<Vec<_>>>()?;
    let record = row.into_record(postings, lines)?;
    JournalTransaction::try_from(record).map_err(ledger_error)
}

/// A stored journal transaction (finance staff's drill-down).
pub async fn get_transaction(
    db: &crate::Db,
    _ctx: &crate::auth::FinanceCtx,
    id: JournalId,
) -> Result<JournalTransaction> {
    let mut conn = db.pool().acquire().await?;
    load_transaction(&mut conn, id).await
}
