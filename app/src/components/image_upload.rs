//! The SKU page's image picker: choose or drop JPEG/PNG/WebP files, each is uploaded
//! to `POST /seller/images/upload` and its URL handed to the form; thumbnails and the
//! processing state (pending, ready, failed with the reason, near duplicate) of every
//! image URL of the SKU.

use crate::api::seller::list_image_states::{ImageStateView, list_image_states};
use crate::session::use_locale;
use leptos::prelude::*;

/// The image id of one of our own upload URLs (`.../media/<id>.jpg`).
fn upload_id(url: &str) -> Option<&str> {
    let (_, tail) = url.rsplit_once("/media/")?;
    let id = tail.strip_suffix(".jpg")?;
    (id.len() == 36 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-')).then_some(id)
}

#[component]
pub fn ImageUploader(
    /// The image URLs in the form, in order.
    #[prop(into)]
    urls: Signal<Vec<String>>,
    /// The stored SKU's code, to load the states of its images (none for a new SKU).
    seller_sku: Option<String>,
    /// Called with the URL of each uploaded image.
    on_uploaded: Callback<String>,
    disabled: bool,
) -> impl IntoView {
    let l = use_locale();
    let busy = RwSignal::new(0u32);
    let problem = RwSignal::new(None::<String>);
    let dragging = RwSignal::new(false);
    let states = Resource::new(
        move || seller_sku.clone(),
        |sku| async move {
            match sku {
                Some(sku) => list_image_states(sku).await.unwrap_or_default(),
                None => Vec::new(),
            }
        },
    );
    // Uploads happen in the browser only.
    #[cfg(not(feature = "hydrate"))]
    let _ = (on_uploaded, busy, problem);
    #[cfg(feature = "hydrate")]
    let take = move |list: Option<web_sys::FileList>| {
        let Some(list) = list else { return };
        problem.set(None);
        for i in 0..list.length() {
            let Some(file) = list.get(i) else { continue };
            busy.update(|n| *n += 1);
            let name = file.name();
            let done = move |result: Result<String, String>| {
                busy.update(|n| *n = n.saturating_sub(1));
                match result {
                    Ok(url) => on_uploaded.run(url),
                    Err(message) => problem.set(Some(format!("{name}: {message}"))),
                }
            };
            if let Err(e) = browser_upload::send(
                file,
                l.pick("Сеть недоступна", "Network error").to_string(),
                done,
            ) {
                busy.update(|n| *n = n.saturating_sub(1));
                problem.set(Some(e));
            }
        }
    };
    let row = move |url: String, known: Option<ImageStateView>| {
        let thumb = match (&known, upload_id(&url)) {
            (Some(s), _) if s.status == "ready" => Some(format!("/media/{}/thumb.jpg", s.id)),
            (None, Some(id)) => Some(format!("/media/{id}/thumb.jpg")),
            _ => None,
        };
        let (badge, text) = match &known {
            Some(s) if s.status == "failed" => {
                ("badge badge-error", s.error.clone().unwrap_or_default())
            }
            Some(s) if s.status == "pending" => (
                "badge badge-info",
                l.pick("Загружается", "Downloading").to_string(),
            ),
            Some(s) => (
                if s.duplicate_kind.is_some() {
                    "badge badge-warning"
                } else {
                    "badge badge-success"
                },
                match s.duplicate_kind.as_deref() {
                    Some("other_seller") => l
                        .pick(
                            "Похоже на фото другого продавца",
                            "Looks like another seller's photo",
                        )
                        .to_string(),
                    Some(_) => l
                        .pick(
                            "Похоже на ранее отклонённое фото",
                            "Looks like a photo rejected before",
                        )
                        .to_string(),
                    None => match (s.width, s.height) {
                        (Some(w), Some(h)) => format!("{w}×{h}"),
                        _ => String::new(),
                    },
                },
            ),
            None if thumb.is_some() => (
                "badge badge-success",
                l.pick("Загружено", "Uploaded").to_string(),
            ),
            None => (
                "badge",
                l.pick("Скачаем после сохранения", "Fetched after saving")
                    .to_string(),
            ),
        };
        view! {
            <li class="image-item" data-testid="image-item">
                {thumb.map(|src| view! { <img src=src alt="" width="72" height="72" loading="lazy" style="object-fit:contain" /> })}
                <span class="mono small">{url}</span>
                <span class=badge data-testid="image-status">{text}</span>
            </li>
        }
    };
    view! {
        <div class="stack" data-testid="image-uploader">
            <label
                for="image-files"
                class="dropzone"
                class:dragging=move || dragging.get()
                on:dragover=move |ev| {
                    ev.prevent_default();
                    dragging.set(true);
                }
                on:dragleave=move |_| dragging.set(false)
                on:drop=move |ev: leptos::ev::DragEvent| {
                    ev.prevent_default();
                    dragging.set(false);
                    #[cfg(feature = "hydrate")]
                    take(ev.data_transfer().and_then(|d| d.files()));
                }
            >
                <strong>{l.pick("Перетащите фото сюда", "Drop photos here")}</strong>
                <span>{l.pick("или нажмите, чтобы выбрать JPEG, PNG или WebP", "or click to choose JPEG, PNG or WebP files")}</span>
            </label>
            <input
                id="image-files"
                class="visually-hidden"
                type="file"
                multiple
                accept="image/jpeg,image/png,image/webp"
                data-testid="image-files"
                disabled=disabled
                on:change=move |_ev| {
                    #[cfg(feature = "hydrate")]
                    {
                        let input: web_sys::HtmlInputElement = event_target(&_ev);
                        take(input.files());
                        input.set_value("");
                    }
                }
            />
            {move || (busy.get() > 0).then(|| view! { <div class="muted" role="status">{l.pick("Загружаем…", "Uploading…")}</div> })}
            {move || problem.get().map(|m| view! { <div class="alert alert-error" role="alert" data-testid="image-upload-error">{m}</div> })}
            <ul class="image-list">
                {move || {
                    let known = states.get().unwrap_or_default();
                    urls.get()
                        .into_iter()
                        .map(|url| {
                            let state = known.iter().find(|s| s.url == url).cloned();
                            row(url, state)
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod browser_upload {
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::Closure;
    use web_sys::{File, FormData, XmlHttpRequest};

    type Done = Rc<RefCell<Option<Box<dyn FnOnce(Result<String, String>)>>>>;

    /// Sends one image to the cabinet's upload route; `done` gets its URL or the
    /// server's message.
    pub fn send(
        file: File,
        network_error: String,
        done: impl FnOnce(Result<String, String>) + 'static,
    ) -> Result<(), String> {
        let js = |e: wasm_bindgen::JsValue| format!("{e:?}");
        let form = FormData::new().map_err(js)?;
        form.append_with_blob_and_filename("file", &file, &file.name())
            .map_err(js)?;
        let xhr = XmlHttpRequest::new().map_err(js)?;
        xhr.open("POST", "/seller/images/upload").map_err(js)?;
        xhr.set_request_header("Accept", "application/json")
            .map_err(js)?;
        let done: Done = Rc::new(RefCell::new(Some(Box::new(done))));
        let finish = {
            let done = done.clone();
            move |r: Result<String, String>| {
                if let Some(f) = done.borrow_mut().take() {
                    f(r);
                }
            }
        };
        let load = {
            let xhr = xhr.clone();
            let finish = finish.clone();
            let network_error = network_error.clone();
            Closure::<dyn FnMut()>::new(move || {
                let status = xhr.status().unwrap_or(0);
                let body = xhr.response_text().ok().flatten().unwrap_or_default();
                let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                let result = if (200..300).contains(&status) {
                    json["url"]
                        .as_str()
                        .map(str::to_string)
                        .ok_or_else(|| network_error.clone())
                } else {
                    let err = &json["error"];
                    Err(err["details"]["fields"][0]["message"]
                        .as_str()
                        .or_else(|| err["message"].as_str())
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("HTTP {status}")))
                };
                finish(result);
            })
        };
        xhr.set_onload(Some(load.as_ref().unchecked_ref()));
        load.forget();
        let error = Closure::<dyn FnMut()>::new(move || finish(Err(network_error.clone())));
        xhr.set_onerror(Some(error.as_ref().unchecked_ref()));
        error.forget();
        xhr.send_with_opt_form_data(Some(&form)).map_err(js)?;
        Ok(())
    }
}
