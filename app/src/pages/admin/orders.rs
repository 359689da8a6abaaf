//! All sellers' orders for staff: the shipments list with status tabs and search,
//! and a shipment's page where staff confirm a delivery the carrier did not report.

use crate::api::admin::confirm_delivery::ConfirmDelivery;
use crate::api::admin::get_any_shipment::get_any_shipment;
use crate::api::admin::list_all_shipments::list_all_shipments;
use crate::components::orders::{
    MoneyBox, ShipmentFacts, ShipmentLines, ShipmentStatusBadge, ShipmentTimeline, ShipmentsTable,
    StatusTabs, minor,
};
use crate::components::scope::RequestScope;
use crate::components::ui::{ActionError, ErrorAlert, Loading, PageHeader, Pager, action_error};
use crate::session::use_locale;
use domain::orders::{ShipmentStatus, ShipmentSummary};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

fn admin_href(s: &ShipmentSummary) -> String {
    format!("/admin/orders/{}", s.id)
}

#[component]
pub fn AdminOrdersPage() -> impl IntoView {
    let l = use_locale();
    let query = use_query_map();
    let initial = |k: &str| query.with_untracked(|q| q.get(k)).unwrap_or_default();
    let (status, set_status) = signal(initial("status"));
    let (search, set_search) = signal(initial("q"));
    let (offset, set_offset) = signal(0_i64);
    let scope = RequestScope::capture();
    let shipments = Resource::new(
        move || (status.get(), search.get(), offset.get()),
        move |(st, q, off)| scope.run(list_all_shipments(Some(st), Some(q), off)),
    );
    let on_select = Callback::new(move |code: String| {
        set_offset.set(0);
        set_status.set(code);
    });
    view! {
        <PageHeader
            title=l.pick("Заказы", "Orders")
            subtitle=l.pick("Отправления всех продавцов.", "All sellers' shipments.")
        />
        <div class="page-body stack">
            <div class="card">
                <StatusTabs status=status on_select=on_select />
                <div class="table-toolbar">
                    <div class="filters">
                        <label class="visually-hidden" for="admin-order-search">{l.pick("Поиск", "Search")}</label>
                        <input
                            id="admin-order-search"
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
                                    <ShipmentsTable items=page.items href=admin_href show_seller=true />
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
pub fn AdminShipmentPage() -> impl IntoView {
    let l = use_locale();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).unwrap_or_default();
    let deliver = ServerAction::<ConfirmDelivery>::new();
    let deliver_error = action_error(deliver);
    let scope = RequestScope::capture();
    let shipment = Resource::new(
        move || (id(), deliver.version().get()),
        move |(id, _)| scope.run(get_any_shipment(id)),
    );
    view! {
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match shipment.await {
                    Err(e) => {
                        view! {
                            <PageHeader title=l.pick("Заказ", "Order") />
                            <div class="page-body stack">
                                <ErrorAlert error=e />
                                <A href="/admin/orders">{l.pick("← К заказам", "← Back to orders")}</A>
                            </div>
                        }
                            .into_any()
                    }
                    Ok(d) => {
                        let s = d.summary.clone();
                        let title = match l {
                            domain::Locale::Ru => format!("Заказ {}", s.number),
                            domain::Locale::En => format!("Order {}", s.number),
                        };
                        let shipped = s.status == ShipmentStatus::Shipped;
                        let id = s.id.to_string();
                        view! {
                            <PageHeader
                                title=title
                                subtitle=format!(
                                    "{} · {} · {}",
                                    s.seller_name,
                                    s.order_number,
                                    minor(l, s.total_minor, s.currency),
                                )
                            >
                                <ShipmentStatusBadge status=s.status />
                                <A href="/admin/orders" attr:class="btn btn-secondary">
                                    {l.pick("← К заказам", "← Back to orders")}
                                </A>
                            </PageHeader>
                            <div class="page-body stack">
                                <div data-testid="action-error">
                                    <ActionError error=deliver_error />
                                </div>
                                {shipped
                                    .then(|| {
                                        view! {
                                            <div class="card" data-testid="shipment-actions">
                                                <div class="card-body">
                                                    <ActionForm action=deliver attr:class="row">
                                                        <input type="hidden" name="id" value=id.clone() />
                                                        <button
                                                            type="submit"
                                                            class="btn btn-primary"
                                                            data-testid="confirm-delivery"
                                                            disabled=move || deliver.pending().get()
                                                        >
                                                            {l.pick("Подтвердить доставку", "Confirm delivery")}
                                                        </button>
                                                        <span class="muted small">
                                                            {l.pick(
                                                                "Если перевозчик не сообщил о доставке: срок удержания денег продавца начнётся с этого момента.",
                                                                "When the carrier did not report the delivery: the seller's hold period starts now.",
                                                            )}
                                                        </span>
                                                    </ActionForm>
                                                </div>
                                            </div>
                                        }
                                    })}
                                <div class="card">
                                    <div class="card-header">
                                        <h2 class="card-title">{l.pick("Товары", "Items")}</h2>
                                    </div>
                                    <ShipmentLines detail=d.clone() />
                                </div>
                                <div class="grid-2">
                                    <ShipmentFacts detail=d.clone() />
                                    <MoneyBox detail=d.clone() />
                                </div>
                                <ShipmentTimeline events=d.events.clone() />
                            </div>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}
