//! Claiming the next 20 moderation items with a million waiting.
//!
//! ```sh
//! nice cargo bench -p db --bench moderation_claim -- [pending]     # default 1,000,000
//! TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test BENCH_ENGINES=postgres \
//!   nice cargo bench -p db --bench moderation_claim
//! ```
//!
//! The queue is filled with `pending` real SKUs, revisions and queue rows (bulk SQL),
//! then ten moderators take turns: each claims 20 (the claim transaction, timed) while
//! the others still hold theirs, then "decides" its 20 (they leave the queue), so
//! every claim skips about 180 live leases at the front of the queue. A second series
//! times `queue::claim`, which also loads the claimed list with seller and SKU data.
//! Without `--bench` (as under `cargo test --all-targets`) it is a 2,000-item smoke run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

/// The server's allocator (see `server/src/main.rs`), so the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use db::Db;
use db::auth::ModeratorCtx;
use db::moderation::queue;
use db::testing::{TestDb, staff, two_sellers};
use domain::accounts::Role;
use std::time::{Duration, Instant};

const MODERATORS: usize = 10;
const BATCH: i64 = 20;

async fn fill(db: &Db, seller: &str, n: i64) {
    let t = Instant::now();
    let mut tx = db.begin().await.unwrap();
    sqlx::query(
        "INSERT INTO skus (id, seller_id, seller_sku, status, live_revision_id, latest_revision_id, title, brand, \
         category_code, barcode, price_minor, old_price_minor, currency, vat, stock, content_hash, commercial_hash, \
         search_text, created_at, updated_at) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
         SELECT 'sku-' || i, $2, 'SKU-' || i, 'pending_moderation', NULL, 'rev-' || i, 'Товар ' || i, NULL, \
         'tshirts', NULL, 100000, NULL, 'RUB', 'none', 1, 'h', 'h', 'sku-' || i, i, i FROM n",
    )
    .bind(n)
    .bind(seller)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO sku_revisions (id, sku_id, seller_id, number, status, content, content_hash, source, created_at, \
         check_state) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
         SELECT 'rev-' || i, 'sku-' || i, $2, 1, 'pending', '{}', 'h', 'api', i, 'queued' FROM n",
    )
    .bind(n)
    .bind(seller)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO moderation_queue (revision_id, sku_id, seller_id, priority, submitted_at, enqueued_at, flag_count, \
         lease_owner, lease_until) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
         SELECT 'rev-' || i, 'sku-' || i, $2, i % 3, i, i, 0, NULL, 0 FROM n",
    )
    .bind(n)
    .bind(seller)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    if db.engine() == db::Engine::Postgres {
        sqlx::query("ANALYZE").execute(db.pool()).await.unwrap();
    }
    println!(
        "  filled {n} pending items in {:.1} s",
        t.elapsed().as_secs_f64()
    );
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn report(engine: &str, what: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{engine:<10} {what:<28} n={:<5} p50={:.2} ms  p95={:.2} ms  p99={:.2} ms  max={:.2} ms",
        times.len(),
        percentile(&times, 0.50),
        percentile(&times, 0.95),
        percentile(&times, 0.99),
        percentile(&times, 1.0),
    );
}

/// Each moderator's turn: claim 20 (timed), then the 20 it held before leave the queue.
async fn series(db: &Db, mods: &[ModeratorCtx], rounds: usize, with_list: bool) -> Vec<Duration> {
    let mut held: Vec<Vec<String>> = vec![Vec::new(); mods.len()];
    let mut times = Vec::with_capacity(rounds);
    for r in 0..rounds {
        let k = r % mods.len();
        // Decide what this moderator held (as a moderator would before claiming more).
        if !held[k].is_empty() {
            let mut tx = db.begin().await.unwrap();
            for id in held[k].drain(..) {
                sqlx::query("DELETE FROM moderation_queue WHERE revision_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
            tx.commit().await.unwrap();
        }
        let t = Instant::now();
        let ids = if with_list {
            queue::claim(db, &mods[k], BATCH)
                .await
                .unwrap()
                .into_iter()
                .map(|i| i.revision_id)
                .collect()
        } else {
            queue::claim_ids(db, &mods[k], BATCH, queue::LEASE_MS)
                .await
                .unwrap()
        };
        times.push(t.elapsed());
        assert_eq!(ids.len(), BATCH as usize, "a claim came back short");
        held[k] = ids;
    }
    for (k, ids) in held.iter().enumerate() {
        if !ids.is_empty() {
            queue::release(db, &mods[k], ids).await.unwrap();
        }
    }
    times
}

async fn run_engine(engine: &str, test_db: TestDb, pending: i64, rounds: usize) {
    let db = test_db.db.clone();
    let ab = two_sellers(&db).await;
    let seller = ab.a.seller().unwrap().seller_id().to_string();
    let mut mods = Vec::new();
    for i in 0..MODERATORS {
        mods.push(
            staff(&db, &format!("m{i}@bench.test"), Role::Moderator)
                .await
                .moderator()
                .unwrap(),
        );
    }
    println!("{engine}:");
    fill(&db, &seller, pending).await;
    // Warm-up.
    series(&db, &mods, 20, false).await;
    report(
        engine,
        "claim 20 (transaction)",
        series(&db, &mods, rounds, false).await,
    );
    report(
        engine,
        "claim 20 + load the list",
        series(&db, &mods, rounds, true).await,
    );
    test_db.finish().await;
}

fn main() {
    let bench_mode = std::env::args().any(|a| a == "--bench");
    let pending: i64 = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(if bench_mode { 1_000_000 } else { 2_000 });
    let rounds = if bench_mode { 1000 } else { 30 };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let engines = std::env::var("BENCH_ENGINES").unwrap_or_else(|_| "sqlite,postgres".into());
        if engines.contains("sqlite") {
            run_engine("sqlite", TestDb::sqlite().await, pending, rounds).await;
        }
        if engines.contains("postgres") {
            match TestDb::postgres().await {
                Some(t) => run_engine("postgres", t, pending, rounds).await,
                None => println!("postgres   skipped: set TEST_DATABASE_URL"),
            }
        }
    });
}
