//! What every request handler can reach.

use crate::settings::Settings;
use app::ssr::ServerContext;
use axum::extract::FromRef;
use db::Db;
use leptos::config::LeptosOptions;
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub leptos: LeptosOptions,
    pub metrics: PrometheusHandle,
    /// Wakes the background workers when a job is enqueued in this process.
    pub jobs_notify: Arc<tokio::sync::Notify>,
}

impl AppState {
    pub fn server_context(&self) -> ServerContext {
        ServerContext {
            db: self.db.clone(),
            secure_cookies: self.settings.secure_cookies,
            session_ttl_ms: self.settings.session_ttl_hours * 3600 * 1000,
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}
