//! Webhook signatures: `Bazaar-Signature: t=<unix seconds>,v1=<hex hmac-sha256>`.
//!
//! The signed message is `"<t>.<body>"` with the body's exact bytes. Several `v1`
//! values may be present (while a secret is being rotated); one matching any
//! configured secret is enough. Events older than the tolerance (5 minutes) are
//! refused so a captured request cannot be replayed later; so are events more than the
//! tolerance in the future (a skewed or forged clock).

use super::error::WebhookError;
use crate::time::Timestamp;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

type HmacSha256 = Hmac<Sha256>;

/// The header's name.
pub const SIGNATURE_HEADER: &str = "Bazaar-Signature";
/// Events older than this are refused.
pub const SIGNATURE_TOLERANCE_SECS: i64 = 300;
const MAX_HEADER_LEN: usize = 2_048;
const MAX_SIGNATURES: usize = 8;

/// A shared webhook secret. Never serialised, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Vec<u8>);

impl WebhookSecret {
    /// At least 16 bytes: shorter secrets can be guessed.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, WebhookError> {
        let bytes = bytes.into();
        if bytes.len() < 16 {
            return Err(WebhookError::NoSecret);
        }
        Ok(Self(bytes))
    }

    fn mac(&self) -> Result<HmacSha256, WebhookError> {
        HmacSha256::new_from_slice(&self.0).map_err(|_| WebhookError::NoSecret)
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}

/// A parsed signature header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    pub timestamp_secs: i64,
    /// The `v1` signatures (32 bytes each). Other schemes are ignored.
    pub v1: Vec<[u8; 32]>,
}

impl SignatureHeader {
    /// Parses `t=1700000000,v1=5257a8...`: exactly one `t` (digits), at least one
    /// `v1` (64 hex digits); unknown keys are ignored for forward compatibility.
    pub fn parse(header: &str) -> Result<Self, WebhookError> {
        if header.len() > MAX_HEADER_LEN {
            return Err(WebhookError::MalformedHeader("the header is too long"));
        }
        let mut timestamp_secs = None;
        let mut v1 = Vec::new();
        for part in header.split(',') {
            let Some((key, value)) = part.trim().split_once('=') else {
                return Err(WebhookError::MalformedHeader("each part is key=value"));
            };
            match key {
                "t" => {
                    if timestamp_secs.is_some() {
                        return Err(WebhookError::MalformedHeader("t appears twice"));
                    }
                    if value.is_empty()
                        || value.len() > 12
                        || !value.bytes().all(|b| b.is_ascii_digit())
                    {
                        return Err(WebhookError::MalformedHeader("t is unix seconds"));
                    }
                    timestamp_secs = value.parse::<i64>().ok();
                }
                "v1" => {
                    let mut signature = [0_u8; 32];
                    hex::decode_to_slice(value, &mut signature)
                        .map_err(|_| WebhookError::MalformedHeader("v1 is 64 hex digits"))?;
                    if v1.len() == MAX_SIGNATURES {
                        return Err(WebhookError::MalformedHeader("too many signatures"));
                    }
                    v1.push(signature);
                }
                _ => {}
            }
        }
        let Some(timestamp_secs) = timestamp_secs else {
            return Err(WebhookError::MalformedHeader("t is missing"));
        };
        if v1.is_empty() {
            return Err(WebhookError::MalformedHeader("v1 is missing"));
        }
        Ok(Self { timestamp_secs, v1 })
    }
}

/// Refuses a timestamp more than `tolerance_secs` away from `now` in either direction.
pub fn check_timestamp(
    timestamp_secs: i64,
    now: Timestamp,
    tolerance_secs: i64,
) -> Result<(), WebhookError> {
    let now_secs = now.millis().div_euclid(1_000);
    let age_secs = now_secs.saturating_sub(timestamp_secs);
    if age_secs > tolerance_secs {
        return Err(WebhookError::Stale {
            age_secs,
            tolerance_secs,
        });
    }
    if age_secs < -tolerance_secs {
        return Err(WebhookError::FromTheFuture {
            ahead_secs: age_secs.saturating_neg(),
        });
    }
    Ok(())
}

fn signed_mac(
    secret: &WebhookSecret,
    timestamp_secs: i64,
    body: &[u8],
) -> Result<HmacSha256, WebhookError> {
    let mut mac = secret.mac()?;
    mac.update(timestamp_secs.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(mac)
}

/// The header value a sender puts on a request: `t=<t>,v1=<hex>`.
pub fn sign_webhook(
    secret: &WebhookSecret,
    timestamp_secs: i64,
    body: &[u8],
) -> Result<String, WebhookError> {
    let signature = signed_mac(secret, timestamp_secs, body)?
        .finalize()
        .into_bytes();
    Ok(format!("t={timestamp_secs},v1={}", hex::encode(signature)))
}

/// Verifies a request: the header parses, one `v1` matches one of `secrets`
/// (compared in constant time), and the timestamp is within the tolerance. The
/// signature is checked first, so a stale-event error is only ever reported for a
/// genuine event.
pub fn verify_webhook(
    secrets: &[WebhookSecret],
    header: &str,
    body: &[u8],
    now: Timestamp,
) -> Result<SignatureHeader, WebhookError> {
    if secrets.is_empty() {
        return Err(WebhookError::NoSecret);
    }
    let parsed = SignatureHeader::parse(header)?;
    let mut matched = false;
    for secret in secrets {
        for candidate in &parsed.v1 {
            // verify_slice compares in constant time.
            if signed_mac(secret, parsed.timestamp_secs, body)?
                .verify_slice(candidate)
                .is_ok()
            {
                matched = true;
            }
        }
    }
    if !matched {
        return Err(WebhookError::SignatureMismatch);
    }
    check_timestamp(parsed.timestamp_secs, now, SIGNATURE_TOLERANCE_SECS)?;
    Ok(parsed)
}
