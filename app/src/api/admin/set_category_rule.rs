use crate::error::AppError;
use leptos::prelude::*;

/// Marks a category as for verified sellers only and sets its minimum image side
/// (empty: the default).
#[server(prefix = "/rpc", endpoint = "admin_set_category_rule")]
pub async fn admin_set_category_rule(
    code: String,
    restricted: bool,
    #[server(default)] image_min_side: String,
) -> Result<(), AppError> {
    use crate::ssr;
    let ctx = ssr::admin().await?;
    let l = ssr::request_locale();
    let side = match image_min_side.trim() {
        "" => None,
        s => Some(s.parse::<u32>().map_err(|_| {
            AppError::from(db::Error::field(
                "image_min_side",
                "invalid",
                l.pick(
                    "Введите целое число пикселей",
                    "Enter a whole number of pixels",
                ),
            ))
        })?),
    };
    Ok(
        db::moderation::lists::set_category_rule(&ssr::db()?, &ctx, &code, restricted, side, l)
            .await?,
    )
}
