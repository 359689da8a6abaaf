//! Product images, server side: pure functions over bytes (no network, no filesystem).
//!
//! The server fetches or receives the bytes and stores the blobs; this crate decides
//! whether an image is acceptable and what to store:
//!
//! - [`inspect`]: header-only checks (format by magic bytes, declared type, truncation,
//!   dimensions, memory, minimum size, aspect ratio) under an [`ImagePolicy`];
//! - [`process`]: the same checks, then a bounded decode, two upright re-encoded JPEG
//!   derivatives ([`LARGE_MAX_SIDE`], [`THUMB_MAX_SIDE`]), a SHA-256 of the image bytes
//!   for exact duplicates and a [`Fingerprint`] (dHash + pHash) for near duplicates;
//! - [`net_policy`]: the checks the URL fetcher runs against SSRF.
//!
//! Every refusal is a [`MediaError`] with a stable `code()` and a message in Russian and
//! English.
//!
//! Polyglots: a JPEG/PNG/WebP with another file appended (a ZIP after the JPEG's end
//! marker, or a phone's motion-photo video) is accepted as the image it starts with. The
//! derivatives are re-encoded from pixels, so nothing appended survives into them, and
//! [`ImageInfo::image_bytes`] cuts the appended part off the original the server stores;
//! [`ImageInfo::trailing_bytes`] says how much there was, for logs and moderators. Files
//! that do not *start* as an accepted image (a ZIP, PDF or HTML page with an image inside)
//! are refused by their magic bytes.

pub mod decode;
pub mod error;
pub mod format;
pub mod hash;
pub mod net_policy;
pub mod pipeline;
pub mod policy;
mod structure;

pub use decode::{ImageInfo, inspect};
pub use error::{BadUrlReason, MediaError};
pub use format::{
    Declaration, Declared, Format, OtherKind, Sniffed, check_declared, precheck_content_type, sniff,
};
pub use hash::{
    DHASH_NEAR_DUPLICATE_MAX, Distances, Fingerprint, PHASH_NEAR_DUPLICATE_MAX, PerceptualHash,
    fingerprint_image, hamming_distance,
};
pub use pipeline::{
    Derivative, DerivativeKind, JPEG_QUALITY, LARGE_MAX_SIDE, ProcessedImage, THUMB_MAX_SIDE,
    fit_within, process,
};
pub use policy::{AspectRange, AspectRatio, ImagePolicy};
