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
    /// The engine a transaction runs on (use cases get a transaction, not the `Db`).
    pub fn of(tx: &sqlx::Transaction<'_, sqlx::Any>) -> crate::Result<Engine> {
        match (**tx).backend_name() {
            "SQLite" => Ok(Engine::Sqlite),
            "PostgreSQL" => Ok(Engine::Postgres),
            other => Err(crate::Error::Internal(format!(
                "unsupported database backend {other}"
            ))),
        }
    }

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

    /// `sql` with its `$n` parameters written the way this engine binds them fastest.
    ///
    /// SQLite keeps `$n` and `?n` parameters in a list that it scans from the start
    /// for every lookup, and sqlx asks for each parameter's name at every execution:
    /// O(parameters²), seconds for one 8,000-parameter multi-row insert. Anonymous `?`
    /// parameters are bound by position with no lookup at all, so when the statement
    /// uses `$1, $2, $3, ...` once each in ascending order (the multi-row writes are
    /// built that way) they become `?`. Anything else becomes `?n`, which binds the
    /// same values, just more slowly. PostgreSQL takes `$n` as is. Only for generated
    /// SQL with no `$` other than its parameters.
    pub fn numbered_params(self, sql: String) -> String {
        if self == Engine::Postgres {
            return sql;
        }
        let mut out = String::with_capacity(sql.len());
        let mut expected = 1usize;
        let mut positional = true;
        let bytes = sql.as_bytes();
        let mut i = 0;
        let mut last = 0;
        while i < bytes.len() {
            if bytes[i] == b'$' {
                let start = i + 1;
                let mut end = start;
                while end < bytes.len() && bytes[end].is_ascii_digit() {
                    end += 1;
                }
                if end > start {
                    out.push_str(&sql[last..i]);
                    let n: usize = sql[start..end].parse().unwrap_or(0);
                    positional &= n == expected;
                    expected += 1;
                    out.push('?');
                    out.push_str(&sql[start..end]);
                    last = end;
                    i = end;
                    continue;
                }
            }
            i += 1;
        }
        out.push_str(&sql[last..]);
        if !positional {
            return out;
        }
        // Drop the numbers: `?12` → `?`.
        let mut anonymous = String::with_capacity(out.len());
        let mut digits = false;
        for c in out.chars() {
            if c == '?' {
                digits = true;
                anonymous.push(c);
            } else if digits && c.is_ascii_digit() {
            } else {
                digits = false;
                anonymous.push(c);
            }
        }
        anonymous
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
mod numbered_tests {
    use super::Engine;

    #[test]
    fn sqlite_binds_ascending_parameters_by_position() {
        let e = Engine::Sqlite;
        assert_eq!(
            e.numbered_params("INSERT INTO t VALUES ($1, $2, NULL), ($3, $4, NULL)".into()),
            "INSERT INTO t VALUES (?, ?, NULL), (?, ?, NULL)"
        );
        assert_eq!(
            e.numbered_params("UPDATE t SET a = $2 WHERE b = $1 AND c = $2".into()),
            "UPDATE t SET a = ?2 WHERE b = ?1 AND c = ?2"
        );
        assert_eq!(
            Engine::Postgres.numbered_params("SELECT $1".into()),
            "SELECT $1"
        );
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
