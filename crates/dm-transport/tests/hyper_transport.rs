//! Behaviour of the hyper transport that only exists over real sockets: pooled
//! connections, refused connections, connect timeouts, truncated bodies, redirects.

mod support;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use dm_transport::{Auth, Error, HyperTransport, RateLimitPolicy, RetryPolicy, Stack, Transport};
use support::{Reply, TestServer};

fn get(url: String) -> http::Request<Bytes> {
    http::Request::get(url).body(Bytes::new()).unwrap()
}

#[tokio::test]
async fn a_lookup_on_a_dead_pooled_connection_is_retried_once_on_a_fresh_one() {
    let server = TestServer::scripted(vec![
        Reply::json(200, r#"{"n":1}"#),
        Reply::reset(),
        Reply::json(200, r#"{"n":2}"#),
    ])
    .await;
    let t = HyperTransport::new().unwrap();
    let first = t.send(get(server.url("/2/dm_events"))).await.unwrap();
    assert_eq!(first.body().as_ref(), br#"{"n":1}"#);
    let second = t.send(get(server.url("/2/dm_events"))).await.unwrap();
    assert_eq!(second.body().as_ref(), br#"{"n":2}"#);
    assert_eq!(server.seen().len(), 3);
    assert_eq!(server.connections(), 2, "the retry used a fresh connection");
}

#[tokio::test]
async fn a_send_on_a_dead_pooled_connection_is_not_resent() {
    let server = TestServer::scripted(vec![
        Reply::json(201, "{}"),
        Reply::reset(),
        Reply::json(201, "{}"),
    ])
    .await;
    let t = HyperTransport::new().unwrap();
    let post = || {
        http::Request::post(server.url("/2/dm_conversations/with/12/messages"))
            .body(Bytes::from_static(br#"{"text":"hi"}"#))
            .unwrap()
    };
    t.send(post()).await.unwrap();
    let err = t.send(post()).await.unwrap_err();
    assert!(matches!(err, Error::AfterSend { .. }), "{err}");
    assert!(err.may_have_been_sent());
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn refused_connections_are_not_sent_so_even_a_send_is_retried() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let stack = Stack::builder(Arc::new(HyperTransport::new().unwrap()))
        .retry(
            RetryPolicy::default()
                .max_attempts(3)
                .base_delay(Duration::from_millis(1)),
        )
        .rate_limit(RateLimitPolicy::disabled())
        .build();
    let post = http::Request::post(format!("http://{addr}/2/dm_conversations/with/12/messages"))
        .body(Bytes::from_static(br#"{"text":"hi"}"#))
        .unwrap();
    let err = stack.send(post).await.unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err}");
    assert!(!err.may_have_been_sent());
    assert_eq!(stack.stats().retries, 2);
    assert_eq!(stack.stats().requests_sent, 3);
}

/// A listener whose accept queue is full: the kernel drops further SYNs, so a connect
/// neither succeeds nor fails until the client gives up.
async fn unanswered_listener() -> (tokio::net::TcpListener, Vec<tokio::net::TcpStream>) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut held = Vec::new();
    // Never accepted: these fill the queue (Linux keeps backlog + 1).
    for _ in 0..4 {
        match tokio::time::timeout(
            Duration::from_millis(500),
            tokio::net::TcpStream::connect(addr),
        )
        .await
        {
            Ok(Ok(stream)) => held.push(stream),
            _ => break,
        }
    }
    (listener, held)
}

#[tokio::test]
async fn a_connect_that_never_completes_is_a_connect_timeout_and_was_not_sent() {
    let (listener, _held) = unanswered_listener().await;
    let addr = listener.local_addr().unwrap();
    // The precondition, checked: a plain connect now hangs.
    let probe = tokio::time::timeout(
        Duration::from_millis(300),
        tokio::net::TcpStream::connect(addr),
    )
    .await;
    assert!(probe.is_err(), "the accept queue is full, connects hang");

    let t = HyperTransport::builder()
        .connect_timeout(Duration::from_millis(150))
        .build()
        .unwrap();
    let post = http::Request::post(format!("http://{addr}/2/dm_conversations/with/12/messages"))
        .body(Bytes::from_static(br#"{"text":"hi"}"#))
        .unwrap();
    let err = t.send(post).await.unwrap_err();
    match &err {
        Error::Timeout {
            phase,
            after,
            may_have_been_sent,
        } => {
            assert_eq!(*phase, dm_transport::TimeoutPhase::Connect, "{err}");
            assert_eq!(*after, Duration::from_millis(150));
            assert!(!may_have_been_sent, "nothing reached the server");
        }
        other => panic!("expected a connect timeout, got {other:?}"),
    }
    assert!(!err.may_have_been_sent());
}

#[tokio::test]
async fn a_truncated_body_is_reported_as_such() {
    let server = TestServer::scripted(vec![Reply::truncated(
        r#"{"data":[{"id":"1","text":"hello"}]}"#,
    )])
    .await;
    let t = HyperTransport::new().unwrap();
    let err = t.send(get(server.url("/2/dm_events"))).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::AfterSend {
                truncated_body: true,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.is_retryable());
}

#[tokio::test]
async fn redirects_are_returned_not_followed() {
    let server = TestServer::scripted(vec![
        Reply::json(302, "").header("location", "https://evil.example/steal"),
    ])
    .await;
    let stack = Stack::builder(Arc::new(HyperTransport::new().unwrap()))
        .auth(Auth::bearer("secret-token"))
        .rate_limit(RateLimitPolicy::disabled())
        .build();
    let err = stack
        .send(get(server.url("/2/dm_events")))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(302), "{err}");
    assert_eq!(server.seen().len(), 1);
}
