//! Idempotency keys for state-changing API requests, the way payment APIs do it.
//!
//! The key is claimed atomically with an insert (never check-then-insert). A retry
//! with the same key and the same request gets the stored first response; the same
//! key with a different request is refused; a retry while the first request is still
//! running is refused too, rather than executed a second time.

use crate::util::now_ms;
use crate::{Db, Result, Tx};

/// What claiming a key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First use: go ahead, then [`complete`] (or [`release`] on failure).
    New,
    /// Already completed with this response: send it again.
    Replay { status: u16, body: String },
    /// The first request with this key is still running.
    InProgress,
    /// This key was used for a different request.
    Mismatch,
}

/// Requests stuck `in_progress` longer than this (their process died before
/// completing) may be claimed again. Handlers behind this layer are themselves
/// idempotent (upserts, or money movements with their own unique keys), so a re-run
/// after a crash repeats no effect.
pub const STALE_AFTER_MS: i64 = 2 * 60 * 1000;

#[derive(sqlx::FromRow)]
struct StoredKey {
    request_fingerprint: String,
    status: String,
    response_status: Option<i64>,
    response_body: Option<String>,
    created_at: i64,
}

pub async fn claim(db: &Db, scope: &str, key: &str, fingerprint: &str) -> Result<Claim> {
    let now = now_ms();
    let mut tx = db.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (scope, idempotency_key, request_fingerprint, status, created_at) \
         VALUES ($1, $2, $3, 'in_progress', $4) ON CONFLICT (scope, idempotency_key) DO NOTHING",
    )
    .bind(scope)
    .bind(key)
    .bind(fingerprint)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 1 {
        tx.commit().await?;
        return Ok(Claim::New);
    }
    let sql = format!(
        "SELECT request_fingerprint, status, response_status, response_body, created_at FROM idempotency_keys \
         WHERE scope = $1 AND idempotency_key = $2{}",
        db.engine().for_update()
    );
    let row: Option<StoredKey> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(scope)
        .bind(key)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(StoredKey {
        request_fingerprint: stored_fp,
        status,
        response_status: resp_status,
        response_body: resp_body,
        created_at,
    }) = row
    else {
        // Deleted between our insert and select (released by a failed request): retry once.
        tx.rollback().await?;
        return Box::pin(claim(db, scope, key, fingerprint)).await;
    };
    let result = if stored_fp != fingerprint {
        Claim::Mismatch
    } else if status == "completed" {
        Claim::Replay {
            status: u16::try_from(resp_status.unwrap_or(200)).unwrap_or(200),
            body: resp_body.unwrap_or_default(),
        }
    } else if now - created_at > STALE_AFTER_MS {
        sqlx::query(
            "UPDATE idempotency_keys SET created_at = $1 WHERE scope = $2 AND idempotency_key = $3",
        )
        .bind(now)
        .bind(scope)
        .bind(key)
        .execute(&mut *tx)
        .await?;
        Claim::New
    } else {
        Claim::InProgress
    };
    tx.commit().await?;
    Ok(result)
}

/// Stores the response for replays, inside the transaction that made the change.
pub async fn complete_in(
    tx: &mut Tx,
    scope: &str,
    key: &str,
    status: u16,
    body: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE idempotency_keys SET status = 'completed', response_status = $1, response_body = $2, completed_at = $3 \
         WHERE scope = $4 AND idempotency_key = $5",
    )
    .bind(i64::from(status))
    .bind(body)
    .bind(now_ms())
    .bind(scope)
    .bind(key)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Stores the response for replays.
pub async fn complete(db: &Db, scope: &str, key: &str, status: u16, body: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    complete_in(&mut tx, scope, key, status, body).await?;
    tx.commit().await?;
    Ok(())
}

/// Forgets a claim whose request failed without effect, so the client may retry.
pub async fn release(db: &Db, scope: &str, key: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM idempotency_keys WHERE scope = $1 AND idempotency_key = $2 AND status = 'in_progress'")
        .bind(scope)
        .bind(key)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
