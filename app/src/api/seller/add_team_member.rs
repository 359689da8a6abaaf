use crate::error::AppError;
use domain::accounts::MemberRole;
use leptos::prelude::*;

/// The owner adds a manager or accountant to the organisation.
#[server(prefix = "/rpc", endpoint = "add_team_member")]
pub async fn add_team_member(
    email: String,
    password: String,
    member_role: MemberRole,
    display_name: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr;
    let ctx = ssr::seller().await?;
    db::accounts::add_team_member(
        &ssr::db()?,
        &ctx,
        &email,
        &password,
        member_role,
        display_name.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(())
}
