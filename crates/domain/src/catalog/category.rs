//! Category schema: categories, their attributes, attribute kinds, units and values.
//!
//! These are configuration data an administrator uploads (see [`super::tree_csv`]);
//! their consistency as a tree (unique codes, known parents, no cycles, no attribute
//! defined twice along a path) is checked when a [`super::CategoryIndex`] is built.

use crate::Locale;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// Days a buyer may return goods of a category unless it says otherwise.
pub const DEFAULT_RETURN_WINDOW_DAYS: u16 = 14;
/// The longest return window a category may declare.
pub const MAX_RETURN_WINDOW_DAYS: u16 = 365;
/// Maximum length of a text attribute when the schema does not say.
pub const DEFAULT_TEXT_MAX_LEN: u32 = 1000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error(
        "bad category code {0:?}: use lowercase latin letters, digits, '_' or '-' (at most 64)"
    )]
    BadCategoryCode(String),
    #[error(
        "bad attribute code {0:?}: start with a lowercase latin letter, then letters, digits or '_' (at most 64)"
    )]
    BadAttributeCode(String),
    #[error(
        "bad enum value code {0:?}: use lowercase latin letters, digits, '_' or '-' (at most 64)"
    )]
    BadEnumValueCode(String),
    #[error("category {0} is defined twice")]
    DuplicateCategory(String),
    #[error("category {category} names unknown parent {parent}")]
    UnknownParent { category: String, parent: String },
    #[error("category {0} is its own ancestor")]
    Cycle(String),
    #[error(
        "category {category} defines attribute {attribute} that it or an ancestor already defines"
    )]
    DuplicateAttribute { category: String, attribute: String },
    #[error("attribute {attribute} of {category} lists enum value {value} twice")]
    DuplicateEnumValue {
        category: String,
        attribute: String,
        value: String,
    },
    #[error("attribute {attribute} of {category} is an enum without values")]
    EmptyEnum { category: String, attribute: String },
    #[error("attribute {attribute} of {category} has min greater than max")]
    BadRange { category: String, attribute: String },
    #[error("category {0} needs both a Russian and an English name")]
    MissingName(String),
    #[error("attribute {attribute} of {category} needs both a Russian and an English name")]
    MissingAttributeName { category: String, attribute: String },
    #[error("two sibling categories are both called {name:?}")]
    DuplicateSiblingName { name: String },
    #[error("return window of {0} must be between 0 and 365 days")]
    BadReturnWindow(String),
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

macro_rules! code_type {
    ($(#[$meta:meta])* $name:ident, $check:expr, $err:path) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(Arc<str>);

        impl $name {
            pub fn parse(input: &str) -> Result<Self, CatalogError> {
                let s = input.trim();
                let check: fn(&str) -> bool = $check;
                if check(s) {
                    Ok(Self(Arc::from(s)))
                } else {
                    Err($err(s.to_string()))
                }
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = CatalogError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = CatalogError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(c: $name) -> String {
                c.0.to_string()
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

code_type!(
    /// A category's stable code: a lowercase slug such as `smartphones`.
    CategoryCode,
    is_slug,
    CatalogError::BadCategoryCode
);

code_type!(
    /// An attribute's stable code, such as `battery_mah`. Used in `attr:<code>` columns
    /// and API payloads.
    AttributeCode,
    |s| s.len() <= 64
        && s.as_bytes().first().is_some_and(u8::is_ascii_lowercase)
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
    CatalogError::BadAttributeCode
);

/// A unit of measure shown next to numeric attribute values.
///
/// A closed list so the UI can show localised symbols; adding a unit is a code change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Unit {
    #[serde(rename = "g")]
    Gram,
    #[serde(rename = "kg")]
    Kilogram,
    #[serde(rename = "mm")]
    Millimetre,
    #[serde(rename = "cm")]
    Centimetre,
    #[serde(rename = "m")]
    Metre,
    #[serde(rename = "ml")]
    Millilitre,
    #[serde(rename = "l")]
    Litre,
    #[serde(rename = "mAh")]
    MilliampHour,
    #[serde(rename = "Wh")]
    WattHour,
    #[serde(rename = "inch")]
    Inch,
    #[serde(rename = "GB")]
    Gigabyte,
    #[serde(rename = "TB")]
    Terabyte,
    #[serde(rename = "Hz")]
    Hertz,
    #[serde(rename = "MHz")]
    Megahertz,
    #[serde(rename = "GHz")]
    Gigahertz,
    #[serde(rename = "W")]
    Watt,
    #[serde(rename = "V")]
    Volt,
    #[serde(rename = "MP")]
    Megapixel,
    #[serde(rename = "dB")]
    Decibel,
    #[serde(rename = "bar")]
    Bar,
    #[serde(rename = "pcs")]
    Piece,
    #[serde(rename = "min")]
    Minute,
    #[serde(rename = "h")]
    Hour,
    #[serde(rename = "days")]
    Day,
    #[serde(rename = "months")]
    Month,
    #[serde(rename = "years")]
    Year,
    #[serde(rename = "percent")]
    Percent,
}

impl Unit {
    pub const ALL: [Unit; 27] = [
        Unit::Gram,
        Unit::Kilogram,
        Unit::Millimetre,
        Unit::Centimetre,
        Unit::Metre,
        Unit::Millilitre,
        Unit::Litre,
        Unit::MilliampHour,
        Unit::WattHour,
        Unit::Inch,
        Unit::Gigabyte,
        Unit::Terabyte,
        Unit::Hertz,
        Unit::Megahertz,
        Unit::Gigahertz,
        Unit::Watt,
        Unit::Volt,
        Unit::Megapixel,
        Unit::Decibel,
        Unit::Bar,
        Unit::Piece,
        Unit::Minute,
        Unit::Hour,
        Unit::Day,
        Unit::Month,
        Unit::Year,
        Unit::Percent,
    ];

    /// The code used in the category CSV and in the API.
    pub const fn code(self) -> &'static str {
        match self {
            Unit::Gram => "g",
            Unit::Kilogram => "kg",
            Unit::Millimetre => "mm",
            Unit::Centimetre => "cm",
            Unit::Metre => "m",
            Unit::Millilitre => "ml",
            Unit::Litre => "l",
            Unit::MilliampHour => "mAh",
            Unit::WattHour => "Wh",
            Unit::Inch => "inch",
            Unit::Gigabyte => "GB",
            Unit::Terabyte => "TB",
            Unit::Hertz => "Hz",
            Unit::Megahertz => "MHz",
            Unit::Gigahertz => "GHz",
            Unit::Watt => "W",
            Unit::Volt => "V",
            Unit::Megapixel => "MP",
            Unit::Decibel => "dB",
            Unit::Bar => "bar",
            Unit::Piece => "pcs",
            Unit::Minute => "min",
            Unit::Hour => "h",
            Unit::Day => "days",
            Unit::Month => "months",
            Unit::Year => "years",
            Unit::Percent => "percent",
        }
    }

    /// The symbol people read after a number.
    pub const fn symbol(self, locale: Locale) -> &'static str {
        match self {
            Unit::Gram => locale.pick("г", "g"),
            Unit::Kilogram => locale.pick("кг", "kg"),
            Unit::Millimetre => locale.pick("мм", "mm"),
            Unit::Centimetre => locale.pick("см", "cm"),
            Unit::Metre => locale.pick("м", "m"),
            Unit::Millilitre => locale.pick("мл", "ml"),
            Unit::Litre => locale.pick("л", "l"),
            Unit::MilliampHour => locale.pick("мА·ч", "mAh"),
            Unit::WattHour => locale.pick("Вт·ч", "Wh"),
            Unit::Inch => locale.pick("дюйм", "in"),
            Unit::Gigabyte => locale.pick("ГБ", "GB"),
            Unit::Terabyte => locale.pick("ТБ", "TB"),
            Unit::Hertz => locale.pick("Гц", "Hz"),
            Unit::Megahertz => locale.pick("МГц", "MHz"),
            Unit::Gigahertz => locale.pick("ГГц", "GHz"),
            Unit::Watt => locale.pick("Вт", "W"),
            Unit::Volt => locale.pick("В", "V"),
            Unit::Megapixel => locale.pick("Мп", "MP"),
            Unit::Decibel => locale.pick("дБ", "dB"),
            Unit::Bar => locale.pick("бар", "bar"),
            Unit::Piece => locale.pick("шт.", "pcs"),
            Unit::Minute => locale.pick("мин", "min"),
            Unit::Hour => locale.pick("ч", "h"),
            Unit::Day => locale.pick("дн.", "days"),
            Unit::Month => locale.pick("мес.", "months"),
            Unit::Year => locale.pick("лет", "years"),
            Unit::Percent => "%",
        }
    }

    /// Spellings a seller may append to a number in a cell (`5000 мАч`, `6,1"`),
    /// folded (lowercase, without dots, spaces and `·`). Stripped before parsing.
    pub(crate) const fn cell_suffixes(self) -> &'static [&'static str] {
        match self {
            Unit::Gram => &["g", "г", "гр", "gr"],
            Unit::Kilogram => &["kg", "кг"],
            Unit::Millimetre => &["mm", "мм"],
            Unit::Centimetre => &["cm", "см"],
            Unit::Metre => &["m", "м"],
            Unit::Millilitre => &["ml", "мл"],
            Unit::Litre => &["l", "л"],
            Unit::MilliampHour => &["mah", "мач"],
            Unit::WattHour => &["wh", "втч"],
            Unit::Inch => &["inch", "in", "\"", "″", "дюйм", "дюйма", "дюймов"],
            Unit::Gigabyte => &["gb", "гб"],
            Unit::Terabyte => &["tb", "тб"],
            Unit::Hertz => &["hz", "гц"],
            Unit::Megahertz => &["mhz", "мгц"],
            Unit::Gigahertz => &["ghz", "ггц"],
            Unit::Watt => &["w", "вт"],
            Unit::Volt => &["v", "в"],
            Unit::Megapixel => &["mp", "мп", "мпикс"],
            Unit::Decibel => &["db", "дб"],
            Unit::Bar => &["bar", "бар"],
            Unit::Piece => &["pcs", "шт", "pc"],
            Unit::Minute => &["min", "мин"],
            Unit::Hour => &["h", "ч", "час", "часа", "часов"],
            Unit::Day => &["days", "day", "дн", "дней", "дня", "день"],
            Unit::Month => &["months", "month", "мес", "месяцев", "месяца"],
            Unit::Year => &["years", "year", "лет", "год", "года"],
            Unit::Percent => &["%"],
        }
    }
}

impl FromStr for Unit {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        Unit::ALL
            .into_iter()
            .find(|u| u.code().eq_ignore_ascii_case(t))
            .ok_or_else(|| {
                let known: Vec<&str> = Unit::ALL.iter().map(|u| u.code()).collect();
                format!("unknown unit {t:?}: expected one of {}", known.join(", "))
            })
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One allowed value of an enum attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumValue {
    /// Stable code stored with the SKU (`black`, `128`, `5w30`).
    pub code: String,
    pub name_ru: String,
    pub name_en: String,
}

impl EnumValue {
    pub fn name(&self, locale: Locale) -> &str {
        locale.pick(&self.name_ru, &self.name_en)
    }
}

/// What values an attribute takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AttributeKind {
    /// Free text, at most `max_len` characters.
    Text { max_len: u32 },
    /// A whole number within optional bounds (inclusive).
    Integer {
        min: Option<i64>,
        max: Option<i64>,
        unit: Option<Unit>,
    },
    /// A decimal number with at most `max_scale` digits after the point.
    Decimal { max_scale: u32, unit: Option<Unit> },
    /// Yes or no.
    Boolean,
    /// One of a closed list of values.
    Enum { values: Vec<EnumValue> },
}

impl AttributeKind {
    pub fn unit(&self) -> Option<Unit> {
        match self {
            AttributeKind::Integer { unit, .. } | AttributeKind::Decimal { unit, .. } => *unit,
            _ => None,
        }
    }

    /// The machine name of the kind: `text`, `integer`, `decimal`, `boolean`, `enum`.
    pub const fn type_name(&self) -> &'static str {
        match self {
            AttributeKind::Text { .. } => "text",
            AttributeKind::Integer { .. } => "integer",
            AttributeKind::Decimal { .. } => "decimal",
            AttributeKind::Boolean => "boolean",
            AttributeKind::Enum { .. } => "enum",
        }
    }
}

/// One attribute a category defines for its SKUs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribute {
    pub code: AttributeCode,
    pub name_ru: String,
    pub name_en: String,
    pub kind: AttributeKind,
    pub required: bool,
}

impl Attribute {
    pub fn name(&self, locale: Locale) -> &str {
        locale.pick(&self.name_ru, &self.name_en)
    }

    /// Allowed values when the attribute is an enum, else empty.
    pub fn enum_values(&self) -> &[EnumValue] {
        match &self.kind {
            AttributeKind::Enum { values } => values,
            _ => &[],
        }
    }

    /// The column header a person reads: the name, plus the unit after a comma
    /// (`Ёмкость аккумулятора, мА·ч`). The header mapper recognises it.
    pub fn header(&self, locale: Locale) -> String {
        match self.kind.unit() {
            Some(unit) => format!("{}, {}", self.name(locale), unit.symbol(locale)),
            None => self.name(locale).to_string(),
        }
    }
}

/// A category of the catalog tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub code: CategoryCode,
    pub parent: Option<CategoryCode>,
    pub name_ru: String,
    pub name_en: String,
    /// Days a buyer may return goods of this category; 0 means no return of goods of
    /// proper quality (perfume, pet food).
    pub return_window_days: u16,
    /// Attributes this category adds to those it inherits from its ancestors.
    pub attributes: Vec<Attribute>,
}

impl Category {
    pub fn name(&self, locale: Locale) -> &str {
        locale.pick(&self.name_ru, &self.name_en)
    }
}

/// A validated attribute value stored with a SKU.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum AttributeValue {
    Text(String),
    Integer(i64),
    Decimal(Decimal),
    Boolean(bool),
    /// The code of the chosen [`EnumValue`] (shared with the schema, so cheap to clone).
    #[serde(with = "arc_str")]
    Enum(Arc<str>),
}

/// Serialises an `Arc<str>` as a plain string.
mod arc_str {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::sync::Arc;

    pub(super) fn serialize<S: Serializer>(v: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
        String::deserialize(d).map(Arc::from)
    }
}

impl AttributeValue {
    /// The value as a form or an API client types it; the SKU rules read it back to
    /// the same value (enum by code, decimal with a point, boolean as `true`/`false`).
    pub fn as_input(&self) -> String {
        match self {
            AttributeValue::Text(t) => t.clone(),
            AttributeValue::Integer(i) => i.to_string(),
            AttributeValue::Decimal(d) => d.normalize().to_string(),
            AttributeValue::Boolean(b) => b.to_string(),
            AttributeValue::Enum(code) => code.to_string(),
        }
    }

    /// The value as a person reads it, with enum names and units from `attribute`.
    pub fn display(&self, attribute: &Attribute, locale: Locale) -> String {
        let with_unit = |n: String| match attribute.kind.unit() {
            Some(u) => format!("{n} {}", u.symbol(locale)),
            None => n,
        };
        match self {
            AttributeValue::Text(t) => t.clone(),
            AttributeValue::Integer(i) => with_unit(i.to_string()),
            AttributeValue::Decimal(d) => {
                let s = d.normalize().to_string();
                with_unit(match locale {
                    Locale::Ru => s.replace('.', ","),
                    Locale::En => s,
                })
            }
            AttributeValue::Boolean(b) => (if *b {
                locale.pick("да", "yes")
            } else {
                locale.pick("нет", "no")
            })
            .to_string(),
            AttributeValue::Enum(code) => attribute
                .enum_values()
                .iter()
                .find(|v| *v.code == **code)
                .map_or_else(|| code.to_string(), |v| v.name(locale).to_string()),
        }
    }
}

pub(crate) fn is_enum_value_code(s: &str) -> bool {
    is_slug(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_accept_slugs_and_refuse_the_rest() {
        assert!(CategoryCode::parse("smartphones").is_ok());
        assert!(CategoryCode::parse("home-kitchen_2").is_ok());
        assert!(CategoryCode::parse("Smartphones").is_err());
        assert!(CategoryCode::parse("смартфоны").is_err());
        assert!(CategoryCode::parse("").is_err());
        assert!(AttributeCode::parse("battery_mah").is_ok());
        assert!(AttributeCode::parse("5g").is_err());
        assert!(AttributeCode::parse("color-name").is_err());
    }

    #[test]
    fn units_parse_from_codes_case_insensitively() {
        assert_eq!("mah".parse::<Unit>(), Ok(Unit::MilliampHour));
        assert_eq!("GB".parse::<Unit>(), Ok(Unit::Gigabyte));
        assert!("furlong".parse::<Unit>().is_err());
        for u in Unit::ALL {
            assert_eq!(u.code().parse::<Unit>(), Ok(u));
        }
    }

    #[test]
    fn attribute_header_carries_the_unit() {
        let a = Attribute {
            code: AttributeCode::parse("battery_mah").unwrap(),
            name_ru: "Ёмкость аккумулятора".into(),
            name_en: "Battery capacity".into(),
            kind: AttributeKind::Integer {
                min: None,
                max: None,
                unit: Some(Unit::MilliampHour),
            },
            required: false,
        };
        assert_eq!(a.header(Locale::Ru), "Ёмкость аккумулятора, мА·ч");
        assert_eq!(a.header(Locale::En), "Battery capacity, mAh");
        assert_eq!(
            AttributeValue::Integer(5000).display(&a, Locale::Ru),
            "5000 мА·ч"
        );
    }
}
