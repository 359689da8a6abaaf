//! Storefront channels' API keys: a key kind of their own (`bzc_...`), created by
//! admins or from the command line, that may push orders, cancel them and report
//! carrier events, and nothing else.

use crate::auth::{Actor, ActorKind, AdminCtx, random_token, token_hash};
use crate::util::{new_uuid, now_ms};
use crate::{Db, Error, Result, audit};
use domain::ids::ChannelId;
use domain::orders::ChannelKeyView;

pub const CHANNEL_KEY_PREFIX: &str = "bzc_";
const TOUCH_INTERVAL_MS: i64 = 60_000;

/// Acting as a storefront channel (a `bzc_` key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelCtx {
    key_id: String,
    name: String,
    actor: Actor,
}

impl ChannelCtx {
    pub fn key_id(&self) -> &str {
        &self.key_id
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn actor(&self) -> &Actor {
        &self.actor
    }
}

fn check_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::field(
            "name",
            "required",
            "Give the channel key a name, e.g. the storefront that will use it",
        ));
    }
    if name.chars().count() > 100 {
        return Err(Error::field(
            "name",
            "too_long",
            "Channel key name is too long (100 characters at most)",
        ));
    }
    Ok(name)
}

/// Creates a channel key; returns its view and the key itself (shown once).
/// `admin` is `None` when run from the command line.
pub async fn create_channel_key(
    db: &Db,
    admin: Option<&AdminCtx>,
    name: &str,
) -> Result<(ChannelKeyView, String)> {
    let name = check_name(name)?;
    let key = format!("{CHANNEL_KEY_PREFIX}{}", random_token());
    let prefix: String = key.chars().take(CHANNEL_KEY_PREFIX.len() + 6).collect();
    let id = ChannelId::from_uuid(new_uuid()).to_string();
    let now = now_ms();
    let actor = admin.map_or_else(Actor::system, |a| a.actor().clone());
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO channel_keys (id, name, prefix, key_hash, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(name)
    .bind(&prefix)
    .bind(token_hash(&key))
    .bind(admin.map(|a| a.user_id().to_string()))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        &actor,
        "channel_key.created",
        "channel_key",
        &id,
        None,
        serde_json::json!({ "name": name, "prefix": prefix }),
    )
    .await?;
    tx.commit().await?;
    Ok((
        ChannelKeyView {
            id,
            name: name.to_string(),
            prefix,
            created_at: now,
            last_used_at: None,
            revoked_at: None,
        },
        key,
    ))
}

type KeyRow = (String, String, String, i64, Option<i64>, Option<i64>);

fn view(row: KeyRow) -> ChannelKeyView {
    let (id, name, prefix, created_at, last_used_at, revoked_at) = row;
    ChannelKeyView {
        id,
        name,
        prefix,
        created_at,
        last_used_at,
        revoked_at,
    }
}

/// All channel keys, newest first.
pub async fn list_channel_keys(db: &Db, _admin: &AdminCtx) -> Result<Vec<ChannelKeyView>> {
    let rows: Vec<KeyRow> = sqlx::query_as(
        "SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM channel_keys \
         ORDER BY created_at DESC, id DESC",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(view).collect())
}

/// Revokes a channel key at once (its next request is refused).
pub async fn revoke_channel_key(db: &Db, admin: &AdminCtx, id: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    let done =
        sqlx::query("UPDATE channel_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
            .bind(id)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound("channel key"));
    }
    audit::record(
        &mut tx,
        admin.actor(),
        "channel_key.revoked",
        "channel_key",
        id,
        None,
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The channel a key belongs to, or `None` for an unknown or revoked key.
pub async fn channel_for_key(db: &Db, key: &str) -> Result<Option<ChannelCtx>> {
    if !key.starts_with(CHANNEL_KEY_PREFIX) || key.len() > 100 {
        return Ok(None);
    }
    let row: Option<(String, String, Option<i64>)> = sqlx::query_as(
        "SELECT id, name, last_used_at FROM channel_keys WHERE key_hash = $1 AND revoked_at IS NULL",
    )
    .bind(token_hash(key))
    .fetch_optional(db.pool())
    .await?;
    let Some((id, name, last_used)) = row else {
        return Ok(None);
    };
    let now = now_ms();
    if last_used.is_none_or(|t| now - t > TOUCH_INTERVAL_MS) {
        sqlx::query("UPDATE channel_keys SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&id)
            .execute(db.pool())
            .await?;
    }
    Ok(Some(ChannelCtx {
        actor: Actor {
            kind: ActorKind::Channel,
            id: Some(id.clone()),
            label: format!("channel {name}"),
        },
        key_id: id,
        name,
    }))
}

/// For tests: a channel context for an existing key id.
#[doc(hidden)]
pub async fn channel_by_id(db: &Db, id: &str) -> Result<ChannelCtx> {
    let (name,): (String,) = sqlx::query_as("SELECT name FROM channel_keys WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(Error::NotFound("channel key"))?;
    Ok(ChannelCtx {
        actor: Actor {
            kind: ActorKind::Channel,
            id: Some(id.to_string()),
            label: format!("channel {name}"),
        },
        key_id: id.to_string(),
        name,
    })
}
