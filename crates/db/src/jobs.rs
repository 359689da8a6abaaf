//! Durable background jobs.
//!
//! A job is claimed by one worker at a time under a lease (`locked_until`). A worker
//! that dies leaves its lease to expire, and the job is claimed again; so every job
//! must be safe to run twice (imports checkpoint their progress, ledger jobs use
//! idempotency keys). On PostgreSQL concurrent claimers skip each other's rows with
//! `FOR UPDATE SKIP LOCKED`; on SQLite the single writer serialises claims.
//!
//! Long jobs work in slices and reschedule themselves (`run_at` = now), so they take
//! turns with jobs queued meanwhile: one seller's huge import cannot starve others.

use crate::util::{new_uuid, now_ms, parse_col};
use crate::{Db, Error, Result, Tx};
use domain::ids::JobId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewJob {
    pub kind: String,
    pub payload: serde_json::Value,
    /// Jobs with the same key belong to the same tenant (e.g. a seller id).
    pub fairness_key: String,
    pub priority: i64,
    pub run_at_ms: Option<i64>,
    pub max_attempts: i64,
}

impl NewJob {
    pub fn new(kind: &str, payload: serde_json::Value, fairness_key: impl Into<String>) -> Self {
        NewJob {
            kind: kind.to_string(),
            payload,
            fairness_key: fairness_key.into(),
            priority: 0,
            run_at_ms: None,
            max_attempts: 5,
        }
    }
}

/// A job a worker holds under lease.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedJob {
    pub id: JobId,
    pub kind: String,
    pub payload: serde_json::Value,
    pub fairness_key: String,
    /// 1 on the first run; more when a previous run failed or its worker died.
    pub attempts: i64,
    pub max_attempts: i64,
}

/// Adds a job inside the caller's transaction, so it exists if and only if the change
/// that needs it was committed.
pub async fn enqueue(tx: &mut Tx, job: &NewJob) -> Result<JobId> {
    let id = JobId::from_uuid(new_uuid());
    let now = now_ms();
    sqlx::query(
        "INSERT INTO jobs (id, kind, payload, status, fairness_key, priority, run_at, attempts, max_attempts, \
         created_at, updated_at) VALUES ($1, $2, $3, 'queued', $4, $5, $6, 0, $7, $8, $8)",
    )
    .bind(id.to_string())
    .bind(&job.kind)
    .bind(job.payload.to_string())
    .bind(&job.fairness_key)
    .bind(job.priority)
    .bind(job.run_at_ms.unwrap_or(now))
    .bind(job.max_attempts.max(1))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Claims the next ready job of one of `kinds` for `worker` for `lease_ms`.
/// Jobs whose lease expired (their worker died) are ready again.
///
/// A tenant's jobs run one at a time: a job is skipped while another job with the
/// same (non-empty) fairness key runs under a live lease, so one seller's imports
/// never hold every worker while other sellers wait. (On PostgreSQL two claims racing
/// may still start two of one tenant's jobs; that is rare and harmless.)
pub async fn claim(
    db: &Db,
    worker: &str,
    kinds: &[&str],
    lease_ms: i64,
) -> Result<Option<ClaimedJob>> {
    if kinds.is_empty() {
        return Ok(None);
    }
    loop {
        let now = now_ms();
        let placeholders: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 4)).collect();
        let sql = format!(
            "UPDATE jobs SET status = 'running', locked_by = $1, locked_until = $2, attempts = attempts + 1, \
             updated_at = $3 WHERE id = (SELECT id FROM jobs WHERE \
             ((status = 'queued' AND run_at <= $3) OR (status = 'running' AND locked_until < $3)) \
             AND kind IN ({}) AND (fairness_key = '' OR fairness_key NOT IN \
             (SELECT r.fairness_key FROM jobs r WHERE r.status = 'running' AND r.locked_until >= $3)) \
             ORDER BY priority DESC, run_at, id LIMIT 1{}) \
             RETURNING id, kind, payload, fairness_key, attempts, max_attempts",
            placeholders.join(", "),
            db.engine().for_update_skip_locked()
        );
        let mut q = sqlx::query_as::<_, (String, String, String, String, i64, i64)>(
            sqlx::AssertSqlSafe(sql),
        )
        .bind(worker)
        .bind(now + lease_ms)
        .bind(now);
        for k in kinds {
            q = q.bind(*k);
        }
        let mut tx = db.begin().await?;
        let row = q.fetch_optional(&mut *tx).await?;
        tx.commit().await?;
        let Some((id, kind, payload, fairness_key, attempts, max_attempts)) = row else {
            return Ok(None);
        };
        let id: JobId = parse_col("jobs.id", &id)?;
        if attempts > max_attempts {
            // It kept failing or killing its worker: park it for a human to look at.
            tracing::error!(job.id = %id, job.kind = %kind, attempts, "job exceeded its attempts; marking failed");
            finish(
                db,
                id,
                worker,
                "failed",
                Some("gave up after too many attempts"),
            )
            .await?;
            continue;
        }
        let payload = serde_json::from_str(&payload)
            .map_err(|e| Error::Internal(format!("job {id} has a malformed payload: {e}")))?;
        return Ok(Some(ClaimedJob {
            id,
            kind,
            payload,
            fairness_key,
            attempts,
            max_attempts,
        }));
    }
}

async fn finish(
    db: &Db,
    id: JobId,
    worker: &str,
    status: &str,
    error: Option<&str>,
) -> Result<bool> {
    let mut tx = db.begin().await?;
    let n = sqlx::query(
        "UPDATE jobs SET status = $1, last_error = $2, locked_by = NULL, locked_until = NULL, updated_at = $3 \
         WHERE id = $4 AND locked_by = $5",
    )
    .bind(status)
    .bind(error)
    .bind(now_ms())
    .bind(id.to_string())
    .bind(worker)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(n == 1)
}

/// Marks a job done. Returns false when the worker had lost its lease meanwhile.
pub async fn complete(db: &Db, id: JobId, worker: &str) -> Result<bool> {
    finish(db, id, worker, "done", None).await
}

/// Records a failure: the job runs again after `retry_in_ms`, or is parked as failed
/// when it has used its attempts.
pub async fn fail(
    db: &Db,
    job: &ClaimedJob,
    worker: &str,
    error: &str,
    retry_in_ms: i64,
) -> Result<()> {
    if job.attempts >= job.max_attempts {
        finish(db, job.id, worker, "failed", Some(error)).await?;
        return Ok(());
    }
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE jobs SET status = 'queued', last_error = $1, run_at = $2, locked_by = NULL, locked_until = NULL, \
         updated_at = $3 WHERE id = $4 AND locked_by = $5",
    )
    .bind(error)
    .bind(now_ms() + retry_in_ms)
    .bind(now_ms())
    .bind(job.id.to_string())
    .bind(worker)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Puts a job that finished a slice of its work back in the queue, behind the jobs
/// already waiting. The attempt counter is reset: progress was made.
pub async fn yield_slice(tx: &mut Tx, id: JobId, worker: &str) -> Result<bool> {
    let now = now_ms();
    let n = sqlx::query(
        "UPDATE jobs SET status = 'queued', run_at = $1, attempts = 0, locked_by = NULL, locked_until = NULL, \
         updated_at = $1 WHERE id = $2 AND locked_by = $3",
    )
    .bind(now)
    .bind(id.to_string())
    .bind(worker)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Extends the lease of a job that is still working.
pub async fn heartbeat(db: &Db, id: JobId, worker: &str, lease_ms: i64) -> Result<bool> {
    let mut tx = db.begin().await?;
    let n = sqlx::query(
        "UPDATE jobs SET locked_until = $1 WHERE id = $2 AND locked_by = $3 AND status = 'running'",
    )
    .bind(now_ms() + lease_ms)
    .bind(id.to_string())
    .bind(worker)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(n == 1)
}

/// Counts jobs by status (for tests and the admin dashboard).
pub async fn count(db: &Db, status: &str) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM jobs WHERE status = $1")
        .bind(status)
        .fetch_one(db.pool())
        .await?;
    Ok(n)
}
