//! Reading an image under limits: every check that needs only the header runs before a
//! single pixel buffer is allocated.
//!
//! Order, cheapest first: empty → file size → magic bytes → declared type → container
//! structure (truncation) → header dimensions and EXIF orientation → size, memory,
//! minimum size and aspect ratio → decode.

use std::io::Cursor;

use image::metadata::Orientation;
use image::{ColorType, DynamicImage, ImageDecoder, ImageError, ImageReader, Limits};
use serde::{Deserialize, Serialize};

use crate::error::MediaError;
use crate::format::{Declared, Format, Sniffed, check_declared, sniff};
use crate::policy::ImagePolicy;
use crate::structure::{self, StructureError};

/// What a file's header says about the image, once it passed every check but decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageInfo {
    pub format: Format,
    /// Size as displayed, i.e. after the EXIF orientation is applied.
    pub width: u32,
    pub height: u32,
    /// Whether the EXIF orientation turns the stored pixels (derivatives are upright).
    pub oriented: bool,
    /// Length of the whole input, in bytes.
    pub byte_size: u64,
    /// Length of the image proper: the input up to the format's end marker.
    pub image_len: u64,
    /// Bytes after the image's end marker (0 for a clean file); see [`ImageInfo::image_bytes`].
    pub trailing_bytes: u64,
}

impl ImageInfo {
    /// The part of `input` worth storing as the original: the image without whatever
    /// was appended after its end marker (a ZIP in a polyglot, a phone's motion-photo
    /// video). `input` must be the bytes this info was computed from.
    pub fn image_bytes<'a>(&self, input: &'a [u8]) -> &'a [u8] {
        let len = usize::try_from(self.image_len).unwrap_or(usize::MAX);
        input.get(..len).unwrap_or(input)
    }
}

/// Checks a file against the policy without decoding its pixels.
///
/// Cheap (header parsing plus one linear scan for the end marker), so the server can
/// run it on upload before queueing [`crate::process`].
pub fn inspect(
    bytes: &[u8],
    declared: &Declared<'_>,
    policy: &ImagePolicy,
) -> Result<ImageInfo, MediaError> {
    open(bytes, declared, policy).map(|opened| opened.info)
}

pub(crate) struct Opened<'a> {
    pub info: ImageInfo,
    pub orientation: Orientation,
    decoder: Box<dyn ImageDecoder + 'a>,
}

pub(crate) fn open<'a>(
    bytes: &'a [u8],
    declared: &Declared<'_>,
    policy: &ImagePolicy,
) -> Result<Opened<'a>, MediaError> {
    let byte_size = bytes.len() as u64;
    if bytes.is_empty() {
        return Err(MediaError::EmptyFile);
    }
    if byte_size > policy.max_file_bytes {
        return Err(MediaError::TooLargeFile {
            size_bytes: byte_size,
            max_bytes: policy.max_file_bytes,
        });
    }
    let format = match sniff(bytes) {
        Sniffed::Image(format) => format,
        Sniffed::Other(found) => return Err(MediaError::UnsupportedFormat { found }),
        Sniffed::Empty => return Err(MediaError::EmptyFile),
    };
    check_declared(declared, format)?;
    let extent = structure::extent(format, bytes).map_err(|error| match error {
        StructureError::Truncated => MediaError::Truncated { format },
        StructureError::Malformed(detail) => MediaError::DecodeFailed {
            format,
            detail: detail.to_owned(),
        },
    })?;
    let image = &bytes[..extent.image_len];

    // Constructing a decoder parses headers only. The PNG decoder takes its limits at
    // construction, so the allocation cap goes in now; the dimension caps are checked
    // below with a message that names the actual size, then handed to the decoder too.
    let mut reader = ImageReader::with_format(Cursor::new(image), format.to_image_format());
    reader.limits(allocation_limits(policy));
    let mut decoder: Box<dyn ImageDecoder + 'a> = Box::new(
        reader
            .into_decoder()
            .map_err(|error| map_image_error(format, error))?,
    );

    let (stored_width, stored_height) = decoder.dimensions();
    if stored_width > policy.max_width || stored_height > policy.max_height {
        return Err(MediaError::DimensionsTooLarge {
            width: stored_width,
            height: stored_height,
            max_width: policy.max_width,
            max_height: policy.max_height,
        });
    }
    let needed_bytes = decode_bytes_needed(decoder.as_ref());
    if needed_bytes > policy.max_alloc_bytes {
        return Err(MediaError::TooManyPixels {
            width: stored_width,
            height: stored_height,
            needed_bytes,
            max_bytes: policy.max_alloc_bytes,
        });
    }

    // A broken EXIF block must not cost the seller the photo: it is then shown as stored.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let (width, height) = if swaps_axes(orientation) {
        (stored_height, stored_width)
    } else {
        (stored_width, stored_height)
    };
    if width < policy.min_width || height < policy.min_height {
        return Err(MediaError::TooSmall {
            width,
            height,
            min_width: policy.min_width,
            min_height: policy.min_height,
        });
    }
    if !policy.aspect.contains(width, height) {
        return Err(MediaError::BadAspectRatio {
            width,
            height,
            min: policy.aspect.min(),
            max: policy.aspect.max(),
        });
    }

    let mut limits = allocation_limits(policy);
    limits.max_image_width = Some(policy.max_width);
    limits.max_image_height = Some(policy.max_height);
    decoder
        .set_limits(limits)
        .map_err(|error| map_image_error(format, error))?;

    let image_len = extent.image_len as u64;
    Ok(Opened {
        info: ImageInfo {
            format,
            width,
            height,
            oriented: orientation != Orientation::NoTransforms,
            byte_size,
            image_len,
            trailing_bytes: byte_size - image_len,
        },
        orientation,
        decoder,
    })
}

/// Decoded pixels: in the caller's reusable buffer for the common 8-bit layouts, owned
/// for the rest.
pub(crate) enum Decoded<'s> {
    Scratch {
        layout: ScratchLayout,
        width: u32,
        height: u32,
        data: &'s mut [u8],
    },
    Owned(DynamicImage),
}

/// The byte layout of pixels decoded into scratch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScratchLayout {
    Rgb,
    Rgba,
    Luma,
}

impl Opened<'_> {
    /// Decodes the pixels (in stored orientation). 8-bit RGB, RGBA and grey images go
    /// into `scratch`, which keeps its allocation between calls: a fresh 12 MB buffer
    /// per photo costs thousands of page faults, about as much as decoding it.
    pub fn decode_into<'s>(self, scratch: &'s mut Vec<u8>) -> Result<Decoded<'s>, MediaError> {
        let format = self.info.format;
        let color = self.decoder.color_type();
        if !matches!(color, ColorType::Rgb8 | ColorType::Rgba8 | ColorType::L8) {
            return DynamicImage::from_decoder(self.decoder)
                .map(Decoded::Owned)
                .map_err(|error| map_image_error(format, error));
        }
        let (width, height) = self.decoder.dimensions();
        let total =
            usize::try_from(self.decoder.total_bytes()).map_err(|_| MediaError::DecodeFailed {
                format,
                detail: "image larger than the address space".to_owned(),
            })?;
        // Only growth is zero-filled; decoders overwrite every byte they are given.
        if scratch.len() < total {
            scratch.resize(total, 0);
        }
        let data = &mut scratch[..total];
        self.decoder
            .read_image_boxed(data)
            .map_err(|error| map_image_error(format, error))?;
        let layout = match color {
            ColorType::Rgba8 => ScratchLayout::Rgba,
            ColorType::L8 => ScratchLayout::Luma,
            _ => ScratchLayout::Rgb,
        };
        Ok(Decoded::Scratch {
            layout,
            width,
            height,
            data,
        })
    }
}

fn allocation_limits(policy: &ImagePolicy) -> Limits {
    let mut limits = Limits::default();
    limits.max_alloc = Some(policy.max_alloc_bytes);
    limits
}

/// The decoded buffer, plus the 8-bit RGBA copy the pipeline makes of any image that is
/// not already 8-bit RGB, RGBA or grey (16-bit PNGs, grey with alpha).
fn decode_bytes_needed(decoder: &dyn ImageDecoder) -> u64 {
    let (width, height) = decoder.dimensions();
    let pixels = u64::from(width) * u64::from(height);
    let decoded = decoder.total_bytes();
    let conversion = match decoder.color_type() {
        ColorType::Rgb8 | ColorType::Rgba8 | ColorType::L8 => 0,
        _ => pixels.saturating_mul(4),
    };
    decoded.saturating_add(conversion)
}

pub(crate) const fn swaps_axes(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

fn map_image_error(format: Format, error: ImageError) -> MediaError {
    match error {
        // Limits were checked with better messages above; this is the decoder's own
        // accounting, which can only be reached by a file that lied in its header.
        ImageError::Limits(limit) => MediaError::DecodeFailed {
            format,
            detail: format!("decoder limit exceeded: {limit}"),
        },
        ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            MediaError::Truncated { format }
        }
        other => MediaError::DecodeFailed {
            format,
            detail: other.to_string(),
        },
    }
}
