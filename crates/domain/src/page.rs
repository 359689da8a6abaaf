//! Paging for lists.

use serde::{Deserialize, Serialize};

/// One page of a list, with the total for the pager.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
}

impl<T> Page<T> {
    /// 1-based number of the current page.
    pub fn page_number(&self) -> i64 {
        self.offset / self.limit.max(1) + 1
    }

    /// Number of pages (at least 1).
    pub fn page_count(&self) -> i64 {
        ((self.total + self.limit.max(1) - 1) / self.limit.max(1)).max(1)
    }
}
