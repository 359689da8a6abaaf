//! What the moderation screens show (shared by the server and the browser).

use super::checks::DuplicateKind;
use super::diff::{FieldChange, ImageChanges};
use super::{DecisionKind, Flag, Priority};
use crate::catalog::{SkuContent, SkuStatus};
use crate::ids::SellerId;
use serde::{Deserialize, Serialize};

/// One queue item in a moderator's claimed list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueItem {
    pub revision_id: String,
    pub seller_id: SellerId,
    pub seller_name: String,
    pub seller_sku: String,
    pub title: String,
    pub category: String,
    pub priority: Priority,
    pub submitted_at_ms: i64,
    pub lease_until_ms: i64,
    pub flags: Vec<Flag>,
}

/// The state of one image of the revision, as moderators and sellers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageStatus {
    pub url: String,
    /// `/media/<id>/thumb.jpg` once processed.
    pub thumb_url: Option<String>,
    /// `pending`, `ready`, `failed`, `rejected`.
    pub status: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Why it failed, in Russian and English.
    pub problem_ru: Option<String>,
    pub problem_en: Option<String>,
    pub duplicate: Option<DuplicateKind>,
}

/// A previous decision on the same seller's listings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastDecision {
    pub seller_sku: String,
    pub kind: DecisionKind,
    pub reasons: Vec<String>,
    pub decided_at_ms: i64,
}

/// The seller's moderation history, next to the item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerHistory {
    pub verified: bool,
    pub approved: i64,
    pub rejected: i64,
    pub recent: Vec<PastDecision>,
}

/// Everything a moderator needs to decide on one revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemDetail {
    pub item: QueueItem,
    pub sku_status: SkuStatus,
    pub revision_number: i64,
    pub content: SkuContent,
    /// The approved content buyers see now, if any.
    pub live: Option<SkuContent>,
    /// The changes against the live content, or (for a listing never approved)
    /// against the last rejected revision when `against_rejected` is set.
    pub changes: Vec<FieldChange>,
    pub against_rejected: bool,
    pub image_changes: ImageChanges,
    pub images: Vec<ImageStatus>,
    pub category_path: String,
    pub price_minor: i64,
    pub currency: String,
    pub history: SellerHistory,
}

/// Queue size at one priority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityCount {
    pub priority: Priority,
    pub count: i64,
}

/// Decisions one moderator made on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeratorDay {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    pub moderator: String,
    pub decisions: i64,
}

/// The moderation dashboard.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModerationStats {
    pub queue_total: i64,
    pub by_priority: Vec<PriorityCount>,
    /// Waiting for the automatic checks (or their images).
    pub awaiting_checks: i64,
    /// Age of the waiting items (median and 95th percentile), milliseconds.
    pub age_p50_ms: i64,
    pub age_p95_ms: i64,
    pub sla_hours: i64,
    /// Items waiting longer than the SLA.
    pub sla_breaches: i64,
    /// Claimed right now.
    pub leased: i64,
    /// Last 7 days.
    pub per_moderator: Vec<ModeratorDay>,
    pub decisions_7d: i64,
    pub auto_approved_7d: i64,
    pub auto_rejected_7d: i64,
    pub rejected_7d: i64,
}

impl ImageStatus {
    pub fn problem(&self, l: crate::Locale) -> Option<&str> {
        match l {
            crate::Locale::Ru => self.problem_ru.as_deref().or(self.problem_en.as_deref()),
            crate::Locale::En => self.problem_en.as_deref().or(self.problem_ru.as_deref()),
        }
    }
}

impl ModerationStats {
    /// Share of the last 7 days' decisions, in percent (0 when there were none).
    pub fn percent(&self, n: i64) -> i64 {
        if self.decisions_7d == 0 {
            0
        } else {
            (n * 100 + self.decisions_7d / 2) / self.decisions_7d
        }
    }
}

/// One row of the decisions log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionEntry {
    pub decided_at_ms: i64,
    pub kind: DecisionKind,
    pub seller_name: String,
    pub seller_sku: String,
    pub moderator: Option<String>,
    pub reasons: Vec<String>,
    pub comment: Option<String>,
}

/// Per-item result of a bulk decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkResult {
    pub revision_id: String,
    pub ok: bool,
    pub error: Option<String>,
}

/// A SKU found by a moderator's search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkuHit {
    pub sku_id: String,
    pub seller_name: String,
    pub seller_sku: String,
    pub title: String,
    pub status: SkuStatus,
}

/// A banned phrase as the admin list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BannedEntry {
    pub id: String,
    pub phrase: String,
    pub action: super::banned::BannedAction,
    pub created_at_ms: i64,
}

/// A category's moderation rules, as the admin page edits them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryRuleView {
    pub code: String,
    pub name_ru: String,
    pub name_en: String,
    pub depth: u32,
    /// Only verified sellers may list here (and in the subcategories).
    pub restricted: bool,
    /// The smallest image side allowed here; none: the operator's default.
    pub image_min_side: Option<u32>,
}
