//! SKU rules shared by the CSV import, the REST API and the UI forms.
//!
//! A SKU splits into **content** (title, description, brand, category, barcode,
//! attributes, images, weight and dimensions), whose changes go through moderation,
//! and **commercial** data (price, old price, currency, VAT, stock), which changes
//! live at once. Each half has a stable 128-bit hash (see [`super::hash`]) so the
//! server can tell created/updated/unchanged without reading content back.
//!
//! Decisions:
//! - SKUs go into **leaf** categories only (`not_leaf_category` otherwise): a SKU in
//!   "Electronics" would have none of the attributes buyers filter by.
//! - `sku`, `title`, `category`, `price` and `stock` are required. Stock is required
//!   rather than defaulted so a file without a stock column cannot zero every stock.
//! - An empty VAT cell means [`SkuRules::default_vat`]; an empty currency means
//!   [`SkuRules::default_currency`].
//! - Titles and brands have whitespace runs (line breaks included) collapsed to one
//!   space; descriptions keep line breaks (CRLF becomes LF).

use super::AttributeCode;
use super::category::{AttributeKind, AttributeValue, CategoryCode};
use super::hash::{CommercialHash, ContentHash};
use super::index::{AttrLoc, CategoryIndex, ResolveError};
use super::problem::{ProblemCode, ProblemDetail, ProblemField, SkuProblem};
use super::text::{
    fold_name_into, has_any_control_chars, has_control_chars, needs_whitespace_collapse,
};
use crate::money::MoneyError;
use crate::{Currency, Locale, Money};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

pub const SELLER_SKU_MAX_CHARS: usize = 64;
pub const TITLE_MAX_CHARS: usize = 300;
pub const DESCRIPTION_MAX_CHARS: usize = 5000;
pub const BRAND_MAX_CHARS: usize = 100;
pub const MAX_IMAGES: usize = 15;
pub const IMAGE_URL_MAX_CHARS: usize = 2048;
/// 100 000 000.00 in minor units (two minor digits for every supported currency).
pub const PRICE_MAX_MINOR: i64 = 10_000_000_000;
pub const STOCK_MAX: u32 = 1_000_000_000;
/// One tonne: heavier goods do not ship as marketplace parcels.
pub const WEIGHT_MAX_G: u32 = 1_000_000;
/// Ten metres.
pub const DIMENSION_MAX_MM: u32 = 10_000;

/// The standard fields of a SKU, named as the canonical CSV columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkuField {
    Sku,
    Title,
    Description,
    Brand,
    Category,
    Barcode,
    Price,
    OldPrice,
    Currency,
    Vat,
    Stock,
    WeightG,
    LengthMm,
    WidthMm,
    HeightMm,
    Images,
}

impl SkuField {
    pub const ALL: [SkuField; 16] = [
        SkuField::Sku,
        SkuField::Title,
        SkuField::Description,
        SkuField::Brand,
        SkuField::Category,
        SkuField::Barcode,
        SkuField::Price,
        SkuField::OldPrice,
        SkuField::Currency,
        SkuField::Vat,
        SkuField::Stock,
        SkuField::WeightG,
        SkuField::LengthMm,
        SkuField::WidthMm,
        SkuField::HeightMm,
        SkuField::Images,
    ];

    pub const COUNT: usize = 16;

    /// The canonical column name (also the API property name).
    pub const fn as_str(self) -> &'static str {
        match self {
            SkuField::Sku => "sku",
            SkuField::Title => "title",
            SkuField::Description => "description",
            SkuField::Brand => "brand",
            SkuField::Category => "category",
            SkuField::Barcode => "barcode",
            SkuField::Price => "price",
            SkuField::OldPrice => "old_price",
            SkuField::Currency => "currency",
            SkuField::Vat => "vat",
            SkuField::Stock => "stock",
            SkuField::WeightG => "weight_g",
            SkuField::LengthMm => "length_mm",
            SkuField::WidthMm => "width_mm",
            SkuField::HeightMm => "height_mm",
            SkuField::Images => "images",
        }
    }

    /// The column header people read (also used in Russian templates).
    pub const fn label(self, locale: Locale) -> &'static str {
        match self {
            SkuField::Sku => locale.pick("Артикул", "SKU"),
            SkuField::Title => locale.pick("Наименование", "Title"),
            SkuField::Description => locale.pick("Описание", "Description"),
            SkuField::Brand => locale.pick("Бренд", "Brand"),
            SkuField::Category => locale.pick("Категория", "Category"),
            SkuField::Barcode => locale.pick("Штрихкод", "Barcode"),
            SkuField::Price => locale.pick("Цена", "Price"),
            SkuField::OldPrice => locale.pick("Старая цена", "Old price"),
            SkuField::Currency => locale.pick("Валюта", "Currency"),
            SkuField::Vat => locale.pick("НДС", "VAT"),
            SkuField::Stock => locale.pick("Остаток", "Stock"),
            SkuField::WeightG => locale.pick("Вес, г", "Weight, g"),
            SkuField::LengthMm => locale.pick("Длина, мм", "Length, mm"),
            SkuField::WidthMm => locale.pick("Ширина, мм", "Width, mm"),
            SkuField::HeightMm => locale.pick("Высота, мм", "Height, mm"),
            SkuField::Images => locale.pick("Фото", "Images"),
        }
    }

    /// Fields every SKU must have.
    pub const fn is_required(self) -> bool {
        matches!(
            self,
            SkuField::Sku
                | SkuField::Title
                | SkuField::Category
                | SkuField::Price
                | SkuField::Stock
        )
    }

    /// Fields whose changes apply live, without moderation.
    pub const fn is_commercial(self) -> bool {
        matches!(
            self,
            SkuField::Price
                | SkuField::OldPrice
                | SkuField::Currency
                | SkuField::Vat
                | SkuField::Stock
        )
    }

    pub(crate) const fn position(self) -> usize {
        self as usize
    }
}

impl fmt::Display for SkuField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SkuField {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SkuField::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| format!("unknown field {s:?}"))
    }
}

/// A problem found in one field value, before it is tied to a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Issue {
    pub(crate) code: ProblemCode,
    pub(crate) detail: ProblemDetail,
}

impl Issue {
    pub(crate) const fn code(code: ProblemCode) -> Self {
        Self {
            code,
            detail: ProblemDetail::None,
        }
    }
    fn with(code: ProblemCode, detail: ProblemDetail) -> Self {
        Self { code, detail }
    }
    pub(crate) fn on(self, field: ProblemField) -> SkuProblem {
        SkuProblem::new(field, self.code, self.detail)
    }
}

type IssueResult<T> = Result<T, Issue>;

/// A seller's own product code: 1–64 characters, trimmed, no control characters,
/// case-sensitive (`abc-1` and `ABC-1` are different SKUs).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SellerSku(String);

impl SellerSku {
    pub fn parse(input: &str) -> Result<Self, SkuProblem> {
        Self::check(input).map_err(|i| i.on(ProblemField::Field(SkuField::Sku)))
    }

    fn check(input: &str) -> IssueResult<Self> {
        let s = input.trim();
        if s.is_empty() {
            return Err(Issue::code(ProblemCode::Required));
        }
        if has_any_control_chars(s) {
            return Err(Issue::code(ProblemCode::ControlChars));
        }
        if s.len() > SELLER_SKU_MAX_CHARS && s.chars().count() > SELLER_SKU_MAX_CHARS {
            return Err(Issue::with(
                ProblemCode::TooLong,
                ProblemDetail::MaxChars {
                    max: SELLER_SKU_MAX_CHARS as u32,
                },
            ));
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SellerSku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for SellerSku {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::check(&s).map_err(|i| i.code.to_string())
    }
}

impl From<SellerSku> for String {
    fn from(s: SellerSku) -> String {
        s.0
    }
}

/// The barcode standards Bazaar accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BarcodeKind {
    Ean13,
    Ean8,
    UpcA,
}

/// An EAN-13, EAN-8 or UPC-A barcode with a correct check digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Barcode(String);

impl Barcode {
    /// Parses what sellers type: spaces and hyphens between digits are ignored.
    pub fn parse(input: &str) -> Result<Self, SkuProblem> {
        Self::check(input).map_err(|i| i.on(ProblemField::Field(SkuField::Barcode)))
    }

    fn check(input: &str) -> IssueResult<Self> {
        let s = input.trim();
        let digits: String = if s.bytes().all(|b| b.is_ascii_digit()) {
            s.to_string()
        } else {
            s.chars()
                .filter(|c| !matches!(c, ' ' | '-' | '\u{a0}' | '\u{202f}'))
                .collect()
        };
        if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 8 | 12 | 13) {
            return Err(Issue::code(ProblemCode::BadBarcode));
        }
        if !gtin_check_digit_ok(digits.as_bytes()) {
            return Err(Issue::code(ProblemCode::BadChecksum));
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn kind(&self) -> BarcodeKind {
        match self.0.len() {
            8 => BarcodeKind::Ean8,
            12 => BarcodeKind::UpcA,
            _ => BarcodeKind::Ean13,
        }
    }
}

/// GS1 check digit: weights 3 and 1 alternate from the digit left of the check digit.
fn gtin_check_digit_ok(digits: &[u8]) -> bool {
    let Some((&check, payload)) = digits.split_last() else {
        return false;
    };
    let sum: u32 = payload
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| u32::from(d - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    (10 - sum % 10) % 10 == u32::from(check - b'0')
}

/// Computes the check digit for a GTIN payload (all digits but the last).
pub fn gtin_check_digit(payload: &[u8]) -> u8 {
    let sum: u32 = payload
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| u32::from(d.saturating_sub(b'0')) * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    b'0' + ((10 - sum % 10) % 10) as u8
}

impl fmt::Display for Barcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Barcode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::check(&s).map_err(|i| i.code.to_string())
    }
}

impl From<Barcode> for String {
    fn from(b: Barcode) -> String {
        b.0
    }
}

/// VAT rates Russian sellers declare (22 % from 2026; 5 % and 7 % for the simplified
/// tax system).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum VatRate {
    #[serde(rename = "none")]
    None,
    #[serde(rename = "0")]
    Zero,
    #[serde(rename = "5")]
    Five,
    #[serde(rename = "7")]
    Seven,
    #[serde(rename = "10")]
    Ten,
    #[serde(rename = "20")]
    Twenty,
    #[serde(rename = "22")]
    TwentyTwo,
}

impl VatRate {
    pub const ALL: [VatRate; 7] = [
        VatRate::None,
        VatRate::Zero,
        VatRate::Five,
        VatRate::Seven,
        VatRate::Ten,
        VatRate::Twenty,
        VatRate::TwentyTwo,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            VatRate::None => "none",
            VatRate::Zero => "0",
            VatRate::Five => "5",
            VatRate::Seven => "7",
            VatRate::Ten => "10",
            VatRate::Twenty => "20",
            VatRate::TwentyTwo => "22",
        }
    }

    /// The rate in percent; `None` for "without VAT".
    pub const fn percent(self) -> Option<u8> {
        match self {
            VatRate::None => None,
            VatRate::Zero => Some(0),
            VatRate::Five => Some(5),
            VatRate::Seven => Some(7),
            VatRate::Ten => Some(10),
            VatRate::Twenty => Some(20),
            VatRate::TwentyTwo => Some(22),
        }
    }

    pub const fn label(self, locale: Locale) -> &'static str {
        match self {
            VatRate::None => locale.pick("Без НДС", "No VAT"),
            VatRate::Zero => "0 %",
            VatRate::Five => "5 %",
            VatRate::Seven => "7 %",
            VatRate::Ten => "10 %",
            VatRate::Twenty => "20 %",
            VatRate::TwentyTwo => "22 %",
        }
    }

    /// Parses `none`, `без НДС`, `20`, `20%`, `НДС 20%`, `VAT 20 %`.
    pub fn parse(input: &str) -> Option<Self> {
        // Spellings seen in most files, matched without allocating.
        match input.trim() {
            "none" | "без НДС" | "Без НДС" | "без ндс" => {
                return Some(VatRate::None);
            }
            "0" | "0%" => return Some(VatRate::Zero),
            "5" | "5%" => return Some(VatRate::Five),
            "7" | "7%" => return Some(VatRate::Seven),
            "10" | "10%" => return Some(VatRate::Ten),
            "20" | "20%" => return Some(VatRate::Twenty),
            "22" | "22%" => return Some(VatRate::TwentyTwo),
            _ => {}
        }
        let mut folded = String::with_capacity(input.len());
        fold_name_into(input, &mut folded);
        let compact: String = folded
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '%')
            .collect();
        let rest = compact
            .strip_prefix("ндс")
            .or_else(|| compact.strip_prefix("vat"))
            .unwrap_or(&compact);
        match rest {
            "" if compact.is_empty() => None,
            "none" | "безндс" | "без" | "novat" | "нет" | "-" | "" => {
                Some(VatRate::None)
            }
            "0" => Some(VatRate::Zero),
            "5" => Some(VatRate::Five),
            "7" => Some(VatRate::Seven),
            "10" => Some(VatRate::Ten),
            "20" => Some(VatRate::Twenty),
            "22" => Some(VatRate::TwentyTwo),
            _ => None,
        }
    }
}

/// An image link: http or https, at most 2048 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ImageUrl(String);

impl ImageUrl {
    pub fn parse(input: &str) -> Result<Self, SkuProblem> {
        Self::check(input.trim()).map_err(|i| i.on(ProblemField::Field(SkuField::Images)))
    }

    fn check(s: &str) -> IssueResult<Self> {
        let bad = || {
            let shown: String = s.chars().take(80).collect();
            Issue::with(ProblemCode::BadUrl, ProblemDetail::Value { value: shown })
        };
        if s.len() > IMAGE_URL_MAX_CHARS && s.chars().count() > IMAGE_URL_MAX_CHARS {
            return Err(Issue::with(
                ProblemCode::TooLong,
                ProblemDetail::MaxChars {
                    max: IMAGE_URL_MAX_CHARS as u32,
                },
            ));
        }
        let rest = strip_prefix_ignore_case(s, "https://")
            .or_else(|| strip_prefix_ignore_case(s, "http://"))
            .ok_or_else(bad)?;
        let host_end = rest
            .bytes()
            .position(|c| matches!(c, b'/' | b'?' | b'#'))
            .unwrap_or(rest.len());
        let host = &rest[..host_end];
        let ok = if s.is_ascii() {
            // The common case, checked on bytes.
            !host.is_empty()
                && host.bytes().all(|c| {
                    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b':' | b'[' | b']')
                })
                && host.bytes().any(|c| c.is_ascii_alphanumeric())
                && s.bytes().all(|c| c > b' ' && c != 0x7f)
        } else {
            !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | ':' | '[' | ']'))
                && host.chars().any(char::is_alphanumeric)
                && !s.chars().any(|c| c.is_control() || c.is_whitespace())
        };
        if !ok {
            return Err(bad());
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

impl TryFrom<String> for ImageUrl {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::check(s.trim()).map_err(|i| i.code.to_string())
    }
}

impl From<ImageUrl> for String {
    fn from(u: ImageUrl) -> String {
        u.0
    }
}

/// One attribute value of a SKU.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SkuAttribute {
    pub code: AttributeCode,
    pub value: AttributeValue,
}

/// The moderated half of a SKU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkuContent {
    title: String,
    description: Option<String>,
    brand: Option<String>,
    category: CategoryCode,
    barcode: Option<Barcode>,
    /// Sorted by code, so equal content has equal bytes.
    attributes: Vec<SkuAttribute>,
    images: Vec<ImageUrl>,
    weight_g: Option<u32>,
    length_mm: Option<u32>,
    width_mm: Option<u32>,
    height_mm: Option<u32>,
}

impl SkuContent {
    pub fn title(&self) -> &str {
        &self.title
    }
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
    pub fn brand(&self) -> Option<&str> {
        self.brand.as_deref()
    }
    pub fn category(&self) -> &CategoryCode {
        &self.category
    }
    pub fn barcode(&self) -> Option<&Barcode> {
        self.barcode.as_ref()
    }
    /// Attribute values sorted by attribute code.
    pub fn attributes(&self) -> &[SkuAttribute] {
        &self.attributes
    }
    pub fn attribute(&self, code: &str) -> Option<&AttributeValue> {
        self.attributes
            .binary_search_by(|a| a.code.as_str().cmp(code))
            .ok()
            .map(|i| &self.attributes[i].value)
    }
    /// Image links in the seller's order; the first is the main image.
    pub fn images(&self) -> &[ImageUrl] {
        &self.images
    }
    pub fn weight_g(&self) -> Option<u32> {
        self.weight_g
    }
    pub fn length_mm(&self) -> Option<u32> {
        self.length_mm
    }
    pub fn width_mm(&self) -> Option<u32> {
        self.width_mm
    }
    pub fn height_mm(&self) -> Option<u32> {
        self.height_mm
    }

    /// The stable content hash (see [`super::hash`]).
    pub fn hash(&self) -> ContentHash {
        let mut buf = Vec::with_capacity(512);
        self.hash_with(&mut buf)
    }

    pub(crate) fn hash_with(&self, buf: &mut Vec<u8>) -> ContentHash {
        super::hash::content_hash(self, buf)
    }
}

/// The live half of a SKU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkuCommercial {
    price: Money,
    old_price: Option<Money>,
    vat: VatRate,
    stock: u32,
}

impl SkuCommercial {
    pub fn price(&self) -> Money {
        self.price
    }
    /// The price before the discount; always greater than the price.
    pub fn old_price(&self) -> Option<Money> {
        self.old_price
    }
    pub fn currency(&self) -> Currency {
        self.price.currency()
    }
    pub fn vat(&self) -> VatRate {
        self.vat
    }
    pub fn stock(&self) -> u32 {
        self.stock
    }
    /// The stable commercial hash (see [`super::hash`]).
    pub fn hash(&self) -> CommercialHash {
        super::hash::commercial_hash(self)
    }

    /// Checks commercial values as people type them (the cabinet's commercial form,
    /// the fast PATCH of the API), with the same rules as a whole SKU: price > 0 and
    /// at most [`PRICE_MAX_MINOR`], old price above the price, a known VAT rate, stock
    /// within `0..=STOCK_MAX`. An empty currency or VAT takes the `rules` default; an
    /// empty old price means none.
    pub fn parse(
        price: &str,
        old_price: &str,
        currency: &str,
        vat: &str,
        stock: &str,
        rules: &SkuRules,
    ) -> Result<Self, Vec<SkuProblem>> {
        let mut problems = Vec::new();
        fn take<T>(
            problems: &mut Vec<SkuProblem>,
            field: SkuField,
            r: IssueResult<T>,
        ) -> Option<T> {
            r.map_err(|i| problems.push(i.on(ProblemField::Field(field))))
                .ok()
        }
        let p = &mut problems;
        let currency = match currency.trim() {
            "" => Some(rules.default_currency),
            c => take(
                p,
                SkuField::Currency,
                Currency::from_str(c).map_err(|_| Issue::code(ProblemCode::BadCurrency)),
            ),
        };
        let price = currency
            .and_then(|cur| take(p, SkuField::Price, check_price(price, cur, true)).flatten());
        let old_price = currency.and_then(|cur| {
            take(p, SkuField::OldPrice, check_price(old_price, cur, false)).flatten()
        });
        if let (Some(price), Some(old)) = (price, old_price)
            && old.amount_minor() <= price.amount_minor()
        {
            p.push(
                Issue::code(ProblemCode::OldPriceNotGreater)
                    .on(ProblemField::Field(SkuField::OldPrice)),
            );
        }
        let vat = match vat.trim() {
            "" => Some(rules.default_vat),
            v => take(
                p,
                SkuField::Vat,
                VatRate::parse(v).ok_or(Issue::code(ProblemCode::BadVat)),
            ),
        };
        let stock = take(p, SkuField::Stock, check_stock(stock));
        match (price, vat, stock) {
            (Some(price), Some(vat), Some(stock)) if problems.is_empty() => Ok(SkuCommercial {
                price,
                old_price,
                vat,
                stock,
            }),
            _ => Err(problems),
        }
    }

    /// Rebuilds commercial data from stored values, checking the same rules as
    /// [`Self::parse`] (stored data that breaks them is refused, not trusted).
    pub fn new(
        price: Money,
        old_price: Option<Money>,
        vat: VatRate,
        stock: u32,
    ) -> Result<Self, Vec<SkuProblem>> {
        let mut problems = Vec::new();
        let on = |f: SkuField, code: ProblemCode| Issue::code(code).on(ProblemField::Field(f));
        if price.amount_minor() <= 0 {
            problems.push(on(SkuField::Price, ProblemCode::NotPositive));
        } else if price.amount_minor() > PRICE_MAX_MINOR {
            problems.push(on(SkuField::Price, ProblemCode::OutOfRange));
        }
        if let Some(old) = old_price {
            if old.currency() != price.currency() {
                problems.push(on(SkuField::Currency, ProblemCode::BadCurrency));
            } else if old.amount_minor() > PRICE_MAX_MINOR {
                problems.push(on(SkuField::OldPrice, ProblemCode::OutOfRange));
            } else if old.amount_minor() <= price.amount_minor() {
                problems.push(on(SkuField::OldPrice, ProblemCode::OldPriceNotGreater));
            }
        }
        if stock > STOCK_MAX {
            problems.push(on(SkuField::Stock, ProblemCode::OutOfRange));
        }
        if problems.is_empty() {
            Ok(SkuCommercial {
                price,
                old_price,
                vat,
                stock,
            })
        } else {
            Err(problems)
        }
    }
}

/// A SKU that passed every rule, with its hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidatedSku {
    pub seller_sku: SellerSku,
    pub content: SkuContent,
    pub commercial: SkuCommercial,
    pub content_hash: ContentHash,
    pub commercial_hash: CommercialHash,
}

/// Seller-level defaults applied to empty cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkuRules {
    pub default_currency: Currency,
    pub default_vat: VatRate,
}

impl Default for SkuRules {
    fn default() -> Self {
        Self {
            default_currency: Currency::Rub,
            default_vat: VatRate::None,
        }
    }
}

/// A SKU as the REST API and UI forms send it: every value as typed (numbers may be
/// JSON numbers or strings), attributes keyed by attribute code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SkuInput {
    #[serde(alias = "seller_sku")]
    pub sku: String,
    pub title: String,
    pub description: String,
    pub brand: String,
    /// A category code or path.
    pub category: String,
    pub barcode: String,
    #[serde(deserialize_with = "string_or_number")]
    pub price: String,
    #[serde(deserialize_with = "string_or_number")]
    pub old_price: String,
    pub currency: String,
    #[serde(deserialize_with = "string_or_number")]
    pub vat: String,
    #[serde(deserialize_with = "string_or_number")]
    pub stock: String,
    #[serde(deserialize_with = "string_or_number")]
    pub weight_g: String,
    #[serde(deserialize_with = "string_or_number")]
    pub length_mm: String,
    #[serde(deserialize_with = "string_or_number")]
    pub width_mm: String,
    #[serde(deserialize_with = "string_or_number")]
    pub height_mm: String,
    pub images: Vec<String>,
    pub attributes: BTreeMap<String, String>,
}

/// Accepts `"12.5"`, `12.5`, `12`, `true` or `null` and keeps the text as written.
fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s,
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    })
}

impl SkuInput {
    /// The form values of a stored SKU, so a form or an API client can edit it and
    /// send it back: `validate` of the result gives the same content and commercial
    /// data (and so the same hashes).
    pub fn from_parts(seller_sku: &str, content: &SkuContent, commercial: &SkuCommercial) -> Self {
        let num = |v: Option<u32>| v.map(|n| n.to_string()).unwrap_or_default();
        SkuInput {
            sku: seller_sku.to_string(),
            title: content.title.clone(),
            description: content.description.clone().unwrap_or_default(),
            brand: content.brand.clone().unwrap_or_default(),
            category: content.category.to_string(),
            barcode: content
                .barcode
                .as_ref()
                .map(|b| b.as_str().to_string())
                .unwrap_or_default(),
            price: commercial.price.to_plain_string(),
            old_price: commercial
                .old_price
                .map(|m| m.to_plain_string())
                .unwrap_or_default(),
            currency: commercial.currency().code().to_string(),
            vat: commercial.vat.code().to_string(),
            stock: commercial.stock.to_string(),
            weight_g: num(content.weight_g),
            length_mm: num(content.length_mm),
            width_mm: num(content.width_mm),
            height_mm: num(content.height_mm),
            images: content
                .images
                .iter()
                .map(|i| i.as_str().to_string())
                .collect(),
            attributes: content
                .attributes
                .iter()
                .map(|a| (a.code.to_string(), a.value.as_input()))
                .collect(),
        }
    }

    /// Runs every SKU rule. All problems are returned, not just the first.
    pub fn validate(
        &self,
        index: &CategoryIndex,
        rules: &SkuRules,
    ) -> Result<ValidatedSku, Vec<SkuProblem>> {
        let mut problems = Vec::new();
        let mut scratch = String::new();
        let raw = RawSku {
            sku: &self.sku,
            title: &self.title,
            description: &self.description,
            brand: &self.brand,
            barcode: &self.barcode,
            price: &self.price,
            old_price: &self.old_price,
            currency: &self.currency,
            vat: &self.vat,
            stock: &self.stock,
            weight_g: &self.weight_g,
            length_mm: &self.length_mm,
            width_mm: &self.width_mm,
            height_mm: &self.height_mm,
            images: RawImages::List(&self.images),
        };
        let category = resolve_leaf(index, &self.category, &mut scratch);
        let mut core = check_core(&raw, category, rules, &mut problems);
        let mut attributes = Vec::new();
        if let Some(pos) = core.category_pos {
            let mut present = vec![false; index.effective_locs(pos).len()];
            for (code, value) in &self.attributes {
                let value = value.trim();
                if value.is_empty() {
                    continue;
                }
                let field = ProblemField::Attribute(code.clone());
                let Some(slot) = index
                    .effective_locs(pos)
                    .iter()
                    .position(|l| index.attribute_at(*l).code.as_str() == code)
                else {
                    problems.push(Issue::code(ProblemCode::UnknownAttribute).on(field));
                    continue;
                };
                let loc = index.effective_locs(pos)[slot];
                // A value that is there but wrong is reported as wrong, not also as missing.
                present[slot] = true;
                match parse_attribute_value(index, loc, value, &mut scratch) {
                    Ok(v) => {
                        attributes.push(SkuAttribute {
                            code: index.attribute_at(loc).code.clone(),
                            value: v,
                        });
                    }
                    Err(issue) => problems.push(issue.on(field)),
                }
            }
            missing_required(index, pos, &present, &mut problems);
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        core.attributes = attributes;
        let mut buf = Vec::with_capacity(512);
        core.finish(index, &mut buf).ok_or(problems)
    }
}

pub(crate) fn missing_required(
    index: &CategoryIndex,
    pos: u32,
    present: &[bool],
    problems: &mut Vec<SkuProblem>,
) {
    for (slot, loc) in index.effective_locs(pos).iter().enumerate() {
        let a = index.attribute_at(*loc);
        if a.required && !present.get(slot).copied().unwrap_or(false) {
            problems.push(SkuProblem::new(
                ProblemField::Attribute(a.code.to_string()),
                ProblemCode::MissingRequiredAttribute,
                ProblemDetail::Attribute {
                    name_ru: a.name_ru.clone(),
                    name_en: a.name_en.clone(),
                },
            ));
        }
    }
}

/// Borrowed raw values of the standard fields (empty string = not given).
pub(crate) struct RawSku<'a> {
    pub(crate) sku: &'a str,
    pub(crate) title: &'a str,
    pub(crate) description: &'a str,
    pub(crate) brand: &'a str,
    pub(crate) barcode: &'a str,
    pub(crate) price: &'a str,
    pub(crate) old_price: &'a str,
    pub(crate) currency: &'a str,
    pub(crate) vat: &'a str,
    pub(crate) stock: &'a str,
    pub(crate) weight_g: &'a str,
    pub(crate) length_mm: &'a str,
    pub(crate) width_mm: &'a str,
    pub(crate) height_mm: &'a str,
    pub(crate) images: RawImages<'a>,
}

pub(crate) enum RawImages<'a> {
    /// One CSV cell: links separated by spaces, commas, semicolons or line breaks.
    Cell(&'a str),
    /// A list from JSON or a form.
    List(&'a [String]),
}

/// The checked standard fields; `None` where a problem was recorded.
pub(crate) struct Core {
    sku: Option<SellerSku>,
    title: Option<String>,
    description: Option<String>,
    brand: Option<String>,
    pub(crate) category_pos: Option<u32>,
    barcode: Option<Barcode>,
    price: Option<Money>,
    old_price: Option<Money>,
    vat: Option<VatRate>,
    stock: Option<u32>,
    weight_g: Option<u32>,
    length_mm: Option<u32>,
    width_mm: Option<u32>,
    height_mm: Option<u32>,
    images: Vec<ImageUrl>,
    pub(crate) attributes: Vec<SkuAttribute>,
    ok: bool,
}

impl Core {
    pub(crate) fn seller_sku(&self) -> Option<&SellerSku> {
        self.sku.as_ref()
    }

    /// Builds the validated SKU when no problem was recorded.
    pub(crate) fn finish(
        mut self,
        index: &CategoryIndex,
        buf: &mut Vec<u8>,
    ) -> Option<ValidatedSku> {
        if !self.ok {
            return None;
        }
        let category = index.at(self.category_pos?).code().clone();
        self.attributes.sort_unstable_by(|a, b| a.code.cmp(&b.code));
        let content = SkuContent {
            title: self.title?,
            description: self.description,
            brand: self.brand,
            category,
            barcode: self.barcode,
            attributes: self.attributes,
            images: self.images,
            weight_g: self.weight_g,
            length_mm: self.length_mm,
            width_mm: self.width_mm,
            height_mm: self.height_mm,
        };
        let commercial = SkuCommercial {
            price: self.price?,
            old_price: self.old_price,
            vat: self.vat?,
            stock: self.stock?,
        };
        let content_hash = content.hash_with(buf);
        let commercial_hash = commercial.hash();
        Some(ValidatedSku {
            seller_sku: self.sku?,
            content,
            commercial,
            content_hash,
            commercial_hash,
        })
    }
}

/// Resolves a category cell to a leaf category position.
pub(crate) fn resolve_leaf(
    index: &CategoryIndex,
    input: &str,
    scratch: &mut String,
) -> Result<u32, Issue> {
    if input.trim().is_empty() {
        return Err(Issue::code(ProblemCode::Required));
    }
    match index.resolve_pos(input, scratch) {
        Ok(pos) if index.at(pos).is_leaf() => Ok(pos),
        Ok(_) => Err(Issue::code(ProblemCode::NotLeafCategory)),
        Err(ResolveError::Unknown) => Err(Issue::code(ProblemCode::UnknownCategory)),
        Err(ResolveError::Ambiguous(paths)) => Err(Issue::with(
            ProblemCode::AmbiguousCategory,
            ProblemDetail::Candidates { paths },
        )),
    }
}

/// Checks the standard fields, recording problems. `category` is the caller's
/// resolution of the category cell (callers cache it between rows).
pub(crate) fn check_core(
    raw: &RawSku<'_>,
    category: Result<u32, Issue>,
    rules: &SkuRules,
    problems: &mut Vec<SkuProblem>,
) -> Core {
    let before = problems.len();
    fn take<T>(problems: &mut Vec<SkuProblem>, field: SkuField, r: IssueResult<T>) -> Option<T> {
        r.map_err(|i| problems.push(i.on(ProblemField::Field(field))))
            .ok()
    }
    let p = &mut *problems;
    let sku = take(p, SkuField::Sku, SellerSku::check(raw.sku));
    let title = take(
        p,
        SkuField::Title,
        check_line_text(raw.title, TITLE_MAX_CHARS, true),
    )
    .flatten();
    let description = take(p, SkuField::Description, check_description(raw.description)).flatten();
    let brand = take(
        p,
        SkuField::Brand,
        check_line_text(raw.brand, BRAND_MAX_CHARS, false),
    )
    .flatten();
    let category_pos = take(p, SkuField::Category, category);
    let barcode = match raw.barcode.trim() {
        "" => None,
        b => take(p, SkuField::Barcode, Barcode::check(b)),
    };
    let currency = match raw.currency.trim() {
        "" => Some(rules.default_currency),
        c => take(
            p,
            SkuField::Currency,
            Currency::from_str(c).map_err(|_| Issue::code(ProblemCode::BadCurrency)),
        ),
    };
    let price = currency
        .and_then(|cur| take(p, SkuField::Price, check_price(raw.price, cur, true)).flatten());
    let old_price = currency.and_then(|cur| {
        take(
            p,
            SkuField::OldPrice,
            check_price(raw.old_price, cur, false),
        )
        .flatten()
    });
    if let (Some(price), Some(old)) = (price, old_price)
        && old.amount_minor() <= price.amount_minor()
    {
        p.push(
            Issue::code(ProblemCode::OldPriceNotGreater)
                .on(ProblemField::Field(SkuField::OldPrice)),
        );
    }
    let vat = match raw.vat.trim() {
        "" => Some(rules.default_vat),
        v => take(
            p,
            SkuField::Vat,
            VatRate::parse(v).ok_or(Issue::code(ProblemCode::BadVat)),
        ),
    };
    let stock = take(p, SkuField::Stock, check_stock(raw.stock));
    let weight_g = take(
        p,
        SkuField::WeightG,
        check_dimension(raw.weight_g, WEIGHT_MAX_G),
    )
    .flatten();
    let length_mm = take(
        p,
        SkuField::LengthMm,
        check_dimension(raw.length_mm, DIMENSION_MAX_MM),
    )
    .flatten();
    let width_mm = take(
        p,
        SkuField::WidthMm,
        check_dimension(raw.width_mm, DIMENSION_MAX_MM),
    )
    .flatten();
    let height_mm = take(
        p,
        SkuField::HeightMm,
        check_dimension(raw.height_mm, DIMENSION_MAX_MM),
    )
    .flatten();
    let images = match check_images(&raw.images) {
        Ok(v) => v,
        Err(issues) => {
            for i in issues {
                problems.push(i.on(ProblemField::Field(SkuField::Images)));
            }
            Vec::new()
        }
    };
    Core {
        ok: problems.len() == before,
        sku,
        title,
        description,
        brand,
        category_pos,
        barcode,
        price,
        old_price,
        vat,
        stock,
        weight_g,
        length_mm,
        width_mm,
        height_mm,
        images,
        attributes: Vec::new(),
    }
}

/// Collapses whitespace runs to one space and trims, borrowing when nothing changes.
fn collapse_whitespace(s: &str) -> std::borrow::Cow<'_, str> {
    let s = s.trim();
    if !needs_whitespace_collapse(s) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    std::borrow::Cow::Owned(out)
}

fn char_len_over(s: &str, max: usize) -> bool {
    s.len() > max && s.chars().count() > max
}

/// A one-line text: whitespace collapsed, no control characters, at most `max` chars.
fn check_line_text(input: &str, max: usize, required: bool) -> IssueResult<Option<String>> {
    let s = collapse_whitespace(input);
    if s.is_empty() {
        return if required {
            Err(Issue::code(ProblemCode::Required))
        } else {
            Ok(None)
        };
    }
    if has_any_control_chars(&s) {
        return Err(Issue::code(ProblemCode::ControlChars));
    }
    if char_len_over(&s, max) {
        return Err(Issue::with(
            ProblemCode::TooLong,
            ProblemDetail::MaxChars { max: max as u32 },
        ));
    }
    Ok(Some(s.into_owned()))
}

fn check_description(input: &str) -> IssueResult<Option<String>> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let s = if s.as_bytes().contains(&b'\r') {
        s.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        s.to_string()
    };
    if has_control_chars(&s) {
        return Err(Issue::code(ProblemCode::ControlChars));
    }
    if char_len_over(&s, DESCRIPTION_MAX_CHARS) {
        return Err(Issue::with(
            ProblemCode::TooLong,
            ProblemDetail::MaxChars {
                max: DESCRIPTION_MAX_CHARS as u32,
            },
        ));
    }
    Ok(Some(s))
}

/// Parses a price. Plain `1299.90` / `1299,9` take a fast path; everything else
/// (`1 299,90`, `1.299,90`, `1 299 ₽`) goes through [`Money::parse`].
fn check_price(input: &str, currency: Currency, required: bool) -> IssueResult<Option<Money>> {
    let s = input.trim();
    if s.is_empty() {
        return if required {
            Err(Issue::code(ProblemCode::Required))
        } else {
            Ok(None)
        };
    }
    let money = match fast_minor(s, currency.minor_digits()) {
        Some(minor) => Money::from_minor(minor, currency),
        None => Money::parse(s, currency).map_err(|e| match e {
            MoneyError::TooManyDecimals { max } => Issue::with(
                ProblemCode::TooManyDecimals,
                ProblemDetail::MaxDecimals { max },
            ),
            MoneyError::Overflow => Issue::with(
                ProblemCode::OutOfRange,
                ProblemDetail::MaxMoney {
                    max: Money::from_minor(PRICE_MAX_MINOR, currency),
                },
            ),
            _ => Issue::code(ProblemCode::BadNumber),
        })?,
    };
    if money.amount_minor() <= 0 {
        return Err(Issue::code(ProblemCode::NotPositive));
    }
    if money.amount_minor() > PRICE_MAX_MINOR {
        return Err(Issue::with(
            ProblemCode::OutOfRange,
            ProblemDetail::MaxMoney {
                max: Money::from_minor(PRICE_MAX_MINOR, currency),
            },
        ));
    }
    Ok(Some(money))
}

/// `1299`, `1299,9`, `1 299,90`, `1\u{a0}299.90` (digits, spaces or no-break spaces
/// between digit groups, one separator, at most `digits` decimals) to minor units
/// without allocating; `None` sends the input to the full parser.
fn fast_minor(s: &str, digits: u32) -> Option<i64> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 24 {
        return None;
    }
    let mut major: i64 = 0;
    let mut major_digits = 0;
    let mut minor: i64 = 0;
    let mut scale: Option<u32> = None;
    let mut i = 0;
    while i < b.len() {
        match (b[i], scale) {
            (c @ b'0'..=b'9', None) => {
                major_digits += 1;
                if major_digits > 12 {
                    return None;
                }
                major = major * 10 + i64::from(c - b'0');
            }
            (c @ b'0'..=b'9', Some(n)) if n < digits => {
                minor = minor * 10 + i64::from(c - b'0');
                scale = Some(n + 1);
            }
            (b' ', None) if major_digits > 0 => {}
            (0xC2, None) if major_digits > 0 && b.get(i + 1) == Some(&0xA0) => i += 1,
            (b'.' | b',', None) if major_digits > 0 => scale = Some(0),
            _ => return None,
        }
        i += 1;
    }
    let used = scale.unwrap_or(0);
    if scale == Some(0) {
        return None;
    }
    Some(major * 10_i64.pow(digits) + minor * 10_i64.pow(digits - used))
}

/// `6`, `6,1`, `-0.25`: a plain decimal without allocating; `None` for anything else.
fn fast_decimal(s: &str) -> Option<Decimal> {
    let (negative, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let b = body.as_bytes();
    if b.is_empty() || b.len() > 18 || !b[0].is_ascii_digit() {
        return None;
    }
    let mut mantissa: i64 = 0;
    let mut scale: Option<u32> = None;
    for &c in b {
        match c {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + i64::from(c - b'0');
                scale = scale.map(|n| n + 1);
            }
            b'.' | b',' if scale.is_none() => scale = Some(0),
            _ => return None,
        }
    }
    if scale == Some(0) {
        return None;
    }
    let d = Decimal::new(
        if negative { -mantissa } else { mantissa },
        scale.unwrap_or(0),
    );
    Some(d)
}

/// Parses a whole number the way spreadsheets write it: thousands spaces (also
/// no-break and thin spaces), an optional sign, and a fraction only if it is zero
/// (`25,00` is 25; `25,5` is not a whole number).
pub(crate) fn parse_integer(input: &str) -> IssueResult<i64> {
    let s = input.trim();
    if s.is_empty() {
        return Err(Issue::code(ProblemCode::BadNumber));
    }
    let bytes = s.as_bytes();
    if bytes.len() <= 18 && bytes.iter().all(u8::is_ascii_digit) {
        return Ok(bytes
            .iter()
            .fold(0_i64, |n, d| n * 10 + i64::from(d - b'0')));
    }
    let (negative, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let mut value: i64 = 0;
    let mut seen_digit = false;
    let mut in_fraction = false;
    let mut fraction_nonzero = false;
    for c in body.chars() {
        match c {
            '0'..='9' if in_fraction => fraction_nonzero |= c != '0',
            '0'..='9' => {
                seen_digit = true;
                value = value
                    .checked_mul(10)
                    .and_then(|v| v.checked_add(i64::from(c as u8 - b'0')))
                    .ok_or(Issue::with(ProblemCode::OutOfRange, ProblemDetail::None))?;
            }
            ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' if !in_fraction && seen_digit => {}
            '.' | ',' if !in_fraction && seen_digit => in_fraction = true,
            _ => return Err(Issue::code(ProblemCode::BadNumber)),
        }
    }
    if !seen_digit {
        return Err(Issue::code(ProblemCode::BadNumber));
    }
    if fraction_nonzero {
        return Err(Issue::code(ProblemCode::NotInteger));
    }
    Ok(if negative { -value } else { value })
}

fn check_stock(input: &str) -> IssueResult<u32> {
    if input.trim().is_empty() {
        return Err(Issue::code(ProblemCode::Required));
    }
    let n = parse_integer(input)?;
    let range = || {
        Issue::with(
            ProblemCode::OutOfRange,
            ProblemDetail::Range {
                min: Some(0),
                max: Some(i64::from(STOCK_MAX)),
            },
        )
    };
    u32::try_from(n)
        .ok()
        .filter(|&n| n <= STOCK_MAX)
        .ok_or_else(range)
}

fn check_dimension(input: &str, max: u32) -> IssueResult<Option<u32>> {
    if input.trim().is_empty() {
        return Ok(None);
    }
    let n = parse_integer(input)?;
    if n <= 0 {
        return Err(Issue::code(ProblemCode::NotPositive));
    }
    if n > i64::from(max) {
        return Err(Issue::with(
            ProblemCode::OutOfRange,
            ProblemDetail::Range {
                min: Some(1),
                max: Some(i64::from(max)),
            },
        ));
    }
    Ok(Some(n as u32))
}

/// Splits an images cell on whitespace, commas and semicolons.
pub(crate) fn split_images(cell: &str) -> impl Iterator<Item = &str> {
    // Links are nearly always ASCII; then no Unicode whitespace table is needed.
    let ascii = cell.is_ascii();
    cell.split(move |c: char| {
        if ascii {
            matches!(c, ' ' | ',' | ';' | '\n' | '\r' | '\t' | '\x0b' | '\x0c')
        } else {
            c.is_whitespace() || c == ',' || c == ';'
        }
    })
    .filter(|s| !s.is_empty())
}

fn check_images(raw: &RawImages<'_>) -> Result<Vec<ImageUrl>, Vec<Issue>> {
    let mut urls = Vec::new();
    let mut issues = Vec::new();
    let mut count = 0usize;
    let mut push = |s: &str| {
        count += 1;
        if count > MAX_IMAGES {
            return;
        }
        match ImageUrl::check(s) {
            Ok(u) => urls.push(u),
            Err(i) => issues.push(i),
        }
    };
    match raw {
        RawImages::Cell(cell) => split_images(cell).for_each(&mut push),
        RawImages::List(list) => list
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .for_each(&mut push),
    }
    if count > MAX_IMAGES {
        issues.push(Issue::with(
            ProblemCode::TooManyImages,
            ProblemDetail::MaxCount {
                max: MAX_IMAGES as u32,
            },
        ));
    }
    if issues.is_empty() {
        Ok(urls)
    } else {
        Err(issues)
    }
}

/// Removes a unit written after a number (`5000 мАч`, `6,1"`) when it is one of the
/// attribute's unit spellings.
fn strip_unit(s: &str, unit: Option<super::Unit>) -> &str {
    let Some(unit) = unit else { return s };
    let s = s.trim();
    if s.as_bytes().last().is_none_or(u8::is_ascii_digit) {
        return s;
    }
    let number_end = s
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_ascii_digit())
        .map_or(0, |(i, _)| i + 1);
    let suffix: String = s[number_end..]
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '·' | '*' | '-'))
        .flat_map(char::to_lowercase)
        .collect();
    if unit.cell_suffixes().iter().any(|u| *u == suffix) {
        s[..number_end].trim_end()
    } else {
        s
    }
}

/// `6.1`, `6,10`, `-3,5`: a decimal with at most `max_scale` significant decimals.
fn parse_decimal_value(s: &str, max_scale: u32) -> IssueResult<Decimal> {
    let d = match fast_decimal(s) {
        Some(d) => d,
        None => crate::money::parse_decimal(s).map_err(|e| match e {
            MoneyError::Overflow => Issue::code(ProblemCode::OutOfRange),
            _ => Issue::code(ProblemCode::BadNumber),
        })?,
    };
    let d = d.normalize();
    if d.scale() > max_scale {
        return Err(Issue::with(
            ProblemCode::TooManyDecimals,
            ProblemDetail::MaxDecimals { max: max_scale },
        ));
    }
    Ok(d)
}

fn parse_boolean(s: &str, scratch: &mut String) -> IssueResult<bool> {
    match s {
        "да" | "Да" | "yes" | "Yes" | "true" | "1" => return Ok(true),
        "нет" | "Нет" | "no" | "No" | "false" | "0" => return Ok(false),
        _ => {}
    }
    fold_name_into(s, scratch);
    match scratch.as_str() {
        "да" | "yes" | "true" | "1" | "+" | "y" | "д" | "есть" | "истина" => Ok(true),
        "нет" | "no" | "false" | "0" | "-" | "n" | "н" | "отсутствует" | "ложь" => {
            Ok(false)
        }
        _ => Err(Issue::code(ProblemCode::BadBoolean)),
    }
}

/// Parses and type-checks one attribute value against the schema.
pub(crate) fn parse_attribute_value(
    index: &CategoryIndex,
    loc: AttrLoc,
    raw: &str,
    scratch: &mut String,
) -> IssueResult<AttributeValue> {
    let attribute = index.attribute_at(loc);
    let s = raw.trim();
    match &attribute.kind {
        AttributeKind::Text { max_len } => check_line_text(s, *max_len as usize, true)
            .map(|t| AttributeValue::Text(t.unwrap_or_default())),
        AttributeKind::Integer { min, max, unit } => {
            let n = parse_integer(strip_unit(s, *unit)).map_err(|i| match i.code {
                ProblemCode::OutOfRange => Issue::with(
                    ProblemCode::OutOfRange,
                    ProblemDetail::Range {
                        min: *min,
                        max: *max,
                    },
                ),
                _ => i,
            })?;
            if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                return Err(Issue::with(
                    ProblemCode::OutOfRange,
                    ProblemDetail::Range {
                        min: *min,
                        max: *max,
                    },
                ));
            }
            Ok(AttributeValue::Integer(n))
        }
        AttributeKind::Decimal { max_scale, unit } => {
            parse_decimal_value(strip_unit(s, *unit), *max_scale).map(AttributeValue::Decimal)
        }
        AttributeKind::Boolean => parse_boolean(s, scratch).map(AttributeValue::Boolean),
        AttributeKind::Enum { values } => match index.match_enum_code(loc, s, scratch) {
            Some(code) => Ok(AttributeValue::Enum(code.clone())),
            None => {
                const SHOWN: usize = 12;
                let list = |l: Locale| {
                    let mut names: Vec<&str> =
                        values.iter().take(SHOWN).map(|v| v.name(l)).collect();
                    if values.len() > SHOWN {
                        names.push("…");
                    }
                    names.join(", ")
                };
                Err(Issue::with(
                    ProblemCode::BadEnumValue,
                    ProblemDetail::Allowed {
                        ru: list(Locale::Ru),
                        en: list(Locale::En),
                    },
                ))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> std::sync::Arc<CategoryIndex> {
        crate::catalog::starter_for_tests()
    }

    fn phone() -> SkuInput {
        SkuInput {
            sku: "PH-001".into(),
            title: "Смартфон Xiaomi Redmi Note 13, 8/256 ГБ, чёрный".into(),
            category: "Электроника/Смартфоны".into(),
            barcode: "4006381333931".into(),
            price: "24 999,90".into(),
            old_price: "29 999".into(),
            stock: "15".into(),
            images: vec!["https://cdn.example.com/a.jpg".into()],
            attributes: [
                ("screen_size_in", "6,67\""),
                ("storage_gb", "256 ГБ"),
                ("color", "черный"),
                ("battery_mah", "5 000 мАч"),
                ("nfc", "да"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
            ..SkuInput::default()
        }
    }

    fn codes(r: Result<ValidatedSku, Vec<SkuProblem>>) -> Vec<(String, ProblemCode)> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|p| (p.field.key(), p.code))
            .collect()
    }

    #[test]
    fn a_complete_phone_validates_with_typed_attributes() {
        let v = phone().validate(&index(), &SkuRules::default()).unwrap();
        assert_eq!(v.seller_sku.as_str(), "PH-001");
        assert_eq!(v.commercial.price().amount_minor(), 2_499_990);
        assert_eq!(
            v.commercial.old_price().map(|m| m.amount_minor()),
            Some(2_999_900)
        );
        assert_eq!(v.commercial.vat(), VatRate::None);
        assert_eq!(v.content.category().as_str(), "smartphones");
        assert_eq!(
            v.content.attribute("color"),
            Some(&AttributeValue::Enum("black".into()))
        );
        assert_eq!(
            v.content.attribute("storage_gb"),
            Some(&AttributeValue::Enum("256".into()))
        );
        assert_eq!(
            v.content.attribute("battery_mah"),
            Some(&AttributeValue::Integer(5000))
        );
        assert_eq!(
            v.content.attribute("screen_size_in"),
            Some(&AttributeValue::Decimal(Decimal::new(667, 2)))
        );
        assert_eq!(
            v.content.attribute("nfc"),
            Some(&AttributeValue::Boolean(true))
        );
        assert_eq!(
            v.content.barcode().map(Barcode::kind),
            Some(BarcodeKind::Ean13)
        );
    }

    #[test]
    fn every_problem_is_reported_not_just_the_first() {
        let mut s = phone();
        s.title = String::new();
        s.price = "0".into();
        s.stock = "-1".into();
        s.barcode = "4006381333932".into();
        s.vat = "18".into();
        let found = codes(s.validate(&index(), &SkuRules::default()));
        for want in [
            ("title", ProblemCode::Required),
            ("price", ProblemCode::NotPositive),
            ("stock", ProblemCode::OutOfRange),
            ("barcode", ProblemCode::BadChecksum),
            ("vat", ProblemCode::BadVat),
        ] {
            assert!(
                found.contains(&(want.0.to_string(), want.1)),
                "{want:?} not in {found:?}"
            );
        }
    }

    #[test]
    fn category_must_exist_and_be_a_leaf() {
        let mut s = phone();
        s.category = "Электроника".into();
        assert!(
            codes(s.validate(&index(), &SkuRules::default()))
                .contains(&("category".into(), ProblemCode::NotLeafCategory))
        );
        s.category = "Гаджеты".into();
        assert!(
            codes(s.validate(&index(), &SkuRules::default()))
                .contains(&("category".into(), ProblemCode::UnknownCategory))
        );
    }

    #[test]
    fn attributes_are_checked_against_the_category() {
        let mut s = phone();
        s.attributes.insert("author".into(), "Пушкин".into());
        s.attributes.insert("sim_count".into(), "9".into());
        s.attributes.insert("os".into(), "Symbian".into());
        s.attributes.remove("color");
        let found = codes(s.validate(&index(), &SkuRules::default()));
        assert!(found.contains(&("attr:author".into(), ProblemCode::UnknownAttribute)));
        assert!(found.contains(&("attr:sim_count".into(), ProblemCode::OutOfRange)));
        assert!(found.contains(&("attr:os".into(), ProblemCode::BadEnumValue)));
        assert!(found.contains(&("attr:color".into(), ProblemCode::MissingRequiredAttribute)));
    }

    #[test]
    fn a_stored_sku_round_trips_through_its_form_values() {
        let v = phone().validate(&index(), &SkuRules::default()).unwrap();
        let again = SkuInput::from_parts(v.seller_sku.as_str(), &v.content, &v.commercial)
            .validate(&index(), &SkuRules::default())
            .unwrap();
        assert_eq!(again, v);
    }

    #[test]
    fn commercial_values_follow_the_sku_rules() {
        let rules = SkuRules::default();
        let c = SkuCommercial::parse("1 299,90", "1 500", "", "20%", "7", &rules).unwrap();
        assert_eq!(c.price().amount_minor(), 129_990);
        assert_eq!(c.old_price().map(|m| m.amount_minor()), Some(150_000));
        assert_eq!(c.vat(), VatRate::Twenty);
        assert_eq!(c.stock(), 7);
        let problems = SkuCommercial::parse("1299,90", "999", "", "", "", &rules).unwrap_err();
        let found: Vec<(String, ProblemCode)> =
            problems.iter().map(|p| (p.field.key(), p.code)).collect();
        assert_eq!(
            found,
            [
                ("old_price".to_string(), ProblemCode::OldPriceNotGreater),
                ("stock".to_string(), ProblemCode::Required)
            ]
        );
        let rebuilt = SkuCommercial::new(c.price(), c.old_price(), c.vat(), c.stock()).unwrap();
        assert_eq!(rebuilt.hash(), c.hash());
        assert!(SkuCommercial::new(c.price(), Some(c.price()), c.vat(), 1).is_err());
    }

    #[test]
    fn old_price_must_exceed_price() {
        let mut s = phone();
        s.old_price = "24 999,90".into();
        assert_eq!(
            codes(s.validate(&index(), &SkuRules::default())),
            [("old_price".to_string(), ProblemCode::OldPriceNotGreater)]
        );
    }

    #[test]
    fn prices_accept_spreadsheet_formats_and_refuse_fractions_of_kopecks() {
        let rub =
            |s: &str| check_price(s, Currency::Rub, true).map(|m| m.map(|m| m.amount_minor()));
        assert_eq!(rub("1 299,90"), Ok(Some(129_990)));
        assert_eq!(rub("1\u{a0}299,9"), Ok(Some(129_990)));
        assert_eq!(rub("1299.9"), Ok(Some(129_990)));
        assert_eq!(rub("1299"), Ok(Some(129_900)));
        assert_eq!(rub("0,01"), Ok(Some(1)));
        assert_eq!(rub("1 299 ₽"), Ok(Some(129_900)));
        assert_eq!(rub("1,299.90"), Ok(Some(129_990)));
        assert_eq!(rub("1.299,90"), Ok(Some(129_990)));
        assert_eq!(rub("12 499"), Ok(Some(1_249_900)));
        assert_eq!(rub("1 299,"), Ok(Some(129_900)));
        assert_eq!(
            rub("12,999").map_err(|i| i.code),
            Err(ProblemCode::TooManyDecimals)
        );
        assert_eq!(rub("abc").map_err(|i| i.code), Err(ProblemCode::BadNumber));
        assert_eq!(rub("-5").map_err(|i| i.code), Err(ProblemCode::NotPositive));
        assert_eq!(rub("100 000 000,00"), Ok(Some(PRICE_MAX_MINOR)));
        assert_eq!(
            rub("100 000 000,01").map_err(|i| i.code),
            Err(ProblemCode::OutOfRange)
        );
        assert_eq!(rub("").map_err(|i| i.code), Err(ProblemCode::Required));
    }

    #[test]
    fn integers_accept_thousands_spaces_and_zero_fractions() {
        assert_eq!(parse_integer("1 000"), Ok(1000));
        assert_eq!(parse_integer("1\u{a0}000"), Ok(1000));
        assert_eq!(parse_integer("25,00"), Ok(25));
        assert_eq!(parse_integer("-3"), Ok(-3));
        assert_eq!(
            parse_integer("25,5").map_err(|i| i.code),
            Err(ProblemCode::NotInteger)
        );
        assert_eq!(
            parse_integer("2 5x").map_err(|i| i.code),
            Err(ProblemCode::BadNumber)
        );
        assert_eq!(
            parse_integer("99999999999999999999").map_err(|i| i.code),
            Err(ProblemCode::OutOfRange)
        );
    }

    #[test]
    fn barcodes_check_their_digits() {
        assert_eq!(
            Barcode::parse("4006381333931").map(|b| b.kind()),
            Ok(BarcodeKind::Ean13)
        );
        assert_eq!(
            Barcode::parse("96385074").map(|b| b.kind()),
            Ok(BarcodeKind::Ean8)
        );
        assert_eq!(
            Barcode::parse("036000291452").map(|b| b.kind()),
            Ok(BarcodeKind::UpcA)
        );
        assert_eq!(
            Barcode::parse("4 006381 333931").map(|b| b.as_str().to_string()),
            Ok("4006381333931".into())
        );
        assert_eq!(
            Barcode::parse("4006381333932").map_err(|p| p.code),
            Err(ProblemCode::BadChecksum)
        );
        assert_eq!(
            Barcode::parse("4,00638E+12").map_err(|p| p.code),
            Err(ProblemCode::BadBarcode)
        );
        assert_eq!(
            Barcode::parse("12345").map_err(|p| p.code),
            Err(ProblemCode::BadBarcode)
        );
        assert_eq!(gtin_check_digit(b"400638133393"), b'1');
    }

    #[test]
    fn vat_accepts_russian_and_english_spellings() {
        for (s, want) in [
            ("без НДС", VatRate::None),
            ("Без ндс", VatRate::None),
            ("none", VatRate::None),
            ("20", VatRate::Twenty),
            ("20%", VatRate::Twenty),
            ("НДС 22 %", VatRate::TwentyTwo),
            ("vat 5", VatRate::Five),
            ("0", VatRate::Zero),
        ] {
            assert_eq!(VatRate::parse(s), Some(want), "{s:?}");
        }
        assert_eq!(VatRate::parse("18"), None);
        assert_eq!(VatRate::parse(""), None);
    }

    #[test]
    fn image_links_must_be_http() {
        assert!(ImageUrl::parse("https://cdn.example.com/x.jpg").is_ok());
        assert!(ImageUrl::parse("HTTP://пример.рф/фото.jpg").is_ok());
        for bad in [
            "ftp://x.com/a.jpg",
            "cdn.example.com/a.jpg",
            "https:///a.jpg",
            "javascript:alert(1)",
        ] {
            assert_eq!(
                ImageUrl::parse(bad).map_err(|p| p.code),
                Err(ProblemCode::BadUrl),
                "{bad}"
            );
        }
        let cell = "https://a.ru/1.jpg,https://a.ru/2.jpg;\nhttps://a.ru/3.jpg  https://a.ru/4.jpg";
        assert_eq!(check_images(&RawImages::Cell(cell)).map(|v| v.len()), Ok(4));
        let many = (0..16)
            .map(|i| format!("https://a.ru/{i}.jpg"))
            .collect::<Vec<_>>()
            .join(" ");
        let issues = check_images(&RawImages::Cell(&many)).unwrap_err();
        assert_eq!(issues[0].code, ProblemCode::TooManyImages);
    }

    #[test]
    fn seller_sku_is_trimmed_limited_and_case_sensitive() {
        assert_eq!(
            SellerSku::parse("  AB-1 ").map(|s| s.as_str().to_string()),
            Ok("AB-1".into())
        );
        assert_ne!(SellerSku::parse("ab-1"), SellerSku::parse("AB-1"));
        assert_eq!(
            SellerSku::parse(&"x".repeat(65)).map_err(|p| p.code),
            Err(ProblemCode::TooLong)
        );
        assert!(SellerSku::parse(&"я".repeat(64)).is_ok());
        assert_eq!(
            SellerSku::parse("a\u{7}b").map_err(|p| p.code),
            Err(ProblemCode::ControlChars)
        );
    }

    #[test]
    fn api_input_accepts_json_numbers() {
        let json = r#"{"seller_sku":"A1","title":"Футболка","category":"tshirts","price":1299.9,"stock":3,
            "attributes":{"gender":"мужской","size":"M","color":"белый"}}"#;
        let input: SkuInput = serde_json::from_str(json).unwrap();
        let v = input.validate(&index(), &SkuRules::default()).unwrap();
        assert_eq!(v.commercial.price().amount_minor(), 129_990);
        assert_eq!(v.commercial.stock(), 3);
    }

    #[test]
    fn units_after_numbers_are_understood() {
        assert_eq!(
            strip_unit("5000 мАч", Some(super::super::Unit::MilliampHour)),
            "5000"
        );
        assert_eq!(strip_unit("6,1\"", Some(super::super::Unit::Inch)), "6,1");
        assert_eq!(
            strip_unit("256ГБ", Some(super::super::Unit::Gigabyte)),
            "256"
        );
        assert_eq!(strip_unit("12 шт.", Some(super::super::Unit::Piece)), "12");
        assert_eq!(
            strip_unit("12 кг", Some(super::super::Unit::Piece)),
            "12 кг"
        );
    }
}
