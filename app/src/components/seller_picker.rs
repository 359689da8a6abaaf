//! Picking a seller by name or INN (finance forms): a search box and the matching
//! sellers in a select named `name`, so the form submits the chosen seller's id.

use crate::api::finance::find_sellers::find_sellers;
use crate::components::scope::RequestScope;
use crate::session::use_locale;
use leptos::prelude::*;

/// `selected` follows the chosen seller's id (the first match until one is chosen).
#[component]
pub fn SellerPicker(
    /// The form field the seller's id is submitted as.
    name: &'static str,
    /// The id of the seller to start with, if any.
    #[prop(optional, into)]
    initial: String,
    /// Set to the chosen seller's id.
    #[prop(optional)]
    selected: Option<RwSignal<String>>,
) -> impl IntoView {
    let l = use_locale();
    let query = RwSignal::new(String::new());
    let chosen = selected.unwrap_or_else(|| RwSignal::new(initial.clone()));
    if !initial.is_empty() {
        chosen.set(initial);
    }
    let scope = RequestScope::capture();
    let found = Resource::new(move || query.get(), move |q| scope.run(find_sellers(q)));
    let id = format!("{name}-search");
    let select_id = format!("{name}-select");
    view! {
        <div class="field" data-testid="seller-picker">
            <label for=id.clone()>{l.pick("Продавец (поиск по названию или ИНН)", "Seller (search by name or INN)")}</label>
            <input
                id=id
                type="search"
                autocomplete="off"
                placeholder=l.pick("Название или ИНН", "Name or INN")
                on:input=move |ev| query.set(event_target_value(&ev))
            />
            <Transition fallback=|| view! { <select disabled=true></select> }>
                {move || {
                    let select_id = select_id.clone();
                    Suspend::new(async move {
                    let sellers = found.await.unwrap_or_default();
                    let current = chosen.get_untracked();
                    if !sellers.iter().any(|s| s.id.to_string() == current)
                        && let Some(first) = sellers.first()
                    {
                        // Nothing chosen among these yet: the first match is.
                        if current.is_empty() || !query.get_untracked().is_empty() {
                            chosen.set(first.id.to_string());
                        }
                    }
                    let current = chosen.get_untracked();
                    let empty = sellers.is_empty();
                    view! {
                        <select
                            id=select_id.clone()
                            name=name
                            required=true
                            aria-label=l.pick("Продавец", "Seller")
                            on:change=move |ev| chosen.set(event_target_value(&ev))
                        >
                            {(!sellers.iter().any(|s| s.id.to_string() == current) && !current.is_empty())
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
                })
                }}
            </Transition>
        </div>
    }
}
