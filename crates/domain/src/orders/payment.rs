//! Payment-provider events: the webhook body and its validation.

use crate::FieldError;
use crate::ids::OrderId;
use crate::ledger::IdempotencyKey;
use crate::money::{Currency, Money};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentEventKind {
    Captured,
    Refunded,
    Chargeback,
}

impl PaymentEventKind {
    pub const ALL: [PaymentEventKind; 3] = [
        PaymentEventKind::Captured,
        PaymentEventKind::Refunded,
        PaymentEventKind::Chargeback,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            PaymentEventKind::Captured => "captured",
            PaymentEventKind::Refunded => "refunded",
            PaymentEventKind::Chargeback => "chargeback",
        }
    }
}

/// The webhook body as received (lenient, so validation can name each problem).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PaymentEventInput {
    /// The provider's event id: unique per event, used for deduplication.
    #[serde(default)]
    pub event_id: Option<String>,
    /// `captured`, `refunded` or `chargeback`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Bazaar's order id, which Bazaar gave the provider when it created the payment.
    #[serde(default)]
    pub order_id: Option<String>,
    /// A positive JSON integer of minor units.
    #[serde(default)]
    pub amount_minor: Option<Value>,
    #[serde(default)]
    pub currency: Option<String>,
    /// RFC 3339, e.g. `2026-03-01T12:00:00Z`.
    #[serde(default)]
    pub occurred_at: Option<String>,
}

/// A validated payment event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentEvent {
    pub provider_event_id: String,
    pub kind: PaymentEventKind,
    pub order_id: OrderId,
    pub amount: Money,
    pub occurred_at: Timestamp,
}

impl PaymentEvent {
    /// The idempotency key of the ledger transaction this event causes, so a redelivered
    /// event can never post twice: `payment:<provider event id>`.
    pub fn idempotency_key(&self) -> Result<IdempotencyKey, crate::ledger::LedgerError> {
        IdempotencyKey::parse(&format!("payment:{}", self.provider_event_id))
    }
}

impl PaymentEventInput {
    pub fn validate(&self) -> Result<PaymentEvent, Vec<FieldError>> {
        let mut errors = Vec::new();
        let event_id = match self.event_id.as_deref().map(str::trim) {
            None | Some("") => {
                errors.push(FieldError::new(
                    "event_id",
                    "required",
                    "event_id is required",
                ));
                None
            }
            Some(id) if id.len() <= 150 && id.bytes().all(|b| b.is_ascii_graphic()) => {
                Some(id.to_string())
            }
            Some(_) => {
                errors.push(FieldError::new(
                    "event_id",
                    "invalid_format",
                    "event_id is 1 to 150 printable ASCII characters",
                ));
                None
            }
        };
        let kind = match self.kind.as_deref() {
            None => {
                errors.push(FieldError::new("type", "required", "type is required"));
                None
            }
            Some(raw) => {
                let kind = PaymentEventKind::ALL
                    .into_iter()
                    .find(|k| k.as_str() == raw);
                if kind.is_none() {
                    errors.push(FieldError::new(
                        "type",
                        "unknown_event_type",
                        "type is one of captured, refunded, chargeback",
                    ));
                }
                kind
            }
        };
        let order_id = match self.order_id.as_deref() {
            None => {
                errors.push(FieldError::new(
                    "order_id",
                    "required",
                    "order_id is required",
                ));
                None
            }
            Some(raw) => {
                let id = raw.trim().parse::<OrderId>().ok();
                if id.is_none() {
                    errors.push(FieldError::new(
                        "order_id",
                        "invalid_format",
                        "order_id is a UUID",
                    ));
                }
                id
            }
        };
        let currency = match self.currency.as_deref() {
            None => {
                errors.push(FieldError::new(
                    "currency",
                    "required",
                    "currency is required",
                ));
                None
            }
            Some(code) => {
                let currency = Currency::ALL.into_iter().find(|c| c.code() == code);
                if currency.is_none() {
                    errors.push(FieldError::new(
                        "currency",
                        "unknown_currency",
                        "currency is an ISO 4217 code",
                    ));
                }
                currency
            }
        };
        let amount_minor = match &self.amount_minor {
            None => {
                errors.push(FieldError::new(
                    "amount_minor",
                    "required",
                    "amount_minor is required",
                ));
                None
            }
            Some(Value::Number(n)) => match n.as_i64() {
                Some(a) if a > 0 => Some(a),
                Some(_) => {
                    errors.push(FieldError::new(
                        "amount_minor",
                        "must_be_positive",
                        "amount_minor must be positive",
                    ));
                    None
                }
                None => {
                    let code = if n.as_u64().is_some() {
                        "too_large"
                    } else {
                        "must_be_integer"
                    };
                    errors.push(FieldError::new(
                        "amount_minor",
                        code,
                        "amount_minor is a whole number of minor units",
                    ));
                    None
                }
            },
            Some(_) => {
                errors.push(FieldError::new(
                    "amount_minor",
                    "must_be_integer",
                    "amount_minor is a whole number of minor units",
                ));
                None
            }
        };
        let occurred_at = match self.occurred_at.as_deref() {
            None => {
                errors.push(FieldError::new(
                    "occurred_at",
                    "required",
                    "occurred_at is required",
                ));
                None
            }
            Some(raw) => {
                let at = chrono::DateTime::parse_from_rfc3339(raw.trim())
                    .ok()
                    .map(|dt| Timestamp::from_millis(dt.timestamp_millis()));
                if at.is_none() {
                    errors.push(FieldError::new(
                        "occurred_at",
                        "invalid_format",
                        "occurred_at is an RFC 3339 time like 2026-03-01T12:00:00Z",
                    ));
                }
                at
            }
        };
        match (
            event_id,
            kind,
            order_id,
            currency,
            amount_minor,
            occurred_at,
        ) {
            (
                Some(provider_event_id),
                Some(kind),
                Some(order_id),
                Some(currency),
                Some(amount_minor),
                Some(occurred_at),
            ) => Ok(PaymentEvent {
                provider_event_id,
                kind,
                order_id,
                amount: Money::from_minor(amount_minor, currency),
                occurred_at,
            }),
            _ => Err(errors),
        }
    }
}
