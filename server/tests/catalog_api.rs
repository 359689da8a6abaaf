//! The catalog and imports as sellers' systems and the cabinet use them, over HTTP,
//! on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use axum::http::{Method, StatusCode};
use common::TestApp;
use db::testing::{TEST_PASSWORD, two_sellers};
use db::{Db, db_test};
use serde_json::json;

struct Seller {
    app: TestApp,
    cookie: String,
    key: String,
}

async fn seller(db: &Db) -> Seller {
    let app = TestApp::new(db.clone());
    let ab = two_sellers(db).await;
    let cookie = app.login(&ab.a.email, TEST_PASSWORD).await;
    let key = app.api_key(&cookie).await;
    Seller { app, cookie, key }
}

fn tshirt(title: &str, price: &str) -> serde_json::Value {
    json!({
        "title": title, "category": "tshirts", "price": price, "stock": 5,
        "brand": "Север",
        "attributes": {"color": "black", "size": "m", "gender": "men"}
    })
}

const HEADER: &str = "sku;title;category;price;stock;attr:color;attr:size;attr:gender";

fn csv(rows: &[&str]) -> Vec<u8> {
    let mut s = String::from(HEADER);
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.push('\n');
    s.into_bytes()
}

impl Seller {
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> common::TestResponse {
        self.app.api(method, path, Some(&self.key), body).await
    }

    /// Uploads through the API, runs the import and returns its final state.
    async fn import(&self, query: &str, file: &[u8]) -> serde_json::Value {
        let res = self.app.api_upload(&self.key, query, file).await;
        assert_eq!(res.status, StatusCode::ACCEPTED, "{}", res.text());
        let accepted = res.json();
        assert_eq!(accepted["status"], "queued");
        let id = accepted["id"].as_str().unwrap().to_string();
        self.app.run_jobs().await;
        let res = self
            .call(Method::GET, &format!("/api/v1/imports/{id}"), None)
            .await;
        assert_eq!(res.status, StatusCode::OK);
        res.json()
    }
}

fn counts(v: &serde_json::Value) -> [u64; 5] {
    let c = &v["counts"];
    ["total", "created", "updated", "unchanged", "failed"].map(|k| c[k].as_u64().unwrap())
}

db_test!(the_api_needs_a_key, |db: Db| async move {
    let app = TestApp::new(db);
    for path in ["/api/v1/skus", "/api/v1/categories", "/api/v1/imports"] {
        let res = app.api(Method::GET, path, None, None).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(res.error_code(), "unauthorized");
    }
    let res = app
        .api(Method::GET, "/api/v1/skus", Some("bzr_nope"), None)
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
});

db_test!(
    categories_come_with_their_attribute_schema,
    |db: Db| async move {
        let s = seller(&db).await;
        let res = s.call(Method::GET, "/api/v1/categories", None).await;
        assert_eq!(res.status, StatusCode::OK);
        let items = res.json()["items"].as_array().unwrap().clone();
        assert!(items.len() >= 20, "a realistic starter tree");
        let tshirts = items.iter().find(|c| c["code"] == "tshirts").unwrap();
        assert_eq!(tshirts["name_ru"], "Футболки и майки");
        let codes: Vec<&str> = tshirts["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["code"].as_str().unwrap())
            .collect();
        assert!(codes.contains(&"size"), "{codes:?}");
        // Parents come before their children.
        let position = |code: &str| items.iter().position(|c| c["code"] == code).unwrap();
        assert!(position(tshirts["parent"].as_str().unwrap()) < position("tshirts"));
    }
);

db_test!(
    a_sku_is_created_read_repriced_listed_and_archived,
    |db: Db| async move {
        let s = seller(&db).await;
        let res = s
            .call(
                Method::PUT,
                "/api/v1/skus/TS-1",
                Some(tshirt("Футболка чёрная", "1299.90")),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        let body = res.json();
        assert_eq!(body["outcome"], "created");
        assert_eq!(body["sku"]["status"], "pending_moderation");

        let again = s
            .call(
                Method::PUT,
                "/api/v1/skus/TS-1",
                Some(tshirt("Футболка чёрная", "1299.90")),
            )
            .await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.json()["outcome"], "unchanged");

        let patched = s
            .call(
                Method::PATCH,
                "/api/v1/skus/TS-1",
                Some(json!({"price": 999, "stock": "0"})),
            )
            .await;
        assert_eq!(patched.status, StatusCode::OK, "{}", patched.text());
        let sku = s.call(Method::GET, "/api/v1/skus/TS-1", None).await.json()["sku"].clone();
        assert_eq!(sku["commercial"]["stock"], 0);
        assert_eq!(
            sku["history"].as_array().unwrap().len(),
            1,
            "a price change makes no revision"
        );

        let bad = s
            .call(
                Method::PATCH,
                "/api/v1/skus/TS-1",
                Some(json!({"price": "-1"})),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            bad.json()["error"]["details"]["fields"][0]["field"],
            "price"
        );

        let mismatch = s
            .call(
                Method::PUT,
                "/api/v1/skus/TS-1",
                Some(json!({"sku": "OTHER", "title": "x"})),
            )
            .await;
        assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);

        s.call(
            Method::PUT,
            "/api/v1/skus/MUG-1",
            Some(tshirt("Кружка-футболка", "200")),
        )
        .await;
        let found = s
            .call(Method::GET, "/api/v1/skus?q=%D1%87%D1%91%D1%80%D0%BD", None)
            .await
            .json();
        let codes: Vec<&str> = found["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["seller_sku"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["TS-1"]);
        let by_status = s
            .call(
                Method::GET,
                "/api/v1/skus?status=pending_moderation&category=clothing",
                None,
            )
            .await;
        assert_eq!(by_status.status, StatusCode::OK, "{}", by_status.text());
        assert_eq!(by_status.json()["total"], 2);
        let bad_filter = s
            .call(Method::GET, "/api/v1/skus?status=sleeping", None)
            .await;
        assert_eq!(bad_filter.status, StatusCode::UNPROCESSABLE_ENTITY);

        let deleted = s.call(Method::DELETE, "/api/v1/skus/TS-1", None).await;
        assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.text());
        assert_eq!(deleted.json()["sku"]["status"], "archived");
        let listed = s.call(Method::GET, "/api/v1/skus", None).await.json();
        assert_eq!(listed["total"], 1, "archived SKUs leave the default list");
        let missing = s.call(Method::GET, "/api/v1/skus/NOPE", None).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert_eq!(missing.error_code(), "not_found");
    }
);

db_test!(a_batch_reports_each_item, |db: Db| async move {
    let s = seller(&db).await;
    let mut bad = tshirt("", "100");
    bad["sku"] = json!("B-2");
    let mut good = tshirt("Футболка", "100");
    good["sku"] = json!("B-1");
    let res = s
        .call(
            Method::PUT,
            "/api/v1/skus",
            Some(json!({"items": [good, bad]})),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let body = res.json();
    assert_eq!(
        (body["created"].as_u64(), body["failed"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(body["items"][0]["outcome"], "created");
    assert!(body["items"][1]["outcome"].is_null());
    assert_eq!(body["items"][1]["errors"][0]["field"], "items[1].title");

    let many: Vec<serde_json::Value> = (0..1001)
        .map(|i| json!({"sku": format!("X-{i}")}))
        .collect();
    let res = s
        .call(Method::PUT, "/api/v1/skus", Some(json!({"items": many})))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.json()["error"]["details"]["fields"][0]["code"],
        "too_many"
    );
});

db_test!(an_idempotency_key_makes_a_retry_safe, |db: Db| async move {
    let s = seller(&db).await;
    let body = tshirt("Футболка", "100").to_string().into_bytes();
    let send = |key: &'static str, body: Vec<u8>| {
        let s = &s;
        async move {
            s.app
                .raw(
                    Method::PUT,
                    "/api/v1/skus/K-1",
                    Some(&s.key),
                    None,
                    &[
                        ("content-type", "application/json"),
                        ("idempotency-key", key),
                    ],
                    body,
                )
                .await
        }
    };
    let first = send("key-1", body.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let retry = send("key-1", body.clone()).await;
    assert_eq!(retry.status, StatusCode::CREATED, "the first answer again");
    assert_eq!(retry.headers["idempotent-replayed"], "true");
    assert_eq!(retry.json()["outcome"], "created");
    let other = send("key-1", tshirt("Другая", "100").to_string().into_bytes()).await;
    assert_eq!(other.status, StatusCode::CONFLICT);
    assert_eq!(other.error_code(), "idempotency_key_reused");

    // Uploads too: the same key and file give the same import.
    let file = csv(&["U-1;Футболка;tshirts;100;1;black;m;men"]);
    let up = |key: &'static str| {
        let (s, file) = (&s, file.clone());
        async move {
            s.app
                .raw(
                    Method::POST,
                    "/api/v1/imports",
                    Some(&s.key),
                    None,
                    &[("content-type", "text/csv"), ("idempotency-key", key)],
                    file,
                )
                .await
        }
    };
    let one = up("upload-1").await;
    let two = up("upload-1").await;
    assert_eq!(one.status, StatusCode::ACCEPTED);
    assert_eq!(two.status, StatusCode::ACCEPTED);
    assert_eq!(one.json()["id"], two.json()["id"]);
    s.app.run_jobs().await;
    let history = s.call(Method::GET, "/api/v1/imports", None).await.json();
    assert_eq!(history["total"], 1);
});

db_test!(
    an_import_reports_counts_errors_and_a_report_in_the_sellers_format,
    |db: Db| async move {
        let s = seller(&db).await;
        let text = "Артикул;Наименование;Категория;Цена;Остаток;attr:color;attr:size;attr:gender\r\n\
                Ф-1;Футболка;tshirts;1 299,90;5;black;m;men\r\n\
                Ф-2;Футболка;tshirts;бесплатно;5;black;m;men\r\n\
                Ф-3;Футболка;Одежда/Футболки и майки;10;5;black;m;men\r\n";
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
        let view = s
            .import("?file_name=%D0%BF%D1%80%D0%B0%D0%B9%D1%81.csv", &bytes)
            .await;
        assert_eq!(view["status"], "succeeded", "{view}");
        assert_eq!(view["file_name"], "прайс.csv");
        assert_eq!(view["encoding"], "windows1251");
        assert_eq!(view["progress_percent"], 100);
        assert_eq!(counts(&view), [3, 2, 0, 0, 1]);
        let id = view["id"].as_str().unwrap();

        let errors = s
            .call(Method::GET, &format!("/api/v1/imports/{id}/errors"), None)
            .await
            .json();
        assert_eq!(errors["total"], 1);
        let problem = &errors["items"][0]["problems"][0];
        assert_eq!(errors["items"][0]["row"], 3);
        assert_eq!(problem["code"], "bad_number");
        assert_eq!(problem["column"], "Цена");
        assert_eq!(errors["items"][0]["cells"][3], "бесплатно");

        let report = s
            .call(
                Method::GET,
                &format!("/api/v1/imports/{id}/errors.csv"),
                None,
            )
            .await;
        assert_eq!(report.status, StatusCode::OK);
        assert_eq!(
            report.headers["content-type"],
            "text/csv; charset=windows-1251"
        );
        assert!(
            report.headers["content-disposition"]
                .to_str()
                .unwrap()
                .contains("attachment")
        );
        let (text, _, _) = encoding_rs::WINDOWS_1251.decode(&report.body);
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].starts_with("row;errors;Артикул;Наименование"),
            "{}",
            lines[0]
        );
        assert!(
            lines[1].starts_with("3;") && lines[1].contains("бесплатно"),
            "{}",
            lines[1]
        );
        assert_eq!(lines.len(), 2);

        // Unchanged re-upload, then a price-only change.
        let again = s.import("", &bytes).await;
        assert_eq!(counts(&again), [3, 0, 0, 2, 1]);
        let history = s.call(Method::GET, "/api/v1/imports", None).await.json();
        assert_eq!(history["total"], 2);
        assert_eq!(history["items"][0]["id"], again["id"], "newest first");
    }
);

db_test!(
    all_or_nothing_applies_nothing_when_a_row_fails,
    |db: Db| async move {
        let s = seller(&db).await;
        let file = csv(&[
            "A-1;Футболка;tshirts;100;1;black;m;men",
            "A-2;Футболка;tshirts;0;1;black;m;men",
        ]);
        let view = s.import("?mode=all_or_nothing", &file).await;
        assert_eq!(view["status"], "failed");
        assert_eq!(view["mode"], "all_or_nothing");
        assert_eq!(view["error_code"], "rows_rejected");
        assert_eq!(
            s.call(Method::GET, "/api/v1/skus", None).await.json()["total"],
            0
        );
        let bad_mode = s.app.api_upload(&s.key, "?mode=sometimes", &file).await;
        assert_eq!(bad_mode.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
);

db_test!(
    a_file_that_cannot_be_imported_is_refused_at_once,
    |db: Db| async move {
        let s = seller(&db).await;
        let res = s.app.api_upload(&s.key, "", b"title;price\nx;1\n").await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            res.text()
        );
        let err = res.json();
        assert_eq!(err["error"]["code"], "validation");
        assert_eq!(
            err["error"]["details"]["fields"][0]["code"],
            "no_sku_column"
        );
        let empty = s.app.api_upload(&s.key, "", b"").await;
        assert_eq!(
            empty.json()["error"]["details"]["fields"][0]["code"],
            "empty_file"
        );
        let json = s
            .call(Method::POST, "/api/v1/imports", Some(json!({"a": 1})))
            .await;
        assert_eq!(json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(
            s.call(Method::GET, "/api/v1/imports", None).await.json()["total"],
            0
        );
    }
);

db_test!(
    multipart_uploads_work_through_the_api_and_the_cabinet,
    |db: Db| async move {
        let s = seller(&db).await;
        let file = csv(&["M-1;Футболка;tshirts;100;1;black;m;men"]);
        let (content_type, body) = common::multipart(&[("file", Some("товары.csv"), &file)]);
        let res = s
            .app
            .raw(
                Method::POST,
                "/api/v1/imports",
                Some(&s.key),
                None,
                &[("content-type", &content_type)],
                body,
            )
            .await;
        assert_eq!(res.status, StatusCode::ACCEPTED, "{}", res.text());

        let res = s
            .app
            .cabinet_upload(
                &s.cookie,
                Some("all_or_nothing"),
                &csv(&["M-2;Футболка;tshirts;abc;1;black;m;men"]),
            )
            .await;
        assert_eq!(res.status, StatusCode::ACCEPTED, "{}", res.text());
        let id = res.json()["id"].as_str().unwrap().to_string();
        s.app.run_jobs().await;
        let status = s
            .app
            .raw(
                Method::GET,
                &format!("/seller/imports/{id}/status"),
                None,
                Some(&s.cookie),
                &[],
                Vec::new(),
            )
            .await;
        assert_eq!(status.status, StatusCode::OK);
        let status = status.json();
        assert_eq!(status["file_name"], "прайс.csv");
        assert_eq!(status["mode"], "all_or_nothing");
        assert_eq!(status["status"], "failed");
        let report = s
            .app
            .raw(
                Method::GET,
                &format!("/seller/imports/{id}/errors.csv"),
                None,
                Some(&s.cookie),
                &[],
                Vec::new(),
            )
            .await;
        assert_eq!(report.status, StatusCode::OK);
        assert!(report.text().contains("M-2"));
        assert!(
            report.headers["content-disposition"]
                .to_str()
                .unwrap()
                .contains("filename*=UTF-8''%D0%BF")
        );

        // A cabinet upload from another site is refused, and so is one without a session.
        let (content_type, body) = common::multipart(&[("file", Some("x.csv"), &file)]);
        let forged = s
            .app
            .raw(
                Method::POST,
                "/seller/imports/upload",
                None,
                Some(&s.cookie),
                &[
                    ("content-type", &content_type),
                    ("origin", "http://evil.test"),
                ],
                body.clone(),
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert_eq!(forged.error_code(), "csrf_rejected");
        let anonymous = s
            .app
            .raw(
                Method::POST,
                "/seller/imports/upload",
                None,
                None,
                &[("content-type", &content_type), ("origin", common::ORIGIN)],
                body,
            )
            .await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    }
);

db_test!(
    templates_and_the_export_are_csv_sellers_can_open,
    |db: Db| async move {
        let s = seller(&db).await;
        let res = s
            .call(Method::GET, "/api/v1/templates/tshirts.csv", None)
            .await;
        assert_eq!(res.status, StatusCode::OK);
        let text = res.text();
        let header = text
            .trim_start_matches('\u{feff}')
            .lines()
            .next()
            .unwrap()
            .to_string();
        assert!(
            header.starts_with("sku;title;description;brand;category"),
            "{header}"
        );
        assert!(
            header.contains("attr:size") && header.contains("attr:color"),
            "{header}"
        );
        let ru = s
            .app
            .raw(
                Method::GET,
                "/seller/templates/tshirts.csv?headers=russian",
                None,
                Some(&s.cookie),
                &[],
                Vec::new(),
            )
            .await;
        assert_eq!(ru.status, StatusCode::OK);
        assert!(ru.text().contains("Артикул"));
        assert_eq!(
            s.call(Method::GET, "/api/v1/templates/nope.csv", None)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            s.call(Method::GET, "/api/v1/templates/clothing.csv", None)
                .await
                .status,
            StatusCode::UNPROCESSABLE_ENTITY
        );

        let mut evil = tshirt("=HYPERLINK(\"http://evil\")", "100");
        evil["brand"] = json!("+7 Бренд");
        let put = s.call(Method::PUT, "/api/v1/skus/EVIL-1", Some(evil)).await;
        assert_eq!(put.status, StatusCode::CREATED, "{}", put.text());
        for export in [
            s.call(Method::GET, "/api/v1/skus/export.csv", None).await,
            s.app
                .raw(
                    Method::GET,
                    "/seller/catalog/export.csv",
                    None,
                    Some(&s.cookie),
                    &[],
                    Vec::new(),
                )
                .await,
        ] {
            assert_eq!(export.status, StatusCode::OK);
            let text = export.text();
            let row = text
                .lines()
                .find(|l| l.starts_with("EVIL-1"))
                .unwrap()
                .to_string();
            assert!(
                !row.contains(";=HYPERLINK") && !row.contains(";\"=HYPERLINK"),
                "{row}"
            );
            assert!(
                row.contains("'=HYPERLINK") || row.contains("\"'=HYPERLINK"),
                "{row}"
            );
            assert!(!row.contains(";+7"), "{row}");
        }
    }
);

db_test!(
    the_openapi_document_describes_the_catalog,
    |db: Db| async move {
        let app = TestApp::new(db);
        let doc = app
            .api(Method::GET, "/api/v1/openapi.json", None, None)
            .await
            .json();
        for path in [
            "/api/v1/categories",
            "/api/v1/skus",
            "/api/v1/skus/{seller_sku}",
            "/api/v1/skus/export.csv",
            "/api/v1/imports",
            "/api/v1/imports/{id}",
            "/api/v1/imports/{id}/errors",
            "/api/v1/imports/{id}/errors.csv",
            "/api/v1/templates/{category}.csv",
        ] {
            assert!(doc["paths"][path].is_object(), "{path} is not documented");
        }
        assert!(doc["paths"]["/api/v1/skus/{seller_sku}"]["patch"].is_object());
    }
);

db_test!(
    the_background_workers_run_queued_imports,
    |db: Db| async move {
        let s = seller(&db).await;
        let shutdown = tokio_util::sync::CancellationToken::new();
        let workers = server::workers::spawn(s.app.state.clone(), shutdown.clone());
        let res = s
            .app
            .api_upload(
                &s.key,
                "",
                &csv(&["W-1;Футболка;tshirts;100;1;black;m;men"]),
            )
            .await;
        assert_eq!(res.status, StatusCode::ACCEPTED);
        let id = res.json()["id"].as_str().unwrap().to_string();
        let mut status = String::new();
        for _ in 0..200 {
            let view = s
                .call(Method::GET, &format!("/api/v1/imports/{id}"), None)
                .await
                .json();
            status = view["status"].as_str().unwrap().to_string();
            if status == "succeeded" || status == "failed" {
                break;
            }
            // Polling the import's status, as a client does.
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(status, "succeeded");
        shutdown.cancel();
        for w in workers {
            w.await.unwrap();
        }
        assert_eq!(db::jobs::count(&db, "done").await.unwrap(), 1);
    }
);
