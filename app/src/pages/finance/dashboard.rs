//! The finance area's start page.

use crate::components::ui::PageHeader;
use crate::session::use_session;
use leptos::prelude::*;

#[component]
pub fn FinanceDashboard() -> impl IntoView {
    let s = use_session();
    let l = s.locale;
    let name = s.user.map(|u| u.display_name).unwrap_or_default();
    view! {
        <PageHeader title=l.pick("Финансы", "Finance") subtitle=name />
        <div class="page-body" data-testid="finance-home">
            <div class="empty-state">{l.pick("Выплат на проверке нет.", "No payouts awaiting review.")}</div>
        </div>
    }
}
