//! Bounded context: payouts. (Filled in by the issue that introduces it.)
