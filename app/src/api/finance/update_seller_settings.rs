use crate::error::AppError;
use leptos::prelude::*;

/// Saves one seller's finance settings; an empty hold period means the category's
/// return window, an empty payout hold reason lets payouts through.
#[server(prefix = "/rpc", endpoint = "finance_update_seller_settings")]
pub async fn update_seller_settings(
    seller_id: String,
    tier: String,
    hold_days_override: String,
    payout_hold_reason: String,
) -> Result<(), AppError> {
    use crate::ssr;
    use db::ledger::settings::SellerFinanceSettings;
    use domain::{ErrorCode, FieldError};
    let ctx = ssr::finance().await?;
    let field = |name: &str, message: &str| AppError {
        code: ErrorCode::Validation,
        message: format!("{name}: {message}"),
        fields: vec![FieldError::new(name, "invalid", message)],
    };
    let seller_id = super::parse_id(&seller_id)?;
    let tier = tier
        .trim()
        .parse()
        .map_err(|_| field("tier", "standard, silver or gold"))?;
    let hold_days_override = match hold_days_override.trim() {
        "" => None,
        d => Some(
            d.parse::<u32>()
                .map_err(|_| field("hold_days_override", "a whole number of days"))?,
        ),
    };
    let reason = payout_hold_reason.trim();
    let settings = SellerFinanceSettings {
        tier,
        hold_days_override,
        payout_hold_reason: (!reason.is_empty()).then(|| reason.to_string()),
    };
    Ok(db::ledger::settings::update_seller_finance_settings(
        &ssr::db()?,
        &ctx,
        seller_id,
        &settings,
    )
    .await?)
}
