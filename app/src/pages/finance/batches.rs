//! Payout batches: the list and "propose a batch now".

use super::{batch_status, period};
use crate::api::finance::list_batches::list_batches;
use crate::api::finance::propose_batch::ProposeBatch;
use crate::components::scope::RequestScope;
use crate::components::ui::{ActionError, ErrorAlert, Loading, PageHeader, action_error};
use crate::i18n::{datetime, money};
use crate::session::use_locale;
use leptos::prelude::*;

#[component]
pub fn BatchesPage() -> impl IntoView {
    let l = use_locale();
    let propose = ServerAction::<ProposeBatch>::new();
    let scope = RequestScope::capture();
    let batches = Resource::new(
        move || propose.version().get(),
        move |_| scope.run(list_batches()),
    );
    let propose_error = action_error(propose);
    view! {
        <PageHeader
            title=l.pick("Выплаты", "Payouts")
            subtitle=l.pick(
                "Пакеты выплат продавцам: проверка, утверждение, реестр для банка, отметки об оплате.",
                "Payout batches to sellers: review, approve, bank register, payment outcomes.",
            )
        />
        <div class="page-body stack">
            <div class="card">
                <div class="card-body">
                    <ActionForm action=propose attr:class="form" attr:data-testid="propose-batch">
                        <ActionError error=propose_error />
                        <div class="form-actions">
                            <button type="submit" class="btn btn-primary" disabled=move || propose.pending().get()>
                                {l.pick("Сформировать пакет сейчас", "Propose a batch now")}
                            </button>
                        </div>
                    </ActionForm>
                    {move || {
                        propose
                            .value()
                            .get()
                            .and_then(|r| r.ok())
                            .map(|id| match id {
                                Some(id) => view! {
                                    <div class="alert alert-success" data-testid="proposed">
                                        {l.pick("Пакет сформирован. ", "Batch proposed. ")}
                                        <a href=format!("/finance/payouts/{id}")>{l.pick("Открыть", "Open it")}</a>
                                    </div>
                                }
                                    .into_any(),
                                None => view! {
                                    <div class="alert alert-info" data-testid="nothing-to-propose">
                                        {l.pick(
                                            "Выплачивать нечего: ни у кого нет доступной суммы выше минимальной (или пакет за этот период уже есть).",
                                            "Nothing to pay out: nobody has an available balance above the minimum (or this period already has a batch).",
                                        )}
                                    </div>
                                }
                                    .into_any(),
                            })
                    }}
                </div>
            </div>
            <div class="card">
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        match batches.await {
                            Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                            Ok(list) if list.is_empty() => {
                                view! { <div class="empty-state">{l.pick("Пакетов выплат пока нет.", "No payout batches yet.")}</div> }.into_any()
                            }
                            Ok(list) => view! {
                                <div class="table-wrap">
                                    <table class="table" data-testid="batches-table">
                                        <thead>
                                            <tr>
                                                <th>{l.pick("Период", "Period")}</th>
                                                <th>{l.pick("Статус", "Status")}</th>
                                                <th class="text-right">{l.pick("Строк", "Lines")}</th>
                                                <th class="text-right">{l.pick("Предложено", "Proposed")}</th>
                                                <th class="text-right">{l.pick("Утверждено", "Approved")}</th>
                                                <th>{l.pick("Создан", "Created")}</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {list
                                                .into_iter()
                                                .map(|b| {
                                                    let (class, label) = batch_status(l, b.status);
                                                    view! {
                                                        <tr>
                                                            <td><a href=format!("/finance/payouts/{}", b.id)>{period(&b.period)}</a></td>
                                                            <td><span class=class>{label}</span></td>
                                                            <td class="text-right">{b.line_count}</td>
                                                            <td class="text-right money">{money(l, &b.proposed_total)}</td>
                                                            <td class="text-right money">{b.approved_total.map(|m| money(l, &m)).unwrap_or_else(|| "—".into())}</td>
                                                            <td class="nowrap muted">{datetime(b.created_at_ms)}</td>
                                                        </tr>
                                                    }
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
    }
}
