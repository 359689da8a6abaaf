//! One shipment: lines, money, destination, history, and what the seller can do in
//! its status (confirm a paid one, ship a confirmed one, cancel before shipping).

use crate::api::seller::cancel_shipment::CancelShipment;
use crate::api::seller::confirm_shipment::ConfirmShipment;
use crate::api::seller::get_shipment::{SellerShipmentView, get_shipment};
use crate::api::seller::ship_shipment::ShipShipment;
use crate::components::orders::{
    CANCEL_REASONS, CARRIERS, MoneyBox, ShipmentFacts, ShipmentLines, ShipmentStatusBadge,
    ShipmentTimeline, minor,
};
use crate::components::scope::RequestScope;
use crate::components::ui::{ActionError, ErrorAlert, Loading, PageHeader, action_error};
use crate::i18n::field_error;
use crate::session::{use_locale, use_session};
use domain::accounts::SellerStatus;
use domain::orders::ShipmentStatus;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

/// True when the caller may work orders (not suspended, a role that edits).
fn can_act() -> bool {
    use_session()
        .user
        .map(|u| {
            u.seller_status != Some(SellerStatus::Suspended)
                && u.member_role.is_none_or(|r| r.can_edit_catalog())
        })
        .unwrap_or(false)
}

#[component]
pub fn ShipmentPage() -> impl IntoView {
    let l = use_locale();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).unwrap_or_default();
    let confirm = ServerAction::<ConfirmShipment>::new();
    let ship = ServerAction::<ShipShipment>::new();
    let cancel = ServerAction::<CancelShipment>::new();
    let scope = RequestScope::capture();
    let shipment = Resource::new(
        move || {
            (
                id(),
                confirm.version().get(),
                ship.version().get(),
                cancel.version().get(),
            )
        },
        move |(id, ..)| scope.run(get_shipment(id)),
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
                                <A href="/seller/orders">{l.pick("← К заказам", "← Back to orders")}</A>
                            </div>
                        }
                            .into_any()
                    }
                    Ok(view) => {
                        view! { <ShipmentView view=view confirm=confirm ship=ship cancel=cancel /> }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn ShipmentView(
    view: SellerShipmentView,
    confirm: ServerAction<ConfirmShipment>,
    ship: ServerAction<ShipShipment>,
    cancel: ServerAction<CancelShipment>,
) -> impl IntoView {
    let l = use_locale();
    let d = view.detail;
    let s = d.summary.clone();
    let title = match l {
        domain::Locale::Ru => format!("Заказ {}", s.number),
        domain::Locale::En => format!("Order {}", s.number),
    };
    view! {
        <PageHeader title=title subtitle=format!("{} · {}", s.order_number, minor(l, s.total_minor, s.currency))>
            <ShipmentStatusBadge status=s.status />
            <A href="/seller/orders" attr:class="btn btn-secondary">{l.pick("← К заказам", "← Back to orders")}</A>
        </PageHeader>
        <div class="page-body stack">
            <Actions
                id=s.id.to_string()
                status=s.status
                penalty=view.cancel_penalty_minor.map(|p| minor(l, p, s.currency))
                confirm=confirm
                ship=ship
                cancel=cancel
            />
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
}

#[component]
fn Actions(
    id: String,
    status: ShipmentStatus,
    penalty: Option<String>,
    confirm: ServerAction<ConfirmShipment>,
    ship: ServerAction<ShipShipment>,
    cancel: ServerAction<CancelShipment>,
) -> impl IntoView {
    let l = use_locale();
    let confirm_error = action_error(confirm);
    let ship_error = action_error(ship);
    let cancel_error = action_error(cancel);
    // The error of the action run last: starting one forgets the others' results.
    let any_error = Signal::derive(move || {
        confirm_error
            .get()
            .or_else(|| ship_error.get())
            .or_else(|| cancel_error.get())
    });
    let forget_others = move |keep: &'static str| {
        if keep != "confirm" {
            confirm.value().set(None);
        }
        if keep != "ship" {
            ship.value().set(None);
        }
        if keep != "cancel" {
            cancel.value().set(None);
        }
    };
    let errors = view! {
        <div data-testid="action-error">
            <ActionError error=any_error />
        </div>
    };
    if !can_act() {
        return view! {
            {errors}
            <div class="alert alert-info" data-testid="no-order-rights">
                {l.pick(
                    "Ваша роль позволяет только просматривать заказы.",
                    "Your role can only view orders.",
                )}
            </div>
        }
        .into_any();
    }
    let can_confirm = status == ShipmentStatus::Paid;
    let can_ship = status == ShipmentStatus::Confirmed;
    let can_cancel = status.awaits_shipping();
    if !(can_confirm || can_ship || can_cancel) {
        return errors.into_any();
    }
    let (carrier, set_carrier) = signal(CARRIERS[0].0.to_string());
    let ship_field = move |f: &'static str| field_error(l, &ship_error.get(), f);
    let id_confirm = id.clone();
    let id_ship = id.clone();
    let id_cancel = id;
    view! {
        {errors}
        <div class="card" data-testid="shipment-actions">
            <div class="card-header">
                <h2 class="card-title">{l.pick("Действия", "Actions")}</h2>
            </div>
            <div class="card-body stack">
                {can_confirm
                    .then(|| {
                        view! {
                            <ActionForm action=confirm attr:class="row" attr:data-testid="confirm-form" on:submit=move |_| forget_others("confirm")>
                                <input type="hidden" name="id" value=id_confirm.clone() />
                                <button
                                    type="submit"
                                    class="btn btn-primary"
                                    data-testid="confirm-shipment"
                                    disabled=move || confirm.pending().get()
                                >
                                    {l.pick("Подтвердить заказ", "Confirm order")}
                                </button>
                                <span class="muted small">
                                    {l.pick(
                                        "Подтвердите, что товар есть и будет отгружен в срок.",
                                        "Confirm that the goods are in stock and will ship in time.",
                                    )}
                                </span>
                            </ActionForm>
                        }
                    })}
                {can_ship
                    .then(|| {
                        view! {
                            <ActionForm action=ship attr:class="form" attr:data-testid="ship-form" on:submit=move |_| forget_others("ship")>
                                <input type="hidden" name="id" value=id_ship.clone() />
                                <div class="form-row">
                                    <div class="field" class:has-error=move || ship_field("carrier").is_some()>
                                        <label for="ship-carrier">{l.pick("Перевозчик", "Carrier")}</label>
                                        <select
                                            id="ship-carrier"
                                            data-testid="ship-carrier"
                                            name=move || (carrier.get() != "other").then_some("carrier")
                                            on:change=move |ev| set_carrier.set(event_target_value(&ev))
                                        >
                                            {CARRIERS
                                                .iter()
                                                .map(|(code, ru, en)| {
                                                    view! { <option value=*code>{l.pick(ru, en).to_string()}</option> }
                                                })
                                                .collect_view()}
                                            <option value="other">{l.pick("Другой (указать код)", "Other (enter a code)")}</option>
                                        </select>
                                        {move || ship_field("carrier").map(|m| view! { <div class="field-error" role="alert">{m}</div> })}
                                    </div>
                                    {move || {
                                        (carrier.get() == "other")
                                            .then(|| {
                                                view! {
                                                    <div class="field">
                                                        <label for="ship-carrier-code">{l.pick("Код перевозчика", "Carrier code")}</label>
                                                        <input
                                                            id="ship-carrier-code"
                                                            name="carrier"
                                                            data-testid="ship-carrier-code"
                                                            required
                                                            placeholder="pek"
                                                        />
                                                    </div>
                                                }
                                            })
                                    }}
                                    <div class="field" class:has-error=move || ship_field("tracking_number").is_some()>
                                        <label for="ship-tracking">{l.pick("Трек-номер", "Tracking number")}</label>
                                        <input
                                            id="ship-tracking"
                                            name="tracking_number"
                                            data-testid="ship-tracking"
                                            required
                                            placeholder="RA123456789RU"
                                        />
                                        {move || {
                                            ship_field("tracking_number")
                                                .map(|m| view! { <div class="field-error" role="alert">{m}</div> })
                                        }}
                                    </div>
                                </div>
                                <div class="form-actions">
                                    <button
                                        type="submit"
                                        class="btn btn-primary"
                                        data-testid="ship-shipment"
                                        disabled=move || ship.pending().get()
                                    >
                                        {l.pick("Отгрузить", "Ship")}
                                    </button>
                                </div>
                            </ActionForm>
                        }
                    })}
                {can_cancel
                    .then(|| {
                        view! {
                            <ActionForm action=cancel attr:class="form" attr:data-testid="cancel-form" on:submit=move |_| forget_others("cancel")>
                                <input type="hidden" name="id" value=id_cancel.clone() />
                                {penalty
                                    .clone()
                                    .map(|p| {
                                        view! {
                                            <div class="alert alert-warning" data-testid="cancel-penalty-warning">
                                                {match l {
                                                    domain::Locale::Ru => format!(
                                                        "Отмена оплаченного заказа — штраф {p}: он будет удержан из ваших выплат.",
                                                    ),
                                                    domain::Locale::En => format!(
                                                        "Cancelling a paid order costs a penalty of {p}, taken from your payouts.",
                                                    ),
                                                }}
                                            </div>
                                        }
                                    })}
                                <div class="form-row">
                                    <div class="field">
                                        <label for="cancel-reason">{l.pick("Причина отмены", "Reason")}</label>
                                        <select id="cancel-reason" name="reason" data-testid="cancel-reason">
                                            {CANCEL_REASONS
                                                .iter()
                                                .map(|(code, ru, en)| {
                                                    view! { <option value=*code>{l.pick(ru, en).to_string()}</option> }
                                                })
                                                .collect_view()}
                                        </select>
                                    </div>
                                </div>
                                <div class="form-actions">
                                    <button
                                        type="submit"
                                        class="btn btn-danger"
                                        data-testid="cancel-shipment"
                                        disabled=move || cancel.pending().get()
                                    >
                                        {l.pick("Отменить заказ", "Cancel order")}
                                    </button>
                                </div>
                            </ActionForm>
                        }
                    })}
            </div>
        </div>
    }
    .into_any()
}
