//! Errors of the orders context.

use super::shipment::ShipmentStatus;
use crate::ErrorCode;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    #[error("a shipment that is {} cannot be {event}", from.as_str())]
    InvalidTransition {
        from: ShipmentStatus,
        event: &'static str,
    },
    #[error("invalid {field}: {reason}")]
    InvalidValue {
        field: &'static str,
        reason: &'static str,
    },
}

impl OrderError {
    pub const fn code(&self) -> ErrorCode {
        match self {
            OrderError::InvalidTransition { .. } => ErrorCode::InvalidStateTransition,
            OrderError::InvalidValue { .. } => ErrorCode::Validation,
        }
    }
}

/// Why a webhook request is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("the signature header is malformed: {0}")]
    MalformedHeader(&'static str),
    #[error("the event is {age_secs} s old; events older than {tolerance_secs} s are refused")]
    Stale { age_secs: i64, tolerance_secs: i64 },
    #[error("the event is timestamped {ahead_secs} s in the future")]
    FromTheFuture { ahead_secs: i64 },
    #[error("the signature does not match")]
    SignatureMismatch,
    #[error("no webhook secret is configured")]
    NoSecret,
}

impl WebhookError {
    pub const fn code(&self) -> ErrorCode {
        match self {
            WebhookError::Stale { .. } | WebhookError::FromTheFuture { .. } => {
                ErrorCode::StaleEvent
            }
            WebhookError::NoSecret => ErrorCode::Internal,
            WebhookError::MalformedHeader(_) | WebhookError::SignatureMismatch => {
                ErrorCode::InvalidSignature
            }
        }
    }
}
