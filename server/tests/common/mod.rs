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
        public_origin: None,
        workers: 1,
    }
}

impl TestApp {
    pub fn new(db: Db) -> TestApp {
        let leptos = leptos::config::LeptosOptions::builder()
            .output_name("bazaar")
            .site_root("target/site")
            .build();
        let state = AppState {
            db: db.clone(),
            settings: Arc::new(test_settings()),
            leptos,
            metrics: server::telemetry::metrics(),
            jobs_notify: Arc::new(tokio::sync::Notify::new()),
        };
        TestApp {
            router: server::http::router(state.clone()),
            db,
            state,
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
