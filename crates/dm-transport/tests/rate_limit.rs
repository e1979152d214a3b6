//! The rate limiter against a server that enforces a small window (5 requests per 2 s,
//! headers like the real API).

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use dm_transport::{
    Advice, EndpointFamily, Error, HyperTransport, RateLimitPolicy, Stack, Transport,
};
use support::{Reply, Seen, TestServer, now_unix};

const LIMIT: u64 = 5;
const WINDOW: Duration = Duration::from_secs(2);

#[derive(Default)]
struct Window {
    start: Option<SystemTime>,
    count: u64,
    served_429: u64,
    served_ok: u64,
}

/// Fixed windows of `WINDOW` starting at the first request after the previous one ended.
async fn window_server(state: Arc<Mutex<Window>>) -> TestServer {
    TestServer::start(Arc::new(move |_req: &Seen| {
        let mut w = state.lock().unwrap();
        let now = SystemTime::now();
        if w.start.is_none_or(|s| now >= s + WINDOW) {
            w.start = Some(now);
            w.count = 0;
        }
        w.count += 1;
        let end = w.start.unwrap() + WINDOW;
        let reset = end.duration_since(UNIX_EPOCH).unwrap().as_secs_f64().ceil() as u64;
        let remaining = LIMIT.saturating_sub(w.count);
        if w.count > LIMIT {
            w.served_429 += 1;
            return Reply::json(429, r#"{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}"#)
                .rate_limit(LIMIT, 0, reset);
        }
        w.served_ok += 1;
        Reply::json(200, r#"{"meta":{"result_count":0}}"#).rate_limit(LIMIT, remaining, reset)
    }))
    .await
}

fn stack() -> Stack {
    Stack::builder(Arc::new(HyperTransport::new().unwrap()))
        .rate_limit(RateLimitPolicy::default().skew_margin(Duration::from_millis(100)))
        .build()
}

fn get(url: String) -> http::Request<Bytes> {
    http::Request::get(url).body(Bytes::new()).unwrap()
}

#[tokio::test]
async fn concurrent_requests_share_the_budget_and_wait_instead_of_provoking_429s() {
    let state = Arc::new(Mutex::new(Window::default()));
    let server = window_server(state.clone()).await;
    let stack = stack();
    let tasks = (0..10).map(|i| {
        let stack = stack.clone();
        let url = server.url(&format!(
            "/2/dm_conversations/with/{}/dm_events",
            100 + i % 3
        ));
        tokio::spawn(async move { stack.send(get(url)).await })
    });
    for t in futures::future::join_all(tasks).await {
        assert_eq!(t.unwrap().unwrap().status(), 200);
    }
    let w = state.lock().unwrap();
    assert_eq!(w.served_429, 0, "the limiter never overshoots");
    assert_eq!(w.served_ok, 10);
    assert!(stack.stats().rate_limit_waits >= 1);
    assert_eq!(stack.stats().rate_limited, 0);
    let known = stack
        .rate_limit_policy()
        .known(&EndpointFamily::DmLookup)
        .unwrap();
    assert_eq!(known.limit, LIMIT);
}

#[tokio::test]
async fn a_429_is_waited_out_and_retried() {
    let reset = now_unix() + 1;
    let server = TestServer::scripted(vec![
        Reply::json(
            429,
            r#"{"title":"Too Many Requests","type":"about:blank","status":429}"#,
        )
        .rate_limit(15, 0, reset),
        Reply::json(200, r#"{"meta":{"result_count":0}}"#).rate_limit(15, 14, reset + 900),
    ])
    .await;
    let stack = stack();
    // A send is safe to repeat after a 429: it was refused, not processed.
    let post = http::Request::post(server.url("/2/dm_conversations/with/12/messages"))
        .body(Bytes::from_static(br#"{"text":"hi"}"#))
        .unwrap();
    let response = stack.send(post).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(now_unix() >= reset, "waited for the reset");
    assert_eq!(server.seen().len(), 2);
    assert_eq!(stack.stats().rate_limited, 1);
    assert_eq!(
        stack.stats().retries,
        0,
        "waiting is the limiter's job, not a retry"
    );
}

#[tokio::test]
async fn a_429_with_only_the_reset_header_waits_until_that_reset() {
    // The fallback wait (for a 429 naming no reset) is longer than the maximum wait: only
    // reading the lone `x-rate-limit-reset` lets this request wait and succeed.
    for header in ["x-rate-limit-reset", "retry-after"] {
        let reset = now_unix() + 1;
        let value = if header == "retry-after" { 1 } else { reset };
        let reply = Reply::json(429, TOO_MANY).header(header, &value.to_string());
        let stack =
            stack_with(RateLimitPolicy::default().fallback_429_wait(Duration::from_secs(600)));
        let (status, seen) = send_after(reply, &stack).await;
        assert_eq!(status, 200, "{header}");
        assert!(
            now_unix() >= reset,
            "waited for the reset named by {header}"
        );
        assert_eq!(seen, 2);
    }
}

#[tokio::test]
async fn a_429_without_rate_limit_headers_waits_the_fallback_then_goes_on() {
    // Once the fallback wait is over, the budget is unknown again (not spent with a
    // passed reset, which would spin).
    let stack = stack_with(RateLimitPolicy::default().fallback_429_wait(Duration::from_secs(1)));
    let before = now_unix();
    let (status, seen) = send_after(Reply::json(429, TOO_MANY), &stack).await;
    assert_eq!(status, 200);
    assert_eq!(seen, 2);
    assert!(now_unix() > before, "waited the fallback");
}

const TOO_MANY: &str = r#"{"title":"Too Many Requests","type":"about:blank","status":429}"#;

fn stack_with(policy: RateLimitPolicy) -> Stack {
    Stack::builder(Arc::new(HyperTransport::new().unwrap()))
        .rate_limit(
            policy
                .skew_margin(Duration::from_millis(100))
                .max_wait(Duration::from_secs(10)),
        )
        .build()
}

/// Sends one lookup to a server answering `first`, then a headerless 200: the final
/// status and how many requests the server saw.
async fn send_after(first: Reply, stack: &Stack) -> (u16, usize) {
    let server = TestServer::scripted(vec![
        first,
        Reply::json(200, r#"{"meta":{"result_count":0}}"#),
    ])
    .await;
    let response = tokio::time::timeout(
        Duration::from_secs(20),
        stack.send(get(server.url("/2/dm_events"))),
    )
    .await
    .expect("no spinning")
    .unwrap();
    (response.status().as_u16(), server.seen().len())
}

#[tokio::test]
async fn a_usage_capped_429_is_returned_at_once() {
    let server = TestServer::scripted(vec![
        Reply::json(429, r#"{"title":"UsageCapExceeded","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.twitter.com/2/problems/usage-capped","period":"Monthly","scope":"Product"}"#)
            .rate_limit(15, 10, now_unix() + 2),
    ])
    .await;
    let stack = stack();
    let err = stack
        .send(get(server.url("/2/dm_events")))
        .await
        .unwrap_err();
    let api = err.as_api().unwrap();
    assert!(api.is_usage_capped());
    assert_eq!(api.advice(), Some(Advice::UsageCapped));
    assert_eq!(server.seen().len(), 1);
    assert_eq!(stack.stats().rate_limit_waits, 0);
}

#[tokio::test]
async fn a_wait_longer_than_the_maximum_is_an_error_and_families_are_separate() {
    let server = TestServer::scripted(vec![
        Reply::json(200, "{}").rate_limit(15, 0, now_unix() + 3600),
        Reply::json(201, "{}").rate_limit(15, 14, now_unix() + 900),
    ])
    .await;
    let stack = stack();
    stack.send(get(server.url("/2/dm_events"))).await.unwrap();
    let err = stack
        .send(get(server.url("/2/dm_events")))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::RateLimitWait {
                family: EndpointFamily::DmLookup,
                ..
            }
        ),
        "{err}"
    );
    assert!(!err.may_have_been_sent());
    let post = http::Request::post(server.url("/2/dm_conversations"))
        .body(Bytes::from_static(b"{}"))
        .unwrap();
    assert_eq!(
        stack.send(post).await.unwrap().status(),
        201,
        "sends have their own budget"
    );
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn a_spent_24_hour_window_blocks_the_family() {
    let server = TestServer::scripted(vec![
        Reply::json(200, "{}")
            .rate_limit(15, 14, now_unix() + 900)
            .header("x-user-limit-24hour-limit", "1440")
            .header("x-user-limit-24hour-remaining", "0")
            .header(
                "x-user-limit-24hour-reset",
                &(now_unix() + 80_000).to_string(),
            ),
    ])
    .await;
    let stack = stack();
    let post = || {
        http::Request::post(server.url("/2/dm_conversations/with/12/messages"))
            .body(Bytes::from_static(br#"{"text":"hi"}"#))
            .unwrap()
    };
    stack.send(post()).await.unwrap();
    let err = stack.send(post()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::RateLimitWait {
                family: EndpointFamily::DmSend,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(server.seen().len(), 1);
}
