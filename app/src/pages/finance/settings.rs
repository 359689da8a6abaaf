//! Payout settings: schedule, minimum payout and four-eyes threshold.

use crate::api::finance::get_payout_settings::get_payout_settings;
use crate::api::finance::update_payout_settings::UpdatePayoutSettings;
use crate::components::scope::RequestScope;
use crate::components::ui::{ActionError, ErrorAlert, Field, Loading, PageHeader, action_error};
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
        </div>
    }
}
