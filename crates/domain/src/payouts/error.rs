//! Errors of the payouts context.

use super::batch::{BatchStatus, LineStatusKind};
use crate::ErrorCode;
use crate::money::Currency;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayoutError {
    #[error("a {} batch cannot be {action}", from.as_str())]
    InvalidBatchTransition {
        from: BatchStatus,
        action: &'static str,
    },
    #[error("a {} payout line cannot be {action} while its batch is {}", from.as_str(), batch.as_str())]
    InvalidLineTransition {
        from: LineStatusKind,
        batch: BatchStatus,
        action: &'static str,
    },
    #[error(
        "this batch is above the four-eyes threshold: someone other than its preparer must approve it"
    )]
    FourEyesRequired,
    #[error("the batch still has {open_lines} lines that are neither paid, failed nor excluded")]
    OpenLines { open_lines: usize },
    #[error("{field} must not be empty")]
    Required { field: &'static str },
    #[error("the minimum payout in {currency} must not be negative")]
    NegativeMinimum { currency: Currency },
    #[error("the register has no lines")]
    EmptyRegister,
    #[error("the register mixes currencies or lines that are not approved")]
    InvalidRegisterLine,
    #[error("the register could not be written: {0}")]
    Csv(String),
}

impl PayoutError {
    pub const fn code(&self) -> ErrorCode {
        match self {
            PayoutError::InvalidBatchTransition { .. }
            | PayoutError::InvalidLineTransition { .. } => ErrorCode::InvalidStateTransition,
            PayoutError::FourEyesRequired => ErrorCode::Forbidden,
            PayoutError::OpenLines { .. } => ErrorCode::Conflict,
            PayoutError::Csv(_) => ErrorCode::Internal,
            _ => ErrorCode::Validation,
        }
    }
}
