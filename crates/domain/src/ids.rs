//! Typed identifiers. A `SellerId` can never be passed where a `SkuId` is expected.
//!
//! Ids are UUIDs (v7, time-ordered, generated on the server). They are stored as
//! their canonical 36-character text so both database engines hold them the same way.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! typed_id {
    ($($(#[$meta:meta])* $name:ident),* $(,)?) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.as_hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

typed_id!(
    /// A user account (a person who logs in).
    UserId,
    /// A seller organisation.
    SellerId,
    /// A seller API key.
    ApiKeyId,
    /// A storefront channel (and its API key).
    ChannelId,
    /// A category of the catalog tree.
    CategoryId,
    /// A seller's SKU.
    SkuId,
    /// One content revision of a SKU.
    RevisionId,
    /// A CSV import job.
    ImportId,
    /// A stored image.
    ImageId,
    /// A moderation queue item.
    ModerationItemId,
    /// A buyer order (possibly spanning several sellers).
    OrderId,
    /// One seller's part of an order.
    ShipmentId,
    /// A ledger journal transaction.
    JournalId,
    /// A payout batch.
    PayoutBatchId,
    /// A single payout line inside a batch.
    PayoutId,
    /// A background job.
    JobId,
    /// A penalty applied to a seller.
    PenaltyId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text() {
        let raw = "0190f1e2-7a3b-7c4d-8e5f-0123456789ab";
        let id: SellerId = raw.parse().unwrap();
        assert_eq!(id.to_string(), raw);
    }

    #[test]
    fn ids_reject_garbage() {
        assert!("not-an-id".parse::<SkuId>().is_err());
    }
}
