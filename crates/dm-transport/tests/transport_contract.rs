//! One test body per behaviour, run against both the hyper transport (a real server on
//! 127.0.0.1) and the replay transport: success, problem bodies, gzip, size limit,
//! timeout and connection reset.

mod support;

use std::time::Duration;

use bytes::Bytes;
use dm_model::ProblemKind;
use dm_transport::{Advice, Error, RateLimitPolicy, RetryPolicy, Stack, Transport};
use support::{BACKENDS, Backend, Reply, backend};

const PATH: &str = "/2/dm_events?max_results=2";
const TIMEOUT: Duration = Duration::from_millis(500);
const LIMIT: u64 = 64 * 1024;
const PAGE: &str = r#"{"data":[{"id":"1585800613752881156","event_type":"MessageCreate","text":"Testing 2"}],"meta":{"result_count":1}}"#;

async fn stack_for(
    kind: Backend,
    method: &str,
    replies: Vec<Reply>,
) -> (Stack, String, Option<support::TestServer>) {
    let (transport, base, server) = backend(kind, method, PATH, replies, TIMEOUT, LIMIT).await;
    let stack = Stack::builder(transport)
        .retry(RetryPolicy::none())
        .rate_limit(RateLimitPolicy::disabled())
        .build();
    (stack, base, server)
}

fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).unwrap()
}

fn get(base: &str) -> http::Request<Bytes> {
    http::Request::get(format!("{base}{PATH}"))
        .body(Bytes::new())
        .unwrap()
}

fn post(base: &str) -> http::Request<Bytes> {
    http::Request::post(format!("{base}{PATH}"))
        .header("content-type", "application/json")
        .body(Bytes::from_static(br#"{"text":"hi"}"#))
        .unwrap()
}

#[tokio::test]
async fn success_carries_body_and_rate_limit() {
    for kind in BACKENDS {
        let reply = Reply::json(200, PAGE).rate_limit(15, 14, 1_900_000_000);
        let (stack, base, _server) = stack_for(kind, "GET", vec![reply]).await;
        let response = stack.send(get(&base)).await.unwrap();
        assert_eq!(response.status(), 200, "{kind:?}");
        assert_eq!(json(response.body()), json(PAGE.as_bytes()), "{kind:?}");
        let rl = dm_transport::RateLimit::from_headers(response.headers()).unwrap();
        assert_eq!(
            (rl.limit, rl.remaining, rl.reset),
            (15, 14, 1_900_000_000),
            "{kind:?}"
        );
    }
}

#[tokio::test]
async fn problem_bodies_become_api_errors_with_advice() {
    for kind in BACKENDS {
        let reply = Reply::json(
            403,
            r#"{"title":"Forbidden","type":"about:blank","status":403,"detail":"Forbidden"}"#,
        )
        .header("content-type", "application/problem+json")
        .rate_limit(15, 13, 1_900_000_000);
        let unsupported = Reply::json(
            403,
            r#"{"title":"Unsupported Authentication","detail":"Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].","type":"https://api.twitter.com/2/problems/unsupported-authentication","status":403}"#,
        );
        let (stack, base, _server) = stack_for(kind, "GET", vec![reply, unsupported]).await;
        let err = stack.send(get(&base)).await.unwrap_err();
        let api = err.as_api().unwrap_or_else(|| panic!("{kind:?}: {err}"));
        assert_eq!(api.status, 403);
        assert_eq!(api.problems.len(), 1);
        assert_eq!(api.problems[0].kind(), ProblemKind::Generic);
        assert_eq!(api.advice(), Some(Advice::CheckDmScopes));
        assert_eq!(err.rate_limit().map(|r| r.remaining), Some(13));
        assert!(
            err.to_string().contains("dm.read tweet.read users.read"),
            "{err}"
        );
        assert!(err.may_have_been_sent());

        let err = stack.send(get(&base)).await.unwrap_err();
        let api = err.as_api().unwrap();
        assert_eq!(
            api.problems[0].kind(),
            ProblemKind::UnsupportedAuthentication
        );
        assert_eq!(api.advice(), Some(Advice::UseUserContextToken), "{kind:?}");
        assert!(err.to_string().contains("user-context token"), "{err}");
    }
}

#[tokio::test]
async fn gzip_bodies_are_decoded_transparently() {
    for kind in BACKENDS {
        let (stack, base, server) =
            stack_for(kind, "GET", vec![Reply::json(200, PAGE).gzip()]).await;
        let response = stack.send(get(&base)).await.unwrap();
        assert_eq!(json(response.body()), json(PAGE.as_bytes()), "{kind:?}");
        assert!(response.headers().get("content-encoding").is_none());
        if let Some(server) = server {
            assert_eq!(server.seen()[0].headers["accept-encoding"], "gzip");
        }
    }
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    for kind in BACKENDS {
        let big = format!(r#"{{"data":"{}"}}"#, "x".repeat(LIMIT as usize));
        let bomb = format!(r#"{{"data":"{}"}}"#, "0".repeat(LIMIT as usize * 4));
        let (stack, base, _server) = stack_for(
            kind,
            "GET",
            vec![Reply::json(200, &big), Reply::json(200, &bomb).gzip()],
        )
        .await;
        let err = stack.send(get(&base)).await.unwrap_err();
        assert!(
            matches!(err, Error::BodyTooLarge { limit: LIMIT }),
            "{kind:?}: {err}"
        );
        let err = stack.send(get(&base)).await.unwrap_err();
        assert!(
            matches!(err, Error::BodyTooLarge { limit: LIMIT }),
            "{kind:?} gzip: {err}"
        );
    }
}

#[tokio::test]
async fn slow_responses_time_out() {
    for kind in BACKENDS {
        let slow = Reply::json(200, PAGE).delay(TIMEOUT * 4);
        let (stack, base, _server) = stack_for(kind, "GET", vec![slow]).await;
        let err = stack.send(get(&base)).await.unwrap_err();
        assert!(
            matches!(
                err,
                Error::Timeout {
                    may_have_been_sent: true,
                    ..
                }
            ),
            "{kind:?}: {err}"
        );
        assert!(err.is_retryable());
    }
}

#[tokio::test]
async fn a_reset_after_sending_a_dm_is_reported_as_maybe_sent_and_not_retried() {
    for kind in BACKENDS {
        let (transport, base, server) = backend(
            kind,
            "POST",
            PATH,
            vec![Reply::reset(), Reply::json(201, "{}")],
            TIMEOUT,
            LIMIT,
        )
        .await;
        let stack = Stack::builder(transport)
            .retry(RetryPolicy::default().base_delay(Duration::from_millis(1)))
            .rate_limit(RateLimitPolicy::disabled())
            .build();
        let err = stack.send(post(&base)).await.unwrap_err();
        assert!(matches!(err, Error::AfterSend { .. }), "{kind:?}: {err}");
        assert!(err.may_have_been_sent());
        assert_eq!(stack.stats().retries, 0, "{kind:?}: a send is never resent");
        if let Some(server) = server {
            assert_eq!(server.seen().len(), 1);
        }
    }
}

#[tokio::test]
async fn a_reset_on_a_lookup_is_retried() {
    for kind in BACKENDS {
        let (transport, base, _server) = backend(
            kind,
            "GET",
            PATH,
            vec![Reply::reset(), Reply::reset(), Reply::json(200, PAGE)],
            TIMEOUT,
            LIMIT,
        )
        .await;
        let stack = Stack::builder(transport)
            .retry(RetryPolicy::default().base_delay(Duration::from_millis(1)))
            .rate_limit(RateLimitPolicy::disabled())
            .build();
        let response = stack
            .send(get(&base))
            .await
            .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert_eq!(json(response.body()), json(PAGE.as_bytes()));
        assert!(stack.stats().retries >= 1, "{kind:?}");
    }
}

/// A media upload POST: a chunk append is repeated after a reset (the same segment at the
/// same index), initialize, finalize and the one-shot upload are not (they may have happened).
#[tokio::test]
async fn a_reset_on_a_media_chunk_is_retried_but_not_on_initialize_or_finalize() {
    const APPENDED: &str = r#"{"data":{"expires_at":1700000000}}"#;
    for (path, repeatable) in [
        ("/2/media/upload/1880028106020515840/append", true),
        ("/2/media/upload/initialize", false),
        ("/2/media/upload/1880028106020515840/finalize", false),
        ("/2/media/upload", false),
    ] {
        for kind in BACKENDS {
            let (transport, base, server) = backend(
                kind,
                "POST",
                path,
                vec![Reply::reset(), Reply::json(200, APPENDED)],
                TIMEOUT,
                LIMIT,
            )
            .await;
            let stack = Stack::builder(transport)
                .retry(RetryPolicy::default().base_delay(Duration::from_millis(1)))
                .rate_limit(RateLimitPolicy::disabled())
                .build();
            let request = http::Request::post(format!("{base}{path}"))
                .header("content-type", "application/json")
                .body(Bytes::from_static(br#"{"media":"AAEC","segment_index":0}"#))
                .unwrap();
            let result = stack.send(request).await;
            if repeatable {
                let response = result.unwrap_or_else(|e| panic!("{kind:?} {path}: {e}"));
                assert_eq!(json(response.body()), json(APPENDED.as_bytes()));
                assert_eq!(stack.stats().retries, 1, "{kind:?} {path}");
            } else {
                let err = result.unwrap_err();
                assert!(err.may_have_been_sent(), "{kind:?} {path}: {err}");
                assert_eq!(stack.stats().retries, 0, "{kind:?} {path}: not repeated");
            }
            if let Some(server) = server {
                assert_eq!(server.seen().len(), 1 + usize::from(repeatable), "{path}");
            }
        }
    }
}
