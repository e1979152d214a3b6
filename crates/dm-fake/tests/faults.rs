//! Every fault kind, observed over raw sockets.

mod common;

use std::time::Duration;

use common::{get, raw, raw_get, split};
use dm_fake::{FakeServer, FaultConfig, FaultKind};

async fn server() -> FakeServer {
    common::sandbox(21, 150).await
}

#[tokio::test]
async fn server_error_and_storm_and_latency() {
    let s = server().await;
    s.queue_fault(FaultKind::ServerError(503));
    let r = get(s.base_url(), "/2/dm_events", s.token()).await;
    assert_eq!(r.status, 503);
    assert_eq!(r.json()["title"], "Service Unavailable");
    s.queue_fault(FaultKind::RateLimitStorm(3));
    for _ in 0..3 {
        let r = get(s.base_url(), "/2/dm_events", s.token()).await;
        assert_eq!(r.status, 429);
        assert!(r.header("x-rate-limit-reset").is_some());
    }
    assert_eq!(
        get(s.base_url(), "/2/dm_events", s.token()).await.status,
        200
    );
    s.queue_fault(FaultKind::Latency(Duration::from_millis(50)));
    assert_eq!(
        get(s.base_url(), "/2/dm_events", s.token()).await.status,
        200
    );
    let st = s.stats();
    assert_eq!(st.faults.get("server_error"), Some(&1));
    assert_eq!(st.faults.get("rate_limit_storm"), Some(&1));
    assert_eq!(st.faults.get("latency"), Some(&1));
    assert_eq!(st.rate_limited, 3);
}

#[tokio::test]
async fn reset_mid_body() {
    let s = server().await;
    s.queue_fault(FaultKind::ResetMidBody);
    let (bytes, err) = raw(
        s.base_url(),
        &raw_get(s.base_url(), "/2/dm_events", s.token()),
    )
    .await;
    let (head, body) = split(&bytes);
    assert!(head.starts_with("HTTP/1.1 200"));
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(body.len() < len, "{} of {len}", body.len());
    assert_eq!(err, Some(std::io::ErrorKind::ConnectionReset));
    // A client sees a failure, never a short JSON document.
    assert!(
        common::request(s.base_url(), "GET", "/2/dm_events", &[], None)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn truncated_body_then_close() {
    let s = server().await;
    s.queue_fault(FaultKind::TruncatedBody);
    let (bytes, _err) = raw(
        s.base_url(),
        &raw_get(s.base_url(), "/2/dm_events", s.token()),
    )
    .await;
    let (head, body) = split(&bytes);
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(body.len() < len && !body.is_empty());
    let e = dm_model::decode::<dm_model::DmEventsPage>(&body).unwrap_err();
    assert!(e.is_eof(), "{e}");
    // A hyper client reports an error for the incomplete body.
    s.queue_fault(FaultKind::TruncatedBody);
    let auth = format!("Bearer {}", s.token());
    assert!(
        common::request(
            s.base_url(),
            "GET",
            "/2/dm_events",
            &[("authorization", &auth)],
            None
        )
        .await
        .is_err()
    );
}

#[tokio::test]
async fn slow_body_arrives_whole() {
    let s = server().await;
    let normal = get(s.base_url(), "/2/dm_events", s.token()).await;
    s.queue_fault(FaultKind::SlowBody(Duration::from_millis(5)));
    let slow = get(s.base_url(), "/2/dm_events", s.token()).await;
    assert_eq!(slow.body, normal.body);
    assert_eq!(s.stats().faults.get("slow_body"), Some(&1));
}

#[tokio::test]
async fn repeated_and_expired_tokens_and_malformed_json() {
    let s = server().await;
    let first = get(s.base_url(), "/2/dm_events?max_results=10", s.token())
        .await
        .json();
    let t = first["meta"]["next_token"].as_str().unwrap().to_owned();
    s.queue_fault(FaultKind::RepeatNextToken);
    let second = get(
        s.base_url(),
        &format!("/2/dm_events?max_results=10&pagination_token={t}"),
        s.token(),
    )
    .await
    .json();
    assert_eq!(
        second["meta"]["next_token"],
        t.as_str(),
        "the trap: the same token again"
    );
    s.queue_fault(FaultKind::ExpiredToken);
    let r = get(
        s.base_url(),
        &format!("/2/dm_events?max_results=10&pagination_token={t}"),
        s.token(),
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(r.json()["errors"][0]["parameters"]["pagination_token"].is_array());
    s.queue_fault(FaultKind::MalformedJson);
    let r = get(s.base_url(), "/2/dm_events", s.token()).await;
    assert_eq!(r.status, 200);
    let e = dm_model::decode::<dm_model::DmEventsPage>(&r.body).unwrap_err();
    assert!(!e.message().is_empty());
}

#[tokio::test]
async fn drop_after_request_body_still_sends() {
    let s = server().await;
    let u = s.dataset().users()[1]["id"].as_str().unwrap().to_owned();
    let before = s.dataset().len();
    s.queue_fault(FaultKind::DropAfterRequestBody);
    let body = r#"{"text":"did it send?"}"#;
    let req = format!(
        "POST /2/dm_conversations/with/{u}/messages HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        s.token(),
        body.len()
    );
    let (bytes, err) = raw(s.base_url(), &req).await;
    assert!(bytes.is_empty(), "no response at all");
    assert_eq!(err, Some(std::io::ErrorKind::ConnectionReset));
    assert_eq!(
        s.dataset().len(),
        before + 1,
        "the send happened server-side"
    );
    let rec = s.requests().into_iter().last().unwrap();
    assert_eq!(
        (rec.status, rec.fault),
        (0, Some("drop_after_request_body"))
    );
}

#[tokio::test]
async fn random_faults_are_deterministic_from_the_seed() {
    let kinds = vec![
        FaultKind::ServerError(500),
        FaultKind::MalformedJson,
        FaultKind::ServerError(503),
    ];
    let run = |seed: u64| {
        let kinds = kinds.clone();
        async move {
            let s = FakeServer::builder()
                .seed(seed)
                .events(20)
                .faults(FaultConfig::random(40, kinds).at_request(2, FaultKind::ServerError(502)))
                .start()
                .await
                .unwrap();
            let mut statuses = Vec::new();
            for _ in 0..30 {
                let r = get(s.base_url(), "/2/dm_events", s.token()).await;
                statuses.push((r.status, r.body.len()));
            }
            (statuses, s.stats().faults_injected())
        }
    };
    let (a, fa) = run(5).await;
    let (b, fb) = run(5).await;
    assert_eq!(a, b);
    assert_eq!(fa, fb);
    assert_eq!(a[1].0, 502, "scheduled fault on request 2");
    assert!((5..30).contains(&fa), "{fa}");
}
