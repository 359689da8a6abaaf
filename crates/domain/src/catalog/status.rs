//! SKU and content-revision statuses and the moderation transitions between them.
//!
//! A SKU's content changes through revisions: each change creates a `pending`
//! revision that a moderator approves or rejects. The SKU's own status says whether
//! buyers can see it. Commercial changes (price, stock) never touch either status.
//!
//! | from \ action        | submit              | approve | reject   | block   | archive  |
//! |----------------------|---------------------|---------|----------|---------|----------|
//! | draft                | pending_moderation  | –       | –        | blocked | archived |
//! | pending_moderation   | pending_moderation  | active  | rejected | blocked | archived |
//! | active               | active (¹)          | active  | active (²)| blocked | archived |
//! | rejected             | pending_moderation  | –       | –        | blocked | archived |
//! | blocked              | –                   | active (³) | –     | –       | archived |
//! | archived             | pending_moderation  | –       | –        | –       | –        |
//!
//! ¹ An active SKU stays on sale with its approved content while the new revision
//!   waits. ² Rejecting a revision of an active SKU keeps the approved content live.
//! ³ Only a moderator lifts a block, by approving after review.

use crate::Locale;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkuStatus {
    /// Created, never submitted.
    Draft,
    /// First content waits for a moderator; not visible to buyers.
    PendingModeration,
    /// Visible to buyers.
    Active,
    /// The moderator rejected the content; the seller fixes and resubmits.
    Rejected,
    /// Taken down by a moderator (counterfeit, prohibited goods).
    Blocked,
    /// Withdrawn by the seller.
    Archived,
}

/// A content revision's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevisionStatus {
    Pending,
    Approved,
    Rejected,
    /// A newer revision was submitted before this one was reviewed.
    Superseded,
}

/// What a seller or moderator does to a SKU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModerationAction {
    /// The seller submits (or resubmits) content for moderation.
    Submit,
    Approve,
    Reject,
    Block,
    Archive,
}

/// A transition the state machine does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a SKU that is {from}")]
pub struct TransitionError {
    pub from: SkuStatus,
    pub action: ModerationAction,
}

impl SkuStatus {
    pub const ALL: [SkuStatus; 6] = [
        SkuStatus::Draft,
        SkuStatus::PendingModeration,
        SkuStatus::Active,
        SkuStatus::Rejected,
        SkuStatus::Blocked,
        SkuStatus::Archived,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            SkuStatus::Draft => "draft",
            SkuStatus::PendingModeration => "pending_moderation",
            SkuStatus::Active => "active",
            SkuStatus::Rejected => "rejected",
            SkuStatus::Blocked => "blocked",
            SkuStatus::Archived => "archived",
        }
    }

    pub const fn label(self, locale: Locale) -> &'static str {
        match self {
            SkuStatus::Draft => locale.pick("Черновик", "Draft"),
            SkuStatus::PendingModeration => locale.pick("На модерации", "Pending moderation"),
            SkuStatus::Active => locale.pick("Активен", "Active"),
            SkuStatus::Rejected => locale.pick("Отклонён", "Rejected"),
            SkuStatus::Blocked => locale.pick("Заблокирован", "Blocked"),
            SkuStatus::Archived => locale.pick("В архиве", "Archived"),
        }
    }

    /// Whether buyers can see and order the SKU.
    pub const fn is_visible(self) -> bool {
        matches!(self, SkuStatus::Active)
    }

    /// The status after `action`, or why it is not allowed (see the module table).
    pub fn apply(self, action: ModerationAction) -> Result<SkuStatus, TransitionError> {
        use ModerationAction as A;
        use SkuStatus as S;
        let next = match (self, action) {
            (S::Draft | S::PendingModeration | S::Rejected | S::Archived, A::Submit) => {
                S::PendingModeration
            }
            (S::Active, A::Submit) => S::Active,
            (S::PendingModeration | S::Active | S::Blocked, A::Approve) => S::Active,
            (S::PendingModeration, A::Reject) => S::Rejected,
            (S::Active, A::Reject) => S::Active,
            (S::Draft | S::PendingModeration | S::Active | S::Rejected, A::Block) => S::Blocked,
            (
                S::Draft | S::PendingModeration | S::Active | S::Rejected | S::Blocked,
                A::Archive,
            ) => S::Archived,
            (from, action) => return Err(TransitionError { from, action }),
        };
        Ok(next)
    }
}

impl RevisionStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            RevisionStatus::Pending => "pending",
            RevisionStatus::Approved => "approved",
            RevisionStatus::Rejected => "rejected",
            RevisionStatus::Superseded => "superseded",
        }
    }

    pub const fn label(self, locale: Locale) -> &'static str {
        match self {
            RevisionStatus::Pending => locale.pick("Ожидает проверки", "Pending"),
            RevisionStatus::Approved => locale.pick("Одобрена", "Approved"),
            RevisionStatus::Rejected => locale.pick("Отклонена", "Rejected"),
            RevisionStatus::Superseded => locale.pick("Заменена новой", "Superseded"),
        }
    }

    /// Only pending revisions change: approve, reject, or supersede by a newer one.
    pub const fn can_become(self, next: RevisionStatus) -> bool {
        matches!(
            (self, next),
            (
                RevisionStatus::Pending,
                RevisionStatus::Approved | RevisionStatus::Rejected | RevisionStatus::Superseded
            )
        )
    }
}

impl ModerationAction {
    pub const ALL: [ModerationAction; 5] = [
        ModerationAction::Submit,
        ModerationAction::Approve,
        ModerationAction::Reject,
        ModerationAction::Block,
        ModerationAction::Archive,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ModerationAction::Submit => "submit",
            ModerationAction::Approve => "approve",
            ModerationAction::Reject => "reject",
            ModerationAction::Block => "block",
            ModerationAction::Archive => "archive",
        }
    }

    pub const fn label(self, locale: Locale) -> &'static str {
        match self {
            ModerationAction::Submit => {
                locale.pick("Отправить на модерацию", "Submit for moderation")
            }
            ModerationAction::Approve => locale.pick("Одобрить", "Approve"),
            ModerationAction::Reject => locale.pick("Отклонить", "Reject"),
            ModerationAction::Block => locale.pick("Заблокировать", "Block"),
            ModerationAction::Archive => locale.pick("В архив", "Archive"),
        }
    }

    /// Moderators approve, reject and block; sellers submit and archive.
    pub const fn is_moderator_action(self) -> bool {
        matches!(
            self,
            ModerationAction::Approve | ModerationAction::Reject | ModerationAction::Block
        )
    }
}

macro_rules! text_enum {
    ($t:ty, $all:expr) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $t {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $all.into_iter()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| format!("unknown {} {s:?}", stringify!($t)))
            }
        }
    };
}

text_enum!(SkuStatus, SkuStatus::ALL);
text_enum!(ModerationAction, ModerationAction::ALL);
text_enum!(
    RevisionStatus,
    [
        RevisionStatus::Pending,
        RevisionStatus::Approved,
        RevisionStatus::Rejected,
        RevisionStatus::Superseded
    ]
);

#[cfg(test)]
mod tests {
    use super::*;
    use ModerationAction as A;
    use SkuStatus as S;

    #[test]
    fn transition_table() {
        // (from, action, expected) for every pair; None = refused.
        let table: [(S, [Option<S>; 5]); 6] = [
            (
                S::Draft,
                [
                    Some(S::PendingModeration),
                    None,
                    None,
                    Some(S::Blocked),
                    Some(S::Archived),
                ],
            ),
            (
                S::PendingModeration,
                [
                    Some(S::PendingModeration),
                    Some(S::Active),
                    Some(S::Rejected),
                    Some(S::Blocked),
                    Some(S::Archived),
                ],
            ),
            (
                S::Active,
                [
                    Some(S::Active),
                    Some(S::Active),
                    Some(S::Active),
                    Some(S::Blocked),
                    Some(S::Archived),
                ],
            ),
            (
                S::Rejected,
                [
                    Some(S::PendingModeration),
                    None,
                    None,
                    Some(S::Blocked),
                    Some(S::Archived),
                ],
            ),
            (
                S::Blocked,
                [None, Some(S::Active), None, None, Some(S::Archived)],
            ),
            (
                S::Archived,
                [Some(S::PendingModeration), None, None, None, None],
            ),
        ];
        for (from, row) in table {
            for (action, want) in A::ALL.into_iter().zip(row) {
                assert_eq!(from.apply(action).ok(), want, "{from} + {action}");
            }
        }
    }

    #[test]
    fn a_blocked_sku_cannot_be_resubmitted_by_the_seller() {
        let err = S::Blocked.apply(A::Submit).unwrap_err();
        assert_eq!(err.to_string(), "cannot submit a SKU that is blocked");
    }

    #[test]
    fn only_pending_revisions_change() {
        use RevisionStatus as R;
        assert!(R::Pending.can_become(R::Approved));
        assert!(R::Pending.can_become(R::Superseded));
        assert!(!R::Approved.can_become(R::Rejected));
        assert!(!R::Rejected.can_become(R::Approved));
    }

    #[test]
    fn statuses_have_labels_and_round_trip_as_text() {
        for s in S::ALL {
            assert_eq!(s.as_str().parse::<S>(), Ok(s));
            assert_ne!(s.label(Locale::Ru), s.label(Locale::En));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
    }
}
