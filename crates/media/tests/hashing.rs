//! Perceptual hashes find edited copies and tell different pictures apart, with the
//! thresholds documented in `media::hash`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::OnceLock;

use image::{RgbImage, imageops};
use media::{
    DHASH_NEAR_DUPLICATE_MAX, Declared, Fingerprint, ImagePolicy, PHASH_NEAR_DUPLICATE_MAX,
    PerceptualHash, process,
};
use support::*;

fn fingerprint(bytes: &[u8]) -> Fingerprint {
    let policy = ImagePolicy::DEFAULT.with_min_size(100, 100);
    process(bytes, &Declared::NOTHING, &policy)
        .unwrap()
        .fingerprint
}

/// The scenes the thresholds were measured on: photo-like scenes and products on white,
/// each with the fingerprint of its upload at quality 85. Made once for all tests.
fn scenes() -> &'static [(String, RgbImage, Fingerprint)] {
    static SCENES: OnceLock<Vec<(String, RgbImage, Fingerprint)>> = OnceLock::new();
    SCENES.get_or_init(|| {
        let photos = (0..8).map(|seed| (format!("photo {seed}"), photo(900, 700, 100 + seed)));
        let products = [Shape::Circle, Shape::Square, Shape::Triangle, Shape::Bottle]
            .into_iter()
            .enumerate()
            .map(|(i, shape)| {
                (
                    format!("{shape:?} on white"),
                    product(800, 800, shape, [200, 40, 40], 200 + i as u64),
                )
            });
        photos
            .chain(products)
            .map(|(name, scene)| {
                let uploaded = fingerprint(&jpeg(&scene, 85));
                (name, scene, uploaded)
            })
            .collect()
    })
}

fn crop_each_edge(image: &RgbImage, percent: u32) -> RgbImage {
    let (w, h) = (image.width(), image.height());
    let (dx, dy) = (w * percent / 100, h * percent / 100);
    imageops::crop_imm(image, dx, dy, w - 2 * dx, h - 2 * dy).to_image()
}

fn scaled(image: &RgbImage, percent: u32) -> RgbImage {
    imageops::resize(
        image,
        image.width() * percent / 100,
        image.height() * percent / 100,
        imageops::FilterType::Triangle,
    )
}

/// Asserts every edit of every scene stays a near duplicate of the original upload.
fn assert_survives(edit_name: &str, edit: impl Fn(&RgbImage) -> Vec<u8>) {
    let mut failures = Vec::new();
    for (name, scene, original) in scenes() {
        let edited = fingerprint(&edit(scene));
        let distances = original.distances(&edited);
        if !distances.is_near_duplicate() {
            failures.push(format!("{name}: {distances:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{edit_name} broke near-duplicate detection: {failures:#?}"
    );
}

#[test]
fn re_encoding_at_another_quality_keeps_a_near_duplicate() {
    for quality in [40, 60, 95] {
        assert_survives(&format!("quality {quality}"), |scene| jpeg(scene, quality));
    }
}

#[test]
fn resizing_keeps_a_near_duplicate() {
    for percent in [40, 70, 150] {
        assert_survives(&format!("scale {percent}%"), |scene| {
            jpeg(&scaled(scene, percent), 85)
        });
    }
}

#[test]
fn re_encoding_at_another_quality_and_size_together_keeps_a_near_duplicate() {
    assert_survives("scale 60% at quality 50", |scene| {
        jpeg(&scaled(scene, 60), 50)
    });
    assert_survives("PNG at 120%", |scene| png(&scaled(scene, 120)));
}

#[test]
fn small_crops_keep_a_near_duplicate() {
    for percent in [2, 3] {
        assert_survives(&format!("crop {percent}% per edge"), |scene| {
            jpeg(&crop_each_edge(scene, percent), 85)
        });
    }
}

#[test]
fn brightness_changes_keep_a_near_duplicate() {
    for delta in [-20, 20] {
        assert_survives(&format!("brightness {delta}"), |scene| {
            jpeg(&imageops::colorops::brighten(scene, delta), 85)
        });
    }
}

#[test]
fn different_pictures_are_not_near_duplicates() {
    let scenes = scenes();
    let mut collisions = Vec::new();
    for (i, (name_a, _, a)) in scenes.iter().enumerate() {
        for (name_b, _, b) in &scenes[i + 1..] {
            let distances = a.distances(b);
            if distances.is_near_duplicate() {
                collisions.push(format!("{name_a} ~ {name_b}: {distances:?}"));
            }
        }
    }
    assert!(
        collisions.is_empty(),
        "different pictures flagged as duplicates: {collisions:#?}"
    );
}

#[test]
fn thresholds_sit_between_edits_and_different_pictures() {
    // The closest different pair measured: same colour and composition, other shape.
    let square = fingerprint(&jpeg(
        &product(800, 800, Shape::Square, [200, 40, 40], 201),
        85,
    ));
    let triangle = fingerprint(&jpeg(
        &product(800, 800, Shape::Triangle, [200, 40, 40], 202),
        85,
    ));
    let apart = square.distances(&triangle);
    assert!(
        apart.dhash > DHASH_NEAR_DUPLICATE_MAX || apart.phash > PHASH_NEAR_DUPLICATE_MAX,
        "{apart:?}"
    );
    // A plain re-encode is nowhere near either threshold.
    let scene = photo(900, 700, 100);
    let close = fingerprint(&jpeg(&scene, 85)).distances(&fingerprint(&jpeg(&scene, 50)));
    assert!(
        close.dhash * 2 <= DHASH_NEAR_DUPLICATE_MAX && close.phash * 2 <= PHASH_NEAR_DUPLICATE_MAX,
        "{close:?}"
    );
    assert!(close.score() < apart.score());
}

#[test]
fn hashes_survive_storage_as_hex() {
    let done = process(
        &jpeg(&photo(900, 700, 101), 85),
        &Declared::NOTHING,
        &ImagePolicy::DEFAULT,
    )
    .unwrap();
    let stored = (
        done.fingerprint.dhash.to_hex(),
        done.fingerprint.phash.to_hex(),
    );
    assert_eq!(stored.0.len(), 16);
    let restored = Fingerprint {
        dhash: PerceptualHash::parse_hex(&stored.0).unwrap(),
        phash: PerceptualHash::parse_hex(&stored.1).unwrap(),
    };
    assert_eq!(restored, done.fingerprint);
}

#[test]
fn rehashing_a_stored_derivative_matches_the_upload() {
    let done = process(
        &jpeg(&photo(900, 700, 102), 85),
        &Declared::NOTHING,
        &ImagePolicy::DEFAULT,
    )
    .unwrap();
    let thumb = image::load_from_memory(&done.thumb.bytes).unwrap();
    let again = media::fingerprint_image(&thumb);
    assert!(
        again.is_near_duplicate_of(&done.fingerprint),
        "{:?}",
        again.distances(&done.fingerprint)
    );
}
