#![allow(clippy::unwrap_used)]

use super::banned::{BannedAction, BannedPhrase};
use super::checks::{self, CheckInput, DuplicateKind, ImageFacts};
use super::*;
use crate::catalog::{CategoryIndex, SkuInput, SkuRules};
use std::sync::Arc;

fn index() -> Arc<CategoryIndex> {
    crate::catalog::starter_for_tests()
}

fn phone(title: &str, images: &[&str]) -> SkuContent {
    SkuInput {
        sku: "PH-1".into(),
        title: title.into(),
        category: "smartphones".into(),
        price: "19999".into(),
        stock: "3".into(),
        images: images.iter().map(|s| s.to_string()).collect(),
        attributes: [
            ("screen_size_in", "6,5"),
            ("storage_gb", "128"),
            ("color", "black"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
        ..SkuInput::default()
    }
    .validate(&index(), &SkuRules::default())
    .unwrap()
    .content
}

use crate::catalog::SkuContent;

fn ready(w: u32, h: u32) -> ImageFacts {
    ImageFacts::Ready {
        width: w,
        height: h,
        duplicate: None,
    }
}

struct Case {
    content: SkuContent,
    images: Vec<(String, ImageFacts)>,
    banned: Vec<BannedPhrase>,
    verified: bool,
    restricted: bool,
    price: i64,
    median: Option<i64>,
}

impl Case {
    fn new(title: &str) -> Self {
        Case {
            content: phone(title, &["https://cdn.example.com/1.jpg"]),
            images: vec![("https://cdn.example.com/1.jpg".into(), ready(1200, 1200))],
            banned: Vec::new(),
            verified: true,
            restricted: false,
            price: 1_999_900,
            median: None,
        }
    }

    fn flags(&self) -> Vec<Flag> {
        let index = index();
        let input = CheckInput {
            content: &self.content,
            category: index.get(self.content.category().as_str()),
            category_restricted: self.restricted,
            category_image_min_side: None,
            seller_verified: self.verified,
            price_minor: self.price,
            median_minor: self.median,
            images: &self.images,
            banned: &self.banned,
        };
        checks::run(&input, &RulesConfig::default())
    }
}

fn codes(flags: &[Flag]) -> Vec<(FlagCode, Severity)> {
    flags.iter().map(|f| (f.code, f.severity)).collect()
}

#[test]
fn a_clean_revision_has_no_flags() {
    assert_eq!(Case::new("Смартфон Xiaomi Redmi 13").flags(), vec![]);
}

#[test]
fn banned_phrases_flag_with_their_action() {
    let mut c = Case::new("Часы Rolex реплика");
    c.banned = vec![
        BannedPhrase::new("реплика", BannedAction::Reject).unwrap(),
        BannedPhrase::new("rolex", BannedAction::Review).unwrap(),
    ];
    let flags = c.flags();
    assert_eq!(
        codes(&flags),
        vec![
            (FlagCode::BannedPhrase, Severity::Reject),
            (FlagCode::BannedPhrase, Severity::Review)
        ]
    );
    assert_eq!(flags[0].field, "title");
    assert_eq!(flags[0].detail, "реплика");
}

#[test]
fn image_problems_are_flagged_per_image() {
    let mut c = Case::new("Смартфон");
    c.images = vec![
        ("u1".into(), ready(300, 300)),
        ("u2".into(), ready(2000, 500)),
        (
            "u3".into(),
            ImageFacts::Ready {
                width: 800,
                height: 800,
                duplicate: Some(DuplicateKind::OtherSeller),
            },
        ),
        (
            "u4".into(),
            ImageFacts::Failed {
                code: "truncated".into(),
                message: "обрезан".into(),
            },
        ),
    ];
    assert_eq!(
        codes(&c.flags()),
        vec![
            (FlagCode::ImageTooSmall, Severity::Reject),
            (FlagCode::ImageAspect, Severity::Review),
            (FlagCode::ImageDuplicateOtherSeller, Severity::Review),
            (FlagCode::ImageUnreadable, Severity::Reject),
        ]
    );
    c.images.clear();
    assert_eq!(
        codes(&c.flags()),
        vec![(FlagCode::NoImages, Severity::Review)]
    );
}

#[test]
fn restricted_category_rejects_unverified_sellers_only() {
    let mut c = Case::new("Смартфон");
    c.restricted = true;
    assert_eq!(c.flags(), vec![]);
    c.verified = false;
    assert_eq!(
        codes(&c.flags()),
        vec![(FlagCode::RestrictedCategory, Severity::Reject)]
    );
}

#[test]
fn price_far_from_median_is_flagged_both_ways() {
    let mut c = Case::new("Смартфон");
    c.median = Some(2_000_000);
    assert_eq!(c.flags(), vec![]);
    c.price = 300_000; // 6.7× below
    assert_eq!(
        codes(&c.flags()),
        vec![(FlagCode::PriceOutlier, Severity::Review)]
    );
    c.price = 12_000_000; // 6× above
    assert_eq!(
        codes(&c.flags()),
        vec![(FlagCode::PriceOutlier, Severity::Review)]
    );
}

#[test]
fn a_category_gone_from_the_tree_rejects() {
    let c = Case::new("Смартфон");
    let empty = CategoryIndex::new(Vec::new()).unwrap();
    let input = CheckInput {
        content: &c.content,
        category: empty.get("smartphones"),
        category_restricted: false,
        category_image_min_side: None,
        seller_verified: true,
        price_minor: 1,
        median_minor: None,
        images: &c.images,
        banned: &[],
    };
    assert_eq!(
        codes(&checks::run(&input, &RulesConfig::default())),
        vec![(FlagCode::UnknownCategory, Severity::Reject)]
    );
}

#[test]
fn rules_reject_approve_or_queue() {
    let config = RulesConfig::default();
    let trusted = SellerStanding {
        verified: true,
        approved: 50,
        recent_rejections: 0,
    };
    let newcomer = SellerStanding {
        verified: true,
        approved: 2,
        recent_rejections: 0,
    };
    let review = Flag::new(FlagCode::NoImages, Severity::Review, "images", "");
    let reject = Flag::new(FlagCode::ImageTooSmall, Severity::Reject, "images", "u");
    let plain = Submission::default();
    assert_eq!(decide(&[], &trusted, plain, &config), Outcome::AutoApprove);
    assert_eq!(
        decide(std::slice::from_ref(&review), &trusted, plain, &config),
        Outcome::Queue(Priority::Normal)
    );
    assert_eq!(
        decide(&[review.clone(), reject.clone()], &trusted, plain, &config),
        Outcome::AutoReject(vec![reject])
    );
    assert_eq!(
        decide(&[], &newcomer, plain, &config),
        Outcome::Queue(Priority::Normal)
    );
    let resubmission = Submission {
        resubmission: true,
        bulk: true,
    };
    assert_eq!(
        decide(&[], &newcomer, resubmission, &config),
        Outcome::Queue(Priority::High)
    );
    let bulk = Submission {
        resubmission: false,
        bulk: true,
    };
    assert_eq!(
        decide(&[], &newcomer, bulk, &config),
        Outcome::Queue(Priority::Low)
    );
    let off = RulesConfig {
        auto_approve_trusted: false,
        ..config
    };
    assert_eq!(
        decide(&[], &trusted, plain, &off),
        Outcome::Queue(Priority::Normal)
    );
    let burned = SellerStanding {
        recent_rejections: 1,
        ..trusted
    };
    assert_eq!(
        decide(&[], &burned, plain, &config),
        Outcome::Queue(Priority::Normal)
    );
}

#[test]
fn diff_lists_changed_fields_and_images() {
    let before = phone("Смартфон старый", &["https://a/1.jpg", "https://a/2.jpg"]);
    let after = phone("Смартфон новый", &["https://a/2.jpg", "https://a/3.jpg"]);
    let (changes, images) = diff::diff(Some(&before), &after);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].field, "title");
    assert_eq!(changes[0].before.as_deref(), Some("Смартфон старый"));
    assert_eq!(images.added, vec!["https://a/3.jpg"]);
    assert_eq!(images.removed, vec!["https://a/1.jpg"]);
    let (first, _) = diff::diff(None, &after);
    assert!(
        first
            .iter()
            .any(|c| c.field == "attr:color" && c.before.is_none())
    );
}

#[test]
fn every_flag_maps_to_a_default_reason() {
    let reasons = default_reasons();
    for code in FlagCode::ALL {
        assert!(
            reasons.iter().any(|r| r.code == code.reason_code()),
            "{code:?}"
        );
    }
    for kind in DecisionKind::ALL {
        assert_eq!(DecisionKind::parse(kind.as_str()), Some(kind));
    }
}
