//! Query encoding: the canonical query string and the full `http::Request` of a lookup.

use criterion::{Criterion, criterion_group, criterion_main};
use dm_model::{DmEventField, EventType, Expansion, UserField};
use dm_query::{ApiRequest, BaseUrl, EventsQuery, ListEvents, Scope};
use std::hint::black_box;

const TOKEN: &str = "18LAA5FFPEKJA52G0G00ZZZZ";

fn query(c: &mut Criterion) {
    let base = BaseUrl::default();
    let mut group = c.benchmark_group("query_encoding");
    group.bench_function("all_fields_query_string", |b| {
        let query = EventsQuery::all_fields()
            .max_results(100)
            .pagination_token(TOKEN);
        b.iter(|| black_box(&query).to_query_string().expect("valid"))
    });
    group.bench_function("build_all_fields_query_and_request", |b| {
        b.iter(|| {
            let query = EventsQuery::all_fields()
                .max_results(100)
                .pagination_token(black_box(TOKEN));
            ListEvents::new(Scope::All, query)
                .to_request(&base)
                .expect("valid")
        })
    });
    group.bench_function("build_small_query_and_request", |b| {
        b.iter(|| {
            let query = EventsQuery::new()
                .max_results(50)
                .event_types([EventType::MessageCreate])
                .dm_event_fields([
                    DmEventField::Text,
                    DmEventField::CreatedAt,
                    DmEventField::SenderId,
                ])
                .expansions([Expansion::SenderId])
                .user_fields([UserField::Username]);
            ListEvents::new(Scope::All, black_box(query))
                .to_request(&base)
                .expect("valid")
        })
    });
    group.bench_function("parse_all_fields_query_string", |b| {
        let s = EventsQuery::all_fields()
            .max_results(100)
            .pagination_token(TOKEN)
            .to_query_string()
            .expect("valid");
        b.iter(|| EventsQuery::parse(black_box(&s)).expect("parses"))
    });
    group.finish();
}

criterion_group!(benches, query);
criterion_main!(benches);
