//! Product images through the real router: uploads (formats, bombs, truncated,
//! mislabelled and polyglot files, the size limit), URL images fetched by the worker
//! from a local HTTP server, SSRF refusals, near duplicates across sellers, and who
//! may see the stored files.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;
#[path = "../../crates/media/tests/support/mod.rs"]
mod support;

use axum::http::{Method, StatusCode};
use common::{ORIGIN, TestApp, TestResponse};
use db::images::{DuplicateKind, ImageStatus};
use db::testing::{TEST_PASSWORD, staff, two_sellers};
use db::{Db, db_test};
use domain::accounts::Role;
use domain::ids::SellerId;
use std::net::SocketAddr;
use support::{jpeg, photo, png, png_declaring, webp_lossless, zip_with};

struct Sellers {
    a_key: String,
    b_key: String,
    a_cookie: String,
    b_cookie: String,
    a: SellerId,
    b: SellerId,
}

async fn sellers(app: &TestApp, db: &Db) -> Sellers {
    let ab = two_sellers(db).await;
    let a_cookie = app.login(&ab.a.email, TEST_PASSWORD).await;
    let b_cookie = app.login(&ab.b.email, TEST_PASSWORD).await;
    Sellers {
        a_key: app.api_key(&a_cookie).await,
        b_key: app.api_key(&b_cookie).await,
        a_cookie,
        b_cookie,
        a: ab.a.seller().unwrap().seller_id(),
        b: ab.b.seller().unwrap().seller_id(),
    }
}

async fn upload(app: &TestApp, key: &str, content_type: &str, bytes: Vec<u8>) -> TestResponse {
    app.raw(
        Method::POST,
        "/api/v1/images",
        Some(key),
        None,
        &[("content-type", content_type)],
        bytes,
    )
    .await
}

/// A `multipart/form-data` body with one file part `file` of `content_type`.
fn multipart_file(file_name: &str, content_type: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "bazaar-image-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn field_code(res: &TestResponse) -> String {
    res.json()["error"]["details"]["fields"][0]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no field code in {}", res.text()))
        .to_string()
}

db_test!(
    uploads_in_three_formats_are_processed,
    |db: Db| async move {
        let app = TestApp::new(db.clone());
        let s = sellers(&app, &db).await;
        let picture = photo(1600, 1000, 7);
        for (content_type, bytes) in [
            ("image/jpeg", jpeg(&picture, 85)),
            ("image/png", png(&photo(640, 480, 8))),
            ("image/webp", webp_lossless(&photo(500, 500, 9))),
        ] {
            let res = upload(&app, &s.a_key, content_type, bytes).await;
            assert_eq!(
                res.status,
                StatusCode::CREATED,
                "{content_type}: {}",
                res.text()
            );
            let v = res.json();
            assert_eq!(v["status"], "ready");
            assert_eq!(v["source"], "upload");
            let id = v["id"].as_str().unwrap();
            assert_eq!(v["url"], format!("{ORIGIN}/media/{id}.jpg"));
            // The same through GET.
            let got = app
                .api(
                    Method::GET,
                    &format!("/api/v1/images/{id}"),
                    Some(&s.a_key),
                    None,
                )
                .await;
            assert_eq!(got.status, StatusCode::OK);
            assert_eq!(got.json()["width"], v["width"]);
        }
        // The large derivative is served to the owner, at most 1200 px, as JPEG.
        let res = upload(&app, &s.a_key, "image/jpeg", jpeg(&picture, 85)).await;
        let id = res.json()["id"].as_str().unwrap().to_string();
        assert_eq!(
            (res.json()["width"].as_u64(), res.json()["height"].as_u64()),
            (Some(1600), Some(1000))
        );
        let large = app
            .get(&format!("/media/{id}.jpg"), Some(&s.a_cookie))
            .await;
        assert_eq!(large.status, StatusCode::OK);
        assert_eq!(large.headers["content-type"], "image/jpeg");
        assert!(
            large.headers["cache-control"]
                .to_str()
                .unwrap()
                .contains("max-age")
        );
        let img = image::load_from_memory(&large.body).unwrap();
        assert_eq!((img.width(), img.height()), (1200, 750));
        let thumb = app
            .get(&format!("/media/{id}/thumb.jpg"), Some(&s.a_cookie))
            .await;
        let img = image::load_from_memory(&thumb.body).unwrap();
        assert_eq!((img.width(), img.height()), (300, 188));
        // With the API key too.
        let original = app
            .raw(
                Method::GET,
                &format!("/media/{id}/original"),
                Some(&s.a_key),
                None,
                &[],
                Vec::new(),
            )
            .await;
        assert_eq!(original.status, StatusCode::OK);
        assert_eq!(
            image::load_from_memory(&original.body).unwrap().width(),
            1600
        );
    }
);

db_test!(bad_uploads_are_refused_with_a_reason, |db: Db| async move {
    let app = TestApp::new(db.clone());
    let s = sellers(&app, &db).await;
    // A decompression bomb: a tiny PNG declaring 100000×100000 pixels.
    let res = upload(
        &app,
        &s.a_key,
        "image/png",
        png_declaring(100_000, 100_000, 2),
    )
    .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        res.text()
    );
    assert_eq!(field_code(&res), "dimensions_too_large");
    // Truncated JPEG.
    let whole = jpeg(&photo(800, 600, 3), 85);
    let res = upload(
        &app,
        &s.a_key,
        "image/jpeg",
        whole[..whole.len() / 2].to_vec(),
    )
    .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        res.text()
    );
    assert_eq!(field_code(&res), "truncated");
    // A PNG labelled as JPEG (multipart file name and type).
    let (ct, body) = multipart_file("photo.jpg", "image/jpeg", &png(&photo(64, 64, 4)));
    let res = upload(&app, &s.a_key, &ct, body).await;
    assert_eq!(
        res.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        res.text()
    );
    assert_eq!(field_code(&res), "mislabelled");
    // A ZIP with an image inside is a ZIP.
    let res = upload(
        &app,
        &s.a_key,
        "application/octet-stream",
        zip_with("a.jpg", &whole),
    )
    .await;
    assert_eq!(
        res.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        res.text()
    );
    assert_eq!(field_code(&res), "unsupported_format");
    // Not an image type at all.
    let res = upload(&app, &s.a_key, "text/html", b"<html></html>".to_vec()).await;
    assert_eq!(
        res.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        res.text()
    );
    // A JPEG with a ZIP appended (a polyglot) is the JPEG; the ZIP is cut off.
    let mut polyglot = whole.clone();
    polyglot.extend_from_slice(&zip_with("secret.txt", b"hidden"));
    let res = upload(&app, &s.a_key, "image/jpeg", polyglot).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let id = res.json()["id"].as_str().unwrap().to_string();
    let original = app
        .get(&format!("/media/{id}/original"), Some(&s.a_cookie))
        .await;
    assert!(!original.text().contains("secret.txt"));
    assert_eq!(
        image::load_from_memory(&original.body).unwrap().width(),
        800
    );
    // EXIF (here an orientation; on phones also the GPS position) is not kept.
    let with_exif = support::with_exif_orientation(&whole, 6);
    assert!(with_exif.windows(4).any(|w| w == b"Exif"));
    let res = upload(&app, &s.a_key, "image/jpeg", with_exif).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let id = res.json()["id"].as_str().unwrap().to_string();
    let original = app
        .get(&format!("/media/{id}/original"), Some(&s.a_cookie))
        .await;
    assert!(!original.body.windows(4).any(|w| w == b"Exif"));
    assert!(image::load_from_memory(&original.body).is_ok());
    // Nothing was recorded for the refused files.
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM images")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(n, 2);
});

db_test!(oversize_uploads_get_413, |db: Db| async move {
    let app = TestApp::with_settings(db.clone(), |s| s.image_max_bytes = 50_000);
    let s = sellers(&app, &db).await;
    let big = jpeg(&photo(1500, 1500, 5), 95);
    assert!(big.len() > 50_000);
    let res = upload(&app, &s.a_key, "image/jpeg", big.clone()).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", res.text());
    assert_eq!(res.error_code(), "payload_too_large");
    assert!(
        res.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("limit")
    );
    // Multipart from the cabinet too.
    let (ct, body) = multipart_file("big.jpg", "image/jpeg", &big);
    let res = app
        .raw(
            Method::POST,
            "/seller/images/upload",
            None,
            Some(&s.a_cookie),
            &[("content-type", &ct), ("origin", ORIGIN)],
            body,
        )
        .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", res.text());
});

db_test!(cabinet_upload_needs_our_origin, |db: Db| async move {
    let app = TestApp::new(db.clone());
    let s = sellers(&app, &db).await;
    let (ct, body) = multipart_file("a.png", "image/png", &png(&photo(300, 300, 6)));
    let res = app
        .raw(
            Method::POST,
            "/seller/images/upload",
            None,
            Some(&s.a_cookie),
            &[("content-type", &ct), ("origin", "http://evil.test")],
            body.clone(),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app
        .raw(
            Method::POST,
            "/seller/images/upload",
            None,
            Some(&s.a_cookie),
            &[("content-type", &ct), ("origin", ORIGIN)],
            body,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let id = res.json()["id"].as_str().unwrap().to_string();
    let status = app
        .get(&format!("/seller/images/{id}/status"), Some(&s.a_cookie))
        .await;
    assert_eq!(status.json()["status"], "ready");
    let status = app
        .get(&format!("/seller/images/{id}/status"), Some(&s.b_cookie))
        .await;
    assert_eq!(status.status, StatusCode::NOT_FOUND);
});

/// A local HTTP server for URL images: `/a.jpg`, `/a.png` served as text/html, a
/// redirect to loopback, an endless redirect chain and a 500.
async fn image_server(jpeg_bytes: Vec<u8>) -> SocketAddr {
    use axum::response::{IntoResponse, Redirect};
    use axum::routing::get;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let port = addr.port();
    let jpeg_bytes = bytes::Bytes::from(jpeg_bytes);
    let router =
        axum::Router::new()
            .route(
                "/a.jpg",
                get(move || {
                    let b = jpeg_bytes.clone();
                    async move { ([("content-type", "image/jpeg")], b).into_response() }
                }),
            )
            .route(
                "/page.html",
                get(|| async {
                    ([("content-type", "text/html")], "<html></html>").into_response()
                }),
            )
            .route(
                "/to-loopback",
                get(move || async move {
                    Redirect::temporary(&format!("http://localhost:{port}/a.jpg"))
                }),
            )
            .route(
                "/to-other-loopback",
                get(move || async move {
                    Redirect::temporary(&format!("http://127.0.0.2:{port}/a.jpg"))
                }),
            )
            .route(
                "/to-self",
                get(|| async { Redirect::temporary("/to-self") }),
            )
            .route("/hop", get(|| async { Redirect::temporary("/a.jpg") }))
            .route(
                "/broken",
                get(|| async { StatusCode::INTERNAL_SERVER_ERROR.into_response() }),
            );
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    addr
}

async fn register_and_run(
    app: &TestApp,
    seller: SellerId,
    urls: &[String],
) -> Vec<db::images::ImageState> {
    db::images::ensure_url_images(&app.db, seller, urls)
        .await
        .unwrap();
    app.run_jobs().await;
    let states = db::images::states_for(&app.db, seller, urls).await.unwrap();
    assert_eq!(states.len(), urls.len());
    states
}

db_test!(url_images_are_fetched_and_processed, |db: Db| async move {
    let app = TestApp::with_settings(db.clone(), |s| s.fetch_allow_hosts = "127.0.0.1".into());
    let s = sellers(&app, &db).await;
    let addr = image_server(jpeg(&photo(1400, 1400, 11), 85)).await;
    let urls = vec![format!("http://{addr}/a.jpg"), format!("http://{addr}/hop")];
    let states = register_and_run(&app, s.a, &urls).await;
    for st in &states {
        assert_eq!(st.status, ImageStatus::Ready, "{st:?}");
        assert_eq!((st.width, st.height), (Some(1400), Some(1400)));
    }
    let id = states[0].id;
    let large = app
        .get(&format!("/media/{id}.jpg"), Some(&s.a_cookie))
        .await;
    assert_eq!(large.status, StatusCode::OK);
    assert_eq!(image::load_from_memory(&large.body).unwrap().width(), 1200);
    let thumb = app
        .get(&format!("/media/{id}/thumb.jpg"), Some(&s.a_cookie))
        .await;
    assert_eq!(image::load_from_memory(&thumb.body).unwrap().width(), 300);
    // Registering again fetches nothing.
    assert!(
        db::images::ensure_url_images(&db, s.a, &urls)
            .await
            .unwrap()
            .is_empty()
    );
    // The jobs are done, none failed.
    assert_eq!(db::jobs::count(&db, "failed").await.unwrap(), 0);
    assert_eq!(db::jobs::count(&db, "queued").await.unwrap(), 0);
});

db_test!(ssrf_attempts_are_refused, |db: Db| async move {
    // Loopback allowed for 127.0.0.1 only (the local test server).
    let app = TestApp::with_settings(db.clone(), |s| s.fetch_allow_hosts = "127.0.0.1".into());
    let s = sellers(&app, &db).await;
    let addr = image_server(jpeg(&photo(500, 500, 12), 85)).await;
    let cases = [
        (format!("http://{addr}/to-loopback"), "forbidden_address"),
        (
            format!("http://{addr}/to-other-loopback"),
            "forbidden_address",
        ),
        (format!("http://{addr}/to-self"), "too_many_redirects"),
        (
            format!("http://{addr}/page.html"),
            "unsupported_content_type",
        ),
        ("http://10.0.0.1/a.jpg".to_string(), "forbidden_address"),
        ("http://192.168.1.1/a.jpg".to_string(), "forbidden_address"),
        (
            "http://169.254.169.254/latest/meta-data/".to_string(),
            "forbidden_address",
        ),
        ("http://[::1]/a.jpg".to_string(), "forbidden_address"),
        ("http://localhost/a.jpg".to_string(), "forbidden_address"),
        ("ftp://example.com/a.jpg".to_string(), "forbidden_scheme"),
        ("file:///etc/passwd".to_string(), "forbidden_scheme"),
    ];
    let urls: Vec<String> = cases.iter().map(|(u, _)| u.clone()).collect();
    let states = register_and_run(&app, s.a, &urls).await;
    for (st, (url, code)) in states.iter().zip(&cases) {
        assert_eq!(st.status, ImageStatus::Failed, "{url}: {st:?}");
        assert_eq!(st.error_code.as_deref(), Some(*code), "{url}: {st:?}");
        assert!(st.error_message_ru.is_some() && st.error_message_en.is_some());
    }
    // Without the allow-list, the test server itself is loopback and refused.
    let strict = TestApp::new(db.clone());
    let url = vec![format!("http://{addr}/a.jpg")];
    let states = register_and_run(&strict, s.b, &url).await;
    assert_eq!(states[0].error_code.as_deref(), Some("forbidden_address"));
});

db_test!(server_errors_are_retried_then_fail, |db: Db| async move {
    let app = TestApp::with_settings(db.clone(), |s| s.fetch_allow_hosts = "127.0.0.1".into());
    let s = sellers(&app, &db).await;
    let addr = image_server(jpeg(&photo(500, 500, 12), 85)).await;
    let states = register_and_run(&app, s.a, &[format!("http://{addr}/broken")]).await;
    assert_eq!(states[0].status, ImageStatus::Failed);
    assert_eq!(states[0].error_code.as_deref(), Some("http_status"));
    let (attempts,): (i64,) = sqlx::query_as("SELECT attempts FROM images WHERE id = $1")
        .bind(states[0].id.to_string())
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(attempts, db::images::FETCH_MAX_ATTEMPTS);
});

db_test!(another_sellers_photo_is_flagged, |db: Db| async move {
    let app = TestApp::with_settings(db.clone(), |s| s.fetch_allow_hosts = "127.0.0.1".into());
    let s = sellers(&app, &db).await;
    let picture = photo(1200, 900, 21);
    let res = upload(&app, &s.a_key, "image/jpeg", jpeg(&picture, 90)).await;
    assert_eq!(res.status, StatusCode::CREATED);
    assert!(res.json()["duplicate"].is_null());
    let a_id = res.json()["id"].as_str().unwrap().to_string();
    // B's copy: re-encoded at another quality, served from B's "site".
    let addr = image_server(jpeg(&picture, 60)).await;
    let states = register_and_run(&app, s.b, &[format!("http://{addr}/a.jpg")]).await;
    assert_eq!(states[0].status, ImageStatus::Ready);
    assert_eq!(states[0].duplicate_kind, Some(DuplicateKind::OtherSeller));
    assert_eq!(
        states[0].duplicate_of.map(|i| i.to_string()),
        Some(a_id.clone())
    );
    // B's API view names the finding but not A's image.
    let got = app
        .api(
            Method::GET,
            &format!("/api/v1/images/{}", states[0].id),
            Some(&s.b_key),
            None,
        )
        .await;
    assert_eq!(got.json()["duplicate"]["kind"], "other_seller");
    assert!(!got.text().contains(&a_id));
    // An upload of a different picture by B is clean.
    let res = upload(&app, &s.b_key, "image/png", png(&photo(600, 600, 99))).await;
    assert!(res.json()["duplicate"].is_null(), "{}", res.text());
});

db_test!(only_the_owner_and_staff_see_an_image, |db: Db| async move {
    let app = TestApp::new(db.clone());
    let s = sellers(&app, &db).await;
    let res = upload(&app, &s.a_key, "image/jpeg", jpeg(&photo(400, 400, 31), 85)).await;
    let id = res.json()["id"].as_str().unwrap().to_string();
    for path in [
        format!("/media/{id}.jpg"),
        format!("/media/{id}/thumb.jpg"),
        format!("/media/{id}/original"),
    ] {
        assert_eq!(
            app.get(&path, Some(&s.a_cookie)).await.status,
            StatusCode::OK,
            "{path}"
        );
        assert_eq!(
            app.get(&path, Some(&s.b_cookie)).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
        assert_eq!(
            app.get(&path, None).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
        let with_b_key = app
            .raw(Method::GET, &path, Some(&s.b_key), None, &[], Vec::new())
            .await;
        assert_eq!(with_b_key.status, StatusCode::NOT_FOUND, "{path}");
    }
    let res = app
        .api(
            Method::GET,
            &format!("/api/v1/images/{id}"),
            Some(&s.b_key),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // Moderators and admins see it.
    for (email, role) in [
        ("mod@bazaar.test", Role::Moderator),
        ("admin@bazaar.test", Role::Admin),
    ] {
        let p = staff(&db, email, role).await;
        let cookie = app.login(&p.email, TEST_PASSWORD).await;
        let res = app
            .get(&format!("/media/{id}/thumb.jpg"), Some(&cookie))
            .await;
        assert_eq!(res.status, StatusCode::OK, "{email}");
    }
});
