//! Bazaar's persistence and use cases.
//!
//! One code path for both engines: queries go through sqlx's `Any` driver, written in
//! SQL that SQLite and PostgreSQL both accept; the few differences live in [`dialect`].
//! Use cases take a capability context ([`auth::SellerCtx`], [`auth::AdminCtx`], ...)
//! as their first parameter, own their transaction, and write audit rows in it.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod blobs;
pub mod catalog;
pub mod demo;
pub mod demo_catalog;
pub mod demo_orders;
pub mod dialect;
pub mod error;
pub mod idempotency;
pub mod images;
pub mod imports;
pub mod jobs;
pub mod ledger;
pub mod moderation;
pub mod orders;
pub mod pool;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod util;

pub use dialect::Engine;
pub use error::{Error, Result};
pub use pool::{Db, DbOptions, Tx};
