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

    #[test]
    fn hex_round_trips() {
        let h = ContentHash::from_u128(0x0123_4567_89ab_cdef_0011_2233_4455_6677);
        assert_eq!(h.to_hex(), "0123456789abcdef0011223344556677");
        assert_eq!(ContentHash::from_hex(&h.to_hex()), Some(h));
        assert_eq!(serde_json::to_string(&h).unwrap(), "\"0123456789abcdef0011223344556677\"");
        assert_eq!(ContentHash::from_hex("xyz"), None);
    }
}
