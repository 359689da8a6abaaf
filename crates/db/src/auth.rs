//! Authentication (passwords, sessions, API keys, login throttling) and the
//! capability contexts every use case takes as its first parameter.
//!
//! A context can only be built here, after the caller's identity was verified, so a
//! use case that asks for a [`SellerCtx`] cannot be reached without authentication and
//! always knows whose data it may touch.

use crate::util::{new_uuid, now_ms, parse_col};
use crate::{Db, Error, Result};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine as _;
use domain::ErrorCode;
use domain::accounts::{ApiKeyView, Email, MemberRole, Password, Role, SellerStatus};
use domain::ids::{ApiKeyId, SellerId, UserId};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Failed logins for one email within [`THROTTLE_WINDOW_MS`] before it is locked.
pub const MAX_FAILURES_PER_EMAIL: i64 = 5;
/// Failed logins from one IP address within the window before it is locked.
pub const MAX_FAILURES_PER_IP: i64 = 30;
pub const THROTTLE_WINDOW_MS: i64 = 15 * 60 * 1000;
/// Sessions are touched at most this often, so reads do not turn into writes.
const TOUCH_INTERVAL_MS: i64 = 60 * 1000;
pub const API_KEY_PREFIX: &str = "bzr_";

/// Who did something, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub kind: ActorKind,
    pub id: Option<String>,
    pub label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    User,
    ApiKey,
    Channel,
    System,
}

impl ActorKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            ActorKind::User => "user",
            ActorKind::ApiKey => "api_key",
            ActorKind::Channel => "channel",
            ActorKind::System => "system",
        }
    }
}

impl Actor {
    pub fn system() -> Self {
        Actor {
            kind: ActorKind::System,
            id: None,
            label: "system".into(),
        }
    }
}

/// A seller user's organisation, as seen at login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerMembership {
    pub seller_id: SellerId,
    pub seller_name: String,
    pub member_role: MemberRole,
    pub seller_status: SellerStatus,
}

/// An authenticated person (from a session cookie).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub user_id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub seller: Option<SellerMembership>,
}

impl Principal {
    pub fn actor(&self) -> Actor {
        Actor {
            kind: ActorKind::User,
            id: Some(self.user_id.to_string()),
            label: self.email.clone(),
        }
    }

    /// The seller context, or `forbidden` for staff.
    pub fn seller(&self) -> Result<SellerCtx> {
        match (&self.seller, self.role) {
            (Some(m), Role::Seller) => Ok(SellerCtx {
                seller_id: m.seller_id,
                member_role: m.member_role,
                status: m.seller_status,
                actor: self.actor(),
                user_id: Some(self.user_id),
            }),
            _ => Err(Error::forbidden(
                "This is the seller cabinet; your account is not a seller's",
            )),
        }
    }

    pub fn moderator(&self) -> Result<ModeratorCtx> {
        self.staff(Role::Moderator).map(|actor| ModeratorCtx {
            user_id: self.user_id,
            actor,
        })
    }

    pub fn finance(&self) -> Result<FinanceCtx> {
        self.staff(Role::Finance).map(|actor| FinanceCtx {
            user_id: self.user_id,
            actor,
        })
    }

    pub fn admin(&self) -> Result<AdminCtx> {
        self.staff(Role::Admin).map(|actor| AdminCtx {
            user_id: self.user_id,
            actor,
        })
    }

    fn staff(&self, role: Role) -> Result<Actor> {
        if self.role == role {
            Ok(self.actor())
        } else {
            Err(Error::forbidden(format!(
                "This area is for the {} role",
                role.as_str()
            )))
        }
    }
}

/// Acting for one seller: a seller user or an API key of that seller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SellerCtx {
    seller_id: SellerId,
    member_role: MemberRole,
    status: SellerStatus,
    actor: Actor,
    user_id: Option<UserId>,
}

impl SellerCtx {
    pub fn seller_id(&self) -> SellerId {
        self.seller_id
    }
    pub fn member_role(&self) -> MemberRole {
        self.member_role
    }
    pub fn status(&self) -> SellerStatus {
        self.status
    }
    pub fn actor(&self) -> &Actor {
        &self.actor
    }
    /// The user behind this context (None when acting through an API key).
    pub fn user_id(&self) -> Option<UserId> {
        self.user_id
    }

    /// Catalog changes need an active or pending seller and a role that may edit.
    pub fn require_catalog_write(&self) -> Result<()> {
        if !self.status.can_change_listings() {
            return Err(Error::rule(
                ErrorCode::SellerSuspended,
                "Your seller account is suspended: you can read, but not change listings",
            ));
        }
        if !self.member_role.can_edit_catalog() {
            return Err(Error::forbidden(
                "Your role in the organisation cannot change listings",
            ));
        }
        Ok(())
    }

    /// Team and API-key management is for the organisation's owner.
    pub fn require_owner(&self) -> Result<()> {
        if self.member_role.can_manage_keys() {
            Ok(())
        } else {
            Err(Error::forbidden(
                "Only the organisation's owner can do this",
            ))
        }
    }

    /// For tests and workers that act on a seller's behalf after their own checks.
    #[doc(hidden)]
    pub fn for_system(seller_id: SellerId, status: SellerStatus) -> Self {
        SellerCtx {
            seller_id,
            member_role: MemberRole::Owner,
            status,
            actor: Actor::system(),
            user_id: None,
        }
    }
}

macro_rules! staff_ctx {
    ($($(#[$m:meta])* $name:ident),*) => {$(
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name {
            user_id: UserId,
            actor: Actor,
        }
        impl $name {
            pub fn user_id(&self) -> UserId {
                self.user_id
            }
            pub fn actor(&self) -> &Actor {
                &self.actor
            }
        }
    )*};
}

staff_ctx!(
    /// A moderator at work.
    ModeratorCtx,
    /// A finance staff member at work.
    FinanceCtx,
    /// An administrator at work.
    AdminCtx
);

// ---------------------------------------------------------------------------
// Passwords

/// Hashes a password with argon2id (default parameters) off the async runtime.
pub async fn hash_password(password: &Password) -> Result<String> {
    let pw = password.expose().to_string();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        Argon2::default()
            .hash_password(pw.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| Error::Internal(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| Error::Internal(format!("password hashing task failed: {e}")))?
}

/// Verifies a password against a stored argon2 hash off the async runtime.
pub async fn verify_password(password: &str, stored_hash: &str) -> Result<bool> {
    let pw = password.to_string();
    let stored = stored_hash.to_string();
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| Error::Internal(format!("stored password hash is malformed: {e}")))?;
        Ok(Argon2::default()
            .verify_password(pw.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(|e| Error::Internal(format!("password check task failed: {e}")))?
}

/// A valid argon2id hash of a random password, verified when the email is unknown so
/// that a failed login takes the same time whether or not the account exists.
async fn dummy_hash() -> &'static str {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_init(|| async {
            let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
            Argon2::default()
                .hash_password(random_token().as_bytes(), &salt)
                .map(|h| h.to_string())
                .unwrap_or_default()
        })
        .await
}

// ---------------------------------------------------------------------------
// Tokens

/// 32 random bytes, URL-safe base64 without padding (43 characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 hex of a token. Tokens are 256-bit random, so a fast hash cannot be
/// brute-forced and lets every request be checked with one indexed lookup.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

// ---------------------------------------------------------------------------
// Sessions and login

/// Where a login attempt comes from, for throttling and the session list.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip: String,
    pub user_agent: Option<String>,
}

/// A new session: the cookie value (shown once) and who it is for.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub expires_at_ms: i64,
    pub principal: Principal,
}

#[derive(sqlx::FromRow)]
struct PrincipalRow {
    user_id: String,
    email: String,
    display_name: String,
    role: String,
    seller_id: Option<String>,
    member_role: Option<String>,
    seller_name: Option<String>,
    seller_status: Option<String>,
    disabled_at: Option<i64>,
}

impl PrincipalRow {
    fn into_principal(self) -> Result<Principal> {
        let seller = match (
            self.seller_id,
            self.member_role,
            self.seller_name,
            self.seller_status,
        ) {
            (Some(id), Some(mr), Some(name), Some(st)) => Some(SellerMembership {
                seller_id: parse_col("users.seller_id", &id)?,
                seller_name: name,
                member_role: parse_col("users.member_role", &mr)?,
                seller_status: parse_col("sellers.status", &st)?,
            }),
            _ => None,
        };
        Ok(Principal {
            user_id: parse_col("users.id", &self.user_id)?,
            email: self.email,
            display_name: self.display_name,
            role: parse_col("users.role", &self.role)?,
            seller,
        })
    }
}

const PRINCIPAL_COLUMNS: &str = "u.id AS user_id, u.email, u.display_name, u.role, u.seller_id, \
     u.member_role, s.name AS seller_name, s.status AS seller_status, u.disabled_at";

/// Logs in with email and password, throttling repeated failures.
pub async fn login(
    db: &Db,
    email: &str,
    password: &str,
    client: &ClientInfo,
    session_ttl_ms: i64,
) -> Result<NewSession> {
    let invalid = || Error::rule(ErrorCode::InvalidCredentials, "Wrong email or password");
    let email = Email::parse(email).map_err(|_| invalid())?;
    let now = now_ms();
    let since = now - THROTTLE_WINDOW_MS;

    let (email_failures,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM login_attempts WHERE email = $1 AND succeeded = 0 AND at > $2",
    )
    .bind(email.as_str())
    .bind(since)
    .fetch_one(db.pool())
    .await?;
    let (ip_failures,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM login_attempts WHERE ip = $1 AND succeeded = 0 AND at > $2",
    )
    .bind(&client.ip)
    .bind(since)
    .fetch_one(db.pool())
    .await?;
    if email_failures >= MAX_FAILURES_PER_EMAIL || ip_failures >= MAX_FAILURES_PER_IP {
        return Err(Error::rule(
            ErrorCode::RateLimited,
            "Too many failed attempts. Wait 15 minutes and try again",
        ));
    }

    let found: Option<(String, String, Option<i64>)> =
        sqlx::query_as("SELECT id, password_hash, disabled_at FROM users WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(db.pool())
            .await?;
    let ok = match &found {
        Some((_, hash, None)) => verify_password(password, hash).await?,
        Some((_, _, Some(_))) | None => {
            verify_password(password, dummy_hash().await).await?;
            false
        }
    };

    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO login_attempts (id, email, ip, succeeded, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(new_uuid().to_string())
    .bind(email.as_str())
    .bind(&client.ip)
    .bind(i64::from(ok))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let Some((user_id, _, _)) = found.filter(|_| ok) else {
        tx.commit().await?;
        return Err(invalid());
    };
    let session = create_session(&mut tx, &user_id, client, now, session_ttl_ms).await?;
    tx.commit().await?;
    tracing::info!(user.id = %user_id, "login succeeded");
    Ok(session)
}

async fn create_session(
    tx: &mut crate::Tx,
    user_id: &str,
    client: &ClientInfo,
    now: i64,
    ttl_ms: i64,
) -> Result<NewSession> {
    let token = random_token();
    let expires_at_ms = now + ttl_ms;
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, user_agent, ip) \
         VALUES ($1, $2, $3, $3, $4, $5, $6)",
    )
    .bind(token_hash(&token))
    .bind(user_id)
    .bind(now)
    .bind(expires_at_ms)
    .bind(client.user_agent.as_deref().map(|ua| ua.chars().take(300).collect::<String>()))
    .bind(&client.ip)
    .execute(&mut **tx)
    .await?;
    let principal = principal_by_user_id(&mut **tx, user_id)
        .await?
        .ok_or_else(|| Error::Internal("user vanished while logging in".into()))?;
    Ok(NewSession {
        token,
        expires_at_ms,
        principal,
    })
}

async fn principal_by_user_id<'e, E>(exec: E, user_id: &str) -> Result<Option<Principal>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let sql = format!(
        "SELECT {PRINCIPAL_COLUMNS} FROM users u LEFT JOIN sellers s ON s.id = u.seller_id WHERE u.id = $1"
    );
    let row: Option<PrincipalRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .fetch_optional(exec)
        .await?;
    row.filter(|r| r.disabled_at.is_none())
        .map(PrincipalRow::into_principal)
        .transpose()
}

/// The principal for a user id (no session): for commands run by the operator.
pub async fn principal_for_user(db: &Db, id: UserId) -> Result<Option<Principal>> {
    principal_by_user_id(db.pool(), &id.to_string()).await
}

/// Resolves a session cookie to the person behind it. Expired sessions and disabled
/// users resolve to `None`.
pub async fn session_principal(db: &Db, token: &str) -> Result<Option<Principal>> {
    if token.is_empty() || token.len() > 100 {
        return Ok(None);
    }
    let hash = token_hash(token);
    let sql = format!(
        "SELECT {PRINCIPAL_COLUMNS}, ss.expires_at, ss.last_seen_at FROM sessions ss \
         JOIN users u ON u.id = ss.user_id LEFT JOIN sellers s ON s.id = u.seller_id \
         WHERE ss.token_hash = $1"
    );
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        p: PrincipalRow,
        expires_at: i64,
        last_seen_at: i64,
    }
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&hash)
        .fetch_optional(db.pool())
        .await?;
    let Some(row) = row else { return Ok(None) };
    let now = now_ms();
    if row.expires_at <= now {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(&hash)
            .execute(db.pool())
            .await?;
        return Ok(None);
    }
    if row.p.disabled_at.is_some() {
        return Ok(None);
    }
    if now - row.last_seen_at > TOUCH_INTERVAL_MS {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(&hash)
            .execute(db.pool())
            .await?;
    }
    row.p.into_principal().map(Some)
}

/// Ends a session (logout). Unknown tokens are ignored.
pub async fn logout(db: &Db, token: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash(token))
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Changes the caller's password after checking the current one; every other session
/// of the user is ended.
pub async fn change_password(
    db: &Db,
    principal: &Principal,
    current_session_token: &str,
    current: &str,
    new: &str,
) -> Result<()> {
    let new = Password::parse(new).map_err(|e| {
        Error::Validation(vec![domain::FieldError {
            field: "new_password".into(),
            ..e
        }])
    })?;
    let (stored,): (String,) = sqlx::query_as("SELECT password_hash FROM users WHERE id = $1")
        .bind(principal.user_id.to_string())
        .fetch_one(db.pool())
        .await?;
    if !verify_password(current, &stored).await? {
        return Err(Error::field(
            "current_password",
            "wrong_password",
            "Current password is wrong",
        ));
    }
    let hash = hash_password(&new).await?;
    let now = now_ms();
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2, updated_at = $2 WHERE id = $3")
        .bind(&hash)
        .bind(now)
        .bind(principal.user_id.to_string())
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(principal.user_id.to_string())
        .bind(token_hash(current_session_token))
        .execute(&mut *tx)
        .await?;
    crate::audit::record(
        &mut tx,
        &principal.actor(),
        "user.password_changed",
        "user",
        &principal.user_id.to_string(),
        principal.seller.as_ref().map(|m| m.seller_id),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes expired sessions and old login attempts. Run periodically.
pub async fn purge_expired(db: &Db) -> Result<u64> {
    let now = now_ms();
    let a = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(db.pool())
        .await?
        .rows_affected();
    let b = sqlx::query("DELETE FROM login_attempts WHERE at < $1")
        .bind(now - 7 * 24 * 3600 * 1000)
        .execute(db.pool())
        .await?
        .rows_affected();
    Ok(a + b)
}

// ---------------------------------------------------------------------------
// API keys

#[derive(sqlx::FromRow)]
struct ApiKeyRow {
    id: String,
    name: String,
    prefix: String,
    created_at: i64,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
}

impl ApiKeyRow {
    fn into_view(self) -> Result<ApiKeyView> {
        Ok(ApiKeyView {
            id: parse_col("api_keys.id", &self.id)?,
            name: self.name,
            prefix: self.prefix,
            created_at_ms: self.created_at,
            last_used_at_ms: self.last_used_at,
            revoked_at_ms: self.revoked_at,
        })
    }
}

/// Creates an API key for the caller's seller. The plaintext key is returned once and
/// only its hash is stored.
pub async fn create_api_key(db: &Db, ctx: &SellerCtx, name: &str) -> Result<(ApiKeyView, String)> {
    ctx.require_owner()?;
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::field(
            "name",
            "required",
            "Give the key a name, e.g. the system that will use it",
        ));
    }
    if name.chars().count() > 100 {
        return Err(Error::field(
            "name",
            "too_long",
            "Key name is too long (100 characters at most)",
        ));
    }
    let user_id = ctx
        .user_id()
        .ok_or_else(|| Error::forbidden("API keys are created by a person in the cabinet"))?;
    let key = format!("{API_KEY_PREFIX}{}", random_token());
    let prefix: String = key.chars().take(API_KEY_PREFIX.len() + 6).collect();
    let id = ApiKeyId::from_uuid(new_uuid());
    let now = now_ms();
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO api_keys (id, seller_id, name, prefix, key_hash, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id.to_string())
    .bind(ctx.seller_id().to_string())
    .bind(name)
    .bind(&prefix)
    .bind(token_hash(&key))
    .bind(user_id.to_string())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    crate::audit::record(
        &mut tx,
        ctx.actor(),
        "api_key.created",
        "api_key",
        &id.to_string(),
        Some(ctx.seller_id()),
        serde_json::json!({ "name": name, "prefix": prefix }),
    )
    .await?;
    tx.commit().await?;
    Ok((
        ApiKeyView {
            id,
            name: name.to_string(),
            prefix,
            created_at_ms: now,
            last_used_at_ms: None,
            revoked_at_ms: None,
        },
        key,
    ))
}

/// The caller's seller's API keys, newest first.
pub async fn list_api_keys(db: &Db, ctx: &SellerCtx) -> Result<Vec<ApiKeyView>> {
    let rows: Vec<ApiKeyRow> = sqlx::query_as(
        "SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_keys \
         WHERE seller_id = $1 ORDER BY created_at DESC",
    )
    .bind(ctx.seller_id().to_string())
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(ApiKeyRow::into_view).collect()
}

/// Revokes one of the caller's seller's keys. Another seller's key is `not_found`.
pub async fn revoke_api_key(db: &Db, ctx: &SellerCtx, id: ApiKeyId) -> Result<()> {
    ctx.require_owner()?;
    let mut tx = db.begin().await?;
    let changed = sqlx::query(
        "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND seller_id = $3 AND revoked_at IS NULL",
    )
    .bind(now_ms())
    .bind(id.to_string())
    .bind(ctx.seller_id().to_string())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        let exists: Option<(String,)> =
            sqlx::query_as("SELECT id FROM api_keys WHERE id = $1 AND seller_id = $2")
                .bind(id.to_string())
                .bind(ctx.seller_id().to_string())
                .fetch_optional(&mut *tx)
                .await?;
        return match exists {
            Some(_) => Ok(()), // already revoked: revoking twice is harmless
            None => Err(Error::NotFound("api key")),
        };
    }
    crate::audit::record(
        &mut tx,
        ctx.actor(),
        "api_key.revoked",
        "api_key",
        &id.to_string(),
        Some(ctx.seller_id()),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Resolves `Authorization: Bearer <key>` to the seller it acts for.
pub async fn api_key_seller(db: &Db, key: &str) -> Result<Option<SellerCtx>> {
    if !key.starts_with(API_KEY_PREFIX) || key.len() > 100 {
        return Ok(None);
    }
    let hash = token_hash(key);
    let row: Option<(String, String, String, String, Option<i64>)> = sqlx::query_as(
        "SELECT k.id, k.name, k.seller_id, s.status, k.last_used_at FROM api_keys k \
         JOIN sellers s ON s.id = k.seller_id WHERE k.key_hash = $1 AND k.revoked_at IS NULL",
    )
    .bind(&hash)
    .fetch_optional(db.pool())
    .await?;
    let Some((id, name, seller_id, status, last_used)) = row else {
        return Ok(None);
    };
    let now = now_ms();
    if last_used.is_none_or(|t| now - t > TOUCH_INTERVAL_MS) {
        sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&id)
            .execute(db.pool())
            .await?;
    }
    Ok(Some(SellerCtx {
        seller_id: parse_col("api_keys.seller_id", &seller_id)?,
        // An API key acts with manager rights: catalog and orders, not the team or keys.
        member_role: MemberRole::Manager,
        status: parse_col("sellers.status", &status)?,
        actor: Actor {
            kind: ActorKind::ApiKey,
            id: Some(id),
            label: format!("API key {name}"),
        },
        user_id: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hash_stably() {
        let a = random_token();
        let b = random_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_eq!(token_hash(&a).len(), 64);
    }

    #[tokio::test]
    async fn password_hash_round_trip() {
        let pw = Password::parse("correct horse battery").unwrap();
        let h = hash_password(&pw).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h).await.unwrap());
        assert!(!verify_password("wrong horse battery", &h).await.unwrap());
    }
}
