//! Bounded context: moderation. (Filled in by the issue that introduces it.)
