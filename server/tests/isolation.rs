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
    /// A SKU of A's (its code, and a title nobody else uses).
    sku: String,
    sku_title: String,
    /// A finished import of A's, with rejected rows.
    import_id: String,
    /// An uploaded image of A's.
    image_id: String,
    /// A paid order of A's SKU, and A's shipment in it.
    order_id: String,
    shipment_id: String,
}

enum Call {
    Rpc(&'static str, Vec<(&'static str, String)>),
    Api(Method, String, Option<serde_json::Value>),
    /// Any body: with B's API key for `/api/v1/...`, else with B's session cookie
    /// (and our Origin) for the cabinet's own routes.
    Raw {
        method: Method,
        path: String,
        content_type: String,
        body: Vec<u8>,
    },
}

enum Expect {
    /// Refused outright.
    Denied,
    /// Allowed (it acts on B's own data) but nothing of A's may appear in the answer.
    NoLeak,
    /// A channel-only route called with a seller's key: 401.
    NotChannel,
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
        // Seller catalog and imports (cabinet server functions).
        rpc("list_skus", &[], NoLeak),
        rpc("list_skus", &[("q", &a.sku)], NoLeak),
        rpc("get_sku", &[("seller_sku", &a.sku)], Denied),
        rpc(
            "update_sku_commercial",
            &[
                ("seller_sku", &a.sku),
                ("price", "1"),
                ("old_price", ""),
                ("vat", "none"),
                ("stock", "0"),
            ],
            Denied,
        ),
        rpc("list_categories", &[], NoLeak),
        rpc("list_imports", &[("offset", "0")], NoLeak),
        rpc("get_import", &[("id", &a.import_id)], Denied),
        rpc(
            "list_import_errors",
            &[("id", &a.import_id), ("offset", "0")],
            Denied,
        ),
        // Staff areas: a seller is refused.
        rpc("moderation_stats", &[], Denied),
        rpc("moderation_claim", &[("count", "20")], Denied),
        rpc("moderation_held", &[], Denied),
        rpc("moderation_release", &[], Denied),
        rpc("moderation_item", &[("revision_id", "x")], Denied),
        rpc(
            "moderation_decide",
            &[("ids[0]", "x"), ("kind", "approve")],
            Denied,
        ),
        rpc("moderation_reasons", &[], Denied),
        rpc("moderation_find_skus", &[("q", &a.sku)], Denied),
        rpc(
            "moderation_block_sku",
            &[("sku_id", "x"), ("block", "true"), ("reasons[0]", "other")],
            Denied,
        ),
        rpc("moderation_decisions", &[], Denied),
        rpc("admin_list_reasons", &[], Denied),
        rpc(
            "admin_save_reason",
            &[
                ("reason[code]", "x"),
                ("reason[name_ru]", "x"),
                ("reason[name_en]", "x"),
                ("reason[hint_ru]", ""),
                ("reason[hint_en]", ""),
                ("reason[active]", "true"),
            ],
            Denied,
        ),
        rpc("admin_list_banned", &[], Denied),
        rpc(
            "admin_add_banned",
            &[("phrase", "x"), ("action", "review")],
            Denied,
        ),
        rpc("admin_remove_banned", &[("id", "x")], Denied),
        rpc("admin_list_category_rules", &[], Denied),
        rpc(
            "admin_set_category_rule",
            &[("code", "tshirts"), ("restricted", "true")],
            Denied,
        ),
        rpc("admin_list_categories", &[], Denied),
        rpc(
            "admin_import_categories",
            &[("csv", "category_code;parent_code;name_ru;name_en\nx;;X;X\n")],
            Denied,
        ),
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
    .into_iter()
    .chain(order_cases(a))
    // Before the catalog cases: those give B a SKU under A's code.
    .chain(finance_cases(a))
    .chain(image_cases(a))
    .chain(catalog_cases(a))
    .chain(cabinet_writes(a))
    .collect()
}

/// Cabinet writes that give B a SKU under A's code; they run last, after the cases
/// that expect that code to be "not found" for B.
fn cabinet_writes(a: &AObjects) -> Vec<Case> {
    use Expect::*;
    vec![
        // The same code under B is B's own SKU: created for B, A's untouched.
        rpc(
            "put_sku",
            &[
                ("input[sku]", &a.sku),
                ("input[title]", "Футболка Б"),
                ("input[category]", "tshirts"),
                ("input[price]", "10"),
                ("input[stock]", "1"),
                ("input[attributes][color]", "black"),
                ("input[attributes][size]", "m"),
                ("input[attributes][gender]", "men"),
            ],
            NoLeak,
        ),
    ]
}

/// Orders: A's paid shipment is "not found" for B in the cabinet and over the REST
/// API; the staff's order screens refuse sellers; the channel-only routes refuse a
/// seller's key (it is not a channel key).
fn order_cases(a: &AObjects) -> Vec<Case> {
    use Expect::*;
    let id = a.shipment_id.as_str();
    let shipment = format!("/api/v1/shipments/{id}");
    let order = format!("/api/v1/orders/{}", a.order_id);
    vec![
        rpc("list_shipments", &[("offset", "0")], NoLeak),
        rpc(
            "list_shipments",
            &[("q", &a.sku), ("status", "paid"), ("offset", "0")],
            NoLeak,
        ),
        rpc("get_shipment_counts", &[], NoLeak),
        rpc("get_shipment", &[("id", id)], Denied),
        rpc("confirm_shipment", &[("id", id)], Denied),
        rpc(
            "ship_shipment",
            &[
                ("id", id),
                ("carrier", "cdek"),
                ("tracking_number", "RA123456789RU"),
            ],
            Denied,
        ),
        rpc(
            "cancel_shipment",
            &[("id", id), ("reason", "out_of_stock")],
            Denied,
        ),
        rpc(
            "admin_list_shipments",
            &[("q", &a.sku), ("offset", "0")],
            Denied,
        ),
        rpc("admin_get_shipment", &[("id", id)], Denied),
        rpc("admin_confirm_delivery", &[("id", id)], Denied),
        rpc("admin_list_channel_keys", &[], Denied),
        rpc("admin_create_channel_key", &[("name", "B's shop")], Denied),
        rpc("admin_revoke_channel_key", &[("id", "x")], Denied),
        api(Method::GET, "/api/v1/shipments", None, NoLeak),
        api(Method::GET, &shipment, None, Denied),
        api(Method::POST, &format!("{shipment}/confirm"), None, Denied),
        api(
            Method::POST,
            &format!("{shipment}/ship"),
            Some(serde_json::json!({"carrier": "cdek", "tracking_number": "RA123456789RU"})),
            Denied,
        ),
        api(
            Method::POST,
            &format!("{shipment}/cancel"),
            Some(serde_json::json!({"reason": "out_of_stock"})),
            Denied,
        ),
        api(
            Method::POST,
            &format!("{shipment}/events"),
            Some(
                serde_json::json!({"event_id": "e1", "carrier": "cdek", "tracking_number": "RA123456789RU", "kind": "delivered"}),
            ),
            NotChannel,
        ),
        api(
            Method::POST,
            "/api/v1/orders",
            Some(serde_json::json!({"external_order_id": "B-1"})),
            NotChannel,
        ),
        api(Method::GET, &order, None, NotChannel),
        api(Method::POST, &format!("{order}/cancel"), None, NotChannel),
        api(
            Method::POST,
            "/api/v1/payments/events",
            Some(
                serde_json::json!({"event_id": "e1", "kind": "captured", "order_id": a.order_id, "amount": "1000.00"}),
            ),
            NotChannel,
        ),
    ]
}

fn raw(method: Method, path: &str, content_type: &str, body: Vec<u8>, expect: Expect) -> Case {
    Case {
        call: Call::Raw {
            method,
            path: path.to_string(),
            content_type: content_type.to_string(),
            body,
        },
        expect,
    }
}

/// A CSV B uploads (its own SKU, one bad row).
fn b_csv() -> Vec<u8> {
    "sku;title;category;price;stock;attr:color;attr:size;attr:gender\n\
     B-1;Футболка Б;tshirts;100;1;black;m;men\n\
     B-2;Футболка Б;tshirts;oops;1;black;m;men\n"
        .as_bytes()
        .to_vec()
}

/// Seller-catalog cases: the REST API with B's key, then the cabinet's file routes
/// with B's session.
fn catalog_cases(a: &AObjects) -> Vec<Case> {
    use Expect::*;
    let sku_path = format!("/api/v1/skus/{}", a.sku);
    let imp = format!("/api/v1/imports/{}", a.import_id);
    let sku_body = serde_json::json!({
        "title": "Футболка Б", "category": "tshirts", "price": "10", "stock": 1,
        "attributes": {"color": "black", "size": "m", "gender": "men"}
    });
    let (multipart_type, multipart_body) = common::multipart(&[("file", Some("b.csv"), &b_csv())]);
    vec![
        api(Method::GET, "/api/v1/categories", None, NoLeak),
        api(Method::GET, "/api/v1/skus?limit=200", None, NoLeak),
        api(Method::GET, "/api/v1/skus/export.csv", None, NoLeak),
        api(Method::GET, &sku_path, None, Denied),
        api(
            Method::PATCH,
            &sku_path,
            Some(serde_json::json!({"price": "1"})),
            Denied,
        ),
        api(Method::DELETE, &sku_path, None, Denied),
        // The same code under B is B's own SKU: created for B, A's untouched.
        api(Method::PUT, &sku_path, Some(sku_body.clone()), NoLeak),
        api(
            Method::PUT,
            "/api/v1/skus",
            Some(
                serde_json::json!({"items": [{"sku": a.sku, "title": "Футболка Б", "category": "tshirts", "price": "11", "stock": 1, "attributes": {"color": "black", "size": "m", "gender": "men"}}]}),
            ),
            NoLeak,
        ),
        raw(Method::POST, "/api/v1/imports", "text/csv", b_csv(), NoLeak),
        api(Method::GET, "/api/v1/imports", None, NoLeak),
        api(Method::GET, &imp, None, Denied),
        api(Method::GET, &format!("{imp}/errors"), None, Denied),
        api(Method::GET, &format!("{imp}/errors.csv"), None, Denied),
        api(Method::GET, "/api/v1/templates/tshirts.csv", None, NoLeak),
        // Cabinet file routes (session).
        raw(
            Method::POST,
            "/seller/imports/upload",
            &multipart_type,
            multipart_body,
            NoLeak,
        ),
        raw(
            Method::GET,
            &format!("/seller/imports/{}/status", a.import_id),
            "",
            Vec::new(),
            Denied,
        ),
        raw(
            Method::GET,
            &format!("/seller/imports/{}/errors.csv", a.import_id),
            "",
            Vec::new(),
            Denied,
        ),
        raw(
            Method::GET,
            "/seller/templates/tshirts.csv",
            "",
            Vec::new(),
            NoLeak,
        ),
        raw(
            Method::GET,
            "/seller/catalog/export.csv",
            "",
            Vec::new(),
            NoLeak,
        ),
    ]
}

/// The seller's finance page (B's own balances and statement; an order of someone
/// else's is not found), and the finance area, which refuses sellers outright.
fn finance_cases(a: &AObjects) -> Vec<Case> {
    use Expect::*;
    // A's objects are not ledger objects; any id stands for "someone else's".
    let other = a.import_id.as_str();
    let get = |path: String, expect| raw(Method::GET, &path, "", Vec::new(), expect);
    vec![
        rpc("get_seller_finance", &[], NoLeak),
        rpc("get_statement", &[], NoLeak),
        rpc("get_order_breakdown", &[("order_id", other)], Denied),
        rpc(
            "set_payout_details",
            &[
                ("recipient_name", "ИП Б"),
                ("inn", "7707083893"),
                ("bik", "044525225"),
                ("account_number", "40702810900000000001"),
                ("correspondent_account", "30101810400000000225"),
                ("bank_name", "ПАО Сбербанк"),
            ],
            NoLeak,
        ),
        get("/seller/finance/statement.csv".into(), NoLeak),
        rpc("finance_overview", &[("days", "30")], Denied),
        rpc("finance_list_batches", &[], Denied),
        rpc("finance_propose_batch", &[], Denied),
        rpc("finance_get_batch", &[("id", other)], Denied),
        rpc("finance_line_statement", &[("line_id", other)], Denied),
        rpc("finance_list_commission_rules", &[], Denied),
        rpc("finance_find_sellers", &[("query", "")], Denied),
        rpc(
            "finance_save_commission_rule",
            &[
                ("category_code", ""),
                ("tier", ""),
                ("rate_percent", "1"),
                ("fixed", ""),
                ("min", ""),
                ("max", ""),
            ],
            Denied,
        ),
        rpc("finance_approve_batch", &[("id", other)], Denied),
        rpc("finance_cancel_batch", &[("id", other)], Denied),
        rpc(
            "finance_update_payout_line",
            &[("id", other), ("action", "paid"), ("text", "x")],
            Denied,
        ),
        rpc("finance_list_penalties", &[], Denied),
        rpc(
            "finance_apply_penalty",
            &[
                ("seller_id", other),
                ("amount", "1"),
                ("reason", "other"),
                ("note", "x"),
                ("key", ""),
            ],
            Denied,
        ),
        rpc(
            "finance_reverse_penalty",
            &[("id", other), ("note", "x")],
            Denied,
        ),
        rpc(
            "finance_get_seller_settings",
            &[("seller_id", other)],
            Denied,
        ),
        rpc(
            "finance_update_seller_settings",
            &[
                ("seller_id", other),
                ("tier", "gold"),
                ("hold_days_override", "0"),
                ("payout_hold_reason", ""),
            ],
            Denied,
        ),
        rpc("finance_get_payout_settings", &[], Denied),
        rpc(
            "finance_update_payout_settings",
            &[
                ("every", "daily"),
                ("minimum", "1"),
                ("four_eyes_threshold", "1"),
            ],
            Denied,
        ),
        get(format!("/finance/payouts/{other}/register.csv"), Denied),
        get("/admin/categories/export.csv".into(), Denied),
    ]
}

/// A small PNG (a gradient), for image uploads.
fn png_bytes(seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 5) as u8, seed.wrapping_mul(37)])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Image cases: the REST API with B's key, the cabinet's routes and the stored
/// files with B's session.
fn image_cases(a: &AObjects) -> Vec<Case> {
    use Expect::*;
    let png = png_bytes(2);
    let boundary = "isolation-image-boundary";
    let mut multipart = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    multipart.extend_from_slice(&png);
    multipart.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let multipart_type = format!("multipart/form-data; boundary={boundary}");
    let get = |path: String| raw(Method::GET, &path, "", Vec::new(), Denied);
    vec![
        raw(
            Method::POST,
            "/api/v1/images",
            "image/png",
            png.clone(),
            NoLeak,
        ),
        api(
            Method::GET,
            &format!("/api/v1/images/{}", a.image_id),
            None,
            Denied,
        ),
        raw(
            Method::POST,
            "/seller/images/upload",
            &multipart_type,
            multipart,
            NoLeak,
        ),
        get(format!("/seller/images/{}/status", a.image_id)),
        get(format!("/media/{}.jpg", a.image_id)),
        get(format!("/media/{}/thumb.jpg", a.image_id)),
        get(format!("/media/{}/original", a.image_id)),
        rpc("list_image_states", &[("seller_sku", &a.sku)], Denied),
    ]
}

fn path_of(c: &Case) -> String {
    match &c.call {
        Call::Rpc(name, _) => format!("/rpc/{name}"),
        Call::Api(_, path, _) | Call::Raw { path, .. } => {
            path.split('?').next().unwrap_or_default().to_string()
        }
    }
}

/// Whether a concrete path fits a documented one (`/skus/{seller_sku}`,
/// `/templates/{category}.csv`).
fn fits(template: &str, path: &str) -> bool {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| match (t.find('{'), t.find('}')) {
                (Some(open), Some(close)) => {
                    p.starts_with(&t[..open]) && p.ends_with(&t[close + 1..]) && p.len() > open
                }
                _ => t == p,
            })
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
    let skus: Vec<(String, String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT seller_sku, title, status, price_minor, stock, updated_at FROM skus \
         WHERE seller_id = $1 ORDER BY seller_sku",
    )
    .bind(a_seller)
    .fetch_all(db.pool())
    .await
    .unwrap();
    out.push_str(&format!("skus: {skus:?}\n"));
    let revisions: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT sku_id, number, status FROM sku_revisions WHERE seller_id = $1 ORDER BY sku_id, number",
    )
    .bind(a_seller)
    .fetch_all(db.pool())
    .await
    .unwrap();
    out.push_str(&format!("sku_revisions: {revisions:?}\n"));
    let imports: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT id, status, total_rows, failed_rows FROM imports WHERE seller_id = $1 ORDER BY id",
    )
    .bind(a_seller)
    .fetch_all(db.pool())
    .await
    .unwrap();
    out.push_str(&format!("imports: {imports:?}\n"));
    let images: Vec<(String, String, String, Option<i64>)> = sqlx::query_as(
        "SELECT id, url, status, moderator_rejected_at FROM images WHERE seller_id = $1 ORDER BY id",
    )
    .bind(a_seller)
    .fetch_all(db.pool())
    .await
    .unwrap();
    out.push_str(&format!("images: {images:?}\n"));
    let shipments: Vec<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT id, status, carrier, cancel_reason FROM shipments WHERE seller_id = $1 ORDER BY id",
    )
    .bind(a_seller)
    .fetch_all(db.pool())
    .await
    .unwrap();
    out.push_str(&format!("shipments: {shipments:?}\n"));
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
        Expect::NotChannel => assert_eq!(
            res.status,
            StatusCode::UNAUTHORIZED,
            "{what}: expected 401 for a seller's key, got {}",
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
            for secret in [
                &a.key_id,
                &a.key_prefix,
                &a.email,
                &a.sku_title,
                &a.import_id,
                &a.image_id,
                &a.order_id,
                &a.shipment_id,
            ] {
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
    let a_key = made["secret"].as_str().unwrap().to_string();
    let a_sku = "A-SECRET-1";
    let a_sku_title = "Куртка продавца А секретная";
    let put = app
        .api(
            Method::PUT,
            &format!("/api/v1/skus/{a_sku}"),
            Some(&a_key),
            Some(serde_json::json!({
                "title": a_sku_title, "category": "tshirts", "price": "1000", "stock": 3,
                "attributes": {"color": "black", "size": "m", "gender": "men"}
            })),
        )
        .await;
    assert_eq!(put.status, StatusCode::CREATED, "{}", put.text());
    let a_csv = format!(
        "sku;title;category;price;stock;attr:color;attr:size;attr:gender\n\
         A-2;{a_sku_title} 2;tshirts;100;1;black;m;men\n\
         A-3;{a_sku_title} 3;tshirts;-1;1;black;m;men\n"
    );
    let uploaded = app.api_upload(&a_key, "", a_csv.as_bytes()).await;
    assert_eq!(uploaded.status, StatusCode::ACCEPTED, "{}", uploaded.text());
    app.run_jobs().await;
    let a_image = app
        .raw(
            Method::POST,
            "/api/v1/images",
            Some(&a_key),
            None,
            &[("content-type", "image/png")],
            png_bytes(1),
        )
        .await;
    assert_eq!(a_image.status, StatusCode::CREATED, "{}", a_image.text());
    // A paid order for A's SKU from a storefront channel: a shipment of A's that B
    // must neither see nor confirm, ship or cancel.
    let a_seller_id = ab.a.seller.as_ref().unwrap().seller_id.to_string();
    sqlx::query("UPDATE sellers SET status = 'active' WHERE id = $1")
        .bind(&a_seller_id)
        .execute(db.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE skus SET status = 'active' WHERE seller_id = $1 AND seller_sku = $2")
        .bind(&a_seller_id)
        .bind(a_sku)
        .execute(db.pool())
        .await
        .unwrap();
    let (_, channel_key) = db::orders::channel_keys::create_channel_key(&db, None, "web")
        .await
        .unwrap();
    let channel = db::orders::channel_keys::channel_for_key(&db, &channel_key)
        .await
        .unwrap()
        .unwrap();
    let order: domain::orders::CreateOrderInput = serde_json::from_value(serde_json::json!({
        "external_order_id": "A-ORDER-1",
        "channel": "web",
        "currency": "RUB",
        "buyer": { "name": "Покупатель продавца А" },
        "delivery": { "method": "pickup", "pickup_point_id": "PVZ-1" },
        "lines": [{ "seller_id": a_seller_id, "seller_sku": a_sku, "quantity": 1, "unit_price": "1000.00" }]
    }))
    .unwrap();
    let receipt = db::orders::create::create_order(
        &db,
        &channel,
        &order.validate().unwrap(),
        &db::orders::OrderRules::default(),
    )
    .await
    .unwrap();
    db::orders::payments::apply_payment_event(
        &db,
        &domain::orders::PaymentEvent {
            provider_event_id: "pay-a-1".into(),
            kind: domain::orders::PaymentEventKind::Captured,
            order_id: receipt.id,
            amount: domain::money::Money::from_minor(
                receipt.total_minor,
                domain::money::Currency::Rub,
            ),
            occurred_at: domain::time::Timestamp::now(),
        },
    )
    .await
    .unwrap();
    let a = AObjects {
        key_id: made["key"]["id"].as_str().unwrap().to_string(),
        key_prefix: made["key"]["prefix"].as_str().unwrap().to_string(),
        email: ab.a.email.clone(),
        sku: a_sku.to_string(),
        sku_title: a_sku_title.to_string(),
        import_id: uploaded.json()["id"].as_str().unwrap().to_string(),
        image_id: a_image.json()["id"].as_str().unwrap().to_string(),
        order_id: receipt.id.to_string(),
        shipment_id: receipt.shipments[0].id.to_string(),
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
            Call::Raw {
                method,
                path,
                content_type,
                body,
            } => {
                let api = path.starts_with("/api/");
                let mut headers = vec![("origin", common::ORIGIN)];
                if !content_type.is_empty() {
                    headers.push(("content-type", content_type.as_str()));
                }
                app.raw(
                    method.clone(),
                    path,
                    api.then_some(b_key.as_str()),
                    (!api).then_some(b_cookie.as_str()),
                    &headers,
                    body.clone(),
                )
                .await
            }
        };
        check(&case, &res, &a);
    }
    app.run_jobs().await;
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
            sku: "X-1".into(),
            sku_title: "-".into(),
            import_id: "00000000-0000-0000-0000-000000000000".into(),
            image_id: "00000000-0000-0000-0000-000000000001".into(),
            order_id: "00000000-0000-0000-0000-000000000002".into(),
            shipment_id: "00000000-0000-0000-0000-000000000003".into(),
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
                covered.iter().any(|c| fits(path, c)),
                "REST route {path} has no case in the isolation table"
            );
        }
    }
);
