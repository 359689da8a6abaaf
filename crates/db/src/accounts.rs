//! Users and seller organisations: sign-up, staff accounts, the team, and what
//! administrators do to sellers.

use crate::auth::{Actor, AdminCtx, SellerCtx, hash_password};
use crate::util::{like_contains, new_uuid, now_ms, parse_col, search_needle, search_text};
use crate::{Db, Error, Result, Tx};
use domain::accounts::{
    Email, Inn, MemberRole, OrganisationName, Password, Role, SellerAction, SellerStatus,
};
use domain::accounts::{SellerView, UserView};
use domain::ids::{SellerId, UserId};
use domain::page::Page;
use domain::{ErrorCode, FieldError};
use serde::{Deserialize, Serialize};

/// What a new seller types on the sign-up page.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SignupInput {
    pub organisation: String,
    pub inn: String,
    pub email: String,
    pub password: String,
    #[serde(default)]
    pub display_name: String,
}

/// A new user made by an administrator or the `bazaar user create` command.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewUserInput {
    pub email: String,
    pub password: String,
    pub role: Role,
    /// For a seller user: the new organisation's name (and INN) when it is created too.
    pub seller_name: Option<String>,
    pub seller_inn: Option<String>,
    pub display_name: Option<String>,
}

fn collect(errors: Vec<Option<FieldError>>) -> Result<()> {
    let errors: Vec<FieldError> = errors.into_iter().flatten().collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(errors))
    }
}

/// Self sign-up: creates the organisation in `pending_verification` and its owner.
pub async fn signup_seller(db: &Db, input: &SignupInput) -> Result<(SellerId, UserId)> {
    let name = OrganisationName::parse(&input.organisation);
    let inn = Inn::parse(&input.inn);
    let email = Email::parse(&input.email);
    let password = Password::parse(&input.password);
    collect(vec![
        name.as_ref().err().cloned(),
        inn.as_ref().err().cloned(),
        email.as_ref().err().cloned(),
        password.as_ref().err().cloned(),
    ])?;
    let (Ok(name), Ok(inn), Ok(email), Ok(password)) = (name, inn, email, password) else {
        return Err(Error::Internal("validation ladder out of sync".into()));
    };
    let hash = hash_password(&password).await?;
    let display = if input.display_name.trim().is_empty() {
        email.as_str().to_string()
    } else {
        input.display_name.trim().to_string()
    };
    let mut tx = db.begin().await?;
    let seller_id = insert_seller(
        &mut tx,
        &name,
        Some(&inn),
        SellerStatus::PendingVerification,
        email.as_str(),
    )
    .await?;
    let user_id = insert_user(
        &mut tx,
        &email,
        &hash,
        Role::Seller,
        Some((seller_id, MemberRole::Owner)),
        &display,
    )
    .await?;
    crate::audit::record(
        &mut tx,
        &Actor {
            kind: crate::auth::ActorKind::User,
            id: Some(user_id.to_string()),
            label: email.to_string(),
        },
        "seller.signed_up",
        "seller",
        &seller_id.to_string(),
        Some(seller_id),
        serde_json::json!({ "name": name.as_str(), "inn": inn.as_str() }),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(seller.id = %seller_id, "seller signed up");
    Ok((seller_id, user_id))
}

async fn insert_seller(
    tx: &mut Tx,
    name: &OrganisationName,
    inn: Option<&Inn>,
    status: SellerStatus,
    owner_email: &str,
) -> Result<SellerId> {
    let id = SellerId::from_uuid(new_uuid());
    let now = now_ms();
    let res = sqlx::query(
        "INSERT INTO sellers (id, name, inn, status, search_text, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(id.to_string())
    .bind(name.as_str())
    .bind(inn.map(Inn::as_str))
    .bind(status.as_str())
    .bind(search_text(&[
        name.as_str(),
        inn.map(Inn::as_str).unwrap_or_default(),
        owner_email,
    ]))
    .bind(now)
    .execute(&mut **tx)
    .await;
    match res.map_err(Error::from) {
        Ok(_) => Ok(id),
        Err(e) if e.violates_unique("sellers_inn_key", "sellers.inn") => Err(Error::field(
            "inn",
            "taken",
            "A seller with this INN is already registered",
        )),
        Err(e) => Err(e),
    }
}

async fn insert_user(
    tx: &mut Tx,
    email: &Email,
    password_hash: &str,
    role: Role,
    seller: Option<(SellerId, MemberRole)>,
    display_name: &str,
) -> Result<UserId> {
    let id = UserId::from_uuid(new_uuid());
    let now = now_ms();
    let res = sqlx::query(
        "INSERT INTO users (id, email, password_hash, role, seller_id, member_role, display_name, search_text, \
         password_changed_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $9)",
    )
    .bind(id.to_string())
    .bind(email.as_str())
    .bind(password_hash)
    .bind(role.as_str())
    .bind(seller.map(|(s, _)| s.to_string()))
    .bind(seller.map(|(_, m)| m.as_str()))
    .bind(display_name)
    .bind(search_text(&[email.as_str(), display_name]))
    .bind(now)
    .execute(&mut **tx)
    .await;
    match res.map_err(Error::from) {
        Ok(_) => Ok(id),
        Err(e) if e.violates_unique("users_email_key", "users.email") => Err(Error::field(
            "email",
            "taken",
            "An account with this email already exists",
        )),
        Err(e) => Err(e),
    }
}

/// Creates a user without a logged-in actor: the `bazaar user create` command and
/// the demo data. A seller user gets a new, active organisation.
pub async fn create_user_unchecked(db: &Db, input: &NewUserInput) -> Result<UserId> {
    create_user_inner(db, &Actor::system(), input).await
}

/// An administrator creates a staff user (moderator, finance, admin) or a seller with
/// a new organisation.
pub async fn create_user(db: &Db, ctx: &AdminCtx, input: &NewUserInput) -> Result<UserId> {
    create_user_inner(db, ctx.actor(), input).await
}

async fn create_user_inner(db: &Db, actor: &Actor, input: &NewUserInput) -> Result<UserId> {
    let email = Email::parse(&input.email);
    let password = Password::parse(&input.password);
    collect(vec![
        email.as_ref().err().cloned(),
        password.as_ref().err().cloned(),
    ])?;
    let (Ok(email), Ok(password)) = (email, password) else {
        return Err(Error::Internal("validation ladder out of sync".into()));
    };
    let seller = if input.role == Role::Seller {
        let name = OrganisationName::parse(input.seller_name.as_deref().unwrap_or_default())?;
        let inn = input
            .seller_inn
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(Inn::parse)
            .transpose()?;
        Some((name, inn))
    } else {
        None
    };
    let hash = hash_password(&password).await?;
    let display = input
        .display_name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(email.as_str())
        .to_string();
    let mut tx = db.begin().await?;
    let membership = match &seller {
        Some((name, inn)) => {
            let sid = insert_seller(
                &mut tx,
                name,
                inn.as_ref(),
                SellerStatus::Active,
                email.as_str(),
            )
            .await?;
            Some((sid, MemberRole::Owner))
        }
        None => None,
    };
    let user_id = insert_user(&mut tx, &email, &hash, input.role, membership, &display).await?;
    crate::audit::record(
        &mut tx,
        actor,
        "user.created",
        "user",
        &user_id.to_string(),
        membership.map(|(s, _)| s),
        serde_json::json!({ "email": email.as_str(), "role": input.role.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(user_id)
}

impl From<FieldError> for Error {
    fn from(e: FieldError) -> Self {
        Error::Validation(vec![e])
    }
}

/// The owner adds a colleague (manager or accountant) to the organisation.
pub async fn add_team_member(
    db: &Db,
    ctx: &SellerCtx,
    email: &str,
    password: &str,
    member_role: MemberRole,
    display_name: &str,
) -> Result<UserId> {
    ctx.require_owner()?;
    let email = Email::parse(email);
    let password = Password::parse(password);
    collect(vec![
        email.as_ref().err().cloned(),
        password.as_ref().err().cloned(),
    ])?;
    let (Ok(email), Ok(password)) = (email, password) else {
        return Err(Error::Internal("validation ladder out of sync".into()));
    };
    let hash = hash_password(&password).await?;
    let display = if display_name.trim().is_empty() {
        email.as_str()
    } else {
        display_name.trim()
    };
    let mut tx = db.begin().await?;
    let user_id = insert_user(
        &mut tx,
        &email,
        &hash,
        Role::Seller,
        Some((ctx.seller_id(), member_role)),
        display,
    )
    .await?;
    crate::audit::record(
        &mut tx,
        ctx.actor(),
        "seller.member_added",
        "user",
        &user_id.to_string(),
        Some(ctx.seller_id()),
        serde_json::json!({ "email": email.as_str(), "member_role": member_role.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(user_id)
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    email: String,
    display_name: String,
    role: String,
    seller_id: Option<String>,
    seller_name: Option<String>,
    member_role: Option<String>,
    disabled_at: Option<i64>,
    created_at: i64,
}

impl UserRow {
    fn into_view(self) -> Result<UserView> {
        Ok(UserView {
            id: parse_col("users.id", &self.id)?,
            email: self.email,
            display_name: self.display_name,
            role: parse_col("users.role", &self.role)?,
            seller_id: self
                .seller_id
                .as_deref()
                .map(|s| parse_col("users.seller_id", s))
                .transpose()?,
            seller_name: self.seller_name,
            member_role: self
                .member_role
                .as_deref()
                .map(|s| parse_col("users.member_role", s))
                .transpose()?,
            disabled: self.disabled_at.is_some(),
            created_at_ms: self.created_at,
        })
    }
}

/// The caller's organisation's team.
pub async fn list_team(db: &Db, ctx: &SellerCtx) -> Result<Vec<UserView>> {
    let rows: Vec<UserRow> = sqlx::query_as(
        "SELECT u.id, u.email, u.display_name, u.role, u.seller_id, s.name AS seller_name, u.member_role, \
         u.disabled_at, u.created_at FROM users u JOIN sellers s ON s.id = u.seller_id \
         WHERE u.seller_id = $1 ORDER BY u.created_at",
    )
    .bind(ctx.seller_id().to_string())
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(UserRow::into_view).collect()
}

/// Users matching `query` (email or name), newest first, for administrators.
pub async fn list_users(
    db: &Db,
    _ctx: &AdminCtx,
    query: &str,
    role: Option<Role>,
    offset: i64,
    limit: i64,
) -> Result<Page<UserView>> {
    let limit = limit.clamp(1, 200);
    let offset = offset.max(0);
    let needle = search_needle(query);
    let pattern = (!needle.is_empty()).then(|| like_contains(&needle));
    let role = role.map(|r| r.as_str());
    let (total,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM users u WHERE ($1 IS NULL OR u.search_text LIKE $1 ESCAPE '\\') \
         AND ($2 IS NULL OR u.role = $2)",
    )
    .bind(pattern.as_deref())
    .bind(role)
    .fetch_one(db.pool())
    .await?;
    let rows: Vec<UserRow> = sqlx::query_as(
        "SELECT u.id, u.email, u.display_name, u.role, u.seller_id, s.name AS seller_name, u.member_role, \
         u.disabled_at, u.created_at FROM users u LEFT JOIN sellers s ON s.id = u.seller_id \
         WHERE ($1 IS NULL OR u.search_text LIKE $1 ESCAPE '\\') AND ($2 IS NULL OR u.role = $2) \
         ORDER BY u.created_at DESC, u.id DESC LIMIT $3 OFFSET $4",
    )
    .bind(pattern.as_deref())
    .bind(role)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(UserRow::into_view)
            .collect::<Result<_>>()?,
        total,
        offset,
        limit,
    })
}

#[derive(sqlx::FromRow)]
struct SellerRow {
    id: String,
    name: String,
    inn: Option<String>,
    status: String,
    status_reason: Option<String>,
    users: i64,
    created_at: i64,
}

impl SellerRow {
    fn into_view(self) -> Result<SellerView> {
        Ok(SellerView {
            id: parse_col("sellers.id", &self.id)?,
            name: self.name,
            inn: self.inn,
            status: parse_col("sellers.status", &self.status)?,
            status_reason: self.status_reason,
            users: self.users,
            created_at_ms: self.created_at,
        })
    }
}

const SELLER_COLUMNS: &str = "s.id, s.name, s.inn, s.status, s.status_reason, \
    (SELECT COUNT(*) FROM users u WHERE u.seller_id = s.id) AS users, s.created_at";

/// Sellers matching `query` (name, INN or an owner's email), optionally by status.
pub async fn list_sellers(
    db: &Db,
    _ctx: &AdminCtx,
    query: &str,
    status: Option<SellerStatus>,
    offset: i64,
    limit: i64,
) -> Result<Page<SellerView>> {
    search_sellers(db, query, status, offset, limit).await
}

/// Finance staff picking a seller (penalties, finance settings): the first `limit`
/// sellers matching `query` by name or INN, newest first.
pub async fn find_sellers_for_finance(
    db: &Db,
    _ctx: &crate::auth::FinanceCtx,
    query: &str,
    limit: i64,
) -> Result<Vec<SellerView>> {
    Ok(search_sellers(db, query, None, 0, limit).await?.items)
}

async fn search_sellers(
    db: &Db,
    query: &str,
    status: Option<SellerStatus>,
    offset: i64,
    limit: i64,
) -> Result<Page<SellerView>> {
    let limit = limit.clamp(1, 200);
    let offset = offset.max(0);
    let needle = search_needle(query);
    let pattern = (!needle.is_empty()).then(|| like_contains(&needle));
    let status = status.map(|s| s.as_str());
    let (total,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM sellers s WHERE ($1 IS NULL OR s.search_text LIKE $1 ESCAPE '\\') \
         AND ($2 IS NULL OR s.status = $2)",
    )
    .bind(pattern.as_deref())
    .bind(status)
    .fetch_one(db.pool())
    .await?;
    let sql = format!(
        "SELECT {SELLER_COLUMNS} FROM sellers s WHERE ($1 IS NULL OR s.search_text LIKE $1 ESCAPE '\\') \
         AND ($2 IS NULL OR s.status = $2) ORDER BY s.created_at DESC, s.id DESC LIMIT $3 OFFSET $4"
    );
    let rows: Vec<SellerRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(pattern.as_deref())
        .bind(status)
        .bind(limit)
        .bind(offset)
        .fetch_all(db.pool())
        .await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(SellerRow::into_view)
            .collect::<Result<_>>()?,
        total,
        offset,
        limit,
    })
}

/// One seller, for administrators.
pub async fn get_seller(db: &Db, _ctx: &AdminCtx, id: SellerId) -> Result<SellerView> {
    let sql = format!("SELECT {SELLER_COLUMNS} FROM sellers s WHERE s.id = $1");
    let row: Option<SellerRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_optional(db.pool())
        .await?;
    row.ok_or(Error::NotFound("seller"))?.into_view()
}

/// Verify, suspend or reactivate a seller, with a reason for the audit log.
pub async fn change_seller_status(
    db: &Db,
    ctx: &AdminCtx,
    id: SellerId,
    action: SellerAction,
    reason: &str,
) -> Result<SellerStatus> {
    let reason = reason.trim();
    if action == SellerAction::Suspend && reason.is_empty() {
        return Err(Error::field(
            "reason",
            "required",
            "Say why the seller is suspended",
        ));
    }
    let mut tx = db.begin().await?;
    let sql = format!(
        "SELECT status FROM sellers WHERE id = $1{}",
        db.engine().for_update()
    );
    let current: Option<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await?;
    let current: SellerStatus = match current {
        Some((s,)) => parse_col("sellers.status", &s)?,
        None => return Err(Error::NotFound("seller")),
    };
    let Some(next) = current.apply(action) else {
        return Err(Error::rule(
            ErrorCode::InvalidStateTransition,
            format!(
                "A seller in status {} cannot be changed that way",
                current.as_str()
            ),
        ));
    };
    sqlx::query(
        "UPDATE sellers SET status = $1, status_reason = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(next.as_str())
    .bind((!reason.is_empty()).then_some(reason))
    .bind(now_ms())
    .bind(id.to_string())
    .execute(&mut *tx)
    .await?;
    crate::audit::record(
        &mut tx,
        ctx.actor(),
        "seller.status_changed",
        "seller",
        &id.to_string(),
        Some(id),
        serde_json::json!({ "from": current.as_str(), "to": next.as_str(), "reason": reason }),
    )
    .await?;
    tx.commit().await?;
    Ok(next)
}

/// Finds a user id by email (for commands such as `bazaar api-key create`).
pub async fn user_id_by_email(db: &Db, email: &str) -> Result<Option<UserId>> {
    let email = Email::parse(email)?;
    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM users WHERE email = $1")
        .bind(email.as_str())
        .fetch_optional(db.pool())
        .await?;
    row.map(|(id,)| parse_col("users.id", &id)).transpose()
}

/// A principal by email, for commands that act as a user (no password check: the
/// operator running the binary already has full access to the database).
pub async fn principal_by_email(db: &Db, email: &str) -> Result<Option<crate::auth::Principal>> {
    let Some(id) = user_id_by_email(db, email).await? else {
        return Ok(None);
    };
    crate::auth::principal_for_user(db, id).await
}

/// How many users exist (an empty database gets demo data).
pub async fn count_users(db: &Db) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(db.pool())
        .await?;
    Ok(n)
}

/// Counts for the admin home page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overview {
    pub sellers_total: i64,
    pub sellers_pending: i64,
    pub sellers_suspended: i64,
    pub users_total: i64,
    pub jobs_failed: i64,
}

pub async fn overview(db: &Db, _ctx: &AdminCtx) -> Result<Overview> {
    let (sellers_total, sellers_pending, sellers_suspended): (i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), \
         COALESCE(SUM(CASE WHEN status = 'pending_verification' THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN status = 'suspended' THEN 1 ELSE 0 END), 0) FROM sellers",
    )
    .fetch_one(db.pool())
    .await?;
    Ok(Overview {
        sellers_total,
        sellers_pending,
        sellers_suspended,
        users_total: count_users(db).await?,
        jobs_failed: crate::jobs::count(db, "failed").await?,
    })
}

/// The name of the caller's own organisation.
pub async fn seller_name(db: &Db, ctx: &SellerCtx) -> Result<String> {
    let row: Option<(String,)> = sqlx::query_as("SELECT name FROM sellers WHERE id = $1")
        .bind(ctx.seller_id().to_string())
        .fetch_optional(db.pool())
        .await?;
    row.map(|(n,)| n).ok_or(Error::NotFound("seller"))
}
