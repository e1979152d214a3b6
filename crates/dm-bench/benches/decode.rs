//! Decoding a 100-event page with every field and expansion: typed (`dm_model::decode`)
//! against `serde_json::Value` of the same bytes and against the minimal hand-written
//! structs (the floor for typed decode).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dm_bench::minimal::MinimalPage;
use dm_model::DmEventsPage;
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
    group.bench_function("typed_dm_model", |b| {
        b.iter(|| {
            let page: DmEventsPage = dm_model::decode(black_box(&body)).expect("decodes");
            page
        })
    });
    group.bench_function("serde_json_value", |b| {
        b.iter(|| {
            let value: serde_json::Value =
                serde_json::from_slice(black_box(&body)).expect("decodes");
            value
        })
    });
    group.bench_function("minimal_structs", |b| {
        b.iter(|| {
            let page: MinimalPage = serde_json::from_slice(black_box(&body)).expect("decodes");
            page
        })
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
