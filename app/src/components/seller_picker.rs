//! Picking a seller by name or INN (finance forms): a search box and the matching
//! sellers in a select named `name`, so the form submits the chosen seller's id.

use crate::api::finance::find_sellers::find_sellers;
use crate::components::scope::RequestScope;
use crate::session::use_locale;
use leptos::prelude::*;

/// `selected` holds the chosen seller's id (empty: none yet); it changes only when
/// the user picks another seller.
#[component]
pub fn SellerPicker(
    /// The form field the seller's id is submitted as.
    name: &'static str,
    selected: RwSignal<String>,
) -> impl IntoView {
    let l = use_locale();
    let query = RwSignal::new(String::new());
    let scope = RequestScope::capture();
    let found = Resource::new(move || query.get(), move |q| scope.run(find_sellers(q)));
    let search_id = format!("{name}-search");
    view! {
        <div class="field" data-testid="seller-picker">
            <label for=search_id.clone()>{l.pick("Продавец (поиск по названию или ИНН)", "Seller (search by name or INN)")}</label>
            <input
                id=search_id
                type="search"
                autocomplete="off"
                placeholder=l.pick("Название или ИНН", "Name or INN")
                on:input=move |ev| query.set(event_target_value(&ev))
            />
            <Transition fallback=|| view! { <select disabled=true></select> }>
                {move || Suspend::new(async move {
                    let sellers = found.await.unwrap_or_default();
                    let current = selected.get_untracked();
                    let listed = sellers.iter().any(|s| s.id.to_string() == current);
                    let empty = sellers.is_empty();
                    view! {
                        <select
                            name=name
                            required=true
                            aria-label=l.pick("Продавец", "Seller")
                            on:change=move |ev| selected.set(event_target_value(&ev))
                        >
                            <option value="" selected=current.is_empty()>{l.pick("— выберите продавца —", "— choose a seller —")}</option>
                            {(!listed && !current.is_empty())
                                .then(|| view! { <option value=current.clone() selected=true>{current.clone()}</option> })}
                            {sellers
                                .into_iter()
                                .map(|s| {
                                    let id = s.id.to_string();
                                    let label = match &s.inn {
                                        Some(inn) => format!("{} · ИНН {inn}", s.name),
                                        None => s.name.clone(),
                                    };
                                    view! { <option value=id.clone() selected=id == current>{label}</option> }
                                })
                                .collect_view()}
                        </select>
                        {empty.then(|| view! { <div class="small muted">{l.pick("Никого не нашлось.", "No seller matches.")}</div> })}
                    }
                })}
            </Transition>
        </div>
    }
}
