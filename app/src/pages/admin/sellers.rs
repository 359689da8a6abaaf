//! Sellers: search, filter by status, verify / suspend / reactivate.

use crate::api::admin::change_seller_status::ChangeSellerStatus;
use crate::api::admin::list_sellers::list_sellers;
use crate::components::scope::RequestScope;
use crate::components::ui::{
    ActionError, ErrorAlert, Loading, PageHeader, Pager, SellerStatusBadge, action_error,
};
use crate::i18n::datetime;
use crate::session::use_locale;
use domain::accounts::{SellerAction, SellerStatus};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SellersPage() -> impl IntoView {
    let l = use_locale();
    let query = use_query_map();
    let initial_status = query
        .with_untracked(|q| q.get("status"))
        .unwrap_or_default();
    let (search, set_search) = signal(String::new());
    let (status, set_status) = signal(initial_status);
    let (offset, set_offset) = signal(0_i64);
    let change = ServerAction::<ChangeSellerStatus>::new();
    let change_error = action_error(change);
    let scope = RequestScope::capture();
    let sellers = Resource::new(
        move || {
            (
                search.get(),
                status.get(),
                offset.get(),
                change.version().get(),
            )
        },
        move |(q, st, off, _)| {
            let st = st.parse::<SellerStatus>().ok();
            scope.run(list_sellers(q, st, off))
        },
    );
    view! {
        <PageHeader title=l.pick("Продавцы", "Sellers") />
        <div class="page-body stack">
            <ActionError error=change_error />
            <div class="card">
                <div class="table-toolbar">
                    <div class="filters">
                        <label class="visually-hidden" for="seller-search">{l.pick("Поиск", "Search")}</label>
                        <input
                            id="seller-search"
                            type="search"
                            placeholder=l.pick("Название, ИНН или email", "Name, INN or email")
                            on:input=move |ev| {
                                set_offset.set(0);
                                set_search.set(event_target_value(&ev));
                            }
                        />
                        <label class="visually-hidden" for="seller-status">{l.pick("Статус", "Status")}</label>
                        <select
                            id="seller-status"
                            on:change=move |ev| {
                                set_offset.set(0);
                                set_status.set(event_target_value(&ev));
                            }
                        >
                            <option value="" selected=move || status.get().is_empty()>{l.pick("Все статусы", "All statuses")}</option>
                            {SellerStatus::ALL
                                .into_iter()
                                .map(|s| {
                                    view! {
                                        <option value=s.as_str() selected=move || status.get() == s.as_str()>
                                            {s.label(l)}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </div>
                </div>
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        match sellers.await {
                            Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                            Ok(page) => {
                                let (off, lim, total) = (page.offset, page.limit, page.total);
                                view! {
                                    <div class="table-wrap">
                                        <table class="table" data-testid="sellers-table">
                                            <thead>
                                                <tr>
                                                    <th>{l.pick("Организация", "Organisation")}</th>
                                                    <th>{l.pick("ИНН", "INN")}</th>
                                                    <th>{l.pick("Статус", "Status")}</th>
                                                    <th class="num">{l.pick("Пользователи", "Users")}</th>
                                                    <th>{l.pick("Создан", "Created")}</th>
                                                    <th>{l.pick("Действия", "Actions")}</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {page
                                                    .items
                                                    .into_iter()
                                                    .map(|s| view! { <SellerRow seller=s change=change /> })
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
        </div>
    }
}

#[component]
fn SellerRow(
    seller: domain::accounts::SellerView,
    change: ServerAction<ChangeSellerStatus>,
) -> impl IntoView {
    let l = use_locale();
    let id = seller.id.to_string();
    let action_form = move |action: SellerAction,
                            label: &'static str,
                            class: &'static str,
                            needs_reason: bool| {
        let id = id.clone();
        let action_value = match action {
            SellerAction::Verify => "verify",
            SellerAction::Suspend => "suspend",
            SellerAction::Reactivate => "reactivate",
        };
        view! {
            <ActionForm action=change attr:class="row">
                <input type="hidden" name="seller_id" value=id />
                <input type="hidden" name="action" value=action_value />
                {needs_reason
                    .then(|| {
                        view! {
                            <input
                                name="reason"
                                required
                                class="input-sm"
                                aria-label=l.pick("Причина", "Reason")
                                placeholder=l.pick("Причина", "Reason")
                            />
                        }
                    })}
                <button type="submit" class=class data-action=action_value>{label}</button>
            </ActionForm>
        }
    };
    let actions = match seller.status {
        SellerStatus::PendingVerification => view! {
            {action_form(SellerAction::Verify, l.pick("Подтвердить", "Verify"), "btn btn-primary btn-sm", false)}
            {action_form(SellerAction::Suspend, l.pick("Приостановить", "Suspend"), "btn btn-danger btn-sm", true)}
        }
        .into_any(),
        SellerStatus::Active => {
            action_form(SellerAction::Suspend, l.pick("Приостановить", "Suspend"), "btn btn-danger btn-sm", true).into_any()
        }
        SellerStatus::Suspended => {
            action_form(SellerAction::Reactivate, l.pick("Восстановить", "Reactivate"), "btn btn-secondary btn-sm", false)
                .into_any()
        }
    };
    view! {
        <tr data-seller=seller.name.clone()>
            <td>
                {seller.name.clone()}
                {seller.status_reason.clone().map(|r| view! { <div class="small muted">{r}</div> })}
            </td>
            <td class="mono">{seller.inn.clone().unwrap_or_else(|| "—".into())}</td>
            <td>
                <SellerStatusBadge status=seller.status />
            </td>
            <td class="num">{seller.users}</td>
            <td class="nowrap">{datetime(seller.created_at_ms)}</td>
            <td>
                <div class="btn-group">{actions}</div>
            </td>
        </tr>
    }
}
