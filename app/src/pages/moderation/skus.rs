//! Find any seller's listing and block it (with a reason the seller sees), or lift
//! a block.

use crate::api::moderation::block_sku::BlockSku;
use crate::api::moderation::find_skus::find_skus;
use crate::api::moderation::list_reasons::list_reasons;
use crate::components::scope::RequestScope;
use crate::components::ui::{ActionError, ErrorAlert, Loading, PageHeader, action_error};
use crate::session::use_locale;
use domain::catalog::SkuStatus;
use domain::moderation::view::SkuHit;
use leptos::prelude::*;

#[component]
pub fn BlockPage() -> impl IntoView {
    let l = use_locale();
    let (q, set_q) = signal(String::new());
    let block = ServerAction::<BlockSku>::new();
    let block_error = action_error(block);
    let scope = RequestScope::capture();
    let hits = Resource::new(move || (q.get(), block.version().get()), {
        let scope = scope.clone();
        move |(q, _)| scope.run(find_skus(q))
    });
    let reasons = Resource::new(|| (), move |_| scope.run(list_reasons()));
    let reason = RwSignal::new(String::new());
    let comment = RwSignal::new(String::new());
    view! {
        <PageHeader
            title=l.pick("Блокировка товаров", "Block listings")
            subtitle=l.pick("Снять с продажи товар любого продавца с указанием причины.", "Take any seller's listing off sale, with a reason.")
        />
        <div class="page-body stack">
            <ActionError error=block_error />
            <div class="card">
                <div class="table-toolbar">
                    <div class="filters">
                        <label class="visually-hidden" for="sku-search">{l.pick("Поиск", "Search")}</label>
                        <input
                            id="sku-search"
                            type="search"
                            placeholder=l.pick("Артикул, название или штрихкод", "SKU code, title or barcode")
                            on:change=move |ev| set_q.set(event_target_value(&ev))
                        />
                        <label class="visually-hidden" for="block-reason">{l.pick("Причина", "Reason")}</label>
                        <select id="block-reason" on:change=move |ev| reason.set(event_target_value(&ev))>
                            <option value="">{l.pick("— причина блокировки —", "— reason for blocking —")}</option>
                            <Transition fallback=|| ()>
                                {move || Suspend::new(async move {
                                    reasons.await.unwrap_or_default().into_iter().map(|r| view! {
                                        <option value=r.code.clone()>{r.name(l).to_string()}</option>
                                    }).collect_view()
                                })}
                            </Transition>
                        </select>
                        <input
                            class="input-sm"
                            placeholder=l.pick("Комментарий", "Comment")
                            aria-label=l.pick("Комментарий", "Comment")
                            on:input=move |ev| comment.set(event_target_value(&ev))
                        />
                    </div>
                </div>
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        match hits.await {
                            Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                            Ok(list) if list.is_empty() => view! {
                                <div class="empty-state">{l.pick("Введите запрос и нажмите Enter.", "Type a query and press Enter.")}</div>
                            }.into_any(),
                            Ok(list) => view! {
                                <div class="table-wrap">
                                    <table class="table" data-testid="sku-hits">
                                        <thead><tr>
                                            <th>{l.pick("Продавец", "Seller")}</th>
                                            <th>{l.pick("Артикул", "SKU")}</th>
                                            <th>{l.pick("Название", "Title")}</th>
                                            <th>{l.pick("Статус", "Status")}</th>
                                            <th></th>
                                        </tr></thead>
                                        <tbody>
                                            {list.into_iter().map(|h| view! { <HitRow hit=h block=block reason=reason comment=comment /> }).collect_view()}
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

#[component]
fn HitRow(
    hit: SkuHit,
    block: ServerAction<BlockSku>,
    reason: RwSignal<String>,
    comment: RwSignal<String>,
) -> impl IntoView {
    let l = use_locale();
    let blocked = hit.status == SkuStatus::Blocked;
    let id = hit.sku_id.clone();
    view! {
        <tr data-sku=hit.seller_sku.clone()>
            <td>{hit.seller_name.clone()}</td>
            <td class="mono">{hit.seller_sku.clone()}</td>
            <td>{hit.title.clone()}</td>
            <td>{hit.status.label(l)}</td>
            <td>
                <button
                    class=if blocked { "btn btn-secondary btn-sm" } else { "btn btn-danger btn-sm" }
                    on:click=move |_| {
                        let r = reason.get_untracked();
                        block.dispatch(BlockSku {
                            sku_id: id.clone(),
                            block: !blocked,
                            reasons: if r.is_empty() { Vec::new() } else { vec![r] },
                            comment: comment.get_untracked(),
                        });
                    }
                >
                    {if blocked { l.pick("Разблокировать", "Unblock") } else { l.pick("Заблокировать", "Block") }}
                </button>
            </td>
        </tr>
    }
}
