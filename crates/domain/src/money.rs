//! Money: integer minor units plus an ISO 4217 currency. Never a float.
//!
//! Storage and transport use `amount_minor: i64`. Arithmetic that involves rates
//! (commissions, allocation) converts to `rust_decimal::Decimal`, rounds with an
//! explicit rule and converts back; see `ledger` for the rounding rules.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Currencies Bazaar settles in. Every one has a fixed number of minor digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Currency {
    Rub,
    Byn,
    Kzt,
    Uzs,
    Amd,
    Kgs,
    Usd,
    Eur,
    Cny,
}

impl Currency {
    pub const ALL: [Currency; 9] = [
        Currency::Rub,
        Currency::Byn,
        Currency::Kzt,
        Currency::Uzs,
        Currency::Amd,
        Currency::Kgs,
        Currency::Usd,
        Currency::Eur,
        Currency::Cny,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            Currency::Rub => "RUB",
            Currency::Byn => "BYN",
            Currency::Kzt => "KZT",
            Currency::Uzs => "UZS",
            Currency::Amd => "AMD",
            Currency::Kgs => "KGS",
            Currency::Usd => "USD",
            Currency::Eur => "EUR",
            Currency::Cny => "CNY",
        }
    }

    /// Number of digits after the decimal point (ISO 4217 exponent).
    pub const fn minor_digits(self) -> u32 {
        2
    }

    pub const fn symbol(self) -> &'static str {
        match self {
            Currency::Rub => "₽",
            Currency::Byn => "Br",
            Currency::Kzt => "₸",
            Currency::Uzs => "сўм",
            Currency::Amd => "֏",
            Currency::Kgs => "сом",
            Currency::Usd => "$",
            Currency::Eur => "€",
            Currency::Cny => "¥",
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        Currency::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(t))
            .or(match t.to_lowercase().as_str() {
                "₽" | "руб" | "руб." | "рубль" | "рублей" | "р." | "rur" => {
                    Some(Currency::Rub)
                }
                "$" => Some(Currency::Usd),
                "€" => Some(Currency::Eur),
                _ => None,
            })
            .ok_or_else(|| MoneyError::UnknownCurrency(t.to_string()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("not a number: {0:?}")]
    NotANumber(String),
    #[error("too many digits after the decimal point (at most {max})")]
    TooManyDecimals { max: u32 },
    #[error("amount is too large")]
    Overflow,
    #[error("amount must not be negative")]
    Negative,
    #[error("unknown currency {0:?}")]
    UnknownCurrency(String),
    #[error("currencies differ: {0} and {1}")]
    CurrencyMismatch(Currency, Currency),
}

/// An amount of money in minor units (kopecks for RUB).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    amount_minor: i64,
    currency: Currency,
}

impl Money {
    pub const fn from_minor(amount_minor: i64, currency: Currency) -> Self {
        Self {
            amount_minor,
            currency,
        }
    }
    pub const fn zero(currency: Currency) -> Self {
        Self::from_minor(0, currency)
    }
    pub const fn amount_minor(&self) -> i64 {
        self.amount_minor
    }
    pub const fn currency(&self) -> Currency {
        self.currency
    }
    pub const fn is_zero(&self) -> bool {
        self.amount_minor == 0
    }
    pub const fn is_negative(&self) -> bool {
        self.amount_minor < 0
    }

    /// The amount in major units as an exact decimal (`12345` kopecks → `123.45`).
    pub fn to_decimal(&self) -> Decimal {
        Decimal::new(self.amount_minor, self.currency.minor_digits())
    }

    /// Exact conversion from a decimal; fails if it has more digits than the currency allows.
    pub fn from_decimal_exact(value: Decimal, currency: Currency) -> Result<Self, MoneyError> {
        let digits = currency.minor_digits();
        let normalized = value.normalize();
        if normalized.scale() > digits {
            return Err(MoneyError::TooManyDecimals { max: digits });
        }
        let scaled = value
            .checked_mul(Decimal::from(10_i64.pow(digits)))
            .ok_or(MoneyError::Overflow)?;
        let minor = i64::try_from(scaled.trunc()).map_err(|_| MoneyError::Overflow)?;
        Ok(Self::from_minor(minor, currency))
    }

    /// Parses what people type and what Excel exports: `1 299,90`, `1299.9`, `1,299.90`,
    /// `1.299,90`, `1 299 ₽`. Spaces (including no-break spaces) are thousands separators;
    /// when both `,` and `.` appear, the last one is the decimal separator.
    pub fn parse(input: &str, currency: Currency) -> Result<Self, MoneyError> {
        let decimal = parse_decimal(input)?;
        Self::from_decimal_exact(decimal, currency)
    }

    /// As [`Money::parse`], refusing negative amounts.
    pub fn parse_non_negative(input: &str, currency: Currency) -> Result<Self, MoneyError> {
        let m = Self::parse(input, currency)?;
        if m.is_negative() {
            return Err(MoneyError::Negative);
        }
        Ok(m)
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        self.amount_minor
            .checked_add(other.amount_minor)
            .map(|m| Money::from_minor(m, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        self.amount_minor
            .checked_sub(other.amount_minor)
            .map(|m| Money::from_minor(m, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    pub fn checked_mul(self, factor: i64) -> Result<Money, MoneyError> {
        self.amount_minor
            .checked_mul(factor)
            .map(|m| Money::from_minor(m, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    pub const fn negate(self) -> Money {
        Money::from_minor(-self.amount_minor, self.currency)
    }

    fn same_currency(&self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(self.currency, other.currency))
        }
    }

    /// Plain machine format: `1299.90` (dot, no grouping). Used in CSV exports and APIs.
    pub fn to_plain_string(&self) -> String {
        self.to_decimal().to_string()
    }

    /// Human format for the Russian UI: `1 299,90 ₽` (no-break spaces).
    pub fn format_ru(&self) -> String {
        format!(
            "{}\u{a0}{}",
            group(self, '\u{a0}', ','),
            self.currency.symbol()
        )
    }

    /// Human format for the English UI: `RUB 1,299.90`.
    pub fn format_en(&self) -> String {
        format!("{}\u{a0}{}", self.currency.code(), group(self, ',', '.'))
    }
}

fn group(m: &Money, thousands: char, decimal_sep: char) -> String {
    let digits = m.currency.minor_digits();
    let abs = m.amount_minor.unsigned_abs();
    let divisor = 10_u64.pow(digits);
    let major = (abs / divisor).to_string();
    let minor = abs % divisor;
    let mut out = String::with_capacity(major.len() + 8);
    if m.amount_minor < 0 {
        out.push('-');
    }
    for (i, ch) in major.chars().enumerate() {
        if i > 0 && (major.len() - i).is_multiple_of(3) {
            out.push(thousands);
        }
        out.push(ch);
    }
    if digits > 0 {
        out.push(decimal_sep);
        out.push_str(&format!("{:0width$}", minor, width = digits as usize));
    }
    out
}

/// Parses a human-written decimal number (see [`Money::parse`] for the accepted forms).
pub fn parse_decimal(input: &str) -> Result<Decimal, MoneyError> {
    let not_a_number = || MoneyError::NotANumber(input.to_string());
    let mut s: String = input
        .trim()
        .trim_end_matches(['₽', '$', '€'])
        .trim_end_matches("руб.")
        .trim_end_matches("руб")
        .trim_end_matches("р.")
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\''))
        .collect();
    if s.is_empty() {
        return Err(not_a_number());
    }
    let last_comma = s.rfind(',');
    let last_dot = s.rfind('.');
    match (last_comma, last_dot) {
        (Some(c), Some(d)) if c > d => {
            // 1.299,90
            s = s.replace('.', "").replace(',', ".");
        }
        (Some(_), Some(_)) => {
            // 1,299.90
            s = s.replace(',', "");
        }
        (Some(_), None) => {
            if s.matches(',').count() > 1 {
                return Err(not_a_number());
            }
            s = s.replace(',', ".");
        }
        _ => {}
    }
    if s.matches('.').count() > 1 {
        return Err(not_a_number());
    }
    let valid = s
        .char_indices()
        .all(|(i, c)| c.is_ascii_digit() || c == '.' || (i == 0 && (c == '-' || c == '+')));
    if !valid || s == "-" || s == "+" || s == "." {
        return Err(not_a_number());
    }
    if s.len() > 28 {
        return Err(MoneyError::Overflow);
    }
    Decimal::from_str(&s).map_err(|_| not_a_number())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rub(s: &str) -> Result<i64, MoneyError> {
        Money::parse(s, Currency::Rub).map(|m| m.amount_minor())
    }

    #[test]
    fn parses_excel_and_human_formats() {
        assert_eq!(rub("1 299,90"), Ok(129_990));
        assert_eq!(rub("1\u{a0}299,9"), Ok(129_990));
        assert_eq!(rub("1299.90"), Ok(129_990));
        assert_eq!(rub("1,299.90"), Ok(129_990));
        assert_eq!(rub("1.299,90"), Ok(129_990));
        assert_eq!(rub("15"), Ok(1_500));
        assert_eq!(rub("0,01"), Ok(1));
        assert_eq!(rub("1 299 ₽"), Ok(129_900));
        assert_eq!(rub("99 руб."), Ok(9_900));
        assert_eq!(rub("-5,5"), Ok(-550));
    }

    #[test]
    fn refuses_too_many_decimals_instead_of_rounding() {
        assert_eq!(rub("1,999"), Err(MoneyError::TooManyDecimals { max: 2 }));
        assert_eq!(rub("0.001"), Err(MoneyError::TooManyDecimals { max: 2 }));
        // Trailing zeros are not extra precision.
        assert_eq!(rub("1.500"), Ok(150));
    }

    #[test]
    fn refuses_garbage() {
        for bad in ["", "abc", "1,2,3", "1.2.3", "--1", "1-", ".", "12a"] {
            assert!(rub(bad).is_err(), "{bad:?} should not parse");
        }
        assert_eq!(
            Money::parse_non_negative("-1", Currency::Rub),
            Err(MoneyError::Negative)
        );
    }

    #[test]
    fn formats_for_people() {
        let m = Money::from_minor(123_456_789, Currency::Rub);
        assert_eq!(m.format_ru(), "1\u{a0}234\u{a0}567,89\u{a0}₽");
        assert_eq!(m.format_en(), "RUB\u{a0}1,234,567.89");
        assert_eq!(m.to_plain_string(), "1234567.89");
        assert_eq!(
            Money::from_minor(-5, Currency::Rub).format_en(),
            "RUB\u{a0}-0.05"
        );
    }

    #[test]
    fn arithmetic_refuses_mixed_currencies_and_overflow() {
        let a = Money::from_minor(100, Currency::Rub);
        let b = Money::from_minor(100, Currency::Usd);
        assert!(matches!(
            a.checked_add(b),
            Err(MoneyError::CurrencyMismatch(..))
        ));
        let max = Money::from_minor(i64::MAX, Currency::Rub);
        assert_eq!(max.checked_add(a), Err(MoneyError::Overflow));
    }

    #[test]
    fn currency_codes_and_symbols() {
        assert_eq!("rub".parse::<Currency>(), Ok(Currency::Rub));
        assert_eq!("₽".parse::<Currency>(), Ok(Currency::Rub));
        assert!("XXX".parse::<Currency>().is_err());
    }

    proptest! {
        #[test]
        fn plain_string_round_trips(minor in -10_000_000_000_i64..10_000_000_000_i64) {
            let m = Money::from_minor(minor, Currency::Rub);
            prop_assert_eq!(Money::parse(&m.to_plain_string(), Currency::Rub), Ok(m));
            prop_assert_eq!(Money::parse(&m.format_ru(), Currency::Rub), Ok(m));
        }
    }
}
