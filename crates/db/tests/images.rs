//! Product images on both engines: registering URL images (one job each, idempotent,
//! concurrent), uploads, states by URL, seller scoping, and the near-duplicate search
//! (other sellers' images, images a moderator rejected).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use db::images::{self, DuplicateKind, ImageStatus, ProcessedMeta};
use db::testing::two_sellers;
use db::{Db, db_test};
use domain::ids::{ImageId, SellerId};

async fn sellers(db: &Db) -> (SellerId, SellerId) {
    let ab = two_sellers(db).await;
    (
        ab.a.seller().unwrap().seller_id(),
        ab.b.seller().unwrap().seller_id(),
    )
}

async fn fetch_jobs(db: &Db) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM jobs WHERE kind = $1")
        .bind(images::FETCH_JOB_KIND)
        .fetch_one(db.pool())
        .await
        .unwrap();
    n
}

fn meta(seller: SellerId, id: ImageId, dhash: u64, phash: u64) -> ProcessedMeta {
    ProcessedMeta {
        width: 800,
        height: 600,
        size_bytes: 12_345,
        sha256: format!("{dhash:064x}"),
        dhash,
        phash,
        original_key: images::blob_key(seller, id, "original.jpg"),
        large_key: images::blob_key(seller, id, "large.jpg"),
        thumb_key: images::blob_key(seller, id, "thumb.jpg"),
    }
}

async fn upload(db: &Db, seller: SellerId, dhash: u64, phash: u64) -> ImageId {
    let id = images::new_image_id();
    let url = format!("http://bazaar.test/media/{id}.jpg");
    let state = images::record_upload(db, seller, id, &url, &meta(seller, id, dhash, phash))
        .await
        .unwrap();
    assert_eq!(state.status, ImageStatus::Ready);
    id
}

db_test!(images_url_registration_is_idempotent, |db: Db| async move {
    let (a, b) = sellers(&db).await;
    let urls = vec![
        "https://cdn.example.com/1.jpg".to_string(),
        "https://cdn.example.com/2.jpg".to_string(),
        "https://cdn.example.com/1.jpg".to_string(),
    ];
    let created = images::ensure_url_images(&db, a, &urls).await.unwrap();
    assert_eq!(created.len(), 2);
    assert_eq!(fetch_jobs(&db).await, 2);
    // Again: nothing new.
    assert!(
        images::ensure_url_images(&db, a, &urls)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(fetch_jobs(&db).await, 2);
    // Another seller's same URL is that seller's own image.
    assert_eq!(
        images::ensure_url_images(&db, b, &urls[..1])
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(fetch_jobs(&db).await, 3);

    let states = images::states_for(
        &db,
        a,
        &[
            "https://cdn.example.com/2.jpg".to_string(),
            "https://nowhere.example.com/x.jpg".to_string(),
            "https://cdn.example.com/1.jpg".to_string(),
        ],
    )
    .await
    .unwrap();
    let got: Vec<(&str, ImageStatus)> = states.iter().map(|s| (s.url.as_str(), s.status)).collect();
    assert_eq!(
        got,
        vec![
            ("https://cdn.example.com/2.jpg", ImageStatus::Pending),
            ("https://cdn.example.com/1.jpg", ImageStatus::Pending),
        ]
    );
});

db_test!(
    images_concurrent_registration_enqueues_one_job,
    |db: Db| async move {
        let (a, _) = sellers(&db).await;
        let urls: Vec<String> = (0..5)
            .map(|i| format!("https://cdn.example.com/{i}.jpg"))
            .collect();
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let db = db.clone();
            let urls = urls.clone();
            tasks.push(tokio::spawn(async move {
                images::ensure_url_images(&db, a, &urls)
                    .await
                    .unwrap()
                    .len()
            }));
        }
        let mut total = 0;
        for t in tasks {
            total += t.await.unwrap();
        }
        assert_eq!(total, 5);
        assert_eq!(fetch_jobs(&db).await, 5);
    }
);

db_test!(images_an_upload_url_is_never_fetched, |db: Db| async move {
    let (a, b) = sellers(&db).await;
    let id = upload(&db, a, 0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210).await;
    let url = format!("http://bazaar.test/media/{id}.jpg");
    assert!(
        images::ensure_url_images(&db, a, std::slice::from_ref(&url))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(fetch_jobs(&db).await, 0);
    let states = images::states_for(&db, a, std::slice::from_ref(&url))
        .await
        .unwrap();
    assert_eq!(states.len(), 1);
    assert_eq!(states[0].id, id);
    assert_eq!((states[0].width, states[0].height), (Some(800), Some(600)));
    // Seller B sees nothing of A's image.
    assert!(
        images::states_for(&db, b, std::slice::from_ref(&url))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        images::get(&db, b, id).await,
        Err(db::Error::NotFound(_))
    ));
    assert!(matches!(
        images::blobs_for_seller(&db, b, id).await,
        Err(db::Error::NotFound(_))
    ));
    assert_eq!(
        images::blobs_for_seller(&db, a, id)
            .await
            .unwrap()
            .seller_id,
        a
    );
});

db_test!(
    images_near_duplicates_of_other_sellers_are_flagged,
    |db: Db| async move {
        let (a, b) = sellers(&db).await;
        let dhash = 0xa5a5_5a5a_0f0f_f0f0_u64;
        let phash = 0x1234_5678_9abc_def0_u64;
        let original = upload(&db, a, dhash, phash).await;
        // A's own second copy is no finding.
        let own = upload(&db, a, dhash ^ 0b1, phash).await;
        assert_eq!(images::get(&db, a, own).await.unwrap().duplicate_kind, None);
        // B's copy: three bands of the dHash and every band of the pHash changed (one
        // dHash band intact is all the search needs).
        let flip = 0x0000_0002_0002_0002_u64;
        let copy = upload(&db, b, dhash ^ flip, phash ^ (flip << 3)).await;
        let state = images::get(&db, b, copy).await.unwrap();
        assert_eq!(state.duplicate_kind, Some(DuplicateKind::OtherSeller));
        // The closest candidate wins: A's first upload (3 bits off) over its copy (4).
        assert_eq!(state.duplicate_of, Some(original));
        assert_eq!(state.duplicate_distance, Some(3));
        // A different picture is not flagged.
        let other = upload(&db, b, !dhash, !phash).await;
        assert_eq!(
            images::get(&db, b, other).await.unwrap().duplicate_kind,
            None
        );
    }
);

db_test!(
    images_rejected_before_is_flagged_even_for_the_same_seller,
    |db: Db| async move {
        let (a, b) = sellers(&db).await;
        let dhash = 0x0f0f_0f0f_0f0f_0f0f_u64;
        let phash = 0x3333_cccc_3333_cccc_u64;
        let first = upload(&db, a, dhash, phash).await;
        let mut tx = db.begin().await.unwrap();
        // B cannot mark A's image.
        assert_eq!(
            images::mark_rejected(&mut tx, b, &[first]).await.unwrap(),
            0
        );
        assert_eq!(
            images::mark_rejected(&mut tx, a, &[first]).await.unwrap(),
            1
        );
        tx.commit().await.unwrap();
        let again = upload(&db, a, dhash ^ 0b10, phash).await;
        let state = images::get(&db, a, again).await.unwrap();
        assert_eq!(state.duplicate_kind, Some(DuplicateKind::RejectedBefore));
        assert_eq!(state.duplicate_of, Some(first));
        assert_eq!(state.duplicate_distance, Some(1));
    }
);

db_test!(
    images_processing_results_are_recorded,
    |db: Db| async move {
        let (a, b) = sellers(&db).await;
        let urls = vec![
            "https://cdn.example.com/ok.jpg".to_string(),
            "https://cdn.example.com/bad.jpg".to_string(),
        ];
        let ids = images::ensure_url_images(&db, a, &urls).await.unwrap();
        // B can change nothing of A's.
        assert!(
            images::mark_failed(&db, b, ids[1], "x", "x", "x")
                .await
                .is_err()
        );
        images::mark_ready(&db, a, ids[0], &meta(a, ids[0], 1, 2))
            .await
            .unwrap();
        images::mark_failed(
            &db,
            a,
            ids[1],
            "truncated",
            "Файл обрезан",
            "The file is cut short",
        )
        .await
        .unwrap();
        let states = images::states_for(&db, a, &urls).await.unwrap();
        assert_eq!(states[0].status, ImageStatus::Ready);
        assert_eq!(states[1].status, ImageStatus::Failed);
        assert_eq!(states[1].error_code.as_deref(), Some("truncated"));
        assert_eq!(
            states[1].error_message(domain::Locale::En),
            Some("The file is cut short")
        );
        assert_eq!(
            states[1].error_message(domain::Locale::Ru),
            Some("Файл обрезан")
        );
    }
);
