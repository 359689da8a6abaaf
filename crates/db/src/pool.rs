//! The connection pool and transactions.

use crate::dialect::Engine;
use crate::{Error, Result};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{Any, AnyPool, Executor};
use std::time::Duration;

/// The page cache an import's writing connection keeps on SQLite (see
/// [`Db::bound_cache_for_bulk_write`]).
const SQLITE_BULK_WRITE_CACHE_MB: u64 = 64;

/// A transaction on either engine.
pub type Tx = sqlx::Transaction<'static, Any>;

/// Connection settings beyond the URL.
#[derive(Debug, Clone)]
pub struct DbOptions {
    pub max_connections: u32,
    /// How long SQLite waits for the write lock before giving up.
    pub sqlite_busy_timeout: Duration,
    pub acquire_timeout: Duration,
    /// SQLite's page cache in MB: each connection's `cache_size` and the ceiling of all
    /// of SQLite's memory in the process (`soft_heap_limit`). The ledger's settlement
    /// keeps its hot index pages here: 256 MB settles 30–55 % more orders per second
    /// than 64 MB on 50,000 orders (BENCHMARKS.md, "Orders and ledger").
    pub sqlite_cache_mb: u64,
}

impl Default for DbOptions {
    fn default() -> Self {
        Self {
            max_connections: 10,
            sqlite_busy_timeout: Duration::from_secs(10),
            acquire_timeout: Duration::from_secs(15),
            sqlite_cache_mb: 256,
        }
    }
}

/// The database: a pool plus the engine it talks to. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    engine: Engine,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("engine", &self.engine).finish()
    }
}

impl Db {
    /// Connects to `url` (`sqlite://path` or `postgres://...`). For SQLite the file and
    /// its folder are created when missing, and every connection runs in WAL mode with
    /// a busy timeout and foreign keys on.
    pub async fn connect(url: &str, options: &DbOptions) -> Result<Db> {
        install_default_drivers();
        let engine = Engine::from_url(url).ok_or_else(|| {
            Error::Internal(format!(
                "DATABASE_URL must start with sqlite:// or postgres:// (got {:?})",
                url.split(':').next().unwrap_or_default()
            ))
        })?;
        let url = match engine {
            Engine::Sqlite => prepare_sqlite_url(url)?,
            Engine::Postgres => url.to_string(),
        };
        let busy_ms = options.sqlite_busy_timeout.as_millis();
        let cache_kib = options.sqlite_cache_mb.max(1) * 1024;
        let heap_bytes = options.sqlite_cache_mb.max(1) << 20;
        let pool = AnyPoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(options.acquire_timeout)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if engine == Engine::Sqlite {
                        // `cache_size` is per connection (so a writer keeps its indexes'
                        // hot pages), and `soft_heap_limit` bounds all of SQLite's memory
                        // in the process to the same figure: past it, SQLite recycles
                        // the least recently used cached pages of any connection instead
                        // of growing (the bundled build has
                        // SQLITE_ENABLE_MEMORY_MANAGEMENT, so the connections' caches
                        // share one LRU). Without it ten connections could hold ten
                        // caches.
                        //
                        // `wal_autocheckpoint`: the commit that pushes the WAL past this
                        // many pages runs the checkpoint, fsync included, before it
                        // returns. At SQLite's default (1,000 pages, 4 MB) a busy ledger
                        // paid that every few batches (20 ms on a 15 ms commit path).
                        // [`checkpoint_in_background`] checkpoints every second off the
                        // commit path; the autocheckpoint is only the backstop, and it is
                        // set well above what a large import writes between two background
                        // checkpoints (at 10,000 pages its slice commits ran checkpoints on
                        // the writer: 13 % of a 300,000-row import's wall time).
                        // `journal_size_limit` truncates the WAL back to 64 MB afterwards.
                        let pragmas = format!(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {busy_ms}; \
                             PRAGMA temp_store = MEMORY; PRAGMA cache_size = -{cache_kib}; \
                             PRAGMA wal_autocheckpoint = 100000; PRAGMA journal_size_limit = 67108864; \
                             PRAGMA soft_heap_limit = {heap_bytes};"
                        );
                        conn.execute(sqlx::AssertSqlSafe(pragmas)).await?;
                    } else {
                        conn.execute("SET TIME ZONE 'UTC'").await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        if engine == Engine::Sqlite && tokio::runtime::Handle::try_current().is_ok() {
            tokio::spawn(checkpoint_in_background(pool.clone()));
        }
        Ok(Db { pool, engine })
    }

    /// Applies pending migrations (embedded at compile time from `migrations/`).
    pub async fn migrate(&self) -> Result<()> {
        sqlx::migrate!("../../migrations")
            .run(&self.pool)
            .await
            .map_err(|e| Error::Internal(format!("migration failed: {e}")))
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Opens a transaction that will write (see [`Engine::begin_write`]).
    pub async fn begin(&self) -> Result<Tx> {
        Ok(self.pool.begin_with(self.engine.begin_write()).await?)
    }

    /// Takes a connection for a long bulk write (an import turn) with a bounded page
    /// cache on SQLite ([`SQLITE_BULK_WRITE_CACHE_MB`]): a bulk write touches far more
    /// pages than any cache holds, so a bigger one only costs memory (64 MB and 1 GB
    /// import at the same speed, BENCHMARKS.md "Catalog import"). The connection is
    /// closed when dropped instead of going back to the pool, so no other work inherits
    /// the smaller cache.
    pub async fn bound_cache_for_bulk_write(&self) -> Result<sqlx::pool::PoolConnection<Any>> {
        let mut conn = self.pool.acquire().await?;
        if self.engine == Engine::Sqlite {
            conn.execute(sqlx::AssertSqlSafe(format!(
                "PRAGMA cache_size = -{}",
                SQLITE_BULK_WRITE_CACHE_MB * 1024
            )))
            .await?;
            conn.close_on_drop();
        }
        Ok(conn)
    }

    /// Checks that the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// SQLite: copies the WAL back into the database file every second on a connection
/// of its own, so that writers' commits do not run the checkpoint (and its fsync)
/// themselves. `PASSIVE` never waits for or blocks readers and writers; frames still
/// in use are copied by a later run. Ends when the pool is closed or the runtime stops.
async fn checkpoint_in_background(pool: AnyPool) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if pool.is_closed() {
            break;
        }
        match sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
        {
            Ok(_) => {}
            Err(sqlx::Error::PoolClosed) => break,
            Err(e) => tracing::warn!(error = %e, "background WAL checkpoint failed"),
        }
    }
}

fn prepare_sqlite_url(url: &str) -> Result<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or_default();
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    if path.is_empty() || path == ":memory:" {
        return Err(Error::Internal(
            "an in-memory SQLite database cannot be shared by the pool; use a file path".into(),
        ));
    }
    if let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|e| {
            Error::Internal(format!(
                "cannot create database folder {}: {e}",
                parent.display()
            ))
        })?;
    }
    let query = match query {
        Some(q) if q.contains("mode=") => q.to_string(),
        Some(q) => format!("{q}&mode=rwc"),
        None => "mode=rwc".to_string(),
    };
    Ok(format!("sqlite://{path}?{query}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_are_created_when_missing() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/sub/x.db", dir.path().display());
        let prepared = prepare_sqlite_url(&url).unwrap();
        assert!(prepared.ends_with("/sub/x.db?mode=rwc"));
        assert!(dir.path().join("sub").is_dir());
        assert!(prepare_sqlite_url("sqlite::memory:").is_err());
    }
}
