//! Moderation: the automatic checks worker, the human queue with leases, decisions,
//! blocking, the managed reason and banned-phrase lists, and the dashboard.
//!
//! A revision's way: written `pending` with `check_state = 'unchecked'` by the one
//! write path (`catalog::upsert::record_revision`); [`checks::run_pass`] runs the
//! automatic checks and the rules, which reject, approve or queue it; moderators
//! [`queue::claim`] items under a lease and [`queue::decide`]. Every decision goes
//! through `decide::apply`, which writes the revision, the SKU, the queue, the
//! decisions log and the audit log in one transaction.

pub mod checks;
pub(crate) mod decide;
pub mod lists;
pub mod queue;
pub mod stats;

pub use decide::ReasonRef;
