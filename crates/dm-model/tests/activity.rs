//! The real-time payloads of `spec/x-api-realtime-media-reference.md`: the reference's own
//! examples decode, re-encode unchanged, and their messages convert to the v2 `DmEvent` the
//! reference derives (§3.7, §5.4).

mod common;

use common::round_trip_bytes;
use dm_model::activity::{
    AccountActivityPayload, ActivityEvent, ActivityEventType, ConvertError,
    CreateSubscriptionRequest, CreateWebhookRequest, Deduplicator, Delivery, LegacyDmEvent,
    ReplayRequest, ReplayResponse, SubscriptionResponse, SubscriptionsPage,
    UpdateSubscriptionRequest, WebhooksPage, timestamp_from_millis,
};
use dm_model::{EventKind, EventType, UserId, decode};
use serde_json::{Value, json};

fn sample(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/data/realtime/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn activity(name: &str) -> ActivityEvent {
    let bytes = sample(name);
    let value: Value = serde_json::from_slice(&bytes).unwrap();
    // The event alone round-trips too (what the receiver keeps).
    let _: ActivityEvent = common::round_trip("event", &value["data"]);
    match Delivery::parse(&bytes).unwrap() {
        Delivery::Activity(e) => e,
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn every_example_decodes_and_re_encodes_unchanged() {
    for name in [
        "xaa-post-create",
        "xaa-dm-sent",
        "xaa-dm-received",
        "aaa-direct-message-events",
        "aaa-direct-message-indicate-typing-events",
        "aaa-direct-message-mark-read-events",
    ] {
        let bytes = sample(name);
        if name.starts_with("xaa") {
            let r: dm_model::activity::ActivityResponse = round_trip_bytes(name, &bytes);
            assert!(r.data.is_some(), "{name}");
        } else {
            let p: AccountActivityPayload = round_trip_bytes(name, &bytes);
            assert_eq!(p.for_user_id.as_ref().unwrap().as_str(), "4337869213");
        }
    }
}

/// §3.7: "Applying §5.4 to the `dm.sent` sample gives a v2 event with id
/// "2080763914820927863", sender_id "1111111111111111111", created_at
/// "2026-07-24T21:15:50.704Z", event_type "MessageCreate", and dm_conversation_id
/// "2244994945-1111111111111111111" (numeric order)".
#[test]
fn the_dm_sent_example_converts_as_the_reference_says() {
    let event = activity("xaa-dm-sent");
    assert_eq!(event.event_type, ActivityEventType::DmSent);
    assert_eq!(event.event_uuid.as_deref(), Some("-3577827201104920132"));
    assert_eq!(event.tag.as_deref(), Some("dm-outbound"));
    let messages = event.messages().unwrap();
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert!(!m.is_incoming(), "dm.sent: the filtered user is the sender");
    let e = &m.event;
    assert_eq!(e.id.as_str(), "2080763914820927863");
    assert_eq!(e.event_type, EventType::MessageCreate);
    assert_eq!(
        e.sender_id.as_ref().unwrap().as_str(),
        "1111111111111111111"
    );
    assert_eq!(
        e.created_at.as_ref().unwrap().as_str(),
        "2026-07-24T21:15:50.704Z"
    );
    assert_eq!(
        e.dm_conversation_id.as_ref().unwrap().as_str(),
        "2244994945-1111111111111111111"
    );
    assert_eq!(e.text.as_deref(), Some("Thanks for the update!"));
    assert!(e.entities.is_none(), "all four entity arrays were empty");
    // Both users come along as v2 users, unwrapped from `data`.
    let names: Vec<_> = m
        .includes
        .users
        .iter()
        .map(|u| u.username.clone().unwrap())
        .collect();
    assert_eq!(names, ["ExampleUser", "XDevelopers"]);
    let me = &m.includes.users[0];
    assert_eq!(
        me.public_metrics.as_ref().unwrap().followers_count,
        Some(5502)
    );
    // The record a lookup would print.
    assert!(matches!(
        e.kind(),
        EventKind::Message {
            text: "Thanks for the update!",
            ..
        }
    ));
}

#[test]
fn the_dm_received_example_is_incoming() {
    let event = activity("xaa-dm-received");
    let m = &event.messages().unwrap()[0];
    assert!(m.is_incoming());
    assert_eq!(m.for_user.as_ref().unwrap().as_str(), "1111111111111111111");
    assert_eq!(m.event.id.as_str(), "2080765901528535096");
    assert_eq!(
        m.event.created_at.as_ref().unwrap().as_str(),
        "2026-07-24T21:23:44.372Z"
    );
    assert_eq!(
        m.event.dm_conversation_id.as_ref().unwrap().as_str(),
        "1111111111111111111-2222222222222222222"
    );
    let sender = m.includes.sender_of(&m.event).unwrap();
    assert_eq!(sender.username.as_deref(), Some("OtherUser"));
}

/// §5.3/§5.4: the Account Activity message, with v1.1 users.
#[test]
fn the_account_activity_message_converts_with_its_v1_users() {
    let Delivery::AccountActivity(p) =
        Delivery::parse(&sample("aaa-direct-message-events")).unwrap()
    else {
        panic!("not an Account Activity body")
    };
    assert_eq!(p.apps.as_ref().unwrap().len(), 1);
    let messages = p.messages(None).unwrap();
    let m = &messages[0];
    assert_eq!(m.for_user.as_ref().unwrap().as_str(), "4337869213");
    assert!(m.is_incoming());
    let e = &m.event;
    assert_eq!(e.id.as_str(), "954491830116155396");
    assert_eq!(e.text.as_deref(), Some("Hello World!"));
    assert_eq!(
        e.created_at.as_ref().unwrap().as_str(),
        "2018-01-19T23:12:40.557Z"
    );
    assert_eq!(
        e.dm_conversation_id.as_ref().unwrap().as_str(),
        "3001969357-4337869213"
    );
    let sender = m.includes.sender_of(e).unwrap();
    assert_eq!(sender.username.as_deref(), Some("furiouscamper"));
    assert_eq!(sender.name.as_deref(), Some("Jordan Brinks"));
    assert_eq!(
        sender.created_at.as_ref().unwrap().as_str(),
        "2015-01-29T18:27:49.340Z"
    );
    let metrics = sender.public_metrics.as_ref().unwrap();
    assert_eq!(
        (
            metrics.followers_count,
            metrics.following_count,
            metrics.tweet_count
        ),
        (Some(22), Some(45), Some(494))
    );
    assert!(
        sender
            .profile_image_url
            .as_deref()
            .unwrap()
            .starts_with("https://pbs.twimg.com/")
    );
    assert_eq!(m.includes.users.len(), 2, "sender and recipient");
}

#[test]
fn typing_and_read_events_decode() {
    let Delivery::AccountActivity(t) =
        Delivery::parse(&sample("aaa-direct-message-indicate-typing-events")).unwrap()
    else {
        panic!()
    };
    let typing = &t.direct_message_indicate_typing_events[0];
    assert_eq!(typing.sender_id.as_ref().unwrap().as_str(), "3284025577");
    assert!(t.messages(None).unwrap().is_empty());
    let Delivery::AccountActivity(r) =
        Delivery::parse(&sample("aaa-direct-message-mark-read-events")).unwrap()
    else {
        panic!()
    };
    let read = &r.direct_message_mark_read_events[0];
    assert_eq!(
        read.last_read_event_id.as_ref().unwrap().as_str(),
        "963085315333238788"
    );
    // Items without ids are still de-duplicated (by content).
    let mut seen = Deduplicator::new(10);
    assert!(seen.first_time(&t.keys()));
    assert!(seen.first_time(&r.keys()));
    assert!(!seen.first_time(&t.keys()));
}

#[test]
fn replay_completion_and_errors_are_recognised() {
    let Delivery::ReplayJob(s) = Delivery::parse(&sample("replay-job-status")).unwrap() else {
        panic!()
    };
    assert!(s.is_complete());
    let d = Delivery::parse(
        br#"{"errors":[{"title":"operational-disconnect","disconnect_type":"UpstreamOperationalDisconnect","detail":"This stream has been disconnected upstream for operational reasons.","type":"https://api.x.com/2/problems/operational-disconnect"}]}"#,
    )
    .unwrap();
    let Delivery::Errors(errors) = d else {
        panic!()
    };
    assert_eq!(errors[0].title.as_deref(), Some("operational-disconnect"));
}

#[test]
fn unknown_types_and_members_are_kept_and_unwrapped_events_read() {
    let body = json!({
        "event_uuid": "0f52b591-4b7e-4f13-92cd-30e6b2a3f18a",
        "event_type": "chat.future.thing",
        "filter": {"user_id": "1"},
        "payload": {"anything": [1, {"x": null}]},
        "new_member": true
    });
    let bytes = serde_json::to_vec(&body).unwrap();
    let Delivery::Activity(e) = Delivery::parse(&bytes).unwrap() else {
        panic!()
    };
    assert_eq!(e.event_type, ActivityEventType::other("chat.future.thing"));
    assert!(!e.event_type.is_known());
    assert!(e.messages().unwrap().is_empty());
    assert_eq!(serde_json::to_value(&e).unwrap(), body, "lossless");
    // The deprecated alias reads as the canonical type.
    let alias: ActivityEventType = serde_json::from_str("\"chat.conversation_join\"").unwrap();
    assert_eq!(alias, ActivityEventType::ChatConversationJoin);
    assert_eq!(alias.as_str(), "chat.conversation.join");
    // An Account Activity key this version does not model stays in `extra`.
    let Delivery::AccountActivity(p) =
        Delivery::parse(br#"{"for_user_id":"1","favorite_events":[{"id":"x"}]}"#).unwrap()
    else {
        panic!()
    };
    assert!(p.extra.contains_key("favorite_events"));
}

#[test]
fn bad_input_is_an_error_that_names_the_path() {
    let err =
        Delivery::parse(br#"{"data": {"event_type": "dm.sent", "filter": {"user_id": "abc"}}}"#)
            .unwrap_err();
    assert_eq!(err.path(), "data.filter.user_id", "{err}");
    assert!(Delivery::parse(b"[1,2]").is_err());
    assert!(Delivery::parse(b"{\"data\": {").is_err());
    // A dm payload of the wrong shape is an error when read, not when the envelope decodes.
    let Delivery::Activity(e) = Delivery::parse(
        br#"{"data": {"event_type": "dm.received", "payload": {"direct_message_events": 7}}}"#,
    )
    .unwrap() else {
        panic!()
    };
    let err = e.messages().unwrap_err();
    assert!(
        err.to_string().contains("payload.direct_message_events"),
        "{err}"
    );
}

fn legacy(v: Value) -> LegacyDmEvent {
    serde_json::from_value(v).unwrap()
}

#[test]
fn entities_attachments_and_linked_posts_convert() {
    let e = legacy(json!({
        "type": "message_create", "id": "1", "created_timestamp": "1784927750704",
        "message_create": {
            "target": {"recipient_id": "9"}, "sender_id": "10", "source_app_id": "13090192",
            "message_data": {
                "text": "#rust $XDM @jack https://t.co/a",
                "entities": {
                    "hashtags": [{"text": "rust", "indices": [0, 5]}],
                    "symbols": [{"text": "XDM", "indices": [6, 10]}],
                    "user_mentions": [{"screen_name": "jack", "name": "jack", "id": 12, "id_str": "12", "indices": [11, 16]}],
                    "urls": [{"url": "https://t.co/a", "expanded_url": "https://twitter.com/jack/status/20?s=1",
                              "display_url": "twitter.com/jack/status/20", "indices": [17, 31],
                              "unwound": {"url": "https://x.com/jack/status/20", "status": 200, "title": "t", "description": "d"}}]
                },
                "attachment": {"type": "media", "media": {"id": 1583157113245011970u64, "id_str": "1583157113245011970", "type": "photo",
                               "media_url_https": "https://ton.twitter.com/1.1/ton/data/dm/1/1/x.jpg"}},
                "quick_reply_response": {"type": "options", "metadata": "external_id_2"}
            }
        }
    }));
    let v2 = e.to_dm_event().unwrap();
    // 9 < 10 numerically ("10" < "9" as strings).
    assert_eq!(v2.dm_conversation_id.as_ref().unwrap().as_str(), "9-10");
    let ents = v2.entities.as_ref().unwrap();
    assert_eq!(ents.hashtags[0].tag.as_deref(), Some("rust"));
    assert_eq!(
        (ents.hashtags[0].start, ents.hashtags[0].end),
        (Some(0), Some(5))
    );
    assert_eq!(ents.cashtags[0].tag.as_deref(), Some("XDM"));
    assert_eq!(ents.mentions[0].username.as_deref(), Some("jack"));
    assert_eq!(ents.mentions[0].id.as_ref().unwrap().as_str(), "12");
    assert_eq!(
        ents.urls[0].unwound_url.as_deref(),
        Some("https://x.com/jack/status/20")
    );
    assert_eq!(ents.urls[0].status, Some(200));
    assert_eq!(v2.referenced_tweets.len(), 1);
    assert_eq!(v2.referenced_tweets[0].id.as_str(), "20");
    assert_eq!(v2.media_keys()[0].as_str(), "3_1583157113245011970");
    // The v2 event is a plain DmEvent: it serializes like one.
    let json = serde_json::to_value(&v2).unwrap();
    assert_eq!(json["event_type"], "MessageCreate");
    assert!(json.get("source_app_id").is_none());
}

#[test]
fn conversion_refuses_what_is_not_a_message() {
    let err = legacy(json!({"type": "welcome_message", "id": "1"}))
        .to_dm_event()
        .unwrap_err();
    assert!(matches!(err, ConvertError::NotAMessage { .. }), "{err}");
    let err =
        legacy(json!({"type": "message_create", "id": "1", "message_create": {"sender_id": "2"}}))
            .to_dm_event()
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the v1.1 DM event has no `message_create.target.recipient_id`"
    );
    let err = legacy(
        json!({"type": "message_create", "id": "1", "created_timestamp": "soon",
        "message_create": {"sender_id": "2", "target": {"recipient_id": "3"}}}),
    )
    .to_dm_event()
    .unwrap_err();
    assert!(matches!(err, ConvertError::Timestamp { .. }), "{err}");
    assert_eq!(
        timestamp_from_millis("1516403560557").unwrap().as_str(),
        "2018-01-19T23:12:40.557Z"
    );
    assert!(timestamp_from_millis("99999999999999999999").is_err());
}

#[test]
fn redeliveries_and_replays_are_recognised() {
    let mut seen = Deduplicator::new(1000);
    let received = Delivery::parse(&sample("xaa-dm-received")).unwrap();
    assert!(seen.first_time(&received.keys()));
    assert!(
        !seen.first_time(&received.keys()),
        "the same delivery again"
    );
    // A replay may carry a new uuid: the DM event id still recognises it.
    let mut v: Value = serde_json::from_slice(&sample("xaa-dm-received")).unwrap();
    v["data"]["event_uuid"] = json!("another-uuid");
    let replayed = Delivery::parse(&serde_json::to_vec(&v).unwrap()).unwrap();
    assert!(!seen.first_time(&replayed.keys()));
    // The same DM for another subscribed user is another delivery.
    v["data"]["event_uuid"] = json!("third-uuid");
    v["data"]["filter"]["user_id"] = json!("2222222222222222222");
    let other_user = Delivery::parse(&serde_json::to_vec(&v).unwrap()).unwrap();
    assert!(seen.first_time(&other_user.keys()));
    // Memory is bounded: the oldest keys are forgotten.
    let mut small = Deduplicator::new(2);
    let k = |uuid: &str| {
        Delivery::parse(
            format!(r#"{{"data":{{"event_uuid":"{uuid}","event_type":"post.create"}}}}"#)
                .as_bytes(),
        )
        .unwrap()
        .keys()
    };
    assert!(small.first_time(&k("a")));
    assert!(small.first_time(&k("b")));
    assert!(small.first_time(&k("c")));
    assert_eq!(small.len(), 2);
    assert!(small.first_time(&k("a")), "forgotten");
}

/// The spec's event types are the ones the model knows (the enum is written by hand
/// because the spec lists a deprecated alias beside its canonical name).
#[test]
fn event_types_agree_with_the_spec() {
    let path = format!(
        "{}/../../spec/openapi-media-realtime-2.167.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let spec: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let listed: Vec<&str> = spec
        .pointer("/components/schemas/CreateActivitySubscriptionRequest/properties/event_type/enum")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .filter(|s| *s != "chat.conversation_join")
        .collect();
    let known: Vec<&str> = ActivityEventType::ALL.iter().map(|t| t.as_str()).collect();
    assert_eq!(known, listed);
    for t in ActivityEventType::ALL {
        assert_eq!(t.as_str().parse::<ActivityEventType>().unwrap(), *t);
    }
    assert!("dm.bogus".parse::<ActivityEventType>().is_err());
}

#[test]
fn management_responses_in_every_shape() {
    let sub = json!({"created_at": "2025-10-09T16:35:08.000Z", "event_type": "profile.update.bio",
        "filter": {"user_id": "2244994945"}, "subscription_id": "1976325569252868096",
        "tag": "Xdevelopers' bio updates", "updated_at": "2025-10-09T16:35:08.000Z"});
    for (shape, body) in [
        ("spec", json!({"data": {"subscription": sub.clone()}})),
        (
            "array + meta",
            json!({"data": [sub.clone()], "meta": {"total_subscriptions": 1}}),
        ),
        ("flat", json!({"data": sub.clone()})),
    ] {
        let r: SubscriptionResponse = common::round_trip(shape, &body);
        let s = r.subscription().unwrap().unwrap();
        assert_eq!(
            s.subscription_id.unwrap().as_str(),
            "1976325569252868096",
            "{shape}"
        );
        assert_eq!(s.event_type, Some(ActivityEventType::ProfileUpdateBio));
    }
    let update: SubscriptionResponse = decode(
        br#"{"data": {"subscription": {"subscription_id": "5"}, "total_subscriptions": 3}}"#,
    )
    .unwrap();
    assert_eq!(update.total_subscriptions(), Some(3));
    let page: SubscriptionsPage = common::round_trip("list", &json!({"data": [sub]}));
    assert_eq!(page.data[0].user_id().unwrap().as_str(), "2244994945");
    let empty: WebhooksPage = common::round_trip(
        "webhooks",
        &json!({"data": [], "meta": {"result_count": 0}}),
    );
    assert!(empty.data.is_empty());
    for body in [
        json!({"data": {"job_id": "1915510368169844736", "created_at": "2025-04-24T20:57:15.242Z"}}),
        json!({"job_id": "1915510368169844736", "created_at": "2025-04-24T20:57:15.242Z"}),
        json!({"for_user_id": "1", "replay_event": {"job_id": "1915510368169844736", "created_at": "2025-04-24T20:57:15.242Z"}}),
    ] {
        let r: ReplayResponse = common::round_trip("replay", &body);
        assert_eq!(
            r.job().unwrap().job_id.as_deref(),
            Some("1915510368169844736")
        );
    }
}

#[test]
fn request_bodies_are_validated() {
    let user: UserId = "1".parse().unwrap();
    let c = CreateSubscriptionRequest::for_user(ActivityEventType::DmReceived, user);
    assert!(c.clone().tag("").is_err());
    assert!(c.clone().tag("x".repeat(201)).is_err());
    assert!(c.tag("é".repeat(200)).is_ok());
    assert!(UpdateSubscriptionRequest::new(None, None).is_err());
    assert!(CreateWebhookRequest::new("ftp://example.com/x").is_err());
    assert!(CreateWebhookRequest::new("https://").is_err());
    assert!(CreateWebhookRequest::new(format!("https://example.com/{}", "a".repeat(190))).is_err());
    assert!(CreateWebhookRequest::new("https://example.com/webhook").is_ok());
    assert!(
        "202613011200"
            .parse::<dm_model::activity::ReplayTime>()
            .is_err()
    );
    assert!(
        "20260101120"
            .parse::<dm_model::activity::ReplayTime>()
            .is_err()
    );
    let err = ReplayRequest::new(
        "1".parse().unwrap(),
        "202608221330".parse().unwrap(),
        "202608221200".parse().unwrap(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("before it starts"), "{err}");
}
