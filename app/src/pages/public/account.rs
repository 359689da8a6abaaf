//! `/account`: the logged-in user's profile and password change, in their own area's frame.

use crate::api::public::change_password::ChangePassword;
use crate::components::layout::urlencode;
use crate::components::ui::{ActionError, Field, PageHeader, action_error};
use crate::session::use_session;
use leptos::prelude::*;
use leptos_router::components::Redirect;

#[component]
pub fn AccountPage() -> impl IntoView {
    let session = use_session();
    let l = session.locale;
    let Some(user) = session.user.clone() else {
        return view! { <Redirect path=format!("/login?next={}", urlencode("/account")) /> }
            .into_any();
    };
    let change = ServerAction::<ChangePassword>::new();
    let error = action_error(change);
    let done = move || matches!(change.value().get(), Some(Ok(())));
    view! {
        <div class="auth-layout">
            <div class="auth-card">
                <PageHeader title=l.pick("Профиль", "Profile") />
                <dl class="props">
                    <dt>"Email"</dt>
                    <dd>{user.email.clone()}</dd>
                    <dt>{l.pick("Имя", "Name")}</dt>
                    <dd>{user.display_name.clone()}</dd>
                    <dt>{l.pick("Роль", "Role")}</dt>
                    <dd>{user.role.label(l)}</dd>
                    {user
                        .seller_name
                        .clone()
                        .map(|n| {
                            view! {
                                <dt>{l.pick("Организация", "Organisation")}</dt>
                                <dd>{n}</dd>
                            }
                        })}
                </dl>
                <h2>{l.pick("Смена пароля", "Change password")}</h2>
                <ActionForm action=change attr:class="form">
                    <ActionError error=error />
                    {move || {
                        done()
                            .then(|| {
                                view! {
                                    <div class="alert alert-success" role="status">
                                        {l.pick(
                                            "Пароль изменён. Другие сеансы завершены.",
                                            "Password changed. Your other sessions were ended.",
                                        )}
                                    </div>
                                }
                            })
                    }}
                    <Field
                        label=l.pick("Текущий пароль", "Current password")
                        name="current_password"
                        kind="password"
                        required=true
                        autocomplete="current-password"
                        error=error
                    />
                    <Field
                        label=l.pick("Новый пароль", "New password")
                        name="new_password"
                        kind="password"
                        required=true
                        autocomplete="new-password"
                        hint=l.pick("Не короче 10 символов", "At least 10 characters")
                        error=error
                    />
                    <div class="form-actions">
                        <button type="submit" class="btn btn-primary" disabled=move || change.pending().get()>
                            {l.pick("Сменить пароль", "Change password")}
                        </button>
                        <a class="btn btn-ghost" href=user.role.home_path()>
                            {l.pick("Назад", "Back")}
                        </a>
                    </div>
                </ActionForm>
            </div>
        </div>
    }
    .into_any()
}
