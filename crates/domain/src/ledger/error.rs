//! Errors of the ledger context. No HTTP here: [`LedgerError::code`] maps each to a stable code.

use crate::ErrorCode;
use crate::money::Currency;

/// Everything the ledger rules can refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("a journal transaction needs postings")]
    EmptyTransaction,
    #[error("the posting to {account} has a zero amount")]
    ZeroPosting { account: String },
    #[error("the postings in {currency} do not balance: they sum to {sum_minor} minor units")]
    Unbalanced { currency: Currency, sum_minor: i128 },
    #[error("an amount is too large to be represented")]
    Overflow,
    #[error("account {account} is kept in {account_currency}, not in {amount_currency}")]
    CurrencyMismatch {
        account: String,
        account_currency: Currency,
        amount_currency: Currency,
    },
    #[error("invalid idempotency key: {reason}")]
    InvalidIdempotencyKey { reason: &'static str },
    #[error("the memo is longer than {max_chars} characters")]
    MemoTooLong { max_chars: usize },
    #[error("a memo saying why is required for {0}")]
    MemoRequired(&'static str),
    #[error("invalid account key {0:?}")]
    InvalidAccountKey(String),
    #[error("shard {0} is out of range")]
    InvalidShard(u32),
    #[error("basis points must be between 0 and 10000, got {0}")]
    InvalidBasisPoints(i64),
    #[error("invalid percentage {0:?}")]
    InvalidPercentage(String),
    #[error("unknown value {value:?} for {what}")]
    UnknownValue { what: &'static str, value: String },
    #[error("commission rule {rule_id} is invalid: {reason}")]
    InvalidCommissionRule {
        rule_id: String,
        reason: &'static str,
    },
    #[error("commission rules {first} and {second} apply to the same currency, category and tier")]
    DuplicateCommissionRule { first: String, second: String },
    #[error("no commission rule applies in {currency}: configure a default rule")]
    NoCommissionRule { currency: Currency },
    #[error("a reversal must reference the transaction it reverses, and only a reversal may")]
    ReversalReference,
    #[error("a reversal cannot be reversed: post the original movement again instead")]
    CannotReverseReversal,
    #[error(
        "the commission lines sum to {lines_minor} but the commission revenue postings to {postings_minor}"
    )]
    CommissionLinesMismatch {
        lines_minor: i128,
        postings_minor: i128,
    },
    #[error("an order to settle needs at least one line")]
    NoLines,
    #[error("line {line_no}: {reason}")]
    InvalidLine { line_no: u32, reason: &'static str },
    #[error("amount must be positive")]
    NonPositiveAmount,
    #[error("amount {amount_minor} must not be negative")]
    NegativeAmount { amount_minor: i64 },
    #[error("allocation needs weights that are not negative and do not all equal zero")]
    InvalidWeights,
    #[error("captured {captured_minor} exceeds the order total {order_total_minor}")]
    CaptureExceedsOrderTotal {
        captured_minor: i64,
        order_total_minor: i64,
    },
    #[error("cannot refund {requested_minor}: only {refundable_minor} remains refundable")]
    RefundExceedsCaptured {
        requested_minor: i64,
        refundable_minor: i64,
    },
    #[error("the capture lines belong to different currencies or orders")]
    InconsistentCaptureLines,
    #[error("insufficient funds: {requested_minor} requested, {available_minor} available")]
    InsufficientFunds {
        requested_minor: i64,
        available_minor: i64,
    },
}

impl LedgerError {
    /// The stable code this error maps to at the API boundary.
    pub const fn code(&self) -> ErrorCode {
        match self {
            LedgerError::InsufficientFunds { .. } => ErrorCode::InsufficientFunds,
            LedgerError::RefundExceedsCaptured { .. }
            | LedgerError::CaptureExceedsOrderTotal { .. }
            | LedgerError::CannotReverseReversal => ErrorCode::Conflict,
            // A transaction that does not balance, or commission lines that disagree with
            // postings, is a bug in the caller, never a user mistake.
            LedgerError::Unbalanced { .. }
            | LedgerError::CommissionLinesMismatch { .. }
            | LedgerError::InconsistentCaptureLines
            | LedgerError::ReversalReference
            | LedgerError::EmptyTransaction
            | LedgerError::ZeroPosting { .. }
            | LedgerError::CurrencyMismatch { .. } => ErrorCode::Internal,
            _ => ErrorCode::Validation,
        }
    }
}
