//! 403, 404 and error pages.

use crate::session::use_locale;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::ssr::set_status(404);
    let l = use_locale();
    view! {
        <Title text=l.pick("Страница не найдена", "Page not found") />
        <div class="auth-layout">
            <div class="error-page" data-testid="not-found">
                <div class="error-code">"404"</div>
                <h1>{l.pick("Такой страницы нет", "This page does not exist")}</h1>
                <p class="muted">
                    {l.pick(
                        "Возможно, ссылка устарела или в адресе опечатка.",
                        "The link may be outdated, or the address has a typo.",
                    )}
                </p>
                <a class="btn btn-primary" href="/">{l.pick("На главную", "Go to the start page")}</a>
            </div>
        </div>
    }
}

#[component]
pub fn Forbidden() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::ssr::set_status(403);
    let l = use_locale();
    view! {
        <Title text=l.pick("Нет доступа", "Access denied") />
        <div class="auth-layout">
            <div class="error-page" data-testid="forbidden">
                <div class="error-code">"403"</div>
                <h1>{l.pick("Нет доступа к этому разделу", "You have no access to this area")}</h1>
                <p class="muted">
                    {l.pick(
                        "Раздел открыт только для другой роли. Вернитесь в свой раздел.",
                        "This area belongs to another role. Go back to your own area.",
                    )}
                </p>
                <a class="btn btn-primary" href="/">{l.pick("В мой раздел", "To my area")}</a>
            </div>
        </div>
    }
}
