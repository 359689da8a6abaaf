use crate::error::AppError;
use leptos::prelude::*;

/// Charges a penalty to a seller (amount in roubles, a reason code and a note).
/// `key` may come from the form; without one a double submit within a minute charges once.
#[server(prefix = "/rpc", endpoint = "finance_apply_penalty")]
pub async fn apply_penalty(
    seller_id: String,
    amount: String,
    reason: String,
    note: String,
    key: String,
) -> Result<String, AppError> {
    use crate::ssr;
    use db::ledger::penalties::{PenaltyBy, PenaltyInput};
    use domain::{ErrorCode, FieldError, Money};
    let ctx = ssr::finance().await?;
    let field = |name: &str, message: &str| AppError {
        code: ErrorCode::Validation,
        message: format!("{name}: {message}"),
        fields: vec![FieldError::new(name, "invalid", message)],
    };
    let seller_id =
        super::parse_id(&seller_id).map_err(|_| field("seller_id", "not a seller id"))?;
    let amount = Money::parse(&amount, domain::money::Currency::Rub)
        .map_err(|e| field("amount", &e.to_string()))?;
    let reason: domain::ledger::PenaltyReason = reason
        .parse()
        .map_err(|_| field("reason", "unknown reason code"))?;
    // Without a key from the form, the same penalty submitted twice within a minute
    // (a double click) charges once.
    let key = match key.trim() {
        "" => format!(
            "{seller_id}:{}:{}:{}:{}",
            amount.amount_minor(),
            reason.as_str(),
            domain::time::Timestamp::now().millis() / 60_000,
            domain::ledger::fingerprint_bytes(note.trim().as_bytes())
        ),
        k => k.to_string(),
    };
    let key = domain::ledger::IdempotencyKey::parse(&format!("penalty:staff:{key}"))
        .map_err(|e| AppError::new(ErrorCode::Validation, e.to_string()))?;
    let input = PenaltyInput {
        seller_id,
        amount,
        reason,
        order_id: None,
        shipment_id: None,
        note: note.trim().to_string(),
        key,
    };
    let applied =
        db::ledger::penalties::apply_penalty(&ssr::db()?, PenaltyBy::Staff(&ctx), &input).await?;
    Ok(applied.penalty_id.to_string())
}
