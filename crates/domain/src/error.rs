//! Stable error codes shared by the REST API, server functions and the browser.
//!
//! Codes are part of the public API: never rename one, only add.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Input failed validation; `details` lists the fields.
    Validation,
    /// Not logged in, or the API key is missing or invalid.
    Unauthorized,
    /// Logged in, but this role may not do this.
    Forbidden,
    /// No such object for this caller (also used for other sellers' objects).
    NotFound,
    /// The object changed meanwhile or the operation conflicts with its state.
    Conflict,
    /// The same idempotency key was used with a different request.
    IdempotencyKeyReused,
    /// A request with this idempotency key is still being processed.
    IdempotencyKeyInProgress,
    /// Too many attempts; try again later.
    RateLimited,
    /// The seller account is suspended: reading is allowed, changes are not.
    SellerSuspended,
    /// The seller account is not verified yet.
    SellerNotVerified,
    /// The request's origin could not be verified (CSRF protection).
    CsrfRejected,
    /// The request body is too large.
    PayloadTooLarge,
    /// The content type is not supported here.
    UnsupportedMediaType,
    /// A signature (e.g. a payment webhook's) is missing or wrong.
    InvalidSignature,
    /// An event is too old to be accepted (replay protection).
    StaleEvent,
    /// The object's state does not allow this transition.
    InvalidStateTransition,
    /// Not enough funds for this operation.
    InsufficientFunds,
    /// The email or password is wrong.
    InvalidCredentials,
    /// Something failed on our side; the request id identifies it in the logs.
    Internal,
    /// A dependency (e.g. the database) is temporarily unavailable.
    Unavailable,
}

impl ErrorCode {
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Validation => "validation",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::IdempotencyKeyReused => "idempotency_key_reused",
            ErrorCode::IdempotencyKeyInProgress => "idempotency_key_in_progress",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::SellerSuspended => "seller_suspended",
            ErrorCode::SellerNotVerified => "seller_not_verified",
            ErrorCode::CsrfRejected => "csrf_rejected",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::InvalidSignature => "invalid_signature",
            ErrorCode::StaleEvent => "stale_event",
            ErrorCode::InvalidStateTransition => "invalid_state_transition",
            ErrorCode::InsufficientFunds => "insufficient_funds",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::Internal => "internal",
            ErrorCode::Unavailable => "unavailable",
        }
    }

    /// The HTTP status this code maps to.
    pub const fn http_status(self) -> u16 {
        match self {
            ErrorCode::Validation => 422,
            ErrorCode::Unauthorized | ErrorCode::InvalidCredentials => 401,
            ErrorCode::InvalidSignature => 401,
            ErrorCode::Forbidden
            | ErrorCode::SellerSuspended
            | ErrorCode::SellerNotVerified
            | ErrorCode::CsrfRejected => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::Conflict
            | ErrorCode::IdempotencyKeyReused
            | ErrorCode::IdempotencyKeyInProgress
            | ErrorCode::InvalidStateTransition
            | ErrorCode::InsufficientFunds => 409,
            ErrorCode::StaleEvent => 400,
            ErrorCode::RateLimited => 429,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::Internal => 500,
            ErrorCode::Unavailable => 503,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field (form field, JSON property or CSV column) the problem is in.
    pub field: String,
    /// A machine-readable snake_case code, e.g. `required`, `too_long`, `bad_checksum`.
    pub code: String,
    /// What is wrong, for people.
    pub message: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}
