//! Under injected faults the stream delivers exactly what a fault-free run delivers.

mod support;

use std::time::Duration;

use dm_fake::{FakeServer, FaultConfig, FaultKind, RateLimitConfig};
use dm_stream::Scope;
use dm_transport::RateLimitPolicy;
use futures::{StreamExt as _, TryStreamExt as _};
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
async fn a_repeated_next_token_is_fetched_again_instead_of_looping_or_losing_pages() {
    let (clean, _, _) = run(FaultConfig::none()).await;
    let fake = start(
        FakeServer::builder()
            .seed(11)
            .events(900)
            .rate_limit(RateLimitConfig::new(1_000_000, Duration::from_secs(1)))
            .faults(FaultConfig::none().at_request(3, FaultKind::RepeatNextToken)),
    )
    .await;
    let client = client(&fake);
    let got: Vec<Value> = collect_all(&client, Scope::All)
        .await
        .iter()
        .map(json)
        .collect();
    // Page 3 pointed back at itself once: it is fetched again, and the walk goes on.
    assert_eq!(got, clean, "every event once, in order, none lost");
    let clean_requests = clean.len().div_ceil(100) + 1;
    assert!(
        fake.requests().len() <= clean_requests + 1,
        "one extra request: {}",
        fake.requests().len()
    );
}

#[tokio::test]
async fn a_token_that_keeps_repeating_ends_with_an_error_and_a_checkpoint() {
    let fake = start(
        FakeServer::builder()
            .seed(11)
            .events(900)
            .faults(FaultConfig::random(100, vec![FaultKind::RepeatNextToken])),
    )
    .await;
    let client = client(&fake);
    let mut events = client.all_events().all_fields().events();
    let mut got = Vec::new();
    let err = loop {
        match events.next().await.expect("the stream ends with an error") {
            Ok(e) => got.push(e.event().id.clone()),
            Err(e) => break e,
        }
    };
    assert!(events.next().await.is_none(), "the error is the last item");
    assert!(
        matches!(err.error(), dm_stream::Error::Unexpected(_)),
        "{err}"
    );
    let cp = err.checkpoint().expect("a checkpoint");
    assert!(!cp.is_done(), "the walk is not reported as complete");
    assert_eq!(cp.last_event_id(), got.last());
    assert!(
        fake.requests().len() <= 5,
        "no loop: {}",
        fake.requests().len()
    );
    // Once the API behaves, resuming completes the set exactly.
    fake.set_faults(FaultConfig::none());
    let rest: Vec<_> = client
        .all_events()
        .all_fields()
        .resume(cp.clone())
        .events()
        .map_ok(|e| e.event().id.clone())
        .try_collect()
        .await
        .unwrap();
    got.extend(rest);
    let want: Vec<String> = ids(&truth(&fake, &Scope::All));
    let got: Vec<String> = got.iter().map(ToString::to_string).collect();
    assert_eq!(got, want);
}
