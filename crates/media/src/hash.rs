//! Perceptual hashes: 64-bit summaries that stay close when an image is re-encoded,
//! resized, lightly cropped or brightened, so a stolen or previously rejected photo is
//! found even after it went through another shop's image pipeline.
//!
//! Two hashes are kept, both from a 32×32 grey reduction of the (flattened, upright)
//! thumbnail:
//! - dHash: sign of the brightness step between horizontal neighbours of a 9×8 grid;
//! - pHash: sign of the 63 lowest DCT frequencies (DC excluded) against their median.
//!
//! A pair is a near duplicate when *both* distances are within their thresholds
//! ([`DHASH_NEAR_DUPLICATE_MAX`], [`PHASH_NEAR_DUPLICATE_MAX`]). The two fail differently:
//! dHash (with its flat-area margin) shrugs off crops but tells apart less; pHash tells
//! apart well but moves under crops. Requiring both keeps false alarms down on product
//! shots, which share a lot (a centred object on a white background).
//!
//! Measured on the generated scenes of `tests/hashing.rs` (8 photo-like scenes, 4
//! products on white), largest distances (dHash, pHash) to the original upload:
//! - re-encoding at JPEG quality 40–95: (2, 2);
//! - scaling to 40–150 %: (1, 6);
//! - brightness ±20 levels: (0, 4); ±40: (10, 4);
//! - cropping 2 % off every edge: (6, 12); 3 %: (6, 14); 5 %: (7, 18);
//!
//! while the closest pairs of different scenes were (13, 12), (10, 18), (15, 18) and
//! (13, 25). Hence 10 and 16: every edit above up to 3 % crops passes, no different pair
//! does; crops of 5 % per edge and more are not reliably caught.
//! Flipped (mirrored) copies are not detected: neither hash is mirror-invariant.

use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// Largest dHash distance (of 64 bits) at which two images may be near duplicates.
pub const DHASH_NEAR_DUPLICATE_MAX: u32 = 10;
/// Largest pHash distance (of 64 bits) at which two images may be near duplicates.
pub const PHASH_NEAR_DUPLICATE_MAX: u32 = 16;

/// Number of differing bits between two 64-bit hashes (0..=64).
pub const fn hamming_distance(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// One 64-bit perceptual hash; stored as 16 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct PerceptualHash(u64);

impl PerceptualHash {
    pub const fn new(bits: u64) -> Self {
        PerceptualHash(bits)
    }

    pub const fn bits(self) -> u64 {
        self.0
    }

    /// Bit pattern as a signed integer, for databases without unsigned 64-bit columns
    /// (PostgreSQL `BIGINT`); [`PerceptualHash::from_i64`] reverses it.
    pub const fn to_i64(self) -> i64 {
        self.0 as i64
    }

    pub const fn from_i64(value: i64) -> Self {
        PerceptualHash(value as u64)
    }

    pub fn to_hex(self) -> String {
        format!("{:016x}", self.0)
    }

    /// Parses exactly 16 hex digits (either case).
    pub fn parse_hex(text: &str) -> Option<Self> {
        if text.len() != 16 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u64::from_str_radix(text, 16).ok().map(PerceptualHash)
    }

    pub const fn distance(self, other: PerceptualHash) -> u32 {
        hamming_distance(self.0, other.0)
    }
}

impl fmt::Debug for PerceptualHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PerceptualHash({:016x})", self.0)
    }
}

impl fmt::Display for PerceptualHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl From<PerceptualHash> for String {
    fn from(hash: PerceptualHash) -> String {
        hash.to_hex()
    }
}

impl TryFrom<String> for PerceptualHash {
    type Error = String;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        PerceptualHash::parse_hex(&text).ok_or_else(|| format!("not a 16-digit hex hash: {text:?}"))
    }
}

/// Both perceptual hashes of one image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fingerprint {
    pub dhash: PerceptualHash,
    pub phash: PerceptualHash,
}

impl Fingerprint {
    pub const fn distances(&self, other: &Fingerprint) -> Distances {
        Distances {
            dhash: self.dhash.distance(other.dhash),
            phash: self.phash.distance(other.phash),
        }
    }

    pub const fn is_near_duplicate_of(&self, other: &Fingerprint) -> bool {
        self.distances(other).is_near_duplicate()
    }
}

/// The two Hamming distances between two fingerprints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Distances {
    pub dhash: u32,
    pub phash: u32,
}

impl Distances {
    pub const fn is_near_duplicate(self) -> bool {
        self.dhash <= DHASH_NEAR_DUPLICATE_MAX && self.phash <= PHASH_NEAR_DUPLICATE_MAX
    }

    /// One number for ranking candidates, lower is closer: each distance as a share of
    /// its threshold, the larger share, in per cent (100 = at the threshold).
    pub const fn score(self) -> u32 {
        let d = self.dhash * 100 / DHASH_NEAR_DUPLICATE_MAX;
        let p = self.phash * 100 / PHASH_NEAR_DUPLICATE_MAX;
        if d > p { d } else { p }
    }
}

const GRID: usize = 32;

/// How much brighter (in grey levels, of 255) a dHash cell must be than its neighbour to
/// set its bit. Without a margin, flat areas (a product's white background, a clipped
/// sky) set bits by sensor noise, which re-encoding reshuffles.
const DHASH_MARGIN: f32 = 1.0;

/// Hashes an 8-bit grey image of `width`×`height` pixels (row-major, no padding).
/// Any size works; the pipeline passes its thumbnail.
pub fn fingerprint_luma(luma: &[u8], width: u32, height: u32) -> Fingerprint {
    let grid = reduce(luma, width as usize, height as usize);
    Fingerprint {
        dhash: PerceptualHash(dhash(&grid)),
        phash: PerceptualHash(phash(&grid)),
    }
}

/// Hashes an already decoded image (any colour type), e.g. to re-hash a stored
/// derivative. The result matches [`crate::process`] for the same upright picture.
pub fn fingerprint_image(image: &image::DynamicImage) -> Fingerprint {
    let grey = image.to_luma8();
    fingerprint_luma(grey.as_raw(), grey.width(), grey.height())
}

/// Box-averages the image into a 32×32 grid of mean grey levels (0..=255 as f32).
/// Each cell averages the pixels whose index falls into its share of the axis, so every
/// pixel counts once and small images still fill every cell.
fn reduce(luma: &[u8], width: usize, height: usize) -> [[f32; GRID]; GRID] {
    let mut grid = [[0f32; GRID]; GRID];
    if width == 0 || height == 0 || luma.len() < width * height {
        return grid;
    }
    let bounds = |cell: usize, len: usize| {
        let start = cell * len / GRID;
        let end = ((cell + 1) * len / GRID).max(start + 1).min(len);
        (start.min(len - 1), end)
    };
    let columns: Vec<(usize, usize)> = (0..GRID).map(|x| bounds(x, width)).collect();
    for (y, row) in grid.iter_mut().enumerate() {
        let (top, bottom) = bounds(y, height);
        let mut sums = [0u32; GRID];
        for line in luma.chunks_exact(width).skip(top).take(bottom - top) {
            for (sum, &(left, right)) in sums.iter_mut().zip(&columns) {
                *sum += line[left..right].iter().map(|&v| u32::from(v)).sum::<u32>();
            }
        }
        for ((cell, sum), &(left, right)) in row.iter_mut().zip(sums).zip(&columns) {
            *cell = sum as f32 / ((bottom - top) * (right - left)) as f32;
        }
    }
    grid
}

/// dHash on a 9×8 grid made from the 32×32 one: bit set when a cell is brighter than
/// its right-hand neighbour.
fn dhash(grid: &[[f32; GRID]; GRID]) -> u64 {
    let mut small = [[0f32; 9]; 8];
    for (y, row) in small.iter_mut().enumerate() {
        for (x, cell) in row.iter_mut().enumerate() {
            let (top, bottom) = (y * GRID / 8, (y + 1) * GRID / 8);
            let (left, right) = (x * GRID / 9, ((x + 1) * GRID / 9).max(x * GRID / 9 + 1));
            let mut sum = 0.0;
            for line in &grid[top..bottom] {
                sum += line[left..right].iter().sum::<f32>();
            }
            *cell = sum / ((bottom - top) * (right - left)) as f32;
        }
    }
    let mut bits = 0u64;
    for row in &small {
        for pair in row.windows(2) {
            bits = (bits << 1) | u64::from(pair[0] > pair[1] + DHASH_MARGIN);
        }
    }
    bits
}

/// pHash: 2-D DCT-II of the 32×32 grid, the 8×8 lowest frequencies, each bit set when the
/// coefficient exceeds the median of the 63 non-DC ones. The DC term (mean brightness)
/// would always compare the same way, so bit 0 carries the sign of the first horizontal
/// frequency instead, keeping all 64 bits informative.
fn phash(grid: &[[f32; GRID]; GRID]) -> u64 {
    let cosines = dct_cosines();
    // Rows first: 32 rows × 8 frequencies, then the 8 lowest vertical frequencies.
    let mut rows = [[0f32; 8]; GRID];
    for (y, line) in grid.iter().enumerate() {
        for u in 0..8 {
            rows[y][u] = line.iter().zip(&cosines[u]).map(|(v, c)| v * c).sum();
        }
    }
    let mut coefficients = [0f32; 64];
    for v in 0..8 {
        for u in 0..8 {
            coefficients[v * 8 + u] = (0..GRID).map(|y| rows[y][u] * cosines[v][y]).sum();
        }
    }
    let mut ac: Vec<f32> = coefficients[1..].to_vec();
    ac.sort_by(f32::total_cmp);
    let median = ac[ac.len() / 2];
    let mut bits = u64::from(coefficients[1] > 0.0);
    for &coefficient in &coefficients[1..] {
        bits = (bits << 1) | u64::from(coefficient > median);
    }
    bits
}

fn dct_cosines() -> &'static [[f32; GRID]; 8] {
    static COSINES: OnceLock<[[f32; GRID]; 8]> = OnceLock::new();
    COSINES.get_or_init(|| {
        let mut table = [[0f32; GRID]; 8];
        for (u, row) in table.iter_mut().enumerate() {
            for (x, value) in row.iter_mut().enumerate() {
                let angle =
                    std::f64::consts::PI * (2 * x + 1) as f64 * u as f64 / (2 * GRID) as f64;
                *value = angle.cos() as f32;
            }
        }
        table
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hex_form_is_sixteen_lowercase_digits_and_round_trips() {
        let hash = PerceptualHash::new(0x00ab_cdef_0123_4567);
        assert_eq!(hash.to_hex(), "00abcdef01234567");
        assert_eq!(PerceptualHash::parse_hex("00ABCDEF01234567"), Some(hash));
        assert_eq!(PerceptualHash::parse_hex("abc"), None);
        assert_eq!(PerceptualHash::parse_hex("+0abcdef01234567"), None);
        assert_eq!(PerceptualHash::from_i64(hash.to_i64()), hash);
    }

    #[test]
    fn hamming_distance_counts_differing_bits() {
        assert_eq!(hamming_distance(0, 0), 0);
        assert_eq!(hamming_distance(0, u64::MAX), 64);
        assert_eq!(hamming_distance(0b1011, 0b0001), 2);
    }

    #[test]
    fn a_flat_image_does_not_crash_and_tiny_images_still_hash() {
        let flat = vec![200u8; 50 * 40];
        let _ = fingerprint_luma(&flat, 50, 40);
        let tiny = [0u8, 255, 255, 0];
        let a = fingerprint_luma(&tiny, 2, 2);
        let b = fingerprint_luma(&tiny, 2, 2);
        assert_eq!(a, b);
    }

    #[test]
    fn left_bright_and_right_bright_images_hash_far_apart() {
        let left: Vec<u8> = (0..64 * 64)
            .map(|i| if i % 64 < 32 { 230 } else { 20 })
            .collect();
        let right: Vec<u8> = left.iter().map(|v| 250 - v).collect();
        let a = fingerprint_luma(&left, 64, 64);
        let b = fingerprint_luma(&right, 64, 64);
        assert!(!a.is_near_duplicate_of(&b), "{a:?} {b:?}");
    }

    proptest! {
        #[test]
        fn hex_round_trips_for_every_value(bits in any::<u64>()) {
            let hash = PerceptualHash::new(bits);
            prop_assert_eq!(PerceptualHash::parse_hex(&hash.to_hex()), Some(hash));
        }

        #[test]
        fn distance_is_a_metric(a in any::<u64>(), b in any::<u64>(), c in any::<u64>()) {
            prop_assert_eq!(hamming_distance(a, b), hamming_distance(b, a));
            prop_assert!(hamming_distance(a, c) <= hamming_distance(a, b) + hamming_distance(b, c));
            prop_assert_eq!(hamming_distance(a, a), 0);
        }
    }
}
