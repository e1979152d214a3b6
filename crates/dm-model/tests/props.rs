//! Property tests with strategies drawn from the spec's id patterns and enums.

use dm_model::record::{RecordWriter, record_value};
use dm_model::{
    DmConversationId, DmEventField, DmEventsPage, EventType, Expansion, MediaField, MediaKey,
    TweetField, UserField, UserId, decode, parse_error_body,
};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// `^[0-9]{1,19}$`
fn numeric_id() -> impl Strategy<Value = String> {
    "[0-9]{1,19}"
}

/// `^([0-9]+)_([0-9]+)$`
fn media_key() -> impl Strategy<Value = String> {
    "[0-9]{1,3}_[0-9]{1,19}"
}

fn timestamp() -> impl Strategy<Value = String> {
    (
        1970i32..2100,
        1u8..=12,
        1u8..=28,
        0u8..24,
        0u8..60,
        0u8..60,
        prop::option::of(0u16..1000),
    )
        .prop_map(|(y, mo, d, h, mi, s, ms)| match ms {
            Some(ms) => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z"),
            None => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}+01:00"),
        })
}

fn event_type() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(EventType::ALL).prop_map(|t| t.as_str().to_owned()),
        1 => "[A-Z][a-zA-Z]{1,20}",
    ]
}

/// An arbitrary JSON value for unknown members.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[ -~]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z]{1,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Unknown members, with names no object models.
fn unknown_members() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map("zz_[a-z]{1,8}", any_json(), 0..3)
        .prop_map(|m| m.into_iter().collect())
}

fn url_entity() -> impl Strategy<Value = Value> {
    (0u32..100, 0u32..100, "https://t\\.co/[a-zA-Z0-9]{4,10}").prop_map(
        |(s, e, u)| json!({"start": s, "end": e, "url": u, "expanded_url": "https://x.com"}),
    )
}

/// A DM event as the API could send it: any subset of the documented members, entities nested
/// or flat, `referenced_tweets` or `referenced_posts`, plus unknown members.
fn event() -> impl Strategy<Value = Value> {
    (
        numeric_id(),
        event_type(),
        prop::option::of("[ -~]{0,40}"),
        prop::option::of(prop_oneof![
            (numeric_id(), numeric_id()).prop_map(|(a, b)| format!("{a}-{b}")),
            "[0-9]{15,19}",
        ]),
        prop::option::of(timestamp()),
        prop::option::of(numeric_id()),
        prop::collection::vec(numeric_id(), 0..3),
        prop::option::of(prop::collection::vec(media_key(), 1..2)),
        (prop::collection::vec(numeric_id(), 0..2), any::<bool>()),
        (prop::collection::vec(url_entity(), 0..2), any::<bool>()),
        unknown_members(),
    )
        .prop_map(
            |(
                id,
                et,
                text,
                conv,
                created,
                sender,
                parts,
                media,
                (refs, posts),
                (urls, nested),
                unknown,
            )| {
                let mut e = Map::new();
                e.insert("id".into(), id.into());
                e.insert("event_type".into(), et.into());
                if let Some(t) = text {
                    e.insert("text".into(), t.into());
                }
                if let Some(c) = conv {
                    e.insert("dm_conversation_id".into(), c.into());
                }
                if let Some(c) = created {
                    e.insert("created_at".into(), c.into());
                }
                if let Some(s) = sender {
                    e.insert("sender_id".into(), s.into());
                }
                if !parts.is_empty() {
                    e.insert("participant_ids".into(), parts.into());
                }
                if let Some(m) = media {
                    e.insert("attachments".into(), json!({ "media_keys": m }));
                }
                if !refs.is_empty() {
                    let key = if posts {
                        "referenced_posts"
                    } else {
                        "referenced_tweets"
                    };
                    let list: Vec<Value> = refs.into_iter().map(|id| json!({ "id": id })).collect();
                    e.insert(key.into(), list.into());
                }
                if !urls.is_empty() {
                    if nested {
                        e.insert("entities".into(), json!({ "urls": urls }));
                    } else {
                        e.insert("urls".into(), urls.into());
                    }
                }
                e.extend(unknown);
                Value::Object(e)
            },
        )
}

fn page() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(event(), 0..6),
        prop::collection::vec((numeric_id(), "[a-zA-Z0-9_]{1,15}", unknown_members()), 0..3),
        prop::collection::vec((media_key(), prop::sample::select(vec!["photo", "video", "animated_gif", "audio"])), 0..3),
        prop::option::of("[0-9A-Z]{16,24}"),
        unknown_members(),
    )
        .prop_map(|(events, users, media, next, unknown)| {
            let mut p = Map::new();
            if !events.is_empty() {
                p.insert("data".into(), events.into());
            }
            let mut includes = Map::new();
            if !users.is_empty() {
                let users: Vec<Value> = users
                    .into_iter()
                    .map(|(id, name, extra)| {
                        let mut u = Map::new();
                        u.insert("id".into(), id.into());
                        u.insert("username".into(), name.into());
                        u.extend(extra);
                        Value::Object(u)
                    })
                    .collect();
                includes.insert("users".into(), users.into());
            }
            if !media.is_empty() {
                let media: Vec<Value> = media
                    .into_iter()
                    .map(|(k, t)| json!({"media_key": k, "type": t, "zz_new": {"x": 1}}))
                    .collect();
                includes.insert("media".into(), media.into());
            }
            if !includes.is_empty() {
                p.insert("includes".into(), includes.into());
            }
            let mut meta = json!({"result_count": p.get("data").and_then(Value::as_array).map_or(0, Vec::len)});
            if let Some(n) = next {
                meta["next_token"] = n.into();
            }
            p.insert("meta".into(), meta);
            p.extend(unknown);
            Value::Object(p)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn pages_round_trip(body in page()) {
        let bytes = serde_json::to_vec(&body).unwrap();
        let page: DmEventsPage = decode(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(serde_json::to_value(&page).unwrap(), body.clone());
        // And model -> JSON -> model gives the same model.
        let again: DmEventsPage = decode(&serde_json::to_vec(&page).unwrap()).unwrap();
        prop_assert_eq!(&again, &page);
        // Unknown event types and members are kept.
        for (typed, raw) in page.data.iter().zip(body["data"].as_array().into_iter().flatten()) {
            prop_assert_eq!(typed.event_type.as_str(), raw["event_type"].as_str().unwrap());
            for (k, v) in raw.as_object().unwrap().iter().filter(|(k, _)| k.starts_with("zz_")) {
                prop_assert_eq!(typed.extra.get(k), Some(v));
            }
        }
    }

    #[test]
    fn records_render_like_their_value(body in page(), extra in any_json()) {
        let mut page: DmEventsPage = decode(&serde_json::to_vec(&body).unwrap()).unwrap();
        // Unknown members of any shape, sorted or not, on every event.
        for event in &mut page.data {
            event.extra.insert("zz_any".into(), extra.clone());
        }
        let mut writer = RecordWriter::new();
        for event in &page.data {
            prop_assert_eq!(writer.to_line(event, &page.includes), record_value(event, &page.includes).to_string());
        }
    }

    #[test]
    fn numeric_ids_parse_and_display(s in numeric_id()) {
        let id: UserId = s.parse().unwrap();
        prop_assert_eq!(id.to_string(), s.clone());
        prop_assert_eq!(id.as_u64(), s.parse::<u64>().unwrap());
        prop_assert_eq!(serde_json::to_value(&id).unwrap(), Value::String(s.clone()));
        let back: UserId = decode(serde_json::to_string(&s).unwrap().as_bytes()).unwrap();
        prop_assert_eq!(back, id);
    }

    #[test]
    fn invalid_ids_are_rejected(s in "[0-9]{0,3}[^0-9][ -~]{0,5}|[0-9]{20,24}|") {
        let err = s.parse::<UserId>().unwrap_err();
        prop_assert_eq!(err.kind, "UserId");
        prop_assert_eq!(err.pattern, "^[0-9]{1,19}$");
        prop_assert!(decode::<UserId>(serde_json::to_string(&s).unwrap().as_bytes()).is_err());
        prop_assert!(s.parse::<DmConversationId>().is_err() || s.contains('-'));
    }

    #[test]
    fn conversation_ids(a in numeric_id(), b in numeric_id(), g in "[0-9]{15,19}") {
        let (a, b): (UserId, UserId) = (a.parse().unwrap(), b.parse().unwrap());
        let id = DmConversationId::one_to_one(&a, &b);
        prop_assert!(!id.is_group());
        prop_assert_eq!(&id, &DmConversationId::one_to_one(&b, &a));
        let reparsed: DmConversationId = id.as_str().parse().unwrap();
        prop_assert_eq!(&reparsed, &id);
        match id.kind() {
            dm_model::ConversationKind::OneToOne { low, high } => prop_assert!(low.as_u64() <= high.as_u64()),
            dm_model::ConversationKind::Group => prop_assert!(false, "not a group"),
            _ => prop_assert!(false, "unexpected kind"),
        }
        prop_assert!(g.parse::<DmConversationId>().unwrap().is_group());
    }

    #[test]
    fn media_keys(k in media_key()) {
        let key: MediaKey = k.parse().unwrap();
        prop_assert_eq!(key.as_str(), k.as_str());
        let bad = format!("{}_", k);
        prop_assert!(bad.parse::<MediaKey>().is_err());
    }

    #[test]
    fn field_enums_round_trip(
        f in prop::sample::select(DmEventField::ALL),
        x in prop::sample::select(Expansion::ALL),
        u in prop::sample::select(UserField::ALL),
        t in prop::sample::select(TweetField::ALL),
        m in prop::sample::select(MediaField::ALL),
        other in "[a-z_.]{1,20}",
    ) {
        prop_assert_eq!(f.as_str().parse::<DmEventField>().unwrap(), f.clone());
        prop_assert_eq!(x.as_str().parse::<Expansion>().unwrap(), x.clone());
        prop_assert_eq!(u.as_str().parse::<UserField>().unwrap(), u.clone());
        prop_assert_eq!(t.as_str().parse::<TweetField>().unwrap(), t.clone());
        prop_assert_eq!(m.as_str().parse::<MediaField>().unwrap(), m.clone());
        prop_assert_eq!(DmEventField::other(f.as_str()), f);
        let o = TweetField::other(other.clone());
        prop_assert_eq!(o.is_known(), other.parse::<TweetField>().is_ok());
        let decoded: TweetField = decode(serde_json::to_string(&other).unwrap().as_bytes()).unwrap();
        prop_assert_eq!(&decoded, &o);
        prop_assert_eq!(decoded.as_str(), other.as_str());
    }

    #[test]
    fn decode_errors_name_the_failing_event(body in page(), bad in "[a-z]{1,8}", which in any::<prop::sample::Index>(), field in prop::sample::select(vec!["created_at", "sender_id", "id", "dm_conversation_id"])) {
        let mut body = body;
        let Some(events) = body.get_mut("data").and_then(Value::as_array_mut) else {
            return Ok(());
        };
        let i = which.index(events.len());
        events[i][field] = Value::String(bad);
        let err = decode::<DmEventsPage>(serde_json::to_vec(&body).unwrap().as_slice()).unwrap_err();
        let expected = format!("data[{i}].{field}");
        prop_assert_eq!(err.path(), expected.as_str());
    }

    #[test]
    fn truncated_pages_fail_cleanly(body in page(), cut in any::<prop::sample::Index>()) {
        let bytes = serde_json::to_vec(&body).unwrap();
        let n = cut.index(bytes.len());
        let err = decode::<DmEventsPage>(&bytes[..n]).unwrap_err();
        prop_assert!(err.is_eof(), "{}", err);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = decode::<DmEventsPage>(&bytes);
        let _ = decode::<dm_model::DmEventResponse>(&bytes);
        let _ = decode::<dm_model::MessageRequest>(&bytes);
        let _ = parse_error_body(&bytes);
    }

    #[test]
    fn arbitrary_json_never_panics(v in any_json()) {
        let bytes = serde_json::to_vec(&v).unwrap();
        let _ = decode::<DmEventsPage>(&bytes);
        let _ = decode::<dm_model::Problem>(&bytes);
        for p in parse_error_body(&bytes) {
            let _ = (p.kind(), p.to_string());
        }
    }
}
