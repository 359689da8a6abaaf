use crate::error::AppError;
use leptos::prelude::*;

/// Saves the caller's bank details for payouts (owner or accountant).
#[server(prefix = "/rpc", endpoint = "set_payout_details")]
pub async fn set_payout_details(
    recipient_name: String,
    inn: String,
    bik: String,
    account_number: String,
    correspondent_account: String,
    bank_name: String,
) -> Result<(), AppError> {
    use crate::ssr;
    use db::ledger::payouts::PayoutDetailsInput;
    let ctx = ssr::seller().await?;
    let input = PayoutDetailsInput {
        recipient_name,
        inn,
        bik,
        account_number,
        correspondent_account,
        bank_name,
    };
    db::ledger::payouts::set_payout_details(&ssr::db()?, &ctx, &input).await?;
    Ok(())
}
