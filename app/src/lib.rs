//! Bazaar's web UI: the seller cabinet, the moderation, finance and admin areas,
//! and the server functions behind them.
//!
//! Server functions are thin adapters (authorise, parse, call one use case in `db`,
//! map to a DTO); they live in `api/<area>/<verb>_<noun>.rs`. Pages live in
//! `pages/<area>/`. Everything renders on the server and hydrates in the browser.

#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod error;
pub mod i18n;
pub mod pages;
pub mod session;
#[cfg(feature = "ssr")]
pub mod ssr;

use crate::components::layout::AreaLayout;
use crate::pages::{admin, finance, moderation, public, seller};
use domain::accounts::Role;
use leptos::prelude::*;
use leptos_meta::{Html, Link, Meta, MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// The HTML document around the app (server side).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Known before anything renders, so the server-rendered HTML already has the
    // right language and navigation.
    provide_context(session::page_session());
    view! {
        <Stylesheet id="leptos" href="/pkg/bazaar.css" />
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg" />
        <Meta name="description" content="Bazaar — marketplace seller management" />
        <Title formatter=|text: String| format!("{text} · Bazaar") />
        <Router>
            <AppRoutes />
        </Router>
    }
}

/// Sets the document language and the hydration flag around a page.
#[component]
fn Gate(children: Children) -> impl IntoView {
    let locale = session::use_locale();
    view! {
        <Html attr:lang=locale.code() attr:data-hydrated=hydrated_flag() />
        {children()}
    }
}

/// "1" once the WebAssembly has taken over: browser tests wait for it before clicking.
fn hydrated_flag() -> impl Fn() -> &'static str + Send + Sync + Copy + 'static {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    move || if hydrated.get() { "1" } else { "0" }
}

#[component]
fn AppRoutes() -> impl IntoView {
    view! {
        <Routes fallback=|| view! { <Gate><public::errors::NotFound /></Gate> }>
            <Route path=path!("/") ssr=SsrMode::Async view=|| view! { <Gate><public::home::HomePage /></Gate> } />
            <Route path=path!("/login") ssr=SsrMode::Async view=|| view! { <Gate><public::login::LoginPage /></Gate> } />
            <Route path=path!("/signup") ssr=SsrMode::Async view=|| view! { <Gate><public::signup::SignupPage /></Gate> } />
            <Route path=path!("/account") ssr=SsrMode::Async view=|| view! { <Gate><public::account::AccountPage /></Gate> } />
            <ParentRoute path=path!("/seller") ssr=SsrMode::Async view=|| view! { <Gate><AreaLayout role=Role::Seller /></Gate> }>
                <Route path=path!("") ssr=SsrMode::Async view=seller::dashboard::SellerDashboard />
                <Route path=path!("api-keys") ssr=SsrMode::Async view=seller::api_keys::ApiKeysPage />
                <Route path=path!("finance") ssr=SsrMode::Async view=seller::finance::FinancePage />
                <Route path=path!("team") ssr=SsrMode::Async view=seller::team::TeamPage />
                <Route path=path!("catalog") ssr=SsrMode::Async view=seller::catalog::CatalogPage />
                <Route path=path!("catalog/new") ssr=SsrMode::Async view=seller::sku::NewSkuPage />
                <Route path=path!("catalog/:sku") ssr=SsrMode::Async view=seller::sku::SkuPage />
                <Route path=path!("imports") ssr=SsrMode::Async view=seller::imports::ImportsPage />
                <Route path=path!("imports/:id") ssr=SsrMode::Async view=seller::imports::ImportDetailPage />
                <Route path=path!("orders") ssr=SsrMode::Async view=seller::orders::OrdersPage />
                <Route path=path!("orders/:id") ssr=SsrMode::Async view=seller::shipment::ShipmentPage />
            </ParentRoute>
            <ParentRoute path=path!("/moderation") ssr=SsrMode::Async view=|| view! { <Gate><AreaLayout role=Role::Moderator /></Gate> }>
                <Route path=path!("") ssr=SsrMode::Async view=moderation::dashboard::ModerationDashboard />
                <Route path=path!("queue") ssr=SsrMode::Async view=moderation::queue::QueuePage />
                <Route path=path!("skus") ssr=SsrMode::Async view=moderation::skus::BlockPage />
            </ParentRoute>
            <ParentRoute path=path!("/finance") ssr=SsrMode::Async view=|| view! { <Gate><AreaLayout role=Role::Finance /></Gate> }>
                <Route path=path!("") ssr=SsrMode::Async view=finance::dashboard::FinanceDashboard />
                <Route path=path!("payouts") ssr=SsrMode::Async view=finance::batches::BatchesPage />
                <Route path=path!("payouts/:id") ssr=SsrMode::Async view=finance::batch::BatchPage />
                <Route path=path!("penalties") ssr=SsrMode::Async view=finance::penalties::PenaltiesPage />
                <Route path=path!("settings") ssr=SsrMode::Async view=finance::settings::PayoutSettingsPage />
                <Route path=path!("sellers") ssr=SsrMode::Async view=finance::sellers::SellerSettingsPage />
            </ParentRoute>
            <ParentRoute path=path!("/admin") ssr=SsrMode::Async view=|| view! { <Gate><AreaLayout role=Role::Admin /></Gate> }>
                <Route path=path!("") ssr=SsrMode::Async view=admin::dashboard::AdminDashboard />
                <Route path=path!("users") ssr=SsrMode::Async view=admin::users::UsersPage />
                <Route path=path!("sellers") ssr=SsrMode::Async view=admin::sellers::SellersPage />
                <Route path=path!("audit") ssr=SsrMode::Async view=admin::audit::AuditPage />
                <Route path=path!("categories") ssr=SsrMode::Async view=admin::categories::CategoriesPage />
                <Route path=path!("moderation") ssr=SsrMode::Async view=admin::moderation::ModerationListsPage />
                <Route path=path!("orders") ssr=SsrMode::Async view=admin::orders::AdminOrdersPage />
                <Route path=path!("orders/:id") ssr=SsrMode::Async view=admin::orders::AdminShipmentPage />
                <Route path=path!("channel-keys") ssr=SsrMode::Async view=admin::channel_keys::ChannelKeysPage />
            </ParentRoute>
        </Routes>
    }
}
