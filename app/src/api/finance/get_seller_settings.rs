use super::SellerSettingsView;
use crate::error::AppError;
use leptos::prelude::*;

/// One seller's finance settings: tier, hold period override, payout hold.
#[server(prefix = "/rpc", endpoint = "finance_get_seller_settings")]
pub async fn get_seller_settings(seller_id: String) -> Result<SellerSettingsView, AppError> {
    use crate::ssr;
    let ctx = ssr::finance().await?;
    let seller_id = super::parse_id(&seller_id)?;
    let s = db::ledger::settings::get_seller_finance_settings(&ssr::db()?, &ctx, seller_id).await?;
    Ok(SellerSettingsView {
        tier: s.tier,
        hold_days_override: s.hold_days_override,
        payout_hold_reason: s.payout_hold_reason.unwrap_or_default(),
    })
}
