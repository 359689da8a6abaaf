//! Seller self sign-up. The INN is checked in the browser with the same rule the
//! server applies (the `domain` crate runs in WebAssembly too).

use crate::api::public::signup::Signup;
use crate::components::layout::LanguageSwitch;
use crate::components::ui::{ActionError, Field, action_error, navigate_full};
use crate::i18n::field_message;
use crate::session::{use_locale, use_session};
use domain::accounts::Inn;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

#[component]
pub fn SignupPage() -> impl IntoView {
    let l = use_locale();
    if let Some(u) = use_session().user {
        return view! { <Redirect path=u.role.home_path() /> }.into_any();
    }
    let signup = ServerAction::<Signup>::new();
    let error = action_error(signup);
    Effect::new(move |_| {
        if let Some(Ok(target)) = signup.value().get() {
            navigate_full(&target);
        }
    });
    // Instant INN check while typing, with the server's own rule.
    let (inn_hint, set_inn_hint) = signal(None::<String>);
    let on_inn = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        let msg = if v.trim().len() >= 10 {
            Inn::parse(&v).err().map(|e| field_message(l, &e))
        } else {
            None
        };
        set_inn_hint.set(msg);
    };
    view! {
        <Title text=l.pick("Регистрация продавца", "Seller sign-up") />
        <div class="auth-layout">
            <div class="auth-card">
                <div class="row">
                    <div class="brand">"Bazaar"</div>
                    <div class="spacer"></div>
                    <LanguageSwitch />
                </div>
                <h1>{l.pick("Регистрация продавца", "Become a seller")}</h1>
                <p class="muted small">
                    {l.pick(
                        "После регистрации администратор проверит организацию. Пока проверка идёт, можно готовить каталог.",
                        "After sign-up an administrator verifies your organisation. Meanwhile you can prepare your catalog.",
                    )}
                </p>
                <ActionForm action=signup attr:class="form" attr:data-testid="signup-form">
                    <ActionError error=error />
                    <Field
                        label=l.pick("Название организации", "Organisation name")
                        name="organisation"
                        required=true
                        placeholder=l.pick("ООО «Ромашка»", "Romashka LLC")
                        error=error
                    />
                    <div class="field" class:has-error=move || inn_hint.get().is_some()>
                        <label for="f-inn">
                            {l.pick("ИНН", "Tax id (INN)")}
                            <span class="req" aria-hidden="true">" *"</span>
                        </label>
                        <input id="f-inn" name="inn" required inputmode="numeric" on:input=on_inn />
                        <div class="field-hint">
                            {l.pick("10 цифр для организации, 12 — для ИП", "10 digits for a company, 12 for an individual entrepreneur")}
                        </div>
                        {move || {
                            inn_hint
                                .get()
                                .or_else(|| crate::i18n::field_error(l, &error.get(), "inn"))
                                .map(|m| view! { <div class="field-error" role="alert">{m}</div> })
                        }}
                    </div>
                    <Field
                        label=l.pick("Ваше имя", "Your name")
                        name="display_name"
                        autocomplete="name"
                        error=error
                    />
                    <Field label="Email" name="email" kind="email" required=true autocomplete="email" error=error />
                    <Field
                        label=l.pick("Пароль", "Password")
                        name="password"
                        kind="password"
                        required=true
                        autocomplete="new-password"
                        hint=l.pick("Не короче 10 символов", "At least 10 characters")
                        error=error
                    />
                    <div class="form-actions">
                        <button
                            type="submit"
                            class="btn btn-primary btn-block"
                            class:loading=move || signup.pending().get()
                            disabled=move || signup.pending().get()
                        >
                            {l.pick("Зарегистрироваться", "Create seller account")}
                        </button>
                    </div>
                </ActionForm>
                <div class="auth-footer">
                    {l.pick("Уже есть аккаунт? ", "Already registered? ")}
                    <a href="/login">{l.pick("Войти", "Log in")}</a>
                </div>
            </div>
        </div>
    }
    .into_any()
}
