//! Users: search by email or name, filter by role, create staff and sellers.

use crate::api::admin::create_user::CreateUser;
use crate::api::admin::list_users::list_users;
use crate::components::scope::RequestScope;
use crate::components::ui::{
    ActionError, ErrorAlert, Field, Loading, PageHeader, Pager, action_error,
};
use crate::i18n::datetime;
use crate::session::use_locale;
use domain::accounts::Role;
use leptos::prelude::*;

#[component]
pub fn UsersPage() -> impl IntoView {
    let l = use_locale();
    let (search, set_search) = signal(String::new());
    let (role, set_role) = signal(String::new());
    let (offset, set_offset) = signal(0_i64);
    let create = ServerAction::<CreateUser>::new();
    let error = action_error(create);
    let scope = RequestScope::capture();
    let users = Resource::new(
        move || {
            (
                search.get(),
                role.get(),
                offset.get(),
                create.version().get(),
            )
        },
        move |(q, r, off, _)| scope.run(list_users(q, r.parse::<Role>().ok(), off)),
    );
    let created = move || matches!(create.value().get(), Some(Ok(())));
    view! {
        <PageHeader title=l.pick("Пользователи", "Users") />
        <div class="page-body stack">
            <div class="card">
                <div class="table-toolbar">
                    <div class="filters">
                        <label class="visually-hidden" for="user-search">{l.pick("Поиск", "Search")}</label>
                        <input
                            id="user-search"
                            type="search"
                            placeholder=l.pick("Email или имя", "Email or name")
                            on:input=move |ev| {
                                set_offset.set(0);
                                set_search.set(event_target_value(&ev));
                            }
                        />
                        <label class="visually-hidden" for="user-role">{l.pick("Роль", "Role")}</label>
                        <select
                            id="user-role"
                            on:change=move |ev| {
                                set_offset.set(0);
                                set_role.set(event_target_value(&ev));
                            }
                        >
                            <option value="">{l.pick("Все роли", "All roles")}</option>
                            {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{r.label(l)}</option> }).collect_view()}
                        </select>
                    </div>
                </div>
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        match users.await {
                            Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                            Ok(page) => {
                                let (off, lim, total) = (page.offset, page.limit, page.total);
                                view! {
                                    <div class="table-wrap">
                                        <table class="table" data-testid="users-table">
                                            <thead>
                                                <tr>
                                                    <th>"Email"</th>
                                                    <th>{l.pick("Имя", "Name")}</th>
                                                    <th>{l.pick("Роль", "Role")}</th>
                                                    <th>{l.pick("Организация", "Organisation")}</th>
                                                    <th>{l.pick("Создан", "Created")}</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {page
                                                    .items
                                                    .into_iter()
                                                    .map(|u| {
                                                        view! {
                                                            <tr>
                                                                <td>{u.email}</td>
                                                                <td>{u.display_name}</td>
                                                                <td>
                                                                    <span class="badge badge-neutral">{u.role.label(l)}</span>
                                                                    {u.member_role.map(|m| view! { <span class="small muted">" · " {m.label(l)}</span> })}
                                                                </td>
                                                                <td>{u.seller_name.unwrap_or_else(|| "—".into())}</td>
                                                                <td class="nowrap">{datetime(u.created_at_ms)}</td>
                                                            </tr>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                    <Pager offset=off limit=lim total=total on_page=Callback::new(move |o| set_offset.set(o)) />
                                }
                                    .into_any()
                            }
                        }
                    })}
                </Transition>
            </div>
            <div class="card">
                <div class="card-header">
                    <h2 class="card-title">{l.pick("Новый пользователь", "New user")}</h2>
                </div>
                <div class="card-body">
                    <ActionForm action=create attr:class="form" attr:data-testid="create-user-form">
                        <ActionError error=error />
                        {move || {
                            created()
                                .then(|| {
                                    view! {
                                        <div class="alert alert-success" role="status">
                                            {l.pick("Пользователь создан.", "User created.")}
                                        </div>
                                    }
                                })
                        }}
                        <div class="form-row">
                            <Field label="Email" name="email" kind="email" required=true error=error />
                            <Field label=l.pick("Имя", "Name") name="display_name" error=error />
                        </div>
                        <div class="form-row">
                            <Field
                                label=l.pick("Пароль", "Password")
                                name="password"
                                kind="password"
                                required=true
                                autocomplete="new-password"
                                error=error
                            />
                            <div class="field">
                                <label for="f-role">{l.pick("Роль", "Role")}</label>
                                <select id="f-role" name="role">
                                    <option value="moderator">{Role::Moderator.label(l)}</option>
                                    <option value="finance">{Role::Finance.label(l)}</option>
                                    <option value="admin">{Role::Admin.label(l)}</option>
                                    <option value="seller">{Role::Seller.label(l)}</option>
                                </select>
                            </div>
                        </div>
                        <fieldset>
                            <legend>{l.pick("Для продавца", "For a seller")}</legend>
                            <div class="form-row">
                                <Field label=l.pick("Организация", "Organisation") name="seller_name" error=error />
                                <Field label=l.pick("ИНН", "INN") name="seller_inn" error=error />
                            </div>
                        </fieldset>
                        <div class="form-actions">
                            <button type="submit" class="btn btn-primary" disabled=move || create.pending().get()>
                                {l.pick("Создать", "Create")}
                            </button>
                        </div>
                    </ActionForm>
                </div>
            </div>
        </div>
    }
}
