//! Bounded context: imports. (Filled in by the issue that introduces it.)
