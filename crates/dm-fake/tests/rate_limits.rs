//! Rate limits over a compressed window, 429 bodies, usage cap.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{get, post};
use dm_fake::{FakeServer, FaultKind, RateLimitConfig};

fn num(r: &common::Resp, h: &str) -> u64 {
    r.header(h).unwrap().parse().unwrap()
}

#[tokio::test]
async fn headers_count_down_then_429_until_reset() {
    let s = FakeServer::builder()
        .events(30)
        .rate_limit(RateLimitConfig::new(15, Duration::from_secs(2)))
        .start()
        .await
        .unwrap();
    let mut reset = 0;
    let mut last_remaining = 15;
    let mut served = 0;
    let mut limited = None;
    // Within one window: 15 allowed, then 429. (A window boundary may fall inside the loop; then
    // the count restarts, which the assertions allow for.)
    for _ in 0..40 {
        let r = get(s.base_url(), "/2/dm_events?max_results=1", s.token()).await;
        assert_eq!(num(&r, "x-rate-limit-limit"), 15);
        reset = num(&r, "x-rate-limit-reset");
        if r.status == 429 {
            assert_eq!(num(&r, "x-rate-limit-remaining"), 0);
            assert_eq!(
                r.json(),
                serde_json::json!({"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429})
            );
            limited = Some(r);
            break;
        }
        let remaining = num(&r, "x-rate-limit-remaining");
        assert!(remaining < last_remaining || remaining == 14);
        last_remaining = remaining;
        served += 1;
    }
    assert!(limited.is_some(), "429 after the budget ({served} served)");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(
        reset >= now && reset <= now + 3,
        "reset {reset} is Unix seconds near {now}"
    );
    // Families are separate: sends still work.
    let u = s.dataset().users()[1]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        post(
            s.base_url(),
            &format!("/2/dm_conversations/with/{u}/messages"),
            s.token(),
            r#"{"text":"x"}"#
        )
        .await
        .status,
        201
    );
    // Waiting until `reset` clears it.
    loop {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        if now >= reset {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let r = get(s.base_url(), "/2/dm_events?max_results=1", s.token()).await;
    assert_eq!(r.status, 200);
    assert!(s.stats().rate_limited >= 1);
}

#[tokio::test]
async fn usage_capped_mode() {
    let s = FakeServer::builder()
        .events(5)
        .rate_limit(RateLimitConfig::unlimited().usage_capped(true))
        .start()
        .await
        .unwrap();
    let r = get(s.base_url(), "/2/dm_events", s.token()).await;
    assert_eq!(r.status, 429);
    assert_eq!(
        dm_model::parse_error_body(&r.body)[0].kind(),
        dm_model::ProblemKind::UsageCapped
    );
    s.set_usage_capped(false);
    assert_eq!(
        get(s.base_url(), "/2/dm_events", s.token()).await.status,
        200
    );
    assert_eq!(s.stats().rate_limited, 1);
}

#[tokio::test]
async fn daily_send_budget_has_its_own_headers() {
    let s = FakeServer::builder()
        .events(5)
        .rate_limit(RateLimitConfig::new(100, Duration::from_secs(60)).with_daily_send_limit(2))
        .start()
        .await
        .unwrap();
    let u = s.dataset().users()[1]["id"].as_str().unwrap().to_owned();
    let path = format!("/2/dm_conversations/with/{u}/messages");
    let r = post(s.base_url(), &path, s.token(), r#"{"text":"1"}"#).await;
    assert_eq!(r.status, 201);
    assert_eq!(num(&r, "x-user-limit-24hour-limit"), 2);
    assert_eq!(num(&r, "x-user-limit-24hour-remaining"), 1);
    assert!(num(&r, "x-user-limit-24hour-reset") >= num(&r, "x-rate-limit-reset"));
    assert_eq!(
        post(s.base_url(), &path, s.token(), r#"{"text":"2"}"#)
            .await
            .status,
        201
    );
    let r = post(s.base_url(), &path, s.token(), r#"{"text":"3"}"#).await;
    assert_eq!(r.status, 429);
    assert_eq!(num(&r, "x-user-limit-24hour-remaining"), 0);
    assert!(
        num(&r, "x-rate-limit-remaining") > 0,
        "a 429 while the 15-minute budget remains"
    );
    // Lookups carry no daily headers.
    assert!(
        get(s.base_url(), "/2/dm_events", s.token())
            .await
            .header("x-user-limit-24hour-limit")
            .is_none()
    );
}

#[tokio::test]
async fn a_429_storm_says_nothing_remains() {
    let s = FakeServer::builder()
        .events(5)
        .rate_limit(RateLimitConfig::new(15, Duration::from_secs(900)))
        .start()
        .await
        .unwrap();
    s.queue_fault(FaultKind::RateLimitStorm(2));
    for _ in 0..2 {
        let r = get(s.base_url(), "/2/dm_events", s.token()).await;
        assert_eq!(r.status, 429);
        assert_eq!(num(&r, "x-rate-limit-limit"), 15);
        assert_eq!(
            num(&r, "x-rate-limit-remaining"),
            0,
            "a 429 has nothing left"
        );
    }
    // After the storm the real (untouched) budget shows again.
    let r = get(s.base_url(), "/2/dm_events", s.token()).await;
    assert_eq!(r.status, 200);
    assert_eq!(num(&r, "x-rate-limit-remaining"), 14);
}
