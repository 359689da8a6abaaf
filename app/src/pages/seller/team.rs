//! The organisation's people; the owner adds managers and accountants.

use crate::api::seller::add_team_member::AddTeamMember;
use crate::api::seller::list_team::list_team;
use crate::components::scope::RequestScope;
use crate::components::ui::{ActionError, ErrorAlert, Field, Loading, PageHeader, action_error};
use crate::i18n::datetime;
use crate::session::use_session;
use domain::accounts::MemberRole;
use leptos::prelude::*;

#[component]
pub fn TeamPage() -> impl IntoView {
    let s = use_session();
    let l = s.locale;
    let is_owner = s.user.as_ref().and_then(|u| u.member_role) == Some(MemberRole::Owner);
    let add = ServerAction::<AddTeamMember>::new();
    let error = action_error(add);
    let scope = RequestScope::capture();
    let team = Resource::new(move || add.version().get(), move |_| scope.run(list_team()));
    view! {
        <PageHeader title=l.pick("Команда", "Team") />
        <div class="page-body stack">
            <div class="card">
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        match team.await {
                            Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                            Ok(list) => {
                                view! {
                                    <div class="table-wrap">
                                        <table class="table">
                                            <thead>
                                                <tr>
                                                    <th>{l.pick("Имя", "Name")}</th>
                                                    <th>"Email"</th>
                                                    <th>{l.pick("Роль", "Role")}</th>
                                                    <th>{l.pick("Добавлен", "Added")}</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {list
                                                    .into_iter()
                                                    .map(|u| {
                                                        view! {
                                                            <tr>
                                                                <td>{u.display_name}</td>
                                                                <td>{u.email}</td>
                                                                <td>{u.member_role.map(|r| r.label(l)).unwrap_or_default()}</td>
                                                                <td class="nowrap">{datetime(u.created_at_ms)}</td>
                                                            </tr>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                }
                                    .into_any()
                            }
                        }
                    })}
                </Transition>
            </div>
            {is_owner
                .then(|| {
                    view! {
                        <div class="card">
                            <div class="card-header">
                                <h2 class="card-title">{l.pick("Добавить сотрудника", "Add a colleague")}</h2>
                            </div>
                            <div class="card-body">
                                <ActionForm action=add attr:class="form">
                                    <ActionError error=error />
                                    <div class="form-row">
                                        <Field label=l.pick("Имя", "Name") name="display_name" error=error />
                                        <Field label="Email" name="email" kind="email" required=true error=error />
                                    </div>
                                    <div class="form-row">
                                        <Field
                                            label=l.pick("Временный пароль", "Temporary password")
                                            name="password"
                                            kind="password"
                                            required=true
                                            autocomplete="new-password"
                                            hint=l.pick("Сотрудник сменит его после входа", "They change it after logging in")
                                            error=error
                                        />
                                        <div class="field">
                                            <label for="f-member-role">{l.pick("Роль", "Role")}</label>
                                            <select id="f-member-role" name="member_role">
                                                <option value="manager">{MemberRole::Manager.label(l)}</option>
                                                <option value="accountant">{MemberRole::Accountant.label(l)}</option>
                                            </select>
                                        </div>
                                    </div>
                                    <div class="form-actions">
                                        <button type="submit" class="btn btn-primary" disabled=move || add.pending().get()>
                                            {l.pick("Добавить", "Add")}
                                        </button>
                                    </div>
                                </ActionForm>
                            </div>
                        </div>
                    }
                })}
        </div>
    }
}
