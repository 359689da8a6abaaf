//! Bounded context: orders. (Filled in by the issue that introduces it.)
