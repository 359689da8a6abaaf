//! The per-image cost of accepting a seller photo: decode, both derivatives, hashes.
//!
//! Run with `cargo bench -p media --bench pipeline`. Target: 2000×2000 photo-like JPEGs
//! (gradients and noise, quality 85) at 20 images/s or more on one core (≤ 50 ms each).
//!
//! Two measurements of the same work: `pipeline` is wall-clock time, as usual;
//! `pipeline_cpu` is the benchmark thread's own CPU time (from
//! `/proc/thread-self/schedstat`), which stays meaningful on a shared machine where
//! other jobs keep both cores busy and wall-clock time mostly measures waiting.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, ImageEncoder, Rgb, RgbImage};
use media::{Declared, ImagePolicy, inspect, process};

/// Photo-like content: smooth gradients in three directions plus per-pixel noise, which
/// is what makes real photos expensive to decode and encode (flat test cards are not).
fn photo_jpeg(size: u32, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let image = RgbImage::from_fn(size, size, |x, y| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let noise = (state % 25) as i32 - 12;
        let r = (x * 255 / size) as i32;
        let g = (y * 255 / size) as i32;
        let b = ((x + 2 * y) * 255 / (3 * size)) as i32 ^ ((seed as i32 & 3) * 40);
        let clamp = |v: i32| v.clamp(0, 255) as u8;
        Rgb([clamp(r + noise), clamp(g + noise), clamp(b + noise)])
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 85)
        .write_image(image.as_raw(), size, size, ExtendedColorType::Rgb8)
        .unwrap();
    out
}

fn pipeline<M: Measurement>(c: &mut Criterion<M>, group_name: &str) {
    let images: Vec<Vec<u8>> = (0..4).map(|seed| photo_jpeg(2000, seed)).collect();
    let policy = ImagePolicy::DEFAULT;
    let declared = Declared::upload(Some("photo.jpg"), Some("image/jpeg"));

    let mut group = c.benchmark_group(group_name);
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(15));
    group.throughput(Throughput::Elements(1));
    let mut next = 0;
    group.bench_function("process_2000x2000_jpeg_q85", |b| {
        b.iter(|| {
            next = (next + 1) % images.len();
            let done = process(&images[next], &declared, &policy).unwrap();
            assert_eq!((done.large.width, done.thumb.width), (1200, 300));
            done
        })
    });
    group.bench_function("inspect_2000x2000_jpeg_q85", |b| {
        b.iter(|| inspect(&images[0], &declared, &policy).unwrap())
    });
    group.finish();
}

fn wall_clock(c: &mut Criterion) {
    pipeline(c, "pipeline");
}

fn cpu_time(c: &mut Criterion<ThreadCpuTime>) {
    pipeline(c, "pipeline_cpu");
}

/// CPU time the current thread has run, in nanoseconds, as the scheduler accounts it.
struct ThreadCpuTime {
    // Values are nanoseconds, like wall-clock time, so its formatter fits.
    wall: WallTime,
}

impl Default for ThreadCpuTime {
    fn default() -> Self {
        ThreadCpuTime { wall: WallTime }
    }
}

fn thread_cpu_ns() -> u64 {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat")
        .expect("Linux /proc/thread-self/schedstat");
    stat.split_whitespace()
        .next()
        .and_then(|ns| ns.parse().ok())
        .expect("schedstat starts with run time in ns")
}

impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns().saturating_sub(start)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        self.wall.formatter()
    }
}

criterion_group!(wall, wall_clock);
criterion_group! {
    name = cpu;
    config = Criterion::default().with_measurement(ThreadCpuTime::default());
    targets = cpu_time
}
criterion_main!(wall, cpu);
