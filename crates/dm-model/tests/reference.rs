//! Every example payload of the reference (§7 problem bodies, §9 payloads), saved under
//! `tests/data/reference/`, decodes into its type and re-encodes to the same JSON value.

mod common;

use std::path::Path;

use common::round_trip_bytes;
use dm_model::{
    ConversationKind, CreateDmEventResponse, DeleteDmResponse, DmAttachments, DmEvent,
    DmEventsPage, EventKind, EventType, GroupConversationRequest, Media, MediaType, MessageRequest,
    Problem, ProblemKind, decode, parse_error_body,
};
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/reference");

fn files() -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(DIR)
        .expect("reference dir")
        .map(|e| {
            let path = e.expect("dir entry").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).expect("read"))
        })
        .collect();
    out.sort();
    out
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(DIR).join(name)).expect(name)
}

#[test]
fn every_reference_payload_decodes_and_round_trips() {
    let files = files();
    assert!(
        files.len() >= 30,
        "expected every §7/§9 payload, found {}",
        files.len()
    );
    for (name, bytes) in &files {
        if name.contains("-page-") {
            round_trip_bytes::<DmEventsPage>(name, bytes);
        } else if name.contains("-event-") {
            round_trip_bytes::<DmEvent>(name, bytes);
        } else if name.contains("-fragment-") {
            // A fragment of a MessageCreate: merge it into a minimal event.
            let mut event: Value =
                serde_json::json!({"id": "1582838499983564806", "event_type": "MessageCreate"});
            let fragment: Value = serde_json::from_slice(bytes).unwrap();
            for (k, v) in fragment.as_object().unwrap() {
                event[k] = v.clone();
            }
            round_trip_bytes::<DmEvent>(name, &serde_json::to_vec(&event).unwrap());
        } else if name.contains("-media-") {
            round_trip_bytes::<Media>(name, bytes);
        } else if name.contains("-request-message-") {
            round_trip_bytes::<MessageRequest>(name, bytes);
        } else if name.contains("-request-group") {
            round_trip_bytes::<GroupConversationRequest>(name, bytes);
        } else if name.contains("-created-") {
            round_trip_bytes::<CreateDmEventResponse>(name, bytes);
        } else if name.contains("-delete") {
            round_trip_bytes::<DeleteDmResponse>(name, bytes);
        } else if name.contains("-problem-") {
            round_trip_bytes::<Problem>(name, bytes);
            assert_eq!(parse_error_body(bytes).len(), 1, "{name}");
        } else if name.contains("-errors-") {
            round_trip_bytes::<DmEventsPage>(name, bytes);
            assert_eq!(parse_error_body(bytes).len(), 1, "{name}");
        } else {
            panic!("no type for reference file {name}");
        }
    }
}

#[test]
fn full_page_resolves_includes_and_one_to_one_conversation() {
    let page: DmEventsPage = decode(&read("9-09-page-full-with-includes.json")).unwrap();
    assert_eq!(page.data.len(), 3);
    assert_eq!(page.meta.result_count, Some(3));
    assert_eq!(page.next_token(), Some("18LAA581J5II7LA00C00ZZZZ"));
    let second = &page.data[1];
    let EventKind::Message {
        text,
        sender,
        referenced_tweets,
        ..
    } = second.kind()
    else {
        panic!("expected a message, got {:?}", second.kind());
    };
    assert!(text.starts_with("Simple Tweet link"));
    let sender = page.includes.user(sender.unwrap()).unwrap();
    assert_eq!(sender.username.as_deref(), Some("FloodSocial"));
    let tweet = page.includes.tweet(&referenced_tweets[0].id).unwrap();
    assert_eq!(tweet.author_id.as_ref().unwrap().as_str(), "944480690");
    let conv = second.dm_conversation_id.as_ref().unwrap();
    assert!(!conv.is_group());
    match conv.kind() {
        ConversationKind::OneToOne { low, high } => {
            assert_eq!(low.as_str(), "944480690");
            assert_eq!(high.as_str(), "906948460078698496");
            assert_eq!(conv, &dm_model::DmConversationId::one_to_one(&high, &low));
        }
        other => panic!("expected one-to-one, got {other:?}"),
    }
    assert_eq!(
        page.includes
            .sender_of(second)
            .unwrap()
            .id
            .as_ref()
            .unwrap()
            .as_str(),
        "944480690"
    );
    assert_eq!(page.includes.tweets_of(second).count(), 1);
    assert_eq!(page.includes.tweets_of(&page.data[0]).count(), 0);
    let created = second.created_at.as_ref().unwrap();
    assert_eq!(created.as_str(), "2022-10-14T22:25:52.000Z");
    assert_eq!(created.unix_timestamp(), 1_665_786_352);
}

#[test]
fn constructed_fixture_exposes_every_field() {
    let page: DmEventsPage = decode(&read("9-12-page-constructed-every-field.json")).unwrap();
    let event = &page.data[0];
    let key = &event.media_keys()[0];
    let media = page.includes.media(key).unwrap();
    assert_eq!(media.r#type, Some(MediaType::Photo));
    assert_eq!(page.includes.media_of(event).count(), 1);
    assert_eq!(page.includes.participants_of(event).count(), 0);
    assert_eq!(event.url_entities().len(), 1);
    assert_eq!(event.url_entities()[0].start, Some(19));
    assert!(event.urls.is_empty(), "nested entities stay nested");
    assert!(
        event.extra.is_empty(),
        "every member is modelled: {:?}",
        event.extra
    );
}

#[test]
fn join_and_leave_views() {
    let join: DmEvent = decode(&read("9-05-event-participants-join.json")).unwrap();
    match join.kind() {
        EventKind::Join {
            inviter,
            participants,
        } => {
            assert_eq!(inviter.unwrap().as_str(), "17200003");
            assert_eq!(participants[0].as_str(), "944480690");
        }
        other => panic!("{other:?}"),
    }
    let leave: DmEvent = decode(&read("9-06-event-participants-leave.json")).unwrap();
    assert!(matches!(leave.kind(), EventKind::Leave { participants } if participants.len() == 1));
    assert_eq!(leave.event_type, EventType::ParticipantsLeave);
}

#[test]
fn problem_kinds() {
    let kind = |f: &str| decode::<Problem>(&read(f)).unwrap().kind();
    assert_eq!(
        kind("7-00-problem-client-forbidden.json"),
        ProblemKind::ClientForbidden
    );
    assert_eq!(
        kind("7-02-problem-forbidden-about-blank.json"),
        ProblemKind::Generic
    );
    assert_eq!(
        kind("7-04-problem-usage-capped.json"),
        ProblemKind::UsageCapped
    );
    assert_eq!(
        kind("7-05-problem-invalid-request.json"),
        ProblemKind::InvalidRequest
    );
    assert_eq!(kind("7-91-problem-unauthorized.json"), ProblemKind::Generic);
    let usage = decode::<Problem>(&read("7-04-problem-usage-capped.json")).unwrap();
    assert_eq!(usage.member_str("period"), Some("Monthly"));
    let legacy = parse_error_body(&read("7-90-errors-legacy-rate-limit.json"));
    assert_eq!(legacy[0].kind(), ProblemKind::Legacy { code: 88 });
    assert_eq!(legacy[0].message(), Some("Rate limit exceeded"));
    let partial: DmEventsPage = decode(&read("7-01-page-partial-errors.json")).unwrap();
    assert_eq!(partial.errors[0].kind(), ProblemKind::ResourceNotFound);
    assert_eq!(partial.data[0].kind(), EventKind::Unknown, "no event_type");
}

#[test]
fn fragments_are_typed() {
    let a: DmAttachments = decode(br#"{"media_keys": ["5_1583157113245011970"]}"#).unwrap();
    assert_eq!(a.media_keys[0].media_id_part(), "1583157113245011970");
}
