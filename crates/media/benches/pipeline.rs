//! Placeholder replaced by the real pipeline benchmark.
use criterion::{Criterion, criterion_group, criterion_main};

fn pipeline(c: &mut Criterion) {
    c.bench_function("noop", |b| b.iter(|| 1 + 1));
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
