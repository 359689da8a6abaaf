//! Payout settings (schedule, minimum payout, four-eyes threshold) and the commission
//! rules by category and seller tier.

use crate::api::finance::get_payout_settings::get_payout_settings;
use crate::api::finance::list_commission_rules::list_commission_rules;
use crate::api::finance::save_commission_rule::SaveCommissionRule;
use crate::api::finance::update_payout_settings::UpdatePayoutSettings;
use crate::components::scope::RequestScope;
use crate::components::ui::{ActionError, ErrorAlert, Field, Loading, PageHeader, action_error};
use crate::i18n::{datetime, money};
use crate::session::use_locale;
use leptos::prelude::*;

#[component]
pub fn PayoutSettingsPage() -> impl IntoView {
    let l = use_locale();
    let save = ServerAction::<UpdatePayoutSettings>::new();
    let scope = RequestScope::capture();
    let current = Resource::new(
        move || save.version().get(),
        move |_| scope.run(get_payout_settings()),
    );
    let save_error = action_error(save);
    let days: [(&str, &str, &str); 8] = [
        ("daily", "Ежедневно", "Daily"),
        ("mon", "По понедельникам", "Mondays"),
        ("tue", "По вторникам", "Tuesdays"),
        ("wed", "По средам", "Wednesdays"),
        ("thu", "По четвергам", "Thursdays"),
        ("fri", "По пятницам", "Fridays"),
        ("sat", "По субботам", "Saturdays"),
        ("sun", "По воскресеньям", "Sundays"),
    ];
    view! {
        <PageHeader title=l.pick("Настройки выплат", "Payout settings") />
        <div class="page-body stack">
            <div class="card">
                <div class="card-body">
                    <Transition fallback=|| view! { <Loading /> }>
                        {move || Suspend::new(async move {
                            match current.await {
                                Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                                Ok(s) => view! {
                                    <ActionForm action=save attr:class="form" attr:data-testid="payout-settings-form">
                                        <ActionError error=save_error />
                                        {(!s.configured)
                                            .then(|| view! {
                                                <div class="alert alert-info">
                                                    {l.pick("Расписание ещё не задано: выплаты по расписанию не формируются.", "No schedule yet: no batches are proposed on schedule.")}
                                                </div>
                                            })}
                                        <div class="field">
                                            <label for="payout-every">{l.pick("Расписание", "Schedule")}</label>
                                            <select id="payout-every" name="every">
                                                {days
                                                    .into_iter()
                                                    .map(|(v, ru, en)| view! { <option value=v selected=s.every == v>{l.pick(ru, en)}</option> })
                                                    .collect_view()}
                                            </select>
                                        </div>
                                        <Field
                                            label=l.pick("Минимальная выплата, ₽", "Minimum payout, RUB")
                                            name="minimum"
                                            required=true
                                            value=s.minimum.to_plain_string()
                                            error=save_error
                                        />
                                        <Field
                                            label=l.pick("Порог «четырёх глаз», ₽", "Four-eyes threshold, RUB")
                                            name="four_eyes_threshold"
                                            required=true
                                            value=s.four_eyes_threshold.to_plain_string()
                                            error=save_error
                                        />
                                        <div class="form-actions">
                                            <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>
                                                {l.pick("Сохранить", "Save")}
                                            </button>
                                        </div>
                                        {move || save.value().get().and_then(|r| r.ok()).map(|_| view! {
                                            <div class="alert alert-success">{l.pick("Сохранено.", "Saved.")}</div>
                                        })}
                                    </ActionForm>
                                }
                                    .into_any(),
                            }
                        })}
                    </Transition>
                </div>
            </div>
            <CommissionRules />
        </div>
    }
}

fn tier_label(l: domain::Locale, tier: Option<&str>) -> &'static str {
    match tier {
        None => l.pick("Любой", "Any"),
        Some("standard") => l.pick("Стандарт", "Standard"),
        Some("silver") => l.pick("Серебро", "Silver"),
        Some("gold") => l.pick("Золото", "Gold"),
        Some(_) => "?",
    }
}

/// The commission rules table and the form that adds or replaces a rule. The most
/// specific rule applies: category and tier, then category, then its parent
/// categories, then tier, then the default.
#[component]
fn CommissionRules() -> impl IntoView {
    let l = use_locale();
    let save = ServerAction::<SaveCommissionRule>::new();
    let save_error = action_error(save);
    let scope = RequestScope::capture();
    let rules = Resource::new(
        move || save.version().get(),
        move |_| scope.run(list_commission_rules()),
    );
    view! {
        <div class="card" data-testid="commission-rules">
            <div class="card-header">
                <h2 class="card-title">{l.pick("Комиссии", "Commission rules")}</h2>
                <div class="muted small">
                    {l.pick(
                        "Действует самое точное правило: категория и уровень продавца, затем категория (и её родители), затем уровень, затем общее. Уже начисленная комиссия не пересчитывается.",
                        "The most specific rule applies: category and seller tier, then category (and its parents), then tier, then the default. Commission already charged is never recomputed.",
                    )}
                </div>
            </div>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match rules.await {
                        Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                        Ok(data) => {
                            let categories = data.categories.clone();
                            view! {
                                <div class="table-wrap">
                                    <table class="table" data-testid="commission-rules-table">
                                        <thead>
                                            <tr>
                                                <th>{l.pick("Категория", "Category")}</th>
                                                <th>{l.pick("Уровень", "Tier")}</th>
                                                <th class="text-right">{l.pick("Ставка", "Rate")}</th>
                                                <th class="text-right">{l.pick("Фикс.", "Fixed")}</th>
                                                <th class="text-right">{l.pick("Мин.", "Min")}</th>
                                                <th class="text-right">{l.pick("Макс.", "Max")}</th>
                                                <th>{l.pick("Изменено", "Changed")}</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {data
                                                .rules
                                                .into_iter()
                                                .map(|r| {
                                                    let category = match (&r.category_code, &r.category_name_ru, &r.category_name_en) {
                                                        (None, _, _) => l.pick("Любая", "Any").to_string(),
                                                        (Some(code), Some(ru), Some(en)) => format!("{} ({code})", l.pick(ru, en)),
                                                        (Some(code), _, _) => code.clone(),
                                                    };
                                                    view! {
                                                        <tr data-testid="commission-rule">
                                                            <td>{category}</td>
                                                            <td>{tier_label(l, r.tier.as_deref())}</td>
                                                            <td class="text-right">{r.rate.clone()}</td>
                                                            <td class="text-right money">{money(l, &r.fixed)}</td>
                                                            <td class="text-right money">{money(l, &r.min)}</td>
                                                            <td class="text-right money">{r.max.map(|m| money(l, &m)).unwrap_or_else(|| "—".into())}</td>
                                                            <td class="nowrap muted">{datetime(r.updated_at_ms)}</td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <div class="card-body">
                                    <ActionForm action=save attr:class="form" attr:data-testid="commission-rule-form">
                                        <h3>{l.pick("Добавить или заменить правило", "Add or replace a rule")}</h3>
                                        <ActionError error=save_error />
                                        <div class="field">
                                            <label for="rule-category">{l.pick("Категория", "Category")}</label>
                                            <select id="rule-category" name="category_code">
                                                <option value="">{l.pick("Любая категория", "Any category")}</option>
                                                {categories
                                                    .into_iter()
                                                    .map(|c| {
                                                        let indent = "\u{a0}\u{a0}".repeat(c.depth as usize);
                                                        view! { <option value=c.code.clone()>{format!("{indent}{}", l.pick(&c.name_ru, &c.name_en))}</option> }
                                                    })
                                                    .collect_view()}
                                            </select>
                                        </div>
                                        <div class="field">
                                            <label for="rule-tier">{l.pick("Уровень продавца", "Seller tier")}</label>
                                            <select id="rule-tier" name="tier">
                                                {[None, Some("standard"), Some("silver"), Some("gold")]
                                                    .into_iter()
                                                    .map(|t| view! { <option value=t.unwrap_or("")>{tier_label(l, t)}</option> })
                                                    .collect_view()}
                                            </select>
                                        </div>
                                        <Field
                                            label=l.pick("Ставка, %", "Rate, %")
                                            name="rate_percent"
                                            required=true
                                            placeholder="12,5"
                                            error=save_error
                                        />
                                        <Field label=l.pick("Фиксированная часть, ₽", "Fixed part, RUB") name="fixed" placeholder="0" error=save_error />
                                        <Field label=l.pick("Минимум за строку, ₽", "Minimum per line, RUB") name="min" placeholder="0" error=save_error />
                                        <Field
                                            label=l.pick("Максимум за строку, ₽", "Maximum per line, RUB")
                                            name="max"
                                            hint=l.pick("Пусто — без ограничения.", "Empty: no maximum.")
                                            error=save_error
                                        />
                                        <div class="form-actions">
                                            <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>
                                                {l.pick("Сохранить правило", "Save rule")}
                                            </button>
                                        </div>
                                    </ActionForm>
                                </div>
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </div>
    }
}
