//! Ledger accounts and their stable text keys.

use super::LedgerError;
use crate::ids::SellerId;
use crate::money::Currency;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// How many balance rows each marketplace account is spread over.
///
/// Every settlement touches the marketplace accounts; one row per account would make
/// every writer wait for the previous one. With 16 shards concurrent transactions
/// mostly update different rows, and the logical balance is the sum over shards.
pub const MARKETPLACE_SHARDS: u8 = 16;

/// One of the [`MARKETPLACE_SHARDS`] balance rows of a marketplace account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Shard(u8);

impl Shard {
    pub fn new(number: u8) -> Result<Self, LedgerError> {
        if number >= MARKETPLACE_SHARDS {
            return Err(LedgerError::InvalidShard(u32::from(number)));
        }
        Ok(Self(number))
    }

    /// The shard for a transaction, chosen from its idempotency key so a retried
    /// request lands on the same rows it would have touched the first time.
    pub fn for_key(key: &str) -> Self {
        let hash = xxhash_rust::xxh3::xxh3_64(key.as_bytes());
        Self((hash % u64::from(MARKETPLACE_SHARDS)) as u8)
    }

    pub const fn number(self) -> u8 {
        self.0
    }

    /// All shards, for summing a logical balance.
    pub fn all() -> impl Iterator<Item = Shard> {
        (0..MARKETPLACE_SHARDS).map(Shard)
    }
}

impl TryFrom<u8> for Shard {
    type Error = LedgerError;
    fn try_from(value: u8) -> Result<Self, Self::Error> {
        Shard::new(value)
    }
}

impl From<Shard> for u8 {
    fn from(value: Shard) -> Self {
        value.0
    }
}

/// The three accounts every seller has per currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SellerAccountKind {
    /// Released funds the seller may be paid; negative means the seller owes (debt).
    Available,
    /// Captured funds waiting for delivery and the return window.
    Held,
    /// Funds set aside for an approved payout until the bank confirms or rejects it.
    PayoutReserved,
}

impl SellerAccountKind {
    pub const ALL: [SellerAccountKind; 3] = [
        SellerAccountKind::Available,
        SellerAccountKind::Held,
        SellerAccountKind::PayoutReserved,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            SellerAccountKind::Available => "available",
            SellerAccountKind::Held => "held",
            SellerAccountKind::PayoutReserved => "payout_reserved",
        }
    }
}

/// The marketplace's own accounts per currency (each split into shards).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarketplaceAccountKind {
    /// Money the payment provider holds for us; an asset, so its balance is negative.
    ProviderClearing,
    /// Commission earned; positive.
    CommissionRevenue,
    /// Penalties charged to sellers; positive.
    PenaltyRevenue,
    /// Refunds owed to buyers until the provider pays them out; positive.
    RefundsPayable,
    /// Money the card networks took back through chargebacks; positive.
    Chargebacks,
    /// Money sent to sellers' banks, to be reconciled with bank statements; positive.
    PayoutsClearing,
}

impl MarketplaceAccountKind {
    pub const ALL: [MarketplaceAccountKind; 6] = [
        MarketplaceAccountKind::ProviderClearing,
        MarketplaceAccountKind::CommissionRevenue,
        MarketplaceAccountKind::PenaltyRevenue,
        MarketplaceAccountKind::RefundsPayable,
        MarketplaceAccountKind::Chargebacks,
        MarketplaceAccountKind::PayoutsClearing,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            MarketplaceAccountKind::ProviderClearing => "provider_clearing",
            MarketplaceAccountKind::CommissionRevenue => "commission_revenue",
            MarketplaceAccountKind::PenaltyRevenue => "penalty_revenue",
            MarketplaceAccountKind::RefundsPayable => "refunds_payable",
            MarketplaceAccountKind::Chargebacks => "chargebacks",
            MarketplaceAccountKind::PayoutsClearing => "payouts_clearing",
        }
    }
}

/// A ledger account. Its [`key`](AccountRef::key) is stable text usable as a database key:
/// `seller:<uuid>:held:RUB` or `mkt:commission_revenue:RUB:3`.
///
/// Accounts order by their key (byte-wise), and postings inside a transaction are kept
/// in that order: the database locks balance rows in posting order, which is one fixed
/// order for every writer and so cannot deadlock. (On PostgreSQL, compare keys with
/// `COLLATE "C"` to get the same byte-wise order.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum AccountRef {
    Seller {
        seller_id: SellerId,
        kind: SellerAccountKind,
        currency: Currency,
    },
    Marketplace {
        kind: MarketplaceAccountKind,
        currency: Currency,
        shard: Shard,
    },
}

impl AccountRef {
    pub const fn seller(seller_id: SellerId, kind: SellerAccountKind, currency: Currency) -> Self {
        AccountRef::Seller {
            seller_id,
            kind,
            currency,
        }
    }

    pub const fn held(seller_id: SellerId, currency: Currency) -> Self {
        Self::seller(seller_id, SellerAccountKind::Held, currency)
    }

    pub const fn available(seller_id: SellerId, currency: Currency) -> Self {
        Self::seller(seller_id, SellerAccountKind::Available, currency)
    }

    pub const fn payout_reserved(seller_id: SellerId, currency: Currency) -> Self {
        Self::seller(seller_id, SellerAccountKind::PayoutReserved, currency)
    }

    pub const fn marketplace(
        kind: MarketplaceAccountKind,
        currency: Currency,
        shard: Shard,
    ) -> Self {
        AccountRef::Marketplace {
            kind,
            currency,
            shard,
        }
    }

    pub const fn currency(&self) -> Currency {
        match self {
            AccountRef::Seller { currency, .. } | AccountRef::Marketplace { currency, .. } => {
                *currency
            }
        }
    }

    pub const fn seller_id(&self) -> Option<SellerId> {
        match self {
            AccountRef::Seller { seller_id, .. } => Some(*seller_id),
            AccountRef::Marketplace { .. } => None,
        }
    }

    /// The stable text key.
    pub fn key(&self) -> String {
        match self {
            AccountRef::Seller {
                seller_id,
                kind,
                currency,
            } => format!("seller:{seller_id}:{}:{}", kind.as_str(), currency.code()),
            AccountRef::Marketplace {
                kind,
                currency,
                shard,
            } => format!(
                "mkt:{}:{}:{}",
                kind.as_str(),
                currency.code(),
                shard.number()
            ),
        }
    }

    /// Parses a key produced by [`AccountRef::key`]; anything else is refused.
    pub fn parse_key(key: &str) -> Result<Self, LedgerError> {
        let invalid = || LedgerError::InvalidAccountKey(key.to_string());
        let parts: Vec<&str> = key.split(':').collect();
        let currency = |code: &str| -> Result<Currency, LedgerError> {
            // Only the exact upper-case code: the key must round-trip byte for byte.
            Currency::ALL
                .into_iter()
                .find(|c| c.code() == code)
                .ok_or_else(invalid)
        };
        match parts.as_slice() {
            ["seller", id, kind, code] => {
                let seller_id: SellerId = id.parse().map_err(|_| invalid())?;
                let kind = SellerAccountKind::ALL
                    .into_iter()
                    .find(|k| k.as_str() == *kind)
                    .ok_or_else(invalid)?;
                let account = AccountRef::seller(seller_id, kind, currency(code)?);
                // Refuses upper-case or braced uuids, which would not round-trip.
                if account.key() != key {
                    return Err(invalid());
                }
                Ok(account)
            }
            ["mkt", kind, code, shard] => {
                let kind = MarketplaceAccountKind::ALL
                    .into_iter()
                    .find(|k| k.as_str() == *kind)
                    .ok_or_else(invalid)?;
                let number: u8 = shard.parse().map_err(|_| invalid())?;
                let account = AccountRef::marketplace(kind, currency(code)?, Shard::new(number)?);
                if account.key() != key {
                    return Err(invalid());
                }
                Ok(account)
            }
            _ => Err(invalid()),
        }
    }
}

impl Ord for AccountRef {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl PartialOrd for AccountRef {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for AccountRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

impl FromStr for AccountRef {
    type Err = LedgerError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AccountRef::parse_key(s)
    }
}

impl TryFrom<String> for AccountRef {
    type Error = LedgerError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        AccountRef::parse_key(&value)
    }
}

impl From<AccountRef> for String {
    fn from(value: AccountRef) -> Self {
        value.key()
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::type_complexity,
    reason = "tests: a failed unwrap is a failed test, and scenario tables are tuples"
)]
mod tests {
    use super::*;

    fn seller() -> SellerId {
        "0190f1e2-7a3b-7c4d-8e5f-0123456789ab".parse().unwrap()
    }

    #[test]
    fn account_keys_are_stable_text() {
        assert_eq!(
            AccountRef::held(seller(), Currency::Rub).key(),
            "seller:0190f1e2-7a3b-7c4d-8e5f-0123456789ab:held:RUB"
        );
        let shard = Shard::new(3).unwrap();
        assert_eq!(
            AccountRef::marketplace(
                MarketplaceAccountKind::CommissionRevenue,
                Currency::Rub,
                shard
            )
            .key(),
            "mkt:commission_revenue:RUB:3"
        );
    }

    #[test]
    fn every_account_key_round_trips() {
        for currency in Currency::ALL {
            for kind in SellerAccountKind::ALL {
                let a = AccountRef::seller(seller(), kind, currency);
                assert_eq!(AccountRef::parse_key(&a.key()), Ok(a));
            }
            for kind in MarketplaceAccountKind::ALL {
                for shard in Shard::all() {
                    let a = AccountRef::marketplace(kind, currency, shard);
                    assert_eq!(AccountRef::parse_key(&a.key()), Ok(a));
                }
            }
        }
    }

    #[test]
    fn malformed_account_keys_are_refused() {
        for bad in [
            "",
            "seller",
            "seller:not-a-uuid:held:RUB",
            "seller:0190F1E2-7A3B-7C4D-8E5F-0123456789AB:held:RUB",
            "seller:0190f1e2-7a3b-7c4d-8e5f-0123456789ab:cash:RUB",
            "seller:0190f1e2-7a3b-7c4d-8e5f-0123456789ab:held:rub",
            "mkt:commission_revenue:RUB:16",
            "mkt:commission_revenue:RUB:03",
            "mkt:tips:RUB:1",
            "mkt:commission_revenue:RUB",
        ] {
            assert!(
                AccountRef::parse_key(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn shard_is_deterministic_and_in_range() {
        assert_eq!(
            Shard::for_key("capture:order-1"),
            Shard::for_key("capture:order-1")
        );
        let distinct: std::collections::BTreeSet<u8> = (0..200)
            .map(|i| Shard::for_key(&format!("k{i}")).number())
            .collect();
        assert!(distinct.iter().all(|n| *n < MARKETPLACE_SHARDS));
        // Keys spread over many shards, which is the point of sharding.
        assert!(distinct.len() > 8);
    }

    #[test]
    fn accounts_order_by_key_for_lock_ordering() {
        let held = AccountRef::held(seller(), Currency::Rub);
        let available = AccountRef::available(seller(), Currency::Rub);
        let mkt = AccountRef::marketplace(
            MarketplaceAccountKind::ProviderClearing,
            Currency::Rub,
            Shard::new(0).unwrap(),
        );
        let mut v = vec![held, mkt, available];
        v.sort();
        assert_eq!(v, vec![mkt, available, held]);
    }
}
