//! The bank payment register: one CSV row per approved payout line.
//!
//! Made for Russian banks' import and for Excel: `;` separated, CRLF line ends, the
//! amount in major units with a decimal comma plus a currency column, and a payment
//! purpose in Russian. [`encode_windows_1251`] gives the bytes most bank clients
//! expect. Any text cell starting with `=`, `+`, `-`, `@` (or a tab or carriage
//! return) gets a leading `'`, so a spreadsheet never runs a seller-supplied formula.

use super::error::PayoutError;
use super::schedule::PayoutPeriod;
use crate::ids::PayoutId;
use crate::money::Money;
use serde::{Deserialize, Serialize};

/// A seller's bank account, exactly as the seller entered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankDetails {
    /// Расчётный счёт.
    pub account_number: String,
    pub bik: String,
    /// Корреспондентский счёт.
    pub correspondent_account: String,
    pub bank_name: String,
}

/// One approved payout line to export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterRow {
    pub payout_id: PayoutId,
    pub seller_name: String,
    pub inn: String,
    pub bank: BankDetails,
    pub amount: Money,
}

pub const REGISTER_HEADER: [&str; 11] = [
    "№",
    "Получатель",
    "ИНН",
    "Расчётный счёт",
    "БИК",
    "Корр. счёт",
    "Банк",
    "Сумма",
    "Валюта",
    "Назначение платежа",
    "ID выплаты",
];

/// `Выплата по договору оферты за период с 01.03.2026 по 07.03.2026`.
pub fn payment_purpose(period: &PayoutPeriod) -> String {
    format!(
        "Выплата по договору оферты за период с {} по {}",
        period.from.format("%d.%m.%Y"),
        period.to.format("%d.%m.%Y")
    )
}

/// Neutralises spreadsheet formula injection: a leading `'` before `=`, `+`, `-`, `@`,
/// tab or carriage return.
pub fn neutralise_cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

/// `1299,90`: major units with a decimal comma, no grouping (bank imports reject spaces).
fn amount_cell(amount: Money) -> String {
    amount.to_plain_string().replace('.', ",")
}

/// The register as text. Every row must be positive and in one currency.
pub fn export_register_csv(
    rows: &[RegisterRow],
    period: &PayoutPeriod,
) -> Result<String, PayoutError> {
    let Some(first) = rows.first() else {
        return Err(PayoutError::EmptyRegister);
    };
    if rows
        .iter()
        .any(|r| r.amount.currency() != first.amount.currency() || r.amount.amount_minor() <= 0)
    {
        return Err(PayoutError::InvalidRegisterLine);
    }
    let purpose = payment_purpose(period);
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let csv_error = |e: csv::Error| PayoutError::Csv(e.to_string());
    writer.write_record(REGISTER_HEADER).map_err(csv_error)?;
    for (index, row) in rows.iter().enumerate() {
        let record = [
            (index + 1).to_string(),
            neutralise_cell(&row.seller_name),
            neutralise_cell(&row.inn),
            neutralise_cell(&row.bank.account_number),
            neutralise_cell(&row.bank.bik),
            neutralise_cell(&row.bank.correspondent_account),
            neutralise_cell(&row.bank.bank_name),
            amount_cell(row.amount),
            row.amount.currency().code().to_string(),
            neutralise_cell(&purpose),
            row.payout_id.to_string(),
        ];
        writer.write_record(&record).map_err(csv_error)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| PayoutError::Csv(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| PayoutError::Csv(e.to_string()))
}

/// The register's bytes in Windows-1251. Characters that code page lacks become
/// HTML numeric references (`&#8381;`), which is what encoding_rs does; seller names
/// and Russian purpose texts are all representable.
pub fn encode_windows_1251(text: &str) -> Vec<u8> {
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
    bytes.into_owned()
}
