use crate::error::AppError;
use leptos::prelude::*;

/// Creates or replaces the RUB commission rule for (category, tier): empty category
/// or tier means "any". Rate in percent (`12,5`), amounts in roubles. Commission
/// already charged keeps the rule it was charged with.
#[server(prefix = "/rpc", endpoint = "finance_save_commission_rule")]
pub async fn save_commission_rule(
    category_code: String,
    tier: String,
    rate_percent: String,
    fixed: String,
    min: String,
    max: String,
) -> Result<(), AppError> {
    use crate::ssr;
    use db::ledger::commission::{CommissionRuleInput, upsert_commission_rule};
    let ctx = ssr::finance().await?;
    let input = CommissionRuleInput {
        currency: "RUB".into(),
        category_code,
        tier,
        rate_percent,
        fixed,
        min,
        max,
    };
    upsert_commission_rule(&ssr::db()?, &ctx, &input).await?;
    Ok(())
}
