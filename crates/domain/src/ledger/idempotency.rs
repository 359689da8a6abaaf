//! Idempotency: the same key with the same request is a replay (answer as before); the
//! same key with a different request is a conflict, never a silent success.

use serde::{Deserialize, Serialize};
use std::fmt;

/// xxh3-128 of a request's canonical bytes, as 32 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RequestFingerprint(String);

impl RequestFingerprint {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Accepts a stored fingerprint back (32 lowercase hex digits).
    pub fn parse(input: &str) -> Option<Self> {
        let valid = input.len() == 32
            && input
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        valid.then(|| Self(input.to_string()))
    }
}

impl fmt::Display for RequestFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Fingerprints raw bytes, e.g. a webhook body exactly as received.
pub fn fingerprint_bytes(bytes: &[u8]) -> RequestFingerprint {
    RequestFingerprint(format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes)))
}

/// Fingerprints a JSON payload by its canonical form: object keys sorted, no
/// insignificant whitespace, strings escaped as serde_json escapes them. Two requests
/// that differ only in key order or spacing get the same fingerprint.
pub fn fingerprint_json(value: &serde_json::Value) -> RequestFingerprint {
    let mut canonical = String::new();
    write_canonical(value, &mut canonical);
    fingerprint_bytes(canonical.as_bytes())
}

/// Fingerprints any serialisable request (through its JSON form).
pub fn fingerprint_of<T: Serialize>(request: &T) -> Result<RequestFingerprint, serde_json::Error> {
    Ok(fingerprint_json(&serde_json::to_value(request)?))
}

fn write_canonical(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => out.push_str(&Value::String(s.clone()).to_string()),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            // Sorted here, whatever order the map keeps (serde_json's preserve_order
            // feature may be switched on by another crate in the build).
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(item, out);
            }
            out.push('}');
        }
    }
}

/// What to do with a request whose idempotency key may have been seen before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdempotencyOutcome {
    /// First time: process it and store the key with its fingerprint.
    New,
    /// Same key, same request: return the stored result, move no money.
    Replay,
    /// Same key, different request: refuse (`idempotency_key_reused`).
    Conflict,
}

pub fn check_idempotency(
    stored: Option<&RequestFingerprint>,
    incoming: &RequestFingerprint,
) -> IdempotencyOutcome {
    match stored {
        None => IdempotencyOutcome::New,
        Some(fingerprint) if fingerprint == incoming => IdempotencyOutcome::Replay,
        Some(_) => IdempotencyOutcome::Conflict,
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::type_complexity,
    reason = "tests: a failed unwrap is a failed test, and scenario tables are tuples"
)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_order_and_whitespace_do_not_change_the_fingerprint() {
        let a: serde_json::Value =
            serde_json::from_str(r#"{"amount_minor": 100, "order": {"id": "x", "lines": [1, 2]}}"#)
                .unwrap();
        let b: serde_json::Value =
            serde_json::from_str(r#"{"order":{"lines":[1,2],"id":"x"},"amount_minor":100}"#)
                .unwrap();
        assert_eq!(fingerprint_json(&a), fingerprint_json(&b));
        assert_eq!(fingerprint_json(&a).as_str().len(), 32);
        assert!(RequestFingerprint::parse(fingerprint_json(&a).as_str()).is_some());
    }

    #[test]
    fn different_payloads_conflict_and_equal_ones_replay() {
        let first = fingerprint_json(&json!({"amount_minor": 100}));
        let same = fingerprint_json(&json!({"amount_minor": 100}));
        let other = fingerprint_json(&json!({"amount_minor": 101}));
        assert_eq!(check_idempotency(None, &first), IdempotencyOutcome::New);
        assert_eq!(
            check_idempotency(Some(&first), &same),
            IdempotencyOutcome::Replay
        );
        assert_eq!(
            check_idempotency(Some(&first), &other),
            IdempotencyOutcome::Conflict
        );
        // Array order is meaningful.
        assert_ne!(
            fingerprint_json(&json!([1, 2])),
            fingerprint_json(&json!([2, 1]))
        );
        assert_ne!(
            fingerprint_json(&json!({"a": "1"})),
            fingerprint_json(&json!({"a": 1}))
        );
    }
}
