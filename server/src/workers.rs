//! Background workers: claim jobs from the durable queue and run them; periodic
//! maintenance. Each worker is a task; they stop at the next job boundary when the
//! server shuts down (an interrupted job is resumed by its lease expiring).
//!
//! Imports (`db::imports::JOB_KIND`) run in turns of a few seconds: a turn commits
//! slices of rows (each with its checkpoint, under the job's lease) and then puts the
//! job back at the end of the queue, so other sellers' imports queued meanwhile get a
//! worker; and the queue never gives one seller's jobs two workers at once while
//! others wait. A worker that dies leaves its lease to expire; the next claim resumes
//! from the last committed checkpoint, and a slice only commits while its worker
//! still holds the lease and the checkpoint is where it left it, so no row is
//! applied twice.

use crate::state::AppState;
use db::jobs::ClaimedJob;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How long a claimed job is leased before another worker may take it over.
pub const LEASE_MS: i64 = 60_000;
/// How often an idle worker looks for work (it is also woken on enqueue).
const IDLE_POLL: Duration = Duration::from_millis(500);

/// Job kinds this binary knows how to run.
pub const KINDS: &[&str] = &[db::imports::JOB_KIND, db::images::FETCH_JOB_KIND];

/// What a job run decided.
pub enum Outcome {
    /// Finished: mark done.
    Done,
    /// Did a slice and rescheduled itself (already written in its transaction).
    Yielded,
}

pub fn spawn(state: AppState, shutdown: CancellationToken) -> Vec<JoinHandle<()>> {
    let mut handles = Vec::new();
    for n in 0..state.settings.workers.max(1) {
        let worker = format!("{}-{}-{n}", hostname(), std::process::id());
        handles.push(tokio::spawn(worker_loop(
            state.clone(),
            worker,
            shutdown.clone(),
        )));
    }
    handles.push(tokio::spawn(crate::moderation::checks_loop(
        state.clone(),
        shutdown.clone(),
    )));
    handles.push(tokio::spawn(ledger_loop(state.clone(), shutdown.clone())));
    handles.push(tokio::spawn(maintenance_loop(state, shutdown)));
    handles
}

fn hostname() -> String {
    std::env::var("HOSTNAME").unwrap_or_else(|_| "bazaar".into())
}

async fn worker_loop(state: AppState, worker: String, shutdown: CancellationToken) {
    tracing::debug!(worker, "worker started");
    while !shutdown.is_cancelled() {
        if KINDS.is_empty() {
            shutdown.cancelled().await;
            break;
        }
        match db::jobs::claim(&state.db, &worker, KINDS, LEASE_MS).await {
            Ok(Some(job)) => run_one(&state, &worker, job).await,
            Ok(None) => {
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    () = state.jobs_notify.notified() => {},
                    () = tokio::time::sleep(IDLE_POLL) => {},
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not claim a job; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    }
    tracing::debug!(worker, "worker stopped");
}

async fn run_one(state: &AppState, worker: &str, job: ClaimedJob) {
    use tracing::Instrument;
    let span =
        tracing::info_span!("job", job.id = %job.id, job.kind = %job.kind, attempt = job.attempts);
    finish_one(state, worker, job).instrument(span).await;
}

async fn finish_one(state: &AppState, worker: &str, job: ClaimedJob) {
    let result = run_job(state, worker, &job).await;
    match result {
        Ok(Outcome::Done) => {
            if let Err(e) = db::jobs::complete(&state.db, job.id, worker).await {
                tracing::error!(error = %e, "could not mark job done");
            }
        }
        Ok(Outcome::Yielded) => {}
        Err(message) => {
            tracing::error!(error = %message, "job failed");
            let backoff = 1000 * 2_i64.pow(u32::try_from(job.attempts.clamp(0, 10)).unwrap_or(10));
            if let Err(e) = db::jobs::fail(&state.db, &job, worker, &message, backoff).await {
                tracing::error!(error = %e, "could not record job failure");
            }
        }
    }
}

/// Runs one claimed job by its kind (the caller marks it done or failed).
pub async fn run_job(state: &AppState, worker: &str, job: &ClaimedJob) -> Result<Outcome, String> {
    match job.kind.as_str() {
        db::images::FETCH_JOB_KIND => crate::images::run_fetch_job(state, job).await,
        db::imports::JOB_KIND => match state.imports.run(&state.db, job, worker).await {
            Ok(db::imports::JobOutcome::Done) => Ok(Outcome::Done),
            Ok(db::imports::JobOutcome::Yielded) => {
                // Its turn is over and it is queued again: let an idle worker (or
                // this one) take the next job at once.
                state.wake_workers();
                Ok(Outcome::Yielded)
            }
            Err(e) => Err(e.to_string()),
        },
        other => Err(format!("unknown job kind {other}")),
    }
}

async fn maintenance_loop(state: AppState, shutdown: CancellationToken) {
    loop {
        match db::auth::purge_expired(&state.db).await {
            Ok(n) if n > 0 => {
                tracing::info!(rows = n, "purged expired sessions and old login attempts")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "maintenance failed"),
        }
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(Duration::from_secs(3600)) => {},
        }
    }
}

/// Seconds between ledger runs (`BAZAAR_LEDGER_INTERVAL_SECS`, default five minutes).
const LEDGER_INTERVAL_DEFAULT_SECS: u64 = 300;
/// Holds released per run at most; the next run continues.
const RELEASE_LIMIT: usize = 50_000;

fn ledger_interval() -> Duration {
    let secs = std::env::var("BAZAAR_LEDGER_INTERVAL_SECS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(LEDGER_INTERVAL_DEFAULT_SECS);
    Duration::from_secs(secs)
}

/// Releases the holds that are due, proposes the payout batches the schedule asks
/// for and charges late-shipment penalties. All are idempotent and safe with several instances running them at once.
async fn ledger_loop(state: AppState, shutdown: CancellationToken) {
    let interval = ledger_interval();
    loop {
        ledger_tick(&state).await;
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(interval) => {},
        }
    }
}

/// One ledger run; failures are logged here and retried on the next run.
pub async fn ledger_tick(state: &AppState) {
    let now = domain::time::Timestamp::now();
    match db::ledger::holds::release_due_holds(&state.db, now, RELEASE_LIMIT).await {
        Ok(r) if r.released > 0 => tracing::info!(
            holds = r.released,
            transactions = r.transactions,
            released_minor = r.released_minor,
            "released due holds"
        ),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "releasing due holds failed"),
    }
    match db::ledger::payouts::run_payout_schedule(&state.db, now).await {
        Ok(batches) if !batches.is_empty() => {
            tracing::info!(batches = batches.len(), "proposed scheduled payout batches")
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "payout schedule failed"),
    }
    // Paid shipments past their shipping deadline: the late-shipment penalty, once.
    match db::orders::shipments::penalise_overdue(&state.db, now, &state.settings.orders, 500).await
    {
        Ok(n) if n > 0 => tracing::info!(shipments = n, "late-shipment penalties charged"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "late-shipment penalties failed"),
    }
}
