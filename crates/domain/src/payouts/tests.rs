//! Scenario tables for payout proposals, batch and line state machines, the register.

use super::*;
use crate::ids::{PayoutId, SellerId, UserId};
use crate::ledger::Balances;
use crate::money::{Currency, Money};
use chrono::{NaiveDate, Weekday};
use std::collections::BTreeMap;
use uuid::Uuid;

fn seller(n: u128) -> SellerId {
    SellerId::from_uuid(Uuid::from_u128(n))
}
fn user(n: u128) -> UserId {
    UserId::from_uuid(Uuid::from_u128(n))
}
fn rub(minor: i64) -> Money {
    Money::from_minor(minor, Currency::Rub)
}
fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}
fn weekly() -> PayoutSchedule {
    PayoutSchedule::new(
        PayoutFrequency::Weekly {
            weekday: Weekday::Mon,
        },
        BTreeMap::from([(Currency::Rub, 100_000)]),
    )
    .unwrap()
}

#[test]
fn schedules_say_when_a_run_is_due_and_what_it_covers() {
    let s = weekly();
    assert!(s.is_due(date(2026, 3, 9)));
    assert!(!s.is_due(date(2026, 3, 10)));
    assert_eq!(
        s.period_for(date(2026, 3, 9)),
        PayoutPeriod {
            from: date(2026, 3, 2),
            to: date(2026, 3, 8)
        }
    );
    let daily = PayoutSchedule::new(PayoutFrequency::Daily, BTreeMap::new()).unwrap();
    assert!(daily.is_due(date(2026, 3, 10)));
    assert_eq!(daily.period_for(date(2026, 3, 1)).from, date(2026, 2, 28));
    assert_eq!(daily.minimum_minor(Currency::Usd), 0);
    assert!(
        PayoutSchedule::new(
            PayoutFrequency::Daily,
            BTreeMap::from([(Currency::Rub, -1)])
        )
        .is_err()
    );
}

#[test]
fn proposal_pays_available_skips_small_amounts_and_debts_and_explains_the_rest() {
    let candidate = |n: u128, available_minor: i64| PayoutCandidate {
        seller_id: seller(n),
        currency: Currency::Rub,
        balances: Balances {
            held_minor: 5_000_000,
            available_minor,
            payout_reserved_minor: 0,
        },
        payout_hold_reason: None,
        has_bank_details: true,
    };
    let candidates = vec![
        candidate(5, 250_000),
        candidate(1, 99_999),  // under the 1 000 ₽ minimum: no line
        candidate(2, -50_000), // in debt: no line
        candidate(3, 0),
        PayoutCandidate {
            payout_hold_reason: Some("risk review".into()),
            ..candidate(4, 300_000)
        },
        PayoutCandidate {
            has_bank_details: false,
            ..candidate(6, 100_000)
        },
        PayoutCandidate {
            currency: Currency::Usd,
            ..candidate(7, 1)
        },
    ];
    let proposal = propose_payouts(&weekly(), &candidates);
    assert_eq!(proposal.len(), 2);
    let (currency, lines) = &proposal[0];
    assert_eq!(*currency, Currency::Rub);
    let got: Vec<(SellerId, i64, LineStatusKind)> = lines
        .iter()
        .map(|l| (l.seller_id, l.amount.amount_minor(), l.status.kind()))
        .collect();
    assert_eq!(
        got,
        vec![
            (seller(4), 300_000, LineStatusKind::Held),
            (seller(5), 250_000, LineStatusKind::Proposed),
            (seller(6), 100_000, LineStatusKind::Excluded),
        ]
    );
    assert_eq!(proposal[1].0, Currency::Usd);
    assert_eq!(proposal[1].1[0].amount, Money::from_minor(1, Currency::Usd));
}

#[test]
fn line_state_machine_table() {
    use BatchStatus as B;
    use LedgerEffect as E;
    use LineStatusKind as K;
    let paid = || LineAction::MarkPaid {
        bank_reference: "PP-123".into(),
    };
    let failed = || LineAction::MarkFailed {
        reason: "account closed".into(),
    };
    let unresolved = || LineAction::MarkUnresolved {
        note: "bank timeout".into(),
    };
    let exclude = || LineAction::Exclude {
        reason: ExclusionReason::Manual {
            note: "duplicate".into(),
        },
    };
    let hold = || LineAction::Hold {
        reason: "review".into(),
    };
    let status = |k: K| match k {
        K::Proposed => PayoutLineStatus::Proposed,
        K::Excluded => PayoutLineStatus::Excluded {
            reason: ExclusionReason::MissingBankDetails,
        },
        K::Held => PayoutLineStatus::Held { reason: "r".into() },
        K::Approved => PayoutLineStatus::Approved,
        K::Paid => PayoutLineStatus::Paid {
            bank_reference: "PP-1".into(),
        },
        K::Failed => PayoutLineStatus::Failed { reason: "r".into() },
        K::Unresolved => PayoutLineStatus::Unresolved { note: "n".into() },
    };
    // (batch, line, action, expected)
    let cases: Vec<(B, K, LineAction, Option<(K, E)>)> = vec![
        (
            B::Proposed,
            K::Proposed,
            LineAction::Approve,
            Some((K::Approved, E::Reserve)),
        ),
        (
            B::Proposed,
            K::Proposed,
            exclude(),
            Some((K::Excluded, E::None)),
        ),
        (B::Proposed, K::Proposed, hold(), Some((K::Held, E::None))),
        (
            B::Proposed,
            K::Held,
            LineAction::Release,
            Some((K::Proposed, E::None)),
        ),
        (
            B::Proposed,
            K::Held,
            exclude(),
            Some((K::Excluded, E::None)),
        ),
        (B::Proposed, K::Held, LineAction::Approve, None),
        (B::Proposed, K::Excluded, LineAction::Approve, None),
        (B::Approved, K::Approved, paid(), None),
        (B::Exported, K::Approved, paid(), Some((K::Paid, E::Paid))),
        (
            B::Exported,
            K::Approved,
            failed(),
            Some((K::Failed, E::ReturnToAvailable)),
        ),
        (
            B::Exported,
            K::Approved,
            unresolved(),
            Some((K::Unresolved, E::None)),
        ),
        (B::Exported, K::Unresolved, paid(), Some((K::Paid, E::Paid))),
        (
            B::Exported,
            K::Unresolved,
            failed(),
            Some((K::Failed, E::ReturnToAvailable)),
        ),
        (B::Exported, K::Unresolved, unresolved(), None),
        // Never paid twice, never failed after paid, never revived after failing.
        (B::Exported, K::Paid, paid(), None),
        (B::Exported, K::Paid, failed(), None),
        (B::Exported, K::Failed, paid(), None),
        (B::Exported, K::Approved, exclude(), None),
        (B::Closed, K::Unresolved, paid(), None),
    ];
    for (batch, from, action, expected) in cases {
        let label = format!("{batch:?} {from:?} {action:?}");
        let got = apply_line_action(batch, &status(from), action).map(|(s, e)| (s.kind(), e));
        match expected {
            Some(expected) => assert_eq!(got, Ok(expected), "{label}"),
            None => assert!(
                matches!(got, Err(PayoutError::InvalidLineTransition { .. })),
                "{label} should be refused, got {got:?}"
            ),
        }
    }
    assert_eq!(
        apply_line_action(
            B::Exported,
            &PayoutLineStatus::Approved,
            LineAction::MarkPaid {
                bank_reference: " ".into()
            }
        ),
        Err(PayoutError::Required {
            field: "bank_reference"
        })
    );
}

#[test]
fn four_eyes_rule_applies_above_the_threshold() {
    let policy = ApprovalPolicy {
        four_eyes_threshold: rub(100_000_000),
    };
    let batch = |total_minor| BatchSummary {
        status: BatchStatus::Proposed,
        currency: Currency::Rub,
        total_minor,
        prepared_by: user(1),
    };
    assert_eq!(
        approve_batch(&batch(100_000_000), user(1), &policy),
        Ok(BatchStatus::Approved)
    );
    assert_eq!(
        approve_batch(&batch(100_000_001), user(1), &policy),
        Err(PayoutError::FourEyesRequired)
    );
    assert_eq!(
        approve_batch(&batch(100_000_001), user(2), &policy),
        Ok(BatchStatus::Approved)
    );
    let approved = BatchSummary {
        status: BatchStatus::Approved,
        ..batch(1)
    };
    assert!(matches!(
        approve_batch(&approved, user(2), &policy),
        Err(PayoutError::InvalidBatchTransition { .. })
    ));
}

#[test]
fn batch_state_machine() {
    assert_eq!(
        export_batch(BatchStatus::Approved),
        Ok(BatchStatus::Exported)
    );
    assert!(export_batch(BatchStatus::Proposed).is_err());
    assert_eq!(
        cancel_batch(BatchStatus::Proposed),
        Ok(BatchStatus::Cancelled)
    );
    assert!(cancel_batch(BatchStatus::Approved).is_err());
    let settled = [
        PayoutLineStatus::Paid {
            bank_reference: "1".into(),
        },
        PayoutLineStatus::Failed { reason: "x".into() },
        PayoutLineStatus::Held { reason: "x".into() },
    ];
    assert_eq!(
        close_batch(BatchStatus::Exported, &settled),
        Ok(BatchStatus::Closed)
    );
    let open = [
        PayoutLineStatus::Paid {
            bank_reference: "1".into(),
        },
        PayoutLineStatus::Unresolved { note: "?".into() },
    ];
    assert_eq!(
        close_batch(BatchStatus::Exported, &open),
        Err(PayoutError::OpenLines { open_lines: 1 })
    );
    assert!(close_batch(BatchStatus::Approved, &settled).is_err());
}

#[test]
fn approval_excludes_a_line_the_balance_no_longer_covers() {
    let balances = Balances {
        held_minor: 0,
        available_minor: 40_000,
        payout_reserved_minor: 0,
    };
    assert_eq!(approval_action(rub(40_000), &balances), LineAction::Approve);
    assert_eq!(
        approval_action(rub(40_001), &balances),
        LineAction::Exclude {
            reason: ExclusionReason::InsufficientFunds {
                available_minor: 40_000
            }
        }
    );
}

fn bank() -> BankDetails {
    BankDetails {
        account_number: "40702810900000000001".into(),
        bik: "044525225".into(),
        correspondent_account: "30101810400000000225".into(),
        bank_name: "ПАО Сбербанк".into(),
    }
}

#[test]
fn register_csv_has_one_row_per_line_with_russian_purpose() {
    let period = PayoutPeriod {
        from: date(2026, 3, 2),
        to: date(2026, 3, 8),
    };
    let rows = vec![
        RegisterRow {
            payout_id: PayoutId::from_uuid(Uuid::from_u128(1)),
            seller_name: "ООО \"Ромашка\"".into(),
            inn: "7707083893".into(),
            bank: bank(),
            amount: rub(129_990),
        },
        RegisterRow {
            payout_id: PayoutId::from_uuid(Uuid::from_u128(2)),
            seller_name: "=HYPERLINK(\"http://evil\")".into(),
            inn: "500100732259".into(),
            bank: BankDetails {
                bank_name: "@SUM(A1)".into(),
                ..bank()
            },
            amount: rub(5),
        },
    ];
    let csv = export_register_csv(&rows, &period).unwrap();
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(lines.len(), 4, "header, two rows, trailing empty: {csv}");
    assert!(lines[0].starts_with("№;Получатель;ИНН;"));
    assert_eq!(
        lines[1],
        "1;\"ООО \"\"Ромашка\"\"\";7707083893;40702810900000000001;044525225;30101810400000000225;ПАО Сбербанк;1299,90;RUB;\
         Выплата по договору оферты за период с 02.03.2026 по 08.03.2026;00000000-0000-0000-0000-000000000001"
    );
    assert!(lines[2].starts_with("2;\"'=HYPERLINK(\"\"http://evil\"\")\";500100732259;"));
    assert!(lines[2].contains(";'@SUM(A1);0,05;RUB;"));
    let cp1251 = encode_windows_1251(&csv);
    assert_eq!(encoding_rs::WINDOWS_1251.decode(&cp1251).0, csv);
}

#[test]
fn register_refuses_empty_mixed_or_non_positive_rows() {
    let period = PayoutPeriod {
        from: date(2026, 3, 2),
        to: date(2026, 3, 8),
    };
    let row = |amount| RegisterRow {
        payout_id: PayoutId::from_uuid(Uuid::from_u128(1)),
        seller_name: "ИП Иванов".into(),
        inn: "500100732259".into(),
        bank: bank(),
        amount,
    };
    assert_eq!(
        export_register_csv(&[], &period),
        Err(PayoutError::EmptyRegister)
    );
    assert_eq!(
        export_register_csv(
            &[row(rub(1)), row(Money::from_minor(1, Currency::Usd))],
            &period
        ),
        Err(PayoutError::InvalidRegisterLine)
    );
    assert_eq!(
        export_register_csv(&[row(rub(0))], &period),
        Err(PayoutError::InvalidRegisterLine)
    );
}

#[test]
fn formula_cells_are_neutralised() {
    for (input, expected) in [
        ("=1+1", "'=1+1"),
        ("+7 999", "'+7 999"),
        ("-5", "'-5"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("ООО Ромашка", "ООО Ромашка"),
        ("", ""),
    ] {
        assert_eq!(neutralise_cell(input), expected);
    }
}
