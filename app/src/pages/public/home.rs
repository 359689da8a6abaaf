//! `/`: sends a logged-in user to their area and everyone else to the login page.

use crate::session::use_session;
use leptos::prelude::*;
use leptos_router::components::Redirect;

#[component]
pub fn HomePage() -> impl IntoView {
    let target = match use_session().user {
        Some(u) => u.role.home_path(),
        None => "/login",
    };
    view! { <Redirect path=target /> }
}
