//! One seller's finance settings: commission tier, hold period override and a
//! payout hold (payouts to the seller wait while it is set).

use crate::api::finance::get_seller_settings::get_seller_settings;
use crate::api::finance::update_seller_settings::UpdateSellerSettings;
use crate::components::scope::RequestScope;
use crate::components::seller_picker::SellerPicker;
use crate::components::ui::{ActionError, ErrorAlert, Field, Loading, PageHeader, action_error};
use crate::session::use_locale;
use domain::ledger::SellerTier;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SellerSettingsPage() -> impl IntoView {
    let l = use_locale();
    let query = use_query_map();
    let seller = RwSignal::new(query.with_untracked(|q| q.get("id")).unwrap_or_default());
    let save = ServerAction::<UpdateSellerSettings>::new();
    let save_error = action_error(save);
    let scope = RequestScope::capture();
    let settings = Resource::new(
        move || (seller.get(), save.version().get()),
        move |(id, _)| {
            let run = (!id.is_empty()).then(|| scope.run(get_seller_settings(id)));
            async move {
                match run {
                    Some(run) => run.await.map(Some),
                    None => Ok(None),
                }
            }
        },
    );
    view! {
        <PageHeader title=l.pick("Настройки продавца", "Seller finance settings") />
        <div class="page-body stack">
            <div class="card">
                <div class="card-body stack">
                    <SellerPicker name="seller" selected=seller />
                    <Transition fallback=|| view! { <Loading /> }>
                        {move || Suspend::new(async move {
                            match settings.await {
                                Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                                Ok(None) => view! {
                                    <p class="muted">{l.pick("Выберите продавца.", "Choose a seller.")}</p>
                                }
                                    .into_any(),
                                Ok(Some(s)) => view! {
                                    <ActionForm action=save attr:class="form" attr:data-testid="seller-settings-form">
                                        <ActionError error=save_error />
                                        <input type="hidden" name="seller_id" value=seller.get_untracked() />
                                        <div class="field">
                                            <label for="seller-tier">{l.pick("Уровень (для комиссии)", "Tier (for commission)")}</label>
                                            <select id="seller-tier" name="tier">
                                                {SellerTier::ALL
                                                    .into_iter()
                                                    .map(|t| view! { <option value=t.as_str() selected=s.tier == t>{t.as_str()}</option> })
                                                    .collect_view()}
                                            </select>
                                        </div>
                                        <Field
                                            label=l.pick("Срок удержания, дней (пусто — срок возврата категории)", "Hold period, days (empty: the category's return window)")
                                            name="hold_days_override"
                                            value=s.hold_days_override.map(|d| d.to_string()).unwrap_or_default()
                                            error=save_error
                                        />
                                        <Field
                                            label=l.pick("Приостановить выплаты (причина; пусто — не приостанавливать)", "Hold payouts (reason; empty: none)")
                                            name="payout_hold_reason"
                                            value=s.payout_hold_reason.clone()
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
