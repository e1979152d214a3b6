//! The fast text equals the `Value` text, member order and all.

use serde_json::{Value, json};

use super::canonical::{write_canonical, write_canonical_with_member};
use super::*;
use crate::{DmEventsPage, decode};

fn canonical(v: &Value) -> String {
    let mut out = Vec::new();
    write_canonical(v, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn objects_come_out_sorted_at_every_depth() {
    let v: Value = serde_json::from_str(
        r#"{"z":1,"a":{"y":[{"d":null,"c":true}],"b":"é\n\u0001"},"m":-2.5,"é":0,"A":[]}"#,
    )
    .unwrap();
    assert_eq!(canonical(&v), v.to_string());
}

#[derive(serde::Serialize)]
struct Unsorted {
    zeta: u8,
    alpha: Option<&'static str>,
    mid: Vec<Inner>,
    #[serde(flatten)]
    extra: std::collections::HashMap<String, Value>,
}

#[derive(serde::Serialize)]
struct Inner {
    y: f64,
    x: char,
    unit: (),
}

#[test]
fn struct_fields_and_flattened_maps_sort_like_a_value() {
    let mut extra = std::collections::HashMap::new();
    extra.insert("beta".to_owned(), json!({"k": [1, 2, {"b": 1, "a": 2}]}));
    extra.insert("zeta".to_owned(), json!("replaced by the later key"));
    let v = Unsorted {
        zeta: 7,
        alpha: None,
        mid: vec![Inner {
            y: 1.0,
            x: '"',
            unit: (),
        }],
        extra,
    };
    let mut out = Vec::new();
    write_canonical(&v, &mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        serde_json::to_value(&v).unwrap().to_string()
    );
}

#[test]
fn a_member_is_inserted_in_order_and_replaces_its_namesake() {
    let v = json!({"b": 1, "includes": "old", "z": 2});
    let mut out = Vec::new();
    write_canonical_with_member(
        &v,
        "includes",
        br#"{"users":[]}"#,
        &mut out,
        &mut Default::default(),
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        r#"{"b":1,"includes":{"users":[]},"z":2}"#
    );
}

#[test]
fn non_finite_floats_and_enums_follow_value() {
    #[derive(serde::Serialize)]
    enum E {
        Unit,
        New(u8),
        Tuple(u8, &'static str),
        Struct { z: u8, a: u8 },
    }
    let items = (
        f64::NAN,
        E::Unit,
        E::New(1),
        E::Tuple(2, "x"),
        E::Struct { z: 1, a: 2 },
    );
    let mut out = Vec::new();
    write_canonical(&items, &mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        serde_json::to_value(&items).unwrap().to_string()
    );
}

#[test]
fn what_the_fast_path_does_not_render_is_refused() {
    let mut out = Vec::new();
    assert!(write_canonical(&1u128, &mut out).is_err());
    assert!(write_canonical(&serde_bytes_like(), &mut out).is_err());
    let raw = serde_json::value::RawValue::from_string("{\"b\":1,\"a\":2}".into()).unwrap();
    assert!(write_canonical(&raw, &mut Vec::new()).is_err());
}

fn serde_bytes_like() -> impl serde::Serialize {
    struct Bytes;
    impl serde::Serialize for Bytes {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(b"ab")
        }
    }
    Bytes
}

#[test]
fn records_match_their_value_definition() {
    let page: DmEventsPage = decode(
        br#"{
      "data": [
        {"id": "3", "event_type": "MessageCreate", "text": "shared", "sender_id": "1",
         "referenced_posts": [{"id": "77"}, {"id": "78"}],
         "attachments": {"media_keys": ["3_9", "3_404"]}, "zz_future": {"b": 1, "a": [2]}},
        {"id": "2", "event_type": "ParticipantsJoin", "sender_id": "1",
         "participant_ids": ["2", "1", "404"]},
        {"id": "1", "event_type": "Other", "includes": {"mine": true}}
      ],
      "includes": {
        "users": [{"id": "1", "username": "one", "name": "One"},
                  {"id": "2", "username": "two", "name": "Two", "public_metrics": {"tweet_count": 3}},
                  {"id": "1", "username": "dup"}],
        "posts": [{"id": "77", "text": "a post", "author_id": "2"}],
        "media": [{"media_key": "3_9", "type": "photo", "width": 10, "height": 20}]
      },
      "meta": {"result_count": 3}
    }"#,
    )
    .unwrap();
    let mut writer = RecordWriter::new();
    for event in &page.data {
        let line = writer.to_line(event, &page.includes);
        assert_eq!(line, record_value(event, &page.includes).to_string());
    }
    // Rendered twice from the cache: the same text.
    let again = writer.to_line(&page.data[1], &page.includes);
    assert_eq!(
        again,
        record_value(&page.data[1], &page.includes).to_string()
    );
}

#[test]
fn strings_are_escaped_exactly_as_serde_json_escapes_them() {
    let mut all = String::new();
    for c in (0u32..0x80).chain([0xe9, 0x2028, 0x2029, 0xfeff, 0x1f980]) {
        let c = char::from_u32(c).unwrap();
        all.push(c);
        let one = Value::String(c.to_string());
        assert_eq!(canonical(&one), one.to_string(), "U+{:04X}", c as u32);
    }
    let v = Value::String(all);
    assert_eq!(canonical(&v), v.to_string());
}

#[test]
fn the_escape_check_finds_every_byte_that_needs_escaping_at_every_position() {
    for special in (0u8..0x20).chain([b'"', b'\\']) {
        for len in 1..20 {
            for at in 0..len {
                let mut s = vec![b'a'; len];
                s[at] = special;
                let s = String::from_utf8(s).unwrap();
                let v = Value::String(s);
                assert_eq!(canonical(&v), v.to_string());
            }
        }
    }
    // Bytes from 0x80 up (inside multi-byte characters) never need escaping.
    let v = Value::String("ÿ€😀é".repeat(5));
    assert_eq!(canonical(&v), v.to_string());
}

#[test]
fn the_cache_is_bounded_and_keeps_its_memory_when_it_starts_over() {
    // Pages of users never seen before (a long export): the cache fills, is cleared at
    // `MAX_TEXT` and refills into the memory it had; every record stays exact.
    let page = |n: usize| -> DmEventsPage {
        let id = 1_000_000 + n;
        let name = "x".repeat(2_000);
        serde_json::from_value(json!({
            "data": [{"id": "7", "event_type": "MessageCreate", "text": "hi",
                      "sender_id": id.to_string()}],
            "includes": {"users": [{"id": id.to_string(), "name": name, "username": "u"}],
                         "media": [{"media_key": "3_1", "type": "photo"}]},
            "meta": {"result_count": 1}
        }))
        .unwrap()
    };
    let mut writer = RecordWriter::new();
    let mut capacity = 0;
    let mut cleared = 0;
    for n in 0..2 * Cache::MAX_TEXT / 2_000 + 10 {
        let page = page(n);
        let before = writer.cache.text.len();
        let line = writer.to_line(&page.data[0], &page.includes);
        if n % 997 == 0 {
            assert_eq!(
                line,
                record_value(&page.data[0], &page.includes).to_string()
            );
        }
        if writer.cache.text.len() < before {
            cleared += 1;
            assert_eq!(writer.cache.text.capacity(), capacity, "page {n}");
            assert_eq!(writer.cache.users.len(), 1, "page {n}");
        }
        capacity = writer.cache.text.capacity();
        assert!(
            writer.cache.text.len() <= Cache::MAX_TEXT + 2_100,
            "page {n}"
        );
        // Media are not kept from one page to the next.
        assert!(writer.page_text.len() < 100, "page {n}");
    }
    assert!(cleared >= 1, "the cache never started over");
}
