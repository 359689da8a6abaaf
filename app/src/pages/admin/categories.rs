//! The category tree with each category's attribute schema, and its replacement
//! from a category CSV (all or nothing, every problem naming its row and column).

use crate::api::admin::import_categories::ImportCategories;
use crate::api::admin::list_categories::list_categories;
use crate::components::scope::RequestScope;
use crate::components::ui::{ActionError, ErrorAlert, Loading, PageHeader, action_error};
use crate::session::use_locale;
use domain::Locale;
use domain::catalog::{Attribute, AttributeKind, CategoryNode, TreeImportResult};
use leptos::prelude::*;

#[component]
pub fn CategoriesPage() -> impl IntoView {
    let l = use_locale();
    let import = ServerAction::<ImportCategories>::new();
    let import_error = action_error(import);
    let scope = RequestScope::capture();
    let tree = Resource::new(
        move || import.version().get(),
        move |_| scope.run(list_categories()),
    );
    let csv = RwSignal::new(String::new());
    view! {
        <PageHeader
            title=l.pick("Категории", "Categories")
            subtitle=l.pick(
                "Дерево категорий и атрибуты, которые должны заполнять продавцы. Товары размещаются только в конечных категориях.",
                "The category tree and the attributes sellers fill in. SKUs go into leaf categories only.",
            )
        />
        <div class="page-body stack">
            <div class="card">
                <div class="card-header">
                    <h2 class="card-title">{l.pick("Загрузить дерево из CSV", "Import the tree from CSV")}</h2>
                </div>
                <div class="card-body">
                    <ActionForm action=import attr:class="form stack" attr:data-testid="categories-import-form">
                        <ActionError error=import_error />
                        <p class="small muted">
                            {l.pick(
                                "Колонки: category_code; parent_code; name_ru; name_en; return_window_days; attribute_code; attribute_name_ru; attribute_name_en; attribute_type; unit; required; allowed_values — по строке на атрибут. Файл заменяет дерево целиком; категории с товарами не удаляются.",
                                "Columns: category_code; parent_code; name_ru; name_en; return_window_days; attribute_code; attribute_name_ru; attribute_name_en; attribute_type; unit; required; allowed_values — one row per attribute. The file replaces the whole tree; categories with SKUs are kept.",
                            )}
                        </p>
                        <div class="field">
                            <label for="categories-file">{l.pick("Файл CSV", "CSV file")}</label>
                            <input
                                id="categories-file"
                                type="file"
                                accept=".csv,text/csv"
                                data-testid="categories-file"
                                on:change=move |_ev| {
                                    #[cfg(feature = "hydrate")]
                                    {
                                        let input: web_sys::HtmlInputElement = event_target(&_ev);
                                        if let Some(f) = input.files().and_then(|l| l.get(0)) {
                                            leptos::task::spawn_local(async move {
                                                if let Ok(text) = wasm_bindgen_futures::JsFuture::from(f.text()).await
                                                    && let Some(t) = text.as_string()
                                                {
                                                    csv.set(t);
                                                }
                                            });
                                        }
                                    }
                                }
                            />
                        </div>
                        <div class="field">
                            <label for="categories-csv">{l.pick("Содержимое CSV", "CSV content")}</label>
                            <textarea
                                id="categories-csv"
                                name="csv"
                                rows="8"
                                class="mono"
                                required
                                data-testid="categories-csv"
                                prop:value=csv
                                on:input=move |ev| csv.set(event_target_value(&ev))
                            ></textarea>
                        </div>
                        <div class="form-actions">
                            <button type="submit" class="btn btn-primary" data-testid="categories-import" disabled=move || import.pending().get()>
                                {l.pick("Заменить дерево", "Replace the tree")}
                            </button>
                            <a class="btn btn-secondary" href="/admin/categories/export.csv" download="" data-testid="categories-export">
                                {l.pick("Скачать текущее дерево (CSV)", "Download the current tree (CSV)")}
                            </a>
                        </div>
                    </ActionForm>
                    {move || import.value().get().and_then(|r| r.ok()).map(|r| view! { <ImportResult result=r /> })}
                </div>
            </div>
            <div class="card">
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        match tree.await {
                            Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                            Ok(nodes) => view! { <TreeTable nodes=nodes /> }.into_any(),
                        }
                    })}
                </Transition>
            </div>
        </div>
    }
}

#[component]
fn ImportResult(result: TreeImportResult) -> impl IntoView {
    let l = use_locale();
    match result {
        TreeImportResult::Applied(r) => view! {
            <div class="alert alert-success" role="status" data-testid="categories-applied">
                {match l {
                    Locale::Ru => format!(
                        "Дерево обновлено: создано {}, изменено {}, без изменений {}, удалено {}.",
                        r.created, r.updated, r.unchanged, r.deleted
                    ),
                    Locale::En => format!(
                        "The tree is updated: {} created, {} updated, {} unchanged, {} deleted.",
                        r.created, r.updated, r.unchanged, r.deleted
                    ),
                }}
                {(!r.kept.is_empty())
                    .then(|| {
                        view! {
                            <p class="small">
                                {l.pick("Оставлены, потому что в них есть товары: ", "Kept because SKUs are in them: ")}
                                {r.kept.join(", ")}
                            </p>
                        }
                    })}
            </div>
        }
        .into_any(),
        TreeImportResult::Rejected(problems) => view! {
            <div class="alert alert-error" role="alert">
                {l.pick("Файл не применён: исправьте ошибки и загрузите снова.", "The file was not applied: fix the errors and upload it again.")}
            </div>
            <div class="table-wrap">
                <table class="table" data-testid="categories-problems">
                    <thead>
                        <tr>
                            <th class="num">{l.pick("Строка", "Row")}</th>
                            <th>{l.pick("Колонка", "Column")}</th>
                            <th>{l.pick("Ошибка", "Error")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {problems
                            .into_iter()
                            .map(|p| {
                                view! {
                                    <tr>
                                        <td class="num">{if p.row == 0 { "—".to_string() } else { p.row.to_string() }}</td>
                                        <td class="mono">{p.column.unwrap_or_default()}</td>
                                        <td>{p.message}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any(),
    }
}

fn kind_text(a: &Attribute, l: Locale) -> String {
    match &a.kind {
        AttributeKind::Text { max_len } => match l {
            Locale::Ru => format!("текст до {max_len}"),
            Locale::En => format!("text up to {max_len}"),
        },
        AttributeKind::Integer { min, max, unit } => {
            let mut s = l.pick("целое", "integer").to_string();
            if min.is_some() || max.is_some() {
                let f = |v: &Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
                s.push_str(&format!(" {}…{}", f(min), f(max)));
            }
            if let Some(u) = unit {
                s.push_str(&format!(", {}", u.symbol(l)));
            }
            s
        }
        AttributeKind::Decimal { max_scale, unit } => {
            let mut s = match l {
                Locale::Ru => format!("десятичное, {max_scale} зн."),
                Locale::En => format!("decimal, {max_scale} places"),
            };
            if let Some(u) = unit {
                s.push_str(&format!(", {}", u.symbol(l)));
            }
            s
        }
        AttributeKind::Boolean => l.pick("да/нет", "yes/no").to_string(),
        AttributeKind::Enum { values } => {
            let names: Vec<&str> = values.iter().map(|v| v.name(l)).collect();
            format!("{}: {}", l.pick("список", "list"), names.join(", "))
        }
    }
}

#[component]
fn TreeTable(nodes: Vec<CategoryNode>) -> impl IntoView {
    let l = use_locale();
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="categories-table">
                <thead>
                    <tr>
                        <th>{l.pick("Категория", "Category")}</th>
                        <th>{l.pick("Код", "Code")}</th>
                        <th class="num">{l.pick("Возврат, дней", "Return, days")}</th>
                        <th>{l.pick("Атрибуты (свои)", "Attributes (own)")}</th>
                    </tr>
                </thead>
                <tbody>
                    {nodes
                        .into_iter()
                        .map(|n| {
                            let pad = format!("padding-left: {}rem", 0.75 + f64::from(n.depth) * 1.25);
                            let inherited = n.attributes.len() - n.own_attributes.len();
                            view! {
                                <tr data-category=n.code.clone()>
                                    <td style=pad>
                                        {if n.is_leaf { "• " } else { "▸ " }}
                                        {l.pick(&n.name_ru, &n.name_en).to_string()}
                                    </td>
                                    <td class="mono small">{n.code.clone()}</td>
                                    <td class="num">{n.return_window_days}</td>
                                    <td class="small">
                                        {n
                                            .own_attributes
                                            .iter()
                                            .map(|a| {
                                                view! {
                                                    <div>
                                                        <span class="mono">{a.code.to_string()}</span>
                                                        " — "
                                                        {a.name(l).to_string()}
                                                        {a.required.then(|| view! { <span class="req" title=l.pick("обязательный", "required")>" *"</span> })}
                                                        <span class="muted">{format!(" ({})", kind_text(a, l))}</span>
                                                    </div>
                                                }
                                            })
                                            .collect_view()}
                                        {(inherited > 0)
                                            .then(|| {
                                                view! {
                                                    <div class="muted">
                                                        {match l {
                                                            Locale::Ru => format!("+ {inherited} унаследовано"),
                                                            Locale::En => format!("+ {inherited} inherited"),
                                                        }}
                                                    </div>
                                                }
                                            })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
