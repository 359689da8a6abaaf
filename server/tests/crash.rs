//! Crash safety with the real binary: `bazaar serve` is killed with SIGKILL while
//! payment captures are being settled (and, separately, while its ledger tick releases
//! holds for a payout batch, and during an import); after a restart the provider's
//! retries (or the tick) finish the job, and every order is captured exactly once
//! (every hold released once) with a balanced ledger
//! (`bazaar ledger verify`-equivalent check through `db::ledger::verify`). Runs on
//! SQLite, and on PostgreSQL (a fresh database) when TEST_DATABASE_URL is set.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use domain::orders::{WebhookSecret, sign_webhook};
use domain::time::Timestamp;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const SECRET: &str = "crash-test-secret";
const ORDERS: usize = db::orders::capture_batch::MAX_BATCH + 50;

struct Server {
    child: Child,
    base: String,
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_bazaar")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn command(url: &str, dir: &std::path::Path) -> Command {
    let mut c = Command::new(bin());
    c.env("DATABASE_URL", url)
        .env("BAZAAR_DATA_DIR", dir)
        .env("BAZAAR_DEMO", "0")
        .env("BAZAAR_PAYMENT_WEBHOOK_SECRET", SECRET)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null());
    c
}

async fn start(url: &str, dir: &std::path::Path, port: u16) -> Server {
    start_with(url, dir, port, &[]).await
}

async fn start_with(url: &str, dir: &std::path::Path, port: u16, env: &[(&str, &str)]) -> Server {
    let mut child = command(url, dir)
        .arg("serve")
        .envs(env.iter().copied())
        .env("BAZAAR_ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..600 {
        if let Ok(res) = client.get(format!("{base}/healthz")).send().await
            && res.status().is_success()
        {
            return Server { child, base };
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not become healthy");
}

fn sign(body: &[u8]) -> String {
    let secret = WebhookSecret::new(SECRET.as_bytes().to_vec()).unwrap();
    sign_webhook(&secret, Timestamp::now().millis() / 1000, body).unwrap()
}

async fn capture(
    client: &reqwest::Client,
    base: &str,
    event: &serde_json::Value,
) -> reqwest::Result<u16> {
    let body = event.to_string().into_bytes();
    let res = client
        .post(format!("{base}/api/v1/payments/events"))
        .header("content-type", "application/json")
        .header("bazaar-signature", sign(&body))
        .body(body)
        .send()
        .await?;
    Ok(res.status().as_u16())
}

/// A data folder and the database at `url`, migrated by the binary itself.
async fn migrated(url: &str) -> (tempfile::TempDir, db::Db) {
    let dir = tempfile::tempdir().unwrap();
    let status = command(url, dir.path())
        .arg("migrate")
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let db = db::Db::connect(url, &db::DbOptions::default())
        .await
        .unwrap();
    (dir, db)
}

async fn scenario(url: &str) {
    let (dir, db) = migrated(url).await;
    // A seller with an active SKU, straight into the database.
    let seller = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO sellers (id, name, inn, status, search_text, created_at, updated_at) \
         VALUES ($1, 'Crash Ltd', NULL, 'active', 'crash ltd', 0, 0)",
    )
    .bind(&seller)
    .execute(db.pool())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO categories (code, parent_code, name_ru, name_en, return_window_days, attributes, \
         position, created_at, updated_at) VALUES ('crash-cat', NULL, 'Тест', 'Test', 14, '[]', 0, 0, 0)",
    )
    .execute(db.pool())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO skus (id, seller_id, seller_sku, status, title, brand, category_code, price_minor, \
         currency, vat, stock, content_hash, commercial_hash, search_text, created_at, updated_at) \
         VALUES ($1, $2, 'C-1', 'active', 'Чайник', NULL, 'crash-cat', 123457, 'RUB', '20', 100000, 'h', 'h', 'c-1', 0, 0)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(&seller)
    .execute(db.pool())
    .await
    .unwrap();
    let out = command(url, dir.path())
        .args(["channel-key", "create", "--name", "crash"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let key = String::from_utf8(out.stdout).unwrap().trim().to_string();

    let port = free_port();
    let mut server = start(url, dir.path(), port).await;
    let client = reqwest::Client::new();
    let mut events = Vec::new();
    for n in 0..ORDERS {
        let body = serde_json::json!({
            "external_order_id": format!("CR-{n}"), "channel": "web", "currency": "RUB",
            "delivery": { "method": "pickup", "pickup_point_id": "P-1" },
            "lines": [{ "seller_id": seller, "seller_sku": "C-1", "quantity": 1 + n % 3, "unit_price": "1234.57" }]
        });
        let res = client
            .post(format!("{}/api/v1/orders", server.base))
            .bearer_auth(&key)
            .header("idempotency-key", format!("order-{n}"))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 201);
        let order: serde_json::Value = serde_json::from_slice(&res.bytes().await.unwrap()).unwrap();
        events.push(serde_json::json!({
            "event_id": format!("cap-{n}"), "type": "captured", "order_id": order["id"],
            "amount_minor": order["total_minor"], "currency": "RUB", "occurred_at": "2026-11-26T12:00:00Z"
        }));
    }

    // All captures at once; the server dies with SIGKILL as soon as the first answer
    // comes back. Concurrent captures share settlement transactions of at most
    // `MAX_BATCH`, and there are more than that, so others are still settling.
    let (answers, mut first) = tokio::sync::mpsc::unbounded_channel::<()>();
    let mut tasks = Vec::new();
    for event in events.clone() {
        let (client, base, answers) = (client.clone(), server.base.clone(), answers.clone());
        tasks.push(tokio::spawn(async move {
            let result = capture(&client, &base, &event).await;
            let _ = answers.send(());
            result
        }));
    }
    tokio::time::timeout(Duration::from_secs(60), first.recv())
        .await
        .expect("no capture was answered");
    server.child.kill().unwrap(); // SIGKILL on Unix
    server.child.wait().unwrap();
    let mut answered = 0;
    for t in tasks {
        if let Ok(Ok(200)) = t.await {
            answered += 1;
        }
    }
    assert!(answered < ORDERS, "the kill came too late to test anything");

    // The provider retries every event it has no 200 for; here: all of them.
    let server = start(url, dir.path(), port).await;
    for event in &events {
        assert_eq!(capture(&client, &server.base, event).await.unwrap(), 200);
    }
    let mut server = server;
    server.child.kill().unwrap();
    server.child.wait().unwrap();

    let (captures,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM ledger_transactions WHERE kind = 'capture'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(captures, ORDERS as i64, "each order captured exactly once");
    let (paid,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM shipments WHERE status = 'paid'")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(paid, ORDERS as i64);
    let out = command(url, dir.path())
        .args(["ledger", "verify"])
        .output()
        .unwrap();
    let report = db::ledger::verify::verify(&db).await.unwrap();
    assert!(report.is_ok(), "{report}");
    // The CLI says the same (exit 0) when it exists in this build.
    if !String::from_utf8_lossy(&out.stderr).contains("unrecognized subcommand") {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_settlement_loses_and_doubles_nothing_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/crash.db", dir.path().display());
    scenario(&url).await;
}

/// Runs `run` against a fresh PostgreSQL database of its own (the binary migrates
/// it), dropped afterwards; skipped without TEST_DATABASE_URL unless required.
async fn on_fresh_postgres<F, Fut>(run: F)
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let Ok(base) = std::env::var("TEST_DATABASE_URL") else {
        assert!(
            std::env::var("BAZAAR_REQUIRE_POSTGRES").is_err(),
            "BAZAAR_REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not"
        );
        return;
    };
    let name = format!("crash_{}", uuid::Uuid::now_v7().simple());
    let admin = db::Db::connect(&base, &db::DbOptions::default())
        .await
        .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(admin.pool())
        .await
        .unwrap();
    let (prefix, _) = base.rsplit_once('/').unwrap();
    run(format!("{prefix}/{name}")).await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE {name} WITH (FORCE)"
    )))
    .execute(admin.pool())
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_settlement_loses_and_doubles_nothing_postgres() {
    on_fresh_postgres(|url| async move { scenario(&url).await }).await;
}

/// Payees with money waiting in `held`, delivered long ago: the server's ledger tick
/// releases the holds and proposes the payout batch. It is killed half-way through
/// the releases; after the restart every hold is released exactly once and one batch
/// pays every seller exactly what is available.
async fn payout_scenario(url: &str) {
    use db::ledger::settlement::{CaptureInput, OrderLineSnapshot, settle_captures};
    use domain::ids::{OrderId, SellerId, ShipmentId};
    use domain::ledger::IdempotencyKey;
    const PAYEES: usize = 6_000;
    let (dir, db) = migrated(url).await;
    let sellers: Vec<SellerId> = (0..PAYEES)
        .map(|_| SellerId::from_uuid(uuid::Uuid::now_v7()))
        .collect();
    for chunk in sellers.chunks(500) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${}, 'Payee', NULL, 'active', 'payee', 0, 0)", i + 1))
            .collect();
        let query = format!(
            "INSERT INTO sellers (id, name, inn, status, search_text, created_at, updated_at) VALUES {}",
            rows.join(",")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(query));
        for id in chunk {
            q = q.bind(id.to_string());
        }
        q.execute(db.pool()).await.unwrap();
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| {
                format!(
                    "(${}, 'ООО Получатель', '7707083893', '044525225', '40702810900000000001', \
                     '30101810400000000225', 'ПАО Сбербанк', 0, NULL)",
                    i + 1
                )
            })
            .collect();
        let query = format!(
            "INSERT INTO seller_payout_details (seller_id, recipient_name, inn, bik, account_number, \
             correspondent_account, bank_name, updated_at, updated_by) VALUES {}",
            rows.join(",")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(query));
        for id in chunk {
            q = q.bind(id.to_string());
        }
        q.execute(db.pool()).await.unwrap();
    }
    let captures: Vec<CaptureInput> = sellers
        .iter()
        .enumerate()
        .map(|(n, seller)| {
            let amount = 10_000 + n as i64;
            CaptureInput {
                order_id: OrderId::from_uuid(uuid::Uuid::now_v7()),
                currency: domain::money::Currency::Rub,
                captured_minor: amount,
                event_key: IdempotencyKey::parse(&format!("payment:payee-{n}")).unwrap(),
                lines: vec![OrderLineSnapshot {
                    line_no: 0,
                    shipment_id: ShipmentId::from_uuid(uuid::Uuid::now_v7()),
                    seller_id: *seller,
                    category_code: "misc".into(),
                    quantity: 1,
                    unit_price_minor: amount,
                    line_total_minor: amount,
                }],
            }
        })
        .collect();
    for chunk in captures.chunks(200) {
        for r in settle_captures(&db, chunk).await.unwrap() {
            r.unwrap();
        }
    }
    let long_ago = Timestamp::now().millis() - 60 * 86_400_000;
    sqlx::query("UPDATE holds SET delivered_at = $1, release_at = $1")
        .bind(long_ago)
        .execute(db.pool())
        .await
        .unwrap();
    sqlx::query(
        "UPDATE payout_settings SET frequency = 'daily', weekday = NULL, minimum_minor = 1 WHERE currency = 'RUB'",
    )
    .execute(db.pool())
    .await
    .unwrap();
    let count = |sql: &'static str| {
        let db = db.clone();
        async move {
            let (n,): (i64,) = sqlx::query_as(sql).fetch_one(db.pool()).await.unwrap();
            n
        }
    };
    let released = "SELECT COUNT(*) FROM holds WHERE status = 'released'";

    // The tick starts within a second; kill the server while it releases.
    let port = free_port();
    let tick = [("BAZAAR_LEDGER_INTERVAL_SECS", "1")];
    let mut server = start_with(url, dir.path(), port, &tick).await;
    let mut seen = 0;
    for _ in 0..6_000 {
        seen = count(released).await;
        if seen > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.child.kill().unwrap(); // SIGKILL on Unix
    server.child.wait().unwrap();
    assert!(seen > 0, "the ledger tick never started");
    let at_kill = count(released).await;
    assert!(
        (at_kill as usize) < PAYEES,
        "the kill came too late to test anything ({at_kill} of {PAYEES} released)"
    );
    assert_eq!(count("SELECT COUNT(*) FROM payout_batches").await, 0);

    // After the restart the tick finishes the job.
    let mut server = start_with(url, dir.path(), port, &tick).await;
    let mut done = false;
    for _ in 0..1_200 {
        if count(released).await == PAYEES as i64
            && count("SELECT COUNT(*) FROM payout_lines").await == PAYEES as i64
        {
            done = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    assert!(
        done,
        "the restarted server did not finish releasing and proposing"
    );

    assert_eq!(
        count("SELECT COUNT(*) FROM ledger_transactions WHERE kind = 'hold_release'").await,
        PAYEES as i64,
        "each hold released exactly once"
    );
    assert_eq!(count("SELECT COUNT(*) FROM payout_batches").await, 1);
    assert_eq!(
        count("SELECT COUNT(*) FROM payout_lines WHERE status = 'proposed'").await,
        PAYEES as i64
    );
    let (lines_total,): (i64,) =
        sqlx::query_as("SELECT CAST(SUM(amount_minor) AS BIGINT) FROM payout_lines")
            .fetch_one(db.pool())
            .await
            .unwrap();
    let (available,): (i64,) = sqlx::query_as(
        "SELECT CAST(SUM(balance_minor) AS BIGINT) FROM ledger_balances WHERE kind = 'available'",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(lines_total, available, "the batch pays what is available");
    let report = db::ledger::verify::verify(&db).await.unwrap();
    assert!(report.is_ok(), "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_while_releasing_holds_for_payout_releases_each_once_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/payout-crash.db", dir.path().display());
    payout_scenario(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_while_releasing_holds_for_payout_releases_each_once_postgres() {
    on_fresh_postgres(|url| async move { payout_scenario(&url).await }).await;
}

/// A big import is killed half-way; after the restart the job resumes from its last
/// checkpoint and ends with every good row applied exactly once.
async fn import_scenario(url: &str) {
    use domain::imports::sample::{SampleOptions, write_sample};
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = command(url, dir.path()).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    run(&["migrate"]);
    run(&[
        "user",
        "create",
        "--email",
        "crash@seller.test",
        "--password",
        "crash-password-1",
        "--role",
        "seller",
        "--seller-name",
        "Crash Ltd",
    ]);
    let key = run(&["api-key", "create", "--email", "crash@seller.test"])
        .trim()
        .to_string();
    let index = domain::catalog::CategoryIndex::new(domain::catalog::starter_categories()).unwrap();
    let mut file = Vec::new();
    let options = SampleOptions {
        rows: 20_000,
        bad_rows_per_thousand: 10,
        ..SampleOptions::default()
    };
    let summary = write_sample(&mut file, &index, &options).unwrap();
    let good = summary.rows - summary.bad_rows.len() as u64;

    let port = free_port();
    let mut server = start(url, dir.path(), port).await;
    let client = reqwest::Client::new();
    let res = client
        .post(format!("{}/api/v1/imports", server.base))
        .bearer_auth(&key)
        .header("content-type", "text/csv")
        .body(file)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 202);
    let accepted: serde_json::Value = serde_json::from_slice(&res.bytes().await.unwrap()).unwrap();
    let id = accepted["id"].as_str().unwrap().to_string();
    let status = |base: String| {
        let (client, key, id) = (client.clone(), key.clone(), id.clone());
        async move {
            let res = client
                .get(format!("{base}/api/v1/imports/{id}"))
                .bearer_auth(&key)
                .send()
                .await
                .unwrap();
            serde_json::from_slice::<serde_json::Value>(&res.bytes().await.unwrap()).unwrap()
        }
    };
    // Kill it once some rows are in, well before the end.
    let mut killed_at = None;
    for _ in 0..600 {
        let s = status(server.base.clone()).await;
        let done = s["counts"]["created"].as_u64().unwrap_or(0);
        if s["status"] == "succeeded" {
            break;
        }
        if done > 0 {
            killed_at = Some(done);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    assert!(
        killed_at.is_some_and(|n| n < good),
        "the import ended before the kill: {killed_at:?}"
    );

    let mut server = start(url, dir.path(), port).await;
    let mut last = serde_json::Value::Null;
    for _ in 0..1200 {
        last = status(server.base.clone()).await;
        if last["status"] == "succeeded" || last["status"] == "failed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    assert_eq!(last["status"], "succeeded", "{last}");
    assert_eq!(last["counts"]["created"].as_u64(), Some(good), "{last}");
    assert_eq!(
        last["counts"]["failed"].as_u64(),
        Some(summary.bad_rows.len() as u64),
        "{last}"
    );
    let db = db::Db::connect(url, &db::DbOptions::default())
        .await
        .unwrap();
    let (skus,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM skus")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let (revisions,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sku_revisions")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(
        (skus as u64, revisions as u64),
        (good, good),
        "no row applied twice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_an_import_resumes_without_doubles_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/import-crash.db", dir.path().display());
    import_scenario(&url).await;
}
