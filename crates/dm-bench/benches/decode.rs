//! Decoding a 100-event page with every field and expansion: typed (`dm_model::decode`)
//! against `serde_json::Value` of the same bytes and against the minimal hand-written
//! structs (the floor for typed decode).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn page() -> bytes::Bytes {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(dm_bench::fixture::all_fields_page(1, 2_000))
        .expect("the sandbox renders the fixture page")
}

fn decode(c: &mut Criterion) {
    let body = page();
    let mut group = c.benchmark_group("decode_page_100_all_fields");
    group.throughput(Throughput::Bytes(body.len() as u64));
    let variants: [(&str, dm_bench::decoders::Decoder); 3] = [
        ("typed_dm_model", dm_bench::decoders::typed),
        ("serde_json_value", dm_bench::decoders::value),
        ("minimal_structs", dm_bench::decoders::minimal),
    ];
    for (name, decode) in variants {
        group.bench_function(name, |b| {
            b.iter(|| decode(black_box(&body)).expect("decodes"))
        });
    }
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
