//! Under injected faults the stream delivers exactly what a fault-free run delivers.

mod support;

use std::time::Duration;

use dm_fake::{FakeServer, FaultConfig, FaultKind, RateLimitConfig};
use dm_stream::Scope;
use dm_transport::RateLimitPolicy;
use serde_json::Value;
use support::*;

async fn run(faults: FaultConfig) -> (Vec<Value>, Vec<Value>, dm_fake::Stats) {
    let fake = start(
        FakeServer::builder()
            .seed(11)
            .events(900)
            // A one-second window so 429 storms clear quickly.
            .rate_limit(RateLimitConfig::new(1_000_000, Duration::from_secs(1)))
            .faults(faults),
    )
    .await;
    let client = client_builder(&fake)
        .rate_limit(RateLimitPolicy::new().skew_margin(Duration::from_millis(50)))
        .decode_retries(5)
        .build()
        .unwrap();
    let got: Vec<Value> = collect_all(&client, Scope::All)
        .await
        .iter()
        .map(json)
        .collect();
    (got, truth(&fake, &Scope::All), fake.stats())
}

#[tokio::test]
async fn server_errors_resets_truncation_and_malformed_json_change_nothing() {
    let kinds = vec![
        FaultKind::ServerError(500),
        FaultKind::ServerError(503),
        FaultKind::ResetMidBody,
        FaultKind::TruncatedBody,
        FaultKind::MalformedJson,
    ];
    let (clean, truth_clean, _) = run(FaultConfig::none()).await;
    assert_eq!(clean, truth_clean);
    for rate in [10, 30] {
        let (got, _, stats) = run(FaultConfig::random(rate, kinds.clone())).await;
        assert!(
            stats.faults_injected() > 0,
            "faults were injected at {rate}%"
        );
        assert_eq!(got, clean, "identical events at a {rate}% fault rate");
    }
}

#[tokio::test]
async fn a_429_storm_is_waited_out() {
    let (clean, _, _) = run(FaultConfig::none()).await;
    let faults = FaultConfig::none()
        .at_request(2, FaultKind::RateLimitStorm(2))
        .at_request(6, FaultKind::ServerError(502));
    let (got, _, stats) = run(faults).await;
    assert!(stats.faults_injected() > 0);
    assert_eq!(got, clean);
}

#[tokio::test]
async fn slow_bodies_and_latency_only_slow_things_down() {
    let (clean, _, _) = run(FaultConfig::none()).await;
    let faults = FaultConfig::none()
        .at_request(1, FaultKind::Latency(Duration::from_millis(100)))
        .at_request(3, FaultKind::SlowBody(Duration::from_millis(2)));
    let (got, _, _) = run(faults).await;
    assert_eq!(got, clean);
}

#[tokio::test]
async fn a_repeated_next_token_ends_the_walk_instead_of_looping() {
    let fake = start(
        FakeServer::builder()
            .seed(11)
            .events(900)
            .faults(FaultConfig::none().at_request(3, FaultKind::RepeatNextToken)),
    )
    .await;
    let client = client(&fake);
    let got = collect_all(&client, Scope::All).await;
    // Pages 1 and 2 were served normally; page 3 points back at itself.
    assert!(got.len() >= 200, "the pages before the loop are delivered");
    assert!(
        fake.requests().len() <= 4,
        "no loop: {} requests",
        fake.requests().len()
    );
    let ids: std::collections::HashSet<_> = got.iter().map(|e| e.event().id.clone()).collect();
    assert_eq!(ids.len(), got.len(), "no event twice");
}
