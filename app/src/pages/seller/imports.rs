//! CSV imports: choose or drop a file, check it in the browser with the import
//! engine compiled to WebAssembly (encoding, delimiter, column mapping, first row
//! errors), upload it, watch the progress, and read the history and error reports.

use crate::api::seller::get_import::get_import;
use crate::api::seller::list_categories::list_categories;
use crate::api::seller::list_import_errors::list_import_errors;
use crate::api::seller::list_imports::list_imports;
use crate::components::catalog::{ImportStatusBadge, Tree, size_text};
use crate::components::scope::RequestScope;
use crate::components::ui::{ErrorAlert, Loading, PageHeader, Pager};
use crate::i18n::datetime;
use crate::session::{use_locale, use_session};
use domain::Locale;
use domain::accounts::SellerStatus;
use domain::catalog::SkuField;
use domain::imports::{ColumnMapping, ColumnTarget, ImportMode, ImportView, PrefixCheck};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use std::sync::Arc;

/// How much of a file the browser checks before upload.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const PREVIEW_BYTES: u64 = 1024 * 1024;
/// Rejected rows the browser check lists.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const PREVIEW_REJECTED: usize = 10;
const UPLOAD_URL: &str = "/seller/imports/upload";

/// The file's first bytes, kept to re-run the check after a mapping change.
#[derive(Clone)]
struct Prefix {
    bytes: Arc<Vec<u8>>,
    complete: bool,
}

#[component]
pub fn ImportsPage() -> impl IntoView {
    let l = use_locale();
    let suspended = use_session()
        .user
        .is_some_and(|u| u.seller_status == Some(SellerStatus::Suspended));
    let scope = RequestScope::capture();
    let categories = Resource::new(|| (), move |_| scope.run(list_categories()));
    let tree = RwSignal::new(None::<Tree>);
    Effect::new(move |_| {
        if let Some(Ok(c)) = categories.get() {
            tree.set(Tree::new(c));
        }
    });
    let file = RwSignal::new(None::<(String, u64)>);
    let prefix = StoredValue::new(None::<Prefix>);
    let check = RwSignal::new(None::<Result<PrefixCheck, String>>);
    let mapping_changed = RwSignal::new(false);
    let mode = RwSignal::new(ImportMode::ApplyValid);
    let dragging = RwSignal::new(false);
    let sent = RwSignal::new(None::<u8>);
    let upload_error = RwSignal::new(None::<String>);
    let current = RwSignal::new(None::<String>);
    let history_version = RwSignal::new(0_u32);

    // Runs the domain's prefix check over the kept bytes.
    let run_check = move |mapping: Option<ColumnMapping>| {
        let Some(p) = prefix.get_value() else {
            return;
        };
        let Some(t) = tree.get_untracked() else {
            check.set(Some(Err(l
                .pick(
                    "Категории ещё загружаются, попробуйте через секунду.",
                    "Categories are still loading, try again in a second.",
                )
                .to_string())));
            return;
        };
        let result = domain::imports::check_prefix(
            &p.bytes,
            p.complete,
            t.index.clone(),
            domain::catalog::SkuRules::default(),
            mapping,
            l,
            PREVIEW_REJECTED,
        )
        .map_err(|e| e.message(l));
        check.set(Some(result));
    };
    // A file picked before the categories arrived is checked once they do.
    Effect::new(move |_| {
        if tree.get().is_some()
            && prefix.with_value(Option::is_some)
            && matches!(check.get_untracked(), None | Some(Err(_)))
        {
            run_check(None);
        }
    });
    #[cfg(feature = "hydrate")]
    let take_file = move |list: Option<web_sys::FileList>| {
        use crate::components::browser;
        let Some(f) = browser::first_file(list) else {
            return;
        };
        file.set(Some(browser::choose(f)));
        check.set(None);
        mapping_changed.set(false);
        upload_error.set(None);
        sent.set(None);
        leptos::task::spawn_local(async move {
            match browser::read_prefix(PREVIEW_BYTES).await {
                Ok((bytes, complete)) => {
                    prefix.set_value(Some(Prefix {
                        bytes: Arc::new(bytes),
                        complete,
                    }));
                    run_check(None);
                }
                Err(e) => check.set(Some(Err(e))),
            }
        });
    };
    let start_upload = move |_| {
        upload_error.set(None);
        let settings = if mapping_changed.get_untracked() {
            check
                .get_untracked()
                .and_then(|c| c.ok())
                .and_then(|c| serde_json::to_string(&c.settings).ok())
        } else {
            None
        };
        #[cfg(feature = "hydrate")]
        {
            use crate::components::browser::{self, UploadOutcome};
            sent.set(Some(0));
            let started = browser::upload(
                UPLOAD_URL,
                mode.get_untracked().as_str(),
                settings,
                l.pick(
                    "Не удалось отправить файл. Проверьте соединение и попробуйте ещё раз.",
                    "The file could not be sent. Check the connection and try again.",
                )
                .to_string(),
                move |p| sent.set(Some(p)),
                move |outcome| {
                    sent.set(None);
                    match outcome {
                        UploadOutcome::Queued(id) => {
                            browser::forget();
                            file.set(None);
                            check.set(None);
                            prefix.set_value(None);
                            current.set(Some(id));
                            history_version.update(|v| *v += 1);
                        }
                        UploadOutcome::Refused(m) => upload_error.set(Some(m)),
                    }
                },
            );
            if let Err(e) = started {
                sent.set(None);
                upload_error.set(Some(e));
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (settings, UPLOAD_URL);
    };
    let can_upload = move || {
        !suspended
            && file.get().is_some()
            && sent.get().is_none()
            && matches!(check.get(), Some(Ok(ref c)) if c.mapping_error.is_none())
    };

    // Built apart and type-erased: one view this deep overflows the compiler's
    // query depth in the server crate.
    let new_card = view! {
            <div class="card">
                <div class="card-header">
                    <h2 class="card-title">{l.pick("Новый импорт", "New import")}</h2>
                </div>
                <div class="card-body stack">
                    <label
                        class="dropzone"
                        class:dragover=move || dragging.get()
                        for="import-file"
                        tabindex="0"
                        data-testid="dropzone"
                        on:dragover=move |ev| {
                            ev.prevent_default();
                            dragging.set(true);
                        }
                        on:dragleave=move |_| dragging.set(false)
                        on:drop=move |ev: leptos::ev::DragEvent| {
                            ev.prevent_default();
                            dragging.set(false);
                            #[cfg(feature = "hydrate")]
                            take_file(ev.data_transfer().and_then(|d| d.files()));
                        }
                    >
                        <strong>
                            {move || match file.get() {
                                Some((name, size)) => format!("{name} · {}", size_text(size)),
                                None => l.pick("Перетащите файл CSV сюда", "Drop a CSV file here").to_string(),
                            }}
                        </strong>
                        <span>{l.pick("или нажмите, чтобы выбрать файл на компьютере", "or click to choose a file on your computer")}</span>
                    </label>
                    <input
                        id="import-file"
                        class="visually-hidden"
                        type="file"
                        accept=".csv,.tsv,.txt,text/csv"
                        data-testid="import-file"
                        disabled=suspended
                        on:change=move |_ev| {
                            #[cfg(feature = "hydrate")]
                            {
                                let input: web_sys::HtmlInputElement = event_target(&_ev);
                                take_file(input.files());
                            }
                        }
                    />
                    {move || {
                        check
                            .get()
                            .map(|c| match c {
                                Err(message) => {
                                    view! {
                                        <div class="alert alert-error" role="alert" data-testid="check-error">{message}</div>
                                    }
                                        .into_any()
                                }
                                Ok(c) => {
                                    view! {
                                        <CheckReport
                                            check=c
                                            tree=tree
                                            on_mapping=Callback::new(move |m: ColumnMapping| {
                                                mapping_changed.set(true);
                                                run_check(Some(m));
                                            })
                                        />
                                    }
                                        .into_any()
                                }
                            })
                    }}
                    <fieldset class="stack">
                        <legend>{l.pick("Если в файле есть ошибки", "If the file has errors")}</legend>
                        {[ImportMode::ApplyValid, ImportMode::AllOrNothing]
                            .into_iter()
                            .map(|m| {
                                view! {
                                    <label class="checkbox">
                                        <input
                                            type="radio"
                                            name="mode"
                                            value=m.as_str()
                                            data-testid=format!("mode-{}", m.as_str())
                                            prop:checked=move || mode.get() == m
                                            on:change=move |_| mode.set(m)
                                        />
                                        {m.label(l)}
                                        <span class="muted small">
                                            {match m {
                                                ImportMode::ApplyValid => l.pick(
                                                    " — правильные строки загрузятся, ошибочные попадут в отчёт",
                                                    " — valid rows are applied, the others go to the report",
                                                ),
                                                ImportMode::AllOrNothing => l.pick(
                                                    " — при любой ошибке не загрузится ничего",
                                                    " — nothing is applied if any row fails",
                                                ),
                                            }}
                                        </span>
                                    </label>
                                }
                            })
                            .collect_view()}
                    </fieldset>
                    {move || upload_error.get().map(|m| view! { <div class="alert alert-error" role="alert" data-testid="upload-error">{m}</div> })}
                    {move || {
                        sent.get()
                            .map(|p| {
                                view! {
                                    <div>
                                        <div class="progress-label">
                                            <span>{l.pick("Отправка файла", "Sending the file")}</span>
                                            <span>{format!("{p}%")}</span>
                                        </div>
                                        <div class="progress running" role="progressbar" aria-valuenow=p aria-valuemin="0" aria-valuemax="100">
                                            <div class="progress-bar" style=format!("width:{p}%")></div>
                                        </div>
                                    </div>
                                }
                            })
                    }}
                    <div class="form-actions">
                        <button
                            type="button"
                            class="btn btn-primary"
                            data-testid="start-import"
                            disabled=move || !can_upload()
                            on:click=start_upload
                        >
                            {l.pick("Загрузить", "Upload")}
                        </button>
                    </div>
                </div>
            </div>
    }
    .into_any();
    view! {
        <PageHeader
            title=l.pick("Загрузка товаров из CSV", "Import SKUs from CSV")
            subtitle=l.pick(
                "CSV из Excel или учётной системы: UTF-8 или Windows-1251, разделитель «;», «,» или табуляция. Файл проверяется прямо в браузере до отправки.",
                "CSV from Excel or your system: UTF-8 or Windows-1251, delimited by “;”, “,” or tab. The file is checked in your browser before it is sent.",
            )
        >
            <A href="/seller/catalog" attr:class="btn btn-secondary">{l.pick("Каталог", "Catalog")}</A>
        </PageHeader>
        <div class="page-body stack">
            {suspended
                .then(|| {
                    view! {
                        <div class="alert alert-warning">
                            {l.pick(
                                "Аккаунт продавца приостановлен: загрузка файлов недоступна.",
                                "The seller account is suspended: uploads are not available.",
                            )}
                        </div>
                    }
                })}
            {new_card}
            {move || {
                current
                    .get()
                    .map(|id| {
                        view! {
                            <div class="card" data-testid="current-import">
                                <div class="card-header">
                                    <h2 class="card-title">{l.pick("Текущий импорт", "Current import")}</h2>
                                </div>
                                <div class="card-body">
                                    <ImportProgress
                                        id=id
                                        on_finished=Callback::new(move |_| history_version.update(|v| *v += 1))
                                    />
                                </div>
                            </div>
                        }
                    })
            }}
            <TemplateCard tree=tree />
            <HistoryCard version=history_version />
        </div>
    }
}

/// What the browser found in the file: encoding, delimiter, the column mapping (which
/// the seller may change) and the first row errors.
#[component]
fn CheckReport(
    check: PrefixCheck,
    tree: RwSignal<Option<Tree>>,
    on_mapping: Callback<ColumnMapping>,
) -> impl IntoView {
    let l = use_locale();
    let settings = check.settings.clone();
    let mapping = settings.mapping.clone();
    let targets = move || target_options(tree.get(), l);
    let rows = mapping
        .columns
        .iter()
        .enumerate()
        .map(|(i, col)| {
            let current = col.target.key();
            let mapping = mapping.clone();
            view! {
                <tr>
                    <td class="num">{i + 1}</td>
                    <td>{col.header.clone()}</td>
                    <td>
                        <select
                            data-testid=format!("map-{i}")
                            aria-label=col.header.clone()
                            on:change=move |ev| {
                                if let Ok(t) = event_target_value(&ev).parse::<ColumnTarget>() {
                                    let mut m = mapping.clone();
                                    if m.set(i, t).is_ok() {
                                        on_mapping.run(m);
                                    }
                                }
                            }
                        >
                            {
                                let current = current.clone();
                                move || {
                                    let mut opts = targets();
                                    if !opts.iter().any(|(k, _)| *k == current) {
                                        opts.push((current.clone(), current.clone()));
                                    }
                                    opts.into_iter()
                                        .map(|(k, label)| {
                                            let selected = k == current;
                                            view! { <option value=k selected=selected>{label}</option> }
                                        })
                                        .collect_view()
                                }
                            }
                        </select>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let summary = match l {
        Locale::Ru => format!(
            "Проверено строк: {}, без ошибок: {}",
            check.rows_checked, check.rows_valid
        ),
        Locale::En => format!(
            "Rows checked: {}, valid: {}",
            check.rows_checked, check.rows_valid
        ),
    };
    let bad = check.rows_checked - check.rows_valid;
    view! {
        <div class="stack" data-testid="check-report">
            <dl class="row small">
                <dt>{l.pick("Кодировка:", "Encoding:")}</dt>
                <dd data-testid="check-encoding">{settings.encoding.label()}</dd>
                <dt>{l.pick("Разделитель:", "Delimiter:")}</dt>
                <dd data-testid="check-delimiter">{settings.delimiter.label(l)}</dd>
                <dt>{l.pick("Строка заголовка:", "Header row:")}</dt>
                <dd>{settings.header_row}</dd>
            </dl>
            {check.mapping_error.clone().map(|m| view! { <div class="alert alert-error" role="alert" data-testid="mapping-error">{m}</div> })}
            <details open=true>
                <summary>{l.pick("Сопоставление колонок", "Column mapping")}</summary>
                <div class="table-wrap">
                    <table class="table" data-testid="mapping">
                        <thead>
                            <tr>
                                <th class="num">"#"</th>
                                <th>{l.pick("Колонка в файле", "Column in the file")}</th>
                                <th>{l.pick("Поле Bazaar", "Bazaar field")}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </details>
            <div class=if bad == 0 { "alert alert-success" } else { "alert alert-warning" } data-testid="check-summary">
                <div class="alert-title">{summary}</div>
                {(bad > 0)
                    .then(|| {
                        l.pick(
                            "Ошибочные строки не загрузятся (или не загрузится ничего в режиме «всё или ничего»). Первые ошибки:",
                            "Rows with errors will not be applied (nothing will, in all-or-nothing mode). The first errors:",
                        )
                    })}
            </div>
            {(!check.rejected.is_empty())
                .then(|| {
                    view! {
                        <div class="table-wrap">
                            <table class="table" data-testid="check-errors">
                                <thead>
                                    <tr>
                                        <th class="num">{l.pick("Строка", "Row")}</th>
                                        <th>{l.pick("Артикул", "SKU")}</th>
                                        <th>{l.pick("Ошибки", "Errors")}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {check
                                        .rejected
                                        .iter()
                                        .map(|r| {
                                            view! {
                                                <tr>
                                                    <td class="num">{r.row}</td>
                                                    <td class="mono">{r.sku.clone().unwrap_or_default()}</td>
                                                    <td>
                                                        {r.problems
                                                            .iter()
                                                            .map(|p| {
                                                                view! {
                                                                    <div>
                                                                        <strong>{p.column.clone()}</strong>
                                                                        ": "
                                                                        {p.message.clone()}
                                                                        {p.hint.clone().map(|h| view! { <span class="muted">{format!(" ({h})")}</span> })}
                                                                    </div>
                                                                }
                                                            })
                                                            .collect_view()}
                                                    </td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                })}
            {(!check.ignored_columns.is_empty())
                .then(|| {
                    view! {
                        <p class="small muted">
                            {l.pick("Не будут загружены колонки: ", "Columns that will not be loaded: ")}
                            {check.ignored_columns.join(", ")}
                        </p>
                    }
                })}
        </div>
    }
}

/// Everything a column can be mapped to: ignore, each standard field, and each
/// attribute of the tree (by code, named in the UI language).
fn target_options(tree: Option<Tree>, l: Locale) -> Vec<(String, String)> {
    let mut out = vec![(
        ColumnTarget::Ignore.key(),
        l.pick("— не загружать —", "— ignore —").to_string(),
    )];
    out.extend(
        SkuField::ALL
            .into_iter()
            .map(|f| (ColumnTarget::Field(f).key(), f.label(l).to_string())),
    );
    if let Some(t) = tree {
        let mut seen = std::collections::BTreeSet::new();
        for c in t.index.categories() {
            for a in &c.attributes {
                if seen.insert(a.code.to_string()) {
                    out.push((
                        format!("attr:{}", a.code),
                        format!("{} (attr:{})", a.name(l), a.code),
                    ));
                }
            }
        }
    }
    out
}

/// An import's status, progress bar and counts, polled every second until it
/// finishes; then the first error rows and the error report link.
#[component]
pub fn ImportProgress(
    id: String,
    #[prop(optional)] on_finished: Option<Callback<()>>,
) -> impl IntoView {
    let tick = RwSignal::new(0_u32);
    let import = {
        let id = id.clone();
        let scope = RequestScope::capture();
        Resource::new(
            move || tick.get(),
            move |_| scope.run(get_import(id.clone())),
        )
    };
    let announced = StoredValue::new(false);
    Effect::new(move |_| {
        if let Some(Ok(v)) = import.get() {
            if v.status.is_finished() {
                if !announced.get_value() {
                    announced.set_value(true);
                    if let Some(cb) = on_finished {
                        cb.run(());
                    }
                }
            } else {
                set_timeout(
                    move || tick.update(|t| *t += 1),
                    std::time::Duration::from_secs(1),
                );
            }
        }
    });
    view! {
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match import.await {
                    Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                    Ok(v) => view! { <ImportSummary import=v /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ImportSummary(import: ImportView) -> impl IntoView {
    let l = use_locale();
    let v = import;
    let pct = v.progress_percent;
    let running = !v.status.is_finished();
    let c = v.counts;
    let id = v.id.to_string();
    let report = format!("/seller/imports/{id}/errors.csv");
    let count = |label: &'static str, key: &'static str, n: u64| {
        view! {
            <div class="stat-card">
                <div class="stat-label">{label}</div>
                <div class="stat-value" data-testid=format!("count-{key}")>{n}</div>
            </div>
        }
    };
    let stage = match (v.status.is_finished(), v.phase) {
        (true, _) => String::new(),
        (false, domain::imports::ImportPhase::Validate) => {
            l.pick("проверка файла", "checking the file").to_string()
        }
        (false, domain::imports::ImportPhase::Apply) => {
            l.pick("загрузка строк", "applying rows").to_string()
        }
    };
    view! {
        <div class="stack" data-testid="import-summary" data-status=v.status.as_str()>
            <div class="row">
                <strong>{v.file_name.clone()}</strong>
                <span class="muted small">{size_text(v.size_bytes)}</span>
                <ImportStatusBadge status=v.status />
                <span class="muted small">{v.mode.label(l)}</span>
            </div>
            <div>
                <div class="progress-label">
                    <span>{stage}</span>
                    <span data-testid="import-percent">{format!("{pct}%")}</span>
                </div>
                <div
                    class="progress"
                    class:running=running
                    role="progressbar"
                    aria-valuenow=pct
                    aria-valuemin="0"
                    aria-valuemax="100"
                    aria-label=l.pick("Ход импорта", "Import progress")
                    data-testid="import-progress"
                >
                    <div class="progress-bar" style=format!("width:{pct}%")></div>
                </div>
            </div>
            <div class="stat-grid" data-testid="import-counts">
                {count(l.pick("Всего строк", "Rows"), "total", c.total)}
                {count(l.pick("Создано", "Created"), "created", c.created)}
                {count(l.pick("Обновлено", "Updated"), "updated", c.updated)}
                {count(l.pick("Без изменений", "Unchanged"), "unchanged", c.unchanged)}
                {count(l.pick("С ошибками", "Failed"), "failed", c.failed)}
            </div>
            {v.error_message.clone().map(|m| view! { <div class="alert alert-error" role="alert" data-testid="import-error">{m}</div> })}
            {(v.status.is_finished() && c.failed > 0)
                .then(|| {
                    view! {
                        <div class="row">
                            <a class="btn btn-secondary" href=report.clone() rel="external" download data-testid="error-report">
                                {l.pick("Скачать отчёт об ошибках (CSV)", "Download the error report (CSV)")}
                            </a>
                            <span class="small muted">
                                {l.pick(
                                    "Исправьте строки в этом файле и загрузите его снова.",
                                    "Fix the rows in that file and upload it again.",
                                )}
                            </span>
                        </div>
                        <ImportErrors id=id.clone() />
                    }
                })}
            <A href=format!("/seller/imports/{id}") attr:class="small">{l.pick("Подробнее об импорте", "Import details")}</A>
        </div>
    }
}

/// Rejected rows of an import with their cells, a page at a time.
#[component]
fn ImportErrors(id: String) -> impl IntoView {
    let l = use_locale();
    let (offset, set_offset) = signal(0_i64);
    let scope = RequestScope::capture();
    let errors = Resource::new(
        move || (id.clone(), offset.get()),
        move |(id, off)| scope.run(list_import_errors(id, off)),
    );
    view! {
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match errors.await {
                    Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                    Ok(page) if page.items.is_empty() => ().into_any(),
                    Ok(page) => {
                        let (off, lim, total) = (page.offset, page.limit, page.total);
                        view! {
                            <div class="table-wrap">
                                <table class="table" data-testid="import-errors">
                                    <thead>
                                        <tr>
                                            <th class="num">{l.pick("Строка", "Row")}</th>
                                            <th>{l.pick("Артикул", "SKU")}</th>
                                            <th>{l.pick("Ошибки", "Errors")}</th>
                                            <th>{l.pick("Данные строки", "Row data")}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {page
                                            .items
                                            .into_iter()
                                            .map(|e| {
                                                view! {
                                                    <tr data-row=e.row.row>
                                                        <td class="num">{e.row.row}</td>
                                                        <td class="mono">{e.row.sku.clone().unwrap_or_default()}</td>
                                                        <td>
                                                            {e.row
                                                                .problems
                                                                .iter()
                                                                .map(|p| {
                                                                    view! {
                                                                        <div>
                                                                            <strong>{p.column.clone()}</strong>
                                                                            ": "
                                                                            {p.message.clone()}
                                                                            {p.hint.clone().map(|h| view! { <span class="muted">{format!(" ({h})")}</span> })}
                                                                        </div>
                                                                    }
                                                                })
                                                                .collect_view()}
                                                        </td>
                                                        <td class="small muted mono">{e.cells.join(" | ")}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            {(total > lim).then(|| view! {
                                <Pager offset=off limit=lim total=total on_page=Callback::new(move |o| set_offset.set(o)) />
                            })}
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// A CSV template per category, with its attribute columns.
#[component]
fn TemplateCard(tree: RwSignal<Option<Tree>>) -> impl IntoView {
    let l = use_locale();
    let (category, set_category) = signal(String::new());
    let href = move || {
        let c = category.get();
        let c = if c.is_empty() {
            "generic".to_string()
        } else {
            c
        };
        format!("/seller/templates/{c}.csv")
    };
    view! {
        <div class="card">
            <div class="card-header">
                <h2 class="card-title">{l.pick("Шаблон файла", "File template")}</h2>
            </div>
            <div class="card-body row">
                <label class="visually-hidden" for="template-category">{l.pick("Категория", "Category")}</label>
                <select id="template-category" data-testid="template-category" on:change=move |ev| set_category.set(event_target_value(&ev))>
                    <option value="">{l.pick("Общий шаблон (без характеристик)", "Generic template (no attributes)")}</option>
                    {move || {
                        tree.get()
                            .map(|t| {
                                t.leaves(l)
                                    .into_iter()
                                    .map(|(code, path)| view! { <option value=code>{path}</option> })
                                    .collect_view()
                            })
                    }}
                </select>
                <a class="btn btn-secondary" href=href rel="external" download data-testid="template-link">
                    {l.pick("Скачать шаблон CSV", "Download the CSV template")}
                </a>
            </div>
        </div>
    }
}

#[component]
fn HistoryCard(version: RwSignal<u32>) -> impl IntoView {
    let l = use_locale();
    let (offset, set_offset) = signal(0_i64);
    let scope = RequestScope::capture();
    let imports = Resource::new(
        move || (offset.get(), version.get()),
        move |(off, _)| scope.run(list_imports(off)),
    );
    view! {
        <div class="card">
            <div class="card-header">
                <h2 class="card-title">{l.pick("История импорта", "Import history")}</h2>
            </div>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match imports.await {
                        Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                        Ok(page) if page.items.is_empty() => {
                            view! { <div class="empty-state">{l.pick("Файлов ещё не загружали.", "No files uploaded yet.")}</div> }
                                .into_any()
                        }
                        Ok(page) => {
                            let (off, lim, total) = (page.offset, page.limit, page.total);
                            view! {
                                <div class="table-wrap">
                                    <table class="table" data-testid="imports-table">
                                        <thead>
                                            <tr>
                                                <th>{l.pick("Файл", "File")}</th>
                                                <th>{l.pick("Загружен", "Uploaded")}</th>
                                                <th>{l.pick("Статус", "Status")}</th>
                                                <th class="num">{l.pick("Строк", "Rows")}</th>
                                                <th class="num">{l.pick("Создано", "Created")}</th>
                                                <th class="num">{l.pick("Обновлено", "Updated")}</th>
                                                <th class="num">{l.pick("Без изменений", "Unchanged")}</th>
                                                <th class="num">{l.pick("С ошибками", "Failed")}</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {page
                                                .items
                                                .into_iter()
                                                .map(|v| {
                                                    let id = v.id.to_string();
                                                    view! {
                                                        <tr data-import=id.clone()>
                                                            <td>
                                                                <A href=format!("/seller/imports/{id}")>{v.file_name.clone()}</A>
                                                                <div class="small muted">{format!("{} · {}", size_text(v.size_bytes), v.mode.label(l))}</div>
                                                            </td>
                                                            <td class="nowrap small">{datetime(v.created_at_ms)}</td>
                                                            <td>
                                                                <ImportStatusBadge status=v.status />
                                                                {(!v.status.is_finished()).then(|| view! { <span class="small muted">{format!(" {}%", v.progress_percent)}</span> })}
                                                            </td>
                                                            <td class="num">{v.counts.total}</td>
                                                            <td class="num">{v.counts.created}</td>
                                                            <td class="num">{v.counts.updated}</td>
                                                            <td class="num">{v.counts.unchanged}</td>
                                                            <td class="num">{v.counts.failed}</td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <Pager offset=off limit=lim total=total on_page=Callback::new(move |o| set_offset.set(o)) />
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </div>
    }
}

/// One import: progress while it runs, then counts, error rows and the report.
#[component]
pub fn ImportDetailPage() -> impl IntoView {
    let l = use_locale();
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id")).unwrap_or_default();
    view! {
        <PageHeader title=l.pick("Импорт", "Import")>
            <A href="/seller/imports" attr:class="btn btn-secondary">{l.pick("← Все импорты", "← All imports")}</A>
        </PageHeader>
        <div class="page-body stack">
            <div class="card">
                <div class="card-body">
                    <ImportProgress id=id />
                </div>
            </div>
        </div>
    }
}
