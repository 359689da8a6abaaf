//! The HTTP surface of the foundation: health, CSRF, sessions through server
//! functions, role-guarded pages, the API key flow and the OpenAPI document.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{HOST, TestApp};
use db::testing::{TEST_PASSWORD, staff, two_sellers};
use db::{Db, db_test};
use domain::accounts::Role;

db_test!(health_readiness_and_metrics, |db: Db| async move {
    let app = TestApp::new(db);
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.json()["status"], "ready");
    let res = app.get("/healthz", None).await;
    assert!(res.headers.get("x-request-id").is_some());
    let metrics = app.get("/metrics", None).await.text();
    assert!(metrics.contains("http_requests_total"), "{metrics}");
});

db_test!(
    state_changing_requests_from_other_origins_are_refused,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        two_sellers(&db).await;
        for origin in [None, Some("http://evil.example")] {
            let mut b = Request::post("/rpc/login")
                .header(header::HOST, HOST)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            if let Some(o) = origin {
                b = b.header(header::ORIGIN, o);
            }
            let body =
                common::form_encode(&[("email", "a@seller.test"), ("password", TEST_PASSWORD)]);
            let res = app.send(b.body(Body::from(body)).unwrap()).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN);
            assert_eq!(res.error_code(), "csrf_rejected");
            assert!(res.cookie("bazaar_session").is_none());
        }
        // A server function cannot be called with GET.
        let res = app.get("/rpc/logout", None).await;
        assert_ne!(res.status, StatusCode::OK);
    }
);

db_test!(
    login_sets_a_safe_cookie_and_pages_follow_the_role,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        two_sellers(&db).await;
        staff(&db, "fin@x.ru", Role::Finance).await;
        let res = app
            .rpc(
                "login",
                &[("email", "a@seller.test"), ("password", TEST_PASSWORD)],
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK);
        assert_eq!(res.json(), serde_json::json!("/seller"));
        let set_cookie = res
            .headers
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
        assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
        let cookie = res.cookie("bazaar_session").unwrap();

        let page = app.get("/seller", Some(&cookie)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("seller-home"));
        let forbidden = app.get("/finance", Some(&cookie)).await;
        assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
        assert!(forbidden.text().contains("data-testid=\"forbidden\""));
        let fin = app.login("fin@x.ru", TEST_PASSWORD).await;
        assert_eq!(app.get("/finance", Some(&fin)).await.status, StatusCode::OK);
        assert_eq!(
            app.get("/seller", Some(&fin)).await.status,
            StatusCode::FORBIDDEN
        );

        // Anonymous visitors are sent to the login page, keeping where they wanted to go.
        let anon = app.get("/admin/users", None).await;
        assert_eq!(anon.status, StatusCode::FOUND);
        assert_eq!(
            anon.headers.get(header::LOCATION).unwrap(),
            "/login?next=/admin/users"
        );

        let wrong = app
            .rpc(
                "login",
                &[("email", "a@seller.test"), ("password", "wrong!wrong!")],
                None,
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!(wrong.error_code(), "invalid_credentials");

        let out = app.rpc("logout", &[], Some(&cookie)).await;
        assert_eq!(out.status, StatusCode::OK);
        assert_eq!(
            app.get("/seller", Some(&cookie)).await.status,
            StatusCode::FOUND
        );
    }
);

db_test!(pages_speak_the_requested_language, |db: Db| async move {
    let app = TestApp::new(db);
    let ru = app.get("/login", None).await;
    assert_eq!(ru.status, StatusCode::OK);
    assert!(ru.text().contains("Вход в Bazaar"));
    let req = Request::get("/login")
        .header(header::HOST, HOST)
        .header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9")
        .body(Body::empty())
        .unwrap();
    let en = app.send(req).await.text();
    assert!(en.contains("Log in to Bazaar"));
    let res = app.rpc("set_locale", &[("locale", "en")], None).await;
    assert_eq!(res.cookie("bazaar_lang").as_deref(), Some("en"));
    let req = Request::get("/login")
        .header(header::HOST, HOST)
        .header(header::COOKIE, "bazaar_lang=en")
        .body(Body::empty())
        .unwrap();
    assert!(app.send(req).await.text().contains("lang=\"en\""));
    assert_eq!(
        app.get("/no/such/page", None).await.status,
        StatusCode::NOT_FOUND
    );
});

db_test!(
    signup_through_the_server_function_logs_the_seller_in,
    |db: Db| async move {
        let app = TestApp::new(db);
        let res = app
            .rpc(
                "signup",
                &[
                    ("organisation", "ООО «Тест»"),
                    ("inn", "7707083893"),
                    ("email", "new@x.ru"),
                    ("password", "long enough password"),
                ],
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        let cookie = res.cookie("bazaar_session").unwrap();
        let page = app.get("/seller", Some(&cookie)).await.text();
        assert!(page.contains("pending-banner"));

        let bad = app
            .rpc(
                "signup",
                &[
                    ("organisation", "X"),
                    ("inn", "123"),
                    ("email", "x"),
                    ("password", "p"),
                ],
                None,
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<String> = bad.json()["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(fields, vec!["inn", "email", "password"]);
    }
);

db_test!(api_keys_authenticate_the_rest_api, |db: Db| async move {
    let app = TestApp::new(db.clone());
    let ab = two_sellers(&db).await;
    let cookie = app.login("a@seller.test", TEST_PASSWORD).await;
    let created = app
        .rpc("create_api_key", &[("name", "ERP")], Some(&cookie))
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text());
    let key = created.json()["secret"].as_str().unwrap().to_string();

    let me = app.api(Method::GET, "/api/v1/me", Some(&key), None).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(
        me.json()["seller_id"],
        ab.a.seller.as_ref().unwrap().seller_id.to_string()
    );

    let none = app.api(Method::GET, "/api/v1/me", None, None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    let err = none.json();
    assert_eq!(err["error"]["code"], "unauthorized");
    assert!(err["error"]["message"].as_str().unwrap().contains("Bearer"));

    // Cookies never authenticate the REST API.
    let req = Request::get("/api/v1/me")
        .header(header::COOKIE, format!("bazaar_session={cookie}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::UNAUTHORIZED);

    let id = created.json()["key"]["id"].as_str().unwrap().to_string();
    let revoked = app
        .rpc("revoke_api_key", &[("id", &id)], Some(&cookie))
        .await;
    assert_eq!(revoked.status, StatusCode::OK);
    assert_eq!(
        app.api(Method::GET, "/api/v1/me", Some(&key), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.api(Method::GET, "/api/v1/nope", Some(&key), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
});

db_test!(
    the_openapi_document_and_docs_page_describe_the_api,
    |db: Db| async move {
        let app = TestApp::new(db);
        let doc = app.get("/api/v1/openapi.json", None).await.json();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        assert!(doc["paths"]["/api/v1/me"]["get"].is_object());
        assert!(doc["components"]["securitySchemes"]["api_key"].is_object());
        let page = app.get("/api/v1/docs", None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("/api/v1/me"));
    }
);

db_test!(
    admins_download_the_category_tree_and_import_it_back_unchanged,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        staff(&db, "admin@x.ru", Role::Admin).await;
        let admin = app.login("admin@x.ru", TEST_PASSWORD).await;
        // Seeds the starter tree.
        let before = app.rpc("admin_list_categories", &[], Some(&admin)).await;
        assert_eq!(before.status, StatusCode::OK, "{}", before.text());
        let before = before.json();

        let ab = two_sellers(&db).await;
        let seller = app.login(&ab.a.email, TEST_PASSWORD).await;
        let path = "/admin/categories/export.csv";
        assert_eq!(app.get(path, None).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            app.get(path, Some(&seller)).await.status,
            StatusCode::FORBIDDEN
        );
        let csv = app.get(path, Some(&admin)).await;
        assert_eq!(csv.status, StatusCode::OK, "{}", csv.text());
        assert!(
            csv.headers[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .contains("categories.csv")
        );
        let text = String::from_utf8(csv.body.to_vec()).unwrap();
        assert!(text.contains("smartphones"), "{text}");

        // Importing the file as downloaded changes nothing.
        let text = text.trim_start_matches('\u{feff}');
        let back = app
            .rpc("admin_import_categories", &[("csv", text)], Some(&admin))
            .await;
        assert_eq!(back.status, StatusCode::OK, "{}", back.text());
        let report = &back.json()["Applied"];
        assert_eq!(report["created"], 0, "{report}");
        assert_eq!(report["updated"], 0, "{report}");
        assert_eq!(report["deleted"], 0, "{report}");
        assert!(report["unchanged"].as_u64().unwrap() > 20, "{report}");
        let after = app
            .rpc("admin_list_categories", &[], Some(&admin))
            .await
            .json();
        assert_eq!(before, after);
    }
);

// A page response that never ends is a page that never loads for the user: every
// render, anonymous or logged in, must finish even when many run at once.
db_test!(
    page_renders_always_finish_when_many_run_at_once,
    |db: Db| async move {
        let sellers = two_sellers(&db).await;
        let app = std::sync::Arc::new(TestApp::new(db));
        let cookie = app.login(&sellers.a.email, TEST_PASSWORD).await;
        let pages = [
            ("/login", None, StatusCode::OK),
            ("/signup", None, StatusCode::OK),
            ("/", None, StatusCode::FOUND),
            ("/no/such/page", None, StatusCode::NOT_FOUND),
            ("/seller", Some(cookie.clone()), StatusCode::OK),
            ("/seller/catalog", Some(cookie.clone()), StatusCode::OK),
            ("/account", Some(cookie.clone()), StatusCode::OK),
        ];
        for wave in 0..25 {
            let mut set = tokio::task::JoinSet::new();
            for (path, cookie, expected) in pages.iter().cloned() {
                for _ in 0..2 {
                    let app = app.clone();
                    let cookie = cookie.clone();
                    set.spawn(async move {
                        let res = tokio::time::timeout(
                            std::time::Duration::from_secs(30),
                            app.get(path, cookie.as_deref()),
                        )
                        .await;
                        (path, expected, res.map(|r| r.status))
                    });
                }
            }
            while let Some(done) = set.join_next().await {
                let (path, expected, res) = done.unwrap();
                let status = res.unwrap_or_else(|_| {
                    panic!("{path} (wave {wave}) did not finish rendering in 30 s")
                });
                assert_eq!(status, expected, "{path}");
            }
        }
    }
);
