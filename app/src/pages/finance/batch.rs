//! One payout batch: its per-seller lines; exclude or hold a line with a reason,
//! approve (four-eyes), cancel, download the bank register, then record each line's
//! outcome (paid with the bank reference, failed, unresolved).

use super::{batch_status, line_status, period};
use crate::api::finance::approve_batch::ApproveBatch;
use crate::api::finance::cancel_batch::CancelBatch;
use crate::api::finance::get_batch::get_batch;
use crate::api::finance::get_line_statement::{LineStatement, get_line_statement};
use crate::api::finance::update_payout_line::UpdatePayoutLine;
use crate::components::scope::RequestScope;
use crate::components::ui::{ActionError, ErrorAlert, Loading, PageHeader, action_error};
use crate::i18n::{datetime, money};
use crate::pages::seller::finance::kind_label;
use crate::session::use_locale;
use domain::ErrorCode;
use domain::Money;
use domain::payouts::{BatchStatus, PayoutLineStatus};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn BatchPage() -> impl IntoView {
    let l = use_locale();
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id")).unwrap_or_default();
    let approve = ServerAction::<ApproveBatch>::new();
    let cancel = ServerAction::<CancelBatch>::new();
    let update = ServerAction::<UpdatePayoutLine>::new();
    let exported = RwSignal::new(0u32);
    let scope = RequestScope::capture();
    // The payout line whose statement lines are shown below the table.
    let selected = RwSignal::new(String::new());
    let line_statement = {
        let scope = scope.clone();
        Resource::new(
            move || selected.get(),
            move |line_id: String| {
                let run = (!line_id.is_empty()).then(|| scope.run(get_line_statement(line_id)));
                async move {
                    match run {
                        Some(run) => run.await.map(Some),
                        None => Ok(None),
                    }
                }
            },
        )
    };
    let batch = {
        let id = id.clone();
        Resource::new(
            move || {
                (
                    approve.version().get(),
                    cancel.version().get(),
                    update.version().get(),
                    exported.get(),
                )
            },
            move |_| scope.run(get_batch(id.clone())),
        )
    };
    let approve_error = action_error(approve);
    let cancel_error = action_error(cancel);
    let update_error = action_error(update);
    view! {
        <PageHeader title=l.pick("Пакет выплат", "Payout batch") />
        <div class="page-body stack" data-testid="batch-page">
            <p><a href="/finance/payouts">{l.pick("← Все выплаты", "← All payouts")}</a></p>
            {move || {
                approve_error
                    .get()
                    .map(|e| {
                        if e.code == ErrorCode::Forbidden {
                            view! {
                                <div class="alert alert-error" role="alert" data-testid="four-eyes">
                                    <div class="alert-title">{l.pick("Нужен второй сотрудник", "A second person must approve")}</div>
                                    {l.pick(
                                        "Сумма пакета выше порога «четырёх глаз», а вы его подготовили. Утвердить пакет должен другой сотрудник финансов.",
                                        "The batch total is above the four-eyes threshold and you prepared it. Another finance staff member must approve it.",
                                    )}
                                </div>
                            }
                                .into_any()
                        } else {
                            view! { <ErrorAlert error=e /> }.into_any()
                        }
                    })
            }}
            <ActionError error=cancel_error />
            <ActionError error=update_error />
            {move || {
                approve
                    .value()
                    .get()
                    .and_then(|r| r.ok())
                    .map(|(approved, excluded)| {
                        view! {
                            <div class="alert alert-success" data-testid="approved">
                                {format!(
                                    "{} {approved}; {} {excluded}",
                                    l.pick("Утверждено строк:", "Lines approved:"),
                                    l.pick("исключено (не хватило средств):", "excluded (insufficient funds):"),
                                )}
                            </div>
                        }
                    })
            }}
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match batch.await {
                        Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                        Ok(d) => {
                            let b = d.batch.clone();
                            let (class, label) = batch_status(l, b.status);
                            let mine = b.prepared_by.as_deref() == Some(d.viewer_id.as_str());
                            let above = d
                                .four_eyes_threshold
                                .is_some_and(|t| b.proposed_total.amount_minor() > t.amount_minor());
                            let status = b.status;
                            let batch_id = b.id.clone();
                            view! {
                                <div class="card">
                                    <div class="card-header">
                                        <h2 class="card-title">{period(&b.period)}</h2>
                                        <span class=class data-testid="batch-status">{label}</span>
                                    </div>
                                    <div class="card-body stack">
                                        <div class="stat-grid">
                                            <div class="stat-card">
                                                <div class="stat-label">{l.pick("Предложено", "Proposed")}</div>
                                                <div class="stat-value money">{money(l, &b.proposed_total)}</div>
                                                <div class="stat-hint">{format!("{} {}", b.line_count, l.pick("строк", "lines"))}</div>
                                            </div>
                                            <div class="stat-card">
                                                <div class="stat-label">{l.pick("Утверждено", "Approved")}</div>
                                                <div class="stat-value money">{b.approved_total.map(|m| money(l, &m)).unwrap_or_else(|| "—".into())}</div>
                                                <div class="stat-hint">{b.approved_at_ms.map(datetime).unwrap_or_default()}</div>
                                            </div>
                                            <div class="stat-card">
                                                <div class="stat-label">{l.pick("Порог «четырёх глаз»", "Four-eyes threshold")}</div>
                                                <div class="stat-value money">{d.four_eyes_threshold.map(|m| money(l, &m)).unwrap_or_else(|| "—".into())}</div>
                                                <div class="stat-hint">
                                                    {if mine { l.pick("Пакет подготовили вы", "You prepared this batch") } else { "" }}
                                                </div>
                                            </div>
                                        </div>
                                        {(status == BatchStatus::Proposed && mine && above)
                                            .then(|| view! {
                                                <div class="alert alert-warning">
                                                    {l.pick(
                                                        "Сумма выше порога «четырёх глаз»: утвердить этот пакет может только другой сотрудник.",
                                                        "The total is above the four-eyes threshold: only another staff member can approve this batch.",
                                                    )}
                                                </div>
                                            })}
                                        <div class="btn-group">
                                            {(status == BatchStatus::Proposed)
                                                .then(|| {
                                                    let id1 = batch_id.clone();
                                                    let id2 = batch_id.clone();
                                                    view! {
                                                        <ActionForm action=approve attr:data-testid="approve-batch">
                                                            <input type="hidden" name="id" value=id1 />
                                                            <button type="submit" class="btn btn-primary" disabled=move || approve.pending().get()>
                                                                {l.pick("Утвердить пакет", "Approve batch")}
                                                            </button>
                                                        </ActionForm>
                                                        <ActionForm action=cancel>
                                                            <input type="hidden" name="id" value=id2 />
                                                            <button type="submit" class="btn btn-danger">
                                                                {l.pick("Отменить пакет", "Cancel batch")}
                                                            </button>
                                                        </ActionForm>
                                                    }
                                                })}
                                            {matches!(status, BatchStatus::Approved | BatchStatus::Exported)
                                                .then(|| {
                                                    view! {
                                                        <a
                                                            class="btn btn-secondary"
                                                            data-testid="register-link"
                                                            href=format!("/finance/payouts/{batch_id}/register.csv")
                                                            download=""
                                                            on:click=move |_| {
                                                                set_timeout(
                                                                    move || exported.update(|n| *n += 1),
                                                                    std::time::Duration::from_millis(1500),
                                                                );
                                                            }
                                                        >
                                                            {l.pick("Скачать реестр платежей (CSV)", "Download bank payment register (CSV)")}
                                                        </a>
                                                    }
                                                })}
                                        </div>
                                        {(status == BatchStatus::Approved)
                                            .then(|| view! {
                                                <p class="muted small">
                                                    {l.pick(
                                                        "Отметки об оплате станут доступны после выгрузки реестра.",
                                                        "Payment outcomes can be recorded once the register is exported.",
                                                    )}
                                                </p>
                                            })}
                                    </div>
                                </div>
                                <div class="card">
                                    <div class="card-header">
                                        <h2 class="card-title">{l.pick("Строки по продавцам", "Lines by seller")}</h2>
                                    </div>
                                    <div class="table-wrap">
                                        <table class="table" data-testid="batch-lines">
                                            <thead>
                                                <tr>
                                                    <th>{l.pick("Продавец", "Seller")}</th>
                                                    <th class="text-right">{l.pick("Сумма", "Amount")}</th>
                                                    <th>{l.pick("Статус", "Status")}</th>
                                                    <th class="text-right">{l.pick("Доступно при утверждении", "Available at approval")}</th>
                                                    <th>{l.pick("Действие", "Action")}</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {d
                                                    .lines
                                                    .into_iter()
                                                    .map(|line| {
                                                        let (class, label, detail) = line_status(l, &line.status);
                                                        let actions: Vec<(&'static str, &'static str)> = match (status, &line.status) {
                                                            (BatchStatus::Proposed, PayoutLineStatus::Proposed) => vec![
                                                                ("hold", l.pick("Задержать (причина)", "Hold (reason)")),
                                                                ("exclude", l.pick("Исключить (причина)", "Exclude (reason)")),
                                                            ],
                                                            (BatchStatus::Proposed, PayoutLineStatus::Held { .. }) => vec![
                                                                ("release", l.pick("Вернуть в пакет", "Release back into the batch")),
                                                                ("exclude", l.pick("Исключить (причина)", "Exclude (reason)")),
                                                            ],
                                                            (BatchStatus::Exported, PayoutLineStatus::Approved) => vec![
                                                                ("paid", l.pick("Оплачена (номер платежа)", "Paid (bank reference)")),
                                                                ("failed", l.pick("Не прошла (причина)", "Failed (reason)")),
                                                                ("unresolved", l.pick("Не выяснено (заметка)", "Unresolved (note)")),
                                                            ],
                                                            (BatchStatus::Exported, PayoutLineStatus::Unresolved { .. }) => vec![
                                                                ("paid", l.pick("Оплачена (номер платежа)", "Paid (bank reference)")),
                                                                ("failed", l.pick("Не прошла (причина)", "Failed (reason)")),
                                                            ],
                                                            _ => Vec::new(),
                                                        };
                                                        let line_id = line.id.clone();
                                                        view! {
                                                            <tr data-testid="batch-line">
                                                                <td>
                                                                    <a href=format!("/finance/sellers?id={}", line.seller_id)>{line.seller_name.clone()}</a>
                                                                    <div class="small">
                                                                        <a
                                                                            href="#line-statement"
                                                                            data-testid="line-statement-link"
                                                                            on:click=move |_| selected.set(line_id.clone())
                                                                        >
                                                                            {l.pick("Операции за период", "Statement lines")}
                                                                        </a>
                                                                    </div>
                                                                </td>
                                                                <td class="text-right money">{money(l, &line.amount)}</td>
                                                                <td>
                                                                    <span class=class>{label}</span>
                                                                    {(!detail.is_empty()).then(|| view! { <div class="small muted">{detail}</div> })}
                                                                </td>
                                                                <td class="text-right money">
                                                                    {line.available_at_approval.map(|m| money(l, &m)).unwrap_or_else(|| "—".into())}
                                                                </td>
                                                                <td>
                                                                    {(!actions.is_empty())
                                                                        .then(|| view! {
                                                                            <ActionForm action=update attr:class="row" attr:data-testid="line-action">
                                                                                <input type="hidden" name="id" value=line.id.clone() />
                                                                                <select name="action" aria-label=l.pick("Действие", "Action")>
                                                                                    {actions
                                                                                        .into_iter()
                                                                                        .map(|(value, text)| view! { <option value=value>{text}</option> })
                                                                                        .collect_view()}
                                                                                </select>
                                                                                <input
                                                                                    type="text"
                                                                                    name="text"
                                                                                    aria-label=l.pick("Причина или номер платежа", "Reason or bank reference")
                                                                                    placeholder=l.pick("Причина / номер платежа", "Reason / bank reference")
                                                                                />
                                                                                <button type="submit" class="btn btn-sm btn-secondary">{l.pick("Применить", "Apply")}</button>
                                                                            </ActionForm>
                                                                        })}
                                                                </td>
                                                            </tr>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                </div>
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match line_statement.await {
                        Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                        Ok(None) => ().into_any(),
                        Ok(Some(s)) => view! { <LineStatementCard s=s /> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

/// The statement lines behind one payout line: the seller's movements from their
/// previous payout up to this line's proposal, with the running balances.
#[component]
fn LineStatementCard(s: LineStatement) -> impl IntoView {
    let l = use_locale();
    let currency = s.currency;
    let at = |minor: i64| money(l, &Money::from_minor(minor, currency));
    let since = s
        .since_ms
        .map(datetime)
        .unwrap_or_else(|| l.pick("начала работы", "the first sale").to_string());
    let available_change = s.page.closing.available_minor - s.page.opening.available_minor;
    view! {
        <div class="card" id="line-statement" data-testid="line-statement">
            <div class="card-header">
                <h2 class="card-title">{l.pick("Операции за период выплаты", "Statement lines behind the payout")}</h2>
                <div class="muted small">
                    {format!("{} {since} {} {}", l.pick("С", "From"), l.pick("по", "to"), datetime(s.until_ms))}
                </div>
            </div>
            <div class="table-wrap">
                <table class="table">
                    <thead>
                        <tr>
                            <th>{l.pick("Когда", "When")}</th>
                            <th>{l.pick("Операция", "Movement")}</th>
                            <th>{l.pick("Заказ", "Order")}</th>
                            <th class="text-right">{l.pick("Удержано ±", "Held ±")}</th>
                            <th class="text-right">{l.pick("Доступно ±", "Available ±")}</th>
                            <th class="text-right">{l.pick("Доступно", "Available")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <tr class="muted">
                            <td colspan="5">{l.pick("Доступно на начало периода", "Available at the start")}</td>
                            <td class="text-right money">{at(s.page.opening.available_minor)}</td>
                        </tr>
                        {s
                            .page
                            .rows
                            .into_iter()
                            .map(|r| {
                                view! {
                                    <tr data-testid="line-statement-row">
                                        <td class="nowrap muted">{datetime(r.at_ms)}</td>
                                        <td>{kind_label(l, r.kind)}<div class="small muted">{r.memo.clone()}</div></td>
                                        <td class="mono small">{r.order_id.clone().unwrap_or_default()}</td>
                                        <td class="text-right money">{at(r.change.held_minor)}</td>
                                        <td class="text-right money">{at(r.change.available_minor)}</td>
                                        <td class="text-right money">{at(r.after.available_minor)}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                        <tr>
                            <td colspan="4"><strong>{l.pick("Изменение доступного за период", "Change in available over the period")}</strong></td>
                            <td class="text-right money"><strong>{at(available_change)}</strong></td>
                            <td class="text-right money"><strong>{at(s.page.closing.available_minor)}</strong></td>
                        </tr>
                    </tbody>
                </table>
            </div>
            {s.page.more.then(|| view! {
                <div class="card-footer muted small">
                    {l.pick(
                        "Показаны первые 200 операций периода; полная выписка — в CSV продавца.",
                        "The first 200 movements of the period are shown; the seller's CSV statement has them all.",
                    )}
                </div>
            })}
        </div>
    }
}
