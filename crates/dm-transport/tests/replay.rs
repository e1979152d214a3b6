//! The replay, recording and capture transports with the real recorded exchanges.

mod support;

use std::sync::Arc;

use bytes::Bytes;
use dm_transport::test_util::{Exchange, RecordingTransport, ReplayTransport};
use dm_transport::{Error, HyperTransport, RateLimit, RateLimitPolicy, Stack, Transport};
use support::{Reply, TestServer};

fn fixture() -> String {
    format!(
        "{}/../../tests/data/recorded-dm-exchanges.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[tokio::test]
async fn the_recorded_live_exchanges_replay_through_a_stack() {
    let exchanges = Exchange::load(fixture()).unwrap();
    assert_eq!(exchanges.len(), 12);
    let replay = Arc::new(ReplayTransport::new(exchanges.clone()));
    let stack = Stack::builder(replay.clone())
        .rate_limit(RateLimitPolicy::disabled())
        .build();
    for e in &exchanges {
        let uri = e
            .uri
            .replace("https://api.twitter.com", "https://api.x.com");
        let request = http::Request::builder()
            .method(e.method.as_str())
            .uri(uri)
            .body(e.request_body_bytes())
            .unwrap();
        let response = stack.send(request).await.unwrap();
        assert_eq!(response.status().as_u16(), e.status);
        assert!(
            response.headers().get("content-encoding").is_none(),
            "bodies are served decoded"
        );
        let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(body, e.body);
        let rl = RateLimit::from_headers(response.headers()).unwrap();
        assert_eq!(rl.limit.to_string(), e.headers["x-rate-limit-limit"]);
    }
    assert_eq!(replay.remaining(), 0);
    let err = stack
        .send(
            http::Request::get("https://api.x.com/2/dm_events")
                .body(Bytes::new())
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Build { .. }),
        "an exhausted replay says so: {err}"
    );
}

#[test]
fn a_malformed_recording_names_the_json_path() {
    let err = Exchange::parse_all(br#"[{"method":"GET","uri":"/x","status":"200"}]"#).unwrap_err();
    match err {
        Error::Decode(e) => assert_eq!(e.path(), "[0].status"),
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn a_recording_replays_to_the_same_responses() {
    let server = TestServer::scripted(vec![
        Reply::json(
            201,
            r#"{"data":{"dm_conversation_id":"1-2","dm_event_id":"3"}}"#,
        )
        .rate_limit(15, 14, 1_900_000_000),
        Reply::json(200, r#"{"meta":{"result_count":0}}"#).gzip(),
    ])
    .await;
    let recorder =
        Arc::new(RecordingTransport::new(HyperTransport::new().unwrap()).cassette("unit"));
    let stack = Stack::builder(recorder.clone()).build();
    let post = http::Request::post(server.url("/2/dm_conversations/with/2/messages"))
        .header("authorization", "Bearer do-not-record")
        .body(Bytes::from_static(br#"{"text":"hi"}"#))
        .unwrap();
    let first = stack.send(post).await.unwrap();
    let get = http::Request::get(server.url("/2/dm_events"))
        .body(Bytes::new())
        .unwrap();
    let second = stack.send(get).await.unwrap();

    let json = recorder.to_json();
    assert!(!json.contains("do-not-record"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cassette.json");
    recorder.save(&path).unwrap();
    let recorded = Exchange::load(&path).unwrap();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0].request_body, serde_json::json!({"text": "hi"}));
    assert_eq!(recorded[0].cassette.as_deref(), Some("unit"));

    let replay = ReplayTransport::new(recorded);
    let again = replay
        .send(
            http::Request::post("https://api.x.com/2/dm_conversations/with/2/messages")
                .body(Bytes::new())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(again.status(), first.status());
    assert_eq!(
        RateLimit::from_headers(again.headers()),
        RateLimit::from_headers(first.headers())
    );
    let again = replay
        .send(
            http::Request::get("https://api.x.com/2/dm_events")
                .body(Bytes::new())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(again.body(), second.body());
}
