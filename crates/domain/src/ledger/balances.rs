//! Balances: the read model the database keeps beside the postings.
//!
//! Every balance is the sum of its account's postings. The database updates balance
//! rows in the same transaction as it inserts postings (with [`LedgerBalances::apply`]
//! semantics), and `ledger verify` recomputes them from the postings
//! ([`LedgerBalances::recompute`]) and reports differences ([`LedgerBalances::diff`]).

use super::LedgerError;
use super::account::{AccountRef, MarketplaceAccountKind, SellerAccountKind};
use super::journal::{JournalTransaction, Posting};
use crate::ids::SellerId;
use crate::money::Currency;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One seller's balances in one currency. Positive = the marketplace owes the seller.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balances {
    pub held_minor: i64,
    pub available_minor: i64,
    pub payout_reserved_minor: i64,
}

impl Balances {
    /// What may be paid out: `max(0, available)`.
    pub const fn payable_minor(&self) -> i64 {
        if self.available_minor > 0 {
            self.available_minor
        } else {
            0
        }
    }

    /// What the seller owes the marketplace: `max(0, −available)`.
    pub const fn debt_minor(&self) -> i64 {
        if self.available_minor < 0 {
            self.available_minor.saturating_neg()
        } else {
            0
        }
    }

    /// Adds one posting to the seller account it belongs to. Returns `false` (and
    /// changes nothing) for a posting to another seller, currency or a marketplace
    /// account, so a transaction's postings can be applied to every touched seller.
    pub fn apply_posting(
        &mut self,
        seller_id: SellerId,
        currency: Currency,
        posting: &Posting,
    ) -> Result<bool, LedgerError> {
        let AccountRef::Seller {
            seller_id: account_seller,
            kind,
            currency: account_currency,
        } = posting.account()
        else {
            return Ok(false);
        };
        if account_seller != seller_id || account_currency != currency {
            return Ok(false);
        }
        let slot = match kind {
            SellerAccountKind::Held => &mut self.held_minor,
            SellerAccountKind::Available => &mut self.available_minor,
            SellerAccountKind::PayoutReserved => &mut self.payout_reserved_minor,
        };
        *slot = slot
            .checked_add(posting.amount_minor())
            .ok_or(LedgerError::Overflow)?;
        Ok(true)
    }
}

/// Every account's balance (marketplace accounts per shard).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerBalances {
    accounts: BTreeMap<AccountRef, i64>,
}

/// An account whose stored balance differs from the sum of its postings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceMismatch {
    pub account: AccountRef,
    pub expected_minor: i64,
    pub actual_minor: i64,
}

impl LedgerBalances {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts from stored balance rows (e.g. to verify them).
    pub fn from_rows(
        rows: impl IntoIterator<Item = (AccountRef, i64)>,
    ) -> Result<Self, LedgerError> {
        let mut accounts = BTreeMap::new();
        for (account, balance) in rows {
            let entry: &mut i64 = accounts.entry(account).or_insert(0);
            *entry = entry.checked_add(balance).ok_or(LedgerError::Overflow)?;
        }
        Ok(Self { accounts })
    }

    /// Applies all postings of a transaction, or none of them if one would overflow.
    pub fn apply(&mut self, tx: &JournalTransaction) -> Result<(), LedgerError> {
        let mut updated = Vec::with_capacity(tx.postings().len());
        for posting in tx.postings() {
            let current = self.balance(&posting.account());
            let next = current
                .checked_add(posting.amount_minor())
                .ok_or(LedgerError::Overflow)?;
            updated.push((posting.account(), next));
        }
        self.accounts.extend(updated);
        Ok(())
    }

    /// The balances implied by a sequence of transactions.
    pub fn recompute<'a>(
        transactions: impl IntoIterator<Item = &'a JournalTransaction>,
    ) -> Result<Self, LedgerError> {
        let mut balances = Self::new();
        for tx in transactions {
            balances.apply(tx)?;
        }
        Ok(balances)
    }

    pub fn balance(&self, account: &AccountRef) -> i64 {
        self.accounts.get(account).copied().unwrap_or(0)
    }

    pub fn accounts(&self) -> impl Iterator<Item = (&AccountRef, &i64)> {
        self.accounts.iter()
    }

    pub fn seller(&self, seller_id: SellerId, currency: Currency) -> Balances {
        Balances {
            held_minor: self.balance(&AccountRef::held(seller_id, currency)),
            available_minor: self.balance(&AccountRef::available(seller_id, currency)),
            payout_reserved_minor: self.balance(&AccountRef::payout_reserved(seller_id, currency)),
        }
    }

    /// A marketplace account's logical balance: the sum over its shards.
    pub fn marketplace(&self, kind: MarketplaceAccountKind, currency: Currency) -> i128 {
        self.accounts
            .iter()
            .filter(|(account, _)| {
                matches!(account, AccountRef::Marketplace { kind: k, currency: c, .. } if *k == kind && *c == currency)
            })
            .map(|(_, balance)| i128::from(*balance))
            .sum()
    }

    /// The sum of all accounts per currency; zero for every currency in a sound ledger.
    pub fn sum_by_currency(&self) -> BTreeMap<Currency, i128> {
        let mut sums = BTreeMap::new();
        for (account, balance) in &self.accounts {
            *sums.entry(account.currency()).or_insert(0) += i128::from(*balance);
        }
        sums
    }

    /// Accounts where `self` (expected, e.g. recomputed from postings) and `actual`
    /// (e.g. the stored rows) disagree, in account order. Zero and absent are equal.
    pub fn diff(&self, actual: &LedgerBalances) -> Vec<BalanceMismatch> {
        let mut keys: Vec<&AccountRef> =
            self.accounts.keys().chain(actual.accounts.keys()).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .filter_map(|account| {
                let expected_minor = self.balance(account);
                let actual_minor = actual.balance(account);
                (expected_minor != actual_minor).then_some(BalanceMismatch {
                    account: *account,
                    expected_minor,
                    actual_minor,
                })
            })
            .collect()
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

    #[test]
    fn payable_is_never_negative_and_debt_is_the_negative_part() {
        let b = |available_minor| Balances {
            available_minor,
            ..Balances::default()
        };
        assert_eq!(b(1_500).payable_minor(), 1_500);
        assert_eq!(b(1_500).debt_minor(), 0);
        assert_eq!(b(-700).payable_minor(), 0);
        assert_eq!(b(-700).debt_minor(), 700);
        assert_eq!(b(0).payable_minor(), 0);
    }
}
