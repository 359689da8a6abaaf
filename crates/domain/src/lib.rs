//! Bazaar's pure domain model.
//!
//! Everything here is plain data and rules: no IO, no database, no web framework.
//! The crate compiles to `wasm32-unknown-unknown`, so the browser runs exactly the
//! validation the server runs.

pub mod accounts;
pub mod audit;
pub mod catalog;
pub mod error;
pub mod ids;
pub mod imports;
pub mod ledger;
pub mod locale;
pub mod moderation;
pub mod money;
pub mod orders;
pub mod page;
pub mod payouts;
pub mod time;

pub use error::{ErrorCode, FieldError};
pub use locale::Locale;
pub use money::{Currency, Money, MoneyError};
