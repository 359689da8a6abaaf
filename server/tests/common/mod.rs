//! The real router in-process, with personas that speak in domain verbs.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use db::Db;
use http_body_util::BodyExt;
use server::settings::Settings;
use server::state::AppState;
use std::sync::Arc;
use tower::ServiceExt;

pub const HOST: &str = "bazaar.test";
pub const ORIGIN: &str = "http://bazaar.test";

#[derive(Clone)]
pub struct TestApp {
    pub router: Router,
    pub db: Db,
    pub state: AppState,
    /// Holds the blob folder of this app for as long as it lives.
    pub data_dir: Arc<tempfile::TempDir>,
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: bytes::Bytes,
}

impl TestResponse {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    /// The stable error code of an API or server-function error response.
    pub fn error_code(&self) -> String {
        let v = self.json();
        v["error"]["code"]
            .as_str()
            .or_else(|| v["code"].as_str())
            .unwrap_or_else(|| panic!("no error code in {v}"))
            .to_string()
    }
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .find_map(|v| {
                let v = v.to_str().ok()?;
                let (pair, _) = v.split_once(';').unwrap_or((v, ""));
                let (n, value) = pair.split_once('=')?;
                (n == name).then(|| value.to_string())
            })
    }
}

/// The payment webhook secret test apps are configured with.
pub const PAYMENT_SECRET: &str = "test-payment-secret";

pub fn test_settings() -> Settings {
    Settings {
        database_url: String::new(),
        addr: "127.0.0.1:0".parse().unwrap(),
        data_dir: std::env::temp_dir(),
        secure_cookies: false,
        session_ttl_hours: 1,
        demo: false,
        log_json: false,
        db_max_connections: 5,
        sqlite_cache_mb: 64,
        public_origin: None,
        workers: 1,
        blobs: db::blobs::BlobConfig::Local {
            root: std::env::temp_dir().join("bazaar-test-blobs"),
        },
        max_upload_bytes: 64 * 1024 * 1024,
        image_max_bytes: server::settings::DEFAULT_IMAGE_MAX_BYTES,
        fetch_allow_hosts: String::new(),
        public_url: ORIGIN.to_string(),
        moderation: domain::moderation::RulesConfig::default(),
        orders: db::orders::OrderRules::default(),
        payment_webhook_secret: Some(PAYMENT_SECRET.to_string()),
    }
}

impl TestApp {
    pub fn new(db: Db) -> TestApp {
        TestApp::with_settings(db, |_| {})
    }

    /// An app whose settings `change` adjusts (after the test defaults are set).
    pub fn with_settings(db: Db, change: impl FnOnce(&mut Settings)) -> TestApp {
        let leptos = leptos::config::LeptosOptions::builder()
            .output_name("bazaar")
            .site_root("target/site")
            .build();
        let dir = tempfile::tempdir().unwrap();
        let mut settings = test_settings();
        settings.data_dir = dir.path().to_path_buf();
        settings.blobs = db::blobs::BlobConfig::Local {
            root: dir.path().join("blobs"),
        };
        change(&mut settings);
        let state =
            AppState::new(db.clone(), settings, leptos, server::telemetry::metrics()).unwrap();
        TestApp {
            router: server::http::router(state.clone()),
            db,
            state,
            data_dir: Arc::new(dir),
        }
    }

    pub async fn send(&self, req: Request<Body>) -> TestResponse {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        TestResponse {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> TestResponse {
        let mut b = Request::get(path)
            .header(header::HOST, HOST)
            .header(header::ACCEPT, "text/html");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, format!("bazaar_session={c}"));
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    /// Calls a server function the way the hydrated app does (form-encoded POST from
    /// our own origin, JSON back).
    pub async fn rpc(
        &self,
        name: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> TestResponse {
        let body = form_encode(form);
        let mut b = Request::post(format!("/rpc/{name}"))
            .header(header::HOST, HOST)
            .header(header::ORIGIN, ORIGIN)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, format!("bazaar_session={c}"));
        }
        self.send(b.body(Body::from(body)).unwrap()).await
    }

    /// Logs in through the login server function; returns the session cookie value.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let res = self
            .rpc("login", &[("email", email), ("password", password)], None)
            .await;
        assert_eq!(res.status, StatusCode::OK, "login failed: {}", res.text());
        res.cookie("bazaar_session").expect("session cookie")
    }

    pub async fn api(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> TestResponse {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, HOST);
        if let Some(k) = key {
            b = b.header(header::AUTHORIZATION, format!("Bearer {k}"));
        }
        let body = match body {
            Some(v) => {
                b = b.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        self.send(b.body(body).unwrap()).await
    }
}

pub fn form_encode(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A `multipart/form-data` body: `(name, file name, bytes)` per field.
pub fn multipart(fields: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "bazaar-test-boundary-7d1f";
    let mut body = Vec::new();
    for (name, file_name, bytes) in fields {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file_name {
            Some(f) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: text/csv\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl TestApp {
    /// A request with any body and headers (API key and/or session cookie).
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        cookie: Option<&str>,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> TestResponse {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, HOST);
        if let Some(k) = key {
            b = b.header(header::AUTHORIZATION, format!("Bearer {k}"));
        }
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, format!("bazaar_session={c}"));
        }
        for (name, value) in headers {
            b = b.header(*name, *value);
        }
        self.send(b.body(Body::from(body)).unwrap()).await
    }

    /// Uploads a CSV through the API (raw `text/csv` body).
    pub async fn api_upload(&self, key: &str, query: &str, csv: &[u8]) -> TestResponse {
        self.raw(
            Method::POST,
            &format!("/api/v1/imports{query}"),
            Some(key),
            None,
            &[("content-type", "text/csv")],
            csv.to_vec(),
        )
        .await
    }

    /// Uploads a CSV from the cabinet (session cookie, our origin, multipart).
    pub async fn cabinet_upload(
        &self,
        cookie: &str,
        mode: Option<&str>,
        csv: &[u8],
    ) -> TestResponse {
        let mut fields: Vec<(&str, Option<&str>, &[u8])> = Vec::new();
        if let Some(m) = mode {
            fields.push(("mode", None, m.as_bytes()));
        }
        fields.push(("file", Some("прайс.csv"), csv));
        let (content_type, body) = multipart(&fields);
        self.raw(
            Method::POST,
            "/seller/imports/upload",
            None,
            Some(cookie),
            &[("content-type", &content_type), ("origin", ORIGIN)],
            body,
        )
        .await
    }

    /// Runs queued background jobs until none is left (what the workers do).
    pub async fn run_jobs(&self) {
        let worker = "test-worker";
        for _ in 0..10_000 {
            let Some(job) = db::jobs::claim(&self.db, worker, server::workers::KINDS, 60_000)
                .await
                .unwrap()
            else {
                return;
            };
            match server::workers::run_job(&self.state, worker, &job).await {
                Ok(server::workers::Outcome::Done) => {
                    db::jobs::complete(&self.db, job.id, worker).await.unwrap();
                }
                Ok(server::workers::Outcome::Yielded) => {}
                // Retried at once (no backoff in tests) until its attempts run out.
                Err(message) => db::jobs::fail(&self.db, &job, worker, &message, 0)
                    .await
                    .unwrap(),
            }
        }
        panic!("background jobs never finished");
    }

    /// A seller API key for the logged-in session `cookie`.
    pub async fn api_key(&self, cookie: &str) -> String {
        self.rpc("create_api_key", &[("name", "ERP")], Some(cookie))
            .await
            .json()["secret"]
            .as_str()
            .unwrap()
            .to_string()
    }
}
