//! The simple movements: payouts, refunds paid by the provider, manual adjustments.

use super::LedgerError;
use super::account::{AccountRef, MarketplaceAccountKind, Shard};
use super::balances::Balances;
use super::journal::{JournalTransaction, References, TransactionKind, TxMeta};
use crate::ids::{OrderId, PayoutBatchId, PayoutId, SellerId};
use crate::money::Money;
use serde::{Deserialize, Serialize};

/// One payout as the ledger sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutMovement {
    pub payout_id: PayoutId,
    pub batch_id: PayoutBatchId,
    pub seller_id: SellerId,
    pub amount: Money,
}

impl PayoutMovement {
    fn references(&self) -> References {
        References {
            seller_id: Some(self.seller_id),
            payout_id: Some(self.payout_id),
            payout_batch_id: Some(self.batch_id),
            ..References::default()
        }
    }
}

/// Refuses a payout larger than what the seller may be paid now: `max(0, available)`.
/// The database calls this with balances read under the seller's row lock, in the
/// transaction that posts the reserve.
pub fn check_payout_within_available(
    amount: Money,
    balances: &Balances,
) -> Result<(), LedgerError> {
    if amount.amount_minor() <= 0 {
        return Err(LedgerError::NonPositiveAmount);
    }
    if amount.amount_minor() > balances.payable_minor() {
        return Err(LedgerError::InsufficientFunds {
            requested_minor: amount.amount_minor(),
            available_minor: balances.available_minor,
        });
    }
    Ok(())
}

/// Approval: seller available → seller payout_reserved, only within the payable amount.
pub fn payout_reserve_transaction(
    meta: TxMeta,
    payout: &PayoutMovement,
    balances_at_approval: &Balances,
) -> Result<JournalTransaction, LedgerError> {
    check_payout_within_available(payout.amount, balances_at_approval)?;
    let currency = payout.amount.currency();
    JournalTransaction::builder(meta, TransactionKind::PayoutReserve)
        .references(payout.references())
        .memo(format!("payout {} reserved", payout.payout_id))
        .transfer(
            AccountRef::available(payout.seller_id, currency),
            AccountRef::payout_reserved(payout.seller_id, currency),
            payout.amount,
        )
        .build()
}

/// The bank confirmed: seller payout_reserved → payouts_clearing.
pub fn payout_paid_transaction(
    meta: TxMeta,
    payout: &PayoutMovement,
) -> Result<JournalTransaction, LedgerError> {
    if payout.amount.amount_minor() <= 0 {
        return Err(LedgerError::NonPositiveAmount);
    }
    let currency = payout.amount.currency();
    let shard = Shard::for_key(meta.idempotency_key.as_str());
    JournalTransaction::builder(meta, TransactionKind::PayoutPaid)
        .references(payout.references())
        .memo(format!("payout {} paid", payout.payout_id))
        .transfer(
            AccountRef::payout_reserved(payout.seller_id, currency),
            AccountRef::marketplace(MarketplaceAccountKind::PayoutsClearing, currency, shard),
            payout.amount,
        )
        .build()
}

/// The bank rejected: seller payout_reserved → seller available.
pub fn payout_failed_transaction(
    meta: TxMeta,
    payout: &PayoutMovement,
) -> Result<JournalTransaction, LedgerError> {
    if payout.amount.amount_minor() <= 0 {
        return Err(LedgerError::NonPositiveAmount);
    }
    let currency = payout.amount.currency();
    JournalTransaction::builder(meta, TransactionKind::PayoutFailed)
        .references(payout.references())
        .memo(format!("payout {} failed", payout.payout_id))
        .transfer(
            AccountRef::payout_reserved(payout.seller_id, currency),
            AccountRef::available(payout.seller_id, currency),
            payout.amount,
        )
        .build()
}

/// The provider paid a refund out to the buyer: refunds_payable → provider_clearing.
pub fn refund_paid_transaction(
    meta: TxMeta,
    order_id: OrderId,
    amount: Money,
) -> Result<JournalTransaction, LedgerError> {
    if amount.amount_minor() <= 0 {
        return Err(LedgerError::NonPositiveAmount);
    }
    let currency = amount.currency();
    let shard = Shard::for_key(meta.idempotency_key.as_str());
    JournalTransaction::builder(meta, TransactionKind::RefundPaid)
        .references(References {
            order_id: Some(order_id),
            ..References::default()
        })
        .memo(format!("refund paid for order {order_id}"))
        .transfer(
            AccountRef::marketplace(MarketplaceAccountKind::RefundsPayable, currency, shard),
            AccountRef::marketplace(MarketplaceAccountKind::ProviderClearing, currency, shard),
            amount,
        )
        .build()
}

/// A manual correction by finance staff: any balanced postings, with a memo saying why.
pub fn adjustment_transaction(
    meta: TxMeta,
    references: References,
    memo: &str,
    postings: &[(AccountRef, Money)],
) -> Result<JournalTransaction, LedgerError> {
    if memo.trim().is_empty() {
        return Err(LedgerError::MemoRequired("an adjustment"));
    }
    let mut builder = JournalTransaction::builder(meta, TransactionKind::Adjustment)
        .references(References {
            reverses: None,
            ..references
        })
        .memo(memo.trim());
    for (account, amount) in postings {
        builder = builder.post(*account, *amount);
    }
    builder.build()
}
