//! Pieces shared by the seller's and the staff's order screens: status names and
//! badges, the status tabs, the shipments table, and a shipment's lines, money and
//! history.

use crate::i18n::{datetime, money};
use crate::session::use_locale;
use domain::Locale;
use domain::money::{Currency, Money};
use domain::orders::{
    DeliveryMethod, ShipmentCounts, ShipmentDetail, ShipmentEventView, ShipmentStatus,
    ShipmentSummary,
};
use leptos::prelude::*;
use leptos_router::components::A;

/// Carriers offered in the ship form (code, Russian, English); "other" lets the
/// seller type a code.
pub const CARRIERS: &[(&str, &str, &str)] = &[
    ("cdek", "СДЭК", "CDEK"),
    ("russian_post", "Почта России", "Russian Post"),
    ("boxberry", "Boxberry", "Boxberry"),
    ("yandex", "Яндекс Доставка", "Yandex Delivery"),
    ("dpd", "DPD", "DPD"),
];

/// Reasons a seller may cancel for (the `SellerCancelReason` codes).
pub const CANCEL_REASONS: &[(&str, &str, &str)] = &[
    ("out_of_stock", "Нет в наличии", "Out of stock"),
    ("price_error", "Ошибка в цене", "Price error"),
    (
        "cannot_ship_in_time",
        "Не успеваю отгрузить в срок",
        "Cannot ship in time",
    ),
    ("other", "Другая причина", "Other"),
];

pub fn status_label(s: ShipmentStatus, l: Locale) -> &'static str {
    match s {
        ShipmentStatus::AwaitingPayment => l.pick("Ожидает оплаты", "Awaiting payment"),
        ShipmentStatus::Paid => l.pick("Оплачен", "Paid"),
        ShipmentStatus::Confirmed => l.pick("Подтверждён", "Confirmed"),
        ShipmentStatus::Shipped => l.pick("Отгружен", "Shipped"),
        ShipmentStatus::Delivered => l.pick("Доставлен", "Delivered"),
        ShipmentStatus::Cancelled => l.pick("Отменён", "Cancelled"),
        _ => l.pick("Неизвестный статус", "Unknown status"),
    }
}

fn status_str_label(s: &str, l: Locale) -> String {
    s.parse::<ShipmentStatus>()
        .map(|st| status_label(st, l).to_string())
        .unwrap_or_else(|_| s.to_string())
}

pub fn carrier_label(code: &str, l: Locale) -> String {
    CARRIERS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, ru, en)| l.pick(ru, en).to_string())
        .unwrap_or_else(|| code.to_string())
}

pub fn cancel_reason_label(code: &str, l: Locale) -> String {
    CANCEL_REASONS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, ru, en)| l.pick(ru, en).to_string())
        .unwrap_or_else(|| code.to_string())
}

pub fn method_label(m: DeliveryMethod, l: Locale) -> &'static str {
    match m {
        DeliveryMethod::Fbs => l.pick("Продавец доставляет (FBS)", "Seller ships (FBS)"),
        DeliveryMethod::Fbo => l.pick("Со склада площадки (FBO)", "From our warehouse (FBO)"),
        DeliveryMethod::Pickup => l.pick("Пункт выдачи", "Pickup point"),
    }
}

/// Money in minor units of `currency`, formatted for the UI language.
pub fn minor(l: Locale, amount_minor: i64, currency: Currency) -> String {
    money(l, &Money::from_minor(amount_minor, currency))
}

/// Paid or confirmed and past its shipping deadline, as of `now_ms`.
pub fn is_overdue(s: &ShipmentSummary, now_ms: i64) -> bool {
    s.status.awaits_shipping() && s.ship_by.is_some_and(|t| t < now_ms)
}

pub fn now_ms() -> i64 {
    domain::time::Timestamp::now().millis()
}

#[component]
pub fn ShipmentStatusBadge(status: ShipmentStatus) -> impl IntoView {
    let l = use_locale();
    let class = match status {
        ShipmentStatus::Delivered => "badge badge-success",
        ShipmentStatus::Paid => "badge badge-warning",
        ShipmentStatus::Confirmed | ShipmentStatus::Shipped => "badge badge-info",
        ShipmentStatus::Cancelled => "badge badge-danger",
        _ => "badge badge-neutral",
    };
    view! {
        <span class=class data-testid="shipment-status" data-status=status.as_str()>
            {status_label(status, l)}
        </span>
    }
}

/// The ship-by deadline, marked when overdue.
#[component]
pub fn ShipBy(summary: ShipmentSummary) -> impl IntoView {
    let l = use_locale();
    let overdue = is_overdue(&summary, now_ms());
    match summary.ship_by {
        None => view! { <span class="muted">"—"</span> }.into_any(),
        Some(t) if summary.status.awaits_shipping() => view! {
            <span class="nowrap" data-testid="ship-by" data-overdue=if overdue { "1" } else { "0" }>
                {datetime(t)}
                {overdue.then(|| view! { " " <span class="badge badge-danger">{l.pick("Просрочен", "Overdue")}</span> })}
            </span>
        }
        .into_any(),
        Some(t) => view! { <span class="nowrap muted" data-testid="ship-by">{datetime(t)}</span> }.into_any(),
    }
}

/// Status filter tabs: all, each status, overdue (with counts when known).
#[component]
pub fn StatusTabs(
    #[prop(into)] status: Signal<String>,
    on_select: Callback<String>,
    #[prop(optional)] counts: Option<ShipmentCounts>,
) -> impl IntoView {
    let l = use_locale();
    let count = move |code: &str| -> Option<i64> {
        let c = counts.as_ref()?;
        Some(match code {
            "awaiting_payment" => c.awaiting_payment,
            "paid" => c.paid,
            "confirmed" => c.confirmed,
            "shipped" => c.shipped,
            "delivered" => c.delivered,
            "cancelled" => c.cancelled,
            "overdue" => c.overdue,
            _ => c.awaiting_payment + c.paid + c.confirmed + c.shipped + c.delivered + c.cancelled,
        })
    };
    let mut tabs: Vec<(&'static str, String)> = vec![("", l.pick("Все", "All").to_string())];
    for s in [
        ShipmentStatus::Paid,
        ShipmentStatus::Confirmed,
        ShipmentStatus::Shipped,
        ShipmentStatus::Delivered,
        ShipmentStatus::AwaitingPayment,
        ShipmentStatus::Cancelled,
    ] {
        tabs.push((s.as_str(), status_label(s, l).to_string()));
    }
    tabs.push(("overdue", l.pick("Просроченные", "Overdue").to_string()));
    view! {
        <div class="tabs" role="tablist" data-testid="status-tabs">
            {tabs
                .into_iter()
                .map(|(code, label)| {
                    let n = count(code);
                    let danger = code == "overdue" && n.unwrap_or(0) > 0;
                    view! {
                        <button
                            type="button"
                            role="tab"
                            class="tab"
                            data-testid=format!("tab-{}", if code.is_empty() { "all" } else { code })
                            aria-selected=move || if status.get() == code { "true" } else { "false" }
                            on:click=move |_| on_select.run(code.to_string())
                        >
                            {label}
                            {n.map(|n| {
                                let class = if danger { "badge badge-danger" } else { "badge badge-neutral" };
                                view! { <span class=class data-testid="tab-count">{n}</span> }
                            })}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// The shipments table; `href` gives each row's link, `show_seller` adds a column.
#[component]
pub fn ShipmentsTable(
    items: Vec<ShipmentSummary>,
    href: fn(&ShipmentSummary) -> String,
    #[prop(optional)] show_seller: bool,
) -> impl IntoView {
    let l = use_locale();
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="shipments-table">
                <thead>
                    <tr>
                        <th>{l.pick("Номер", "Number")}</th>
                        {show_seller.then(|| view! { <th>{l.pick("Продавец", "Seller")}</th> })}
                        <th>{l.pick("Создан", "Created")}</th>
                        <th class="num">{l.pick("Товаров", "Items")}</th>
                        <th class="num">{l.pick("Сумма", "Total")}</th>
                        <th>{l.pick("Статус", "Status")}</th>
                        <th>{l.pick("Отгрузить до", "Ship by")}</th>
                    </tr>
                </thead>
                <tbody>
                    {items
                        .into_iter()
                        .map(|s| {
                            let link = href(&s);
                            let seller = s.seller_name.clone();
                            let number = s.number.clone();
                            let row_number = s.number.clone();
                            let row_id = s.id.to_string();
                            view! {
                                <tr data-testid="shipment-row" data-number=row_number data-id=row_id>
                                    <td>
                                        <A href=link attr:class="mono">{number}</A>
                                        <div class="small muted">
                                            {format!("{} · {} {}", s.order_number, s.channel, s.external_order_id)}
                                        </div>
                                    </td>
                                    {show_seller.then(|| view! { <td>{seller}</td> })}
                                    <td class="nowrap small">{datetime(s.created_at)}</td>
                                    <td class="num">{s.items}</td>
                                    <td class="num money" data-testid="shipment-total">{minor(l, s.total_minor, s.currency)}</td>
                                    <td><ShipmentStatusBadge status=s.status /></td>
                                    <td class="small"><ShipBy summary=s.clone() /></td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Order lines with price, commission once captured, and refunds.
#[component]
pub fn ShipmentLines(detail: ShipmentDetail) -> impl IntoView {
    let l = use_locale();
    let cur = detail.summary.currency;
    let total = detail.summary.total_minor;
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="shipment-lines">
                <thead>
                    <tr>
                        <th>{l.pick("Артикул", "SKU")}</th>
                        <th>{l.pick("Название", "Title")}</th>
                        <th class="num">{l.pick("Кол-во", "Qty")}</th>
                        <th class="num">{l.pick("Цена", "Unit price")}</th>
                        <th class="num">{l.pick("Сумма", "Line total")}</th>
                        <th class="num">{l.pick("Комиссия", "Commission")}</th>
                        <th class="num">{l.pick("Возвращено", "Refunded")}</th>
                    </tr>
                </thead>
                <tbody>
                    {detail
                        .lines
                        .into_iter()
                        .map(|line| {
                            let commission = match (line.commission_minor, line.commission_rate_bps) {
                                (Some(c), rate) => {
                                    let rate = rate
                                        .map(|r| format!(" ({}%)", format_bps(r, l)))
                                        .unwrap_or_default();
                                    format!("{}{rate}", minor(l, c, cur))
                                }
                                (None, _) => "—".to_string(),
                            };
                            view! {
                                <tr data-testid="shipment-line" data-sku=line.seller_sku.clone()>
                                    <td class="mono">{line.seller_sku.clone()}</td>
                                    <td>{line.title.clone()}</td>
                                    <td class="num">{line.quantity}</td>
                                    <td class="num money">{minor(l, line.unit_price_minor, cur)}</td>
                                    <td class="num money" data-testid="line-total">{minor(l, line.line_total_minor, cur)}</td>
                                    <td class="num money" data-testid="line-commission">{commission}</td>
                                    <td class="num money">
                                        {if line.refunded_minor > 0 { minor(l, line.refunded_minor, cur) } else { "—".to_string() }}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
                <tfoot>
                    <tr>
                        <th colspan="4">{l.pick("Итого", "Total")}</th>
                        <th class="num money" data-testid="shipment-lines-total">{minor(l, total, cur)}</th>
                        <th colspan="2"></th>
                    </tr>
                </tfoot>
            </table>
        </div>
    }
}

/// Basis points as a percentage: 1250 → `12,5` / `12.5`.
fn format_bps(bps: i64, l: Locale) -> String {
    let whole = bps / 100;
    let frac = (bps % 100).abs();
    let s = if frac == 0 {
        whole.to_string()
    } else if frac % 10 == 0 {
        format!("{whole}.{}", frac / 10)
    } else {
        format!("{whole}.{frac:02}")
    };
    match l {
        Locale::Ru => s.replace('.', ","),
        Locale::En => s,
    }
}

fn hold_label(status: &str, l: Locale) -> String {
    match status {
        "held" => l.pick("Удерживается", "Held").to_string(),
        "blocked" => l.pick("Заблокировано", "Blocked").to_string(),
        "released" => l.pick("Освобождено", "Released").to_string(),
        other => other.to_string(),
    }
}

/// Where the seller's money for the shipment stands.
#[component]
pub fn MoneyBox(detail: ShipmentDetail) -> impl IntoView {
    let l = use_locale();
    let cur = detail.summary.currency;
    let m = detail.money;
    let captured = m.captured_minor > 0 || m.hold_status.is_some();
    view! {
        <div class="card" data-testid="money-box">
            <div class="card-header">
                <h2 class="card-title">{l.pick("Деньги", "Money")}</h2>
            </div>
            <div class="card-body">
                {if captured {
                    view! {
                        <dl class="props">
                            <dt>{l.pick("Оплачено покупателем", "Captured")}</dt>
                            <dd class="money" data-testid="money-captured">{minor(l, m.captured_minor, cur)}</dd>
                            <dt>{l.pick("Комиссия площадки", "Commission")}</dt>
                            <dd class="money" data-testid="money-commission">{minor(l, m.commission_minor, cur)}</dd>
                            <dt>{l.pick("Возвраты", "Refunds")}</dt>
                            <dd class="money" data-testid="money-refunded">{minor(l, m.refunded_minor, cur)}</dd>
                            <dt>{l.pick("Вам к зачислению", "Net to you")}</dt>
                            <dd class="money" data-testid="money-net"><strong>{minor(l, m.net_minor, cur)}</strong></dd>
                            <dt>{l.pick("Удержание", "Hold")}</dt>
                            <dd data-testid="money-hold-status" data-status=m.hold_status.clone().unwrap_or_default()>
                                {m.hold_status.as_deref().map(|h| hold_label(h, l)).unwrap_or_else(|| "—".into())}
                            </dd>
                            <dt>{l.pick("Удерживается", "Held amount")}</dt>
                            <dd class="money" data-testid="money-held">{minor(l, m.held_minor, cur)}</dd>
                            <dt>{l.pick("Освобождение", "Release date")}</dt>
                            <dd data-testid="money-release-at">
                                {match m.release_at {
                                    Some(t) => datetime(t),
                                    None => l.pick("После доставки и окончания срока возврата", "After delivery and the return window").to_string(),
                                }}
                            </dd>
                        </dl>
                    }
                        .into_any()
                } else {
                    view! {
                        <p class="muted" data-testid="money-not-captured">
                            {l.pick(
                                "Оплата ещё не поступила: деньги и комиссия появятся после оплаты.",
                                "Not paid yet: money and commission appear once the payment is captured.",
                            )}
                        </p>
                    }
                        .into_any()
                }}
            </div>
        </div>
    }
}

/// Order facts: number, channel, delivery, destination, buyer, tracking, dates.
#[component]
pub fn ShipmentFacts(detail: ShipmentDetail) -> impl IntoView {
    let l = use_locale();
    let s = detail.summary.clone();
    let reason = detail
        .cancel_reason
        .clone()
        .map(|r| cancel_reason_label(&r, l));
    view! {
        <div class="card" data-testid="shipment-facts">
            <div class="card-header">
                <h2 class="card-title">{l.pick("Заказ", "Order")}</h2>
            </div>
            <div class="card-body">
                <dl class="props">
                    <dt>{l.pick("Заказ", "Order")}</dt>
                    <dd class="mono">{s.order_number.clone()}</dd>
                    <dt>{l.pick("Канал и внешний номер", "Channel and external id")}</dt>
                    <dd>{format!("{} · {}", s.channel, s.external_order_id)}</dd>
                    <dt>{l.pick("Создан", "Created")}</dt>
                    <dd>{datetime(s.created_at)}</dd>
                    <dt>{l.pick("Доставка", "Delivery")}</dt>
                    <dd>{method_label(s.delivery_method, l)}</dd>
                    <dt>{l.pick("Куда", "Destination")}</dt>
                    <dd data-testid="shipment-destination">{detail.destination.clone()}</dd>
                    <dt>{l.pick("Покупатель", "Buyer")}</dt>
                    <dd data-testid="shipment-buyer">{detail.buyer_name.clone().unwrap_or_else(|| "—".into())}</dd>
                    <dt>{l.pick("Отгрузить до", "Ship by")}</dt>
                    <dd><ShipBy summary=s.clone() /></dd>
                    <dt>{l.pick("Перевозчик и трек-номер", "Carrier and tracking")}</dt>
                    <dd data-testid="shipment-tracking">
                        {match (&detail.carrier, &detail.tracking_number) {
                            (Some(c), Some(t)) => format!("{} · {t}", carrier_label(c, l)),
                            (Some(c), None) => carrier_label(c, l),
                            (None, Some(t)) => t.clone(),
                            (None, None) => "—".to_string(),
                        }}
                    </dd>
                    {detail
                        .cancelled_at
                        .map(|t| {
                            view! {
                                <dt>{l.pick("Отменён", "Cancelled")}</dt>
                                <dd data-testid="shipment-cancelled">
                                    {datetime(t)}
                                    {reason.clone().map(|r| format!(" · {r}"))}
                                </dd>
                            }
                        })}
                </dl>
            </div>
        </div>
    }
}

fn event_title(e: &ShipmentEventView, l: Locale) -> String {
    let d = &e.details;
    let text = |k: &str| d.get(k).and_then(|v| v.as_str()).map(str::to_string);
    match e.kind.as_str() {
        "created" => l.pick("Заказ создан", "Order created").to_string(),
        "paid" => l.pick("Оплачен", "Paid").to_string(),
        "confirmed" => l
            .pick("Подтверждён продавцом", "Confirmed by the seller")
            .to_string(),
        "shipped" => {
            let mut s = l.pick("Отгружен", "Shipped").to_string();
            if let (Some(c), Some(t)) = (text("carrier"), text("tracking_number")) {
                s.push_str(&format!(": {} · {t}", carrier_label(&c, l)));
            }
            if d.get("late").and_then(|v| v.as_bool()) == Some(true) {
                s.push_str(l.pick(
                    " — позже срока, начислен штраф",
                    " — late, a penalty was charged",
                ));
            }
            s
        }
        "delivered" => match text("reported_by").as_deref() {
            Some("staff") => l
                .pick(
                    "Доставка подтверждена сотрудником",
                    "Delivery confirmed by staff",
                )
                .to_string(),
            _ => l.pick("Доставлен", "Delivered").to_string(),
        },
        "cancelled" => {
            let mut s = match text("cancelled_by").as_deref() {
                Some("seller") => l
                    .pick("Отменён продавцом", "Cancelled by the seller")
                    .to_string(),
                Some("channel") => l
                    .pick("Отменён каналом продаж", "Cancelled by the sales channel")
                    .to_string(),
                Some("payment_failure") => l
                    .pick("Отменён: оплата не прошла", "Cancelled: the payment failed")
                    .to_string(),
                _ => l.pick("Отменён", "Cancelled").to_string(),
            };
            if let Some(r) = text("reason") {
                s.push_str(&format!(" ({})", cancel_reason_label(&r, l)));
            }
            if text("penalty").is_some() {
                s.push_str(l.pick(" — начислен штраф", " — a penalty was charged"));
            }
            s
        }
        "overdue" => l
            .pick(
                "Срок отгрузки пропущен, начислен штраф",
                "Shipping deadline missed, a penalty was charged",
            )
            .to_string(),
        "carrier" | "carrier_attention" => {
            let what = match text("carrier_event").as_deref() {
                Some("in_transit") => l.pick("в пути", "in transit"),
                Some("out_for_delivery") => l.pick("передан курьеру", "out for delivery"),
                Some("delivered") => l.pick("доставлен", "delivered"),
                Some("delivery_failed") => {
                    l.pick("неудачная попытка доставки", "delivery attempt failed")
                }
                Some("returned_to_sender") => {
                    l.pick("возвращается отправителю", "returned to sender")
                }
                _ => l.pick("событие", "event"),
            };
            let carrier = text("carrier")
                .map(|c| carrier_label(&c, l))
                .unwrap_or_default();
            let mut s = format!("{carrier}: {what}");
            if e.kind == "carrier_attention" {
                s.push_str(l.pick(" — требует внимания", " — needs attention"));
            }
            s
        }
        other => match (&e.from_status, &e.to_status) {
            (Some(f), Some(t)) => format!(
                "{other}: {} → {}",
                status_str_label(f, l),
                status_str_label(t, l)
            ),
            _ => other.to_string(),
        },
    }
}

/// The shipment's history, oldest first.
#[component]
pub fn ShipmentTimeline(events: Vec<ShipmentEventView>) -> impl IntoView {
    let l = use_locale();
    view! {
        <div class="card">
            <div class="card-header">
                <h2 class="card-title">{l.pick("История", "History")}</h2>
            </div>
            <div class="card-body">
                <ol class="timeline" data-testid="shipment-events">
                    {events
                        .into_iter()
                        .map(|e| {
                            let title = event_title(&e, l);
                            let transition = match (&e.from_status, &e.to_status) {
                                (Some(f), Some(t)) => Some(format!("{} → {}", status_str_label(f, l), status_str_label(t, l))),
                                _ => None,
                            };
                            view! {
                                <li class="timeline-item" data-testid="shipment-event" data-kind=e.kind.clone()>
                                    <div class="timeline-time">{datetime(e.occurred_at)}</div>
                                    <div class="timeline-body">
                                        <strong>{title}</strong>
                                        <div class="muted small">
                                            {e.actor_label.clone()}
                                            {transition.map(|t| format!(" · {t}"))}
                                        </div>
                                    </div>
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
            </div>
        </div>
    }
}

/// Link back to a list.
#[component]
pub fn BackLink(href: &'static str, #[prop(into)] label: String) -> impl IntoView {
    view! { <A href=href>{label}</A> }
}
