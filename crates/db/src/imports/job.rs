//! The import job: streams an uploaded file through the domain's reader and
//! validator into the catalog, in slices.
//!
//! Two threads share the work: a blocking thread reads, decodes, parses and
//! validates rows into slices; the async side writes each slice in one transaction
//! (SKUs through [`apply_batch`], rejected rows into `import_errors`, the counters
//! and the checkpoint), so the database and the parser work at the same time. A
//! bounded channel between them keeps memory constant.
//!
//! Restart safety: a slice commits only while this worker still holds the job's
//! lease and only if the checkpoint is where this worker left it. A run that starts
//! from a committed checkpoint re-reads the rows before it (validating them again,
//! so duplicates of earlier SKUs are still caught) without applying them.
//!
//! Fairness: a run works for one turn ([`RunnerOptions::turn`]) and then yields the
//! job to the back of the queue. The reader, the validator and any slices read ahead
//! are kept in memory ([`ImportRunner`]), so the next turn continues where this one
//! stopped instead of re-reading the file; another process, or this one after a
//! restart, rebuilds them from the checkpoint.

use super::{ImportRow, category_index, load_row_any};
use crate::auth::{Actor, SellerCtx};
use crate::blobs::{BlobReader, BlobStore};
use crate::catalog::upsert::{BatchCounts, apply_batch};
use crate::jobs::ClaimedJob;
use crate::util::{now_ms, parse_col};
use crate::{Db, Engine, Error, Result};
use domain::Locale;
use domain::accounts::SellerStatus;
use domain::catalog::{SkuRules, ValidatedSku};
use domain::ids::ImportId;
use domain::imports::{
    ImportError, ImportMode, ImportPhase, ImportReader, ImportSettings, RowCells, RowValidator,
};
use sqlx::{AnyConnection, Connection as _};
use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The `jobs.kind` of imports. Payload: `{"import_id": "..."}`.
pub const JOB_KIND: &str = "import";

/// Slices read ahead of the one being written. One is enough to keep the reader
/// and the database busy at the same time (the reader is the faster of the two);
/// each slice more costs its rows in memory.
const READ_AHEAD_SLICES: usize = 1;
/// Paused imports kept in memory at most (each holds its reader and the SKUs seen).
const MAX_SUSPENDED: usize = 4;
/// A paused import not resumed within this time is forgotten (it resumes from its
/// checkpoint instead).
const SUSPENDED_TTL: Duration = Duration::from_secs(600);

/// How an import job works through a file.
#[derive(Debug, Clone)]
pub struct RunnerOptions {
    /// Rows per slice: one transaction each.
    pub slice_rows: usize,
    /// After this long a run yields the job, so other sellers' imports get turns.
    pub turn: Duration,
    /// ... or after this many slices, whichever comes first.
    pub max_slices_per_turn: usize,
    /// How long each committed slice extends the job's lease.
    pub lease_ms: i64,
}

impl Default for RunnerOptions {
    fn default() -> Self {
        RunnerOptions {
            // Per slice transaction there is a fixed cost (lease, counters, commit,
            // and on SQLite the WAL write of every index page the slice touched:
            // random-order indexes such as title or price are touched all over), so
            // bigger slices are cheaper per row (20,000 rows: ~15 % less CPU), but
            // every slice in flight holds its rows in memory (~30 MB per 20,000);
            // 10,000 keeps the import's peak RSS near 200 MB.
            slice_rows: 10_000,
            turn: Duration::from_secs(10),
            max_slices_per_turn: usize::MAX,
            lease_ms: 60_000,
        }
    }
}

/// What a run decided about its job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOutcome {
    /// The import finished (succeeded or failed): mark the job done.
    Done,
    /// The run stopped after its turn and put the job back in the queue (or lost its
    /// lease to another worker): nothing more to do.
    Yielded,
}

/// Where the time of the imports run by this runner went (for the benchmark).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunnerStats {
    /// Rows read and committed.
    pub rows: u64,
    /// Time the reader thread spent reading, parsing and validating.
    pub read_validate: Duration,
    /// Time spent in slice transactions (SKU writes, rejected rows, counters).
    pub database: Duration,
    pub slices: u64,
}

#[derive(Default)]
struct Stats {
    rows: AtomicU64,
    read_validate_ns: AtomicU64,
    database_ns: AtomicU64,
    slices: AtomicU64,
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Runs import jobs. One per process, shared by its workers: it keeps paused
/// imports between turns.
pub struct ImportRunner {
    blobs: BlobStore,
    options: RunnerOptions,
    suspended: Mutex<HashMap<ImportId, Suspended>>,
    stats: Stats,
}

/// A rejected row as stored: its cells and problems as JSON.
struct StoredError {
    row: u64,
    sku: Option<String>,
    cells: String,
    problems: String,
}

/// Rows read and validated together, written in one transaction.
#[derive(Default)]
struct Slice {
    valid: Vec<ValidatedSku>,
    valid_count: u64,
    rejected: Vec<StoredError>,
    /// Data rows in the slice (valid and rejected).
    rows: u64,
    /// Record number of the slice's last row.
    last_row: u64,
    /// Bytes of the file read when the slice was complete.
    bytes_read: u64,
    /// The file ended with this slice.
    eof: bool,
}

/// The reading side: the file's reader and the validator (which remembers every SKU
/// seen, to refuse duplicates within the file).
struct Producer {
    reader: ImportReader<BlobReader>,
    validator: RowValidator,
    /// Whether valid SKUs are kept (apply pass) or only counted (validate pass).
    keep_valid: bool,
    /// Rows up to this record number were committed by an earlier run: they are
    /// validated again (to remember their SKUs) but not written.
    skip_through: u64,
    eof: bool,
}

impl Producer {
    fn next_slice(&mut self, max_rows: usize) -> Result<Slice, ImportError> {
        let mut slice = Slice {
            valid: Vec::with_capacity(if self.keep_valid { max_rows } else { 0 }),
            ..Slice::default()
        };
        while slice.rows < max_rows as u64 {
            let Some(row) = self.reader.next_row()? else {
                slice.eof = true;
                self.eof = true;
                break;
            };
            let number = row.row();
            let result = self.validator.validate(number, &row);
            if number <= self.skip_through {
                continue;
            }
            slice.rows += 1;
            slice.last_row = number;
            match result {
                Ok(sku) => {
                    slice.valid_count += 1;
                    if self.keep_valid {
                        slice.valid.push(sku);
                    }
                }
                Err(rejected) => {
                    let cells: Vec<&str> = (0..row.len()).map(|i| row.cell(i)).collect();
                    slice.rejected.push(StoredError {
                        row: number,
                        sku: rejected.sku.clone(),
                        cells: serde_json::to_string(&cells).unwrap_or_else(|_| "[]".into()),
                        problems: serde_json::to_string(&rejected.problems)
                            .unwrap_or_else(|_| "[]".into()),
                    });
                }
            }
        }
        slice.bytes_read = self.reader.bytes_read();
        Ok(slice)
    }
}

/// An import paused between turns.
struct Suspended {
    phase: ImportPhase,
    checkpoint: u64,
    producer: Producer,
    pending: VecDeque<Slice>,
    at: Instant,
}

/// How one pass over the file ended.
enum PassEnd {
    /// The file was read to its end and every row committed.
    Finished,
    Yielded,
    /// Another worker holds the job now, or the checkpoint moved under us.
    LostLease,
    /// The file cannot be read further (a row longer than 1 MB, a mapping that no
    /// longer fits the category tree): the import fails.
    FileError {
        code: String,
        message: String,
    },
}

impl ImportRunner {
    pub fn new(blobs: BlobStore, options: RunnerOptions) -> ImportRunner {
        ImportRunner {
            blobs,
            options,
            suspended: Mutex::new(HashMap::new()),
            stats: Stats::default(),
        }
    }

    pub fn options(&self) -> &RunnerOptions {
        &self.options
    }

    pub fn stats(&self) -> RunnerStats {
        RunnerStats {
            rows: self.stats.rows.load(Ordering::Relaxed),
            read_validate: Duration::from_nanos(
                self.stats.read_validate_ns.load(Ordering::Relaxed),
            ),
            database: Duration::from_nanos(self.stats.database_ns.load(Ordering::Relaxed)),
            slices: self.stats.slices.load(Ordering::Relaxed),
        }
    }

    /// Runs one turn of an import job claimed by `worker`.
    ///
    /// An error means the job should be retried later (the worker records it). On
    /// the job's last attempt the import itself is marked failed, so no import stays
    /// `running` forever.
    #[tracing::instrument(skip_all, fields(job.id = %job.id))]
    pub async fn run(&self, db: &Db, job: &ClaimedJob, worker: &str) -> Result<JobOutcome> {
        let import_id: ImportId = job
            .payload
            .get("import_id")
            .and_then(|v| v.as_str())
            .ok_or_else(|| Error::Internal(format!("import job {} has no import_id", job.id)))
            .and_then(|s| parse_col("jobs.payload.import_id", s))?;
        match self.run_import(db, job, worker, import_id).await {
            Ok(outcome) => Ok(outcome),
            Err(e) => {
                self.forget(import_id);
                if job.attempts >= job.max_attempts {
                    let message = "The import stopped because of an error on our side. Upload the file again; if it happens again, contact support.";
                    if let Err(e2) = finish_failed(db, import_id, "internal", message).await {
                        tracing::error!(error = %e2, "could not mark a broken import failed");
                    }
                }
                Err(e)
            }
        }
    }

    fn forget(&self, id: ImportId) {
        if let Ok(mut s) = self.suspended.lock() {
            s.remove(&id);
        }
    }

    fn take_suspended(
        &self,
        id: ImportId,
        phase: ImportPhase,
        checkpoint: u64,
    ) -> Option<Suspended> {
        let mut map = self.suspended.lock().ok()?;
        let s = map.remove(&id)?;
        (s.phase == phase && s.checkpoint == checkpoint && s.at.elapsed() < SUSPENDED_TTL)
            .then_some(s)
    }

    fn suspend(&self, id: ImportId, s: Suspended) {
        let Ok(mut map) = self.suspended.lock() else {
            return;
        };
        map.retain(|_, v| v.at.elapsed() < SUSPENDED_TTL);
        while map.len() >= MAX_SUSPENDED {
            let Some(oldest) = map.iter().min_by_key(|(_, v)| v.at).map(|(k, _)| *k) else {
                break;
            };
            map.remove(&oldest);
        }
        map.insert(id, s);
    }

    async fn run_import(
        &self,
        db: &Db,
        job: &ClaimedJob,
        worker: &str,
        id: ImportId,
    ) -> Result<JobOutcome> {
        let Some(row) = load_row_any(db, id).await? else {
            tracing::warn!(import.id = %id, "the import of this job is gone");
            return Ok(JobOutcome::Done);
        };
        if row.status()?.is_finished() {
            self.forget(id);
            return Ok(JobOutcome::Done);
        }
        mark_running(db, id).await?;
        let ctx = seller_ctx(db, &row).await?;
        if let Err(e) = ctx.require_catalog_write() {
            finish_failed(db, id, e.code().as_str(), &e.to_string()).await?;
            return Ok(JobOutcome::Done);
        }
        let Some(settings) = row.settings()? else {
            return Err(Error::Internal(format!("import {id} has no settings")));
        };
        let mode = row.mode()?;
        let mut phase = row.phase()?;
        let mut checkpoint = u64::try_from(row.checkpoint_row).unwrap_or(0);
        let started = Instant::now();
        let mut slices_this_turn = 0;
        loop {
            let end = self
                .run_pass(
                    db,
                    job,
                    worker,
                    &ctx,
                    &row,
                    &settings,
                    Pass {
                        id,
                        mode,
                        phase,
                        checkpoint,
                    },
                    started,
                    &mut slices_this_turn,
                )
                .await?;
            match end {
                PassEnd::Yielded | PassEnd::LostLease => return Ok(JobOutcome::Yielded),
                PassEnd::FileError { code, message } => {
                    finish_failed(db, id, &code, &message).await?;
                    self.delete_blob(&row).await;
                    return Ok(JobOutcome::Done);
                }
                PassEnd::Finished => {}
            }
            if mode == ImportMode::AllOrNothing && phase == ImportPhase::Validate {
                let failed = failed_rows(db, id).await?;
                if failed > 0 {
                    let message = format!(
                        "{failed} rows have problems, so nothing was imported (all-or-nothing mode). \
                         Download the error report, fix those rows and upload the file again. / \
                         В {failed} строках есть ошибки, поэтому ничего не загружено (режим «всё или ничего»). \
                         Скачайте отчёт об ошибках, исправьте строки и загрузите файл снова."
                    );
                    finish_failed(db, id, "rows_rejected", &message).await?;
                    self.delete_blob(&row).await;
                    return Ok(JobOutcome::Done);
                }
                if !start_apply_phase(db, id).await? {
                    return Ok(JobOutcome::Yielded);
                }
                phase = ImportPhase::Apply;
                checkpoint = 0;
                continue;
            }
            finish_succeeded(db, id).await?;
            self.delete_blob(&row).await;
            return Ok(JobOutcome::Done);
        }
    }

    async fn delete_blob(&self, row: &ImportRow) {
        if let Err(e) = self.blobs.delete(&row.blob_key).await {
            tracing::warn!(error = %e, blob_key = %row.blob_key, "could not delete an imported file");
        }
    }

    async fn open_producer(
        &self,
        db: &Db,
        row: &ImportRow,
        settings: &ImportSettings,
        pass: &Pass,
    ) -> Result<Result<Producer, ImportError>> {
        let index = category_index(db).await?;
        let blob = self.blobs.reader(
            &row.blob_key,
            u64::try_from(row.size_bytes).unwrap_or(0),
            tokio::runtime::Handle::current(),
        );
        let settings = settings.clone();
        let keep_valid = pass.phase == ImportPhase::Apply;
        let skip_through = pass.checkpoint;
        tokio::task::spawn_blocking(move || {
            let reader = ImportReader::new(blob, &settings.reader_options(false))?;
            let validator = RowValidator::new(index, &settings.mapping, SkuRules::default())?;
            Ok(Producer {
                reader,
                validator,
                keep_valid,
                skip_through,
                eof: false,
            })
        })
        .await
        .map_err(|e| Error::Internal(format!("the import reader thread failed: {e}")))
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one pass needs the whole job context"
    )]
    async fn run_pass(
        &self,
        db: &Db,
        job: &ClaimedJob,
        worker: &str,
        ctx: &SellerCtx,
        row: &ImportRow,
        settings: &ImportSettings,
        mut pass: Pass,
        started: Instant,
        slices_this_turn: &mut usize,
    ) -> Result<PassEnd> {
        let (producer, mut pending) =
            match self.take_suspended(pass.id, pass.phase, pass.checkpoint) {
                Some(s) => (s.producer, s.pending),
                None => match self.open_producer(db, row, settings, &pass).await? {
                    Ok(p) => (p, VecDeque::new()),
                    Err(e) => return Ok(file_error(&e)),
                },
            };
        let stop = Arc::new(AtomicBool::new(false));
        let (tx, mut rx) =
            tokio::sync::mpsc::channel::<Result<Slice, ImportError>>(READ_AHEAD_SLICES);
        let slice_rows = self.options.slice_rows.max(1);
        let thread_stop = stop.clone();
        let mut reading = tokio::task::spawn_blocking(move || {
            let mut producer = producer;
            let mut busy = Duration::ZERO;
            while !producer.eof && !thread_stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                let slice = producer.next_slice(slice_rows);
                busy += t.elapsed();
                let failed = slice.is_err();
                if tx.blocking_send(slice).is_err() || failed {
                    break;
                }
            }
            (producer, busy)
        });
        let source = format!("import:{}", pass.id);
        // One connection writes every slice of the turn. SQLite keeps its page cache
        // per connection and drops it when another connection wrote since, so slices
        // rotating through the pool each started cold and re-read the indexes they
        // update; on one connection the hot pages stay cached from slice to slice.
        let mut conn = db.bound_cache_for_bulk_write().await?;
        let end = loop {
            let slice = match pending.pop_front() {
                Some(s) => s,
                None => match rx.recv().await {
                    Some(Ok(s)) => s,
                    Some(Err(e)) => break file_error(&e),
                    // The reader stopped without reaching the end: it was told to.
                    None => break PassEnd::Yielded,
                },
            };
            let t = Instant::now();
            let committed = commit_slice(
                &mut conn,
                db.engine(),
                job,
                worker,
                ctx,
                &source,
                &pass,
                &slice,
                self.options.lease_ms,
            )
            .await?;
            self.stats
                .database_ns
                .fetch_add(nanos(t.elapsed()), Ordering::Relaxed);
            if !committed {
                break PassEnd::LostLease;
            }
            self.stats.rows.fetch_add(slice.rows, Ordering::Relaxed);
            self.stats.slices.fetch_add(1, Ordering::Relaxed);
            if slice.rows > 0 {
                pass.checkpoint = slice.last_row;
            }
            if slice.eof {
                break PassEnd::Finished;
            }
            *slices_this_turn += 1;
            if started.elapsed() >= self.options.turn
                || *slices_this_turn >= self.options.max_slices_per_turn
            {
                break PassEnd::Yielded;
            }
        };
        drop(conn);
        // Stop the reader and collect what it read ahead.
        stop.store(true, Ordering::Relaxed);
        let mut read_ahead_failed = false;
        if matches!(end, PassEnd::Yielded) {
            while let Some(item) = rx.recv().await {
                match item {
                    Ok(s) => pending.push_back(s),
                    Err(_) => read_ahead_failed = true,
                }
            }
        } else {
            rx.close();
            while rx.recv().await.is_some() {}
        }
        let (producer, busy) = (&mut reading)
            .await
            .map_err(|e| Error::Internal(format!("the import reader thread failed: {e}")))?;
        self.stats
            .read_validate_ns
            .fetch_add(nanos(busy), Ordering::Relaxed);
        if !matches!(end, PassEnd::Yielded) {
            return Ok(end);
        }
        // Keep the reader for the next turn (unless it broke), then give the turn away.
        // It is parked before the job is re-queued, so a worker of this process that
        // picks the job up at once finds it.
        if !read_ahead_failed {
            self.suspend(
                pass.id,
                Suspended {
                    phase: pass.phase,
                    checkpoint: pass.checkpoint,
                    producer,
                    pending,
                    at: Instant::now(),
                },
            );
        }
        let mut tx = db.begin().await?;
        let still_ours = crate::jobs::yield_slice(&mut tx, job.id, worker).await?;
        tx.commit().await?;
        if !still_ours {
            self.forget(pass.id);
            return Ok(PassEnd::LostLease);
        }
        Ok(PassEnd::Yielded)
    }
}

/// Which pass a run is making, and where it stands.
struct Pass {
    id: ImportId,
    mode: ImportMode,
    phase: ImportPhase,
    /// The last committed record number.
    checkpoint: u64,
}

fn file_error(e: &ImportError) -> PassEnd {
    PassEnd::FileError {
        code: e.code().to_string(),
        message: format!("{} / {}", e.message(Locale::En), e.message(Locale::Ru)),
    }
}

/// Bind parameters per `import_errors` row.
const ERROR_BINDS_PER_ROW: usize = 5;
const ERROR_ROWS_PER_STATEMENT: usize = 500;

/// Writes one slice in one transaction: SKUs, rejected rows, counters, checkpoint.
/// Returns false (and writes nothing) when this worker no longer holds the job or the
/// checkpoint is not where this run left it.
#[expect(clippy::too_many_arguments, reason = "the slice and where it belongs")]
async fn commit_slice(
    conn: &mut AnyConnection,
    engine: Engine,
    job: &ClaimedJob,
    worker: &str,
    ctx: &SellerCtx,
    source: &str,
    pass: &Pass,
    slice: &Slice,
    lease_ms: i64,
) -> Result<bool> {
    if slice.rows == 0 {
        return Ok(true);
    }
    let now = now_ms();
    let mut tx = conn.begin_with(engine.begin_write()).await?;
    // The lease: only the worker holding the job may commit its progress. Extending
    // it here doubles as the heartbeat.
    let held = sqlx::query(
        "UPDATE jobs SET locked_until = $1, updated_at = $2 WHERE id = $3 AND locked_by = $4 AND status = 'running'",
    )
    .bind(now + lease_ms)
    .bind(now)
    .bind(job.id.to_string())
    .bind(worker)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if held != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    let counts = if pass.phase == ImportPhase::Apply {
        apply_batch(&mut tx, ctx, &slice.valid, source).await?
    } else {
        BatchCounts::default()
    };
    let import_id = pass.id.to_string();
    for chunk in slice.rejected.chunks(ERROR_ROWS_PER_STATEMENT) {
        let mut sql = String::from(
            "INSERT INTO import_errors (import_id, row_number, seller_sku, cells, problems) VALUES ",
        );
        // Every row binds the import id again: parameters used once each, in order,
        // bind fastest on SQLite (see `Engine::numbered_params`).
        let mut n = 1;
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            let _ = write!(
                sql,
                "(${}, ${}, ${}, ${}, ${})",
                n,
                n + 1,
                n + 2,
                n + 3,
                n + 4
            );
            n += ERROR_BINDS_PER_ROW;
        }
        // Only the full-size statement is worth keeping prepared (see upsert.rs).
        let mut q = sqlx::query(sqlx::AssertSqlSafe(engine.numbered_params(sql)))
            .persistent(chunk.len() == ERROR_ROWS_PER_STATEMENT);
        for e in chunk {
            q = q
                .bind(import_id.clone())
                .bind(i64::try_from(e.row).unwrap_or(i64::MAX))
                .bind(e.sku.clone())
                .bind(e.cells.clone())
                .bind(e.problems.clone());
        }
        q.execute(&mut *tx).await?;
    }
    // An all-or-nothing import counted its rows in the validate pass already.
    let counted_rows = if pass.mode == ImportMode::AllOrNothing && pass.phase == ImportPhase::Apply
    {
        0
    } else {
        slice.rows
    };
    let as_i64 = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    let moved = sqlx::query(
        "UPDATE imports SET total_rows = total_rows + $1, created_rows = created_rows + $2, \
         updated_rows = updated_rows + $3, unchanged_rows = unchanged_rows + $4, failed_rows = failed_rows + $5, \
         checkpoint_row = $6, processed_bytes = $7 \
         WHERE id = $8 AND checkpoint_row = $9 AND phase = $10 AND status = 'running'",
    )
    .bind(as_i64(counted_rows))
    .bind(as_i64(counts.created))
    .bind(as_i64(counts.updated))
    .bind(as_i64(counts.unchanged))
    .bind(as_i64(slice.rejected.len() as u64))
    .bind(as_i64(slice.last_row))
    .bind(as_i64(slice.bytes_read))
    .bind(&import_id)
    .bind(as_i64(pass.checkpoint))
    .bind(pass.phase.as_str())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if moved != 1 {
        tracing::warn!(import.id = %pass.id, "the import's checkpoint moved under this run; stopping it");
        tx.rollback().await?;
        return Ok(false);
    }
    tx.commit().await?;
    Ok(true)
}

/// The seller the import acts for, with their current status (a seller suspended
/// since the upload may not change listings any more).
async fn seller_ctx(db: &Db, row: &ImportRow) -> Result<SellerCtx> {
    let (status,): (String,) = sqlx::query_as("SELECT status FROM sellers WHERE id = $1")
        .bind(&row.seller_id)
        .fetch_one(db.pool())
        .await?;
    let status: SellerStatus = parse_col("sellers.status", &status)?;
    Ok(SellerCtx::for_system(row.seller()?, status))
}

async fn mark_running(db: &Db, id: ImportId) -> Result<()> {
    let now = now_ms();
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE imports SET status = 'running', started_at = COALESCE(started_at, $1) WHERE id = $2 AND status = 'queued'",
    )
    .bind(now)
    .bind(id.to_string())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn failed_rows(db: &Db, id: ImportId) -> Result<u64> {
    let (n,): (i64,) = sqlx::query_as("SELECT failed_rows FROM imports WHERE id = $1")
        .bind(id.to_string())
        .fetch_one(db.pool())
        .await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Moves an all-or-nothing import from its validate pass to its apply pass.
async fn start_apply_phase(db: &Db, id: ImportId) -> Result<bool> {
    let mut tx = db.begin().await?;
    let n = sqlx::query(
        "UPDATE imports SET phase = 'apply', checkpoint_row = 0, processed_bytes = 0 \
         WHERE id = $1 AND phase = 'validate' AND status = 'running'",
    )
    .bind(id.to_string())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(n == 1)
}

async fn finish(
    db: &Db,
    id: ImportId,
    status: &str,
    code: Option<&str>,
    message: Option<&str>,
) -> Result<()> {
    let now = now_ms();
    let mut tx = db.begin().await?;
    let row: Option<(String, i64, i64, i64, i64, i64)> = sqlx::query_as(
        "UPDATE imports SET status = $1, error_code = $2, error_message = $3, finished_at = $4, \
         processed_bytes = CASE WHEN $1 = 'succeeded' THEN size_bytes ELSE processed_bytes END \
         WHERE id = $5 AND status IN ('queued', 'running') \
         RETURNING seller_id, total_rows, created_rows, updated_rows, unchanged_rows, failed_rows",
    )
    .bind(status)
    .bind(code)
    .bind(message)
    .bind(now)
    .bind(id.to_string())
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((seller, total, created, updated, unchanged, failed)) = row {
        crate::audit::record(
            &mut tx,
            &Actor::system(),
            &format!("import.{status}"),
            "import",
            &id.to_string(),
            Some(parse_col("imports.seller_id", &seller)?),
            serde_json::json!({
                "total": total, "created": created, "updated": updated,
                "unchanged": unchanged, "failed": failed, "error_code": code,
            }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn finish_succeeded(db: &Db, id: ImportId) -> Result<()> {
    finish(db, id, "succeeded", None, None).await
}

async fn finish_failed(db: &Db, id: ImportId, code: &str, message: &str) -> Result<()> {
    finish(db, id, "failed", Some(code), Some(message)).await
}
