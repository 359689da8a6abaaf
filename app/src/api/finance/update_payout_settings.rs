use crate::error::AppError;
use leptos::prelude::*;

/// Saves the RUB payout schedule: `every` is `daily` or a weekday (`mon`..`sun`);
/// amounts in roubles.
#[server(prefix = "/rpc", endpoint = "finance_update_payout_settings")]
pub async fn update_payout_settings(
    every: String,
    minimum: String,
    four_eyes_threshold: String,
) -> Result<(), AppError> {
    use crate::ssr;
    use db::ledger::payouts::PayoutSettings;
    use domain::payouts::PayoutFrequency;
    use domain::{ErrorCode, FieldError, Money};
    let ctx = ssr::finance().await?;
    let c = domain::money::Currency::Rub;
    let field = |name: &str, message: String| AppError {
        code: ErrorCode::Validation,
        message: format!("{name}: {message}"),
        fields: vec![FieldError::new(name, "invalid", message)],
    };
    let frequency = match every.trim() {
        "daily" => PayoutFrequency::Daily,
        day => PayoutFrequency::Weekly {
            weekday: day
                .parse()
                .map_err(|_| field("every", "daily or a weekday (mon..sun)".into()))?,
        },
    };
    let minimum =
        Money::parse_non_negative(&minimum, c).map_err(|e| field("minimum", e.to_string()))?;
    let threshold = Money::parse_non_negative(&four_eyes_threshold, c)
        .map_err(|e| field("four_eyes_threshold", e.to_string()))?;
    let settings = PayoutSettings {
        currency: c,
        frequency,
        minimum_minor: minimum.amount_minor(),
        four_eyes_threshold_minor: threshold.amount_minor(),
    };
    Ok(db::ledger::payouts::update_payout_settings(&ssr::db()?, &ctx, &settings).await?)
}
