//! The moderation area's start page.

use crate::components::ui::PageHeader;
use crate::session::use_session;
use leptos::prelude::*;

#[component]
pub fn ModerationDashboard() -> impl IntoView {
    let s = use_session();
    let l = s.locale;
    let name = s.user.map(|u| u.display_name).unwrap_or_default();
    view! {
        <PageHeader title=l.pick("Модерация", "Moderation") subtitle=name />
        <div class="page-body" data-testid="moderation-home">
            <div class="empty-state">{l.pick("Очередь модерации пуста.", "The moderation queue is empty.")}</div>
        </div>
    }
}
