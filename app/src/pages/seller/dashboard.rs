//! The seller cabinet's start page.

use crate::components::ui::PageHeader;
use crate::session::use_session;
use domain::accounts::SellerStatus;
use leptos::prelude::*;

#[component]
pub fn SellerDashboard() -> impl IntoView {
    let s = use_session();
    let l = s.locale;
    let user = s.user.clone();
    let org = user
        .as_ref()
        .and_then(|u| u.seller_name.clone())
        .unwrap_or_default();
    let status = user.as_ref().and_then(|u| u.seller_status);
    view! {
        <PageHeader title=l.pick("Кабинет продавца", "Seller cabinet") subtitle=org />
        <div class="page-body stack" data-testid="seller-home">
            {match status {
                Some(SellerStatus::PendingVerification) => {
                    Some(
                        view! {
                            <div class="alert alert-warning" data-testid="pending-banner">
                                <div class="alert-title">
                                    {l.pick("Организация на проверке", "Your organisation is being verified")}
                                </div>
                                {l.pick(
                                    "Администратор маркетплейса проверит данные организации. Пока можно загружать каталог: товары пройдут модерацию после проверки.",
                                    "A marketplace administrator will verify your organisation. Meanwhile you can upload your catalog.",
                                )}
                            </div>
                        },
                    )
                }
                Some(SellerStatus::Suspended) => {
                    Some(
                        view! {
                            <div class="alert alert-error" data-testid="suspended-banner">
                                <div class="alert-title">
                                    {l.pick("Аккаунт приостановлен", "Your account is suspended")}
                                </div>
                                {l.pick(
                                    "Просмотр данных доступен, изменения каталога — нет. Свяжитесь с поддержкой маркетплейса.",
                                    "You can read your data but not change listings. Contact marketplace support.",
                                )}
                            </div>
                        },
                    )
                }
                _ => None,
            }}
            <div class="grid-3">
                <a class="card" href="/seller/api-keys">
                    <div class="card-body">
                        <div class="card-title">{l.pick("API-ключи", "API keys")}</div>
                        <p class="muted">
                            {l.pick(
                                "Подключите свою учётную систему к REST API Bazaar.",
                                "Connect your own system to the Bazaar REST API.",
                            )}
                        </p>
                    </div>
                </a>
                <a class="card" href="/seller/team">
                    <div class="card-body">
                        <div class="card-title">{l.pick("Команда", "Team")}</div>
                        <p class="muted">
                            {l.pick(
                                "Менеджеры и бухгалтеры вашей организации.",
                                "Managers and accountants of your organisation.",
                            )}
                        </p>
                    </div>
                </a>
                <a class="card" href="/api/v1/docs">
                    <div class="card-body">
                        <div class="card-title">{l.pick("Документация API", "API documentation")}</div>
                        <p class="muted">
                            {l.pick("Описание методов и форматов.", "Endpoints and formats.")}
                        </p>
                    </div>
                </a>
            </div>
        </div>
    }
}
