//! The seller's catalog: search, filters, sorting and cursor pages over the SKUs,
//! all done by the database so a million SKUs list as fast as a hundred.

use crate::api::seller::list_categories::list_categories;
use crate::api::seller::list_skus::list_skus;
use crate::components::catalog::{SkuStatusBadge, Tree, sku_href};
use crate::components::scope::RequestScope;
use crate::components::ui::{ErrorAlert, Loading, PageHeader};
use crate::i18n::{datetime, money};
use crate::session::use_locale;
use domain::catalog::{SkuListItem, SkuSort, SkuStatus, SortDir};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// Which page of the list: the first, or the one after/before a cursor.
#[derive(Debug, Clone, Default, PartialEq)]
enum PageAt {
    #[default]
    First,
    After(String),
    Before(String),
}

#[component]
pub fn CatalogPage() -> impl IntoView {
    let l = use_locale();
    let query = use_query_map();
    let initial = |k: &str| query.with_untracked(|q| q.get(k)).unwrap_or_default();
    let (search, set_search) = signal(initial("q"));
    let (status, set_status) = signal(initial("status"));
    let (category, set_category) = signal(initial("category"));
    let (sort, set_sort) = signal(initial("sort").parse::<SkuSort>().unwrap_or_default());
    let (dir, set_dir) = signal(None::<SortDir>);
    let (at, set_at) = signal(PageAt::First);
    let scope = RequestScope::capture();
    let categories = {
        let scope = scope.clone();
        Resource::new(|| (), move |_| scope.run(list_categories()))
    };
    let skus = Resource::new(
        move || {
            (
                search.get(),
                status.get(),
                category.get(),
                sort.get(),
                dir.get(),
                at.get(),
            )
        },
        move |(q, st, cat, sort, dir, at)| {
            scope.run(async move {
                let (after, before) = match at {
                    PageAt::First => (None, None),
                    PageAt::After(c) => (Some(c), None),
                    PageAt::Before(c) => (None, Some(c)),
                };
                list_skus(
                    Some(q),
                    Some(st),
                    Some(cat),
                    Some(sort.as_str().to_string()),
                    dir.map(|d| d.as_str().to_string()),
                    after,
                    before,
                )
                .await
            })
        },
    );
    let reset = move || set_at.set(PageAt::First);
    let sort_by = move |s: SkuSort| {
        if sort.get_untracked() == s {
            let current = dir.get_untracked().unwrap_or(s.default_dir());
            set_dir.set(Some(current.flip()));
        } else {
            set_sort.set(s);
            set_dir.set(None);
        }
        reset();
    };
    let header = move |s: SkuSort, label: &'static str, class: &'static str| {
        let marker = move || {
            (sort.get() == s).then(|| match dir.get().unwrap_or(s.default_dir()) {
                SortDir::Asc => " ▲",
                SortDir::Desc => " ▼",
            })
        };
        let aria = move || {
            (sort.get() == s).then(|| match dir.get().unwrap_or(s.default_dir()) {
                SortDir::Asc => "ascending",
                SortDir::Desc => "descending",
            })
        };
        view! {
            <th class=class aria-sort=aria>
                <button
                    type="button"
                    class="btn-ghost btn-sm"
                    data-sort=s.as_str()
                    on:click=move |_| sort_by(s)
                >
                    {label}
                    {marker}
                </button>
            </th>
        }
    };
    let category_options = move || {
        categories
            .get()
            .and_then(|r| r.ok())
            .and_then(Tree::new)
            .map(|tree| {
                tree.nodes
                    .iter()
                    .map(|n| {
                        let code = n.code.clone();
                        let indent = "\u{a0}\u{a0}".repeat(n.depth as usize);
                        let selected = {
                            let code = code.clone();
                            move || category.get() == code
                        };
                        view! {
                            <option value=code selected=selected>
                                {format!("{indent}{}", l.pick(&n.name_ru, &n.name_en))}
                            </option>
                        }
                    })
                    .collect_view()
            })
    };
    view! {
        <PageHeader
            title=l.pick("Каталог", "Catalog")
            subtitle=l.pick(
                "Товары вашей организации. Цена и остаток меняются сразу, описание — после модерации.",
                "Your organisation's SKUs. Price and stock change at once, content after moderation.",
            )
        >
            <a class="btn btn-secondary" href="/seller/catalog/export.csv" rel="external" download data-testid="export-csv">
                {l.pick("Выгрузить CSV", "Export CSV")}
            </a>
            <A href="/seller/imports" attr:class="btn btn-secondary">
                {l.pick("Загрузить из файла", "Import from file")}
            </A>
            <A href="/seller/catalog/new" attr:class="btn btn-primary" attr:data-testid="new-sku">
                {l.pick("Новый товар", "New SKU")}
            </A>
        </PageHeader>
        <div class="page-body stack">
            <div class="card">
                <div class="table-toolbar">
                    <div class="filters">
                        <label class="visually-hidden" for="sku-search">{l.pick("Поиск", "Search")}</label>
                        <input
                            id="sku-search"
                            type="search"
                            data-testid="sku-search"
                            prop:value=search
                            placeholder=l.pick("Артикул, название, бренд или штрихкод", "SKU, title, brand or barcode")
                            on:change=move |ev| {
                                reset();
                                set_search.set(event_target_value(&ev));
                            }
                        />
                        <label class="visually-hidden" for="sku-status">{l.pick("Статус", "Status")}</label>
                        <select
                            id="sku-status"
                            data-testid="sku-status"
                            on:change=move |ev| {
                                reset();
                                set_status.set(event_target_value(&ev));
                            }
                        >
                            <option value="" selected=move || status.get().is_empty()>
                                {l.pick("Все, кроме архива", "All but archived")}
                            </option>
                            {SkuStatus::ALL
                                .into_iter()
                                .map(|s| {
                                    view! {
                                        <option value=s.as_str() selected=move || status.get() == s.as_str()>
                                            {s.label(l)}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                        <label class="visually-hidden" for="sku-category">{l.pick("Категория", "Category")}</label>
                        <select
                            id="sku-category"
                            data-testid="sku-category"
                            on:change=move |ev| {
                                reset();
                                set_category.set(event_target_value(&ev));
                            }
                        >
                            <option value="" selected=move || category.get().is_empty()>
                                {l.pick("Все категории", "All categories")}
                            </option>
                            <Transition>{category_options}</Transition>
                        </select>
                    </div>
                </div>
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        let tree = categories.await.ok().and_then(Tree::new);
                        match skus.await {
                            Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                            Ok(page) if page.items.is_empty() => {
                                view! {
                                    <div class="empty-state" data-testid="skus-empty">
                                        {l.pick(
                                            "Товаров не найдено. Измените условия поиска или загрузите каталог из файла.",
                                            "No SKUs found. Change the search or import your catalog from a file.",
                                        )}
                                    </div>
                                }
                                    .into_any()
                            }
                            Ok(page) => {
                                let total = if page.total_is_exact {
                                    match l {
                                        domain::Locale::Ru => format!("Найдено: {}", page.total),
                                        domain::Locale::En => format!("{} found", page.total),
                                    }
                                } else {
                                    match l {
                                        domain::Locale::Ru => format!("Найдено: более {}", page.total),
                                        domain::Locale::En => format!("More than {} found", page.total),
                                    }
                                };
                                let prev = page.prev_cursor.clone();
                                let next = page.next_cursor.clone();
                                view! {
                                    <div class="table-wrap">
                                        <table class="table" data-testid="skus-table">
                                            <thead>
                                                <tr>
                                                    <th>{l.pick("Артикул", "SKU")}</th>
                                                    {header(SkuSort::Title, l.pick("Название", "Title"), "")}
                                                    <th>{l.pick("Категория", "Category")}</th>
                                                    {header(SkuSort::Price, l.pick("Цена", "Price"), "num")}
                                                    {header(SkuSort::Stock, l.pick("Остаток", "Stock"), "num")}
                                                    <th>{l.pick("Статус", "Status")}</th>
                                                    {header(SkuSort::Updated, l.pick("Изменён", "Updated"), "")}
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {page
                                                    .items
                                                    .into_iter()
                                                    .map(|s| {
                                                        let path = tree
                                                            .as_ref()
                                                            .map(|t| t.path(&s.category, l))
                                                            .unwrap_or_else(|| s.category.clone());
                                                        view! { <SkuRow sku=s category=path /> }
                                                    })
                                                    .collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                    <nav class="pagination" aria-label=l.pick("Страницы", "Pages")>
                                        <button
                                            type="button"
                                            class="btn btn-secondary btn-sm"
                                            disabled=prev.is_none()
                                            data-testid="page-prev"
                                            on:click=move |_| {
                                                if let Some(c) = prev.clone() {
                                                    set_at.set(PageAt::Before(c));
                                                }
                                            }
                                        >
                                            {l.pick("← Назад", "← Previous")}
                                        </button>
                                        <span class="page-info" data-testid="skus-total">{total}</span>
                                        <button
                                            type="button"
                                            class="btn btn-secondary btn-sm"
                                            disabled=next.is_none()
                                            data-testid="page-next"
                                            on:click=move |_| {
                                                if let Some(c) = next.clone() {
                                                    set_at.set(PageAt::After(c));
                                                }
                                            }
                                        >
                                            {l.pick("Вперёд →", "Next →")}
                                        </button>
                                    </nav>
                                }
                                    .into_any()
                            }
                        }
                    })}
                </Transition>
            </div>
        </div>
    }
}

#[component]
fn SkuRow(sku: SkuListItem, category: String) -> impl IntoView {
    let l = use_locale();
    let href = sku_href(&sku.seller_sku);
    let code = sku.seller_sku.clone();
    view! {
        <tr data-sku=sku.seller_sku.clone()>
            <td class="mono">
                <A href=href>{code}</A>
            </td>
            <td>
                {sku.title.clone()}
                {sku.brand.clone().map(|b| view! { <div class="small muted">{b}</div> })}
            </td>
            <td class="small">{category}</td>
            <td class="num money nowrap" data-testid="sku-price">
                {money(l, &sku.price)}
                {sku.old_price.map(|o| view! { <div class="small muted"><s>{money(l, &o)}</s></div> })}
            </td>
            <td class="num" data-testid="sku-stock">{sku.stock}</td>
            <td>
                <SkuStatusBadge status=sku.status />
                {sku
                    .has_pending_change
                    .then(|| {
                        view! {
                            <div class="small muted">{l.pick("Изменения на модерации", "Changes in moderation")}</div>
                        }
                    })}
            </td>
            <td class="nowrap small">{datetime(sku.updated_at_ms)}</td>
        </tr>
    }
}
