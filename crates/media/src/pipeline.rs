//! From accepted bytes to what the catalogue serves: upright, metadata-free JPEG
//! derivatives, a content hash for exact duplicates and perceptual hashes for near ones.
//!
//! Speed matters here (every seller image passes through), so the steps avoid full-size
//! copies and fresh memory: pixels are decoded into a per-thread buffer that is reused,
//! alpha is flattened in place, the large derivative is resized straight from the decoded
//! buffer, EXIF rotation is applied to the resized image rather than the original, and
//! the thumbnail is made from the large derivative.

use fast_image_resize as fr;
use image::metadata::Orientation;
use image::{DynamicImage, GrayImage, RgbImage, RgbaImage};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use std::cell::Cell;

use crate::decode::{Decoded, ImageInfo, ScratchLayout, open, swaps_axes};
use crate::error::MediaError;
use crate::format::Declared;
use crate::hash::{Fingerprint, fingerprint_luma};
use crate::policy::ImagePolicy;

/// Long side of the `large` derivative, in pixels: product pages and zoom.
pub const LARGE_MAX_SIDE: u32 = 1200;
/// Long side of the `thumb` derivative, in pixels: listings and moderation queues.
pub const THUMB_MAX_SIDE: u32 = 300;
/// JPEG quality of both derivatives: visually clean for photos at about a tenth of the
/// original's size; chroma is subsampled 4:2:0 as usual below quality 90.
pub const JPEG_QUALITY: u8 = 82;

/// Which derivative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DerivativeKind {
    Large,
    Thumb,
}

impl DerivativeKind {
    pub const fn name(self) -> &'static str {
        match self {
            DerivativeKind::Large => "large",
            DerivativeKind::Thumb => "thumb",
        }
    }

    pub const fn max_side(self) -> u32 {
        match self {
            DerivativeKind::Large => LARGE_MAX_SIDE,
            DerivativeKind::Thumb => THUMB_MAX_SIDE,
        }
    }
}

/// A re-encoded JPEG: no metadata survives re-encoding (no EXIF, no GPS position, no
/// ICC profile, no comments, nothing appended).
#[derive(Clone, PartialEq, Eq)]
pub struct Derivative {
    pub kind: DerivativeKind,
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub content_type: &'static str,
}

impl std::fmt::Debug for Derivative {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Derivative")
            .field("kind", &self.kind)
            .field("bytes", &format_args!("{} bytes", self.bytes.len()))
            .field("width", &self.width)
            .field("height", &self.height)
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// Everything the server stores about one accepted image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessedImage {
    pub original: ImageInfo,
    /// SHA-256 of [`ImageInfo::image_bytes`] as 64 lowercase hex digits: equal for the
    /// same file uploaded twice, even with different junk appended.
    pub sha256: String,
    pub large: Derivative,
    pub thumb: Derivative,
    pub fingerprint: Fingerprint,
}

/// Checks, decodes and derives one image. See [`crate::decode`] for the order of checks.
///
/// Each thread keeps its decode and resize buffers between calls (released after an
/// image over [`SCRATCH_KEEP_BYTES`]), so a worker processing a queue does not pay for
/// fresh memory on every photo.
pub fn process(
    bytes: &[u8],
    declared: &Declared<'_>,
    policy: &ImagePolicy,
) -> Result<ProcessedImage, MediaError> {
    thread_local! {
        static SCRATCH: Cell<Option<Scratch>> = const { Cell::new(None) };
    }
    SCRATCH.with(|cell| {
        // Taken out rather than borrowed, so a panic mid-way cannot poison it.
        let mut scratch = cell.take().unwrap_or_default();
        let result = process_with(&mut scratch, bytes, declared, policy);
        if scratch.retained_bytes() <= SCRATCH_KEEP_BYTES {
            cell.set(Some(scratch));
        }
        result
    })
}

/// Largest scratch memory a thread keeps between images: enough for a 12-megapixel
/// photo; a bigger one's buffers are freed after it.
pub const SCRATCH_KEEP_BYTES: usize = 64 * 1024 * 1024;

#[derive(Default)]
struct Scratch {
    decoded: Vec<u8>,
    large: Vec<u8>,
    resizer: fr::Resizer,
}

impl Scratch {
    fn retained_bytes(&self) -> usize {
        self.decoded.capacity() + self.large.capacity() + self.resizer.size_of_internal_buffers()
    }
}

fn process_with(
    scratch: &mut Scratch,
    bytes: &[u8],
    declared: &Declared<'_>,
    policy: &ImagePolicy,
) -> Result<ProcessedImage, MediaError> {
    let opened = open(bytes, declared, policy)?;
    let original = opened.info;
    let orientation = opened.orientation;
    let Scratch {
        decoded,
        large: large_buffer,
        resizer,
    } = scratch;
    let mut pixels = Pixels::from_decoded(opened.decode_into(decoded)?);
    pixels.flatten_alpha_onto_white();

    // Resize in stored orientation to the size that becomes the target once rotated.
    let (large_width, large_height) = fit_within(original.width, original.height, LARGE_MAX_SIDE);
    let (stored_large_width, stored_large_height) = if swaps_axes(orientation) {
        (large_height, large_width)
    } else {
        (large_width, large_height)
    };
    let large = pixels.resized_into(
        resizer,
        stored_large_width,
        stored_large_height,
        large_buffer,
    )?;
    let large = large.oriented(orientation)?;

    let (thumb_width, thumb_height) = fit_within(large.width, large.height, THUMB_MAX_SIDE);
    let mut thumb_buffer = Vec::new();
    let thumb = large.resized_into(resizer, thumb_width, thumb_height, &mut thumb_buffer)?;
    let fingerprint = fingerprint_luma(&thumb.luma(), thumb.width, thumb.height);

    let sha256 = hex::encode(Sha256::digest(original.image_bytes(bytes)));
    Ok(ProcessedImage {
        original,
        sha256,
        large: large.encode(DerivativeKind::Large)?,
        thumb: thumb.encode(DerivativeKind::Thumb)?,
        fingerprint,
    })
}

/// The largest size with the same aspect ratio whose long side is at most `max_side`;
/// never larger than the input (no upscaling) and never zero.
pub fn fit_within(width: u32, height: u32, max_side: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= max_side || long == 0 {
        return (width, height);
    }
    let scale = |side: u32| -> u32 {
        let scaled =
            (u64::from(side) * u64::from(max_side) + u64::from(long) / 2) / u64::from(long);
        u32::try_from(scaled).unwrap_or(max_side).clamp(1, max_side)
    };
    if width >= height {
        (max_side, scale(height))
    } else {
        (scale(width), max_side)
    }
}

/// 8-bit pixels in one of the three layouts the resizer and encoder handle directly,
/// either in a scratch buffer or owned.
struct Pixels<'a> {
    layout: Layout,
    width: u32,
    height: u32,
    data: Data<'a>,
}

enum Data<'a> {
    Scratch(&'a mut [u8]),
    Owned(Vec<u8>),
}

impl Data<'_> {
    fn as_slice(&self) -> &[u8] {
        match self {
            Data::Scratch(slice) => slice,
            Data::Owned(vec) => vec,
        }
    }

    fn as_mut_slice(&mut self) -> &mut [u8] {
        match self {
            Data::Scratch(slice) => slice,
            Data::Owned(vec) => vec,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    Rgb,
    /// RGBA whose alpha has been flattened to 255 (or is about to be).
    Rgba,
    Luma,
}

impl Layout {
    const fn pixel_type(self) -> fr::PixelType {
        match self {
            Layout::Rgb => fr::PixelType::U8x3,
            Layout::Rgba => fr::PixelType::U8x4,
            Layout::Luma => fr::PixelType::U8,
        }
    }

    const fn bytes_per_pixel(self) -> usize {
        match self {
            Layout::Rgb => 3,
            Layout::Rgba => 4,
            Layout::Luma => 1,
        }
    }
}

impl<'a> Pixels<'a> {
    fn from_decoded(decoded: Decoded<'a>) -> Self {
        match decoded {
            Decoded::Scratch {
                layout,
                width,
                height,
                data,
            } => {
                let layout = match layout {
                    ScratchLayout::Rgb => Layout::Rgb,
                    ScratchLayout::Rgba => Layout::Rgba,
                    ScratchLayout::Luma => Layout::Luma,
                };
                Pixels {
                    layout,
                    width,
                    height,
                    data: Data::Scratch(data),
                }
            }
            Decoded::Owned(image) => {
                let (width, height) = (image.width(), image.height());
                let (layout, data) = match image {
                    DynamicImage::ImageRgb8(buffer) => (Layout::Rgb, buffer.into_raw()),
                    DynamicImage::ImageRgba8(buffer) => (Layout::Rgba, buffer.into_raw()),
                    DynamicImage::ImageLuma8(buffer) => (Layout::Luma, buffer.into_raw()),
                    // 16-bit and grey-with-alpha images: one conversion, counted in the
                    // memory budget by `decode::open`.
                    other => (Layout::Rgba, other.into_rgba8().into_raw()),
                };
                Pixels {
                    layout,
                    width,
                    height,
                    data: Data::Owned(data),
                }
            }
        }
    }

    /// Composites transparent pixels onto white, in place, so the JPEG shows what a
    /// browser shows on a white page (and not black, which is what dropping alpha gives).
    fn flatten_alpha_onto_white(&mut self) {
        if self.layout != Layout::Rgba {
            return;
        }
        for pixel in self.data.as_mut_slice().chunks_exact_mut(4) {
            let alpha = u32::from(pixel[3]);
            if alpha == 255 {
                continue;
            }
            let white = 255 * (255 - alpha);
            for channel in &mut pixel[..3] {
                *channel = ((u32::from(*channel) * alpha + white + 127) / 255) as u8;
            }
            pixel[3] = 255;
        }
    }

    /// Resizes into `buffer` (grown as needed, never shrunk), or copies when the size
    /// is unchanged.
    fn resized_into<'b>(
        &self,
        resizer: &mut fr::Resizer,
        width: u32,
        height: u32,
        buffer: &'b mut Vec<u8>,
    ) -> Result<Pixels<'b>, MediaError> {
        let len = width as usize * height as usize * self.layout.bytes_per_pixel();
        if buffer.len() < len {
            buffer.resize(len, 0);
        }
        let target_bytes = &mut buffer[..len];
        if (width, height) == (self.width, self.height) {
            target_bytes.copy_from_slice(self.data.as_slice());
        } else {
            let pixel_type = self.layout.pixel_type();
            let source = fr::images::ImageRef::new(
                self.width,
                self.height,
                self.data.as_slice(),
                pixel_type,
            )
            .map_err(internal)?;
            let mut target =
                fr::images::Image::from_slice_u8(width, height, target_bytes, pixel_type)
                    .map_err(internal)?;
            // A box filter widened to the scale factor is area averaging: every source
            // pixel counts once, no ringing, and at these ratios (1.5× to 10× down) it
            // looks as good as the smoother filters at a third of Catmull-Rom's cost.
            // Alpha is already flat.
            let options = fr::ResizeOptions::new()
                .resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Box))
                .use_alpha(false);
            resizer
                .resize(&source, &mut target, &options)
                .map_err(internal)?;
        }
        Ok(Pixels {
            layout: self.layout,
            width,
            height,
            data: Data::Scratch(&mut buffer[..len]),
        })
    }

    fn oriented(self, orientation: Orientation) -> Result<Pixels<'a>, MediaError> {
        if orientation == Orientation::NoTransforms {
            return Ok(self);
        }
        let (width, height, layout) = (self.width, self.height, self.layout);
        let owned = match self.data {
            Data::Scratch(slice) => slice.to_vec(),
            Data::Owned(vec) => vec,
        };
        let buffer_error = || MediaError::EncodeFailed {
            detail: "pixel buffer does not match its size".to_owned(),
        };
        let mut image = match layout {
            Layout::Rgb => DynamicImage::ImageRgb8(
                RgbImage::from_raw(width, height, owned).ok_or_else(buffer_error)?,
            ),
            Layout::Rgba => DynamicImage::ImageRgba8(
                RgbaImage::from_raw(width, height, owned).ok_or_else(buffer_error)?,
            ),
            Layout::Luma => DynamicImage::ImageLuma8(
                GrayImage::from_raw(width, height, owned).ok_or_else(buffer_error)?,
            ),
        };
        image.apply_orientation(orientation);
        let (width, height) = (image.width(), image.height());
        let data = match image {
            DynamicImage::ImageRgb8(buffer) => buffer.into_raw(),
            DynamicImage::ImageRgba8(buffer) => buffer.into_raw(),
            DynamicImage::ImageLuma8(buffer) => buffer.into_raw(),
            other => other.into_rgb8().into_raw(),
        };
        Ok(Pixels {
            layout,
            width,
            height,
            data: Data::Owned(data),
        })
    }

    /// Grey levels (BT.601 weights in 8.8 fixed point), for the perceptual hash.
    fn luma(&self) -> Vec<u8> {
        let weigh = |r: u8, g: u8, b: u8| {
            ((77 * u32::from(r) + 150 * u32::from(g) + 29 * u32::from(b) + 128) >> 8) as u8
        };
        match self.layout {
            Layout::Luma => self.data.as_slice().to_vec(),
            Layout::Rgb => self
                .data
                .as_slice()
                .chunks_exact(3)
                .map(|p| weigh(p[0], p[1], p[2]))
                .collect(),
            Layout::Rgba => self
                .data
                .as_slice()
                .chunks_exact(4)
                .map(|p| weigh(p[0], p[1], p[2]))
                .collect(),
        }
    }

    fn encode(&self, kind: DerivativeKind) -> Result<Derivative, MediaError> {
        let color_type = match self.layout {
            Layout::Rgb => jpeg_encoder::ColorType::Rgb,
            // The alpha channel is 255 everywhere by now; the encoder ignores it.
            Layout::Rgba => jpeg_encoder::ColorType::Rgba,
            Layout::Luma => jpeg_encoder::ColorType::Luma,
        };
        let width = u16::try_from(self.width).map_err(internal)?;
        let height = u16::try_from(self.height).map_err(internal)?;
        let data = self.data.as_slice();
        let mut bytes = Vec::with_capacity(data.len() / 8);
        jpeg_encoder::Encoder::new(&mut bytes, JPEG_QUALITY)
            .encode(data, width, height, color_type)
            .map_err(internal)?;
        Ok(Derivative {
            kind,
            bytes,
            width: self.width,
            height: self.height,
            content_type: "image/jpeg",
        })
    }
}

fn internal(error: impl std::fmt::Display) -> MediaError {
    MediaError::EncodeFailed {
        detail: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fitting_never_upscales() {
        assert_eq!(fit_within(800, 600, 1200), (800, 600));
        assert_eq!(fit_within(2400, 1200, 1200), (1200, 600));
        assert_eq!(fit_within(1000, 3000, 300), (100, 300));
        assert_eq!(fit_within(10_000, 1, 300), (300, 1));
    }

    #[test]
    fn flattening_puts_transparent_pixels_on_white() {
        let mut pixels = Pixels {
            layout: Layout::Rgba,
            width: 3,
            height: 1,
            data: Data::Owned(vec![0, 0, 0, 0, 0, 0, 0, 255, 200, 0, 0, 128]),
        };
        pixels.flatten_alpha_onto_white();
        assert_eq!(
            pixels.data.as_slice(),
            [255, 255, 255, 255, 0, 0, 0, 255, 227, 127, 127, 255]
        );
    }

    proptest! {
        #[test]
        fn fitted_size_respects_the_bound_and_keeps_the_shape(w in 1u32..20_000, h in 1u32..20_000, max in 1u32..2_000) {
            let (fw, fh) = fit_within(w, h, max);
            prop_assert!(fw >= 1 && fh >= 1);
            prop_assert!(fw <= w && fh <= h);
            prop_assert!(fw.max(fh) <= max.max(w.max(h).min(max)));
            if w.max(h) > max {
                prop_assert_eq!(fw.max(fh), max);
                // The short side is within one pixel of the exact proportion.
                let exact = (u64::from(w.min(h)) * u64::from(max)) as f64 / f64::from(w.max(h));
                prop_assert!((f64::from(fw.min(fh)) - exact).abs() <= 1.0);
            }
        }
    }
}
