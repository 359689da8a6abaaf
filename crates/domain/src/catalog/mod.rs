//! Bounded context: catalog. (Filled in by the issue that introduces it.)
