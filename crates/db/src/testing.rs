//! Test harness: a fresh, isolated database per test on either engine.
//!
//! SQLite: a new file in a temporary folder. PostgreSQL (when `TEST_DATABASE_URL` is
//! set): a new schema in that database, selected through the connection's
//! `search_path`, so tests run in parallel without seeing each other's rows. With
//! `BAZAAR_REQUIRE_POSTGRES=1` (CI) a missing `TEST_DATABASE_URL` fails the test
//! instead of skipping it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use crate::{Db, DbOptions, Engine};
use sqlx::Connection;
use std::future::Future;

pub struct TestDb {
    pub db: Db,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/test.db", dir.path().display());
        let db = Db::connect(&url, &DbOptions::default())
            .await
            .expect("connect sqlite");
        db.migrate().await.expect("migrate sqlite");
        TestDb {
            db,
            _dir: Some(dir),
            pg: None,
        }
    }

    pub async fn postgres() -> Option<TestDb> {
        let Ok(base) = std::env::var("TEST_DATABASE_URL") else {
            if std::env::var("BAZAAR_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!("BAZAAR_REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set");
            }
            eprintln!("TEST_DATABASE_URL not set: PostgreSQL variant skipped");
            return None;
        };
        sqlx::any::install_default_drivers();
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::AnyConnection::connect(&base)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to TEST_DATABASE_URL: {e}"));
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&mut admin)
            .await
            .expect("create schema");
        admin.close().await.ok();
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options[search_path]={schema}");
        let opts = DbOptions {
            max_connections: 5,
            ..DbOptions::default()
        };
        let db = Db::connect(&url, &opts).await.expect("connect postgres");
        db.migrate().await.expect("migrate postgres");
        Some(TestDb {
            db,
            _dir: None,
            pg: Some((base, schema)),
        })
    }

    /// Closes the pool and drops the PostgreSQL schema.
    pub async fn finish(self) {
        self.db.close().await;
        if let Some((base, schema)) = self.pg
            && let Ok(mut admin) = sqlx::AnyConnection::connect(&base).await
        {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(&mut admin)
                .await;
            admin.close().await.ok();
        }
    }

    pub fn engine(&self) -> Engine {
        self.db.engine()
    }
}

pub async fn run_sqlite<F, Fut>(f: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    let t = TestDb::sqlite().await;
    f(t.db.clone()).await;
    t.finish().await;
}

pub async fn run_postgres<F, Fut>(f: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(t) = TestDb::postgres().await else {
        return;
    };
    f(t.db.clone()).await;
    t.finish().await;
}

/// Declares one test that runs twice: `<name>::sqlite` and `<name>::postgres`.
///
/// ```text
/// db_test!(signup_creates_pending_seller, |db: Db| async move { ... });
/// ```
#[macro_export]
macro_rules! db_test {
    ($name:ident, $f:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::testing::run_sqlite($f).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::testing::run_postgres($f).await
            }
        }
    };
}

/// Two sellers with an owner each, for isolation tests.
pub struct TwoSellers {
    pub a: crate::auth::Principal,
    pub b: crate::auth::Principal,
}

pub const TEST_PASSWORD: &str = "test-password-1";

pub async fn two_sellers(db: &Db) -> TwoSellers {
    use crate::accounts::{NewUserInput, create_user_unchecked};
    use domain::accounts::Role;
    let mut made = Vec::new();
    for (email, name) in [("a@seller.test", "Seller A"), ("b@seller.test", "Seller B")] {
        let id = create_user_unchecked(
            db,
            &NewUserInput {
                email: email.into(),
                password: TEST_PASSWORD.into(),
                role: Role::Seller,
                seller_name: Some(name.into()),
                seller_inn: None,
                display_name: None,
            },
        )
        .await
        .unwrap();
        made.push(
            crate::auth::principal_for_user(db, id)
                .await
                .unwrap()
                .unwrap(),
        );
    }
    let b = made.pop().unwrap();
    let a = made.pop().unwrap();
    TwoSellers { a, b }
}

/// A staff user of `role`, returned as a logged-in principal.
pub async fn staff(db: &Db, email: &str, role: domain::accounts::Role) -> crate::auth::Principal {
    use crate::accounts::{NewUserInput, create_user_unchecked};
    let id = create_user_unchecked(
        db,
        &NewUserInput {
            email: email.into(),
            password: TEST_PASSWORD.into(),
            role,
            seller_name: None,
            seller_inn: None,
            display_name: None,
        },
    )
    .await
    .unwrap();
    crate::auth::principal_for_user(db, id)
        .await
        .unwrap()
        .unwrap()
}
