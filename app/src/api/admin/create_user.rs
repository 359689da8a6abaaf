use crate::error::AppError;
use domain::accounts::Role;
use leptos::prelude::*;

/// Creates a staff user, or a seller user with a new active organisation.
#[server(prefix = "/rpc", endpoint = "admin_create_user")]
pub async fn create_user(
    email: String,
    password: String,
    role: Role,
    display_name: Option<String>,
    seller_name: Option<String>,
    seller_inn: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr;
    let ctx = ssr::admin().await?;
    let input = db::accounts::NewUserInput {
        email,
        password,
        role,
        seller_name,
        seller_inn,
        display_name,
    };
    db::accounts::create_user(&ssr::db()?, &ctx, &input).await?;
    Ok(())
}
