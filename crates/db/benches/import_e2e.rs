//! End-to-end CSV import benchmark: a generated seller file (realistic Russian rows,
//! 8 attributes, 2 image URLs, 0.5 % bad rows) is uploaded into the blob store and
//! imported by the real job runner into SQLite and PostgreSQL; then the unchanged
//! file is imported again.
//!
//! ```text
//! nice cargo bench -p db --bench import_e2e -- [rows]        # default 1,000,000
//! TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test  # adds PostgreSQL
//! ```
//!
//! Prints rows/s for each phase, where the time went (reading + validating on the
//! reader thread vs. database transactions), the CPU time of this process and of the
//! PostgreSQL server processes, and the peak RSS of each phase (`VmHWM`, reset
//! between phases through `/proc/self/clear_refs`). Run with `MALLOC_ARENA_MAX=2` to
//! measure what the server uses with that setting (see BENCHMARKS.md).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)] // a benchmark binary

/// The server's allocator (see `server/src/main.rs`), so the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use bytes::Bytes;
use db::blobs::BlobStore;
use db::imports::{Accepted, ImportRunner, JOB_KIND, JobOutcome, RunnerOptions, Upload};
use db::testing::TestDb;
use domain::Locale;
use domain::catalog::CategoryIndex;
use domain::imports::sample::{SampleOptions, write_sample};
use domain::imports::{Delimiter, HeaderStyle, ImportMode, SourceEncoding};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// User and system CPU time of this process so far (`/proc/self/stat`, clock ticks of
/// 1/100 s), in seconds.
fn cpu_seconds() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) / 100.0, ticks(12) / 100.0)
}

/// CPU time (user + system, seconds) of all `postgres` processes on this machine: the
/// server's share of the work. Other clients of the same server count too, so it is
/// an upper bound on a shared machine.
fn postgres_cpu_seconds() -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    let mut total = 0.0;
    for entry in dir.flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        if !head.ends_with("(postgres") {
            continue;
        }
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        total += (ticks(11) + ticks(12)) / 100.0;
    }
    total
}

fn reset_peak_rss() {
    // "5" resets the peak resident set size (Linux ≥ 4.0).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn generate(path: &Path, rows: u64) -> u64 {
    let file = std::fs::File::create(path).unwrap();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let summary = write_sample(
        &mut out,
        &CategoryIndex::starter(),
        &SampleOptions {
            rows,
            seed: 42,
            bad_rows_per_thousand: 5,
            encoding: SourceEncoding::Utf8,
            delimiter: Delimiter::Semicolon,
            bom: true,
            headers: HeaderStyle::Canonical,
            categories: Vec::new(),
        },
    )
    .unwrap();
    out.flush().unwrap();
    summary.bytes
}

/// The file as a stream of 256 KB chunks, read as it is uploaded.
fn file_stream(
    path: &Path,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send + Unpin + 'static {
    let path = path.to_path_buf();
    Box::pin(futures::stream::unfold(None, move |file| {
        let path = path.clone();
        async move {
            let mut file = match file {
                Some(f) => f,
                None => match tokio::fs::File::open(&path).await {
                    Ok(f) => f,
                    Err(e) => return Some((Err(e), None)),
                },
            };
            let mut buf = vec![0u8; 256 * 1024];
            match file.read(&mut buf).await {
                Ok(0) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some((Ok(Bytes::from(buf)), Some(file)))
                }
                Err(e) => Some((Err(e), None)),
            }
        }
    }))
}

struct Phase {
    upload: Duration,
    import: Duration,
    rss_mb: f64,
    read_validate: Duration,
    database: Duration,
    counts: domain::imports::ImportCounts,
    /// CPU time of this process during the phase (upload and import).
    cpu_user: f64,
    cpu_sys: f64,
    /// CPU time of the PostgreSQL server processes during the phase.
    postgres_cpu: f64,
}

async fn import_once(
    db: &db::Db,
    blobs: &BlobStore,
    ctx: &db::auth::SellerCtx,
    file: &Path,
) -> Phase {
    reset_peak_rss();
    let cpu_before = cpu_seconds();
    let pg_before = postgres_cpu_seconds();
    let t = Instant::now();
    let accepted = db::imports::create_import(
        db,
        blobs,
        ctx,
        Upload {
            file_name: "bench.csv".into(),
            mode: ImportMode::ApplyValid,
            overrides: Default::default(),
            body: file_stream(file),
            max_bytes: 4 << 30,
            locale: Locale::En,
            idempotency_key: None,
        },
    )
    .await
    .unwrap_or_else(|e| panic!("upload refused: {e}"));
    let upload = t.elapsed();
    let Accepted::Created { import, .. } = accepted else {
        panic!("not created")
    };
    // The server's runner settings (10,000-row slices, 10 s turns); `BENCH_SLICE_ROWS`
    // tries another slice size.
    let mut options = RunnerOptions::default();
    if let Some(rows) = std::env::var("BENCH_SLICE_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        options.slice_rows = rows;
    }
    let runner = ImportRunner::new(blobs.clone(), options);
    let t = Instant::now();
    while let Some(job) = db::jobs::claim(db, "bench", &[JOB_KIND], 60_000)
        .await
        .unwrap()
    {
        if runner.run(db, &job, "bench").await.unwrap() == JobOutcome::Done {
            db::jobs::complete(db, job.id, "bench").await.unwrap();
        }
    }
    let import_time = t.elapsed();
    let view = db::imports::get_import(db, ctx, import.id).await.unwrap();
    assert_eq!(
        view.status,
        domain::imports::ImportStatus::Succeeded,
        "{view:?}"
    );
    let stats = runner.stats();
    let cpu_after = cpu_seconds();
    Phase {
        cpu_user: cpu_after.0 - cpu_before.0,
        cpu_sys: cpu_after.1 - cpu_before.1,
        postgres_cpu: postgres_cpu_seconds() - pg_before,
        upload,
        import: import_time,
        rss_mb: peak_rss_mb(),
        read_validate: stats.read_validate,
        database: stats.database,
        counts: view.counts,
    }
}

fn report(engine: &str, phase: &str, p: &Phase) {
    let rows = p.counts.total as f64;
    let secs = p.import.as_secs_f64();
    println!(
        "{engine:<10} {phase:<10} rows {:>9}  upload {:>6.1} s  import {:>7.1} s  {:>9.0} rows/s  \
         (end to end incl. upload {:>9.0} rows/s)  reader thread busy {:>6.1} s  db transactions {:>6.1} s  \
         peak RSS {:>6.1} MB  process CPU user {:.1} s sys {:.1} s  postgres CPU {:.1} s  \
         created {} updated {} unchanged {} failed {}",
        p.counts.total,
        p.upload.as_secs_f64(),
        secs,
        rows / secs,
        rows / (secs + p.upload.as_secs_f64()),
        p.read_validate.as_secs_f64(),
        p.database.as_secs_f64(),
        p.rss_mb,
        p.cpu_user,
        p.cpu_sys,
        p.postgres_cpu,
        p.counts.created,
        p.counts.updated,
        p.counts.unchanged,
        p.counts.failed,
    );
}

async fn run_engine(engine: &str, test_db: TestDb, file: &Path) {
    let db = test_db.db.clone();
    let blob_dir = tempfile::tempdir().unwrap();
    let blobs = BlobStore::local(blob_dir.path()).unwrap();
    let ab = db::testing::two_sellers(&db).await;
    let ctx = ab.a.seller().unwrap();
    let first = import_once(&db, &blobs, &ctx, file).await;
    report(engine, "first", &first);
    let again = import_once(&db, &blobs, &ctx, file).await;
    report(engine, "unchanged", &again);
    test_db.finish().await;
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this binary
    // without it, as a quick smoke run of the same path.
    let bench_mode = std::env::args().any(|a| a == "--bench");
    let rows: u64 = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(if bench_mode { 1_000_000 } else { 2_000 });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bench.csv");
    let t = Instant::now();
    let bytes = generate(&file, rows);
    println!(
        "generated {rows} rows, {:.1} MB in {:.1} s",
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let engines = std::env::var("BENCH_ENGINES").unwrap_or_else(|_| "sqlite,postgres".into());
        if engines.contains("sqlite") {
            run_engine("sqlite", TestDb::sqlite().await, &file).await;
        }
        if engines.contains("postgres") {
            match TestDb::postgres().await {
                Some(t) => run_engine("postgres", t, &file).await,
                None => println!("postgres   skipped: set TEST_DATABASE_URL"),
            }
        }
    });
}
