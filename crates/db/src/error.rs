//! The use-case error: what went wrong, in terms the boundary (REST API, server
//! functions) can map to a stable code and status. Database causes are kept for the
//! log and never shown to users.

use domain::{ErrorCode, FieldError};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input failed validation; every problem names its field.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// No such object for this caller. Also returned for other sellers' objects, so a
    /// caller cannot even learn that they exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A rule of the domain refused the operation (state, permissions, limits).
    #[error("{message}")]
    Rule { code: ErrorCode, message: String },
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Something that should not happen (corrupt data, a bug).
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn rule(code: ErrorCode, message: impl Into<String>) -> Self {
        Error::Rule {
            code,
            message: message.into(),
        }
    }

    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        Error::Validation(vec![FieldError::new(field, code, message)])
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Error::rule(ErrorCode::Forbidden, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Error::rule(ErrorCode::Conflict, message)
    }

    /// The stable code this error maps to at the boundary.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Validation(_) => ErrorCode::Validation,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::Rule { code, .. } => *code,
            Error::Database(e) if is_unavailable(e) => ErrorCode::Unavailable,
            Error::Database(_) | Error::Internal(_) => ErrorCode::Internal,
        }
    }

    /// True when the cause is on our side and must be logged.
    pub fn is_internal(&self) -> bool {
        matches!(self, Error::Database(_) | Error::Internal(_))
    }

    /// The name of the unique constraint (index) this error violated, if it is one.
    pub fn unique_violation(&self) -> Option<String> {
        match self {
            Error::Database(e) => unique_violation(e),
            _ => None,
        }
    }
}

fn is_unavailable(e: &sqlx::Error) -> bool {
    matches!(
        e,
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_)
    )
}

/// Recognises a unique-constraint violation on both engines and returns the index name
/// (PostgreSQL reports it; for SQLite we recover it from the message's column list).
pub fn unique_violation(e: &sqlx::Error) -> Option<String> {
    let db = e.as_database_error()?;
    if !db.is_unique_violation() {
        return None;
    }
    if let Some(c) = db.constraint() {
        return Some(c.to_string());
    }
    // SQLite: "UNIQUE constraint failed: users.email" → "users.email"
    Some(
        db.message()
            .rsplit(": ")
            .next()
            .unwrap_or_default()
            .to_string(),
    )
}

impl Error {
    /// True when this is a violation of the unique index named `pg_index` on PostgreSQL,
    /// which SQLite reports by its columns (`sqlite_columns`, e.g. `"users.email"`).
    pub fn violates_unique(&self, pg_index: &str, sqlite_columns: &str) -> bool {
        self.unique_violation()
            .is_some_and(|name| name == pg_index || name == sqlite_columns)
    }
}
