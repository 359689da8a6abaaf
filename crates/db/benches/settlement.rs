//! Settling orders in the ledger, releasing holds into a payout batch, and reading
//! balances (issue 5).
//!
//! ```sh
//! BENCH_ENGINES=sqlite nice cargo bench -p db --bench settlement -- [orders] [payout_sellers]
//! TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test BENCH_ENGINES=postgres \
//!   nice cargo bench -p db --bench settlement -- [orders] [payout_sellers]
//! ```
//! Defaults: 100,000 orders, 50,000 payout sellers. Without `--bench` (as under
//! `cargo test --all-targets`) it is a 1,000-order, 500-seller smoke run.
//!
//! Everything goes through the public ledger API (`settle_captures`, `settle_capture`,
//! `release_due_holds`, `propose_payout_batch`, `seller_balances`, `verify`); only the
//! fixtures (sellers, categories, bank details, delivery times) are written with bulk
//! SQL, and generated orders are built before the clock starts.
//!
//! 1. `orders` generated orders with 1–5 sellers each (one shipment per seller, 1–2
//!    lines per shipment, five categories with different rules and windows), settled
//!    with `settle_captures` in batches of [`BATCH`] orders (a webhook worker draining
//!    its queue), in two distributions: spread over 10,000 sellers, and hot (every
//!    order on the same 3 sellers, so 1–3 sellers per order). Then `orders / 5` spread
//!    orders one per call with `settle_capture` (one payment event per transaction),
//!    then `orders / 5` spread orders as the payment webhook settles them under load
//!    (64 concurrent requests of one capture each through one `CaptureBatcher`), and
//!    `orders / 2` with 4 concurrent tasks, spread and hot.
//! 2. `payout_sellers` sellers with one settled order each, delivered long ago (bulk
//!    SQL) and with bank details: `release_due_holds` (all due) + `propose_payout_batch`.
//! 3. `seller_balances` latency for a seller with a short history and a hot seller
//!    with the longest one.
//! 4. `verify`: the bench fails if the ledger does not verify.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)] // a benchmark binary

/// The server's allocator (see `server/src/main.rs`), so the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use db::Db;
use db::ledger::balances::seller_balances;
use db::ledger::holds::release_due_holds;
use db::ledger::payouts::{PayoutSettings, propose_payout_batch, update_payout_settings};
use db::ledger::settlement::{
    CaptureInput, OrderLineSnapshot, Settlement, settle_capture, settle_captures,
};
use db::ledger::verify::verify;
use db::orders::capture_batch::CaptureBatcher;
use db::testing::{TestDb, staff};
use domain::accounts::Role;
use domain::ids::{OrderId, SellerId, ShipmentId};
use domain::ledger::IdempotencyKey;
use domain::money::Currency;
use domain::payouts::PayoutFrequency;
use domain::time::Timestamp;
use std::time::{Duration, Instant};
use uuid::Uuid;

const RUB: Currency = Currency::Rub;
/// Orders per `settle_captures` call.
const BATCH: usize = 100;
const SPREAD_SELLERS: usize = 10_000;
const HOT_SELLERS: usize = 3;
const TASKS: usize = 4;
const DAY_MS: i64 = 86_400_000;
const CATEGORIES: [&str; 5] = ["smartphones", "electronics", "clothing", "perfume", "misc"];

/// xorshift64*: reproducible orders without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

async fn insert_sellers(db: &Db, n: usize, prefix: &str) -> Vec<SellerId> {
    let ids: Vec<SellerId> = (0..n)
        .map(|_| SellerId::from_uuid(Uuid::now_v7()))
        .collect();
    let mut tx = db.begin().await.unwrap();
    for (c, chunk) in ids.chunks(500).enumerate() {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                format!(
                    "(${}, ${}, NULL, 'active', ${}, 0, 0)",
                    i * 3 + 1,
                    i * 3 + 2,
                    i * 3 + 3
                )
            })
            .collect();
        let query = format!(
            "INSERT INTO sellers (id, name, inn, status, search_text, created_at, updated_at) VALUES {}",
            values.join(",")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(query));
        for (i, id) in chunk.iter().enumerate() {
            let name = format!("{prefix} {}", c * 500 + i);
            q = q
                .bind(id.to_string())
                .bind(name.clone())
                .bind(name.to_lowercase());
        }
        q.execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    ids
}

async fn insert_bank_details(db: &Db, sellers: &[SellerId]) {
    let mut tx = db.begin().await.unwrap();
    for chunk in sellers.chunks(1_000) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                format!(
                    "(${}, 'ООО Продавец', '7707083893', '044525225', '40702810900000000001', \
                     '30101810400000000225', 'ПАО Сбербанк', 0, NULL)",
                    i + 1
                )
            })
            .collect();
        let query = format!(
            "INSERT INTO seller_payout_details (seller_id, recipient_name, inn, bik, account_number, \
             correspondent_account, bank_name, updated_at, updated_by) VALUES {}",
            values.join(",")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(query));
        for id in chunk {
            q = q.bind(id.to_string());
        }
        q.execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// Electronics (5 %) > smartphones, clothing (15 %), beauty > perfume with no returns;
/// `misc` is not in the catalog (default rule and window).
async fn insert_categories(db: &Db) {
    for (code, parent, days) in [
        ("electronics", None, 14_i64),
        ("smartphones", Some("electronics"), 14),
        ("clothing", None, 14),
        ("beauty", None, 0),
        ("perfume", Some("beauty"), 0),
    ] {
        sqlx::query(
            "INSERT INTO categories (code, parent_code, name_ru, name_en, return_window_days, attributes, \
             position, created_at, updated_at) VALUES ($1, $2, $1, $1, $3, '[]', 0, 0, 0)",
        )
        .bind(code)
        .bind(parent)
        .bind(days)
        .execute(db.pool())
        .await
        .unwrap();
    }
}

/// An order over `sellers_in_order` distinct sellers drawn from `pool`: one shipment
/// per seller, 1–2 lines each, fully captured.
fn order(rng: &mut Rng, pool: &[SellerId], max_sellers: usize) -> CaptureInput {
    let n = 1 + rng.below(max_sellers.min(pool.len()));
    let mut sellers: Vec<SellerId> = Vec::with_capacity(n);
    while sellers.len() < n {
        let s = pool[rng.below(pool.len())];
        if !sellers.contains(&s) {
            sellers.push(s);
        }
    }
    let order_id = OrderId::from_uuid(Uuid::now_v7());
    let mut lines = Vec::new();
    for seller in sellers {
        let shipment = ShipmentId::from_uuid(Uuid::now_v7());
        for _ in 0..1 + rng.below(2) {
            let quantity = 1 + rng.below(3) as u32;
            let unit_price_minor = 10_000 + rng.below(490_000) as i64;
            lines.push(OrderLineSnapshot {
                line_no: lines.len() as u32,
                shipment_id: shipment,
                seller_id: seller,
                category_code: CATEGORIES[rng.below(CATEGORIES.len())].into(),
                quantity,
                unit_price_minor,
                line_total_minor: unit_price_minor * i64::from(quantity),
            });
        }
    }
    CaptureInput {
        order_id,
        currency: RUB,
        captured_minor: lines.iter().map(|l| l.line_total_minor).sum(),
        event_key: IdempotencyKey::parse(&format!("payment:bench-{order_id}")).unwrap(),
        lines,
    }
}

fn orders(rng: &mut Rng, n: usize, pool: &[SellerId], max_sellers: usize) -> Vec<CaptureInput> {
    (0..n).map(|_| order(rng, pool, max_sellers)).collect()
}

async fn settle_batched(db: &Db, inputs: &[CaptureInput]) {
    for chunk in inputs.chunks(BATCH) {
        for r in settle_captures(db, chunk).await.unwrap() {
            assert!(matches!(r.unwrap(), Settlement::Settled(_)));
        }
    }
}

fn shipments(inputs: &[CaptureInput]) -> usize {
    inputs
        .iter()
        .map(|i| {
            let mut s: Vec<ShipmentId> = i.lines.iter().map(|l| l.shipment_id).collect();
            s.sort();
            s.dedup();
            s.len()
        })
        .sum()
}

fn line(engine: &str, what: &str, inputs: &[CaptureInput], elapsed: Duration) {
    let secs = elapsed.as_secs_f64();
    println!(
        "{engine:<9} {what:<44} {:>7} orders ({:.2} shipments, {:.2} lines/order) in {:>6.2} s: {:>7.0} orders/s",
        inputs.len(),
        shipments(inputs) as f64 / inputs.len() as f64,
        inputs.iter().map(|i| i.lines.len()).sum::<usize>() as f64 / inputs.len() as f64,
        secs,
        inputs.len() as f64 / secs,
    );
}

async fn timed_batched(db: &Db, engine: &str, what: &str, inputs: &[CaptureInput]) {
    let t = Instant::now();
    settle_batched(db, inputs).await;
    line(engine, what, inputs, t.elapsed());
}

async fn timed_concurrent(db: &Db, engine: &str, what: &str, inputs: Vec<CaptureInput>) {
    let per_task = inputs.len().div_ceil(TASKS);
    let parts: Vec<Vec<CaptureInput>> = inputs.chunks(per_task).map(<[_]>::to_vec).collect();
    let t = Instant::now();
    let handles: Vec<_> = parts
        .into_iter()
        .map(|part| {
            let db = db.clone();
            tokio::spawn(async move { settle_batched(&db, &part).await })
        })
        .collect();
    for h in handles {
        h.await.unwrap();
    }
    line(engine, what, &inputs, t.elapsed());
}

/// Concurrent webhook requests, each settling one capture through the shared batcher.
const WEBHOOK_REQUESTS: usize = 64;

async fn timed_webhook(db: &Db, engine: &str, inputs: &[CaptureInput]) {
    let batcher = CaptureBatcher::new(db.clone());
    let queue = std::sync::Arc::new(std::sync::Mutex::new(inputs.to_vec()));
    let t = Instant::now();
    let handles: Vec<_> = (0..WEBHOOK_REQUESTS)
        .map(|_| {
            let batcher = batcher.clone();
            let queue = queue.clone();
            tokio::spawn(async move {
                loop {
                    let Some(input) = queue.lock().unwrap().pop() else {
                        break;
                    };
                    let settled = batcher.settle(input).await.unwrap();
                    assert!(matches!(settled, Settlement::Settled(_)));
                }
            })
        })
        .collect();
    for h in handles {
        h.await.unwrap();
    }
    line(
        engine,
        "webhook: 64 requests, one capture each, batcher",
        inputs,
        t.elapsed(),
    );
}

async fn postings_of(db: &Db, seller: SellerId) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM ledger_postings WHERE seller_id = $1")
        .bind(seller.to_string())
        .fetch_one(db.pool())
        .await
        .unwrap();
    n
}

fn ms(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

async fn balance_latency(db: &Db, engine: &str, what: &str, seller: SellerId, reads: usize) {
    let postings = postings_of(db, seller).await;
    for _ in 0..50 {
        seller_balances(db, seller, RUB).await.unwrap();
    }
    let mut times = Vec::with_capacity(reads);
    for _ in 0..reads {
        let t = Instant::now();
        seller_balances(db, seller, RUB).await.unwrap();
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "{engine:<9} seller_balances, {what:<22} {postings:>7} postings: n={reads} p50={:.3} ms p95={:.3} ms p99={:.3} ms",
        ms(&times, 0.5),
        ms(&times, 0.95),
        ms(&times, 0.99),
    );
}

async fn run_engine(engine: &str, test_db: TestDb, n: usize, payout_sellers: usize) {
    let db = test_db.db.clone();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    println!("{engine}:");
    insert_categories(&db).await;
    let spread = insert_sellers(&db, SPREAD_SELLERS, "Spread").await;
    let hot = insert_sellers(&db, HOT_SELLERS, "Hot").await;

    // Warm-up (connections, statement caches).
    settle_batched(&db, &orders(&mut rng, 500, &spread, 5)).await;
    if db.engine() == db::Engine::Postgres {
        // Statistics for the new tables, as autovacuum would gather them in service:
        // without any, the planner scans all of `capture_lines` for every batch.
        sqlx::query("ANALYZE").execute(db.pool()).await.unwrap();
    }

    // 1. Settlement.
    let inputs = orders(&mut rng, n, &spread, 5);
    timed_batched(
        &db,
        engine,
        "settle_captures x100, spread 10,000 sellers",
        &inputs,
    )
    .await;
    let spread_seller = inputs[0].lines[0].seller_id;
    let inputs = orders(&mut rng, n, &hot, 5);
    timed_batched(&db, engine, "settle_captures x100, hot 3 sellers", &inputs).await;
    let inputs = orders(&mut rng, n / 5, &spread, 5);
    let t = Instant::now();
    for input in &inputs {
        assert!(matches!(
            settle_capture(&db, input).await.unwrap(),
            Settlement::Settled(_)
        ));
    }
    line(
        engine,
        "settle_capture one per call, spread",
        &inputs,
        t.elapsed(),
    );
    // The payment webhook's path under load: every event its own request, all
    // settling through one `CaptureBatcher` (group commit).
    let inputs = orders(&mut rng, n / 5, &spread, 5);
    timed_webhook(&db, engine, &inputs).await;
    let inputs = orders(&mut rng, n / 2, &spread, 5);
    timed_concurrent(
        &db,
        engine,
        "4 tasks x settle_captures x100, spread",
        inputs,
    )
    .await;
    let inputs = orders(&mut rng, n / 2, &hot, 5);
    timed_concurrent(&db, engine, "4 tasks x settle_captures x100, hot", inputs).await;

    // 2. Holds released into a payout batch.
    let payees = insert_sellers(&db, payout_sellers, "Payee").await;
    insert_bank_details(&db, &payees).await;
    let inputs = orders(&mut rng, payout_sellers, &payees, 1);
    // One order per payee, each payee once.
    let inputs: Vec<CaptureInput> = inputs
        .into_iter()
        .zip(&payees)
        .map(|(mut input, payee)| {
            for l in &mut input.lines {
                l.seller_id = *payee;
            }
            input
        })
        .collect();
    timed_batched(
        &db,
        engine,
        "settle_captures x100, payees (1 seller)",
        &inputs,
    )
    .await;
    let delivered = Timestamp::now().millis() - 60 * DAY_MS;
    let mut tx = db.begin().await.unwrap();
    for chunk in inputs.chunks(500) {
        let query = format!(
            "UPDATE holds SET delivered_at = $1, release_at = $2 WHERE order_id IN ({})",
            (0..chunk.len())
                .map(|i| format!("${}", i + 3))
                .collect::<Vec<_>>()
                .join(",")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(query))
            .bind(delivered)
            .bind(delivered + 14 * DAY_MS);
        for input in chunk {
            q = q.bind(input.order_id.to_string());
        }
        q.execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    if db.engine() == db::Engine::Postgres {
        sqlx::query("ANALYZE").execute(db.pool()).await.unwrap();
    }
    let finance = staff(&db, "finance@bench.test", Role::Finance)
        .await
        .finance()
        .unwrap();
    update_payout_settings(
        &db,
        &finance,
        &PayoutSettings {
            currency: RUB,
            frequency: PayoutFrequency::Daily,
            minimum_minor: 100,
            four_eyes_threshold_minor: 100_000_000,
        },
    )
    .await
    .unwrap();
    let t = Instant::now();
    let released = release_due_holds(&db, Timestamp::now(), usize::MAX)
        .await
        .unwrap();
    let release_time = t.elapsed();
    let t = Instant::now();
    let batch = propose_payout_batch(&db, Some(&finance), RUB, Timestamp::now())
        .await
        .unwrap()
        .expect("a batch");
    let propose_time = t.elapsed();
    assert_eq!(released.released as usize, payout_sellers);
    assert_eq!(batch.line_count as usize, payout_sellers);
    println!(
        "{engine:<9} release_due_holds: {} holds in {:.2} s; propose_payout_batch: {} lines in {:.2} s; total {:.2} s",
        released.released,
        release_time.as_secs_f64(),
        batch.line_count,
        propose_time.as_secs_f64(),
        (release_time + propose_time).as_secs_f64(),
    );

    // 3. Balance reads: short history (a payee) vs the hot seller with the most postings.
    let reads = if n >= 10_000 { 2_000 } else { 200 };
    balance_latency(&db, engine, "short history", payees[0], reads).await;
    balance_latency(&db, engine, "spread seller", spread_seller, reads).await;
    let mut longest = (hot[0], 0);
    for s in &hot {
        let p = postings_of(&db, *s).await;
        if p > longest.1 {
            longest = (*s, p);
        }
    }
    balance_latency(&db, engine, "hot seller", longest.0, reads).await;

    // 4. The ledger still verifies.
    let t = Instant::now();
    let report = verify(&db).await.unwrap();
    println!(
        "{engine:<9} verify: {} in {:.2} s",
        if report.is_ok() { "ok" } else { "FAILED" },
        t.elapsed().as_secs_f64()
    );
    assert!(report.is_ok(), "{report}");
    test_db.finish().await;
}

fn main() {
    let bench_mode = std::env::args().any(|a| a == "--bench");
    let numbers: Vec<usize> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .filter_map(|a| a.parse().ok())
        .collect();
    let n = numbers
        .first()
        .copied()
        .unwrap_or(if bench_mode { 100_000 } else { 1_000 });
    let payout_sellers = numbers
        .get(1)
        .copied()
        .unwrap_or(if bench_mode { 50_000 } else { 500 });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let engines = std::env::var("BENCH_ENGINES").unwrap_or_else(|_| "sqlite,postgres".into());
        if engines.contains("sqlite") {
            run_engine("sqlite", TestDb::sqlite().await, n, payout_sellers).await;
        }
        if engines.contains("postgres") {
            match TestDb::postgres().await {
                Some(t) => run_engine("postgres", t, n, payout_sellers).await,
                None => println!("postgres  skipped: set TEST_DATABASE_URL"),
            }
        }
    });
}
