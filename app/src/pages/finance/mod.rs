pub mod batch;
pub mod batches;
pub mod dashboard;
pub mod penalties;
pub mod sellers;
pub mod settings;

use domain::Locale;
use domain::payouts::{BatchStatus, ExclusionReason, PayoutLineStatus, PayoutPeriod};

/// A batch status as a badge class and a label.
pub fn batch_status(l: Locale, s: BatchStatus) -> (&'static str, &'static str) {
    match s {
        BatchStatus::Proposed => (
            "badge badge-warning",
            l.pick("На проверке", "Awaiting review"),
        ),
        BatchStatus::Approved => ("badge badge-info", l.pick("Утверждён", "Approved")),
        BatchStatus::Exported => (
            "badge badge-info",
            l.pick("Реестр выгружен", "Register exported"),
        ),
        BatchStatus::Closed => ("badge badge-success", l.pick("Закрыт", "Closed")),
        BatchStatus::Cancelled => ("badge badge-neutral", l.pick("Отменён", "Cancelled")),
    }
}

/// A payout line status as a badge class, a label and its detail (reason, reference).
pub fn line_status(l: Locale, s: &PayoutLineStatus) -> (&'static str, &'static str, String) {
    match s {
        PayoutLineStatus::Proposed => (
            "badge badge-warning",
            l.pick("Предложена", "Proposed"),
            String::new(),
        ),
        PayoutLineStatus::Excluded { reason } => (
            "badge badge-neutral",
            l.pick("Исключена", "Excluded"),
            match reason {
                ExclusionReason::MissingBankDetails => l
                    .pick("нет банковских реквизитов", "no bank details")
                    .to_string(),
                ExclusionReason::InsufficientFunds { .. } => l
                    .pick("недостаточно средств", "insufficient funds")
                    .to_string(),
                ExclusionReason::Manual { note } => note.clone(),
            },
        ),
        PayoutLineStatus::Held { reason } => (
            "badge badge-warning",
            l.pick("Задержана", "Held"),
            reason.clone(),
        ),
        PayoutLineStatus::Approved => (
            "badge badge-info",
            l.pick("Утверждена", "Approved"),
            String::new(),
        ),
        PayoutLineStatus::Paid { bank_reference } => (
            "badge badge-success",
            l.pick("Оплачена", "Paid"),
            bank_reference.clone(),
        ),
        PayoutLineStatus::Failed { reason } => (
            "badge badge-danger",
            l.pick("Не прошла", "Failed"),
            reason.clone(),
        ),
        PayoutLineStatus::Unresolved { note } => (
            "badge badge-danger",
            l.pick("Не выяснено", "Unresolved"),
            note.clone(),
        ),
    }
}

/// `2026-11-01 – 2026-11-07`.
pub fn period(p: &PayoutPeriod) -> String {
    format!("{} – {}", p.from, p.to)
}
