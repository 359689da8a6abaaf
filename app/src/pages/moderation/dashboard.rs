//! The moderation dashboard: queue size by priority, waiting times and SLA breaches,
//! decisions per moderator per day, automatic approval and rejection rates, and the
//! newest decisions.

use crate::api::moderation::list_decisions::list_decisions;
use crate::api::moderation::stats::get_moderation_stats;
use crate::components::scope::RequestScope;
use crate::components::ui::{ErrorAlert, Loading, PageHeader};
use crate::i18n::datetime;
use crate::session::use_locale;
use domain::Locale;
use leptos::prelude::*;
use leptos_router::components::A;

/// `1 h 05 min` / `3 d 4 h`.
pub fn duration(l: Locale, ms: i64) -> String {
    let minutes = ms / 60_000;
    let (d, h, m) = (minutes / 1440, (minutes / 60) % 24, minutes % 60);
    match (d, h) {
        (0, 0) => format!("{m} {}", l.pick("мин", "min")),
        (0, _) => format!("{h} {} {m:02} {}", l.pick("ч", "h"), l.pick("мин", "min")),
        _ => format!("{d} {} {h} {}", l.pick("д", "d"), l.pick("ч", "h")),
    }
}

#[component]
pub fn ModerationDashboard() -> impl IntoView {
    let l = use_locale();
    let scope = RequestScope::capture();
    let stats = Resource::new(|| (), {
        let scope = scope.clone();
        move |_| scope.run(get_moderation_stats())
    });
    let decisions = Resource::new(|| (), move |_| scope.run(list_decisions()));
    view! {
        <PageHeader title=l.pick("Модерация", "Moderation") subtitle=l.pick("Очередь, сроки и решения", "Queue, waiting times and decisions") />
        <div class="page-body stack" data-testid="moderation-home">
            <div class="row">
                <A href="/moderation/queue" attr:class="btn btn-primary">{l.pick("Открыть очередь", "Open the queue")}</A>
                <A href="/moderation/skus" attr:class="btn btn-secondary">{l.pick("Найти и заблокировать товар", "Find and block a listing")}</A>
            </div>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match stats.await {
                        Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                        Ok(s) => {
                            let pct = |n: i64| format!("{} %", s.percent(n));
                            let max_day = s.per_moderator.iter().map(|d| d.decisions).max().unwrap_or(1).max(1);
                            view! {
                                <div class="stat-grid" data-testid="moderation-stats">
                                    <div class="stat-card">
                                        <span class="stat-label">{l.pick("В очереди", "In the queue")}</span>
                                        <span class="stat-value" data-testid="queue-total">{s.queue_total}</span>
                                        <span class="stat-hint">
                                            {s.by_priority.iter().map(|p| format!("{}: {}", p.priority.label(l), p.count)).collect::<Vec<_>>().join(" · ")}
                                        </span>
                                    </div>
                                    <div class="stat-card">
                                        <span class="stat-label">{l.pick("Ждут автопроверок", "Awaiting automatic checks")}</span>
                                        <span class="stat-value">{s.awaiting_checks}</span>
                                        <span class="stat-hint">{l.pick("в том числе загрузка фото", "including image processing")}</span>
                                    </div>
                                    <div class="stat-card">
                                        <span class="stat-label">{l.pick("Время ожидания", "Waiting time")}</span>
                                        <span class="stat-value">{duration(l, s.age_p50_ms)}</span>
                                        <span class="stat-hint">{format!("p95: {}", duration(l, s.age_p95_ms))}</span>
                                    </div>
                                    <div class={if s.sla_breaches > 0 { "stat-card warning" } else { "stat-card" }}>
                                        <span class="stat-label">{format!("{} ({} {})", l.pick("Просрочено по SLA", "SLA breaches"), s.sla_hours, l.pick("ч", "h"))}</span>
                                        <span class="stat-value">{s.sla_breaches}</span>
                                        <span class="stat-hint">{format!("{}: {}", l.pick("сейчас в работе", "claimed now"), s.leased)}</span>
                                    </div>
                                    <div class="stat-card">
                                        <span class="stat-label">{l.pick("Решений за 7 дней", "Decisions, 7 days")}</span>
                                        <span class="stat-value">{s.decisions_7d}</span>
                                        <span class="stat-hint">
                                            {format!(
                                                "{} {} · {} {} · {} {}",
                                                l.pick("автоодобрено", "auto-approved"), pct(s.auto_approved_7d),
                                                l.pick("автоотклонено", "auto-rejected"), pct(s.auto_rejected_7d),
                                                l.pick("отклонено", "rejected"), pct(s.rejected_7d),
                                            )}
                                        </span>
                                    </div>
                                </div>
                                <div class="card">
                                    <div class="card-header"><h2 class="card-title">{l.pick("Решения модераторов по дням", "Decisions per moderator per day")}</h2></div>
                                    <div class="card-body">
                                        {if s.per_moderator.is_empty() {
                                            view! { <div class="empty-state">{l.pick("За неделю решений не было.", "No decisions this week.")}</div> }.into_any()
                                        } else {
                                            view! {
                                                <table class="table" data-testid="per-moderator">
                                                    <thead><tr>
                                                        <th>{l.pick("День", "Day")}</th>
                                                        <th>{l.pick("Модератор", "Moderator")}</th>
                                                        <th class="num">{l.pick("Решений", "Decisions")}</th>
                                                        <th></th>
                                                    </tr></thead>
                                                    <tbody>
                                                        {s.per_moderator.iter().map(|d| {
                                                            let width = format!("width: {}%", d.decisions * 100 / max_day);
                                                            view! {
                                                                <tr>
                                                                    <td class="nowrap">{d.day.clone()}</td>
                                                                    <td>{d.moderator.clone()}</td>
                                                                    <td class="num">{d.decisions}</td>
                                                                    <td class="meter-cell"><div class="meter"><div class="meter-fill" style=width></div></div></td>
                                                                </tr>
                                                            }
                                                        }).collect_view()}
                                                    </tbody>
                                                </table>
                                            }.into_any()
                                        }}
                                    </div>
                                </div>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
            <div class="card">
                <div class="card-header"><h2 class="card-title">{l.pick("Последние решения", "Latest decisions")}</h2></div>
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        match decisions.await {
                            Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                            Ok(list) if list.is_empty() => view! { <div class="empty-state">{l.pick("Решений пока нет.", "No decisions yet.")}</div> }.into_any(),
                            Ok(list) => view! {
                                <div class="table-wrap">
                                    <table class="table" data-testid="decisions-table">
                                        <thead><tr>
                                            <th>{l.pick("Время", "Time")}</th>
                                            <th>{l.pick("Решение", "Decision")}</th>
                                            <th>{l.pick("Продавец", "Seller")}</th>
                                            <th>{l.pick("Артикул", "SKU")}</th>
                                            <th>{l.pick("Кто", "Who")}</th>
                                            <th>{l.pick("Причины", "Reasons")}</th>
                                        </tr></thead>
                                        <tbody>
                                            {list.into_iter().map(|d| view! {
                                                <tr>
                                                    <td class="nowrap">{datetime(d.decided_at_ms)}</td>
                                                    <td>{d.kind.label(l)}</td>
                                                    <td>{d.seller_name}</td>
                                                    <td class="mono">{d.seller_sku}</td>
                                                    <td>{d.moderator.unwrap_or_else(|| l.pick("правила", "rules").to_string())}</td>
                                                    <td class="small">{d.reasons.join(", ")}{d.comment.map(|c| view! { <div class="muted">{c}</div> })}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </div>
        </div>
    }
}
