//! Tenant isolation: every server function and every REST route, called as seller B
//! on seller A's objects, is refused (403/404) or shows none of A's data, and A's
//! data is unchanged afterwards.
//!
//! The table must name every registered server function and every documented REST
//! operation: adding an endpoint without adding it here fails
//! `every_endpoint_is_in_the_isolation_table`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use axum::http::{Method, StatusCode};
use common::{TestApp, TestResponse};
use db::testing::{TEST_PASSWORD, two_sellers};
use db::{Db, db_test};
use std::collections::BTreeSet;

/// What seller A owns, for building calls against it.
struct AObjects {
    key_id: String,
    key_prefix: String,
    email: String,
}

enum Call {
    Rpc(&'static str, Vec<(&'static str, String)>),
    Api(Method, String, Option<serde_json::Value>),
}

enum Expect {
    /// Refused outright.
    Denied,
    /// Allowed (it acts on B's own data) but nothing of A's may appear in the answer.
    NoLeak,
}

struct Case {
    call: Call,
    expect: Expect,
}

fn rpc(name: &'static str, form: &[(&'static str, &str)], expect: Expect) -> Case {
    Case {
        call: Call::Rpc(
            name,
            form.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        ),
        expect,
    }
}

fn api(method: Method, path: &str, body: Option<serde_json::Value>, expect: Expect) -> Case {
    Case {
        call: Call::Api(method, path.to_string(), body),
        expect,
    }
}

/// Server functions that are not about seller data (public, or the caller's own
/// account), with the reason they need no isolation case.
const NOT_SELLER_SCOPED: &[(&str, &str)] = &[
    ("/rpc/get_session", "returns only the caller's own session"),
    ("/rpc/login", "public: authenticates the caller"),
    ("/rpc/logout", "ends only the caller's own session"),
    ("/rpc/set_locale", "sets a cookie on the caller's browser"),
    ("/rpc/signup", "public: creates a new organisation"),
    (
        "/rpc/change_password",
        "changes only the caller's own password",
    ),
];

fn cases(a: &AObjects) -> Vec<Case> {
    use Expect::*;
    vec![
        // Seller cabinet.
        rpc("list_api_keys", &[], NoLeak),
        rpc("create_api_key", &[("name", "B's key")], NoLeak),
        rpc("revoke_api_key", &[("id", &a.key_id)], Denied),
        rpc("list_team", &[], NoLeak),
        rpc(
            "add_team_member",
            &[
                ("email", "intruder@b.test"),
                ("password", "long password 1"),
                ("member_role", "manager"),
            ],
            NoLeak,
        ),
        // Staff areas: a seller is refused.
        rpc(
            "admin_list_users",
            &[("query", ""), ("offset", "0")],
            Denied,
        ),
        rpc(
            "admin_list_sellers",
            &[("query", ""), ("offset", "0")],
            Denied,
        ),
        rpc(
            "admin_create_user",
            &[
                ("email", "x@x.ru"),
                ("password", "long password 1"),
                ("role", "admin"),
            ],
            Denied,
        ),
        rpc(
            "admin_change_seller_status",
            &[
                ("seller_id", &a.key_id),
                ("action", "suspend"),
                ("reason", "x"),
            ],
            Denied,
        ),
        rpc("admin_list_audit", &[("filter[limit]", "10")], Denied),
        rpc("admin_overview", &[], Denied),
        // REST API with B's key.
        api(Method::GET, "/api/v1/me", None, NoLeak),
    ]
}

fn path_of(c: &Case) -> String {
    match &c.call {
        Call::Rpc(name, _) => format!("/rpc/{name}"),
        Call::Api(_, path, _) => path.split('?').next().unwrap_or_default().to_string(),
    }
}

/// Everything of seller A's that a request could change, as text.
async fn snapshot(db: &Db, a_seller: &str) -> String {
    let mut out = String::new();
    for (table, sql) in [
        (
            "sellers",
            "SELECT id, name, status, COALESCE(status_reason, '') FROM sellers WHERE id = $1",
        ),
        (
            "users",
            "SELECT id, email, password_hash, COALESCE(member_role, '') FROM users WHERE seller_id = $1 ORDER BY id",
        ),
    ] {
        let rows: Vec<(String, String, String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(a_seller)
            .fetch_all(db.pool())
            .await
            .unwrap();
        out.push_str(&format!("{table}: {rows:?}\n"));
    }
    let keys: Vec<(String, String, Option<i64>)> = sqlx::query_as(
        "SELECT id, key_hash, revoked_at FROM api_keys WHERE seller_id = $1 ORDER BY id",
    )
    .bind(a_seller)
    .fetch_all(db.pool())
    .await
    .unwrap();
    out.push_str(&format!("api_keys: {keys:?}\n"));
    out
}

fn check(case: &Case, res: &TestResponse, a: &AObjects) {
    let what = path_of(case);
    match case.expect {
        Expect::Denied => assert!(
            matches!(res.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{what}: expected 403/404, got {} {}",
            res.status,
            res.text()
        ),
        Expect::NoLeak => {
            assert!(
                res.status.is_success(),
                "{what}: expected success on B's own data, got {} {}",
                res.status,
                res.text()
            );
            let body = res.text();
            for secret in [&a.key_id, &a.key_prefix, &a.email] {
                assert!(
                    !body.contains(secret.as_str()),
                    "{what} leaked seller A's {secret}: {body}"
                );
            }
        }
    }
}

db_test!(seller_b_cannot_reach_seller_a, |db: Db| async move {
    let app = TestApp::new(db.clone());
    let ab = two_sellers(&db).await;
    let a_cookie = app.login(&ab.a.email, TEST_PASSWORD).await;
    let b_cookie = app.login(&ab.b.email, TEST_PASSWORD).await;
    let made = app
        .rpc("create_api_key", &[("name", "A's ERP")], Some(&a_cookie))
        .await
        .json();
    let a = AObjects {
        key_id: made["key"]["id"].as_str().unwrap().to_string(),
        key_prefix: made["key"]["prefix"].as_str().unwrap().to_string(),
        email: ab.a.email.clone(),
    };
    let b_key = app
        .rpc("create_api_key", &[("name", "B's ERP")], Some(&b_cookie))
        .await
        .json()["secret"]
        .as_str()
        .unwrap()
        .to_string();
    let a_seller = ab.a.seller.as_ref().unwrap().seller_id.to_string();
    let before = snapshot(&db, &a_seller).await;
    for case in cases(&a) {
        let res = match &case.call {
            Call::Rpc(name, form) => {
                let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                app.rpc(name, &form, Some(&b_cookie)).await
            }
            Call::Api(method, path, body) => {
                app.api(method.clone(), path, Some(&b_key), body.clone())
                    .await
            }
        };
        check(&case, &res, &a);
    }
    assert_eq!(
        snapshot(&db, &a_seller).await,
        before,
        "seller A's data changed"
    );
});

db_test!(
    every_endpoint_is_in_the_isolation_table,
    |db: Db| async move {
        let _app = TestApp::new(db);
        let a = AObjects {
            key_id: String::new(),
            key_prefix: "-".into(),
            email: "-".into(),
        };
        let covered: BTreeSet<String> = cases(&a).iter().map(path_of).collect();
        let exempt: BTreeSet<String> = NOT_SELLER_SCOPED
            .iter()
            .map(|(p, _)| p.to_string())
            .collect();
        let registered: Vec<&str> = server_fn::axum::server_fn_paths().map(|(p, _)| p).collect();
        assert!(
            registered.contains(&"/rpc/login"),
            "server functions are not registered: {registered:?}"
        );
        for path in registered {
            assert!(
                covered.contains(path) || exempt.contains(path),
                "server function {path} has no case in the isolation table (tests/isolation.rs)"
            );
        }
        let doc = server::api::openapi();
        for path in doc.paths.paths.keys() {
            assert!(
                covered.contains(path),
                "REST route {path} has no case in the isolation table"
            );
        }
    }
);
