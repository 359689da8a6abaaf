//! Penalties: charge a seller with a reason code, list, reverse.

use crate::api::finance::apply_penalty::ApplyPenalty;
use crate::api::finance::list_penalties::list_penalties;
use crate::api::finance::reverse_penalty::ReversePenalty;
use crate::components::scope::RequestScope;
use crate::components::seller_picker::SellerPicker;
use crate::components::ui::{ActionError, ErrorAlert, Field, Loading, PageHeader, action_error};
use crate::i18n::{datetime, money};
use crate::session::use_locale;
use domain::Locale;
use domain::ledger::PenaltyReason;
use leptos::prelude::*;

fn reason_label(l: Locale, r: PenaltyReason) -> &'static str {
    match r {
        PenaltyReason::LateShipment => l.pick("Поздняя отгрузка", "Late shipment"),
        PenaltyReason::SellerCancellation => l.pick("Отмена продавцом", "Seller cancellation"),
        PenaltyReason::ProhibitedItem => l.pick("Запрещённый товар", "Prohibited item"),
        PenaltyReason::Other => l.pick("Другое", "Other"),
    }
}

#[component]
pub fn PenaltiesPage() -> impl IntoView {
    let l = use_locale();
    let apply = ServerAction::<ApplyPenalty>::new();
    let reverse = ServerAction::<ReversePenalty>::new();
    let scope = RequestScope::capture();
    let list = Resource::new(
        move || (apply.version().get(), reverse.version().get()),
        move |_| scope.run(list_penalties(None)),
    );
    let apply_error = action_error(apply);
    let penalised = RwSignal::new(String::new());
    let reverse_error = action_error(reverse);
    view! {
        <PageHeader title=l.pick("Штрафы", "Penalties") />
        <div class="page-body stack">
            <div class="card">
                <div class="card-header">
                    <h2 class="card-title">{l.pick("Начислить штраф", "Charge a penalty")}</h2>
                </div>
                <div class="card-body">
                    <ActionForm action=apply attr:class="form" attr:data-testid="penalty-form">
                        <ActionError error=apply_error />
                        <input type="hidden" name="key" value="" />
                        <SellerPicker name="seller_id" selected=penalised />
                        <Field label=l.pick("Сумма, ₽", "Amount, RUB") name="amount" required=true placeholder="500,00" error=apply_error />
                        <div class="field">
                            <label for="penalty-reason">{l.pick("Причина", "Reason")}</label>
                            <select id="penalty-reason" name="reason">
                                {PenaltyReason::ALL
                                    .into_iter()
                                    .map(|r| view! { <option value=r.as_str()>{reason_label(l, r)}</option> })
                                    .collect_view()}
                            </select>
                        </div>
                        <Field label=l.pick("Комментарий", "Note") name="note" required=true error=apply_error />
                        <div class="form-actions">
                            <button type="submit" class="btn btn-primary" disabled=move || apply.pending().get()>
                                {l.pick("Начислить", "Charge")}
                            </button>
                        </div>
                    </ActionForm>
                </div>
            </div>
            <ActionError error=reverse_error />
            <div class="card">
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        match list.await {
                            Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                            Ok(rows) if rows.is_empty() => {
                                view! { <div class="empty-state">{l.pick("Штрафов нет.", "No penalties.")}</div> }.into_any()
                            }
                            Ok(rows) => view! {
                                <div class="table-wrap">
                                    <table class="table" data-testid="penalties-table">
                                        <thead>
                                            <tr>
                                                <th>{l.pick("Когда", "When")}</th>
                                                <th>{l.pick("Продавец", "Seller")}</th>
                                                <th>{l.pick("Причина", "Reason")}</th>
                                                <th class="text-right">{l.pick("Сумма", "Amount")}</th>
                                                <th>{l.pick("Комментарий", "Note")}</th>
                                                <th></th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {rows
                                                .into_iter()
                                                .map(|p| view! {
                                                    <tr>
                                                        <td class="nowrap muted">{datetime(p.created_at_ms)}</td>
                                                        <td class="mono small"><a href=format!("/finance/sellers?id={}", p.seller_id)>{p.seller_id.clone()}</a></td>
                                                        <td>{reason_label(l, p.reason)}<div class="small muted">{p.source.clone()}</div></td>
                                                        <td class="text-right money">{money(l, &p.amount)}</td>
                                                        <td>{p.note.clone()}</td>
                                                        <td>
                                                            {if p.reversed {
                                                                view! {
                                                                    <span class="badge badge-neutral">{l.pick("Сторнирован", "Reversed")}</span>
                                                                    <div class="small muted">{p.reversal_note.clone().unwrap_or_default()}</div>
                                                                }
                                                                    .into_any()
                                                            } else {
                                                                view! {
                                                                    <ActionForm action=reverse attr:class="row">
                                                                        <input type="hidden" name="id" value=p.id.clone() />
                                                                        <input type="text" name="note" required aria-label=l.pick("Причина сторно", "Why reverse") placeholder=l.pick("Причина сторно", "Why reverse") />
                                                                        <button type="submit" class="btn btn-sm btn-danger">{l.pick("Сторнировать", "Reverse")}</button>
                                                                    </ActionForm>
                                                                }
                                                                    .into_any()
                                                            }}
                                                        </td>
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
    }
}
