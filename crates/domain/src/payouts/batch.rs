//! Payout batches and their lines: two state machines and the four-eyes rule.
//!
//! ```text
//! batch:  proposed ──approve──▶ approved ──export──▶ exported ──close──▶ closed
//!            └──cancel──▶ cancelled
//! line:   proposed ──▶ excluded (reason)         (while the batch is proposed)
//!         proposed ◀─▶ held (reason)             (while the batch is proposed)
//!         proposed ──▶ approved                  (when the batch is approved: reserve funds)
//!         approved ──▶ paid (bank reference)     (after export: reserved → payouts_clearing)
//!         approved ──▶ failed (reason)           (after export: reserved → available)
//!         approved ──▶ unresolved (note)         (after export: funds stay reserved)
//!         unresolved ──▶ paid | failed
//! ```
//! Paid, failed and excluded are final: a line can never be paid twice, and an
//! unresolved line keeps its funds reserved until its outcome is known.

use super::error::PayoutError;
use crate::ids::UserId;
use crate::money::{Currency, Money};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchStatus {
    Proposed,
    Approved,
    Exported,
    Closed,
    Cancelled,
}

impl BatchStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            BatchStatus::Proposed => "proposed",
            BatchStatus::Approved => "approved",
            BatchStatus::Exported => "exported",
            BatchStatus::Closed => "closed",
            BatchStatus::Cancelled => "cancelled",
        }
    }
}

/// Why a line is not paid in this batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum ExclusionReason {
    /// The seller has no bank details on file.
    MissingBankDetails,
    /// At approval the seller's available balance was below the line's amount
    /// (a refund or penalty came in after the proposal).
    InsufficientFunds { available_minor: i64 },
    /// Finance staff excluded it; the note says why.
    Manual { note: String },
}

/// A payout line's state, with what each state needs to say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum PayoutLineStatus {
    Proposed,
    Excluded {
        reason: ExclusionReason,
    },
    /// Not paid while the seller is on payout hold (e.g. a risk review).
    Held {
        reason: String,
    },
    Approved,
    Paid {
        bank_reference: String,
    },
    Failed {
        reason: String,
    },
    /// The bank's answer is unknown (timeout, lost file): never resend, find out.
    Unresolved {
        note: String,
    },
}

/// The state names alone, for errors and database columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineStatusKind {
    Proposed,
    Excluded,
    Held,
    Approved,
    Paid,
    Failed,
    Unresolved,
}

impl LineStatusKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            LineStatusKind::Proposed => "proposed",
            LineStatusKind::Excluded => "excluded",
            LineStatusKind::Held => "held",
            LineStatusKind::Approved => "approved",
            LineStatusKind::Paid => "paid",
            LineStatusKind::Failed => "failed",
            LineStatusKind::Unresolved => "unresolved",
        }
    }
}

impl PayoutLineStatus {
    pub const fn kind(&self) -> LineStatusKind {
        match self {
            PayoutLineStatus::Proposed => LineStatusKind::Proposed,
            PayoutLineStatus::Excluded { .. } => LineStatusKind::Excluded,
            PayoutLineStatus::Held { .. } => LineStatusKind::Held,
            PayoutLineStatus::Approved => LineStatusKind::Approved,
            PayoutLineStatus::Paid { .. } => LineStatusKind::Paid,
            PayoutLineStatus::Failed { .. } => LineStatusKind::Failed,
            PayoutLineStatus::Unresolved { .. } => LineStatusKind::Unresolved,
        }
    }

    /// Nothing more will happen to the line in this batch.
    pub const fn is_settled(&self) -> bool {
        matches!(
            self,
            PayoutLineStatus::Paid { .. }
                | PayoutLineStatus::Failed { .. }
                | PayoutLineStatus::Excluded { .. }
                | PayoutLineStatus::Held { .. }
        )
    }
}

/// What staff, the approval or the bank do to a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum LineAction {
    Exclude { reason: ExclusionReason },
    Hold { reason: String },
    Release,
    Approve,
    MarkPaid { bank_reference: String },
    MarkFailed { reason: String },
    MarkUnresolved { note: String },
}

impl LineAction {
    const fn name(&self) -> &'static str {
        match self {
            LineAction::Exclude { .. } => "excluded",
            LineAction::Hold { .. } => "held",
            LineAction::Release => "released from hold",
            LineAction::Approve => "approved",
            LineAction::MarkPaid { .. } => "marked paid",
            LineAction::MarkFailed { .. } => "marked failed",
            LineAction::MarkUnresolved { .. } => "marked unresolved",
        }
    }
}

/// The ledger transaction a line transition requires, in the same database transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerEffect {
    None,
    /// [`crate::ledger::payout_reserve_transaction`]: available → payout_reserved.
    Reserve,
    /// [`crate::ledger::payout_paid_transaction`]: payout_reserved → payouts_clearing.
    Paid,
    /// [`crate::ledger::payout_failed_transaction`]: payout_reserved → available.
    ReturnToAvailable,
}

fn required(value: &str, field: &'static str) -> Result<String, PayoutError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(PayoutError::Required { field });
    }
    Ok(trimmed.to_string())
}

/// The line's next state and the ledger movement it needs, or a typed refusal.
pub fn apply_line_action(
    batch: BatchStatus,
    line: &PayoutLineStatus,
    action: LineAction,
) -> Result<(PayoutLineStatus, LedgerEffect), PayoutError> {
    use BatchStatus as B;
    use PayoutLineStatus as L;
    let refused = PayoutError::InvalidLineTransition {
        from: line.kind(),
        batch,
        action: action.name(),
    };
    let next = match (batch, line, action) {
        (B::Proposed, L::Proposed | L::Held { .. }, LineAction::Exclude { reason }) => {
            if let ExclusionReason::Manual { note } = &reason {
                required(note, "note")?;
            }
            (L::Excluded { reason }, LedgerEffect::None)
        }
        (B::Proposed, L::Proposed, LineAction::Hold { reason }) => (
            L::Held {
                reason: required(&reason, "reason")?,
            },
            LedgerEffect::None,
        ),
        (B::Proposed, L::Held { .. }, LineAction::Release) => (L::Proposed, LedgerEffect::None),
        // Lines are approved by the batch approval, while the batch is still proposed.
        (B::Proposed, L::Proposed, LineAction::Approve) => (L::Approved, LedgerEffect::Reserve),
        (
            B::Exported,
            L::Approved | L::Unresolved { .. },
            LineAction::MarkPaid { bank_reference },
        ) => (
            L::Paid {
                bank_reference: required(&bank_reference, "bank_reference")?,
            },
            LedgerEffect::Paid,
        ),
        (B::Exported, L::Approved | L::Unresolved { .. }, LineAction::MarkFailed { reason }) => (
            L::Failed {
                reason: required(&reason, "reason")?,
            },
            LedgerEffect::ReturnToAvailable,
        ),
        (B::Exported, L::Approved, LineAction::MarkUnresolved { note }) => (
            L::Unresolved {
                note: required(&note, "note")?,
            },
            LedgerEffect::None,
        ),
        _ => return Err(refused),
    };
    Ok(next)
}

/// Decides, at approval, whether a proposed line may be approved: a payout can never
/// exceed what the seller may be paid at that moment (`max(0, available)`, read under
/// the seller's lock). Otherwise the line is excluded with the balance it found.
pub fn approval_action(amount: Money, balances: &crate::ledger::Balances) -> LineAction {
    match crate::ledger::check_payout_within_available(amount, balances) {
        Ok(()) => LineAction::Approve,
        Err(_) => LineAction::Exclude {
            reason: ExclusionReason::InsufficientFunds {
                available_minor: balances.available_minor,
            },
        },
    }
}

/// Above this batch total (per currency), the approver must differ from the preparer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalPolicy {
    pub four_eyes_threshold: Money,
}

/// What the approval needs to know about a batch. A batch has one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchSummary {
    pub status: BatchStatus,
    pub currency: Currency,
    /// The sum of the lines to approve (the proposed ones).
    pub total_minor: i64,
    pub prepared_by: UserId,
}

/// Approves a proposed batch. Four eyes: when the total is above the policy's
/// threshold in the batch's currency, the approver must not be the preparer. (A
/// threshold in another currency never applies; configure one per currency.)
pub fn approve_batch(
    batch: &BatchSummary,
    approver: UserId,
    policy: &ApprovalPolicy,
) -> Result<BatchStatus, PayoutError> {
    if batch.status != BatchStatus::Proposed {
        return Err(PayoutError::InvalidBatchTransition {
            from: batch.status,
            action: "approved",
        });
    }
    let above_threshold = policy.four_eyes_threshold.currency() == batch.currency
        && batch.total_minor > policy.four_eyes_threshold.amount_minor();
    if above_threshold && approver == batch.prepared_by {
        return Err(PayoutError::FourEyesRequired);
    }
    Ok(BatchStatus::Approved)
}

/// Marks an approved batch exported (its bank register was produced).
pub fn export_batch(status: BatchStatus) -> Result<BatchStatus, PayoutError> {
    match status {
        BatchStatus::Approved | BatchStatus::Exported => Ok(BatchStatus::Exported),
        from => Err(PayoutError::InvalidBatchTransition {
            from,
            action: "exported",
        }),
    }
}

/// Closes an exported batch once every line is paid, failed, excluded or held.
pub fn close_batch(
    status: BatchStatus,
    lines: &[PayoutLineStatus],
) -> Result<BatchStatus, PayoutError> {
    if status != BatchStatus::Exported {
        return Err(PayoutError::InvalidBatchTransition {
            from: status,
            action: "closed",
        });
    }
    let open_lines = lines.iter().filter(|l| !l.is_settled()).count();
    if open_lines > 0 {
        return Err(PayoutError::OpenLines { open_lines });
    }
    Ok(BatchStatus::Closed)
}

/// Cancels a batch that was never approved (no money was reserved).
pub fn cancel_batch(status: BatchStatus) -> Result<BatchStatus, PayoutError> {
    match status {
        BatchStatus::Proposed => Ok(BatchStatus::Cancelled),
        from => Err(PayoutError::InvalidBatchTransition {
            from,
            action: "cancelled",
        }),
    }
}
