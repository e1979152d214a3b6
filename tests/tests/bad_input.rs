//! Bad input never panics and always gets a clear, typed error.
//!
//! Each property runs `PROPTEST_CASES` cases (256 by default); `cargo xtask fuzz` runs the
//! same properties in a release build with a much larger count.

use std::path::Path;

use bytes::Bytes;
use dm_model::{
    CreateDmEventResponse, DecodeErrorKind, DmConversationId, DmEventId, DmEventResponse,
    DmEventsPage, MediaId, MediaKey, Problem, TweetId, UserId, decode, parse_error_body,
};
use dm_query::{ApiRequest, BaseUrl, EventsQuery, FieldsQuery, ListEvents, Scope};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Map, Value};
use xdm_tests::cases::check;

// ---------------------------------------------------------------- strategies

/// Any JSON value, a few levels deep, with keys that are often real member names.
fn json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("data".to_string()),
        Just("meta".to_string()),
        Just("includes".to_string()),
        Just("errors".to_string()),
        Just("id".to_string()),
        Just("event_type".to_string()),
        Just("text".to_string()),
        Just("created_at".to_string()),
        Just("next_token".to_string()),
        Just("result_count".to_string()),
        Just("users".to_string()),
        Just("type".to_string()),
        "[a-z_]{1,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[0-9]{1,22}".prop_map(Value::String),
        ".{0,12}".prop_map(Value::String),
        Just(Value::String("MessageCreate".into())),
        Just(Value::String("2022-10-19T20:58:00.000Z".into())),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(key.clone(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Real pages: the reference fixtures and the recorded live exchanges.
fn seed_pages() -> Vec<Value> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seeds = Vec::new();
    let dir = root.join("../crates/dm-model/tests/data/reference");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("reference fixtures")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().contains("page"))
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read(&f).expect("fixture reads");
        let v: Value = serde_json::from_slice(&text).expect("fixture is JSON");
        // Some fixtures wrap the body (`{"body": ...}`); take the page either way.
        let page = v.get("body").cloned().unwrap_or(v);
        if page.get("data").is_some() || page.get("meta").is_some() {
            seeds.push(page);
        }
    }
    let recorded: Value = serde_json::from_slice(
        &std::fs::read(root.join("data/recorded-dm-exchanges.json")).expect("recording"),
    )
    .expect("recording is JSON");
    for ex in recorded.as_array().into_iter().flatten() {
        if ex["method"] == "GET" {
            seeds.push(ex["body"].clone());
        }
    }
    assert!(seeds.len() >= 5, "found {} seed pages", seeds.len());
    seeds
}

/// Every JSON pointer into `v` (objects and arrays too).
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let k = k.replace('~', "~0").replace('/', "~1");
                pointers(x, format!("{at}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                pointers(x, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum Mutation {
    /// Replace the value at a pointer.
    Replace(prop::sample::Index, Value),
    /// Remove the member or element at a pointer.
    Remove(prop::sample::Index),
    /// Cut the serialized body at a byte offset.
    Truncate(prop::sample::Index),
    /// Overwrite one byte of the serialized body.
    Byte(prop::sample::Index, u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<prop::sample::Index>(), json()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        1 => any::<prop::sample::Index>().prop_map(Mutation::Remove),
        1 => any::<prop::sample::Index>().prop_map(Mutation::Truncate),
        2 => (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Byte(i, b)),
    ]
}

fn apply(page: &Value, mutations: &[Mutation]) -> Vec<u8> {
    let mut value = page.clone();
    let mut bytes: Option<Vec<u8>> = None;
    for m in mutations {
        match (m, &mut bytes) {
            (Mutation::Replace(i, new), None) => {
                let mut ps = Vec::new();
                pointers(&value, String::new(), &mut ps);
                let p = &ps[i.index(ps.len())];
                if p.is_empty() {
                    value = new.clone();
                } else if let Some(slot) = value.pointer_mut(p) {
                    *slot = new.clone();
                }
            }
            (Mutation::Remove(i), None) => {
                let mut ps = Vec::new();
                pointers(&value, String::new(), &mut ps);
                let p = ps[i.index(ps.len())].clone();
                if let Some((parent, last)) = p.rsplit_once('/') {
                    match value.pointer_mut(parent) {
                        Some(Value::Object(m)) => {
                            m.remove(&last.replace("~1", "/").replace("~0", "~"));
                        }
                        Some(Value::Array(a)) => {
                            if let Ok(n) = last.parse::<usize>()
                                && n < a.len()
                            {
                                a.remove(n);
                            }
                        }
                        _ => {}
                    }
                }
            }
            (Mutation::Truncate(i), b) => {
                let mut raw = b
                    .take()
                    .unwrap_or_else(|| serde_json::to_vec(&value).unwrap());
                raw.truncate(i.index(raw.len() + 1));
                *b = Some(raw);
            }
            (Mutation::Byte(i, x), b) => {
                let mut raw = b
                    .take()
                    .unwrap_or_else(|| serde_json::to_vec(&value).unwrap());
                if !raw.is_empty() {
                    let n = i.index(raw.len());
                    raw[n] = *x;
                }
                *b = Some(raw);
            }
            // Structural mutations after a byte-level one: keep the bytes as they are.
            (_, Some(_)) => {}
        }
    }
    bytes.unwrap_or_else(|| serde_json::to_vec(&value).unwrap())
}

/// A decode error must say where it failed: a path for data errors, a position for syntax.
fn error_is_clear(e: &dm_model::DecodeError) -> Result<(), TestCaseError> {
    prop_assert!(!e.path().is_empty(), "no path in {e}");
    prop_assert!(!e.message().is_empty(), "no reason in {e}");
    let shown = e.to_string();
    prop_assert!(
        shown.contains(e.path()),
        "the message names the path: {shown}"
    );
    if e.kind() == DecodeErrorKind::Data && e.path() != "." {
        // A data error inside the document names a real member path, not just the root.
        prop_assert!(e.path().chars().any(|c| c.is_ascii_alphabetic()), "{shown}");
    }
    Ok(())
}

fn decode_all(bytes: &[u8]) -> Result<(), TestCaseError> {
    match decode::<DmEventsPage>(bytes) {
        Ok(page) => {
            // Whatever decodes re-encodes.
            prop_assert!(serde_json::to_vec(&page).is_ok());
            let _ = page.next_token();
            for event in &page.data {
                let _ = event.kind();
            }
        }
        Err(e) => error_is_clear(&e)?,
    }
    if let Err(e) = decode::<DmEventResponse>(bytes) {
        error_is_clear(&e)?;
    }
    if let Err(e) = decode::<CreateDmEventResponse>(bytes) {
        error_is_clear(&e)?;
    }
    let _ = parse_error_body(bytes);
    Ok(())
}

// ---------------------------------------------------------------- properties: pages

#[test]
fn arbitrary_json_pages_never_panic_and_errors_name_a_path() {
    check("arbitrary_json_pages", json(), |v| {
        decode_all(&serde_json::to_vec(&v).unwrap())
    });
}

#[test]
fn arbitrary_bytes_never_panic() {
    check(
        "arbitrary_bytes",
        proptest::collection::vec(any::<u8>(), 0..256),
        |b| decode_all(&b),
    );
}

#[test]
fn mutated_real_pages_never_panic_and_errors_name_a_path() {
    let seeds = seed_pages();
    let n = seeds.len();
    check(
        "mutated_real_pages",
        (0..n, proptest::collection::vec(mutation(), 1..4)),
        move |(i, ms)| decode_all(&apply(&seeds[i], &ms)),
    );
}

#[test]
fn a_newer_api_still_decodes_unknown_event_types_and_members_losslessly() {
    let seeds: Vec<Value> = seed_pages()
        .into_iter()
        .filter(|p| decode::<DmEventsPage>(&serde_json::to_vec(p).unwrap()).is_ok())
        .collect();
    let n = seeds.len();
    let additions = proptest::collection::vec(
        (any::<prop::sample::Index>(), "zz_[a-z_]{1,10}", json()),
        1..4,
    );
    check(
        "newer_api_pages",
        (0..n, additions, proptest::option::of("[A-Z][a-zA-Z]{2,20}")),
        move |(i, adds, new_type)| {
            let mut page = seeds[i].clone();
            if let (Some(t), Some(Value::Array(events))) = (&new_type, page.get_mut("data"))
                && let Some(first) = events.first_mut()
            {
                first["event_type"] = Value::String(t.clone());
            }
            for (at, key, value) in adds {
                let mut ps = Vec::new();
                pointers(&page, String::new(), &mut ps);
                let objects: Vec<String> = ps
                    .into_iter()
                    .filter(|p| page.pointer(p).is_some_and(Value::is_object))
                    .collect();
                let p = &objects[at.index(objects.len())];
                if let Some(Value::Object(m)) = page.pointer_mut(p) {
                    m.insert(key, value);
                }
            }
            let bytes = serde_json::to_vec(&page).unwrap();
            let decoded = decode::<DmEventsPage>(&bytes);
            prop_assert!(decoded.is_ok(), "{:?}", decoded.err());
            let again = serde_json::to_value(decoded.unwrap()).unwrap();
            prop_assert_eq!(again, page, "nothing is lost");
            Ok(())
        },
    );
}

// ---------------------------------------------------------------- properties: problems

fn problem_value() -> impl Strategy<Value = Value> {
    (
        prop_oneof![
            Just("https://api.twitter.com/2/problems/usage-capped".to_string()),
            Just("https://api.twitter.com/2/problems/invalid-request".to_string()),
            Just("about:blank".to_string()),
            ".{0,40}",
        ],
        ".{0,30}",
        proptest::option::of(".{0,60}"),
        // An HTTP status (the spec's `status` is an HTTP status code).
        proptest::option::of(100i64..600),
        proptest::collection::btree_map("zz_[a-z]{1,6}", json(), 0..3),
    )
        .prop_map(|(t, title, detail, status, extra)| {
            let mut m: Map<String, Value> = extra.into_iter().collect();
            m.insert("type".into(), Value::String(t));
            m.insert("title".into(), Value::String(title));
            if let Some(d) = detail {
                m.insert("detail".into(), Value::String(d));
            }
            if let Some(s) = status {
                m.insert("status".into(), Value::from(s));
            }
            Value::Object(m)
        })
}

#[test]
fn problem_bodies_of_every_shape_parse_without_panicking() {
    let body = prop_oneof![
        problem_value().prop_map(|p| (serde_json::to_vec(&p).unwrap(), 1usize)),
        proptest::collection::vec(problem_value(), 0..4).prop_map(|ps| {
            let n = ps.len();
            (
                serde_json::to_vec(&serde_json::json!({ "errors": ps })).unwrap(),
                n,
            )
        }),
        json().prop_map(|v| (serde_json::to_vec(&v).unwrap(), usize::MAX)),
        proptest::collection::vec(any::<u8>(), 0..128).prop_map(|b| (b, usize::MAX)),
    ];
    check(
        "problem_bodies",
        (body, 100u16..600),
        |((bytes, expected), status)| {
            let problems: Vec<Problem> = parse_error_body(&bytes);
            if expected != usize::MAX {
                prop_assert_eq!(
                    problems.len(),
                    expected,
                    "every well-formed problem is read"
                );
            }
            for p in &problems {
                let _ = (p.kind(), p.to_string(), p.message(), p.type_uri());
            }
            // The transport's error mapping over the same body and any status.
            let response = http::Response::builder()
                .status(status)
                .header("content-type", "application/problem+json")
                .body(Bytes::from(bytes))
                .unwrap();
            let api = dm_transport::ApiError::from_response(&response);
            let _ = (api.to_string(), api.advice(), api.is_usage_capped());
            Ok(())
        },
    );
}

// ---------------------------------------------------------------- properties: queries

#[test]
fn query_strings_from_arbitrary_text_parse_or_fail_cleanly_and_round_trip() {
    let text = prop_oneof![
        ".{0,80}",
        proptest::collection::vec(
            (
                prop_oneof![
                    Just("max_results"),
                    Just("pagination_token"),
                    Just("event_types"),
                    Just("dm_event.fields"),
                    Just("expansions"),
                    Just("user.fields"),
                    Just("tweet.fields"),
                    Just("media.fields"),
                    Just("bogus"),
                ],
                "[A-Za-z0-9_,.%+ &=-]{0,24}",
            ),
            0..6,
        )
        .prop_map(|kv| kv
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")),
    ];
    check("query_parse", text, |q| {
        for parsed in [
            EventsQuery::parse(&q),
            EventsQuery::parse_allowing_unknown(&q),
        ] {
            match parsed {
                Ok(query) => {
                    if let Ok(s) = query.to_query_string() {
                        let back = EventsQuery::parse_allowing_unknown(&s);
                        prop_assert!(back.is_ok(), "{s}: {:?}", back.err());
                        prop_assert_eq!(back.unwrap().to_query_string().ok(), Some(s));
                    }
                }
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
        }
        let _ = FieldsQuery::parse(&q);
        let _ = BaseUrl::parse(&q);
        Ok(())
    });
}

#[test]
fn pagination_tokens_of_any_text_are_refused_or_sent_exactly() {
    let token = prop_oneof![
        ".{0,64}",
        "[A-Za-z0-9]{16,40}",
        "[ -~]{16,40}",
        "\\PC{16,30}",
    ];
    let base = BaseUrl::default();
    check("pagination_tokens", token, move |t| {
        let query = EventsQuery::new().pagination_token(t.clone());
        match ListEvents::new(Scope::All, query).to_request(&base) {
            Ok(request) => {
                let q = request.uri().query().unwrap_or_default().to_string();
                let sent: Vec<String> = q
                    .split('&')
                    .filter_map(|kv| kv.strip_prefix("pagination_token="))
                    .map(percent_decode)
                    .collect();
                prop_assert_eq!(sent, vec![t.clone()], "query {}", q);
                prop_assert!(t.chars().count() >= 16, "short tokens are refused");
            }
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(
                    msg.contains("pagination_token"),
                    "names the parameter: {msg}"
                );
            }
        }
        Ok(())
    });
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn checkpoints_from_arbitrary_json_are_refused_cleanly() {
    check("checkpoints", json(), |v| {
        let text = serde_json::to_string(&v).unwrap();
        let _ = serde_json::from_str::<dm_stream::Checkpoint>(&text);
        let _ = serde_json::from_str::<dm_stream::SyncState>(&text);
        Ok(())
    });
}

// ---------------------------------------------------------------- properties: ids

fn digits(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

#[test]
fn ids_parse_exactly_their_spec_patterns() {
    let text = prop_oneof![
        ".{0,30}",
        "[0-9]{0,22}",
        "[0-9]{1,20}-[0-9]{1,20}",
        "[0-9]{1,20}_[0-9]{1,20}",
        "[0-9 +-]{1,22}",
    ];
    check("ids", text, |s| {
        let numeric = digits(&s, 1, 19);
        prop_assert_eq!(UserId::parse(&s).is_ok(), numeric, "UserId {:?}", s);
        prop_assert_eq!(DmEventId::parse(&s).is_ok(), numeric, "DmEventId {:?}", s);
        prop_assert_eq!(TweetId::parse(&s).is_ok(), numeric, "TweetId {:?}", s);
        let conversation = match s.split_once('-') {
            Some((a, b)) => digits(a, 1, 19) && digits(b, 1, 19),
            None => digits(&s, 15, 19),
        };
        let parsed = s.parse::<DmConversationId>();
        prop_assert_eq!(parsed.is_ok(), conversation, "DmConversationId {:?}", s);
        if let Ok(id) = parsed {
            prop_assert_eq!(id.to_string(), s.clone());
        }
        let media_key = s.split_once('_').is_some_and(|(a, b)| {
            !a.is_empty() && !b.is_empty() && digits(a, 1, a.len()) && digits(b, 1, b.len())
        });
        prop_assert_eq!(MediaKey::parse(&s).is_ok(), media_key, "MediaKey {:?}", s);
        let _ = MediaId::parse(&s);
        // Ids decode from JSON the same way, and a refusal names the path.
        let body = serde_json::json!({"data": {"id": s, "event_type": "MessageCreate"}});
        match decode::<DmEventResponse>(&serde_json::to_vec(&body).unwrap()) {
            Ok(_) => prop_assert!(numeric),
            Err(e) => {
                prop_assert!(!numeric);
                prop_assert_eq!(e.path(), "data.id");
            }
        }
        Ok(())
    });
}

// ---------------------------------------------------------------- properties: X Chat

/// A genuine relayed message event (base64-decoded), the keys that open it, and its text.
fn chat_fixture() -> (Vec<u8>, dm_chat::ConversationKeys, dm_chat::KeyDirectory) {
    use dm_chat::thrift::{MessageEntryHolder, ThriftStruct};
    use dm_chat::{ChatConversationId, KeyVersion, PrivateKeys, VerifiedKeys};
    let (alice, bob) = (PrivateKeys::generate(), PrivateKeys::generate());
    let a = VerifiedKeys::own("783214", KeyVersion::now(), &alice);
    let b = VerifiedKeys::own("2244994945", KeyVersion::now(), &bob);
    let conv = ChatConversationId::parse("783214-2244994945", None).unwrap();
    let change = dm_chat::prepare_key_change(&alice, &a, &conv, &[a.clone(), b.clone()]).unwrap();
    let out = dm_chat::encrypt_message(
        &alice,
        &a,
        &conv,
        &change.key,
        &MessageEntryHolder::text("the genuine text"),
        &dm_chat::MessageOptions::default(),
    )
    .unwrap();
    let event = out.relayed("2080000000000000002", "783214", &conv).encode();
    let mut keys = dm_chat::ConversationKeys::new();
    keys.insert_own(change.key);
    let mut dir = dm_chat::KeyDirectory::new();
    dir.insert(a);
    dir.insert(b);
    (event, keys, dir)
}

#[test]
fn chat_thrift_and_events_from_arbitrary_bytes_never_panic() {
    use dm_chat::thrift::{
        EventDetail, MessageCreateEvent, MessageEntryHolder, MessageEvent, MessageEventSignature,
        ThriftStruct,
    };
    check(
        "chat_arbitrary_bytes",
        proptest::collection::vec(any::<u8>(), 0..512),
        |b| {
            let _ = MessageEvent::decode(&b);
            let _ = EventDetail::decode(&b);
            let _ = MessageCreateEvent::decode(&b);
            let _ = MessageEventSignature::decode(&b);
            let _ = MessageEntryHolder::decode(&b);
            let _ = dm_chat::parse_event(&dm_chat::b64::encode(&b));
            let _ = dm_chat::parse_event(&String::from_utf8_lossy(&b));
            Ok(())
        },
    );
}

#[test]
fn mutated_chat_events_never_panic_and_never_open_to_other_text() {
    let (event, keys, dir) = chat_fixture();
    let n = event.len();
    // Each mutation: (position, kind: 0 flip / 1 truncate / 2 insert / 3 delete, byte).
    let mutation = (0..n, 0u8..4, any::<u8>());
    check(
        "chat_mutated_events",
        proptest::collection::vec(mutation, 1..4),
        move |ms| {
            let mut b = event.clone();
            for (at, kind, byte) in ms {
                let at = at.min(b.len());
                match kind {
                    0 if at < b.len() => b[at] ^= byte | 1,
                    1 => b.truncate(at),
                    2 => b.insert(at, byte),
                    _ if at < b.len() => {
                        b.remove(at);
                    }
                    _ => {}
                }
            }
            if let Ok(ev) = dm_chat::parse_event(&dm_chat::b64::encode(&b))
                && let Ok(m) = keys.open_message(&ev, "2244994945", &dir)
            {
                // Only a change that leaves the signed content intact can still open.
                prop_assert_eq!(m.text(), Some("the genuine text"));
                prop_assert_eq!(m.sender_id.as_str(), "783214");
            }
            Ok(())
        },
    );
}
