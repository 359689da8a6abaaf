//! Import throughput: read + decode + parse + validate + hash of generated seller
//! files (about 400 bytes per row, 8 attributes, 2 image links, 2% bad rows).
//!
//! Run: `cargo bench -p domain --bench import_parse`.
//! `rows` reports rows/s, `bytes` reports MB/s of the same work; `read_only` is
//! decode + parse without validation, for profiling.
#![expect(clippy::expect_used, reason = "a benchmark aborts on broken input")]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use domain::catalog::{CategoryIndex, SkuRules};
use domain::imports::sample::{SampleOptions, write_sample};
use domain::imports::{
    ColumnMapping, ImportReader, RowValidator, SNIFF_LEN, SourceEncoding, sniff,
};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

const ROWS: u64 = 20_000;

fn sample(index: &CategoryIndex, encoding: SourceEncoding) -> Vec<u8> {
    let mut out = Vec::new();
    let options = SampleOptions {
        rows: ROWS,
        encoding,
        bom: encoding == SourceEncoding::Utf8,
        bad_rows_per_thousand: 20,
        ..SampleOptions::default()
    };
    write_sample(&mut out, index, &options).expect("sample generates");
    out
}

/// The whole import pipeline over one file; returns (valid, rejected).
fn import(bytes: &[u8], index: &Arc<CategoryIndex>) -> (u64, u64) {
    let prefix = &bytes[..bytes.len().min(SNIFF_LEN)];
    let sniffed = sniff(prefix, bytes.len() <= SNIFF_LEN).expect("sniffs");
    let mut reader = ImportReader::new(bytes, &sniffed.reader_options(false)).expect("opens");
    let mapping = ColumnMapping::suggest(reader.header(), index);
    let mut validator =
        RowValidator::new(index.clone(), &mapping, SkuRules::default()).expect("maps");
    let (mut valid, mut rejected) = (0, 0);
    while let Some(row) = reader.next_row().expect("reads") {
        match validator.validate(row.row(), &row) {
            Ok(sku) => {
                black_box((sku.content_hash, sku.commercial_hash));
                valid += 1;
            }
            Err(r) => {
                black_box(&r);
                rejected += 1;
            }
        }
    }
    (valid, rejected)
}

fn read_only(bytes: &[u8]) -> u64 {
    let sniffed = sniff(
        &bytes[..bytes.len().min(SNIFF_LEN)],
        bytes.len() <= SNIFF_LEN,
    )
    .expect("sniffs");
    let mut reader = ImportReader::new(bytes, &sniffed.reader_options(false)).expect("opens");
    let mut n = 0;
    while let Some(row) = reader.next_row().expect("reads") {
        black_box(row.row());
        n += 1;
    }
    n
}

fn bench(c: &mut Criterion) {
    let index = Arc::new(CategoryIndex::starter());
    let files = [
        ("utf8", sample(&index, SourceEncoding::Utf8)),
        ("windows1251", sample(&index, SourceEncoding::Windows1251)),
    ];
    for (name, bytes) in &files {
        let (valid, rejected) = import(bytes, &index);
        assert_eq!(valid + rejected, ROWS, "{name}: every row is read");
    }

    let mut rows = c.benchmark_group("import_parse_rows");
    rows.sample_size(20)
        .measurement_time(Duration::from_secs(8));
    rows.throughput(Throughput::Elements(ROWS));
    for (name, bytes) in &files {
        rows.bench_with_input(BenchmarkId::new("validate", name), bytes, |b, bytes| {
            b.iter(|| import(bytes, &index))
        });
    }
    rows.bench_with_input(
        BenchmarkId::new("read_only", "utf8"),
        &files[0].1,
        |b, bytes| b.iter(|| read_only(bytes)),
    );
    rows.finish();

    let mut bytes_group = c.benchmark_group("import_parse_bytes");
    bytes_group
        .sample_size(20)
        .measurement_time(Duration::from_secs(8));
    for (name, bytes) in &files {
        bytes_group.throughput(Throughput::BytesDecimal(bytes.len() as u64));
        bytes_group.bench_with_input(BenchmarkId::new("validate", name), bytes, |b, bytes| {
            b.iter(|| import(bytes, &index))
        });
    }
    bytes_group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
