//! What an accepted product image must satisfy, and the resources a decode may use.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Limits and requirements for one upload or fetch.
///
/// The defaults suit the general catalogue; categories that need more detail (or accept
/// less) override the minimum with [`ImagePolicy::with_min_size`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImagePolicy {
    /// Largest accepted file, in bytes (20 MiB, the same as the upload limit).
    pub max_file_bytes: u64,
    /// Largest accepted width and height, in pixels, checked from the header before
    /// any pixel is decoded.
    pub max_width: u32,
    pub max_height: u32,
    /// Largest pixel buffer a decode may allocate, in bytes. A 10000×10000 RGB image
    /// needs 300 MB, so this also caps the pixel count (about 89 megapixels of RGB).
    pub max_alloc_bytes: u64,
    /// Smallest accepted width and height (after EXIF rotation), in pixels.
    pub min_width: u32,
    pub min_height: u32,
    /// Accepted width:height range (after EXIF rotation).
    pub aspect: AspectRange,
}

impl ImagePolicy {
    pub const DEFAULT: ImagePolicy = ImagePolicy {
        max_file_bytes: 20 * 1024 * 1024,
        max_width: 10_000,
        max_height: 10_000,
        max_alloc_bytes: 256 * 1024 * 1024,
        min_width: 400,
        min_height: 400,
        aspect: AspectRange::DEFAULT,
    };

    /// The same policy with a category's own minimum size.
    #[must_use]
    pub const fn with_min_size(self, min_width: u32, min_height: u32) -> Self {
        ImagePolicy {
            min_width,
            min_height,
            ..self
        }
    }

    /// The same policy with another aspect-ratio range.
    #[must_use]
    pub const fn with_aspect(self, aspect: AspectRange) -> Self {
        ImagePolicy { aspect, ..self }
    }
}

impl Default for ImagePolicy {
    fn default() -> Self {
        ImagePolicy::DEFAULT
    }
}

/// A width:height ratio with non-zero terms, compared exactly in integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AspectRatio {
    width: u32,
    height: u32,
}

impl AspectRatio {
    pub const fn new(width: u32, height: u32) -> Option<Self> {
        if width == 0 || height == 0 {
            None
        } else {
            Some(AspectRatio { width, height })
        }
    }

    pub const fn width(self) -> u32 {
        self.width
    }

    pub const fn height(self) -> u32 {
        self.height
    }

    /// Whether `self` is narrower than or as wide as `other`: w1/h1 <= w2/h2.
    const fn at_most(self, other: AspectRatio) -> bool {
        (self.width as u64) * (other.height as u64) <= (other.width as u64) * (self.height as u64)
    }
}

impl fmt::Display for AspectRatio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.width, self.height)
    }
}

/// An inclusive range of aspect ratios, e.g. 1:3 (tall) to 3:1 (wide).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AspectRange {
    min: AspectRatio,
    max: AspectRatio,
}

impl AspectRange {
    pub const DEFAULT: AspectRange = AspectRange {
        min: AspectRatio {
            width: 1,
            height: 3,
        },
        max: AspectRatio {
            width: 3,
            height: 1,
        },
    };

    /// `None` when `min` is wider than `max`.
    pub const fn new(min: AspectRatio, max: AspectRatio) -> Option<Self> {
        if min.at_most(max) {
            Some(AspectRange { min, max })
        } else {
            None
        }
    }

    pub const fn min(self) -> AspectRatio {
        self.min
    }

    pub const fn max(self) -> AspectRatio {
        self.max
    }

    /// Whether a `width`×`height` image lies within the range (zero sizes never do).
    pub const fn contains(self, width: u32, height: u32) -> bool {
        match AspectRatio::new(width, height) {
            Some(ratio) => self.min.at_most(ratio) && ratio.at_most(self.max),
            None => false,
        }
    }
}

impl Default for AspectRange {
    fn default() -> Self {
        AspectRange::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn default_range_accepts_exactly_one_to_three_through_three_to_one() {
        let range = AspectRange::DEFAULT;
        assert!(range.contains(1000, 1000));
        assert!(range.contains(3000, 1000));
        assert!(range.contains(1000, 3000));
        assert!(!range.contains(3001, 1000));
        assert!(!range.contains(1000, 3001));
        assert!(!range.contains(0, 10));
    }

    #[test]
    fn inverted_ranges_are_rejected() {
        let wide = AspectRatio::new(2, 1);
        let tall = AspectRatio::new(1, 2);
        assert!(matches!((wide, tall), (Some(w), Some(t)) if AspectRange::new(w, t).is_none()));
        assert!(AspectRatio::new(0, 1).is_none());
    }

    #[test]
    fn category_override_changes_only_the_minimum() {
        let policy = ImagePolicy::DEFAULT.with_min_size(800, 600);
        assert_eq!((policy.min_width, policy.min_height), (800, 600));
        assert_eq!(policy.max_file_bytes, ImagePolicy::DEFAULT.max_file_bytes);
    }

    proptest! {
        #[test]
        fn aspect_check_is_symmetric_for_symmetric_ranges(w in 1u32..100_000, h in 1u32..100_000) {
            let range = AspectRange::DEFAULT;
            prop_assert_eq!(range.contains(w, h), range.contains(h, w));
        }
    }
}
