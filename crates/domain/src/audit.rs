//! The audit log as administrators read it.

use serde::{Deserialize, Serialize};

/// One audit row as admins see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: String,
    pub at_ms: i64,
    pub actor_kind: String,
    pub actor_label: String,
    pub action: String,
    pub subject_kind: String,
    pub subject_id: String,
    pub seller_id: Option<String>,
    pub details: String,
}

/// Filters for the audit log page.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AuditFilter {
    /// Matches the action prefix, e.g. `seller.` or `moderation.`.
    pub action_prefix: Option<String>,
    pub subject_id: Option<String>,
    pub before_ms: Option<i64>,
    pub limit: Option<i64>,
}
