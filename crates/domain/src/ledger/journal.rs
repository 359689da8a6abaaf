//! Journal transactions: immutable, balanced sets of postings.

use super::LedgerError;
use super::account::{AccountRef, MarketplaceAccountKind};
use super::commission::CommissionLine;
use crate::ids::{JournalId, OrderId, PayoutBatchId, PayoutId, PenaltyId, SellerId, ShipmentId};
use crate::money::{Currency, Money};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// A client-chosen key that makes a money-moving command safe to retry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub const MAX_LEN: usize = 200;

    /// Printable ASCII without spaces, 1 to 200 characters: keys end up in logs,
    /// URLs and database indexes, where anything else causes trouble.
    pub fn parse(input: &str) -> Result<Self, LedgerError> {
        if input.is_empty() {
            return Err(LedgerError::InvalidIdempotencyKey {
                reason: "it is required",
            });
        }
        if input.len() > Self::MAX_LEN {
            return Err(LedgerError::InvalidIdempotencyKey {
                reason: "it is longer than 200 characters",
            });
        }
        if !input.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(LedgerError::InvalidIdempotencyKey {
                reason: "only printable ASCII characters without spaces are allowed",
            });
        }
        Ok(Self(input.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A key derived from this one for a step of the same command, e.g. the hold
    /// release that follows a delivery: `<key>:<suffix>`.
    pub fn derive(&self, suffix: &str) -> Result<Self, LedgerError> {
        Self::parse(&format!("{}:{suffix}", self.0))
    }
}

impl TryFrom<String> for IdempotencyKey {
    type Error = LedgerError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        IdempotencyKey::parse(&value)
    }
}

impl From<IdempotencyKey> for String {
    fn from(value: IdempotencyKey) -> Self {
        value.0
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What every new transaction needs from its caller: the id (the database generates
/// UUID v7s; the domain never makes randomness), the idempotency key and the time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxMeta {
    pub id: JournalId,
    pub idempotency_key: IdempotencyKey,
    pub posted_at: Timestamp,
}

impl TxMeta {
    pub fn new(id: JournalId, idempotency_key: IdempotencyKey, posted_at: Timestamp) -> Self {
        Self {
            id,
            idempotency_key,
            posted_at,
        }
    }
}

/// Why money moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransactionKind {
    /// Buyer's payment captured: provider_clearing → sellers' held + commission_revenue.
    Capture,
    /// Return window over: seller held → seller available.
    HoldRelease,
    /// Money returned to the buyer: seller held/available + commission_revenue → refunds_payable.
    Refund,
    /// The provider paid a refund out: refunds_payable → provider_clearing.
    RefundPaid,
    /// A chargeback: like a refund, credited to chargebacks.
    Chargeback,
    /// Seller available → penalty_revenue.
    Penalty,
    /// The reversal of a penalty (made by [`reverse`](JournalTransaction::reverse)).
    PenaltyReversal,
    /// Approved payout: seller available → seller payout_reserved.
    PayoutReserve,
    /// Bank confirmed: seller payout_reserved → payouts_clearing.
    PayoutPaid,
    /// Bank rejected: seller payout_reserved → seller available.
    PayoutFailed,
    /// The exact mirror of an earlier transaction (any kind but a penalty).
    Reversal,
    /// A manual correction by finance staff; always carries a memo.
    Adjustment,
}

impl TransactionKind {
    pub const ALL: [TransactionKind; 12] = [
        TransactionKind::Capture,
        TransactionKind::HoldRelease,
        TransactionKind::Refund,
        TransactionKind::RefundPaid,
        TransactionKind::Chargeback,
        TransactionKind::Penalty,
        TransactionKind::PenaltyReversal,
        TransactionKind::PayoutReserve,
        TransactionKind::PayoutPaid,
        TransactionKind::PayoutFailed,
        TransactionKind::Reversal,
        TransactionKind::Adjustment,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            TransactionKind::Capture => "capture",
            TransactionKind::HoldRelease => "hold_release",
            TransactionKind::Refund => "refund",
            TransactionKind::RefundPaid => "refund_paid",
            TransactionKind::Chargeback => "chargeback",
            TransactionKind::Penalty => "penalty",
            TransactionKind::PenaltyReversal => "penalty_reversal",
            TransactionKind::PayoutReserve => "payout_reserve",
            TransactionKind::PayoutPaid => "payout_paid",
            TransactionKind::PayoutFailed => "payout_failed",
            TransactionKind::Reversal => "reversal",
            TransactionKind::Adjustment => "adjustment",
        }
    }

    /// Reversals reference the transaction they mirror; nothing else does.
    pub const fn is_reversal(self) -> bool {
        matches!(
            self,
            TransactionKind::Reversal | TransactionKind::PenaltyReversal
        )
    }

    /// The kind of the mirror transaction: penalties get their own reversal kind so
    /// seller statements can say "penalty cancelled"; everything else is `reversal`.
    pub const fn reversal_kind(self) -> TransactionKind {
        match self {
            TransactionKind::Penalty => TransactionKind::PenaltyReversal,
            _ => TransactionKind::Reversal,
        }
    }
}

impl FromStr for TransactionKind {
    type Err = LedgerError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TransactionKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| LedgerError::UnknownValue {
                what: "transaction kind",
                value: s.to_string(),
            })
    }
}

impl fmt::Display for TransactionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a transaction is about. All optional except `reverses`, which a reversal must
/// have and nothing else may.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct References {
    pub order_id: Option<OrderId>,
    pub shipment_id: Option<ShipmentId>,
    pub seller_id: Option<SellerId>,
    pub payout_id: Option<PayoutId>,
    pub payout_batch_id: Option<PayoutBatchId>,
    pub penalty_id: Option<PenaltyId>,
    /// The original transaction, for reversals.
    pub reverses: Option<JournalId>,
}

/// One signed movement on one account.
///
/// Sign convention: positive = credit, negative = debit. Seller accounts are positive
/// when the marketplace owes the seller; see the module documentation for the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Posting {
    account: AccountRef,
    amount_minor: i64,
}

impl Posting {
    pub const fn account(&self) -> AccountRef {
        self.account
    }
    pub const fn amount_minor(&self) -> i64 {
        self.amount_minor
    }
    pub const fn currency(&self) -> Currency {
        self.account.currency()
    }
    pub const fn amount(&self) -> Money {
        Money::from_minor(self.amount_minor, self.account.currency())
    }
}

/// The longest memo a transaction carries.
pub const MEMO_MAX_CHARS: usize = 500;

/// An immutable, balanced journal transaction. Built only by
/// [`JournalTransactionBuilder::build`], which checks every invariant, so a value of
/// this type always balances per currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    try_from = "JournalTransactionRecord",
    into = "JournalTransactionRecord"
)]
pub struct JournalTransaction {
    id: JournalId,
    kind: TransactionKind,
    idempotency_key: IdempotencyKey,
    posted_at: Timestamp,
    references: References,
    memo: String,
    postings: Vec<Posting>,
    commission_lines: Vec<CommissionLine>,
}

impl JournalTransaction {
    pub fn builder(meta: TxMeta, kind: TransactionKind) -> JournalTransactionBuilder {
        JournalTransactionBuilder {
            meta,
            kind,
            references: References::default(),
            memo: String::new(),
            postings: Vec::new(),
            commission_lines: Vec::new(),
        }
    }

    pub const fn id(&self) -> JournalId {
        self.id
    }
    pub const fn kind(&self) -> TransactionKind {
        self.kind
    }
    pub const fn idempotency_key(&self) -> &IdempotencyKey {
        &self.idempotency_key
    }
    pub const fn posted_at(&self) -> Timestamp {
        self.posted_at
    }
    pub const fn references(&self) -> &References {
        &self.references
    }
    pub fn memo(&self) -> &str {
        &self.memo
    }
    /// Postings sorted by account key (the lock order), one per account.
    pub fn postings(&self) -> &[Posting] {
        &self.postings
    }
    /// The commission lines charged (capture) or reversed (refund, chargeback, reversal).
    pub fn commission_lines(&self) -> &[CommissionLine] {
        &self.commission_lines
    }

    /// The amount this transaction posts to `account` (0 when it does not touch it).
    pub fn amount_on(&self, account: &AccountRef) -> i64 {
        self.postings
            .iter()
            .find(|p| p.account == *account)
            .map_or(0, |p| p.amount_minor)
    }

    /// The exact mirror of this transaction: every posting and commission line negated,
    /// the same references plus `reverses = self.id`. A reversal cannot itself be
    /// reversed (post the original movement again instead), and the database must
    /// allow at most one reversal per original (a unique index on `reverses`).
    pub fn reverse(&self, meta: TxMeta) -> Result<JournalTransaction, LedgerError> {
        if self.kind.is_reversal() {
            return Err(LedgerError::CannotReverseReversal);
        }
        let memo = format!("reversal of {} {}", self.kind.as_str(), self.id);
        let mut builder = JournalTransaction::builder(meta, self.kind.reversal_kind())
            .references(References {
                reverses: Some(self.id),
                ..self.references
            })
            .memo(memo);
        for posting in &self.postings {
            let negated = posting
                .amount_minor
                .checked_neg()
                .ok_or(LedgerError::Overflow)?;
            builder = builder.post(
                posting.account,
                Money::from_minor(negated, posting.currency()),
            );
        }
        for line in &self.commission_lines {
            builder = builder.commission_line(line.negated()?);
        }
        builder.build()
    }
}

/// Collects postings; [`build`](JournalTransactionBuilder::build) validates them all.
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until built"]
pub struct JournalTransactionBuilder {
    meta: TxMeta,
    kind: TransactionKind,
    references: References,
    memo: String,
    postings: Vec<(AccountRef, Money)>,
    commission_lines: Vec<CommissionLine>,
}

impl JournalTransactionBuilder {
    pub fn references(mut self, references: References) -> Self {
        self.references = references;
        self
    }

    pub fn memo(mut self, memo: impl Into<String>) -> Self {
        self.memo = memo.into();
        self
    }

    /// Adds a signed posting (positive = credit). Several postings to one account are
    /// summed into one.
    pub fn post(mut self, account: AccountRef, amount: Money) -> Self {
        self.postings.push((account, amount));
        self
    }

    /// Adds `amount` (≥ 0) as a credit to `to` and a debit to `from`.
    pub fn transfer(self, from: AccountRef, to: AccountRef, amount: Money) -> Self {
        self.post(from, amount.negate()).post(to, amount)
    }

    pub fn commission_line(mut self, line: CommissionLine) -> Self {
        self.commission_lines.push(line);
        self
    }

    /// Validates and freezes the transaction. The ladder, in order: no postings; a zero
    /// posting; an amount in another currency than its account; overflow while summing
    /// an account; an account netting to zero; a currency that does not sum to zero; a
    /// memo too long; a reversal without `reverses` (or a non-reversal with one);
    /// commission lines that disagree with the commission revenue postings (checked for
    /// captures, refunds and chargebacks, and whenever lines are given).
    pub fn build(self) -> Result<JournalTransaction, LedgerError> {
        if self.postings.is_empty() {
            return Err(LedgerError::EmptyTransaction);
        }
        let mut per_account: BTreeMap<AccountRef, i64> = BTreeMap::new();
        for (account, amount) in &self.postings {
            if amount.is_zero() {
                return Err(LedgerError::ZeroPosting {
                    account: account.key(),
                });
            }
            if amount.currency() != account.currency() {
                return Err(LedgerError::CurrencyMismatch {
                    account: account.key(),
                    account_currency: account.currency(),
                    amount_currency: amount.currency(),
                });
            }
            let entry = per_account.entry(*account).or_insert(0);
            *entry = entry
                .checked_add(amount.amount_minor())
                .ok_or(LedgerError::Overflow)?;
        }
        let mut per_currency: BTreeMap<Currency, i128> = BTreeMap::new();
        for (account, amount_minor) in &per_account {
            if *amount_minor == 0 {
                return Err(LedgerError::ZeroPosting {
                    account: account.key(),
                });
            }
            *per_currency.entry(account.currency()).or_insert(0) += i128::from(*amount_minor);
        }
        if let Some((currency, sum_minor)) = per_currency.iter().find(|(_, sum)| **sum != 0) {
            return Err(LedgerError::Unbalanced {
                currency: *currency,
                sum_minor: *sum_minor,
            });
        }
        if self.memo.chars().count() > MEMO_MAX_CHARS {
            return Err(LedgerError::MemoTooLong {
                max_chars: MEMO_MAX_CHARS,
            });
        }
        if self.kind.is_reversal() != self.references.reverses.is_some() {
            return Err(LedgerError::ReversalReference);
        }
        // Settlements must explain their commission revenue line by line; an adjustment
        // (or the reversal of one) may correct commission revenue without lines.
        let settles = matches!(
            self.kind,
            TransactionKind::Capture | TransactionKind::Refund | TransactionKind::Chargeback
        );
        if settles || !self.commission_lines.is_empty() {
            check_commission_lines(&per_account, &self.commission_lines)?;
        }
        let postings = per_account
            .into_iter()
            .map(|(account, amount_minor)| Posting {
                account,
                amount_minor,
            })
            .collect();
        Ok(JournalTransaction {
            id: self.meta.id,
            kind: self.kind,
            idempotency_key: self.meta.idempotency_key,
            posted_at: self.meta.posted_at,
            references: self.references,
            memo: self.memo,
            postings,
            commission_lines: self.commission_lines,
        })
    }
}

/// The commission lines must explain the commission revenue postings exactly, per
/// currency: a line that was charged but not posted, or posted without a line, would
/// make the frozen record disagree with the money.
fn check_commission_lines(
    per_account: &BTreeMap<AccountRef, i64>,
    lines: &[CommissionLine],
) -> Result<(), LedgerError> {
    let mut posted: BTreeMap<Currency, i128> = BTreeMap::new();
    for (account, amount_minor) in per_account {
        if let AccountRef::Marketplace {
            kind: MarketplaceAccountKind::CommissionRevenue,
            currency,
            ..
        } = account
        {
            *posted.entry(*currency).or_insert(0) += i128::from(*amount_minor);
        }
    }
    let mut charged: BTreeMap<Currency, i128> = BTreeMap::new();
    for line in lines {
        *charged.entry(line.currency).or_insert(0) += i128::from(line.amount_minor);
    }
    for currency in posted.keys().chain(charged.keys()) {
        let lines_minor = charged.get(currency).copied().unwrap_or(0);
        let postings_minor = posted.get(currency).copied().unwrap_or(0);
        if lines_minor != postings_minor {
            return Err(LedgerError::CommissionLinesMismatch {
                lines_minor,
                postings_minor,
            });
        }
    }
    Ok(())
}

/// The plain stored shape of a [`JournalTransaction`], for the database layer and
/// JSON. Turning it back into a transaction re-runs every check of the builder, so a
/// stored transaction is validated again when it is read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalTransactionRecord {
    pub id: JournalId,
    pub kind: TransactionKind,
    pub idempotency_key: IdempotencyKey,
    pub posted_at: Timestamp,
    pub references: References,
    pub memo: String,
    pub postings: Vec<PostingRecord>,
    pub commission_lines: Vec<CommissionLine>,
}

/// One stored posting: the account key, the signed amount and (redundantly, for
/// queries) the currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostingRecord {
    pub account: AccountRef,
    pub amount_minor: i64,
    pub currency: Currency,
}

impl From<JournalTransaction> for JournalTransactionRecord {
    fn from(tx: JournalTransaction) -> Self {
        JournalTransactionRecord {
            id: tx.id,
            kind: tx.kind,
            idempotency_key: tx.idempotency_key,
            posted_at: tx.posted_at,
            references: tx.references,
            memo: tx.memo,
            postings: tx
                .postings
                .iter()
                .map(|p| PostingRecord {
                    account: p.account,
                    amount_minor: p.amount_minor,
                    currency: p.currency(),
                })
                .collect(),
            commission_lines: tx.commission_lines,
        }
    }
}

impl TryFrom<JournalTransactionRecord> for JournalTransaction {
    type Error = LedgerError;
    fn try_from(record: JournalTransactionRecord) -> Result<Self, Self::Error> {
        let meta = TxMeta::new(record.id, record.idempotency_key, record.posted_at);
        let mut builder = JournalTransaction::builder(meta, record.kind)
            .references(record.references)
            .memo(record.memo);
        for posting in record.postings {
            builder = builder.post(
                posting.account,
                Money::from_minor(posting.amount_minor, posting.currency),
            );
        }
        for line in record.commission_lines {
            builder = builder.commission_line(line);
        }
        builder.build()
    }
}
