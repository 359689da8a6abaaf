//! The admin area's start page: what needs attention.

use crate::api::admin::get_admin_overview::get_admin_overview;
use crate::components::scope::RequestScope;
use crate::components::ui::{ErrorAlert, Loading, PageHeader};
use crate::session::use_locale;
use leptos::prelude::*;

#[component]
pub fn AdminDashboard() -> impl IntoView {
    let l = use_locale();
    let scope = RequestScope::capture();
    let overview = Resource::new(|| (), move |_| scope.run(get_admin_overview()));
    view! {
        <PageHeader title=l.pick("Администрирование", "Administration") />
        <div class="page-body" data-testid="admin-home">
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                        Ok(o) => {
                            let pending = o.sellers_pending > 0;
                            let suspended = o.sellers_suspended > 0;
                            let failed = o.jobs_failed > 0;
                            view! {
                                <div class="stat-grid">
                                    <a class="stat-card" href="/admin/sellers">
                                        <div class="stat-label">{l.pick("Продавцов", "Sellers")}</div>
                                        <div class="stat-value">{o.sellers_total}</div>
                                    </a>
                                    <a
                                        class="stat-card"
                                        class:warning=pending
                                        href="/admin/sellers?status=pending_verification"
                                    >
                                        <div class="stat-label">{l.pick("Ждут проверки", "Awaiting verification")}</div>
                                        <div class="stat-value" data-testid="pending-count">{o.sellers_pending}</div>
                                    </a>
                                    <div class="stat-card" class:danger=suspended>
                                        <div class="stat-label">{l.pick("Приостановлены", "Suspended")}</div>
                                        <div class="stat-value">{o.sellers_suspended}</div>
                                    </div>
                                    <a class="stat-card" href="/admin/users">
                                        <div class="stat-label">{l.pick("Пользователей", "Users")}</div>
                                        <div class="stat-value">{o.users_total}</div>
                                    </a>
                                    <div class="stat-card" class:danger=failed>
                                        <div class="stat-label">{l.pick("Сбойных фоновых задач", "Failed background jobs")}</div>
                                        <div class="stat-value">{o.jobs_failed}</div>
                                    </div>
                                </div>
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </div>
    }
}
