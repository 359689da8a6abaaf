//! The role-aware frame around every page of an area: top bar, side navigation and
//! the page. A user reaches only their own role's area; others get a 403 page.

use crate::api::public::logout::Logout;
use crate::api::public::set_locale::SetLocale;
use crate::pages::public::errors::Forbidden;
use crate::session::{CurrentUser, use_session};
use domain::Locale;
use domain::accounts::Role;
use leptos::prelude::*;
use leptos_router::components::{A, Outlet, Redirect};
use leptos_router::hooks::use_location;

/// One link of the side navigation.
struct NavItem {
    href: &'static str,
    icon: &'static str,
    ru: &'static str,
    en: &'static str,
}

const fn item(
    href: &'static str,
    icon: &'static str,
    ru: &'static str,
    en: &'static str,
) -> NavItem {
    NavItem { href, icon, ru, en }
}

const SELLER_NAV: &[NavItem] = &[
    item("/seller", "◧", "Главная", "Overview"),
    item("/seller/catalog", "▦", "Каталог", "Catalog"),
    item("/seller/orders", "☐", "Заказы", "Orders"),
    item("/seller/imports", "⇪", "Загрузка из CSV", "CSV imports"),
    item("/seller/finance", "₽", "Финансы", "Finance"),
    item("/seller/api-keys", "⚿", "API-ключи", "API keys"),
    item("/seller/team", "☺", "Команда", "Team"),
];
const MODERATION_NAV: &[NavItem] = &[
    item("/moderation", "◧", "Обзор", "Overview"),
    item("/moderation/queue", "☑", "Очередь", "Queue"),
    item("/moderation/skus", "⊘", "Блокировка", "Block listings"),
];
const FINANCE_NAV: &[NavItem] = &[
    item("/finance", "◧", "Обзор", "Overview"),
    item("/finance/payouts", "₽", "Выплаты", "Payouts"),
    item("/finance/penalties", "⚠", "Штрафы", "Penalties"),
    item("/finance/sellers", "▤", "Продавцы", "Sellers"),
    item(
        "/finance/settings",
        "⚙",
        "Настройки выплат",
        "Payout settings",
    ),
];
const ADMIN_NAV: &[NavItem] = &[
    item("/admin", "◧", "Обзор", "Overview"),
    item("/admin/sellers", "▤", "Продавцы", "Sellers"),
    item("/admin/orders", "☐", "Заказы", "Orders"),
    item("/admin/channel-keys", "⚿", "Ключи каналов", "Channel keys"),
    item("/admin/users", "☺", "Пользователи", "Users"),
    item("/admin/categories", "▦", "Категории", "Categories"),
    item(
        "/admin/moderation",
        "☑",
        "Правила модерации",
        "Moderation rules",
    ),
    item("/admin/audit", "☰", "Журнал действий", "Audit log"),
];

fn nav_items(role: Role) -> &'static [NavItem] {
    match role {
        Role::Seller => SELLER_NAV,
        Role::Moderator => MODERATION_NAV,
        Role::Finance => FINANCE_NAV,
        Role::Admin => ADMIN_NAV,
    }
}

fn area_name(role: Role, l: Locale) -> &'static str {
    match role {
        Role::Seller => l.pick("Кабинет продавца", "Seller cabinet"),
        Role::Moderator => l.pick("Модерация", "Moderation"),
        Role::Finance => l.pick("Финансы", "Finance"),
        Role::Admin => l.pick("Администрирование", "Administration"),
    }
}

/// Guards an area and draws its frame; the page goes into the `<Outlet/>`.
#[component]
pub fn AreaLayout(role: Role) -> impl IntoView {
    let session = use_session();
    let location = use_location();
    match session.user.clone() {
        None => {
            let next = location.pathname.get_untracked();
            let to = format!("/login?next={}", urlencode(&next));
            view! { <Redirect path=to /> }.into_any()
        }
        Some(user) if user.role != role => view! { <Forbidden /> }.into_any(),
        Some(user) => view! {
            <AppFrame user=user role=role>
                <Outlet />
            </AppFrame>
        }
        .into_any(),
    }
}

/// Percent-encodes a path for a query parameter.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[component]
fn AppFrame(user: CurrentUser, role: Role, children: Children) -> impl IntoView {
    let l = use_session().locale;
    let location = use_location();
    let links = nav_items(role)
        .iter()
        .map(|it| {
            let href = it.href;
            let current = move || {
                let p = location.pathname.get();
                let active = if href.matches('/').count() == 1 {
                    p == href
                } else {
                    p == href || p.starts_with(&format!("{href}/"))
                };
                active.then_some("page")
            };
            view! {
                <A href=href attr:class="nav-link" attr:aria-current=current>
                    <span class="nav-icon" aria-hidden="true">{it.icon}</span>
                    {l.pick(it.ru, it.en)}
                </A>
            }
        })
        .collect_view();
    view! {
        <a class="skip-link" href="#main">{l.pick("К содержимому", "Skip to content")}</a>
        <div class="app-shell">
            <TopBar user=user.clone() area=area_name(role, l) />
            <aside class="sidebar">
                <nav class="nav" aria-label=l.pick("Разделы", "Sections")>
                    <div class="nav-section">
                        <div class="nav-heading">{area_name(role, l)}</div>
                        {links}
                    </div>
                    <div class="nav-section">
                        <div class="nav-heading">{l.pick("Аккаунт", "Account")}</div>
                        <A href="/account" attr:class="nav-link">
                            <span class="nav-icon" aria-hidden="true">"⚙"</span>
                            {l.pick("Профиль и пароль", "Profile and password")}
                        </A>
                    </div>
                </nav>
            </aside>
            <main class="main" id="main">
                {children()}
            </main>
        </div>
    }
}

#[component]
pub fn TopBar(user: CurrentUser, area: &'static str) -> impl IntoView {
    let l = use_session().locale;
    let logout = ServerAction::<Logout>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = logout.value().get() {
            crate::components::ui::navigate_full("/login");
        }
    });
    let org = user.seller_name.clone();
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                "Bazaar"
                <span class="brand-sub">{area}</span>
            </a>
            <div class="topbar-spacer"></div>
            <LanguageSwitch />
            <div class="user-menu">
                <span class="user-email" title=org.clone().unwrap_or_default()>{user.email.clone()}</span>
                <span class="badge badge-neutral">{user.role.label(l)}</span>
                <ActionForm action=logout>
                    <button type="submit" class="btn-ghost btn-sm" data-testid="logout">
                        {l.pick("Выйти", "Log out")}
                    </button>
                </ActionForm>
            </div>
        </header>
    }
}

/// RU | EN switch; remembers the choice in a cookie and reloads the page.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let l = use_session().locale;
    let set = ServerAction::<SetLocale>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = set.value().get() {
            crate::components::ui::reload();
        }
    });
    let button = move |target: Locale, label: &'static str| {
        let current = l == target;
        view! {
            <ActionForm action=set>
                <input type="hidden" name="locale" value=target.code() />
                <button
                    type="submit"
                    class:active=current
                    aria-current=current.then_some("true")
                    data-testid=format!("lang-{}", target.code())
                    lang=target.code()
                >
                    {label}
                </button>
            </ActionForm>
        }
    };
    view! {
        <div class="lang-switch" role="group" aria-label=l.pick("Язык", "Language")>
            {button(Locale::Ru, "RU")}
            {button(Locale::En, "EN")}
        </div>
    }
}
