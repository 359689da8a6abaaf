//! Bounded context: ledger. (Filled in by the issue that introduces it.)
