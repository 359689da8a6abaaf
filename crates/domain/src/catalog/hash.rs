//! Stable 128-bit hashes of a SKU's content and commercial halves.
//!
//! Each hash is xxh3-128 over a canonical, versioned byte encoding: a tag and a
//! version byte, then every field length-prefixed (u32 little-endian lengths, i64/u32
//! little-endian numbers, one tag byte per optional or variant). Attributes are
//! encoded sorted by code and image links trimmed, so column order and the
//! separators in an images cell do not change the hash. Decimal attribute values are
//! normalised first (`6.10` = `6.1`).
//!
//! Stored hashes stay comparable as long as the version stays. Changing the
//! encoding means bumping the version, after which every SKU looks "updated" once.
//! The hex form (32 lowercase digits) is what the database stores.

use super::category::AttributeValue;
use super::sku::{SkuAttribute, SkuCommercial, SkuContent};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use xxhash_rust::xxh3::xxh3_128;

/// Version of the content encoding; part of the hashed bytes.
pub const CONTENT_HASH_VERSION: u8 = 1;
/// Version of the commercial encoding; part of the hashed bytes.
pub const COMMERCIAL_HASH_VERSION: u8 = 1;

macro_rules! hash_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(u128);

        impl $name {
            pub const fn from_u128(v: u128) -> Self {
                Self(v)
            }
            pub const fn as_u128(self) -> u128 {
                self.0
            }
            /// 32 lowercase hex digits.
            pub fn to_hex(self) -> String {
                format!("{:032x}", self.0)
            }
            pub fn from_hex(s: &str) -> Option<Self> {
                if s.len() != 32 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                u128::from_str_radix(s, 16).ok().map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:032x}", self.0)
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::from_hex(s).ok_or_else(|| format!("expected 32 hex digits, got {s:?}"))
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }

        impl From<$name> for String {
            fn from(h: $name) -> String {
                h.to_hex()
            }
        }
    };
}

hash_type!(
    /// Hash of a SKU's moderated content.
    ContentHash
);
hash_type!(
    /// Hash of a SKU's commercial data (price, old price, currency, VAT, stock).
    CommercialHash
);

fn put_str(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(&(s.len() as u32).to_le_bytes());
    buf.extend_from_slice(s.as_bytes());
}

fn put_opt_str(buf: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => buf.push(0),
        Some(s) => {
            buf.push(1);
            put_str(buf, s);
        }
    }
}

fn put_opt_u32(buf: &mut Vec<u8>, v: Option<u32>) {
    match v {
        None => buf.push(0),
        Some(v) => {
            buf.push(1);
            buf.extend_from_slice(&v.to_le_bytes());
        }
    }
}

fn put_attribute(buf: &mut Vec<u8>, a: &SkuAttribute) {
    put_str(buf, a.code.as_str());
    match &a.value {
        AttributeValue::Text(t) => {
            buf.push(1);
            put_str(buf, t);
        }
        AttributeValue::Integer(i) => {
            buf.push(2);
            buf.extend_from_slice(&i.to_le_bytes());
        }
        AttributeValue::Decimal(d) => {
            let d = d.normalize();
            buf.push(3);
            buf.extend_from_slice(&d.mantissa().to_le_bytes());
            buf.extend_from_slice(&d.scale().to_le_bytes());
        }
        AttributeValue::Boolean(b) => {
            buf.push(4);
            buf.push(u8::from(*b));
        }
        AttributeValue::Enum(code) => {
            buf.push(5);
            put_str(buf, code);
        }
    }
}

pub(crate) fn content_hash(c: &SkuContent, buf: &mut Vec<u8>) -> ContentHash {
    buf.clear();
    buf.extend_from_slice(b"bzc");
    buf.push(CONTENT_HASH_VERSION);
    put_str(buf, c.title());
    put_opt_str(buf, c.description());
    put_opt_str(buf, c.brand());
    put_str(buf, c.category().as_str());
    put_opt_str(buf, c.barcode().map(|b| b.as_str()));
    let attrs = c.attributes();
    buf.extend_from_slice(&(attrs.len() as u32).to_le_bytes());
    if attrs.is_sorted_by(|a, b| a.code <= b.code) {
        attrs.iter().for_each(|a| put_attribute(buf, a));
    } else {
        // Content deserialised from elsewhere may be unsorted; the hash must not care.
        let mut sorted: Vec<&SkuAttribute> = attrs.iter().collect();
        sorted.sort_by(|a, b| a.code.cmp(&b.code));
        sorted.into_iter().for_each(|a| put_attribute(buf, a));
    }
    let images = c.images();
    buf.extend_from_slice(&(images.len() as u32).to_le_bytes());
    for url in images {
        put_str(buf, url.as_str().trim());
    }
    put_opt_u32(buf, c.weight_g());
    put_opt_u32(buf, c.length_mm());
    put_opt_u32(buf, c.width_mm());
    put_opt_u32(buf, c.height_mm());
    ContentHash(xxh3_128(buf))
}

pub(crate) fn commercial_hash(c: &SkuCommercial) -> CommercialHash {
    let mut buf = [0u8; 64];
    let mut n = 0;
    let mut put = |bytes: &[u8]| {
        buf[n..n + bytes.len()].copy_from_slice(bytes);
        n += bytes.len();
    };
    put(b"bzm");
    put(&[COMMERCIAL_HASH_VERSION]);
    put(c.currency().code().as_bytes());
    put(&c.price().amount_minor().to_le_bytes());
    match c.old_price() {
        None => put(&[0]),
        Some(o) => {
            put(&[1]);
            put(&o.amount_minor().to_le_bytes());
        }
    }
    let vat = c.vat().code().as_bytes();
    put(&[vat.len() as u8]);
    put(vat);
    put(&c.stock().to_le_bytes());
    CommercialHash(xxh3_128(&buf[..n]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{SkuInput, SkuRules, ValidatedSku};
    use proptest::prelude::*;

    fn kettle(price: &str, old_price: &str, currency: &str, vat: &str, stock: &str) -> SkuInput {
        SkuInput {
            sku: "KT-1".into(),
            title: "Электрочайник Tefal KO 150F".into(),
            category: "kettles".into(),
            price: price.into(),
            old_price: old_price.into(),
            currency: currency.into(),
            vat: vat.into(),
            stock: stock.into(),
            images: vec![
                "https://cdn.example.com/k/1.jpg".into(),
                "https://cdn.example.com/k/2.jpg".into(),
            ],
            attributes: [
                ("volume_l", "1,7"),
                ("body_material", "стекло"),
                ("power_w", "2200"),
                ("auto_off", "да"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
            ..SkuInput::default()
        }
    }

    fn validate(input: &SkuInput) -> ValidatedSku {
        match input.validate(&crate::catalog::starter_for_tests(), &SkuRules::default()) {
            Ok(v) => v,
            Err(p) => panic!("{p:?}"),
        }
    }

    #[test]
    fn hashes_are_pinned_for_this_encoding_version() {
        // If this fails the canonical encoding changed: bump the version constant,
        // because every stored hash would otherwise look "updated".
        let v = validate(&kettle("1 990,00", "", "", "", "5"));
        assert_eq!(v.content_hash, v.content.hash());
        assert_eq!(v.commercial_hash, v.commercial.hash());
        assert_eq!(v.content_hash.to_hex().len(), 32);
        let again = validate(&kettle("1990", "", "RUB", "без НДС", "5,00"));
        assert_eq!(
            (again.content_hash, again.commercial_hash),
            (v.content_hash, v.commercial_hash)
        );
    }

    #[test]
    fn equivalent_decimal_spellings_hash_alike() {
        let a = validate(&kettle("10", "", "", "", "1"));
        let mut b_in = kettle("10", "", "", "", "1");
        b_in.attributes.insert("volume_l".into(), "1,70 л".into());
        let mut c_in = kettle("10", "", "", "", "1");
        c_in.attributes.insert("volume_l".into(), "1.7".into());
        assert_eq!(validate(&b_in).content_hash, a.content_hash);
        assert_eq!(validate(&c_in).content_hash, a.content_hash);
    }

    proptest! {
        #[test]
        fn changing_commercial_fields_changes_only_the_commercial_hash(
            price_a in 1_i64..10_000_000, price_b in 1_i64..10_000_000,
            old_a in proptest::option::of(1_i64..5_000_000), old_b in proptest::option::of(1_i64..5_000_000),
            stock_a in 0_u32..1_000_000, stock_b in 0_u32..1_000_000,
            vat_a in 0_usize..7, vat_b in 0_usize..7,
            cur_a in 0_usize..3, cur_b in 0_usize..3,
        ) {
            let vats = ["none", "0", "5", "7", "10", "20", "22"];
            let curs = ["RUB", "USD", "EUR"];
            let fmt = |minor: i64| format!("{}.{:02}", minor / 100, minor % 100);
            let make = |price: i64, old: Option<i64>, stock: u32, vat: usize, cur: usize| {
                kettle(
                    &fmt(price),
                    &old.map(|o| fmt(price + o)).unwrap_or_default(),
                    curs[cur],
                    vats[vat],
                    &stock.to_string(),
                )
            };
            let a = validate(&make(price_a, old_a, stock_a, vat_a, cur_a));
            let b = validate(&make(price_b, old_b, stock_b, vat_b, cur_b));
            prop_assert_eq!(a.content_hash, b.content_hash);
            let same = (price_a, old_a, stock_a, vat_a, cur_a) == (price_b, old_b, stock_b, vat_b, cur_b);
            prop_assert_eq!(a.commercial_hash == b.commercial_hash, same);
            prop_assert_eq!(a.commercial == b.commercial, same);
        }

        #[test]
        fn changing_content_changes_the_content_hash_only(title in "[А-Яа-я0-9 ]{1,40}") {
            let base = kettle("10", "", "", "", "1");
            let mut changed = base.clone();
            changed.title = format!("Электрочайник {title}");
            let (a, b) = (validate(&base), validate(&changed));
            prop_assert_ne!(a.content_hash, b.content_hash);
            prop_assert_eq!(a.commercial_hash, b.commercial_hash);
        }
    }

    #[test]
    fn hex_round_trips() {
        let h = ContentHash::from_u128(0x0123_4567_89ab_cdef_0011_2233_4455_6677);
        assert_eq!(h.to_hex(), "0123456789abcdef0011223344556677");
        assert_eq!(ContentHash::from_hex(&h.to_hex()), Some(h));
        assert_eq!(
            serde_json::to_string(&h).unwrap(),
            "\"0123456789abcdef0011223344556677\""
        );
        assert_eq!(ContentHash::from_hex("xyz"), None);
    }
}
