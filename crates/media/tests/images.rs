//! Accepting and refusing uploaded or fetched images, end to end through `process`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use image::{Rgb, RgbImage, Rgba, RgbaImage};
use media::{Declaration, Declared, Format, ImagePolicy, MediaError, OtherKind, inspect, process};
use support::*;

fn policy() -> ImagePolicy {
    ImagePolicy::DEFAULT
}

fn code(result: Result<impl std::fmt::Debug, MediaError>) -> &'static str {
    match result {
        Ok(value) => panic!("expected a refusal, got {value:?}"),
        Err(error) => error.code(),
    }
}

#[test]
fn a_large_jpeg_gets_both_derivatives_within_their_bounds() {
    let bytes = jpeg(&photo(1600, 1200, 1), 90);
    let done = process(
        &bytes,
        &Declared::upload(Some("photo.jpg"), Some("image/jpeg")),
        &policy(),
    )
    .unwrap();
    assert_eq!(done.original.format, Format::Jpeg);
    assert_eq!((done.original.width, done.original.height), (1600, 1200));
    assert_eq!(done.original.byte_size, bytes.len() as u64);
    assert_eq!(done.original.trailing_bytes, 0);
    assert_eq!((done.large.width, done.large.height), (1200, 900));
    assert_eq!((done.thumb.width, done.thumb.height), (300, 225));
    for derivative in [&done.large, &done.thumb] {
        assert_eq!(derivative.content_type, "image/jpeg");
        let decoded = decode_rgb(&derivative.bytes);
        assert_eq!(
            (decoded.width(), decoded.height()),
            (derivative.width, derivative.height)
        );
    }
    assert_eq!(done.sha256.len(), 64);
    assert!(
        done.sha256
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
}

#[test]
fn small_images_are_never_upscaled() {
    let bytes = png(&photo(500, 450, 2));
    let done = process(&bytes, &Declared::NOTHING, &policy()).unwrap();
    assert_eq!((done.large.width, done.large.height), (500, 450));
    assert_eq!((done.thumb.width, done.thumb.height), (300, 270));
}

#[test]
fn png_and_webp_are_accepted_and_re_encoded_as_jpeg() {
    let picture = photo(640, 480, 3);
    for (bytes, format, name) in [
        (png(&picture), Format::Png, "a.png"),
        (webp_lossless(&picture), Format::WebP, "a.webp"),
    ] {
        let done = process(&bytes, &Declared::upload(Some(name), None), &policy()).unwrap();
        assert_eq!(done.original.format, format);
        assert_eq!((done.large.width, done.large.height), (640, 480));
        assert!(done.large.bytes.starts_with(&[0xFF, 0xD8, 0xFF]));
    }
}

#[test]
fn the_same_picture_in_three_formats_gets_the_same_fingerprint_neighbourhood() {
    let picture = photo(800, 600, 4);
    let a = process(&jpeg(&picture, 85), &Declared::NOTHING, &policy())
        .unwrap()
        .fingerprint;
    let b = process(&png(&picture), &Declared::NOTHING, &policy())
        .unwrap()
        .fingerprint;
    let c = process(&webp_lossless(&picture), &Declared::NOTHING, &policy())
        .unwrap()
        .fingerprint;
    assert!(a.is_near_duplicate_of(&b), "{a:?} {b:?}");
    assert!(b.is_near_duplicate_of(&c), "{b:?} {c:?}");
}

#[test]
fn transparent_pixels_become_white_not_black() {
    // Left half fully transparent (black underneath), right half opaque blue.
    let picture = RgbaImage::from_fn(600, 600, |x, _| {
        if x < 300 {
            Rgba([0, 0, 0, 0])
        } else {
            Rgba([0, 0, 255, 255])
        }
    });
    for bytes in [png_rgba(&picture), webp_lossless_rgba(&picture)] {
        let done = process(&bytes, &Declared::NOTHING, &policy()).unwrap();
        let large = decode_rgb(&done.large.bytes);
        let left = large.get_pixel(100, 300);
        assert!(
            left.0.iter().all(|&c| c > 245),
            "transparent area came out as {left:?}"
        );
        let right = large.get_pixel(500, 300);
        assert!(
            right.0[2] > 200 && right.0[0] < 40,
            "opaque area came out as {right:?}"
        );
    }
}

#[test]
fn exif_orientation_is_applied_and_metadata_is_stripped() {
    // Stored 800×500: left half red, right half blue. Orientation 6 means "rotate 90°
    // clockwise to display", so the displayed image is 500×800 with red on top.
    let stored = RgbImage::from_fn(800, 500, |x, _| {
        if x < 400 {
            Rgb([220, 20, 20])
        } else {
            Rgb([20, 20, 220])
        }
    });
    let bytes = with_exif_orientation(&jpeg(&stored, 90), 6);
    let done = process(&bytes, &Declared::NOTHING, &policy()).unwrap();
    assert!(done.original.oriented);
    assert_eq!((done.original.width, done.original.height), (500, 800));
    assert_eq!((done.large.width, done.large.height), (500, 800));
    assert_eq!((done.thumb.width, done.thumb.height), (188, 300));
    let large = decode_rgb(&done.large.bytes);
    assert!(large.get_pixel(250, 100).0[0] > 180, "top should be red");
    assert!(
        large.get_pixel(250, 700).0[2] > 180,
        "bottom should be blue"
    );
    for derivative in [&done.large.bytes, &done.thumb.bytes] {
        assert!(!contains(derivative, b"Exif\0\0"));
        assert!(!contains(derivative, b"secret"));
    }
}

#[test]
fn exif_rotation_counts_for_the_aspect_ratio_and_minimum_size() {
    // Stored 1300×420 is too wide (over 3:1) either way; stored 900×350 rotated is
    // 350 wide, below the 400 minimum, which the stored size alone would hide.
    let stored = photo(900, 350, 5);
    let bytes = with_exif_orientation(&jpeg(&stored, 85), 8);
    let error = inspect(
        &bytes,
        &Declared::NOTHING,
        &policy().with_min_size(400, 300),
    )
    .unwrap_err();
    assert_eq!(
        error,
        MediaError::TooSmall {
            width: 350,
            height: 900,
            min_width: 400,
            min_height: 300
        }
    );
}

#[test]
fn a_png_named_jpg_is_refused_as_mislabelled() {
    let bytes = png(&photo(600, 600, 6));
    let error = process(
        &bytes,
        &Declared::upload(Some("photo.jpg"), None),
        &policy(),
    )
    .unwrap_err();
    assert_eq!(
        error,
        MediaError::Mislabelled {
            declared: Declaration::Extension("jpg".into()),
            actual: Format::Png
        }
    );
    assert_eq!(error.code(), "mislabelled");
    assert!(
        error
            .message(domain::Locale::En)
            .contains("says .jpg but is a PNG")
    );
}

#[test]
fn a_fetched_webp_served_as_jpeg_is_mislabelled_but_octet_stream_is_fine() {
    let bytes = webp_lossless(&photo(600, 600, 7));
    assert_eq!(
        code(process(
            &bytes,
            &Declared::fetched(Some("image/jpeg")),
            &policy()
        )),
        "mislabelled"
    );
    assert!(
        process(
            &bytes,
            &Declared::fetched(Some("application/octet-stream")),
            &policy()
        )
        .is_ok()
    );
    assert_eq!(
        code(process(
            &bytes,
            &Declared::fetched(Some("text/html; charset=utf-8")),
            &policy()
        )),
        "unsupported_content_type"
    );
}

#[test]
fn non_image_files_are_refused_by_their_bytes_whatever_their_name() {
    let cases: Vec<(Vec<u8>, OtherKind)> = vec![
        (gif(), OtherKind::Gif),
        (
            b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>".to_vec(),
            OtherKind::Html,
        ),
        (
            br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>"#.to_vec(),
            OtherKind::Svg,
        ),
        (b"%PDF-1.4\n1 0 obj\n".to_vec(), OtherKind::Pdf),
        (zip_with("a.txt", b"hello"), OtherKind::Zip),
        (b"BM\x3a\0\0\0\0\0\0\0\x36\0\0\0".to_vec(), OtherKind::Bmp),
        (b"II*\0\x08\0\0\0".to_vec(), OtherKind::Tiff),
    ];
    for (bytes, kind) in cases {
        let error = process(
            &bytes,
            &Declared::upload(Some("photo.jpg"), Some("image/jpeg")),
            &policy(),
        )
        .unwrap_err();
        assert_eq!(error, MediaError::UnsupportedFormat { found: kind });
    }
}

#[test]
fn a_zip_starting_with_an_image_inside_is_still_a_zip() {
    let inner = jpeg(&photo(500, 500, 8), 80);
    let bytes = zip_with("photo.jpg", &inner);
    assert_eq!(
        process(&bytes, &Declared::NOTHING, &policy()).unwrap_err(),
        MediaError::UnsupportedFormat {
            found: OtherKind::Zip
        }
    );
}

#[test]
fn a_jpeg_with_a_zip_appended_is_accepted_and_the_zip_is_cut_off() {
    let image = jpeg(&photo(700, 500, 9), 85);
    let archive = zip_with("payload.html", b"<script>alert(1)</script>");
    let mut polyglot = image.clone();
    polyglot.extend(&archive);

    let done = process(
        &polyglot,
        &Declared::upload(Some("photo.jpg"), None),
        &policy(),
    )
    .unwrap();
    assert_eq!(done.original.trailing_bytes, archive.len() as u64);
    assert_eq!(done.original.image_bytes(&polyglot), &image[..]);
    assert!(!contains(
        done.original.image_bytes(&polyglot),
        b"PK\x03\x04"
    ));
    for derivative in [&done.large.bytes, &done.thumb.bytes] {
        assert!(!contains(derivative, b"PK\x03\x04") && !contains(derivative, b"<script>"));
    }
    // The exact-duplicate hash ignores what was appended.
    let clean = process(&image, &Declared::NOTHING, &policy()).unwrap();
    assert_eq!(done.sha256, clean.sha256);
    assert_eq!(clean.original.trailing_bytes, 0);
}

#[test]
fn identical_files_share_a_content_hash_and_different_ones_do_not() {
    let a = jpeg(&photo(600, 600, 10), 85);
    let b = jpeg(&photo(600, 600, 10), 84);
    let hash = |bytes: &[u8]| {
        process(bytes, &Declared::NOTHING, &policy())
            .unwrap()
            .sha256
    };
    assert_eq!(hash(&a), hash(&a.clone()));
    assert_ne!(hash(&a), hash(&b));
}

#[test]
fn truncated_jpeg_is_refused_not_half_decoded() {
    let bytes = jpeg(&photo(800, 800, 11), 85);
    for cut in [bytes.len() * 3 / 5, bytes.len() - 2, 300] {
        let error = process(&bytes[..cut], &Declared::NOTHING, &policy()).unwrap_err();
        assert_eq!(
            error,
            MediaError::Truncated {
                format: Format::Jpeg
            },
            "cut at {cut}"
        );
    }
}

#[test]
fn truncated_png_and_webp_are_refused() {
    let picture = photo(600, 600, 12);
    let png_bytes = png(&picture);
    let webp_bytes = webp_lossless(&picture);
    assert_eq!(
        process(
            &png_bytes[..png_bytes.len() / 2],
            &Declared::NOTHING,
            &policy()
        )
        .unwrap_err(),
        MediaError::Truncated {
            format: Format::Png
        }
    );
    assert_eq!(
        process(
            &png_bytes[..png_bytes.len() - 4],
            &Declared::NOTHING,
            &policy()
        )
        .unwrap_err(),
        MediaError::Truncated {
            format: Format::Png
        }
    );
    assert_eq!(
        process(
            &webp_bytes[..webp_bytes.len() / 2],
            &Declared::NOTHING,
            &policy()
        )
        .unwrap_err(),
        MediaError::Truncated {
            format: Format::WebP
        }
    );
}

#[test]
fn png_with_too_little_pixel_data_is_refused_even_when_its_chunks_are_whole() {
    // A well-formed chunk sequence whose IDAT holds far fewer rows than IHDR declares.
    let bytes = png_declaring(600, 600, 2);
    let refusal = code(process(&bytes, &Declared::NOTHING, &policy()));
    assert!(
        refusal == "decode_failed" || refusal == "truncated",
        "{refusal}"
    );
}

#[test]
fn png_bomb_declaring_huge_dimensions_is_refused_from_the_header() {
    let bytes = png_declaring(100_000, 100_000, 2);
    assert!(bytes.len() < 1000);
    assert_eq!(
        inspect(&bytes, &Declared::NOTHING, &policy()).unwrap_err(),
        MediaError::DimensionsTooLarge {
            width: 100_000,
            height: 100_000,
            max_width: 10_000,
            max_height: 10_000
        }
    );
    assert_eq!(
        code(process(&bytes, &Declared::NOTHING, &policy())),
        "dimensions_too_large"
    );
}

#[test]
fn png_within_dimension_limits_but_over_the_memory_budget_is_refused() {
    // 10000×10000 RGBA needs 400 MB, over the 256 MiB budget.
    let bytes = png_declaring(10_000, 10_000, 6);
    assert_eq!(
        inspect(&bytes, &Declared::NOTHING, &policy()).unwrap_err(),
        MediaError::TooManyPixels {
            width: 10_000,
            height: 10_000,
            needed_bytes: 400_000_000,
            max_bytes: 256 * 1024 * 1024
        }
    );
}

#[test]
fn jpeg_declaring_huge_dimensions_is_refused_before_decoding() {
    let bytes = with_jpeg_header_size(&jpeg(&photo(64, 64, 13), 80), 60_000, 50_000);
    assert_eq!(
        inspect(&bytes, &Declared::NOTHING, &policy()).unwrap_err(),
        MediaError::DimensionsTooLarge {
            width: 60_000,
            height: 50_000,
            max_width: 10_000,
            max_height: 10_000
        }
    );
}

#[test]
fn files_over_the_size_limit_are_refused_before_anything_else() {
    let mut bytes = jpeg(&photo(64, 64, 14), 80);
    bytes.resize(20 * 1024 * 1024 + 1, 0);
    assert_eq!(
        inspect(&bytes, &Declared::NOTHING, &policy()).unwrap_err(),
        MediaError::TooLargeFile {
            size_bytes: 20 * 1024 * 1024 + 1,
            max_bytes: 20 * 1024 * 1024
        }
    );
    assert_eq!(
        code(inspect(&[], &Declared::NOTHING, &policy())),
        "empty_file"
    );
}

#[test]
fn too_small_images_are_refused_and_categories_can_lower_the_minimum() {
    let bytes = jpeg(&photo(350, 500, 15), 85);
    assert_eq!(
        process(&bytes, &Declared::NOTHING, &policy()).unwrap_err(),
        MediaError::TooSmall {
            width: 350,
            height: 500,
            min_width: 400,
            min_height: 400
        }
    );
    assert!(
        process(
            &bytes,
            &Declared::NOTHING,
            &policy().with_min_size(300, 300)
        )
        .is_ok()
    );
}

#[test]
fn elongated_images_are_refused_for_their_aspect_ratio() {
    let wide = jpeg(&photo(1300, 420, 16), 85);
    assert_eq!(
        code(process(&wide, &Declared::NOTHING, &policy())),
        "bad_aspect_ratio"
    );
    let tall = png(&photo(420, 1300, 17));
    assert_eq!(
        code(process(&tall, &Declared::NOTHING, &policy())),
        "bad_aspect_ratio"
    );
    let exactly_three_to_one = jpeg(&photo(1260, 420, 18), 85);
    assert!(process(&exactly_three_to_one, &Declared::NOTHING, &policy()).is_ok());
}

#[test]
fn a_damaged_jpeg_body_is_refused() {
    let mut bytes = jpeg(&photo(600, 600, 19), 85);
    // Wipe the quantisation and Huffman tables, keep the markers walkable.
    let sos = bytes.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
    let dht = bytes.windows(2).position(|w| w == [0xFF, 0xC4]).unwrap();
    bytes[dht + 1] = 0xEF; // DHT becomes an APP15 segment: no Huffman tables.
    assert!(dht < sos);
    assert_eq!(
        code(process(&bytes, &Declared::NOTHING, &policy())),
        "decode_failed"
    );
}

#[test]
fn inspect_agrees_with_process_on_accepted_files() {
    let bytes = webp_lossless(&photo(900, 700, 20));
    let info = inspect(&bytes, &Declared::NOTHING, &policy()).unwrap();
    let done = process(&bytes, &Declared::NOTHING, &policy()).unwrap();
    assert_eq!(info, done.original);
}

#[test]
fn every_refusal_has_messages_in_both_languages() {
    let bytes = jpeg(&photo(300, 300, 21), 85);
    let error = process(&bytes, &Declared::NOTHING, &policy()).unwrap_err();
    let ru = error.message(domain::Locale::Ru);
    let en = error.message(domain::Locale::En);
    assert!(ru.contains("300×300") && ru.contains("маленькое"), "{ru}");
    assert!(en.contains("300×300") && en.contains("too small"), "{en}");
    let field = error.to_field_error("images[0]", domain::Locale::En);
    assert_eq!(field.code, "too_small");
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
