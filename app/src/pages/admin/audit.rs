//! The audit log: every decision and change, newest first.

use crate::api::admin::list_audit::list_audit;
use crate::components::scope::RequestScope;
use crate::components::ui::{ErrorAlert, Loading, PageHeader};
use crate::i18n::datetime;
use crate::session::use_locale;
use domain::audit::AuditFilter;
use leptos::prelude::*;

#[component]
pub fn AuditPage() -> impl IntoView {
    let l = use_locale();
    let (prefix, set_prefix) = signal(String::new());
    let scope = RequestScope::capture();
    let entries = Resource::new(
        move || prefix.get(),
        move |p| {
            scope.run(list_audit(AuditFilter {
                action_prefix: Some(p),
                limit: Some(200),
                ..AuditFilter::default()
            }))
        },
    );
    view! {
        <PageHeader
            title=l.pick("Журнал действий", "Audit log")
            subtitle=l.pick("Кто, когда, что и почему — записи не изменяются и не удаляются.", "Who, when, what and why — entries are never changed or deleted.")
        />
        <div class="page-body">
            <div class="card">
                <div class="table-toolbar">
                    <div class="filters">
                        <label class="visually-hidden" for="audit-filter">{l.pick("Действие", "Action")}</label>
                        <input
                            id="audit-filter"
                            type="search"
                            placeholder=l.pick("Действие, например seller.", "Action, e.g. seller.")
                            on:input=move |ev| set_prefix.set(event_target_value(&ev))
                        />
                    </div>
                </div>
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        match entries.await {
                            Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                            Ok(list) => {
                                view! {
                                    <div class="table-wrap">
                                        <table class="table" data-testid="audit-table">
                                            <thead>
                                                <tr>
                                                    <th>{l.pick("Время", "Time")}</th>
                                                    <th>{l.pick("Кто", "Who")}</th>
                                                    <th>{l.pick("Действие", "Action")}</th>
                                                    <th>{l.pick("Объект", "Subject")}</th>
                                                    <th>{l.pick("Подробности", "Details")}</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {list
                                                    .into_iter()
                                                    .map(|e| {
                                                        view! {
                                                            <tr>
                                                                <td class="nowrap">{datetime(e.at_ms)}</td>
                                                                <td>{e.actor_label}</td>
                                                                <td class="mono">{e.action}</td>
                                                                <td class="small">{e.subject_kind} " " <span class="mono muted">{e.subject_id}</span></td>
                                                                <td class="small mono">{e.details}</td>
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
        </div>
    }
}
