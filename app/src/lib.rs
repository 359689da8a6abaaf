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
use leptos_meta::{provide_meta_context, Html, Link, Meta, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

/// The HTML document around the app (server side).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="ru">
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
    let session = Resource::new_blocking(|| (), |_| api::public::get_session::get_session());
    view! {
        <Stylesheet id="leptos" href="/pkg/bazaar.css" />
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg" />
        <Meta name="description" content="Bazaar — marketplace seller management" />
        <Title formatter=|text: String| format!("{text} · Bazaar") />
        <Router>
            <Suspense fallback=|| view! { <div class="loading-bar"></div> }>
                {move || Suspend::new(async move {
                    let info = session.await.unwrap_or_default();
                    let locale = info.locale;
                    provide_context(info);
                    view! {
                        <Html attr:lang=locale.code() attr:data-hydrated=hydrated_flag() />
                        <AppRoutes />
                    }
                })}
            </Suspense>
        </Router>
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
        <Routes fallback=|| view! { <public::errors::NotFound /> }>
            <Route path=path!("/") view=public::home::HomePage />
            <Route path=path!("/login") view=public::login::LoginPage />
            <Route path=path!("/signup") view=public::signup::SignupPage />
            <Route path=path!("/account") view=public::account::AccountPage />
            <ParentRoute path=path!("/seller") view=|| view! { <AreaLayout role=Role::Seller /> }>
                <Route path=path!("") view=seller::dashboard::SellerDashboard />
                <Route path=path!("api-keys") view=seller::api_keys::ApiKeysPage />
                <Route path=path!("team") view=seller::team::TeamPage />
            </ParentRoute>
            <ParentRoute path=path!("/moderation") view=|| view! { <AreaLayout role=Role::Moderator /> }>
                <Route path=path!("") view=moderation::dashboard::ModerationDashboard />
            </ParentRoute>
            <ParentRoute path=path!("/finance") view=|| view! { <AreaLayout role=Role::Finance /> }>
                <Route path=path!("") view=finance::dashboard::FinanceDashboard />
            </ParentRoute>
            <ParentRoute path=path!("/admin") view=|| view! { <AreaLayout role=Role::Admin /> }>
                <Route path=path!("") view=admin::dashboard::AdminDashboard />
                <Route path=path!("users") view=admin::users::UsersPage />
                <Route path=path!("sellers") view=admin::sellers::SellersPage />
                <Route path=path!("audit") view=admin::audit::AuditPage />
            </ParentRoute>
        </Routes>
    }
}
