//! OAuth 1.0a signing (HMAC-SHA1, RFC 5849) of a lookup URL with every field and expansion.

use criterion::{Criterion, criterion_group, criterion_main};
use dm_transport::oauth1::{self, OAuth1Credentials};
use std::hint::black_box;

fn oauth1(c: &mut Criterion) {
    let credentials = OAuth1Credentials::new(
        "xvz1evFS4wEEPTGEFPHBog",
        "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
        "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
        "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
    );
    let pq = dm_bench::lookup::path_and_query(Some("18LAA5FFPEKJA52G0G00ZZZZ")).expect("valid");
    let url: http::Uri = format!("https://api.x.com{pq}").parse().expect("a URI");
    let mut group = c.benchmark_group("oauth1_sign");
    group.bench_function("authorization_header_fixed_nonce", |b| {
        b.iter(|| {
            credentials.authorization_header_with(
                "GET",
                black_box(&url),
                None,
                "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
                1_318_622_958,
            )
        })
    });
    group.bench_function("authorization_header_fresh_nonce", |b| {
        b.iter(|| credentials.authorization_header("GET", black_box(&url), None))
    });
    group.bench_function("base_string_only", |b| {
        let params = [
            ("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"),
            ("oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "1318622958"),
            ("oauth_version", "1.0"),
        ];
        b.iter(|| oauth1::signature_base_string("GET", black_box(&url), None, &params))
    });
    group.finish();
}

criterion_group!(benches, oauth1);
criterion_main!(benches);
