use super::PayoutSettingsView;
use crate::error::AppError;
use leptos::prelude::*;

/// The RUB payout schedule (defaults when none is configured yet).
#[server(prefix = "/rpc", endpoint = "finance_get_payout_settings")]
pub async fn get_payout_settings() -> Result<PayoutSettingsView, AppError> {
    use crate::ssr;
    use domain::Money;
    use domain::payouts::PayoutFrequency;
    let _ctx = ssr::finance().await?;
    let c = domain::money::Currency::Rub;
    let settings = db::ledger::payouts::payout_settings(&ssr::db()?, c).await?;
    Ok(match settings {
        Some(s) => PayoutSettingsView {
            every: match s.frequency {
                PayoutFrequency::Daily => "daily".into(),
                PayoutFrequency::Weekly { weekday } => weekday.to_string().to_lowercase(),
            },
            minimum: Money::from_minor(s.minimum_minor, c),
            four_eyes_threshold: Money::from_minor(s.four_eyes_threshold_minor, c),
            configured: true,
        },
        None => PayoutSettingsView {
            every: "mon".into(),
            minimum: Money::from_minor(100_000, c),
            four_eyes_threshold: Money::from_minor(100_000_000, c),
            configured: false,
        },
    })
}
