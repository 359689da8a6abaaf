//! Accounts, sessions, API keys, audit, jobs and idempotency on both engines.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use db::accounts::{self, NewUserInput, SignupInput};
use db::auth::{self, ClientInfo};
use db::testing::{TEST_PASSWORD, staff, two_sellers};
use db::{Db, db_test};
use domain::ErrorCode;
use domain::accounts::{Role, SellerAction, SellerStatus};

const HOUR_MS: i64 = 3_600_000;

fn client() -> ClientInfo {
    ClientInfo {
        ip: "203.0.113.7".into(),
        user_agent: Some("test".into()),
    }
}

fn signup_input(email: &str, inn: &str) -> SignupInput {
    SignupInput {
        organisation: "ООО «Ромашка»".into(),
        inn: inn.into(),
        email: email.into(),
        password: "a good long password".into(),
        display_name: String::new(),
    }
}

fn codes(e: &db::Error) -> Vec<(String, String)> {
    match e {
        db::Error::Validation(f) => f
            .iter()
            .map(|f| (f.field.clone(), f.code.clone()))
            .collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

db_test!(
    signup_creates_a_pending_seller_and_its_owner,
    |db: Db| async move {
        let (seller_id, _) =
            accounts::signup_seller(&db, &signup_input("Owner@Example.ru", "7707083893"))
                .await
                .unwrap();
        let session = auth::login(
            &db,
            "owner@example.ru",
            "a good long password",
            &client(),
            HOUR_MS,
        )
        .await
        .unwrap();
        let p = session.principal;
        assert_eq!(p.role, Role::Seller);
        let m = p.seller.clone().unwrap();
        assert_eq!(m.seller_id, seller_id);
        assert_eq!(m.seller_status, SellerStatus::PendingVerification);
        assert_eq!(m.member_role, domain::accounts::MemberRole::Owner);
        assert_eq!(m.seller_name, "ООО «Ромашка»");
    }
);

db_test!(
    signup_reports_every_bad_field_and_duplicates,
    |db: Db| async move {
        let bad = SignupInput {
            organisation: " ".into(),
            inn: "7707083894".into(),
            email: "nope".into(),
            password: "short".into(),
            display_name: String::new(),
        };
        let err = accounts::signup_seller(&db, &bad).await.unwrap_err();
        let c = codes(&err);
        assert!(c.contains(&("name".into(), "required".into())));
        assert!(c.contains(&("inn".into(), "bad_checksum".into())));
        assert!(c.contains(&("email".into(), "invalid_email".into())));
        assert!(c.contains(&("password".into(), "too_short".into())));

        accounts::signup_seller(&db, &signup_input("a@x.ru", "7707083893"))
            .await
            .unwrap();
        let dup_email = accounts::signup_seller(&db, &signup_input("A@x.ru", "500100732259"))
            .await
            .unwrap_err();
        assert_eq!(
            codes(&dup_email),
            vec![("email".to_string(), "taken".to_string())]
        );
        let dup_inn = accounts::signup_seller(&db, &signup_input("b@x.ru", "7707083893"))
            .await
            .unwrap_err();
        assert_eq!(
            codes(&dup_inn),
            vec![("inn".to_string(), "taken".to_string())]
        );
        // Nothing half-created: the failed sign-ups left no users behind.
        assert_eq!(accounts::count_users(&db).await.unwrap(), 1);
    }
);

db_test!(
    a_bulk_write_connection_keeps_a_small_cache_and_is_not_handed_out_again,
    |db: Db| async move {
        use sqlx::Executor;
        let mut bulk = db.bound_cache_for_bulk_write().await.unwrap();
        // It is a working connection on either engine.
        bulk.execute("SELECT 1").await.unwrap();
        if db.engine() != db::Engine::Sqlite {
            return;
        }
        let (size,): (i64,) = sqlx::query_as("PRAGMA cache_size")
            .fetch_one(&mut *bulk)
            .await
            .unwrap();
        assert_eq!(size, -64 * 1024, "an import writes with a 64 MB cache");
        drop(bulk);
        // Every connection the pool hands out afterwards has the full cache: the bulk
        // writer's was closed, not returned with its smaller cache.
        let mut held = Vec::new();
        for _ in 0..10 {
            let mut conn = db.pool().acquire().await.unwrap();
            let (size,): (i64,) = sqlx::query_as("PRAGMA cache_size")
                .fetch_one(&mut *conn)
                .await
                .unwrap();
            assert_eq!(size, -256 * 1024);
            held.push(conn);
        }
    }
);

db_test!(login_throttles_repeated_failures, |db: Db| async move {
    let ab = two_sellers(&db).await;
    let email = ab.a.email.clone();
    for _ in 0..auth::MAX_FAILURES_PER_EMAIL {
        let e = auth::login(&db, &email, "wrong password!", &client(), HOUR_MS)
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidCredentials);
    }
    // Even the right password is refused now: the account is locked for the window.
    let e = auth::login(&db, &email, TEST_PASSWORD, &client(), HOUR_MS)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::RateLimited);
    // Another account is not affected.
    auth::login(&db, &ab.b.email, TEST_PASSWORD, &client(), HOUR_MS)
        .await
        .unwrap();
    // Unknown emails fail like wrong passwords (no account enumeration).
    let e = auth::login(&db, "nobody@x.ru", TEST_PASSWORD, &client(), HOUR_MS)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidCredentials);
});

db_test!(sessions_expire_and_logout_ends_them, |db: Db| async move {
    let ab = two_sellers(&db).await;
    let s = auth::login(&db, &ab.a.email, TEST_PASSWORD, &client(), HOUR_MS)
        .await
        .unwrap();
    assert_eq!(
        auth::session_principal(&db, &s.token)
            .await
            .unwrap()
            .unwrap()
            .user_id,
        ab.a.user_id
    );
    auth::logout(&db, &s.token).await.unwrap();
    assert!(
        auth::session_principal(&db, &s.token)
            .await
            .unwrap()
            .is_none()
    );

    let short = auth::login(&db, &ab.a.email, TEST_PASSWORD, &client(), -1)
        .await
        .unwrap();
    assert!(
        auth::session_principal(&db, &short.token)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        auth::session_principal(&db, "forged-token")
            .await
            .unwrap()
            .is_none()
    );
});

db_test!(
    changing_the_password_ends_other_sessions,
    |db: Db| async move {
        let ab = two_sellers(&db).await;
        let here = auth::login(&db, &ab.a.email, TEST_PASSWORD, &client(), HOUR_MS)
            .await
            .unwrap();
        let elsewhere = auth::login(&db, &ab.a.email, TEST_PASSWORD, &client(), HOUR_MS)
            .await
            .unwrap();
        let wrong =
            auth::change_password(&db, &ab.a, &here.token, "not it at all", "new password 123")
                .await
                .unwrap_err();
        assert_eq!(
            codes(&wrong),
            vec![("current_password".to_string(), "wrong_password".to_string())]
        );
        auth::change_password(&db, &ab.a, &here.token, TEST_PASSWORD, "new password 123")
            .await
            .unwrap();
        assert!(
            auth::session_principal(&db, &here.token)
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            auth::session_principal(&db, &elsewhere.token)
                .await
                .unwrap()
                .is_none()
        );
        auth::login(&db, &ab.a.email, "new password 123", &client(), HOUR_MS)
            .await
            .unwrap();
    }
);

db_test!(api_keys_act_for_exactly_one_seller, |db: Db| async move {
    let ab = two_sellers(&db).await;
    let a = ab.a.seller().unwrap();
    let b = ab.b.seller().unwrap();
    let (view, key) = auth::create_api_key(&db, &a, "ERP").await.unwrap();
    assert!(key.starts_with("bzr_"));
    assert!(key.starts_with(&view.prefix));
    let ctx = auth::api_key_seller(&db, &key).await.unwrap().unwrap();
    assert_eq!(ctx.seller_id(), a.seller_id());
    // Seller B sees none of A's keys and cannot revoke them.
    assert!(auth::list_api_keys(&db, &b).await.unwrap().is_empty());
    let e = auth::revoke_api_key(&db, &b, view.id).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
    assert!(auth::api_key_seller(&db, &key).await.unwrap().is_some());
    // A revokes: the key stops working at once.
    auth::revoke_api_key(&db, &a, view.id).await.unwrap();
    assert!(auth::api_key_seller(&db, &key).await.unwrap().is_none());
    assert!(
        auth::list_api_keys(&db, &a).await.unwrap()[0]
            .revoked_at_ms
            .is_some()
    );
    assert!(
        auth::api_key_seller(&db, "bzr_guessed")
            .await
            .unwrap()
            .is_none()
    );
});

db_test!(only_owners_manage_keys_and_team, |db: Db| async move {
    let ab = two_sellers(&db).await;
    let owner = ab.a.seller().unwrap();
    accounts::add_team_member(
        &db,
        &owner,
        "acc@a.ru",
        TEST_PASSWORD,
        domain::accounts::MemberRole::Accountant,
        "Acc",
    )
    .await
    .unwrap();
    let acc = auth::login(&db, "acc@a.ru", TEST_PASSWORD, &client(), HOUR_MS)
        .await
        .unwrap()
        .principal;
    let acc_ctx = acc.seller().unwrap();
    assert_eq!(acc_ctx.seller_id(), owner.seller_id());
    assert_eq!(
        auth::create_api_key(&db, &acc_ctx, "x")
            .await
            .unwrap_err()
            .code(),
        ErrorCode::Forbidden
    );
    assert_eq!(
        acc_ctx.require_catalog_write().unwrap_err().code(),
        ErrorCode::Forbidden
    );
    let team = accounts::list_team(&db, &owner).await.unwrap();
    assert_eq!(team.len(), 2);
    // The other seller's team is not visible.
    assert_eq!(
        accounts::list_team(&db, &ab.b.seller().unwrap())
            .await
            .unwrap()
            .len(),
        1
    );
});

db_test!(
    admins_verify_suspend_and_reactivate_with_an_audit_trail,
    |db: Db| async move {
        let admin = staff(&db, "admin@x.ru", Role::Admin).await.admin().unwrap();
        let (seller_id, _) = accounts::signup_seller(&db, &signup_input("s@x.ru", "7707083893"))
            .await
            .unwrap();
        let e =
            accounts::change_seller_status(&db, &admin, seller_id, SellerAction::Reactivate, "")
                .await
                .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidStateTransition);
        let e = accounts::change_seller_status(&db, &admin, seller_id, SellerAction::Suspend, " ")
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Validation);
        assert_eq!(
            accounts::change_seller_status(&db, &admin, seller_id, SellerAction::Verify, "")
                .await
                .unwrap(),
            SellerStatus::Active
        );
        assert_eq!(
            accounts::change_seller_status(
                &db,
                &admin,
                seller_id,
                SellerAction::Suspend,
                "fake documents"
            )
            .await
            .unwrap(),
            SellerStatus::Suspended
        );
        // A suspended seller can log in and read, but not change listings.
        let p = auth::login(&db, "s@x.ru", "a good long password", &client(), HOUR_MS)
            .await
            .unwrap()
            .principal;
        assert_eq!(
            p.seller()
                .unwrap()
                .require_catalog_write()
                .unwrap_err()
                .code(),
            ErrorCode::SellerSuspended
        );

        let view = accounts::get_seller(&db, &admin, seller_id).await.unwrap();
        assert_eq!(view.status, SellerStatus::Suspended);
        assert_eq!(view.status_reason.as_deref(), Some("fake documents"));
        let trail = db::audit::list(
            &db,
            &admin,
            &domain::audit::AuditFilter {
                subject_id: Some(seller_id.to_string()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            vec![
                "seller.status_changed",
                "seller.status_changed",
                "seller.signed_up"
            ]
        );
        assert!(trail[0].details.contains("fake documents"));
        assert_eq!(trail[0].actor_label, "admin@x.ru");
    }
);

db_test!(
    admin_search_finds_cyrillic_names_case_insensitively,
    |db: Db| async move {
        let admin = staff(&db, "admin@x.ru", Role::Admin).await.admin().unwrap();
        accounts::signup_seller(&db, &signup_input("romashka@x.ru", "7707083893"))
            .await
            .unwrap();
        let mut other = signup_input("pion@x.ru", "500100732259");
        other.organisation = "ИП Пионов".into();
        accounts::signup_seller(&db, &other).await.unwrap();
        let page = accounts::list_sellers(&db, &admin, "РОМАШ", None, 0, 50)
            .await
            .unwrap();
        assert_eq!(page.total, 1);
        assert_eq!(page.items[0].name, "ООО «Ромашка»");
        let page = accounts::list_sellers(&db, &admin, "5001007", None, 0, 50)
            .await
            .unwrap();
        assert_eq!(page.items[0].name, "ИП Пионов");
        let page = accounts::list_sellers(
            &db,
            &admin,
            "",
            Some(SellerStatus::PendingVerification),
            0,
            1,
        )
        .await
        .unwrap();
        assert_eq!((page.total, page.items.len()), (2, 1));
        // LIKE wildcards in the query are taken literally.
        assert_eq!(
            accounts::list_sellers(&db, &admin, "%", None, 0, 50)
                .await
                .unwrap()
                .total,
            0
        );
        let users = accounts::list_users(&db, &admin, "PION", None, 0, 50)
            .await
            .unwrap();
        assert_eq!(users.total, 1);
        let staff_only = accounts::list_users(&db, &admin, "", Some(Role::Admin), 0, 50)
            .await
            .unwrap();
        assert_eq!(staff_only.total, 1);
    }
);

db_test!(
    staff_contexts_are_only_for_their_role,
    |db: Db| async move {
        let ab = two_sellers(&db).await;
        assert_eq!(ab.a.admin().unwrap_err().code(), ErrorCode::Forbidden);
        assert_eq!(ab.a.finance().unwrap_err().code(), ErrorCode::Forbidden);
        let m = staff(&db, "m@x.ru", Role::Moderator).await;
        assert!(m.moderator().is_ok());
        assert_eq!(m.seller().unwrap_err().code(), ErrorCode::Forbidden);
        assert_eq!(m.admin().unwrap_err().code(), ErrorCode::Forbidden);
        let seller_with_cli = accounts::create_user_unchecked(
            &db,
            &NewUserInput {
                email: "cli@x.ru".into(),
                password: TEST_PASSWORD.into(),
                role: Role::Seller,
                seller_name: Some("CLI seller".into()),
                seller_inn: None,
                display_name: None,
            },
        )
        .await
        .unwrap();
        let p = auth::principal_for_user(&db, seller_with_cli)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(p.seller.unwrap().seller_status, SellerStatus::Active);
    }
);

db_test!(
    jobs_are_claimed_once_and_reclaimed_after_a_crash,
    |db: Db| async move {
        let mut tx = db.begin().await.unwrap();
        for i in 0..20 {
            db::jobs::enqueue(
                &mut tx,
                &db::jobs::NewJob::new("test", serde_json::json!({ "i": i }), "s"),
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        // 8 concurrent workers drain the queue: every job is claimed exactly once.
        let mut handles = Vec::new();
        for w in 0..8 {
            let db = db.clone();
            handles.push(tokio::spawn(async move {
                let worker = format!("w{w}");
                let mut got = Vec::new();
                while let Some(job) = db::jobs::claim(&db, &worker, &["test"], 60_000)
                    .await
                    .unwrap()
                {
                    got.push(job.payload["i"].as_i64().unwrap());
                    assert!(db::jobs::complete(&db, job.id, &worker).await.unwrap());
                }
                got
            }));
        }
        let mut all = Vec::new();
        for h in handles {
            all.extend(h.await.unwrap());
        }
        all.sort_unstable();
        assert_eq!(all, (0..20).collect::<Vec<_>>());
        assert_eq!(db::jobs::count(&db, "done").await.unwrap(), 20);

        // A worker that dies keeps its lease only until it expires.
        let mut tx = db.begin().await.unwrap();
        db::jobs::enqueue(
            &mut tx,
            &db::jobs::NewJob::new("test", serde_json::json!({}), "s"),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let first = db::jobs::claim(&db, "dead", &["test"], 1)
            .await
            .unwrap()
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let again = db::jobs::claim(&db, "alive", &["test"], 60_000)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first.id, again.id);
        assert_eq!(again.attempts, 2);
        // The dead worker can no longer complete it.
        assert!(!db::jobs::complete(&db, first.id, "dead").await.unwrap());
        assert!(db::jobs::complete(&db, again.id, "alive").await.unwrap());
    }
);

db_test!(
    idempotency_keys_replay_refuse_and_wait,
    |db: Db| async move {
        use db::idempotency::{Claim, claim, complete, release};
        assert_eq!(
            claim(&db, "seller:1", "k1", "fp").await.unwrap(),
            Claim::New
        );
        assert_eq!(
            claim(&db, "seller:1", "k1", "fp").await.unwrap(),
            Claim::InProgress
        );
        assert_eq!(
            claim(&db, "seller:1", "k1", "other").await.unwrap(),
            Claim::Mismatch
        );
        complete(&db, "seller:1", "k1", 201, "{\"ok\":true}")
            .await
            .unwrap();
        assert_eq!(
            claim(&db, "seller:1", "k1", "fp").await.unwrap(),
            Claim::Replay {
                status: 201,
                body: "{\"ok\":true}".into()
            }
        );
        // Scopes are separate: another seller may use the same key.
        assert_eq!(
            claim(&db, "seller:2", "k1", "fp").await.unwrap(),
            Claim::New
        );
        release(&db, "seller:2", "k1").await.unwrap();
        assert_eq!(
            claim(&db, "seller:2", "k1", "fp2").await.unwrap(),
            Claim::New
        );

        // The same key sent concurrently: exactly one request gets to run.
        let mut handles = Vec::new();
        for _ in 0..16 {
            let db = db.clone();
            handles.push(tokio::spawn(async move {
                claim(&db, "seller:3", "race", "fp").await.unwrap()
            }));
        }
        let mut news = 0;
        for h in handles {
            if h.await.unwrap() == Claim::New {
                news += 1;
            }
        }
        assert_eq!(news, 1);
    }
);

db_test!(demo_data_is_created_once, |db: Db| async move {
    assert!(db::demo::seed(&db).await.unwrap());
    assert!(!db::demo::seed(&db).await.unwrap());
    for a in db::demo::DEMO_ACCOUNTS {
        auth::login(&db, a.email, db::demo::DEMO_PASSWORD, &client(), HOUR_MS)
            .await
            .unwrap();
    }
});
