//! Request bodies, problem bodies and decode errors.

use dm_model::{
    BodyError, DecodeErrorKind, DmEvent, DmEventsPage, GroupConversationRequest, MediaId,
    MessageRequest, Problem, ProblemKind, UserId, decode, parse_error_body,
};
use serde_json::json;

fn users(n: usize) -> Vec<UserId> {
    (1..=n as u64)
        .map(|i| UserId::try_from(i).unwrap())
        .collect()
}

#[test]
fn message_bodies_validate() {
    let m = MessageRequest::text("hi").unwrap();
    assert_eq!(serde_json::to_value(&m).unwrap(), json!({"text": "hi"}));
    assert_eq!(MessageRequest::text(""), Err(BodyError::EmptyText));
    assert!(
        MessageRequest::text("é".repeat(10_000)).is_ok(),
        "10,000 characters, not bytes"
    );
    assert_eq!(
        MessageRequest::text("a".repeat(10_001)),
        Err(BodyError::TextTooLong {
            chars: 10_001,
            max: 10_000
        })
    );
    let media = MediaId::try_from("1583157113245011970").unwrap();
    let m = MessageRequest::with_media("Check out this image!", media.clone()).unwrap();
    assert_eq!(
        serde_json::to_value(&m).unwrap(),
        json!({"text": "Check out this image!", "attachments": [{"media_id": "1583157113245011970"}]})
    );
    let only = MessageRequest::media(media.clone());
    assert_eq!(only.media_id(), Some(&media));
    assert_eq!(
        serde_json::to_value(&only).unwrap(),
        json!({"attachments": [{"media_id": "1583157113245011970"}]})
    );
    // Deserializing validates too.
    assert!(decode::<MessageRequest>(b"{}").is_err());
    assert!(decode::<MessageRequest>(br#"{"text": ""}"#).is_err());
    assert!(
        decode::<MessageRequest>(br#"{"attachments": [{"media_id": "1"}, {"media_id": "2"}]}"#)
            .unwrap_err()
            .message()
            .contains("at most one attachment")
    );
    assert!(decode::<MessageRequest>(br#"{"text": "x", "txt": "y"}"#).is_err());
}

#[test]
fn group_bodies_validate() {
    let msg = MessageRequest::text("hello").unwrap();
    let g = GroupConversationRequest::new(users(2), msg.clone()).unwrap();
    assert_eq!(
        serde_json::to_value(&g).unwrap(),
        json!({"conversation_type": "Group", "participant_ids": ["1", "2"], "message": {"text": "hello"}})
    );
    assert!(GroupConversationRequest::new(users(49), msg.clone()).is_ok());
    for n in [0, 1, 50] {
        assert_eq!(
            GroupConversationRequest::new(users(n), msg.clone()),
            Err(BodyError::ParticipantCount {
                count: n,
                min: 2,
                max: 49
            })
        );
    }
    let bad = json!({"conversation_type": "group", "participant_ids": ["1", "2"], "message": {"text": "x"}});
    let e = decode::<GroupConversationRequest>(bad.to_string().as_bytes()).unwrap_err();
    assert!(e.message().contains("Group"), "{e}");
}

#[test]
fn problem_types_match_any_host_case_insensitively() {
    for (uri, kind) in [
        ("about:blank", ProblemKind::Generic),
        (
            "https://api.twitter.com/2/problems/resource-not-found",
            ProblemKind::ResourceNotFound,
        ),
        (
            "https://api.x.com/2/problems/usage-capped",
            ProblemKind::UsageCapped,
        ),
        (
            "https://api.X.com/2/problems/Client-Forbidden",
            ProblemKind::ClientForbidden,
        ),
        (
            "https://api.x.com/2/problems/field-hydration-failure",
            ProblemKind::FieldHydrationFailure,
        ),
        (
            "https://api.x.com/2/problems/rate-limit-exceeded",
            ProblemKind::RateLimitExceeded,
        ),
        (
            "https://api.x.com/2/problems/brand-new",
            ProblemKind::Other("brand-new".into()),
        ),
    ] {
        assert_eq!(Problem::new(uri, "t").kind(), kind, "{uri}");
    }
}

#[test]
fn parse_error_body_shapes() {
    assert!(parse_error_body(b"").is_empty());
    assert!(parse_error_body(b"<html>502 Bad Gateway</html>").is_empty());
    assert!(parse_error_body(b"[1, 2]").is_empty());
    assert!(parse_error_body(br#"{"data": []}"#).is_empty());
    let many = parse_error_body(
        br#"{"errors": [{"type": "about:blank", "title": "A"}, {"code": 88, "message": "Rate limit exceeded"}, 7]}"#,
    );
    assert_eq!(many.len(), 2);
    assert_eq!(many[1].kind(), ProblemKind::Legacy { code: 88 });
    assert_eq!(many[1].to_string(), "Rate limit exceeded (code 88)");
    let one =
        parse_error_body(br#"{"title": "Unauthorized", "status": 401, "detail": "Unauthorized"}"#);
    assert_eq!(one[0].status, Some(401));
    assert_eq!(one[0].kind(), ProblemKind::Generic);
    let bare = parse_error_body(br#"{"status": 503, "detail": "Service Unavailable"}"#);
    assert_eq!(bare[0].to_string(), "Service Unavailable");
}

#[test]
fn decode_errors_name_the_path() {
    let body = json!({"data": [
        {"id": "1", "event_type": "MessageCreate"},
        {"id": "2", "event_type": "MessageCreate", "created_at": "not a time"}
    ]});
    let e = decode::<DmEventsPage>(body.to_string().as_bytes()).unwrap_err();
    assert_eq!(e.path(), "data[1].created_at");
    assert_eq!(e.kind(), DecodeErrorKind::Data);
    assert!(
        e.to_string()
            .starts_with("invalid JSON at `data[1].created_at`: "),
        "{e}"
    );

    let e = decode::<DmEvent>(br#"{"event_type": "MessageCreate"}"#).unwrap_err();
    assert_eq!(e.path(), ".");
    assert!(e.message().contains("missing field `id`"), "{e}");

    let e = decode::<DmEventsPage>(br#"{"data": [{"id": "1", "event_type": "MessageCreate""#)
        .unwrap_err();
    assert!(e.is_eof(), "{e:?}");
    let e = decode::<DmEventsPage>(br#"{"meta": {}} trailing"#).unwrap_err();
    assert_eq!(e.kind(), DecodeErrorKind::Syntax);
    assert!(e.line() >= 1 && e.column() > 0);
}

#[test]
fn empty_page_and_aliases_round_trip() {
    for body in [
        json!({"meta": {"result_count": 0}}),
        json!({}),
        json!({"data": [], "includes": {}, "meta": {}, "errors": []}),
        json!({"data": [{"id": "1", "event_type": "MessageCreate", "referenced_posts": [{"id": "5"}],
                         "participant_ids": null, "attachments": {"media_keys": null, "card_ids": ["c"]}}],
               "includes": {"posts": [{"id": "5", "text": "p"}]}}),
    ] {
        let page: DmEventsPage = decode(body.to_string().as_bytes()).unwrap();
        assert_eq!(serde_json::to_value(&page).unwrap(), body);
    }
    let page: DmEventsPage = decode(
        br#"{"data": [{"id": "1", "event_type": "MessageCreate", "referenced_posts": [{"id": "5"}]}],
             "includes": {"posts": [{"id": "5"}]}}"#,
    )
    .unwrap();
    let event = &page.data[0];
    assert!(event.referenced_as_posts());
    assert!(page.includes.tweets_as_posts());
    let tweet = page.includes.tweet(&event.referenced_tweets[0].id);
    assert!(tweet.is_some(), "posts are read as tweets");
}

#[test]
fn single_event_response_as_a_page() {
    let body = json!({"data": {"id": "9", "event_type": "MessageCreate", "text": "x"},
                      "includes": {"users": [{"id": "1"}]}});
    let one: dm_model::DmEventResponse = decode(body.to_string().as_bytes()).unwrap();
    assert_eq!(serde_json::to_value(&one).unwrap(), body);
    let page = DmEventsPage::from(one);
    assert_eq!(page.data.len(), 1);
    assert_eq!(page.includes.users.len(), 1);
    assert!(page.meta.is_empty());
    assert_eq!(
        DmEventsPage::new(Vec::new(), Default::default()),
        DmEventsPage::default()
    );
}

/// A body that is not UTF-8 (bytes from a broken proxy, a mislabelled charset) is refused
/// with the path of the string that holds the bad byte; non-ASCII text that is valid UTF-8
/// decodes as sent.
#[test]
fn bodies_that_are_not_utf8_are_refused_with_the_path() {
    let good = r#"{"data":[{"id":"1","event_type":"MessageCreate","text":"ok"},{"id":"2","event_type":"MessageCreate","text":"Montréal 🦀"}]}"#;
    let page: DmEventsPage = decode(good.as_bytes()).unwrap();
    assert_eq!(page.data[1].text.as_deref(), Some("Montréal 🦀"));

    // Latin-1 `é` (0xE9) where UTF-8 needs two bytes.
    let mut bad = good.replace("Montréal", "Montr\u{1}al").into_bytes();
    let at = bad.iter().position(|&b| b == 1).unwrap();
    bad[at] = 0xE9;
    let err = decode::<DmEventsPage>(&bad).unwrap_err();
    assert_eq!(err.path(), "data[1].text", "{err}");
    assert_eq!(err.kind(), DecodeErrorKind::Syntax, "{err}");
}
