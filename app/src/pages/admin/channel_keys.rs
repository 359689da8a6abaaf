//! Storefront channels' API keys: create (the key is shown once), list, revoke.

use crate::api::admin::create_channel_key::CreateChannelKey;
use crate::api::admin::list_channel_keys::list_channel_keys;
use crate::api::admin::revoke_channel_key::RevokeChannelKey;
use crate::components::scope::RequestScope;
use crate::components::ui::{ActionError, ErrorAlert, Field, Loading, PageHeader, action_error};
use crate::i18n::datetime;
use crate::session::use_locale;
use leptos::prelude::*;

#[component]
pub fn ChannelKeysPage() -> impl IntoView {
    let l = use_locale();
    let create = ServerAction::<CreateChannelKey>::new();
    let revoke = ServerAction::<RevokeChannelKey>::new();
    let scope = RequestScope::capture();
    let keys = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        move |_| scope.run(list_channel_keys()),
    );
    let create_error = action_error(create);
    let revoke_error = action_error(revoke);
    view! {
        <PageHeader
            title=l.pick("Ключи каналов продаж", "Channel keys")
            subtitle=l.pick(
                "Ключ витрины (bzc_…) позволяет передавать заказы, отменять их и сообщать события доставки — и больше ничего.",
                "A storefront's key (bzc_…) may push orders, cancel them and report carrier events, and nothing else.",
            )
        />
        <div class="page-body stack">
            <div class="card">
                <div class="card-header">
                    <h2 class="card-title">{l.pick("Новый ключ", "New key")}</h2>
                </div>
                <div class="card-body">
                    <ActionForm action=create attr:class="form" attr:data-testid="create-channel-key-form">
                        <ActionError error=create_error />
                        <Field
                            label=l.pick("Название", "Name")
                            name="name"
                            required=true
                            placeholder=l.pick("Например, интернет-магазин", "e.g. the web shop")
                            error=create_error
                        />
                        <div class="form-actions">
                            <button
                                type="submit"
                                class="btn btn-primary"
                                data-testid="create-channel-key"
                                disabled=move || create.pending().get()
                            >
                                {l.pick("Создать ключ", "Create key")}
                            </button>
                        </div>
                    </ActionForm>
                    {move || {
                        create
                            .value()
                            .get()
                            .and_then(|r| r.ok())
                            .map(|created| {
                                view! {
                                    <div class="secret-once" data-testid="new-channel-key">
                                        <code>{created.secret}</code>
                                        <p>
                                            {l.pick(
                                                "Скопируйте ключ сейчас: больше он показан не будет. Мы храним только его хеш.",
                                                "Copy the key now: it will not be shown again. We store only its hash.",
                                            )}
                                        </p>
                                    </div>
                                }
                            })
                    }}
                </div>
            </div>
            <div data-testid="action-error">
                <ActionError error=revoke_error />
            </div>
            <div class="card">
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        match keys.await {
                            Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
                            Ok(list) if list.is_empty() => {
                                view! {
                                    <div class="empty-state">{l.pick("Ключей пока нет.", "No keys yet.")}</div>
                                }
                                    .into_any()
                            }
                            Ok(list) => {
                                view! {
                                    <div class="table-wrap">
                                        <table class="table" data-testid="channel-keys-table">
                                            <thead>
                                                <tr>
                                                    <th>{l.pick("Название", "Name")}</th>
                                                    <th>{l.pick("Начало ключа", "Key starts with")}</th>
                                                    <th>{l.pick("Создан", "Created")}</th>
                                                    <th>{l.pick("Использован", "Last used")}</th>
                                                    <th>{l.pick("Статус", "Status")}</th>
                                                    <th></th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {list
                                                    .into_iter()
                                                    .map(|k| {
                                                        let revoked = k.revoked_at.is_some();
                                                        let row_id = k.id.clone();
                                                        view! {
                                                            <tr data-testid="channel-key-row" data-id=row_id>
                                                                <td>{k.name.clone()}</td>
                                                                <td class="mono">{format!("{}…", k.prefix)}</td>
                                                                <td class="nowrap">{datetime(k.created_at)}</td>
                                                                <td class="nowrap muted">
                                                                    {k.last_used_at.map(datetime).unwrap_or_else(|| "—".into())}
                                                                </td>
                                                                <td>
                                                                    {if revoked {
                                                                        view! { <span class="badge badge-neutral" data-testid="channel-key-status">{l.pick("Отозван", "Revoked")}</span> }
                                                                    } else {
                                                                        view! { <span class="badge badge-success" data-testid="channel-key-status">{l.pick("Активен", "Active")}</span> }
                                                                    }}
                                                                </td>
                                                                <td class="text-right">
                                                                    {(!revoked)
                                                                        .then(|| {
                                                                            view! {
                                                                                <ActionForm action=revoke>
                                                                                    <input type="hidden" name="id" value=k.id.clone() />
                                                                                    <button type="submit" class="btn btn-danger btn-sm" data-testid="revoke-channel-key">
                                                                                        {l.pick("Отозвать", "Revoke")}
                                                                                    </button>
                                                                                </ActionForm>
                                                                            }
                                                                        })}
                                                                </td>
                                                            </tr>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                }
                                    .into_any()
                            }
                        }
                    })}
                </Transition>
            </div>
        </div>
    }
}
