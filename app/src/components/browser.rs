//! Browser-only file handling for the import screen: keeping the chosen file, reading
//! its first bytes for the pre-upload check, and uploading it with progress.
//!
//! Compiled only with `hydrate`; the server renders the same page without it.

use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{File, FormData, ProgressEvent, XmlHttpRequest};

thread_local! {
    /// The file the seller picked or dropped. `File` lives in the browser's heap and
    /// is not `Send`, so it stays here rather than in a signal.
    static CHOSEN: RefCell<Option<File>> = const { RefCell::new(None) };
}

/// Remembers `file` and returns its name and size.
pub fn choose(file: File) -> (String, u64) {
    let meta = (file.name(), file.size().max(0.0) as u64);
    CHOSEN.with(|c| *c.borrow_mut() = Some(file));
    meta
}

pub fn forget() {
    CHOSEN.with(|c| *c.borrow_mut() = None);
}

fn chosen() -> Option<File> {
    CHOSEN.with(|c| c.borrow().clone())
}

/// The first file of a file input's or a drop's list.
pub fn first_file(list: Option<web_sys::FileList>) -> Option<File> {
    list.and_then(|l| l.get(0))
}

/// Reads at most `max` bytes from the start of the chosen file; the flag says
/// whether that is the whole file.
pub async fn read_prefix(max: u64) -> Result<(Vec<u8>, bool), String> {
    let file = chosen().ok_or_else(|| "no file".to_string())?;
    let size = file.size().max(0.0) as u64;
    let end = size.min(max);
    let blob = file
        .slice_with_f64_and_f64(0.0, end as f64)
        .map_err(|e| format!("{e:?}"))?;
    let buffer = wasm_bindgen_futures::JsFuture::from(blob.array_buffer())
        .await
        .map_err(|e| format!("{e:?}"))?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    Ok((bytes, end >= size))
}

/// The answer's handler, taken by whichever of `load` and `error` fires first.
type Done = Rc<RefCell<Option<Box<dyn FnOnce(UploadOutcome)>>>>;

/// What the upload route answered.
pub enum UploadOutcome {
    /// The import's id.
    Queued(String),
    /// The route's error message for people (or a network failure's).
    Refused(String),
}

/// Sends the chosen file to the session upload route as `multipart/form-data`
/// (`mode`, optional `settings`, then `file`), calling `on_progress` with the share
/// sent (0–100) and `on_done` once with the answer.
pub fn upload(
    url: &str,
    mode: &str,
    settings: Option<String>,
    network_error: String,
    on_progress: impl Fn(u8) + 'static,
    on_done: impl FnOnce(UploadOutcome) + 'static,
) -> Result<(), String> {
    let file = chosen().ok_or_else(|| "no file".to_string())?;
    let js = |e: wasm_bindgen::JsValue| format!("{e:?}");
    let form = FormData::new().map_err(js)?;
    form.append_with_str("mode", mode).map_err(js)?;
    if let Some(s) = settings {
        form.append_with_str("settings", &s).map_err(js)?;
    }
    form.append_with_blob_and_filename("file", &file, &file.name())
        .map_err(js)?;
    let xhr = XmlHttpRequest::new().map_err(js)?;
    xhr.open("POST", url).map_err(js)?;
    xhr.set_request_header("Accept", "application/json")
        .map_err(js)?;

    let done: Done = Rc::new(RefCell::new(Some(Box::new(on_done))));
    let finish = {
        let done = done.clone();
        move |outcome: UploadOutcome| {
            if let Some(f) = done.borrow_mut().take() {
                f(outcome);
            }
        }
    };

    let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
        if e.length_computable() && e.total() > 0.0 {
            on_progress(((e.loaded() / e.total()) * 100.0).clamp(0.0, 100.0) as u8);
        }
    });
    if let Ok(u) = xhr.upload() {
        u.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }
    progress.forget();

    let load = {
        let xhr = xhr.clone();
        let finish = finish.clone();
        let network_error = network_error.clone();
        Closure::<dyn FnMut()>::new(move || {
            let status = xhr.status().unwrap_or(0);
            let body = xhr.response_text().ok().flatten().unwrap_or_default();
            let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            let outcome = if (200..300).contains(&status) {
                match json["id"].as_str() {
                    Some(id) => UploadOutcome::Queued(id.to_string()),
                    None => UploadOutcome::Refused(network_error.clone()),
                }
            } else {
                let err = &json["error"];
                let message = err["details"]["fields"][0]["message"]
                    .as_str()
                    .or_else(|| err["message"].as_str())
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("HTTP {status}"));
                UploadOutcome::Refused(message)
            };
            finish(outcome);
        })
    };
    xhr.set_onload(Some(load.as_ref().unchecked_ref()));
    load.forget();

    let error = Closure::<dyn FnMut()>::new(move || {
        finish(UploadOutcome::Refused(network_error.clone()));
    });
    xhr.set_onerror(Some(error.as_ref().unchecked_ref()));
    error.forget();

    xhr.send_with_opt_form_data(Some(&form)).map_err(js)?;
    Ok(())
}
