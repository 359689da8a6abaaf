//! The seller's finance page: balances, why money is held and until when, the
//! statement with running balances (paged, CSV), an order's price/commission/net,
//! payout history and the bank details payouts go to.

use crate::api::seller::get_order_breakdown::get_order_breakdown;
use crate::api::seller::get_seller_finance::get_seller_finance;
use crate::api::seller::get_statement::get_statement;
use crate::api::seller::set_payout_details::SetPayoutDetails;
use crate::components::scope::RequestScope;
use crate::components::ui::{ActionError, ErrorAlert, Field, Loading, PageHeader, action_error};
use crate::i18n::{datetime, money};
use crate::pages::finance::{line_status, period};
use crate::session::use_locale;
use domain::ledger::TransactionKind;
use domain::money::Currency;
use domain::{Locale, Money};
use leptos::prelude::*;

fn rub(minor: i64) -> Money {
    Money::from_minor(minor, Currency::Rub)
}

pub(crate) fn kind_label(l: Locale, k: TransactionKind) -> &'static str {
    match k {
        TransactionKind::Capture => l.pick("Оплата заказа", "Order paid"),
        TransactionKind::HoldRelease => l.pick("Разморозка", "Hold released"),
        TransactionKind::Refund => l.pick("Возврат покупателю", "Refund"),
        TransactionKind::RefundPaid => l.pick("Возврат выплачен", "Refund paid"),
        TransactionKind::Chargeback => l.pick("Чарджбэк", "Chargeback"),
        TransactionKind::Penalty => l.pick("Штраф", "Penalty"),
        TransactionKind::PenaltyReversal => l.pick("Отмена штрафа", "Penalty reversed"),
        TransactionKind::PayoutReserve => l.pick("Резерв под выплату", "Reserved for payout"),
        TransactionKind::PayoutPaid => l.pick("Выплата", "Payout"),
        TransactionKind::PayoutFailed => l.pick("Выплата не прошла", "Payout failed"),
        TransactionKind::Reversal => l.pick("Сторно", "Reversal"),
        TransactionKind::Adjustment => l.pick("Корректировка", "Adjustment"),
    }
}

fn held_label(l: Locale, why: &str) -> &'static str {
    match why {
        "awaiting_delivery" => l.pick("Ждёт доставки", "Awaiting delivery"),
        "return_window" => l.pick("Срок возврата", "Return window"),
        "open_return" => l.pick("Открыт возврат", "Return open"),
        "open_dispute" => l.pick("Открыт спор", "Dispute open"),
        _ => l.pick("Заблокировано", "Blocked"),
    }
}

#[component]
pub fn FinancePage() -> impl IntoView {
    let l = use_locale();
    let save = ServerAction::<SetPayoutDetails>::new();
    let save_error = action_error(save);
    let scope = RequestScope::capture();
    let summary = {
        let scope = scope.clone();
        Resource::new(
            move || save.version().get(),
            move |_| scope.run(get_seller_finance()),
        )
    };
    // The statement's pages: the cursor of each page seen so far (None = the first).
    let cursors = RwSignal::new(vec![None::<String>]);
    let statement = {
        let scope = scope.clone();
        Resource::new(
            move || cursors.get().last().cloned().flatten(),
            move |after| scope.run(get_statement(after)),
        )
    };
    let order = RwSignal::new(String::new());
    let breakdown = Resource::new(
        move || order.get(),
        move |id: String| {
            let run = (!id.is_empty()).then(|| scope.run(get_order_breakdown(id)));
            async move {
                match run {
                    Some(run) => run.await,
                    None => Ok(Vec::new()),
                }
            }
        },
    );
    view! {
        <PageHeader
            title=l.pick("Финансы", "Finance")
            subtitle=l.pick(
                "Баланс, удержания до конца срока возврата, выписка и выплаты.",
                "Balance, money held until the return window ends, statement and payouts.",
            )
        />
        <div class="page-body stack" data-testid="seller-finance">
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match summary.await {
                        Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                        Ok(s) => {
                            let b = s.balances;
                            let negative = b.available_minor < 0;
                            view! {
                                <div class="stat-grid" data-testid="balances">
                                    <div class="stat-card">
                                        <div class="stat-label">{l.pick("Удержано", "Held")}</div>
                                        <div class="stat-value money" data-testid="held">{money(l, &rub(b.held_minor))}</div>
                                        <div class="stat-hint">{l.pick("До конца срока возврата", "Until the return window ends")}</div>
                                    </div>
                                    <div class="stat-card" class:danger=negative>
                                        <div class="stat-label">{l.pick("Доступно", "Available")}</div>
                                        <div class="stat-value money" data-testid="available">{money(l, &rub(b.available_minor))}</div>
                                        <div class="stat-hint">
                                            {if negative {
                                                l.pick("Долг погасится из следующих продаж", "The debt is settled from future sales")
                                            } else {
                                                l.pick("Войдёт в следующую выплату", "Goes into the next payout")
                                            }}
                                        </div>
                                    </div>
                                    <div class="stat-card">
                                        <div class="stat-label">{l.pick("В выплате", "In payout")}</div>
                                        <div class="stat-value money" data-testid="in-payout">{money(l, &rub(b.payout_reserved_minor))}</div>
                                    </div>
                                </div>
                                <div class="card">
                                    <div class="card-header">
                                        <h2 class="card-title">{l.pick("Почему удержано", "Why money is held")}</h2>
                                    </div>
                                    {if s.held.is_empty() {
                                        view! { <div class="empty-state">{l.pick("Удержаний нет.", "Nothing is held.")}</div> }.into_any()
                                    } else {
                                        view! {
                                            <div class="table-wrap">
                                                <table class="table" data-testid="held-table">
                                                    <thead>
                                                        <tr>
                                                            <th>{l.pick("Заказ", "Order")}</th>
                                                            <th>{l.pick("Причина", "Reason")}</th>
                                                            <th class="text-right">{l.pick("Сумма", "Amount")}</th>
                                                            <th>{l.pick("Ожидаемая разморозка", "Expected release")}</th>
                                                        </tr>
                                                    </thead>
                                                    <tbody>
                                                        {s
                                                            .held
                                                            .into_iter()
                                                            .map(|h| {
                                                                let release = match (h.expected_release_at_ms, h.hold_days) {
                                                                    (Some(ms), _) => datetime(ms),
                                                                    (None, Some(d)) => format!("{} {d} {}", l.pick("через", ""), l.pick("дн. после доставки", "days after delivery")).trim().to_string(),
                                                                    (None, None) => l.pick("после закрытия возврата/спора", "once the return/dispute closes").to_string(),
                                                                };
                                                                let oid = h.order_id.clone();
                                                                view! {
                                                                    <tr>
                                                                        <td class="mono small">
                                                                            <a href="#order-breakdown" on:click=move |_| order.set(oid.clone())>{h.order_id.clone()}</a>
                                                                        </td>
                                                                        <td>{held_label(l, &h.why)}</td>
                                                                        <td class="text-right money">{money(l, &h.held)}</td>
                                                                        <td class="nowrap">{release}</td>
                                                                    </tr>
                                                                }
                                                            })
                                                            .collect_view()}
                                                    </tbody>
                                                </table>
                                            </div>
                                        }
                                            .into_any()
                                    }}
                                </div>
                                <div class="card">
                                    <div class="card-header">
                                        <h2 class="card-title">{l.pick("Выплаты", "Payouts")}</h2>
                                    </div>
                                    {if s.payouts.is_empty() {
                                        view! { <div class="empty-state">{l.pick("Выплат пока не было.", "No payouts yet.")}</div> }.into_any()
                                    } else {
                                        view! {
                                            <div class="table-wrap">
                                                <table class="table" data-testid="payout-history">
                                                    <thead>
                                                        <tr>
                                                            <th>{l.pick("Период", "Period")}</th>
                                                            <th class="text-right">{l.pick("Сумма", "Amount")}</th>
                                                            <th>{l.pick("Статус", "Status")}</th>
                                                            <th>{l.pick("Обновлено", "Updated")}</th>
                                                        </tr>
                                                    </thead>
                                                    <tbody>
                                                        {s
                                                            .payouts
                                                            .into_iter()
                                                            .map(|p| {
                                                                let (class, label, detail) = line_status(l, &p.status);
                                                                view! {
                                                                    <tr>
                                                                        <td>{period(&p.period)}</td>
                                                                        <td class="text-right money">{money(l, &p.amount)}</td>
                                                                        <td><span class=class>{label}</span> <span class="small muted">{detail}</span></td>
                                                                        <td class="nowrap muted">{datetime(p.updated_at_ms)}</td>
                                                                    </tr>
                                                                }
                                                            })
                                                            .collect_view()}
                                                    </tbody>
                                                </table>
                                            </div>
                                        }
                                            .into_any()
                                    }}
                                </div>
                                <div class="card">
                                    <div class="card-header">
                                        <h2 class="card-title">{l.pick("Банковские реквизиты для выплат", "Bank details for payouts")}</h2>
                                    </div>
                                    <div class="card-body">
                                        <ActionForm action=save attr:class="form" attr:data-testid="bank-details-form">
                                            <ActionError error=save_error />
                                            <Field label=l.pick("Получатель", "Recipient") name="recipient_name" required=true value=s.details.recipient_name.clone() error=save_error />
                                            <Field label=l.pick("ИНН", "INN") name="inn" required=true value=s.details.inn.clone() error=save_error />
                                            <Field label=l.pick("БИК", "BIK") name="bik" required=true value=s.details.bik.clone() error=save_error />
                                            <Field label=l.pick("Расчётный счёт", "Account number") name="account_number" required=true value=s.details.account_number.clone() error=save_error />
                                            <Field label=l.pick("Корр. счёт", "Correspondent account") name="correspondent_account" required=true value=s.details.correspondent_account.clone() error=save_error />
                                            <Field label=l.pick("Банк", "Bank") name="bank_name" required=true value=s.details.bank_name.clone() error=save_error />
                                            <div class="form-actions">
                                                <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>
                                                    {l.pick("Сохранить реквизиты", "Save bank details")}
                                                </button>
                                            </div>
                                            {move || save.value().get().and_then(|r| r.ok()).map(|_| view! {
                                                <div class="alert alert-success">{l.pick("Реквизиты сохранены.", "Bank details saved.")}</div>
                                            })}
                                        </ActionForm>
                                    </div>
                                </div>
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
            <div class="card">
                <div class="card-header">
                    <h2 class="card-title">{l.pick("Выписка", "Statement")}</h2>
                    <a class="btn btn-sm btn-secondary" href="/seller/finance/statement.csv" download="" data-testid="statement-csv">
                        {l.pick("Скачать CSV", "Download CSV")}
                    </a>
                </div>
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        match statement.await {
                            Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                            Ok(page) => {
                                let more = page.more;
                                let next = page.rows.last().map(|r| r.transaction_id.clone());
                                let first = cursors.with_untracked(|c| c.len() <= 1);
                                view! {
                                    <div class="table-wrap">
                                        <table class="table" data-testid="statement-table">
                                            <thead>
                                                <tr>
                                                    <th>{l.pick("Когда", "When")}</th>
                                                    <th>{l.pick("Операция", "Movement")}</th>
                                                    <th>{l.pick("Заказ", "Order")}</th>
                                                    <th class="text-right">{l.pick("Удержано ±", "Held ±")}</th>
                                                    <th class="text-right">{l.pick("Доступно ±", "Available ±")}</th>
                                                    <th class="text-right">{l.pick("Удержано", "Held")}</th>
                                                    <th class="text-right">{l.pick("Доступно", "Available")}</th>
                                                    <th class="text-right">{l.pick("В выплате", "In payout")}</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                <tr class="muted">
                                                    <td colspan="5">{l.pick("Входящий остаток", "Opening balance")}</td>
                                                    <td class="text-right money">{money(l, &rub(page.opening.held_minor))}</td>
                                                    <td class="text-right money">{money(l, &rub(page.opening.available_minor))}</td>
                                                    <td class="text-right money">{money(l, &rub(page.opening.payout_reserved_minor))}</td>
                                                </tr>
                                                {page
                                                    .rows
                                                    .into_iter()
                                                    .map(|r| {
                                                        let oid = r.order_id.clone();
                                                        view! {
                                                            <tr>
                                                                <td class="nowrap muted">{datetime(r.at_ms)}</td>
                                                                <td>{kind_label(l, r.kind)}<div class="small muted">{r.memo.clone()}</div></td>
                                                                <td class="mono small">
                                                                    {oid.map(|id| {
                                                                        let label = id.clone();
                                                                        view! { <a href="#order-breakdown" on:click=move |_| order.set(id.clone())>{label}</a> }
                                                                    })}
                                                                </td>
                                                                <td class="text-right money">{money(l, &rub(r.change.held_minor))}</td>
                                                                <td class="text-right money">{money(l, &rub(r.change.available_minor))}</td>
                                                                <td class="text-right money">{money(l, &rub(r.after.held_minor))}</td>
                                                                <td class="text-right money">{money(l, &rub(r.after.available_minor))}</td>
                                                                <td class="text-right money">{money(l, &rub(r.after.payout_reserved_minor))}</td>
                                                            </tr>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                    <div class="card-footer pagination">
                                        <button
                                            type="button"
                                            class="btn btn-sm btn-secondary"
                                            disabled=first
                                            on:click=move |_| cursors.update(|c| { if c.len() > 1 { c.pop(); } })
                                        >
                                            {l.pick("← Назад", "← Back")}
                                        </button>
                                        <button
                                            type="button"
                                            class="btn btn-sm btn-secondary"
                                            disabled=!more
                                            data-testid="statement-next"
                                            on:click=move |_| cursors.update(|c| c.push(next.clone()))
                                        >
                                            {l.pick("Дальше →", "Next →")}
                                        </button>
                                    </div>
                                }
                                    .into_any()
                            }
                        }
                    })}
                </Transition>
            </div>
            <div class="card" id="order-breakdown">
                <div class="card-header">
                    <h2 class="card-title">{l.pick("Расчёт по заказу", "Order breakdown")}</h2>
                </div>
                <div class="card-body stack">
                    <div class="field">
                        <label for="breakdown-order">{l.pick("Номер заказа", "Order id")}</label>
                        <input
                            id="breakdown-order"
                            type="text"
                            prop:value=move || order.get()
                            on:change=move |ev| order.set(event_target_value(&ev).trim().to_string())
                        />
                    </div>
                    <Transition fallback=|| view! { <Loading /> }>
                        {move || Suspend::new(async move {
                            match breakdown.await {
                                Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                                Ok(lines) if lines.is_empty() => {
                                    view! { <p class="muted">{l.pick("Выберите заказ в выписке или введите его номер.", "Pick an order in the statement or enter its id.")}</p> }.into_any()
                                }
                                Ok(lines) => view! {
                                    <div class="table-wrap">
                                        <table class="table" data-testid="order-breakdown-table">
                                            <thead>
                                                <tr>
                                                    <th>"#"</th>
                                                    <th>{l.pick("Категория", "Category")}</th>
                                                    <th class="text-right">{l.pick("Кол-во", "Qty")}</th>
                                                    <th class="text-right">{l.pick("Цена", "Price")}</th>
                                                    <th class="text-right">{l.pick("Оплачено", "Captured")}</th>
                                                    <th class="text-right">{l.pick("Комиссия", "Commission")}</th>
                                                    <th class="text-right">{l.pick("Возвращено", "Refunded")}</th>
                                                    <th class="text-right">{l.pick("Вам", "Net")}</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {lines
                                                    .into_iter()
                                                    .map(|x| view! {
                                                        <tr>
                                                            <td>{x.line_no}</td>
                                                            <td class="mono">{x.category_code.clone()}</td>
                                                            <td class="text-right">{x.quantity}</td>
                                                            <td class="text-right money">{money(l, &x.unit_price)}</td>
                                                            <td class="text-right money">{money(l, &x.captured)}</td>
                                                            <td class="text-right money">
                                                                {money(l, &x.commission)}
                                                                <div class="small muted">{format!("{:.2}%", f64::from(x.commission_rate_bps) / 100.0)}</div>
                                                            </td>
                                                            <td class="text-right money">{money(l, &x.refunded)}</td>
                                                            <td class="text-right money"><strong>{money(l, &x.net)}</strong></td>
                                                        </tr>
                                                    })
                                                    .collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                }
                                    .into_any(),
                            }
                        })}
                    </Transition>
                </div>
            </div>
        </div>
    }
}
