//! `POST /api/v1/orders`: the request body and its validation.
//!
//! Every field is read leniently (optional, raw JSON for numbers) so that validation,
//! not deserialisation, reports problems, each as a [`FieldError`] naming its JSON path
//! (`lines[2].quantity`). All problems are reported at once.
//!
//! Lines reference sellers by `seller_id` (the seller's UUID): it is what Bazaar gives
//! channels, it never changes when a seller renames itself, and it needs no lookup to
//! validate. `seller_sku` is the seller's own SKU code (as in the catalog).

use crate::FieldError;
use crate::accounts::Email;
use crate::ids::SellerId;
use crate::money::{Currency, Money};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;

/// At most this many lines per order.
pub const MAX_LINES: usize = 100;
/// At most this many units per line.
pub const MAX_QUANTITY: u32 = 9_999;
/// At most this unit price, in major units (100 000 000,00).
pub const MAX_UNIT_PRICE_MAJOR: i64 = 100_000_000;
/// The catalog's limit for a seller SKU code.
pub const SELLER_SKU_MAX_CHARS: usize = 64;
pub const EXTERNAL_ORDER_ID_MAX_CHARS: usize = 100;
pub const CHANNEL_MAX_CHARS: usize = 32;

/// The request body of `POST /api/v1/orders`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CreateOrderInput {
    /// The channel's own order id; with the channel it identifies the order.
    #[serde(default)]
    pub external_order_id: Option<String>,
    /// The sales channel's code, e.g. `web`, `mobile_app`, `partner-shop`.
    #[serde(default)]
    pub channel: Option<String>,
    /// ISO 4217 code, e.g. `RUB`.
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub buyer: Option<BuyerContactInput>,
    #[serde(default)]
    pub delivery: Option<DeliveryInput>,
    #[serde(default)]
    pub lines: Option<Vec<OrderLineInput>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyerContactInput {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryInput {
    /// `fbs`, `fbo` or `pickup`.
    #[serde(default)]
    pub method: Option<String>,
    /// Required for `fbs` and `fbo`, refused for `pickup`.
    #[serde(default)]
    pub address: Option<AddressInput>,
    /// Required for `pickup`, refused otherwise.
    #[serde(default)]
    pub pickup_point_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressInput {
    /// ISO 3166-1 alpha-2; `RU` when absent.
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub postal_code: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    /// Street, house, flat.
    #[serde(default)]
    pub line1: Option<String>,
    #[serde(default)]
    pub line2: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrderLineInput {
    #[serde(default)]
    pub seller_id: Option<String>,
    #[serde(default)]
    pub seller_sku: Option<String>,
    /// A positive JSON integer.
    #[serde(default)]
    pub quantity: Option<Value>,
    /// A decimal string in major units, e.g. `"1299.90"`; never a JSON number.
    #[serde(default)]
    pub unit_price: Option<Value>,
}

/// How the order reaches the buyer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMethod {
    /// Fulfilled by the seller: the seller ships to the buyer's address.
    Fbs,
    /// Fulfilled by the operator: shipped from the marketplace warehouse.
    Fbo,
    /// The buyer collects at a pickup point.
    Pickup,
}

impl DeliveryMethod {
    pub const ALL: [DeliveryMethod; 3] = [
        DeliveryMethod::Fbs,
        DeliveryMethod::Fbo,
        DeliveryMethod::Pickup,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            DeliveryMethod::Fbs => "fbs",
            DeliveryMethod::Fbo => "fbo",
            DeliveryMethod::Pickup => "pickup",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        DeliveryMethod::ALL
            .into_iter()
            .find(|m| m.as_str() == input)
    }

    pub const fn needs_address(self) -> bool {
        matches!(self, DeliveryMethod::Fbs | DeliveryMethod::Fbo)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyerContact {
    pub name: Option<String>,
    pub email: Option<Email>,
    /// `+` and 10 to 15 digits.
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub country: String,
    pub postal_code: Option<String>,
    pub region: Option<String>,
    pub city: String,
    pub line1: String,
    pub line2: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Destination {
    Address(Address),
    PickupPoint { pickup_point_id: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub method: DeliveryMethod,
    pub destination: Destination,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidOrderLine {
    /// Position in the request (0-based); `lines[line_no]` in error paths.
    pub line_no: u32,
    pub seller_id: SellerId,
    pub seller_sku: String,
    pub quantity: u32,
    pub unit_price: Money,
    /// quantity × unit price.
    pub line_total: Money,
}

/// An order that passed validation. Whether the SKUs exist, are on sale and belong to
/// the sellers is for the use case to check against the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidOrder {
    pub external_order_id: String,
    pub channel: String,
    pub currency: Currency,
    pub buyer: Option<BuyerContact>,
    pub delivery: Delivery,
    pub lines: Vec<ValidOrderLine>,
    pub total: Money,
}

impl CreateOrderInput {
    /// Validates the whole request; all problems at once, in field order.
    pub fn validate(&self) -> Result<ValidOrder, Vec<FieldError>> {
        let mut errors = Vec::new();
        let external_order_id = required_text(
            &mut errors,
            "external_order_id",
            self.external_order_id.as_deref(),
            EXTERNAL_ORDER_ID_MAX_CHARS,
        );
        let channel = self.channel.as_deref().map(str::trim).and_then(|c| {
            let valid = !c.is_empty()
                && c.len() <= CHANNEL_MAX_CHARS
                && c.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-'
                });
            if valid {
                Some(c.to_string())
            } else {
                errors.push(FieldError::new(
                    "channel",
                    "invalid_format",
                    "Channel is a code of 1 to 32 lower-case letters, digits, '_' or '-'",
                ));
                None
            }
        });
        if self.channel.is_none() {
            errors.push(required("channel"));
        }
        let currency = match self.currency.as_deref().map(str::trim) {
            None => {
                errors.push(required("currency"));
                None
            }
            Some(code) => {
                let found = Currency::ALL
                    .into_iter()
                    .find(|c| c.code().eq_ignore_ascii_case(code));
                if found.is_none() {
                    errors.push(FieldError::new(
                        "currency",
                        "unknown_currency",
                        format!("Unknown currency {code:?}: use an ISO 4217 code such as RUB"),
                    ));
                }
                found
            }
        };
        let buyer = self
            .buyer
            .as_ref()
            .and_then(|b| validate_buyer(&mut errors, b));
        let delivery = match &self.delivery {
            None => {
                errors.push(required("delivery"));
                None
            }
            Some(d) => validate_delivery(&mut errors, d),
        };
        let lines = match &self.lines {
            None => {
                errors.push(required("lines"));
                None
            }
            Some(lines) => validate_lines(&mut errors, lines, currency),
        };
        let total = match (&lines, currency) {
            (Some(lines), Some(currency)) => {
                let total = lines
                    .iter()
                    .try_fold(Money::zero(currency), |sum, l: &ValidOrderLine| {
                        sum.checked_add(l.line_total)
                    });
                if total.is_err() {
                    errors.push(FieldError::new(
                        "lines",
                        "total_too_large",
                        "The order total is too large",
                    ));
                }
                total.ok()
            }
            _ => None,
        };
        match (external_order_id, channel, currency, delivery, lines, total) {
            (
                Some(external_order_id),
                Some(channel),
                Some(currency),
                Some(delivery),
                Some(lines),
                Some(total),
            ) if errors.is_empty() => Ok(ValidOrder {
                external_order_id,
                channel,
                currency,
                buyer,
                delivery,
                lines,
                total,
            }),
            _ => Err(errors),
        }
    }
}

fn required(field: &str) -> FieldError {
    FieldError::new(field, "required", format!("{field} is required"))
}

/// Trimmed text without control characters, 1 to `max_chars` characters.
fn required_text(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
    max_chars: usize,
) -> Option<String> {
    let Some(value) = value.map(str::trim) else {
        errors.push(required(field));
        return None;
    };
    optional_text(errors, field, Some(value), max_chars).or_else(|| {
        if value.is_empty() {
            errors.push(required(field));
        }
        None
    })
}

/// `None` for absent or blank; an error for control characters or too long.
fn optional_text(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
    max_chars: usize,
) -> Option<String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    if value.chars().any(char::is_control) {
        errors.push(FieldError::new(
            field,
            "control_chars",
            "Remove control characters (tabs, line breaks)",
        ));
        return None;
    }
    if value.chars().count() > max_chars {
        errors.push(FieldError::new(
            field,
            "too_long",
            format!("At most {max_chars} characters"),
        ));
        return None;
    }
    Some(value.to_string())
}

fn validate_buyer(errors: &mut Vec<FieldError>, input: &BuyerContactInput) -> Option<BuyerContact> {
    let before = errors.len();
    let name = optional_text(errors, "buyer.name", input.name.as_deref(), 200);
    let email = match input
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        None => None,
        Some(raw) => match Email::parse(raw) {
            Ok(email) => Some(email),
            Err(e) => {
                errors.push(FieldError::new("buyer.email", e.code, e.message));
                None
            }
        },
    };
    let phone = match input
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        None => None,
        Some(raw) => {
            let phone = normalise_phone(raw);
            if phone.is_none() {
                errors.push(FieldError::new(
                    "buyer.phone",
                    "invalid_phone",
                    "Enter a phone number with country code, e.g. +7 999 123-45-67",
                ));
            }
            phone
        }
    };
    (errors.len() == before).then_some(BuyerContact { name, email, phone })
}

/// `+7 (999) 123-45-67` → `+79991234567`; a Russian `8 999 ...` becomes `+7999...`.
fn normalise_phone(raw: &str) -> Option<String> {
    let plus = raw.starts_with('+');
    let body = if plus { &raw[1..] } else { raw };
    if !body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')'))
    {
        return None;
    }
    let mut digits: String = body.chars().filter(char::is_ascii_digit).collect();
    if !plus {
        if digits.len() == 11 && digits.starts_with('8') {
            digits.replace_range(0..1, "7");
        } else if digits.len() == 10 && digits.starts_with('9') {
            digits.insert(0, '7');
        }
    }
    (10..=15)
        .contains(&digits.len())
        .then(|| format!("+{digits}"))
}

fn validate_delivery(errors: &mut Vec<FieldError>, input: &DeliveryInput) -> Option<Delivery> {
    let method = match input.method.as_deref().map(str::trim) {
        None => {
            errors.push(required("delivery.method"));
            return None;
        }
        Some(raw) => match DeliveryMethod::parse(raw) {
            Some(method) => method,
            None => {
                errors.push(FieldError::new(
                    "delivery.method",
                    "unknown_delivery_method",
                    "Delivery method is one of fbs, fbo, pickup",
                ));
                return None;
            }
        },
    };
    if method.needs_address() {
        if input.pickup_point_id.is_some() {
            errors.push(FieldError::new(
                "delivery.pickup_point_id",
                "not_allowed",
                "A pickup point is only for the pickup delivery method",
            ));
        }
        let Some(address) = &input.address else {
            errors.push(FieldError::new(
                "delivery.address",
                "required",
                format!("An address is required for {} delivery", method.as_str()),
            ));
            return None;
        };
        let address = validate_address(errors, address)?;
        return Some(Delivery {
            method,
            destination: Destination::Address(address),
        });
    }
    if input.address.is_some() {
        errors.push(FieldError::new(
            "delivery.address",
            "not_allowed",
            "Pickup orders take a pickup point id, not an address",
        ));
    }
    let field = "delivery.pickup_point_id";
    let pickup_point_id = required_text(errors, field, input.pickup_point_id.as_deref(), 64)?;
    if input.address.is_some() {
        return None;
    }
    Some(Delivery {
        method,
        destination: Destination::PickupPoint { pickup_point_id },
    })
}

fn validate_address(errors: &mut Vec<FieldError>, input: &AddressInput) -> Option<Address> {
    let before = errors.len();
    let country = match input
        .country
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        None => "RU".to_string(),
        Some(c) if c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic()) => {
            c.to_ascii_uppercase()
        }
        Some(_) => {
            errors.push(FieldError::new(
                "delivery.address.country",
                "invalid_format",
                "Country is a two-letter ISO code such as RU",
            ));
            String::new()
        }
    };
    let postal_code = optional_text(
        errors,
        "delivery.address.postal_code",
        input.postal_code.as_deref(),
        10,
    );
    if let Some(code) = &postal_code {
        let valid = if country == "RU" {
            code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
        } else {
            code.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
        };
        if !valid {
            errors.push(FieldError::new(
                "delivery.address.postal_code",
                "invalid_format",
                "A Russian postal code has 6 digits",
            ));
        }
    }
    let region = optional_text(
        errors,
        "delivery.address.region",
        input.region.as_deref(),
        200,
    );
    let city = required_text(errors, "delivery.address.city", input.city.as_deref(), 200);
    let line1 = required_text(
        errors,
        "delivery.address.line1",
        input.line1.as_deref(),
        300,
    );
    let line2 = optional_text(
        errors,
        "delivery.address.line2",
        input.line2.as_deref(),
        300,
    );
    if errors.len() != before {
        return None;
    }
    Some(Address {
        country,
        postal_code,
        region,
        city: city?,
        line1: line1?,
        line2,
    })
}

fn validate_lines(
    errors: &mut Vec<FieldError>,
    lines: &[OrderLineInput],
    currency: Option<Currency>,
) -> Option<Vec<ValidOrderLine>> {
    if lines.is_empty() {
        errors.push(FieldError::new(
            "lines",
            "required",
            "An order needs at least one line",
        ));
        return None;
    }
    if lines.len() > MAX_LINES {
        errors.push(FieldError::new(
            "lines",
            "too_many",
            format!("At most {MAX_LINES} lines per order"),
        ));
        return None;
    }
    let before = errors.len();
    let mut valid = Vec::with_capacity(lines.len());
    let mut seen = BTreeSet::new();
    for (index, line) in lines.iter().enumerate() {
        let path = |field: &str| format!("lines[{index}].{field}");
        let seller_id = match line.seller_id.as_deref().map(str::trim) {
            None | Some("") => {
                errors.push(FieldError::new(
                    path("seller_id"),
                    "required",
                    "seller_id is required",
                ));
                None
            }
            Some(raw) => {
                let parsed = raw.parse::<SellerId>().ok();
                if parsed.is_none() {
                    errors.push(FieldError::new(
                        path("seller_id"),
                        "invalid_format",
                        "seller_id is the seller's UUID",
                    ));
                }
                parsed
            }
        };
        let seller_sku = required_text(
            errors,
            &path("seller_sku"),
            line.seller_sku.as_deref(),
            SELLER_SKU_MAX_CHARS,
        );
        if let (Some(seller_id), Some(sku)) = (seller_id, &seller_sku)
            && !seen.insert((seller_id, sku.clone()))
        {
            errors.push(FieldError::new(
                path("seller_sku"),
                "duplicate_line",
                "This SKU of this seller is already in another line: use one line with the total quantity",
            ));
        }
        let quantity = match &line.quantity {
            None => {
                errors.push(FieldError::new(
                    path("quantity"),
                    "required",
                    "quantity is required",
                ));
                None
            }
            Some(value) => match parse_quantity(value) {
                Ok(q) => Some(q),
                Err((code, message)) => {
                    errors.push(FieldError::new(path("quantity"), code, message));
                    None
                }
            },
        };
        let unit_price = match (&line.unit_price, currency) {
            (None, _) => {
                errors.push(FieldError::new(
                    path("unit_price"),
                    "required",
                    "unit_price is required",
                ));
                None
            }
            // Without a currency the number of decimals is unknown; currency already failed.
            (Some(_), None) => None,
            (Some(value), Some(currency)) => match parse_unit_price(value, currency) {
                Ok(price) => Some(price),
                Err((code, message)) => {
                    errors.push(FieldError::new(path("unit_price"), code, message));
                    None
                }
            },
        };
        if let (Some(seller_id), Some(seller_sku), Some(quantity), Some(unit_price)) =
            (seller_id, seller_sku, quantity, unit_price)
        {
            // MAX_QUANTITY × the maximum price fits easily in i64; checked all the same.
            let Ok(line_total) = unit_price.checked_mul(i64::from(quantity)) else {
                errors.push(FieldError::new(
                    path("quantity"),
                    "too_large",
                    "The line total is too large",
                ));
                continue;
            };
            valid.push(ValidOrderLine {
                line_no: index as u32,
                seller_id,
                seller_sku,
                quantity,
                unit_price,
                line_total,
            });
        }
    }
    (errors.len() == before && valid.len() == lines.len()).then_some(valid)
}

/// A positive JSON integer up to [`MAX_QUANTITY`].
pub fn parse_quantity(value: &Value) -> Result<u32, (&'static str, String)> {
    let Value::Number(number) = value else {
        return Err((
            "must_be_integer",
            "quantity is a whole number like 2".to_string(),
        ));
    };
    if let Some(q) = number.as_u64() {
        if q == 0 {
            return Err((
                "must_be_positive",
                "quantity must be at least 1".to_string(),
            ));
        }
        return u32::try_from(q)
            .ok()
            .filter(|q| *q <= MAX_QUANTITY)
            .ok_or(("too_large", format!("quantity is at most {MAX_QUANTITY}")));
    }
    if number.as_i64().is_some() {
        return Err((
            "must_be_positive",
            "quantity must be at least 1".to_string(),
        ));
    }
    Err((
        "must_be_integer",
        "quantity is a whole number like 2".to_string(),
    ))
}

/// A unit price: a JSON string of digits with an optional `.` and at most as many
/// decimals as the currency has (`"1299.90"`, `"15"`). Refused: JSON numbers (floats
/// lose kopecks), a decimal comma, signs, spaces, more decimals (even zeros), zero,
/// and more than [`MAX_UNIT_PRICE_MAJOR`].
pub fn parse_unit_price(
    value: &Value,
    currency: Currency,
) -> Result<Money, (&'static str, String)> {
    let Value::String(raw) = value else {
        return Err((
            "must_be_string",
            "unit_price is a decimal string like \"1299.90\", not a JSON number".to_string(),
        ));
    };
    let format_error = || {
        (
            "invalid_format",
            "unit_price is written like \"1299.90\": digits and an optional decimal point"
                .to_string(),
        )
    };
    if raw.starts_with('-') {
        return Err(("negative", "unit_price must not be negative".to_string()));
    }
    let (whole, fraction) = match raw.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (raw.as_str(), ""),
    };
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || (raw.contains('.') && fraction.is_empty())
    {
        return Err(format_error());
    }
    let digits = currency.minor_digits() as usize;
    if fraction.len() > digits {
        return Err((
            "too_many_decimals",
            format!(
                "{} has at most {digits} digits after the decimal point",
                currency.code()
            ),
        ));
    }
    let whole_value: i64 = whole
        .trim_start_matches('0')
        .parse::<i64>()
        .or_else(|e| {
            if whole.bytes().all(|b| b == b'0') {
                Ok(0)
            } else {
                Err(e)
            }
        })
        .ok()
        .filter(|w| *w <= MAX_UNIT_PRICE_MAJOR)
        .ok_or((
            "too_large",
            format!("unit_price is at most {MAX_UNIT_PRICE_MAJOR}"),
        ))?;
    let mut fraction_value: i64 = 0;
    for i in 0..digits {
        let digit = fraction
            .as_bytes()
            .get(i)
            .map_or(0, |b| i64::from(b - b'0'));
        fraction_value = fraction_value * 10 + digit;
    }
    let minor = whole_value * 10_i64.pow(digits as u32) + fraction_value;
    if minor == 0 {
        return Err((
            "must_be_positive",
            "unit_price must be more than zero".to_string(),
        ));
    }
    if whole_value == MAX_UNIT_PRICE_MAJOR && fraction_value > 0 {
        return Err((
            "too_large",
            format!("unit_price is at most {MAX_UNIT_PRICE_MAJOR}"),
        ));
    }
    Ok(Money::from_minor(minor, currency))
}
