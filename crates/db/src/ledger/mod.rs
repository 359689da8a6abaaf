//! The split-payment ledger and payouts, persisted: the layer orders, payment webhooks
//! and the finance pages stand on.
//!
//! The rules live in `domain::ledger` and `domain::payouts` (read their module docs:
//! sign convention, account keys, rounding, debt); this module stores what they
//! describe and runs them inside database transactions.
//!
//! # Invariants, stated as absences
//! - Nothing but [`posting`] writes `ledger_postings` or `ledger_balances`; every other
//!   module builds a `JournalTransaction` with the domain and hands it over.
//! - No posting is ever updated or deleted; a correction is a new transaction.
//! - No money moves without an idempotency key claimed by INSERT in the same database
//!   transaction; the same key with another request is `idempotency_key_reused`.
//! - No payout is reserved without reading the seller's balance under a lock in the
//!   transaction that posts the reservation ([`balances::lock_seller_balances`]).
//!
//! # Lock order (PostgreSQL; SQLite has a single writer)
//! A transaction first locks the business rows it changes (payout batch, payout lines,
//! holds, capture lines), then the balance rows, which [`posting`] updates in one
//! statement per chunk in ascending account-key order (and payout approval locks them
//! with `SELECT ... ORDER BY account_key FOR UPDATE`). Every writer takes balance
//! rows in that one order, so writers can wait for each other but never deadlock.
//!
//! # Hot accounts
//! Marketplace accounts are split into 16 shard rows chosen from the transaction's
//! idempotency key, so concurrent settlements mostly update different rows; seller
//! accounts are one row per seller and currency. Balance updates are the last
//! statements before commit, so a hot row stays locked for as short a time as possible.
//!
//! # Modules
//! [`posting`] (the posting engine), [`balances`] (O(1) balance reads), [`commission`]
//! (rules), [`settlement`] (captures and refunds), [`holds`], [`penalties`],
//! [`payouts`], [`statement`] (seller statement and held breakdown), [`reports`]
//! (finance read models), [`verify`].

pub mod balances;
pub mod commission;
pub mod holds;
pub mod payouts;
pub mod penalties;
pub mod posting;
pub mod reports;
pub mod settings;
pub mod settlement;
pub mod statement;
pub mod verify;

mod sql;

use crate::Error;
use domain::ErrorCode;
use domain::ledger::LedgerError;
use domain::payouts::PayoutError;

pub use posting::{PostOutcome, Posted};

/// A ledger rule's refusal as a use-case error with the rule's stable code.
pub(crate) fn ledger_error(e: LedgerError) -> Error {
    Error::rule(e.code(), e.to_string())
}

/// A payout rule's refusal as a use-case error with the rule's stable code.
pub(crate) fn payout_error(e: PayoutError) -> Error {
    match e {
        PayoutError::Required { field } => {
            Error::field(field, "required", format!("{field} must not be empty"))
        }
        other => Error::rule(other.code(), other.to_string()),
    }
}

/// The error for a key that was already used for a different request.
pub(crate) fn key_reused(key: &str) -> Error {
    Error::rule(
        ErrorCode::IdempotencyKeyReused,
        format!(
            "The idempotency key {key:?} was already used for a different request; use a new key"
        ),
    )
}
