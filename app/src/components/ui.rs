//! Small building blocks used by every page.

use crate::error::AppError;
use crate::i18n::field_error;
use crate::session::use_locale;
use domain::accounts::SellerStatus;
use leptos::prelude::*;
use leptos_meta::Title;

/// Full page navigation (not client-side routing): after login and logout the whole
/// app must be rendered again for the new user.
pub fn navigate_full(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.location().assign(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

pub fn reload() {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}

/// The page title, heading, optional subtitle and actions on the right.
#[component]
pub fn PageHeader(
    #[prop(into)] title: String,
    #[prop(optional, into)] subtitle: Option<String>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <Title text=title.clone() />
        <div class="page-header">
            <div>
                <h1 class="page-title">{title}</h1>
                {subtitle.map(|s| view! { <p class="page-subtitle">{s}</p> })}
            </div>
            {children.map(|c| view! { <div class="page-actions">{c()}</div> })}
        </div>
    }
}

/// A labelled input with its hint and the server's error for it.
#[component]
pub fn Field(
    #[prop(into)] label: String,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional, into)] autocomplete: Option<&'static str>,
    #[prop(optional, into)] placeholder: Option<String>,
    /// The last error of the form's action; the field shows its own problem.
    #[prop(into)]
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let l = use_locale();
    let id = format!("f-{name}");
    let message = move || field_error(l, &error.get(), name);
    let err_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = {
        let err_id = err_id.clone();
        let hint_id = hint_id.clone();
        let has_hint = hint.is_some();
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if message().is_some() {
                ids.push(err_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:has-error=move || message().is_some()>
            <label for=id.clone()>
                {label}
                {required.then(|| view! { <span class="req" aria-hidden="true">" *"</span> })}
            </label>
            <input
                id=id.clone()
                name=name
                type=kind
                value=value
                required=required
                autocomplete=autocomplete
                placeholder=placeholder
                aria-invalid=move || message().is_some().then_some("true")
                aria-describedby=described
            />
            {hint.map(|h| view! { <div class="field-hint" id=hint_id.clone()>{h}</div> })}
            {move || message().map(|m| view! { <div class="field-error" id=err_id.clone() role="alert">{m}</div> })}
        </div>
    }
}

/// An error box for a failed action or load.
#[component]
pub fn ErrorAlert(error: AppError) -> impl IntoView {
    let l = use_locale();
    view! {
        <div class="alert alert-error" role="alert" data-code=error.code.as_str()>
            {error.localized(l)}
        </div>
    }
}

/// Shows the error of the last action run, if it failed.
#[component]
pub fn ActionError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || error.get().map(|e| view! { <ErrorAlert error=e /> })
}

/// Placeholder while data loads.
#[component]
pub fn Loading() -> impl IntoView {
    let l = use_locale();
    view! {
        <div class="stack" aria-busy="true">
            <span class="visually-hidden">{l.pick("Загрузка…", "Loading…")}</span>
            <div class="skeleton"></div>
            <div class="skeleton"></div>
            <div class="skeleton"></div>
        </div>
    }
}

#[component]
pub fn SellerStatusBadge(status: SellerStatus) -> impl IntoView {
    let l = use_locale();
    let class = match status {
        SellerStatus::Active => "badge badge-success",
        SellerStatus::PendingVerification => "badge badge-warning",
        SellerStatus::Suspended => "badge badge-danger",
    };
    view! { <span class=class data-status=status.as_str()>{status.label(l)}</span> }
}

/// Previous / next pager for offset-based lists.
#[component]
pub fn Pager(
    offset: i64,
    limit: i64,
    total: i64,
    /// Called with the new offset.
    on_page: Callback<i64>,
) -> impl IntoView {
    let l = use_locale();
    let page = offset / limit.max(1) + 1;
    let pages = ((total + limit.max(1) - 1) / limit.max(1)).max(1);
    let has_prev = offset > 0;
    let has_next = offset + limit < total;
    view! {
        <nav class="pagination" aria-label=l.pick("Страницы", "Pages")>
            <button
                type="button"
                class="btn btn-secondary btn-sm"
                disabled=!has_prev
                on:click=move |_| on_page.run((offset - limit).max(0))
            >
                {l.pick("← Назад", "← Previous")}
            </button>
            <span class="page-info">
                {match l {
                    domain::Locale::Ru => format!("Страница {page} из {pages} · всего {total}"),
                    domain::Locale::En => format!("Page {page} of {pages} · {total} total"),
                }}
            </span>
            <button
                type="button"
                class="btn btn-secondary btn-sm"
                disabled=!has_next
                on:click=move |_| on_page.run(offset + limit)
            >
                {l.pick("Вперёд →", "Next →")}
            </button>
        </nav>
    }
}

/// The error of the last run of a server action, as a signal for forms.
pub fn action_error<I, O>(action: ServerAction<I>) -> Signal<Option<AppError>>
where
    I: leptos::server_fn::ServerFn<Output = O, Error = AppError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(|r| r.err()))
}
