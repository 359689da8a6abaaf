//! Test images made in code: no binary fixtures.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, ImageEncoder, Rgb, RgbImage, RgbaImage};

/// A tiny deterministic generator (xorshift64), so tests need no `rand`.
pub struct Noise(u64);

impl Noise {
    pub fn new(seed: u64) -> Self {
        Noise(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn clamp(v: i32) -> u8 {
    v.clamp(0, 255) as u8
}

/// Photo-like: two gradients, a few soft-edged blobs of colour and sensor-like noise.
/// Different seeds give different scenes.
pub fn photo(width: u32, height: u32, seed: u64) -> RgbImage {
    let mut noise = Noise::new(seed);
    let base = [
        noise.below(200) as i32,
        noise.below(200) as i32,
        noise.below(200) as i32,
    ];
    let blobs: Vec<(f32, f32, f32, [i32; 3])> = (0..5)
        .map(|_| {
            (
                noise.below(1000) as f32 / 1000.0,
                noise.below(1000) as f32 / 1000.0,
                0.08 + noise.below(200) as f32 / 1000.0,
                [
                    noise.below(256) as i32,
                    noise.below(256) as i32,
                    noise.below(256) as i32,
                ],
            )
        })
        .collect();
    let direction = noise.below(4);
    RgbImage::from_fn(width, height, |x, y| {
        let fx = x as f32 / width as f32;
        let fy = y as f32 / height as f32;
        let ramp = match direction {
            0 => fx,
            1 => fy,
            2 => 1.0 - fx,
            _ => (fx + fy) / 2.0,
        };
        let mut c = [
            base[0] as f32 + 55.0 * ramp,
            base[1] as f32 + 40.0 * (1.0 - ramp),
            base[2] as f32 + 30.0 * ramp,
        ];
        for &(bx, by, r, color) in &blobs {
            let d = ((fx - bx).powi(2) + (fy - by).powi(2)).sqrt();
            let w = (1.0 - (d / r)).clamp(0.0, 1.0);
            let w = w * w * (3.0 - 2.0 * w);
            for i in 0..3 {
                c[i] = c[i] * (1.0 - w) + color[i] as f32 * w;
            }
        }
        let n = noise.below(17) as i32 - 8;
        Rgb([
            clamp(c[0] as i32 + n),
            clamp(c[1] as i32 + n),
            clamp(c[2] as i32 + n),
        ])
    })
}

#[derive(Clone, Copy, Debug)]
pub enum Shape {
    Circle,
    Square,
    Triangle,
    Bottle,
}

/// Product-like: one object, centred, on a white background (the hard case for
/// perceptual hashes: most of every such image is the same white).
pub fn product(width: u32, height: u32, shape: Shape, color: [u8; 3], seed: u64) -> RgbImage {
    let mut noise = Noise::new(seed);
    RgbImage::from_fn(width, height, |x, y| {
        let fx = x as f32 / width as f32 - 0.5;
        let fy = y as f32 / height as f32 - 0.5;
        let inside = match shape {
            Shape::Circle => fx * fx + fy * fy < 0.3 * 0.3,
            Shape::Square => fx.abs() < 0.28 && fy.abs() < 0.28,
            Shape::Triangle => fy < 0.3 && fy > -0.35 && fx.abs() < (fy + 0.35) * 0.5,
            Shape::Bottle => {
                (fx.abs() < 0.12 && fy > -0.1 && fy < 0.4) || (fx.abs() < 0.05 && fy > -0.4)
            }
        };
        let n = noise.below(7) as i32 - 3;
        if inside {
            // A little shading so the object is not flat.
            let shade = (fx * 60.0) as i32;
            Rgb([
                clamp(color[0] as i32 - shade + n),
                clamp(color[1] as i32 - shade + n),
                clamp(color[2] as i32 - shade + n),
            ])
        } else {
            Rgb([clamp(250 + n), clamp(250 + n), clamp(250 + n)])
        }
    })
}

pub fn jpeg(image: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            ExtendedColorType::Rgb8,
        )
        .unwrap();
    out
}

pub fn png(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            ExtendedColorType::Rgb8,
        )
        .unwrap();
    out
}

pub fn png_rgba(image: &RgbaImage) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            ExtendedColorType::Rgba8,
        )
        .unwrap();
    out
}

pub fn webp_lossless(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    WebPEncoder::new_lossless(&mut out)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            ExtendedColorType::Rgb8,
        )
        .unwrap();
    out
}

pub fn webp_lossless_rgba(image: &RgbaImage) -> Vec<u8> {
    let mut out = Vec::new();
    WebPEncoder::new_lossless(&mut out)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            ExtendedColorType::Rgba8,
        )
        .unwrap();
    out
}

/// Inserts an APP1 Exif segment carrying only an orientation tag right after SOI.
pub fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut tiff = Vec::new();
    tiff.extend(b"MM\0*");
    tiff.extend(8u32.to_be_bytes()); // IFD0 offset
    tiff.extend(1u16.to_be_bytes()); // one entry
    tiff.extend(0x0112u16.to_be_bytes()); // Orientation
    tiff.extend(3u16.to_be_bytes()); // SHORT
    tiff.extend(1u32.to_be_bytes()); // count
    tiff.extend(orientation.to_be_bytes());
    tiff.extend([0, 0]);
    tiff.extend(0u32.to_be_bytes()); // no next IFD
    // A camera-style comment, to show metadata does not survive.
    tiff.extend(b"GPS 55.7558N 37.6173E secret");
    let mut segment = b"Exif\0\0".to_vec();
    segment.extend(tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((segment.len() + 2) as u16).to_be_bytes());
    out.extend(segment);
    out.extend(&jpeg[2..]);
    out
}

/// Rewrites the size in a JPEG's SOF0 segment (the pixels stay small).
pub fn with_jpeg_header_size(jpeg: &[u8], width: u16, height: u16) -> Vec<u8> {
    let mut out = jpeg.to_vec();
    let sof = out
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("baseline JPEG");
    out[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    out[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    out
}

pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in bytes {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

/// A zlib stream with one stored (uncompressed) block.
pub fn zlib_stored(data: &[u8]) -> Vec<u8> {
    assert!(data.len() < 65536);
    let mut out = vec![0x78, 0x01, 0x01];
    let len = data.len() as u16;
    out.extend(len.to_le_bytes());
    out.extend((!len).to_le_bytes());
    out.extend(data);
    out.extend(adler32(data).to_be_bytes());
    out
}

pub fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend(kind);
    out.extend(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend(data);
    out.extend(crc32(&crc_input).to_be_bytes());
    out
}

/// A PNG whose header declares `width`×`height` RGB pixels, followed by a tiny IDAT
/// (a few hundred bytes) and IEND: the classic decompression bomb shape.
pub fn png_declaring(width: u32, height: u32, color_type: u8) -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, color_type, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(png_chunk(b"IHDR", &ihdr));
    out.extend(png_chunk(b"IDAT", &zlib_stored(&[0u8; 256])));
    out.extend(png_chunk(b"IEND", &[]));
    out
}

/// A minimal but complete ZIP archive holding one stored file.
pub fn zip_with(name: &str, content: &[u8]) -> Vec<u8> {
    let crc = crc32(content);
    let mut out = Vec::new();
    out.extend(b"PK\x03\x04");
    out.extend([20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    out.extend(crc.to_le_bytes());
    out.extend((content.len() as u32).to_le_bytes());
    out.extend((content.len() as u32).to_le_bytes());
    out.extend((name.len() as u16).to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out.extend(name.as_bytes());
    out.extend(content);
    let central = out.len() as u32;
    out.extend(b"PK\x01\x02");
    out.extend([20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    out.extend(crc.to_le_bytes());
    out.extend((content.len() as u32).to_le_bytes());
    out.extend((content.len() as u32).to_le_bytes());
    out.extend((name.len() as u16).to_le_bytes());
    out.extend([0u8; 12]);
    out.extend(0u32.to_le_bytes());
    out.extend(name.as_bytes());
    let central_len = out.len() as u32 - central;
    out.extend(b"PK\x05\x06");
    out.extend([0u8; 4]);
    out.extend(1u16.to_le_bytes());
    out.extend(1u16.to_le_bytes());
    out.extend(central_len.to_le_bytes());
    out.extend(central.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// A 1×1 GIF89a.
pub fn gif() -> Vec<u8> {
    let mut out = b"GIF89a".to_vec();
    out.extend([1, 0, 1, 0, 0x80, 0, 0]);
    out.extend([0, 0, 0, 255, 255, 255]);
    out.extend([0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0]);
    out.extend([2, 2, 0x44, 0x01, 0]);
    out.push(0x3B);
    out
}

/// Decodes a derivative back to RGB for assertions.
pub fn decode_rgb(bytes: &[u8]) -> RgbImage {
    image::load_from_memory(bytes).unwrap().to_rgb8()
}
