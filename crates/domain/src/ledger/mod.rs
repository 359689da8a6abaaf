//! Bounded context: ledger. The split-payment ledger: who is owed what, to the kopeck.
//!
//! Pure rules only. The database layer stores what these types describe and calls
//! these functions inside its transactions; nothing here does IO.
//!
//! # Accounts
//! Per seller and currency: `held`, `available`, `payout_reserved`. Per currency, for
//! the marketplace: `provider_clearing`, `commission_revenue`, `penalty_revenue`,
//! `refunds_payable`, `chargebacks`, `payouts_clearing`, each split into
//! [`MARKETPLACE_SHARDS`] shards chosen from the transaction's idempotency key
//! ([`Shard::for_key`]); the logical balance is the sum over shards. Keys:
//! `seller:<uuid>:held:RUB`, `mkt:commission_revenue:RUB:3` ([`AccountRef::key`]).
//!
//! # Sign convention
//! Every posting has a signed `amount_minor`: **positive = credit, negative = debit**.
//! The postings of every transaction sum to zero per currency, so all accounts of a
//! currency together always sum to zero. Seller accounts and the marketplace's
//! revenue and payable accounts (`commission_revenue`, `penalty_revenue`,
//! `refunds_payable`, `chargebacks`, `payouts_clearing`) are positive in normal
//! operation: seller accounts are positive when the marketplace owes the seller.
//! `provider_clearing` (the money the provider holds for us, an asset) is negative.
//!
//! | movement | postings |
//! |---|---|
//! | capture 1 000,00 ₽, 100,00 ₽ commission | provider_clearing −1000, seller held +900, commission_revenue +100 |
//! | hold release | seller held −x, seller available +x |
//! | refund r (seller part s, commission back c) | seller held or available −s, commission_revenue −c, refunds_payable +r |
//! | chargeback | as a refund, crediting chargebacks |
//! | refund paid out by the provider | refunds_payable −r, provider_clearing +r |
//! | penalty | seller available −p, penalty_revenue +p |
//! | payout approved | seller available −a, seller payout_reserved +a |
//! | payout paid | seller payout_reserved −a, payouts_clearing +a |
//! | payout failed | seller payout_reserved −a, seller available +a |
//! | reversal | every posting of the original negated |
//!
//! # Rounding
//! Amounts are integer minor units. Commission: `base × rate` in `rust_decimal`, rounded
//! half up (half away from zero) to the minor unit, per line, then `+ fixed`, clamped to
//! `[min, max]`, capped at the line's base and never negative ([`commission`]).
//! Allocation of a captured or refunded amount over lines: largest remainder, ties to
//! the earlier line ([`allocate_largest_remainder`]), so parts always sum exactly.
//! Commission given back by a partial refund: remaining commission × refunded part ÷
//! remaining allocation, rounded half up, in exact integer arithmetic; refunding all
//! that remains of a line gives back exactly its remaining commission.
//!
//! # Commission rule precedence
//! Most specific wins: category+tier > category > tier > default; with a category path
//! (the line's category, then its ancestors), each category is tried in turn with and
//! without the tier before the tier-only and default rules ([`CommissionSchedule::select`]).
//!
//! # Debt
//! A seller's payable amount is `max(0, available)` ([`Balances::payable_minor`]).
//! Refunds after release and penalties may take `available` below zero: that is debt.
//! Nothing special repays it: the next hold release credits the same `available`
//! balance, so it pays the debt first and only the rest becomes payable.
//!
//! # Immutability
//! Transactions are never changed or deleted. A correction is a new transaction:
//! [`JournalTransaction::reverse`] for an exact mirror (at most one per original;
//! the database enforces that with a unique index on `reverses`), or an
//! [`adjustment_transaction`] with a memo.

pub mod account;
pub mod allocation;
pub mod balances;
pub mod basis_points;
pub mod commission;
pub mod error;
pub mod holds;
pub mod idempotency;
pub mod journal;
pub mod penalties;
pub mod settlement;
pub mod transactions;

pub use account::{
    AccountRef, MARKETPLACE_SHARDS, MarketplaceAccountKind, SellerAccountKind, Shard,
};
pub use allocation::allocate_largest_remainder;
pub use balances::{BalanceMismatch, Balances, LedgerBalances};
pub use basis_points::BasisPoints;
pub use commission::{
    CommissionLine, CommissionRule, CommissionRuleId, CommissionSchedule, RuleSpecificity,
    SellerTier,
};
pub use error::LedgerError;
pub use holds::{
    HoldBlock, HoldDecision, ShipmentHold, decide_hold_release, hold_release_at,
    hold_release_transaction, shipment_return_window_days,
};
pub use idempotency::{
    IdempotencyOutcome, RequestFingerprint, check_idempotency, fingerprint_bytes, fingerprint_json,
    fingerprint_of,
};
pub use journal::{
    IdempotencyKey, JournalTransaction, JournalTransactionBuilder, JournalTransactionRecord,
    MEMO_MAX_CHARS, Posting, PostingRecord, References, TransactionKind, TxMeta,
};
pub use penalties::{
    Penalty, PenaltyAmountRule, PenaltyPolicy, PenaltyReason, PenaltySource, penalty_transaction,
};
pub use settlement::{
    Capture, CaptureLine, CaptureRequest, RefundKind, RefundLine, RefundPlan, RefundRequest,
    SettlementLine, plan_capture, plan_refund,
};
pub use transactions::{
    PayoutMovement, adjustment_transaction, check_payout_within_available,
    payout_failed_transaction, payout_paid_transaction, payout_reserve_transaction,
    refund_paid_transaction,
};

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::type_complexity,
    reason = "tests: a failed unwrap is a failed test, and scenario tables are tuples"
)]
mod tests;
