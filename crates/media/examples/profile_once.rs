#![allow(clippy::unwrap_used)]
use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, ImageEncoder, Rgb, RgbImage};
fn main() {
    let size = 2000u32;
    let mut state = 7u64 | 1;
    let image = RgbImage::from_fn(size, size, |x, y| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let noise = (state % 25) as i32 - 12;
        let c = |v: i32| v.clamp(0, 255) as u8;
        Rgb([
            c((x * 255 / size) as i32 + noise),
            c((y * 255 / size) as i32 + noise),
            c(((x + 2 * y) * 255 / (3 * size)) as i32 + noise),
        ])
    });
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, 85)
        .write_image(image.as_raw(), size, size, ExtendedColorType::Rgb8)
        .unwrap();
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().unwrap())
        .unwrap_or(2);
    for _ in 0..n {
        let done = media::process(
            &bytes,
            &media::Declared::NOTHING,
            &media::ImagePolicy::DEFAULT,
        )
        .unwrap();
        std::hint::black_box(done);
    }
}
