//! Bounded context: payouts. Paying sellers what they are owed: schedules, batch
//! proposals, the batch and line state machines with the four-eyes rule, and the bank
//! register export.
//!
//! Money moves only through the ledger ([`crate::ledger::payout_reserve_transaction`],
//! [`crate::ledger::payout_paid_transaction`], [`crate::ledger::payout_failed_transaction`]);
//! [`apply_line_action`] says which one a line transition needs.

pub mod batch;
pub mod error;
pub mod proposal;
pub mod register;
pub mod schedule;

pub use crate::ledger::check_payout_within_available;
pub use batch::{
    ApprovalPolicy, BatchStatus, BatchSummary, ExclusionReason, LedgerEffect, LineAction,
    LineStatusKind, PayoutLineStatus, apply_line_action, approval_action, approve_batch,
    cancel_batch, close_batch, export_batch,
};
pub use error::PayoutError;
pub use proposal::{PayoutCandidate, ProposedLine, propose_payouts};
pub use register::{
    BankDetails, REGISTER_HEADER, RegisterRow, encode_windows_1251, export_register_csv,
    neutralise_cell, payment_purpose,
};
pub use schedule::{PayoutFrequency, PayoutPeriod, PayoutSchedule};

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::type_complexity,
    reason = "tests: a failed unwrap is a failed test, and scenario tables are tuples"
)]
mod tests;
