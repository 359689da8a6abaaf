//! The finance area's start page: ledger totals, revenue by day and category, sellers
//! in debt and payout batches awaiting review.

use super::{batch_status, period};
use crate::api::finance::get_finance_overview::get_finance_overview;
use crate::components::scope::RequestScope;
use crate::components::ui::{ErrorAlert, Loading, PageHeader};
use crate::i18n::money;
use crate::session::use_locale;
use leptos::prelude::*;

#[component]
pub fn FinanceDashboard() -> impl IntoView {
    let l = use_locale();
    let scope = RequestScope::capture();
    let days = RwSignal::new(30u32);
    let overview = Resource::new(
        move || days.get(),
        move |d| scope.run(get_finance_overview(d)),
    );
    view! {
        <PageHeader title=l.pick("Финансы", "Finance") subtitle=l.pick("Обзор леджера", "Ledger overview") />
        <div class="page-body stack" data-testid="finance-home">
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                        Ok(o) => {
                            let t = o.totals.clone();
                            let debt = t.sellers_in_debt > 0;
                            let max = o
                                .days
                                .iter()
                                .map(|d| d.captured.amount_minor())
                                .max()
                                .unwrap_or(0)
                                .max(1);
                            let total_captured: i64 = o.days.iter().map(|d| d.captured.amount_minor()).sum();
                            let total_commission: i64 = o.days.iter().map(|d| d.commission.amount_minor()).sum();
                            let currency = t.held.currency();
                            view! {
                                <div class="stat-grid" data-testid="finance-totals">
                                    <div class="stat-card">
                                        <div class="stat-label">{l.pick("Удержано (до конца срока возврата)", "Held (return window)")}</div>
                                        <div class="stat-value money">{money(l, &t.held)}</div>
                                    </div>
                                    <div class="stat-card">
                                        <div class="stat-label">{l.pick("Доступно продавцам", "Available to sellers")}</div>
                                        <div class="stat-value money">{money(l, &t.available)}</div>
                                    </div>
                                    <div class="stat-card">
                                        <div class="stat-label">{l.pick("В выплате", "In payout")}</div>
                                        <div class="stat-value money">{money(l, &t.in_payout)}</div>
                                    </div>
                                    <div class="stat-card">
                                        <div class="stat-label">{l.pick("Комиссия (всего)", "Commission (all time)")}</div>
                                        <div class="stat-value money">{money(l, &t.commission_revenue)}</div>
                                        <div class="stat-hint">
                                            {l.pick("Штрафы: ", "Penalties: ")}{money(l, &t.penalty_revenue)}
                                        </div>
                                    </div>
                                    <div class="stat-card" class:danger=debt>
                                        <div class="stat-label">{l.pick("Долг продавцов", "Sellers' debt")}</div>
                                        <div class="stat-value money">{money(l, &t.debt)}</div>
                                        <div class="stat-hint">{l.pick("Продавцов в минусе: ", "Sellers in debt: ")}{t.sellers_in_debt}</div>
                                    </div>
                                </div>
                                <div class="card">
                                    <div class="card-header">
                                        <h2 class="card-title">{l.pick("Оборот и комиссия по дням", "Captured volume and commission by day")}</h2>
                                        <div class="btn-group">
                                            {[7u32, 30, 90]
                                                .into_iter()
                                                .map(|d| {
                                                    view! {
                                                        <button
                                                            type="button"
                                                            class=move || if days.get() == d { "btn btn-sm btn-primary" } else { "btn btn-sm btn-secondary" }
                                                            on:click=move |_| days.set(d)
                                                        >
                                                            {format!("{d} {}", l.pick("дн.", "days"))}
                                                        </button>
                                                    }
                                                })
                                                .collect_view()}
                                        </div>
                                    </div>
                                    <div class="card-body">
                                        <p class="muted small">
                                            {format!(
                                                "{} {} {}: {} {} · {} {}",
                                                l.pick("За", "Last"),
                                                o.period_days,
                                                l.pick("дн.", "days"),
                                                l.pick("оборот", "captured"),
                                                money(l, &domain::Money::from_minor(total_captured, currency)),
                                                l.pick("комиссия", "commission"),
                                                money(l, &domain::Money::from_minor(total_commission, currency)),
                                            )}
                                        </p>
                                        {if o.days.is_empty() {
                                            view! { <div class="empty-state">{l.pick("За период оплат не было.", "No captured payments in this period.")}</div> }.into_any()
                                        } else {
                                            view! {
                                                <div class="bar-chart" data-testid="revenue-chart" role="img" aria-label=l.pick("Оборот по дням", "Captured volume by day")>
                                                    {o
                                                        .days
                                                        .iter()
                                                        .map(|d| {
                                                            let pct = d.captured.amount_minor() as f64 * 100.0 / max as f64;
                                                            let day = crate::i18n::datetime(d.day_ms);
                                                            let label = day.get(5..10).unwrap_or_default().to_string();
                                                            let title = format!(
                                                                "{}: {} / {} {}",
                                                                day.get(0..10).unwrap_or_default(),
                                                                money(l, &d.captured),
                                                                money(l, &d.commission),
                                                                l.pick("комиссия", "commission"),
                                                            );
                                                            view! {
                                                                <div class="bar" tabindex="0" title=title style=format!("height: {pct:.1}%")>
                                                                    <span class="bar-label">{label}</span>
                                                                </div>
                                                            }
                                                        })
                                                        .collect_view()}
                                                </div>
                                            }
                                                .into_any()
                                        }}
                                    </div>
                                </div>
                                <div class="grid-2">
                                    <div class="card">
                                        <div class="card-header">
                                            <h2 class="card-title">{l.pick("Комиссия по категориям", "Commission by category")}</h2>
                                        </div>
                                        <div class="table-wrap">
                                            <table class="table" data-testid="category-revenue">
                                                <thead>
                                                    <tr>
                                                        <th>{l.pick("Категория", "Category")}</th>
                                                        <th class="text-right">{l.pick("Оборот", "Captured")}</th>
                                                        <th class="text-right">{l.pick("Комиссия", "Commission")}</th>
                                                    </tr>
                                                </thead>
                                                <tbody>
                                                    {o
                                                        .categories
                                                        .iter()
                                                        .map(|c| {
                                                            view! {
                                                                <tr>
                                                                    <td class="mono">{c.category_code.clone()}</td>
                                                                    <td class="text-right money">{money(l, &c.captured)}</td>
                                                                    <td class="text-right money">{money(l, &c.commission)}</td>
                                                                </tr>
                                                            }
                                                        })
                                                        .collect_view()}
                                                </tbody>
                                            </table>
                                        </div>
                                    </div>
                                    <div class="card">
                                        <div class="card-header">
                                            <h2 class="card-title">{l.pick("Продавцы в минусе", "Sellers in debt")}</h2>
                                            <a class="btn btn-sm btn-secondary" href="/finance/penalties">{l.pick("Штрафы", "Penalties")}</a>
                                        </div>
                                        {if o.debtors.is_empty() {
                                            view! { <div class="empty-state">{l.pick("Должников нет.", "Nobody is in debt.")}</div> }.into_any()
                                        } else {
                                            view! {
                                                <div class="table-wrap">
                                                    <table class="table" data-testid="debtors">
                                                        <thead>
                                                            <tr>
                                                                <th>{l.pick("Продавец", "Seller")}</th>
                                                                <th class="text-right">{l.pick("Долг", "Debt")}</th>
                                                                <th class="text-right">{l.pick("Удержано", "Held")}</th>
                                                            </tr>
                                                        </thead>
                                                        <tbody>
                                                            {o
                                                                .debtors
                                                                .iter()
                                                                .map(|d| {
                                                                    view! {
                                                                        <tr>
                                                                            <td><a href=format!("/finance/sellers?id={}", d.seller_id)>{d.seller_name.clone()}</a></td>
                                                                            <td class="text-right money">{money(l, &d.debt)}</td>
                                                                            <td class="text-right money">{money(l, &d.held)}</td>
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
                                </div>
                                <div class="card">
                                    <div class="card-header">
                                        <h2 class="card-title">{l.pick("Выплаты на проверке", "Payout batches awaiting review")}</h2>
                                        <a class="btn btn-sm btn-secondary" href="/finance/payouts">{l.pick("Все выплаты", "All payouts")}</a>
                                    </div>
                                    {if o.awaiting.is_empty() {
                                        view! { <div class="empty-state">{l.pick("Выплат на проверке нет.", "No payouts awaiting review.")}</div> }.into_any()
                                    } else {
                                        view! {
                                            <div class="table-wrap">
                                                <table class="table" data-testid="awaiting-batches">
                                                    <tbody>
                                                        {o
                                                            .awaiting
                                                            .iter()
                                                            .map(|b| {
                                                                let (class, label) = batch_status(l, b.status);
                                                                view! {
                                                                    <tr>
                                                                        <td><a href=format!("/finance/payouts/{}", b.id)>{period(&b.period)}</a></td>
                                                                        <td><span class=class>{label}</span></td>
                                                                        <td class="text-right">{b.line_count}</td>
                                                                        <td class="text-right money">{money(l, &b.proposed_total)}</td>
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
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </div>
    }
}
