//! The HTTP server: routes, middleware and start-up.

pub mod cabinet;
pub mod finance;
mod health;
pub mod middleware;

use crate::settings::Settings;
use crate::state::AppState;
use anyhow::Context;
use app::{App, shell};
use axum::Router;
use leptos::config::get_configuration;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::net::SocketAddr;

/// Builds the whole application router over `state`.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let ctx = state.server_context();
    let context = move || provide_context(ctx.clone());
    let shell_options = state.leptos.clone();
    let ui = Router::new()
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(shell_options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::page_session,
        ));
    Router::new()
        .merge(health::router())
        .nest("/api/v1", crate::api::router())
        .merge(cabinet::router())
        .merge(finance::router())
        .merge(crate::images::media_router())
        .merge(ui)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::csrf,
        ))
        .layer(axum::middleware::from_fn(middleware::rpc_error_status))
        .layer(axum::middleware::from_fn(middleware::security_headers))
        .layer(axum::middleware::from_fn(middleware::observe))
        .layer(middleware::request_id_layers())
        .with_state(state)
}

/// Connects to the database, seeds demo data on an empty one, starts the workers
/// and serves until SIGINT/SIGTERM.
pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let db = crate::cli::connect(&settings).await?;
    tracing::info!(engine = db.engine().name(), "database ready");
    let conf = get_configuration(None).context("reading Leptos configuration")?;
    let mut leptos = conf.leptos_options;
    leptos.site_addr = settings.addr;
    // Operators run the binary directly: without LEPTOS_ENV it is production (no
    // live-reload script in the pages).
    if std::env::var("LEPTOS_ENV").is_err() {
        leptos.env = leptos::config::Env::PROD;
    }
    let state = AppState::new(db, settings.clone(), leptos, crate::telemetry::metrics())?;
    if settings.demo
        && db::demo::seed(&state.db)
            .await
            .context("creating demo data failed")?
    {
        // The demo catalog's price list goes through the real upload and import.
        db::demo_catalog::seed(&state.db, &state.blobs)
            .await
            .context("creating the demo catalog failed")?;
        // Its images go through the real pipeline, then the demo moderator works.
        crate::demo_images::seed(&state)
            .await
            .context("creating the demo images failed")?;
        db::demo_catalog::moderate(&state.db, &settings.moderation)
            .await
            .context("demo moderation failed")?;
        // Orders in every state, held and available money, a payout batch to review.
        db::demo_orders::seed(&state.db, &settings.orders)
            .await
            .context("creating the demo orders failed")?;
        announce_demo_accounts(&settings);
    }
    let shutdown = tokio_util::sync::CancellationToken::new();
    let workers = crate::workers::spawn(state.clone(), shutdown.clone());
    let app = router(state);
    let listener = tokio::net::TcpListener::bind(settings.addr)
        .await
        .with_context(|| format!("cannot listen on {}", settings.addr))?;
    tracing::info!("Bazaar is serving on http://{}", settings.addr);
    let stop = shutdown.clone();
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        stop.cancel();
    })
    .await
    .context("server failed")?;
    shutdown.cancel();
    for w in workers {
        let _ = w.await;
    }
    tracing::info!("Bazaar stopped");
    Ok(())
}

fn announce_demo_accounts(settings: &Settings) {
    tracing::info!("demo marketplace created (set BAZAAR_DEMO=0 to start empty)");
    crate::cli::say("");
    crate::cli::say("  Demo accounts (password for all: bazaar-demo):");
    for a in db::demo::DEMO_ACCOUNTS {
        crate::cli::say(&format!("    {:<26} {}", a.email, a.what));
    }
    crate::cli::say(&format!("  Open http://{}/ and log in.", settings.addr));
    crate::cli::say("");
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
