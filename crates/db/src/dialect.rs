//! Every difference between SQLite and PostgreSQL that the SQL has to know about.
//!
//! Keep this module small: if a query needs something not here, prefer portable SQL.

/// The database engine behind a [`crate::Db`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn from_url(url: &str) -> Option<Engine> {
        if url.starts_with("sqlite:") {
            Some(Engine::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Engine::Postgres)
        } else {
            None
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }

    /// The statement that opens a transaction that will write.
    ///
    /// SQLite: `BEGIN IMMEDIATE` takes the write lock up front and waits for it under
    /// `busy_timeout`; a deferred `BEGIN` that upgrades later fails at once with
    /// "database is locked" instead of waiting.
    pub const fn begin_write(self) -> &'static str {
        match self {
            Engine::Sqlite => "BEGIN IMMEDIATE",
            Engine::Postgres => "BEGIN",
        }
    }

    /// Row-lock suffix for a `SELECT` that must lock what it reads. SQLite has a single
    /// writer (taken by `BEGIN IMMEDIATE`), so it needs none.
    pub const fn for_update(self) -> &'static str {
        match self {
            Engine::Sqlite => "",
            Engine::Postgres => " FOR UPDATE",
        }
    }

    /// Suffix for queue claims: concurrent claimers skip rows another claimer holds.
    pub const fn for_update_skip_locked(self) -> &'static str {
        match self {
            Engine::Sqlite => "",
            Engine::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// Suffix for an `ORDER BY` on text that must sort byte by byte, as Rust's `str`
    /// does (SQLite's default BINARY collation already does; PostgreSQL's database
    /// collation may not). The ledger locks balance rows in this order.
    pub const fn byte_order(self) -> &'static str {
        match self {
            Engine::Sqlite => "",
            Engine::Postgres => " COLLATE \"C\"",
        }
    }

    /// The most bind parameters one statement may carry (SQLite's default limit is
    /// 32 766, PostgreSQL's 65 535); multi-row inserts size their batches by it.
    pub const fn max_bind_params(self) -> usize {
        match self {
            Engine::Sqlite => 32_000,
            Engine::Postgres => 65_000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_is_chosen_by_url_scheme() {
        assert_eq!(
            Engine::from_url("sqlite://data/bazaar.db"),
            Some(Engine::Sqlite)
        );
        assert_eq!(
            Engine::from_url("postgres://root@127.0.0.1/test"),
            Some(Engine::Postgres)
        );
        assert_eq!(Engine::from_url("postgresql://x"), Some(Engine::Postgres));
        assert_eq!(Engine::from_url("mysql://x"), None);
    }
}
