//! One SKU: the content form (moderated: a save becomes a revision waiting for
//! moderation), the commercial form (price, old price, VAT, stock: live at once),
//! moderation status and revision history. The same rules the server applies run in
//! the browser as the seller types, from the domain crate compiled to WebAssembly.

use crate::api::seller::get_sku::get_sku;
use crate::api::seller::list_categories::list_categories;
use crate::api::seller::put_sku::PutSku;
use crate::api::seller::update_sku_commercial::UpdateSkuCommercial;
use crate::components::catalog::{
    RevisionStatusBadge, SkuStatusBadge, Tree, decode_segment, sku_href,
};
use crate::components::scope::RequestScope;
use crate::components::ui::{ErrorAlert, Loading, PageHeader};
use crate::error::AppError;
use crate::i18n::{datetime, money};
use crate::session::{use_locale, use_session};
use domain::accounts::SellerStatus;
use domain::catalog::{
    AttributeKind, Category, SkuCommercial, SkuDetail, SkuField, SkuInput, SkuRules, VatRate,
};
use domain::{FieldError, Locale};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

#[component]
pub fn SkuPage() -> impl IntoView {
    let l = use_locale();
    let params = use_params_map();
    let seller_sku = move || {
        params
            .with(|p| p.get("sku"))
            .map(|s| decode_segment(&s))
            .unwrap_or_default()
    };
    let scope = RequestScope::capture();
    let detail = {
        let scope = scope.clone();
        Resource::new(seller_sku, move |s| scope.run(get_sku(s)))
    };
    let categories = Resource::new(|| (), move |_| scope.run(list_categories()));
    view! {
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match (detail.await, categories.await) {
                    (Err(e), _) | (_, Err(e)) => {
                        view! {
                            <PageHeader title=l.pick("Товар", "SKU") />
                            <div class="page-body">
                                <ErrorAlert error=e />
                                <A href="/seller/catalog">{l.pick("← К каталогу", "← Back to the catalog")}</A>
                            </div>
                        }
                            .into_any()
                    }
                    (Ok(d), Ok(c)) => view! { <SkuEditor detail=Some(d) categories=c /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn NewSkuPage() -> impl IntoView {
    let scope = RequestScope::capture();
    let categories = Resource::new(|| (), move |_| scope.run(list_categories()));
    view! {
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match categories.await {
                    Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                    Ok(c) => view! { <SkuEditor detail=None categories=c /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// True when the caller may change listings (not suspended, a role that edits).
fn can_edit() -> bool {
    use_session()
        .user
        .map(|u| {
            u.seller_status != Some(SellerStatus::Suspended)
                && u.member_role.is_none_or(|r| r.can_edit_catalog())
        })
        .unwrap_or(false)
}

/// The message for `key` among `errors`.
fn message_for(errors: &[FieldError], key: &str) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field == key)
        .map(|e| e.message.clone())
}

/// Field problems of the last server answer, if it was a validation error.
fn server_fields<T>(r: Option<Result<T, AppError>>) -> Vec<FieldError> {
    match r {
        Some(Err(e)) => e.fields,
        _ => Vec::new(),
    }
}

/// The commercial values of a stored SKU as the form shows them.
fn commercial_texts(c: &SkuCommercial) -> (String, String, String, String) {
    (
        c.price().to_plain_string(),
        c.old_price()
            .map(|m| m.to_plain_string())
            .unwrap_or_default(),
        c.vat().code().to_string(),
        c.stock().to_string(),
    )
}

#[component]
fn SkuEditor(detail: Option<SkuDetail>, categories: Vec<Category>) -> impl IntoView {
    let l = use_locale();
    let Some(tree) = Tree::new(categories) else {
        return view! {
            <ErrorAlert error=AppError::internal() />
        }
        .into_any();
    };
    let editable = can_edit();
    let is_new = detail.is_none();
    let current = RwSignal::new(detail.clone());
    let initial = detail
        .as_ref()
        .and_then(SkuDetail::form_input)
        .or_else(|| {
            detail.as_ref().map(|d| SkuInput {
                sku: d.seller_sku.clone(),
                ..SkuInput::default()
            })
        })
        .unwrap_or_default();
    let images_text = RwSignal::new(initial.images.join("\n"));
    let form = RwSignal::new(initial);
    let tried = RwSignal::new(false);
    let save = ServerAction::<PutSku>::new();
    let tree_v = StoredValue::new(tree.clone());
    // The content (and, for a new SKU, everything) checked with the server's rules.
    let client_errors = Memo::new(move |_| {
        if !tried.get() {
            return Vec::new();
        }
        let mut input = form.get();
        if let Some(d) = current.get() {
            let (p, o, v, s) = commercial_texts(&d.commercial);
            (input.price, input.old_price, input.vat, input.stock) = (p, o, v, s);
            input.currency = d.commercial.currency().code().to_string();
        }
        tree_v.with_value(|t| match input.validate(&t.index, &SkuRules::default()) {
            Ok(_) => Vec::new(),
            Err(problems) => problems.iter().map(|p| p.to_field_error(l)).collect(),
        })
    });
    let errors = Signal::derive(move || {
        let client = client_errors.get();
        if client.is_empty() {
            server_fields(save.value().get())
        } else {
            client
        }
    });
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(d)) = save.value().get() {
            if is_new {
                navigate(&sku_href(&d.seller_sku), Default::default());
            }
            current.set(Some(d));
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        if !client_errors.get_untracked().is_empty() {
            return;
        }
        let mut input = form.get_untracked();
        if let Some(d) = current.get_untracked() {
            let (p, o, v, s) = commercial_texts(&d.commercial);
            (input.price, input.old_price, input.vat, input.stock) = (p, o, v, s);
            input.currency = d.commercial.currency().code().to_string();
        }
        save.dispatch(PutSku { input });
    };
    let text = move |label: String,
                     key: &'static str,
                     get: fn(&SkuInput) -> String,
                     set: fn(&mut SkuInput, String),
                     required: bool,
                     disabled: bool| {
        view! {
            <FormField
                label=label
                key=key
                required=required
                disabled=disabled || !editable
                value=Signal::derive(move || form.with(get))
                on_input=Callback::new(move |v: String| form.update(|f| set(f, v)))
                errors=errors
            />
        }
    };
    let leaves = tree.leaves(l);
    let category_select = {
        let leaves = leaves.clone();
        view! {
            <div class="field" class:has-error=move || message_for(&errors.get(), "category").is_some()>
                <label for="f-category">
                    {SkuField::Category.label(l)}
                    <span class="req" aria-hidden="true">" *"</span>
                </label>
                <select
                    id="f-category"
                    data-testid="field-category"
                    disabled=!editable
                    on:change=move |ev| {
                        let code = event_target_value(&ev);
                        form.update(|f| {
                            // Values of attributes the new category does not have would
                            // only come back as errors.
                            let keep: Vec<String> = tree_v.with_value(|t| {
                                t.index
                                    .get(&code)
                                    .map(|c| c.effective_attributes().map(|a| a.code.to_string()).collect())
                                    .unwrap_or_default()
                            });
                            f.attributes.retain(|k, _| keep.contains(k));
                            f.category = code;
                        });
                    }
                >
                    <option value="" selected=move || form.with(|f| f.category.is_empty())>
                        {l.pick("— выберите —", "— choose —")}
                    </option>
                    {leaves
                        .into_iter()
                        .map(|(code, path)| {
                            let c = code.clone();
                            view! {
                                <option value=code selected=move || form.with(|f| f.category == c)>{path}</option>
                            }
                        })
                        .collect_view()}
                </select>
                {move || message_for(&errors.get(), "category").map(|m| view! { <div class="field-error" role="alert">{m}</div> })}
            </div>
        }
    };
    let attributes = move || {
        let category = form.with(|f| f.category.clone());
        let attrs: Vec<domain::catalog::Attribute> = tree_v.with_value(|t| {
            t.index
                .get(&category)
                .map(|c| c.effective_attributes().cloned().collect())
                .unwrap_or_default()
        });
        if attrs.is_empty() {
            return None;
        }
        let rows = attrs
            .into_iter()
            .map(|a| view! { <AttributeField attribute=a form=form errors=errors disabled=!editable /> })
            .collect_view();
        Some(view! {
            <fieldset class="stack" data-testid="attributes">
                <legend>{l.pick("Характеристики категории", "Category attributes")}</legend>
                <div class="grid-2">{rows}</div>
            </fieldset>
        })
    };
    let title = match &detail {
        Some(d) => d
            .latest
            .as_ref()
            .map(|r| r.content.title().to_string())
            .unwrap_or_else(|| d.seller_sku.clone()),
        None => l.pick("Новый товар", "New SKU").to_string(),
    };
    let subtitle = detail
        .as_ref()
        .map(|d| format!("{}: {}", l.pick("Артикул", "SKU"), d.seller_sku));
    let saved_note = move || {
        save.value().get().and_then(|r| r.ok()).map(|d| {
            let pending = d.has_pending_change() || d.live.is_none();
            view! {
                <div class="alert alert-success" role="status" data-testid="content-saved">
                    {if pending {
                        l.pick(
                            "Сохранено. Описание отправлено на модерацию; до её решения покупатели видят прежнюю версию.",
                            "Saved. The content went to moderation; buyers see the previous version until it is decided.",
                        )
                    } else {
                        l.pick("Сохранено.", "Saved.")
                    }}
                </div>
            }
        })
    };
    let save_error = move || {
        save.value()
            .get()
            .and_then(|r| r.err())
            .map(|e| view! { <ErrorAlert error=e /> })
    };
    // Built apart and type-erased: one view this deep overflows the compiler's
    // query depth in the server crate.
    let content_form = view! {
                    <form class="form stack" data-testid="content-form" novalidate on:submit=submit>
                        {save_error}
                        {saved_note}
                        {text(SkuField::Sku.label(l).to_string(), "sku", |f| f.sku.clone(), |f, v| f.sku = v, true, !is_new)}
                        {text(SkuField::Title.label(l).to_string(), "title", |f| f.title.clone(), |f, v| f.title = v, true, false)}
                        <div class="field" class:has-error=move || message_for(&errors.get(), "description").is_some()>
                            <label for="f-description">{SkuField::Description.label(l)}</label>
                            <textarea
                                id="f-description"
                                rows="5"
                                data-testid="field-description"
                                disabled=!editable
                                prop:value=move || form.with(|f| f.description.clone())
                                on:input=move |ev| form.update(|f| f.description = event_target_value(&ev))
                            ></textarea>
                            {move || message_for(&errors.get(), "description").map(|m| view! { <div class="field-error" role="alert">{m}</div> })}
                        </div>
                        <div class="grid-2">
                            {text(SkuField::Brand.label(l).to_string(), "brand", |f| f.brand.clone(), |f, v| f.brand = v, false, false)}
                            {text(SkuField::Barcode.label(l).to_string(), "barcode", |f| f.barcode.clone(), |f, v| f.barcode = v, false, false)}
                        </div>
                        {category_select}
                        {attributes}
                        {is_new
                            .then(|| {
                                view! {
                                    <div class="grid-2">
                                        {text(SkuField::Price.label(l).to_string(), "price", |f| f.price.clone(), |f, v| f.price = v, true, false)}
                                        {text(SkuField::OldPrice.label(l).to_string(), "old_price", |f| f.old_price.clone(), |f, v| f.old_price = v, false, false)}
                                        <VatSelect
                                            value=Signal::derive(move || form.with(|f| f.vat.clone()))
                                            on_change=Callback::new(move |v: String| form.update(|f| f.vat = v))
                                            errors=errors
                                            disabled=!editable
                                        />
                                        {text(SkuField::Stock.label(l).to_string(), "stock", |f| f.stock.clone(), |f, v| f.stock = v, true, false)}
                                    </div>
                                }
                            })}
                        <div class="grid-2">
                            {text(SkuField::WeightG.label(l).to_string(), "weight_g", |f| f.weight_g.clone(), |f, v| f.weight_g = v, false, false)}
                            {text(SkuField::LengthMm.label(l).to_string(), "length_mm", |f| f.length_mm.clone(), |f, v| f.length_mm = v, false, false)}
                            {text(SkuField::WidthMm.label(l).to_string(), "width_mm", |f| f.width_mm.clone(), |f, v| f.width_mm = v, false, false)}
                            {text(SkuField::HeightMm.label(l).to_string(), "height_mm", |f| f.height_mm.clone(), |f, v| f.height_mm = v, false, false)}
                        </div>
                        <div class="field" class:has-error=move || message_for(&errors.get(), "images").is_some()>
                            <label for="f-images">{SkuField::Images.label(l)}</label>
                            <textarea
                                id="f-images"
                                rows="3"
                                data-testid="field-images"
                                disabled=!editable
                                prop:value=images_text
                                on:input=move |ev| {
                                    let v = event_target_value(&ev);
                                    form.update(|f| {
                                        f.images = v
                                            .split(['\n', ' ', ',', ';'])
                                            .map(str::trim)
                                            .filter(|s| !s.is_empty())
                                            .map(str::to_string)
                                            .collect();
                                    });
                                    images_text.set(v);
                                }
                            ></textarea>
                            <div class="field-hint">
                                {l.pick(
                                    "Ссылки http(s) на фото, по одной в строке; первая — главное фото.",
                                    "http(s) links to photos, one per line; the first is the main photo.",
                                )}
                            </div>
                            <crate::components::image_upload::ImageUploader
                                urls=Signal::derive(move || form.with(|f| f.images.clone()))
                                seller_sku=current.with_untracked(|d| d.as_ref().map(|d| d.seller_sku.clone()))
                                on_uploaded=Callback::new(move |url: String| {
                                    form.update(|f| f.images.push(url.clone()));
                                    images_text.update(|t| {
                                        if !t.trim().is_empty() {
                                            t.push('\n');
                                        }
                                        t.push_str(&url);
                                    });
                                })
                                disabled=!editable
                            />
                            {move || message_for(&errors.get(), "images").map(|m| view! { <div class="field-error" role="alert">{m}</div> })}
                        </div>
                        <div class="form-actions">
                            <button
                                type="submit"
                                class="btn btn-primary"
                                data-testid="save-content"
                                disabled=move || !editable || save.pending().get()
                            >
                                {if is_new {
                                    l.pick("Создать товар", "Create SKU")
                                } else {
                                    l.pick("Отправить на модерацию", "Send to moderation")
                                }}
                            </button>
                        </div>
                    </form>
    }
    .into_any();
    view! {
        <PageHeader title=title subtitle=subtitle.unwrap_or_default()>
            <A href="/seller/catalog" attr:class="btn btn-secondary">{l.pick("← К каталогу", "← Back to the catalog")}</A>
        </PageHeader>
        <div class="page-body stack" data-testid="sku-page">
            {(!editable)
                .then(|| {
                    view! {
                        <div class="alert alert-warning" data-testid="read-only">
                            {l.pick(
                                "Только просмотр: аккаунт продавца приостановлен или ваша роль не позволяет менять товары.",
                                "Read only: the seller account is suspended or your role cannot change listings.",
                            )}
                        </div>
                    }
                })}
            {move || current.get().map(|d| view! { <ModerationCard detail=d /> })}
            {detail.as_ref().map(|_| view! { <CommercialCard current=current editable=editable /> })}
            <div class="card">
                <div class="card-header">
                    <h2 class="card-title">
                        {if is_new {
                            l.pick("Товар", "SKU")
                        } else {
                            l.pick("Описание (проходит модерацию)", "Content (moderated)")
                        }}
                    </h2>
                </div>
                <div class="card-body">
                    {content_form}
                </div>
            </div>
            {move || current.get().map(|d| view! { <HistoryCard detail=d /> })}
        </div>
    }
    .into_any()
}

/// A labelled text input bound to a value, showing the problem with `key`.
#[component]
fn FormField(
    label: String,
    key: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional)] disabled: bool,
    #[prop(optional, into)] hint: Option<String>,
    value: Signal<String>,
    on_input: Callback<String>,
    errors: Signal<Vec<FieldError>>,
) -> impl IntoView {
    let id = format!("f-{}", key.replace(':', "-"));
    let message = move || message_for(&errors.get(), key);
    let err_id = format!("{id}-error");
    view! {
        <div class="field" class:has-error=move || message().is_some()>
            <label for=id.clone()>
                {label}
                {required.then(|| view! { <span class="req" aria-hidden="true">" *"</span> })}
            </label>
            <input
                id=id.clone()
                name=key
                data-testid=format!("field-{key}")
                disabled=disabled
                prop:value=value
                on:input=move |ev| on_input.run(event_target_value(&ev))
                aria-invalid=move || message().is_some().then_some("true")
                aria-describedby=err_id.clone()
            />
            {hint.map(|h| view! { <div class="field-hint">{h}</div> })}
            {move || message().map(|m| view! { <div class="field-error" id=err_id.clone() role="alert">{m}</div> })}
        </div>
    }
}

#[component]
fn VatSelect(
    value: Signal<String>,
    on_change: Callback<String>,
    errors: Signal<Vec<FieldError>>,
    disabled: bool,
) -> impl IntoView {
    let l = use_locale();
    let message = move || message_for(&errors.get(), "vat");
    view! {
        <div class="field" class:has-error=move || message().is_some()>
            <label for="f-vat">{SkuField::Vat.label(l)}</label>
            <select
                id="f-vat"
                data-testid="field-vat"
                disabled=disabled
                on:change=move |ev| on_change.run(event_target_value(&ev))
            >
                {VatRate::ALL
                    .into_iter()
                    .map(|v| {
                        view! {
                            <option
                                value=v.code()
                                selected=move || {
                                    let cur = value.get();
                                    cur == v.code() || (cur.is_empty() && v == VatRate::None)
                                }
                            >
                                {v.label(l)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            {move || message().map(|m| view! { <div class="field-error" role="alert">{m}</div> })}
        </div>
    }
}

/// One attribute of the category schema as a form control: a list for enums and
/// yes/no, a text box (with the unit) otherwise.
#[component]
fn AttributeField(
    attribute: domain::catalog::Attribute,
    form: RwSignal<SkuInput>,
    errors: Signal<Vec<FieldError>>,
    disabled: bool,
) -> impl IntoView {
    let l = use_locale();
    let code = attribute.code.to_string();
    let key = format!("attr:{code}");
    let id = format!("f-attr-{code}");
    let value = {
        let code = code.clone();
        move || form.with(|f| f.attributes.get(&code).cloned().unwrap_or_default())
    };
    let set = {
        let code = code.clone();
        move |v: String| {
            form.update(|f| {
                if v.trim().is_empty() {
                    f.attributes.remove(&code);
                } else {
                    f.attributes.insert(code.clone(), v);
                }
            })
        }
    };
    let message = {
        let key = key.clone();
        move || message_for(&errors.get(), &key)
    };
    let label = match attribute.kind.unit() {
        Some(u) => format!("{}, {}", attribute.name(l), u.symbol(l)),
        None => attribute.name(l).to_string(),
    };
    let options: Option<Vec<(String, String)>> = match &attribute.kind {
        AttributeKind::Enum { values } => Some(
            values
                .iter()
                .map(|v| (v.code.to_string(), v.name(l).to_string()))
                .collect(),
        ),
        AttributeKind::Boolean => Some(vec![
            ("true".into(), l.pick("Да", "Yes").into()),
            ("false".into(), l.pick("Нет", "No").into()),
        ]),
        _ => None,
    };
    let control = match options {
        Some(opts) => {
            let value = value.clone();
            let set = set.clone();
            view! {
                <select
                    id=id.clone()
                    data-testid=format!("field-{key}")
                    disabled=disabled
                    on:change=move |ev| set(event_target_value(&ev))
                >
                    <option value="" selected={
                        let value = value.clone();
                        move || value().is_empty()
                    }>"—"</option>
                    {opts
                        .into_iter()
                        .map(|(v, label)| {
                            let value = value.clone();
                            let v2 = v.clone();
                            view! { <option value=v selected=move || value() == v2>{label}</option> }
                        })
                        .collect_view()}
                </select>
            }
            .into_any()
        }
        None => view! {
            <input
                id=id.clone()
                data-testid=format!("field-{key}")
                disabled=disabled
                prop:value=value
                on:input=move |ev| set(event_target_value(&ev))
            />
        }
        .into_any(),
    };
    let message2 = message.clone();
    view! {
        <div class="field" class:has-error=move || message().is_some()>
            <label for=id>
                {label}
                {attribute.required.then(|| view! { <span class="req" aria-hidden="true">" *"</span> })}
            </label>
            {control}
            {move || message2().map(|m| view! { <div class="field-error" role="alert">{m}</div> })}
        </div>
    }
}

/// Price, old price, VAT and stock: checked in the browser, saved at once.
#[component]
fn CommercialCard(current: RwSignal<Option<SkuDetail>>, editable: bool) -> impl IntoView {
    let l = use_locale();
    let (p, o, v, s) = current
        .get_untracked()
        .map(|d| commercial_texts(&d.commercial))
        .unwrap_or_default();
    let currency = current
        .get_untracked()
        .map(|d| d.commercial.currency().code().to_string())
        .unwrap_or_default();
    let price = RwSignal::new(p);
    let old_price = RwSignal::new(o);
    let vat = RwSignal::new(v);
    let stock = RwSignal::new(s);
    let tried = RwSignal::new(false);
    let save = ServerAction::<UpdateSkuCommercial>::new();
    let client_errors = Memo::new(move |_| {
        if !tried.get() {
            return Vec::new();
        }
        match SkuCommercial::parse(
            &price.get(),
            &old_price.get(),
            &currency,
            &vat.get(),
            &stock.get(),
            &SkuRules::default(),
        ) {
            Ok(_) => Vec::new(),
            Err(problems) => problems.iter().map(|p| p.to_field_error(l)).collect(),
        }
    });
    let errors = Signal::derive(move || {
        let client = client_errors.get();
        if client.is_empty() {
            server_fields(save.value().get())
        } else {
            client
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(d)) = save.value().get() {
            current.set(Some(d));
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        if !client_errors.get_untracked().is_empty() {
            return;
        }
        let Some(d) = current.get_untracked() else {
            return;
        };
        save.dispatch(UpdateSkuCommercial {
            seller_sku: d.seller_sku,
            price: price.get_untracked(),
            old_price: old_price.get_untracked(),
            vat: vat.get_untracked(),
            stock: stock.get_untracked(),
        });
    };
    let field =
        move |label: &'static str, key: &'static str, sig: RwSignal<String>, required: bool| {
            view! {
                <FormField
                    label=label.to_string()
                    key=key
                    required=required
                    disabled=!editable
                    value=sig.into()
                    on_input=Callback::new(move |v: String| sig.set(v))
                    errors=errors
                />
            }
        };
    let live = move || {
        current.get().map(|d| {
            let c = d.commercial;
            view! {
                <p class="muted small" data-testid="live-price">
                    {l.pick("Сейчас: ", "Now: ")}
                    <span class="money">{money(l, &c.price())}</span>
                    {c.old_price().map(|o| view! { " · " <s>{money(l, &o)}</s> })}
                    {format!(" · {} · {} {}", c.vat().label(l), c.stock(), l.pick("шт.", "pcs"))}
                </p>
            }
        })
    };
    view! {
        <div class="card">
            <div class="card-header">
                <h2 class="card-title">{l.pick("Цена и остаток (применяются сразу)", "Price and stock (live at once)")}</h2>
            </div>
            <div class="card-body">
                {live}
                <form class="form stack" data-testid="commercial-form" novalidate on:submit=submit>
                    {move || save.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorAlert error=e /> })}
                    {move || {
                        save.value()
                            .get()
                            .and_then(|r| r.ok())
                            .map(|_| {
                                view! {
                                    <div class="alert alert-success" role="status" data-testid="commercial-saved">
                                        {l.pick("Цена и остаток сохранены и уже действуют.", "Price and stock saved and live.")}
                                    </div>
                                }
                            })
                    }}
                    <div class="grid-2">
                        {field(SkuField::Price.label(l), "price", price, true)}
                        {field(SkuField::OldPrice.label(l), "old_price", old_price, false)}
                        <VatSelect
                            value=vat.into()
                            on_change=Callback::new(move |v: String| vat.set(v))
                            errors=errors
                            disabled=!editable
                        />
                        {field(SkuField::Stock.label(l), "stock", stock, true)}
                    </div>
                    <div class="form-actions">
                        <button
                            type="submit"
                            class="btn btn-primary"
                            data-testid="save-commercial"
                            disabled=move || !editable || save.pending().get()
                        >
                            {l.pick("Сохранить цену и остаток", "Save price and stock")}
                        </button>
                    </div>
                </form>
            </div>
        </div>
    }
}

#[component]
fn ModerationCard(detail: SkuDetail) -> impl IntoView {
    let l = use_locale();
    let m = detail.moderation.clone();
    let pending = detail.has_pending_change();
    view! {
        <div class="card" data-testid="moderation">
            <div class="card-body stack">
                <div class="row">
                    <span>{l.pick("Статус товара:", "SKU status:")}</span>
                    <SkuStatusBadge status=detail.status />
                    {m.status.map(|s| view! {
                        <span>{l.pick("Последняя версия описания:", "Newest content:")}</span>
                        <RevisionStatusBadge status=s />
                    })}
                </div>
                {pending
                    .then(|| {
                        view! {
                            <div class="alert alert-info">
                                {l.pick(
                                    "Новое описание ждёт модерации; покупатели пока видят одобренную версию.",
                                    "New content waits for moderation; buyers see the approved version meanwhile.",
                                )}
                            </div>
                        }
                    })}
                {(!m.reason_codes.is_empty() || m.comment.is_some())
                    .then(|| {
                        view! {
                            <div class="alert alert-warning" data-testid="moderation-reasons">
                                <div class="alert-title">
                                    {m.decision.map(|d| d.label(l)).unwrap_or(l.pick("Замечания модератора", "Moderator's notes"))}
                                </div>
                                <ul class="plain-list">
                                    {m.reason_codes.iter().map(|code| {
                                        let known = m.reasons.iter().find(|r| &r.code == code);
                                        view! {
                                            <li data-reason=code.clone()>
                                                <strong>{known.map(|r| r.name(l).to_string()).unwrap_or_else(|| code.clone())}</strong>
                                                {known.map(|r| format!(" — {}", r.hint(l)))}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                                {m.comment.clone().map(|c| view! { <p data-testid="moderation-comment">{c}</p> })}
                                {(!m.fields.is_empty())
                                    .then(|| {
                                        view! {
                                            <p class="small">{l.pick("Поля: ", "Fields: ")}{m.fields.join(", ")}</p>
                                        }
                                    })}
                            </div>
                        }
                    })}
                {m.images.iter().any(|i| i.status != "ready")
                    .then(|| {
                        view! {
                            <ul class="plain-list small" data-testid="image-statuses">
                                {m.images.iter().filter(|i| i.status != "ready").map(|i| view! {
                                    <li>
                                        <span class="mono">{i.url.clone()}</span> " — " {i.status.clone()}
                                        {i.problem(l).map(|p| format!(": {p}"))}
                                    </li>
                                }).collect_view()}
                            </ul>
                        }
                    })}
            </div>
        </div>
    }
}

fn source_label(source: &str, l: Locale) -> String {
    match source {
        "cabinet" => l.pick("Кабинет", "Cabinet").to_string(),
        "api" => "API".to_string(),
        "demo" => l.pick("Демо", "Demo").to_string(),
        s if s.starts_with("import:") => l.pick("Импорт CSV", "CSV import").to_string(),
        s => s.to_string(),
    }
}

#[component]
fn HistoryCard(detail: SkuDetail) -> impl IntoView {
    let l = use_locale();
    let live_number = detail.live.as_ref().map(|r| r.number);
    view! {
        <div class="card">
            <div class="card-header">
                <h2 class="card-title">{l.pick("История изменений описания", "Content history")}</h2>
            </div>
            <div class="table-wrap">
                <table class="table" data-testid="revisions">
                    <thead>
                        <tr>
                            <th class="num">"№"</th>
                            <th>{l.pick("Название", "Title")}</th>
                            <th>{l.pick("Статус", "Status")}</th>
                            <th>{l.pick("Источник", "Source")}</th>
                            <th>{l.pick("Создана", "Created")}</th>
                            <th>{l.pick("Решение", "Decided")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {detail
                            .history
                            .into_iter()
                            .map(|r| {
                                let live = live_number == Some(r.number);
                                view! {
                                    <tr>
                                        <td class="num">{r.number}</td>
                                        <td>
                                            {r.title.clone()}
                                            {live.then(|| view! { <div class="small muted">{l.pick("Видят покупатели", "Shown to buyers")}</div> })}
                                            {r.decision_comment.clone().map(|c| view! { <div class="small muted">{c}</div> })}
                                        </td>
                                        <td><RevisionStatusBadge status=r.status /></td>
                                        <td>{source_label(&r.source, l)}</td>
                                        <td class="nowrap small">{datetime(r.created_at_ms)}</td>
                                        <td class="nowrap small">{r.decided_at_ms.map(datetime).unwrap_or_else(|| "—".into())}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </div>
    }
}
