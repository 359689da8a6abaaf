//! The seller's orders: one shipment per order and seller, filtered by status tabs
//! (with counts, and "overdue" for paid ones past their shipping deadline), searched
//! and paged by the database.

use crate::api::seller::get_shipment_counts::get_shipment_counts;
use crate::api::seller::list_shipments::list_shipments;
use crate::components::orders::{ShipmentsTable, StatusTabs};
use crate::components::scope::RequestScope;
use crate::components::ui::{ErrorAlert, Loading, PageHeader, Pager};
use crate::session::use_locale;
use domain::orders::ShipmentSummary;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn seller_href(s: &ShipmentSummary) -> String {
    format!("/seller/orders/{}", s.id)
}

#[component]
pub fn OrdersPage() -> impl IntoView {
    let l = use_locale();
    let query = use_query_map();
    let initial = |k: &str| query.with_untracked(|q| q.get(k)).unwrap_or_default();
    let (status, set_status) = signal(initial("status"));
    let (search, set_search) = signal(initial("q"));
    let (offset, set_offset) = signal(0_i64);
    let scope = RequestScope::capture();
    let counts = {
        let scope = scope.clone();
        Resource::new(|| (), move |_| scope.run(get_shipment_counts()))
    };
    let shipments = Resource::new(
        move || (status.get(), search.get(), offset.get()),
        move |(st, q, off)| scope.run(list_shipments(Some(st), Some(q), off)),
    );
    let on_select = Callback::new(move |code: String| {
        set_offset.set(0);
        set_status.set(code);
    });
    view! {
        <PageHeader
            title=l.pick("Заказы", "Orders")
            subtitle=l.pick(
                "Ваши отправления: подтвердите оплаченные, отгрузите подтверждённые до срока.",
                "Your shipments: confirm the paid ones, ship the confirmed ones before the deadline.",
            )
        />
        <div class="page-body stack">
            <div class="card">
                <Transition fallback=move || view! { <StatusTabs status=status on_select=on_select /> }>
                    {move || Suspend::new(async move {
                        let c = counts.await.ok();
                        match c {
                            Some(c) => view! { <StatusTabs status=status on_select=on_select counts=c /> }.into_any(),
                            None => view! { <StatusTabs status=status on_select=on_select /> }.into_any(),
                        }
                    })}
                </Transition>
                <div class="table-toolbar">
                    <div class="filters">
                        <label class="visually-hidden" for="order-search">{l.pick("Поиск", "Search")}</label>
                        <input
                            id="order-search"
                            type="search"
                            data-testid="order-search"
                            prop:value=search
                            placeholder=l.pick(
                                "Номер заказа, внешний номер, артикул, название или трек-номер",
                                "Order number, external id, SKU, title or tracking number",
                            )
                            on:change=move |ev| {
                                set_offset.set(0);
                                set_search.set(event_target_value(&ev));
                            }
                        />
                    </div>
                </div>
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        match shipments.await {
                            Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                            Ok(page) if page.items.is_empty() => {
                                view! {
                                    <div class="empty-state" data-testid="orders-empty">
                                        {l.pick("Заказов не найдено.", "No orders found.")}
                                    </div>
                                }
                                    .into_any()
                            }
                            Ok(page) => {
                                let (off, lim, total) = (page.offset, page.limit, page.total);
                                view! {
                                    <ShipmentsTable items=page.items href=seller_href />
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
