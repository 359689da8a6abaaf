//! What every request handler can reach.

use crate::settings::Settings;
use app::ssr::ServerContext;
use axum::extract::FromRef;
use db::Db;
use db::blobs::BlobStore;
use db::imports::{ImportRunner, RunnerOptions};
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
    /// Uploaded files.
    pub blobs: BlobStore,
    /// Runs import jobs; one per process, so an import paused between turns resumes
    /// without re-reading its file.
    pub imports: Arc<ImportRunner>,
    /// Fetches sellers' image URLs under the SSRF policy.
    pub images: Arc<crate::images::ImageFetcher>,
    /// Lets concurrent payment-webhook captures share settlement transactions.
    pub captures: db::orders::capture_batch::CaptureBatcher,
}

impl AppState {
    /// The state of one process: opens the blob store the settings name.
    pub fn new(
        db: Db,
        settings: Settings,
        leptos: LeptosOptions,
        metrics: PrometheusHandle,
    ) -> anyhow::Result<AppState> {
        let blobs = BlobStore::open(&settings.blobs)
            .map_err(|e| anyhow::anyhow!("cannot open the blob store: {e}"))?;
        tracing::info!(store = blobs.describe(), "blob store ready");
        let imports = Arc::new(ImportRunner::new(
            blobs.clone(),
            RunnerOptions {
                lease_ms: crate::workers::LEASE_MS,
                ..RunnerOptions::default()
            },
        ));
        let images = Arc::new(crate::images::ImageFetcher::new(&settings)?);
        Ok(AppState {
            images,
            captures: db::orders::capture_batch::CaptureBatcher::new(db.clone()),
            db,
            settings: Arc::new(settings),
            leptos,
            metrics,
            jobs_notify: Arc::new(tokio::sync::Notify::new()),
            blobs,
            imports,
        })
    }

    /// Wakes idle workers after a job was enqueued.
    pub fn wake_workers(&self) {
        self.jobs_notify.notify_waiters();
    }

    pub fn server_context(&self) -> ServerContext {
        ServerContext {
            db: self.db.clone(),
            secure_cookies: self.settings.secure_cookies,
            session_ttl_ms: self.settings.session_ttl_hours * 3600 * 1000,
            moderation: self.settings.moderation,
            orders: self.settings.orders,
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}
