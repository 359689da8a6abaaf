//! The login page. Works without WebAssembly too (plain form post and redirect).

use crate::api::public::login::Login;
use crate::components::layout::LanguageSwitch;
use crate::components::ui::{ActionError, Field, action_error, navigate_full};
use crate::session::{use_locale, use_session};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let l = use_locale();
    let query = use_query_map();
    let next = query.with_untracked(|q| q.get("next")).unwrap_or_default();
    if let Some(u) = use_session().user {
        return view! { <Redirect path=u.role.home_path() /> }.into_any();
    }
    let login = ServerAction::<Login>::new();
    let error = action_error(login);
    Effect::new(move |_| {
        if let Some(Ok(target)) = login.value().get() {
            navigate_full(&target);
        }
    });
    view! {
        <Title text=l.pick("Вход", "Log in") />
        <div class="auth-layout">
            <div class="auth-card">
                <div class="row">
                    <div class="brand">"Bazaar"</div>
                    <div class="spacer"></div>
                    <LanguageSwitch />
                </div>
                <h1>{l.pick("Вход в Bazaar", "Log in to Bazaar")}</h1>
                <ActionForm action=login attr:class="form" attr:data-testid="login-form">
                    <ActionError error=error />
                    <input type="hidden" name="next" value=next />
                    <Field
                        label="Email"
                        name="email"
                        kind="email"
                        required=true
                        autocomplete="username"
                        error=error
                    />
                    <Field
                        label=l.pick("Пароль", "Password")
                        name="password"
                        kind="password"
                        required=true
                        autocomplete="current-password"
                        error=error
                    />
                    <div class="form-actions">
                        <button
                            type="submit"
                            class="btn btn-primary btn-block"
                            class:loading=move || login.pending().get()
                            disabled=move || login.pending().get()
                        >
                            {l.pick("Войти", "Log in")}
                        </button>
                    </div>
                </ActionForm>
                <div class="auth-footer">
                    {l.pick("Продаёте на маркетплейсе впервые? ", "New seller? ")}
                    <a href="/signup">{l.pick("Зарегистрируйтесь", "Sign up")}</a>
                </div>
            </div>
        </div>
    }
    .into_any()
}
