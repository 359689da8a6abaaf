//! Proposing a payout batch from sellers' balances.

use super::batch::{ExclusionReason, PayoutLineStatus};
use super::schedule::PayoutSchedule;
use crate::ids::SellerId;
use crate::ledger::Balances;
use crate::money::{Currency, Money};
use serde::{Deserialize, Serialize};

/// One seller's situation in one currency when a batch is proposed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutCandidate {
    pub seller_id: SellerId,
    pub currency: Currency,
    pub balances: Balances,
    /// Set while risk or finance keep the seller's payouts on hold.
    pub payout_hold_reason: Option<String>,
    pub has_bank_details: bool,
}

/// A line of a proposed batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposedLine {
    pub seller_id: SellerId,
    pub amount: Money,
    pub status: PayoutLineStatus,
}

/// Proposes payout lines, per currency (one batch per currency), in seller id order.
///
/// The amount is what the seller may be paid: `max(0, available)`; a seller in debt
/// has nothing to pay (the debt is repaid by later releases into the same balance).
/// Sellers with nothing payable, or less than the currency's minimum, get no line.
/// A seller on payout hold gets a `held` line, one without bank details an `excluded`
/// line, so finance sees why they are not paid; everyone else a `proposed` line.
pub fn propose_payouts(
    schedule: &PayoutSchedule,
    candidates: &[PayoutCandidate],
) -> Vec<(Currency, Vec<ProposedLine>)> {
    let mut per_currency: Vec<(Currency, Vec<ProposedLine>)> = Vec::new();
    let mut sorted: Vec<&PayoutCandidate> = candidates.iter().collect();
    sorted.sort_by_key(|c| (c.currency, c.seller_id));
    for candidate in sorted {
        let payable_minor = candidate.balances.payable_minor();
        if payable_minor <= 0 || payable_minor < schedule.minimum_minor(candidate.currency) {
            continue;
        }
        let status = if let Some(reason) = candidate
            .payout_hold_reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            PayoutLineStatus::Held {
                reason: reason.to_string(),
            }
        } else if !candidate.has_bank_details {
            PayoutLineStatus::Excluded {
                reason: ExclusionReason::MissingBankDetails,
            }
        } else {
            PayoutLineStatus::Proposed
        };
        let line = ProposedLine {
            seller_id: candidate.seller_id,
            amount: Money::from_minor(payable_minor, candidate.currency),
            status,
        };
        match per_currency
            .iter_mut()
            .find(|(c, _)| *c == candidate.currency)
        {
            Some((_, lines)) => lines.push(line),
            None => per_currency.push((candidate.currency, vec![line])),
        }
    }
    per_currency
}
