//! The moderator's workbench: claim a batch, work through it item by item (diff
//! against the live content, images, flags, the seller's history), approve, reject
//! with reasons or request changes — with the keyboard if wanted — or decide a
//! selection in bulk.
//!
//! Shortcuts: `n` claim the next 20, `j`/`k` next/previous item, `a` approve,
//! `r` reject and `c` request changes (with the reasons ticked), `x` tick the item.

use crate::api::moderation::claim_items::ClaimItems;
use crate::api::moderation::decide_items::DecideItems;
use crate::api::moderation::get_item::get_item;
use crate::api::moderation::list_held::list_held;
use crate::api::moderation::list_reasons::list_reasons;
use crate::api::moderation::release_items::ReleaseItems;
use crate::components::scope::RequestScope;
use crate::components::ui::{ActionError, ErrorAlert, Loading, PageHeader, action_error};
use crate::i18n::{datetime, money};
use crate::pages::moderation::dashboard::duration;
use crate::session::use_locale;
use domain::moderation::view::{ItemDetail, QueueItem};
use domain::moderation::{DecisionKind, Flag, Priority, Reason, Severity};
use domain::{Currency, Locale, Money};
use leptos::prelude::*;

/// Items claimed per click (and per `n`).
const CLAIM_BATCH: i64 = 20;

fn flag_class(f: &Flag) -> &'static str {
    match f.severity {
        Severity::Reject => "flag flag-danger",
        Severity::Review => "flag flag-warning",
    }
}

fn priority_badge(p: Priority, l: Locale) -> impl IntoView {
    let class = match p {
        Priority::High => "badge badge-warning",
        Priority::Normal => "badge badge-neutral",
        Priority::Low => "badge badge-info",
    };
    view! { <span class=class>{p.label(l)}</span> }
}

#[component]
pub fn QueuePage() -> impl IntoView {
    let l = use_locale();
    let claim = ServerAction::<ClaimItems>::new();
    let release = ServerAction::<ReleaseItems>::new();
    let decide = ServerAction::<DecideItems>::new();
    let claim_error = action_error(claim);
    let release_error = action_error(release);
    let decide_error = action_error(decide);
    let scope = RequestScope::capture();
    let held = Resource::new(
        move || {
            (
                claim.version().get(),
                release.version().get(),
                decide.version().get(),
            )
        },
        {
            let scope = scope.clone();
            move |_| scope.run(list_held())
        },
    );
    let reasons = Resource::new(|| (), {
        let scope = scope.clone();
        move |_| scope.run(list_reasons())
    });
    let selected = RwSignal::new(None::<String>);
    let ticked = RwSignal::new(Vec::<String>::new());
    let chosen_reasons = RwSignal::new(Vec::<String>::new());
    let comment = RwSignal::new(String::new());
    let (hint, set_hint) = signal(None::<String>);

    let ids = move || -> Vec<String> {
        held.get()
            .and_then(Result::ok)
            .map(|v| v.iter().map(|i| i.revision_id.clone()).collect())
            .unwrap_or_default()
    };
    let current = Memo::new(move |_| {
        let ids = ids();
        match selected.get() {
            Some(s) if ids.contains(&s) => Some(s),
            _ => ids.first().cloned(),
        }
    });
    // The item pane follows a plain signal that an effect keeps equal to `current`:
    // a resource whose source read another (hydrated) resource did not refetch after
    // hydration, and the pane kept showing the first item of the server render.
    let shown = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let want = current.get();
        if shown.get_untracked() != want {
            shown.set(want);
        }
    });
    let detail = Resource::new(
        move || shown.get(),
        move |id| {
            scope.run(async move {
                match id {
                    Some(id) => get_item(id).await.map(Some),
                    None => Ok(None),
                }
            })
        },
    );

    // Decide on `ids` with the ticked reasons and the comment.
    let submit = move |ids: Vec<String>, kind: DecisionKind| {
        if ids.is_empty() {
            return;
        }
        let reasons = chosen_reasons.get_untracked();
        if kind.rejects() && reasons.is_empty() {
            set_hint.set(Some(
                l.pick(
                    "Отметьте хотя бы одну причину.",
                    "Tick at least one reason.",
                )
                .to_string(),
            ));
            return;
        }
        set_hint.set(None);
        decide.dispatch(DecideItems {
            ids,
            kind,
            reasons: if kind.rejects() { reasons } else { Vec::new() },
            comment: comment.get_untracked(),
        });
    };
    // After each decision: clear the form and the ticks of decided items.
    Effect::new(move |_| {
        if let Some(Ok(results)) = decide.value().get() {
            chosen_reasons.set(Vec::new());
            comment.set(String::new());
            let done: Vec<String> = results
                .iter()
                .filter(|r| r.ok)
                .map(|r| r.revision_id.clone())
                .collect();
            ticked.update(|t| t.retain(|id| !done.contains(id)));
            let failed = results.iter().filter(|r| !r.ok).count();
            set_hint.set((failed > 0).then(|| {
                format!(
                    "{}: {failed}",
                    l.pick(
                        "Не удалось решить (задание уже не за вами)",
                        "Could not decide (no longer yours)"
                    )
                )
            }));
        }
    });

    let move_by = move |step: i64| {
        let ids = ids();
        if ids.is_empty() {
            return;
        }
        let pos = current
            .get_untracked()
            .and_then(|c| ids.iter().position(|i| *i == c))
            .unwrap_or(0) as i64;
        let next = (pos + step).clamp(0, ids.len() as i64 - 1) as usize;
        selected.set(Some(ids[next].clone()));
    };
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        use leptos::wasm_bindgen::JsCast;
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let typing = ev
            .target()
            .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        if typing {
            return;
        }
        let one = || current.get_untracked().into_iter().collect::<Vec<_>>();
        match ev.key().as_str() {
            "j" | "ArrowDown" => move_by(1),
            "k" | "ArrowUp" => move_by(-1),
            "a" => submit(one(), DecisionKind::Approve),
            "r" => submit(one(), DecisionKind::Reject),
            "c" => submit(one(), DecisionKind::RequestChanges),
            "n" => {
                claim.dispatch(ClaimItems { count: CLAIM_BATCH });
            }
            "x" => {
                if let Some(c) = current.get_untracked() {
                    ticked.update(|t| {
                        if let Some(p) = t.iter().position(|i| *i == c) {
                            t.remove(p);
                        } else {
                            t.push(c);
                        }
                    });
                }
            }
            _ => return,
        }
        ev.prevent_default();
    });
    on_cleanup(move || handle.remove());

    view! {
        <PageHeader
            title=l.pick("Очередь модерации", "Moderation queue")
            subtitle=l.pick(
                "Клавиши: n — взять 20, j/k — следующий/предыдущий, a — одобрить, r — отклонить, c — на доработку, x — отметить",
                "Keys: n — claim 20, j/k — next/previous, a — approve, r — reject, c — request changes, x — tick",
            )
        />
        <div class="page-body stack">
            <ActionError error=claim_error />
            <ActionError error=release_error />
            <ActionError error=decide_error />
            {move || hint.get().map(|h| view! { <div class="alert alert-warning" role="status">{h}</div> })}
            <div class="table-toolbar card">
                <div class="row">
                    <button
                        class="btn btn-primary"
                        data-testid="claim"
                        disabled=move || claim.pending().get()
                        on:click=move |_| {
                            claim.dispatch(ClaimItems { count: CLAIM_BATCH });
                        }
                    >
                        {l.pick("Взять следующие 20", "Claim next 20")}
                    </button>
                    <button
                        class="btn btn-secondary"
                        on:click=move |_| {
                            release.dispatch(ReleaseItems { ids: Vec::new() });
                        }
                    >
                        {l.pick("Вернуть все в очередь", "Give all back")}
                    </button>
                    <span class="spacer"></span>
                    <span class="muted small">{move || format!("{}: {}", l.pick("Отмечено", "Ticked"), ticked.get().len())}</span>
                    <button
                        class="btn btn-secondary btn-sm"
                        data-testid="bulk-approve"
                        disabled=move || ticked.get().is_empty()
                        on:click=move |_| submit(ticked.get_untracked(), DecisionKind::Approve)
                    >
                        {l.pick("Одобрить отмеченные", "Approve ticked")}
                    </button>
                    <button
                        class="btn btn-danger btn-sm"
                        data-testid="bulk-reject"
                        disabled=move || ticked.get().is_empty()
                        on:click=move |_| submit(ticked.get_untracked(), DecisionKind::Reject)
                    >
                        {l.pick("Отклонить отмеченные", "Reject ticked")}
                    </button>
                </div>
            </div>
            {view! {
            <div class="workbench">
                <div class="card workbench-list">
                    <Transition fallback=|| view! { <Loading /> }>
                        {move || Suspend::new(async move {
                            match held.await {
                                Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                                Ok(items) if items.is_empty() => view! {
                                    <div class="empty-state" data-testid="queue-empty">
                                        <strong>{l.pick("У вас нет заданий", "You hold no items")}</strong>
                                        <p>{l.pick("Нажмите «Взять следующие 20» (или n).", "Press “Claim next 20” (or n).")}</p>
                                    </div>
                                }.into_any(),
                                Ok(items) => view! {
                                    <ul class="queue-list" data-testid="queue-list">
                                        {items.into_iter().map(|item| view! { <QueueRow item=item selected=selected current=current ticked=ticked /> }).collect_view()}
                                    </ul>
                                }.into_any(),
                            }
                        })}
                    </Transition>
                </div>
                <div class="workbench-item">
                    <Transition fallback=|| view! { <Loading /> }>
                        {move || Suspend::new(async move {
                            match detail.await {
                                Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                                Ok(None) => view! { <div class="card empty-state">{l.pick("Выберите задание слева.", "Pick an item on the left.")}</div> }.into_any(),
                                Ok(Some(d)) => view! { <ItemView detail=d /> }.into_any(),
                            }
                        })}
                    </Transition>
                    <div class="card decision" data-testid="decision">
                        <div class="card-header"><h2 class="card-title">{l.pick("Решение", "Decision")}</h2></div>
                        <div class="card-body stack">
                            <fieldset class="reasons">
                                <legend>{l.pick("Причины (для отклонения)", "Reasons (for a rejection)")}</legend>
                                <Transition fallback=|| view! { <Loading /> }>
                                    {move || Suspend::new(async move {
                                        match reasons.await {
                                            Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                                            Ok(list) => list.into_iter().map(|r| view! { <ReasonBox reason=r chosen=chosen_reasons /> }).collect_view().into_any(),
                                        }
                                    })}
                                </Transition>
                            </fieldset>
                            <label class="field">
                                <span>{l.pick("Комментарий продавцу", "Comment to the seller")}</span>
                                <textarea
                                    name="comment"
                                    rows="2"
                                    prop:value=move || comment.get()
                                    on:input=move |ev| comment.set(event_target_value(&ev))
                                ></textarea>
                            </label>
                            <div class="btn-group">
                                <button
                                    class="btn btn-primary"
                                    data-testid="approve"
                                    disabled=move || current.get().is_none() || decide.pending().get()
                                    on:click=move |_| submit(current.get_untracked().into_iter().collect(), DecisionKind::Approve)
                                >
                                    {l.pick("Одобрить (a)", "Approve (a)")}
                                </button>
                                <button
                                    class="btn btn-danger"
                                    data-testid="reject"
                                    disabled=move || current.get().is_none() || decide.pending().get()
                                    on:click=move |_| submit(current.get_untracked().into_iter().collect(), DecisionKind::Reject)
                                >
                                    {l.pick("Отклонить (r)", "Reject (r)")}
                                </button>
                                <button
                                    class="btn btn-secondary"
                                    data-testid="request-changes"
                                    disabled=move || current.get().is_none() || decide.pending().get()
                                    on:click=move |_| submit(current.get_untracked().into_iter().collect(), DecisionKind::RequestChanges)
                                >
                                    {l.pick("На доработку (c)", "Request changes (c)")}
                                </button>
                            </div>
                        </div>
                    </div>
                </div>
            </div>
            }.into_any()}
        </div>
    }
}

#[component]
fn QueueRow(
    item: QueueItem,
    selected: RwSignal<Option<String>>,
    current: Memo<Option<String>>,
    ticked: RwSignal<Vec<String>>,
) -> impl IntoView {
    let l = use_locale();
    let id = item.revision_id.clone();
    let id_for_class = id.clone();
    let id_for_tick = id.clone();
    let id_for_change = id.clone();
    let rejects = item
        .flags
        .iter()
        .filter(|f| f.severity == Severity::Reject)
        .count();
    let flags = item.flags.len();
    view! {
        <li
            class=move || if current.get().as_deref() == Some(id_for_class.as_str()) { "queue-row active" } else { "queue-row" }
            data-sku=item.seller_sku.clone()
        >
            <input
                type="checkbox"
                aria-label=l.pick("Отметить", "Tick")
                prop:checked=move || ticked.get().contains(&id_for_tick)
                on:change=move |_| {
                    let id = id_for_change.clone();
                    ticked.update(|t| {
                        if let Some(p) = t.iter().position(|i| *i == id) {
                            t.remove(p);
                        } else {
                            t.push(id);
                        }
                    })
                }
            />
            <button class="queue-pick" on:click=move |_| selected.set(Some(id.clone()))>
                <span class="queue-title">{item.title.clone()}</span>
                <span class="small muted">
                    <span class="mono">{item.seller_sku.clone()}</span>
                    " · "
                    {item.seller_name.clone()}
                </span>
                <span class="row small">
                    {priority_badge(item.priority, l)}
                    {(flags > 0).then(|| view! {
                        <span class={if rejects > 0 { "badge badge-danger" } else { "badge badge-warning" }}>
                            {format!("{} {flags}", l.pick("флагов:", "flags:"))}
                        </span>
                    })}
                    <span class="muted">{datetime(item.submitted_at_ms)}</span>
                </span>
            </button>
        </li>
    }
}

#[component]
fn ReasonBox(reason: Reason, chosen: RwSignal<Vec<String>>) -> impl IntoView {
    let l = use_locale();
    let code = reason.code.clone();
    let code_checked = code.clone();
    view! {
        <label class="checkbox" title=reason.hint(l).to_string()>
            <input
                type="checkbox"
                name="reason"
                value=code.clone()
                prop:checked=move || chosen.get().contains(&code_checked)
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    let code = code.clone();
                    chosen.update(|c| {
                        c.retain(|x| *x != code);
                        if on {
                            c.push(code);
                        }
                    });
                }
            />
            <span>{reason.name(l).to_string()}</span>
        </label>
    }
}

/// The revision under review.
#[component]
fn ItemView(detail: ItemDetail) -> impl IntoView {
    let l = use_locale();
    let d = detail;
    let price = d
        .currency
        .parse::<Currency>()
        .map(|c| money(l, &Money::from_minor(d.price_minor, c)))
        .unwrap_or_else(|_| format!("{} {}", d.price_minor, d.currency));
    let age = duration(
        l,
        (chrono::Utc::now().timestamp_millis() - d.item.submitted_at_ms).max(0),
    );
    let is_new = d.live.is_none();
    let against_rejected = d.against_rejected;
    let h = &d.history;
    view! {
        <div class="card" data-testid="item" data-sku=d.item.seller_sku.clone()>
            <div class="card-header">
                <div>
                    <h2 class="card-title" data-testid="item-title">{d.content.title().to_string()}</h2>
                    <div class="small muted">
                        <span class="mono">{d.item.seller_sku.clone()}</span>
                        " · " {d.item.seller_name.clone()} " · " {d.category_path.clone()} " · " {price}
                    </div>
                </div>
                <div class="row small">
                    {priority_badge(d.item.priority, l)}
                    <span class="badge badge-neutral">{format!("{} {}", l.pick("ревизия", "revision"), d.revision_number)}</span>
                    <span class="muted">{format!("{} {age}", l.pick("ждёт", "waiting"))}</span>
                </div>
            </div>
            <div class="card-body stack">
                {(!d.item.flags.is_empty()).then(|| view! {
                    <ul class="flags" data-testid="item-flags">
                        {d.item.flags.iter().map(|f| view! {
                            <li class=flag_class(f)>
                                {f.code.label(l)}
                                {(!f.detail.is_empty()).then(|| format!(": {}", f.detail))}
                            </li>
                        }).collect_view()}
                    </ul>
                })}
                <h3 class="section-title">
                    {if against_rejected {
                        l.pick("Исправления после отклонения", "Fixes since the rejection")
                    } else if is_new {
                        l.pick("Новый товар: все поля", "New listing: all fields")
                    } else {
                        l.pick("Изменения относительно опубликованного", "Changes against the live content")
                    }}
                </h3>
                <div class="diff" data-testid="item-diff">
                    {d.changes.iter().map(|c| view! {
                        <div class="diff-row">
                            <div class="diff-field">{c.field.clone()}</div>
                            <div class=if c.before.is_some() { "diff-old" } else { "muted" }>{c.before.clone().unwrap_or_else(|| "—".into())}</div>
                            <div class="diff-new">{c.after.clone().unwrap_or_else(|| "—".into())}</div>
                        </div>
                    }).collect_view()}
                </div>
                <h3 class="section-title">{l.pick("Фото", "Images")}</h3>
                <div class="image-grid" data-testid="item-images">
                    {d.images.iter().map(|i| {
                        let added = d.image_changes.added.contains(&i.url);
                        let status_class = match i.status.as_str() {
                            "ready" => "badge badge-success",
                            "failed" | "rejected" => "badge badge-danger",
                            _ => "badge badge-neutral",
                        };
                        view! {
                            <figure class="image-tile">
                                {match i.thumb_url.clone() {
                                    Some(src) => view! { <img src=src alt="" loading="lazy" /> }.into_any(),
                                    None => view! { <div class="image-placeholder">"?"</div> }.into_any(),
                                }}
                                <figcaption class="small">
                                    <span class=status_class>{i.status.clone()}</span>
                                    {added.then(|| view! { <span class="badge badge-info">{l.pick("новое", "new")}</span> })}
                                    {i.width.zip(i.height).map(|(w, h)| format!(" {w}×{h}"))}
                                    {i.problem(l).map(|p| view! { <div class="field-error">{p.to_string()}</div> })}
                                    <div class="mono muted truncate" title=i.url.clone()>{i.url.clone()}</div>
                                </figcaption>
                            </figure>
                        }
                    }).collect_view()}
                    {d.image_changes.removed.iter().map(|u| view! {
                        <div class="small muted">{l.pick("Удалено: ", "Removed: ")}<span class="mono">{u.clone()}</span></div>
                    }).collect_view()}
                </div>
                {d.content.description().map(|t| view! {
                    <h3 class="section-title">{l.pick("Описание", "Description")}</h3>
                    <p class="prewrap">{t.to_string()}</p>
                })}
                <h3 class="section-title">{l.pick("Продавец", "Seller")}</h3>
                <div class="small" data-testid="seller-history">
                    <span class=if h.verified { "badge badge-success" } else { "badge badge-warning" }>
                        {if h.verified { l.pick("проверен", "verified") } else { l.pick("не проверен", "not verified") }}
                    </span>
                    {format!(" {} {} · {} {}", l.pick("одобрено", "approved"), h.approved, l.pick("отклонено", "rejected"), h.rejected)}
                    <ul class="plain-list">
                        {h.recent.iter().map(|p| view! {
                            <li>{datetime(p.decided_at_ms)} " " <span class="mono">{p.seller_sku.clone()}</span> " — " {p.kind.label(l)} " " <span class="muted">{p.reasons.join(", ")}</span></li>
                        }).collect_view()}
                    </ul>
                </div>
            </div>
        </div>
    }
}
