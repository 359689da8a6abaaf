//! The lists moderation runs on: rejection reasons (add, rename, retire) and banned
//! words and phrases (matched in every form, case-insensitively).

use crate::api::admin::add_banned::AdminAddBanned;
use crate::api::admin::list_banned::admin_list_banned;
use crate::api::admin::list_category_rules::admin_list_category_rules;
use crate::api::admin::list_reasons::admin_list_reasons;
use crate::api::admin::remove_banned::AdminRemoveBanned;
use crate::api::admin::save_reason::AdminSaveReason;
use crate::api::admin::set_category_rule::AdminSetCategoryRule;
use crate::components::scope::RequestScope;
use crate::components::ui::{ActionError, ErrorAlert, Loading, PageHeader, action_error};
use crate::i18n::datetime;
use crate::session::use_locale;
use domain::moderation::Reason;
use domain::moderation::banned::BannedAction;
use domain::moderation::view::CategoryRuleView;
use leptos::prelude::*;

#[component]
pub fn ModerationListsPage() -> impl IntoView {
    let l = use_locale();
    let add = ServerAction::<AdminAddBanned>::new();
    let remove = ServerAction::<AdminRemoveBanned>::new();
    let save = ServerAction::<AdminSaveReason>::new();
    let add_error = action_error(add);
    let remove_error = action_error(remove);
    let save_error = action_error(save);
    let scope = RequestScope::capture();
    let banned = Resource::new(move || (add.version().get(), remove.version().get()), {
        let scope = scope.clone();
        move |_| scope.run(admin_list_banned())
    });
    let reasons = Resource::new(move || save.version().get(), {
        let scope = scope.clone();
        move |_| scope.run(admin_list_reasons())
    });
    let set_rule = ServerAction::<AdminSetCategoryRule>::new();
    let rule_error = action_error(set_rule);
    let rules = Resource::new(
        move || set_rule.version().get(),
        move |_| scope.run(admin_list_category_rules()),
    );
    let phrase = RwSignal::new(String::new());
    let action = RwSignal::new(BannedAction::Review);
    let new_code = RwSignal::new(String::new());
    let new_ru = RwSignal::new(String::new());
    let new_en = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            phrase.set(String::new());
        }
    });
    view! {
        <PageHeader title=l.pick("Правила модерации", "Moderation rules") />
        <div class="page-body stack">
            <div class="card">
                <div class="card-header"><h2 class="card-title">{l.pick("Запрещённые слова и фразы", "Banned words and phrases")}</h2></div>
                <div class="card-body stack">
                    <p class="muted small">{l.pick(
                        "Ищутся в названии, бренде и описании без учёта регистра и словоформ (реплика = реплики = репликой), в том числе написанные латиницей вперемешку.",
                        "Searched in the title, brand and description regardless of case and word form (replica = replicas), including look-alike Latin letters in Russian words.",
                    )}</p>
                    <ActionError error=add_error />
                    <ActionError error=remove_error />
                    <form class="row" on:submit=move |ev| {
                        ev.prevent_default();
                        add.dispatch(AdminAddBanned { phrase: phrase.get_untracked(), action: action.get_untracked() });
                    }>
                        <input
                            name="phrase"
                            required
                            placeholder=l.pick("Слово или фраза", "Word or phrase")
                            aria-label=l.pick("Слово или фраза", "Word or phrase")
                            prop:value=move || phrase.get()
                            on:input=move |ev| phrase.set(event_target_value(&ev))
                        />
                        <select aria-label=l.pick("Действие", "Action") on:change=move |ev| {
                            action.set(if event_target_value(&ev) == "reject" { BannedAction::Reject } else { BannedAction::Review });
                        }>
                            <option value="review">{l.pick("На проверку модератору", "Send to a moderator")}</option>
                            <option value="reject">{l.pick("Отклонять автоматически", "Reject automatically")}</option>
                        </select>
                        <button type="submit" class="btn btn-primary" data-testid="add-banned">{l.pick("Добавить", "Add")}</button>
                    </form>
                    <Transition fallback=|| view! { <Loading /> }>
                        {move || Suspend::new(async move {
                            match banned.await {
                                Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                                Ok(list) if list.is_empty() => view! { <div class="empty-state">{l.pick("Список пуст.", "The list is empty.")}</div> }.into_any(),
                                Ok(list) => view! {
                                    <table class="table" data-testid="banned-table">
                                        <thead><tr>
                                            <th>{l.pick("Фраза", "Phrase")}</th>
                                            <th>{l.pick("Действие", "Action")}</th>
                                            <th>{l.pick("Добавлена", "Added")}</th>
                                            <th></th>
                                        </tr></thead>
                                        <tbody>
                                            {list.into_iter().map(|b| {
                                                let id = b.id.clone();
                                                view! {
                                                    <tr>
                                                        <td>{b.phrase.clone()}</td>
                                                        <td>{match b.action {
                                                            BannedAction::Reject => view! { <span class="badge badge-danger">{l.pick("отклонять", "reject")}</span> },
                                                            BannedAction::Review => view! { <span class="badge badge-warning">{l.pick("на проверку", "review")}</span> },
                                                        }}</td>
                                                        <td class="nowrap">{datetime(b.created_at_ms)}</td>
                                                        <td><button class="btn btn-ghost btn-sm" on:click=move |_| {
                                                            remove.dispatch(AdminRemoveBanned { id: id.clone() });
                                                        }>{l.pick("Удалить", "Remove")}</button></td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                }.into_any(),
                            }
                        })}
                    </Transition>
                </div>
            </div>
            <div class="card">
                <div class="card-header"><h2 class="card-title">{l.pick("Причины отклонения", "Rejection reasons")}</h2></div>
                <div class="card-body stack">
                    <ActionError error=save_error />
                    <Transition fallback=|| view! { <Loading /> }>
                        {move || Suspend::new(async move {
                            match reasons.await {
                                Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                                Ok(list) => view! {
                                    <table class="table" data-testid="reasons-table">
                                        <thead><tr>
                                            <th>{l.pick("Код", "Code")}</th>
                                            <th>{l.pick("Название", "Name")}</th>
                                            <th>{l.pick("Подсказка продавцу", "Hint to the seller")}</th>
                                            <th>{l.pick("Поле", "Field")}</th>
                                            <th></th>
                                        </tr></thead>
                                        <tbody>
                                            {list.into_iter().map(|r| {
                                                let toggled = Reason { active: !r.active, ..r.clone() };
                                                view! {
                                                    <tr class=if r.active { "" } else { "muted" }>
                                                        <td class="mono">{r.code.clone()}</td>
                                                        <td>{r.name(l).to_string()}</td>
                                                        <td class="small">{r.hint(l).to_string()}</td>
                                                        <td class="mono small">{r.field.clone().unwrap_or_default()}</td>
                                                        <td><button class="btn btn-ghost btn-sm" on:click=move |_| {
                                                            save.dispatch(AdminSaveReason { reason: toggled.clone() });
                                                        }>{if r.active { l.pick("Вывести из списка", "Retire") } else { l.pick("Вернуть", "Restore") }}</button></td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                }.into_any(),
                            }
                        })}
                    </Transition>
                    <form class="row" on:submit=move |ev| {
                        ev.prevent_default();
                        save.dispatch(AdminSaveReason { reason: Reason {
                            code: new_code.get_untracked(),
                            name_ru: new_ru.get_untracked(),
                            name_en: new_en.get_untracked(),
                            hint_ru: String::new(),
                            hint_en: String::new(),
                            field: None,
                            active: true,
                        } });
                    }>
                        <input required placeholder=l.pick("код, напр. no_certificate", "code, e.g. no_certificate") aria-label=l.pick("Код", "Code") on:input=move |ev| new_code.set(event_target_value(&ev)) />
                        <input required placeholder="Название (RU)" aria-label="Название (RU)" on:input=move |ev| new_ru.set(event_target_value(&ev)) />
                        <input required placeholder="Name (EN)" aria-label="Name (EN)" on:input=move |ev| new_en.set(event_target_value(&ev)) />
                        <button type="submit" class="btn btn-secondary">{l.pick("Добавить причину", "Add reason")}</button>
                    </form>
                </div>
            </div>
            {view! {
            <div class="card">
                <div class="card-header"><h2 class="card-title">{l.pick("Правила категорий", "Category rules")}</h2></div>
                <div class="card-body stack">
                    <p class="muted small">{l.pick(
                        "Категории только для проверенных продавцов (действует и на подкатегории) и минимальный размер фото.",
                        "Categories for verified sellers only (subcategories included) and the minimum image size.",
                    )}</p>
                    <ActionError error=rule_error />
                    <Transition fallback=|| view! { <Loading /> }>
                        {move || Suspend::new(async move {
                            match rules.await {
                                Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                                Ok(list) => view! {
                                    <table class="table" data-testid="category-rules">
                                        <thead><tr>
                                            <th>{l.pick("Категория", "Category")}</th>
                                            <th>{l.pick("Только проверенным", "Verified only")}</th>
                                            <th>{l.pick("Мин. сторона фото, px", "Min image side, px")}</th>
                                            <th></th>
                                        </tr></thead>
                                        <tbody>
                                            {list.into_iter().map(|r| view! { <RuleRow rule=r action=set_rule /> }).collect_view()}
                                        </tbody>
                                    </table>
                                }.into_any(),
                            }
                        })}
                    </Transition>
                </div>
            </div>
            }.into_any()}
        </div>
    }
}

#[component]
fn RuleRow(rule: CategoryRuleView, action: ServerAction<AdminSetCategoryRule>) -> impl IntoView {
    let l = use_locale();
    let restricted = RwSignal::new(rule.restricted);
    let side = RwSignal::new(
        rule.image_min_side
            .map(|s| s.to_string())
            .unwrap_or_default(),
    );
    let code = rule.code.clone();
    let indent = format!("padding-left: {}rem", rule.depth);
    view! {
        <tr data-category=rule.code.clone()>
            <td style=indent>{l.pick(&rule.name_ru, &rule.name_en).to_string()} " " <span class="mono muted small">{rule.code.clone()}</span></td>
            <td>
                <input
                    type="checkbox"
                    aria-label=l.pick("Только проверенным", "Verified only")
                    prop:checked=move || restricted.get()
                    on:change=move |ev| restricted.set(event_target_checked(&ev))
                />
            </td>
            <td>
                <input
                    class="input-sm"
                    inputmode="numeric"
                    placeholder="400"
                    aria-label=l.pick("Мин. сторона фото", "Min image side")
                    prop:value=move || side.get()
                    on:input=move |ev| side.set(event_target_value(&ev))
                />
            </td>
            <td>
                <button class="btn btn-ghost btn-sm" on:click=move |_| {
                    action.dispatch(AdminSetCategoryRule {
                        code: code.clone(),
                        restricted: restricted.get_untracked(),
                        image_min_side: side.get_untracked(),
                    });
                }>{l.pick("Сохранить", "Save")}</button>
            </td>
        </tr>
    }
}
