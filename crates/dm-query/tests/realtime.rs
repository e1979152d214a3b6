//! The activity stream, subscription, webhook and Account Activity requests: exact URIs and
//! bodies, and every parameter refused before sending when it breaks the spec.

mod common;

use dm_model::activity::{ActivityEventType, CreateSubscriptionRequest, UpdateSubscriptionRequest};
use dm_model::{ActivitySubscriptionId, WebhookConfigField};
use dm_query::{
    ApiRequest, BaseUrl, CreateAaaSubscription, CreateActivitySubscription,
    DeleteActivitySubscriptions, ListActivitySubscriptions, ListWebhooks, Operation, QueryError,
    StreamActivity, UpdateActivitySubscription,
};
use time::macros::datetime;

fn base() -> BaseUrl {
    BaseUrl::default()
}

#[test]
fn every_realtime_request_is_tagged_and_bodies_are_json() {
    for r in common::realtime_requests() {
        let request = r.to_request(&base()).unwrap();
        let op = r.operation();
        assert_eq!(request.extensions().get::<Operation>(), Some(&op));
        assert_eq!(request.method(), op.method());
        assert_eq!(request.headers()["accept"], "application/json");
        assert!(request.headers().get("authorization").is_none());
        if op.has_request_body() {
            assert_eq!(
                request.headers()["content-type"],
                "application/json",
                "{op}"
            );
            let v: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
            assert!(v.is_object(), "{op}");
        }
    }
}

#[test]
fn the_stream_takes_a_backfill_and_a_window() {
    let r = StreamActivity::new().to_request(&base()).unwrap();
    assert_eq!(r.uri(), "https://api.x.com/2/activity/stream");
    let r = StreamActivity::new()
        .start_time(datetime!(2026-08-22 12:00:00.750 +02:00))
        .to_request(&base())
        .unwrap();
    // UTC, to the second, `:` percent-encoded.
    assert_eq!(
        r.uri(),
        "https://api.x.com/2/activity/stream?start_time=2026-08-22T10%3A00%3A00Z"
    );
    let err = StreamActivity::new()
        .backfill_minutes(6)
        .to_request(&base())
        .unwrap_err();
    assert!(matches!(
        err,
        QueryError::OutOfRange {
            param: "backfill_minutes",
            value: 6,
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "`backfill_minutes` must be between 0 and 5, got 6"
    );
    let err = StreamActivity::new()
        .start_time(datetime!(2026-08-22 12:00 UTC))
        .end_time(datetime!(2026-08-22 11:59 UTC))
        .to_request(&base())
        .unwrap_err();
    assert!(matches!(err, QueryError::TimeWindow { .. }), "{err}");
}

#[test]
fn subscription_bodies_are_exact() {
    let body = CreateSubscriptionRequest::for_user(
        ActivityEventType::DmReceived,
        "1111111111111111111".parse().unwrap(),
    )
    .tag("dm-inbound")
    .unwrap()
    .webhook("1976325569252868099".parse().unwrap());
    let r = CreateActivitySubscription { body }
        .to_request(&base())
        .unwrap();
    assert_eq!(r.uri(), "https://api.x.com/2/activity/subscriptions");
    // The reference's own example body (§3.3).
    assert_eq!(
        &r.body()[..],
        br#"{"event_type":"dm.received","filter":{"user_id":"1111111111111111111"},"tag":"dm-inbound","webhook_id":"1976325569252868099"}"#
    );
    let r = UpdateActivitySubscription {
        id: "5".parse().unwrap(),
        body: UpdateSubscriptionRequest::new(Some("t".into()), None).unwrap(),
    }
    .to_request(&base())
    .unwrap();
    assert_eq!(r.method(), http::Method::PUT);
    assert_eq!(r.uri(), "https://api.x.com/2/activity/subscriptions/5");
    assert_eq!(&r.body()[..], br#"{"tag":"t"}"#);
    let r = CreateAaaSubscription {
        webhook_id: "7".parse().unwrap(),
    }
    .to_request(&base())
    .unwrap();
    assert_eq!(
        r.uri(),
        "https://api.x.com/2/account_activity/webhooks/7/subscriptions/all"
    );
    assert_eq!(&r.body()[..], b"{}");
}

#[test]
fn list_parameters_are_checked() {
    for (n, ok) in [(0, false), (1, true), (1000, true), (1001, false)] {
        let r = ListActivitySubscriptions::new()
            .max_results(n)
            .to_request(&base());
        assert_eq!(r.is_ok(), ok, "{n}");
    }
    let err = ListActivitySubscriptions::new()
        .pagination_token("short")
        .to_request(&base())
        .unwrap_err();
    assert!(matches!(
        err,
        QueryError::PaginationTokenTooShort { len: 5 }
    ));
    let id = |n: u64| ActivitySubscriptionId::try_from(n).unwrap();
    let err = DeleteActivitySubscriptions { ids: vec![] }
        .to_request(&base())
        .unwrap_err();
    assert!(
        matches!(err, QueryError::ListLength { got: 0, .. }),
        "{err}"
    );
    let many: Vec<_> = (1..=101).map(id).collect();
    let err = DeleteActivitySubscriptions { ids: many }
        .to_request(&base())
        .unwrap_err();
    assert!(
        matches!(err, QueryError::ListLength { got: 101, .. }),
        "{err}"
    );
    let err = DeleteActivitySubscriptions {
        ids: vec![id(1), id(1)],
    }
    .to_request(&base())
    .unwrap_err();
    assert!(
        matches!(err, QueryError::DuplicateValue { param: "ids", .. }),
        "{err}"
    );
    let hundred: Vec<_> = (1..=100).map(id).collect();
    assert!(
        DeleteActivitySubscriptions { ids: hundred }
            .to_request(&base())
            .is_ok()
    );
    let err = ListWebhooks {
        fields: vec![WebhookConfigField::Id, WebhookConfigField::Id],
    }
    .to_request(&base())
    .unwrap_err();
    assert!(matches!(err, QueryError::DuplicateValue { .. }), "{err}");
    let err = ListWebhooks {
        fields: vec![WebhookConfigField::other("a,b")],
    }
    .to_request(&base())
    .unwrap_err();
    assert!(matches!(err, QueryError::InvalidValue { .. }), "{err}");
    let r = ListWebhooks::default().to_request(&base()).unwrap();
    assert_eq!(r.uri(), "https://api.x.com/2/webhooks");
}
