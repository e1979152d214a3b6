//! The JSONL record text (`dm_model::record`) equals its `serde_json::Value` definition for
//! every page of the reference, every recorded exchange and generated pages.

use dm_model::record::{RecordWriter, record_value};
use dm_model::{DmEventsPage, decode};
use serde_json::Value;

const REFERENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/reference");
const RECORDED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/data/recorded-dm-exchanges.json"
);

/// Every event of `page` renders to its definition, the cached objects included.
fn check_page(writer: &mut RecordWriter, what: &str, page: &DmEventsPage) -> usize {
    for event in page.data.iter().chain(&page.data) {
        assert_eq!(
            writer.to_line(event, &page.includes),
            record_value(event, &page.includes).to_string(),
            "{what}: event {}",
            event.id
        );
    }
    page.data.len()
}

#[test]
fn reference_pages_and_recorded_exchanges_render_like_their_value() {
    // One writer for every page: objects cached from one page never leak into another.
    let mut writer = RecordWriter::new();
    let mut events = 0;
    for entry in std::fs::read_dir(REFERENCE).expect("reference dir") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.contains("-page-") {
            let page: DmEventsPage = decode(&std::fs::read(&path).unwrap()).unwrap();
            events += check_page(&mut writer, &name, &page);
        }
    }
    let exchanges: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(RECORDED).unwrap()).unwrap();
    for (i, x) in exchanges.iter().enumerate() {
        if x["method"] == "GET" {
            let page: DmEventsPage = serde_json::from_value(x["body"].clone()).unwrap();
            events += check_page(&mut writer, &format!("exchange {i}"), &page);
        }
    }
    assert!(events >= 15, "only {events} events checked");
}

#[test]
fn an_object_that_changed_between_pages_is_rendered_again() {
    let page = |name: &str| -> DmEventsPage {
        let body = serde_json::json!({
            "data": [{"id": "2", "event_type": "MessageCreate", "text": "hi", "sender_id": "9"}],
            "includes": {"users": [{"id": "9", "name": name, "username": "nine"}]},
            "meta": {"result_count": 1}
        });
        serde_json::from_value(body).unwrap()
    };
    let (before, after) = (page("Before"), page("After"));
    let mut writer = RecordWriter::new();
    let first = writer.to_line(&before.data[0], &before.includes);
    let second = writer.to_line(&after.data[0], &after.includes);
    assert!(first.contains("\"Before\""), "{first}");
    assert!(
        second.contains("\"After\"") && !second.contains("Before"),
        "{second}"
    );
    assert_eq!(
        second,
        record_value(&after.data[0], &after.includes).to_string()
    );
}

#[test]
fn wire_objects_write_their_members_in_key_order() {
    // Not needed for correctness (the record writer sorts what is out of order), but it is
    // what keeps rendering cheap: a typed object's own text is already its `Value` text.
    for entry in std::fs::read_dir(REFERENCE).expect("reference dir") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.contains("-page-") {
            continue;
        }
        let page: DmEventsPage = decode(&std::fs::read(&path).unwrap()).unwrap();
        for event in page.data.iter().filter(|e| !e.referenced_as_posts()) {
            let text = serde_json::to_string(event).unwrap();
            assert_eq!(
                text,
                serde_json::to_value(event).unwrap().to_string(),
                "{name}"
            );
        }
        for user in &page.includes.users {
            let text = serde_json::to_string(user).unwrap();
            assert_eq!(
                text,
                serde_json::to_value(user).unwrap().to_string(),
                "{name}"
            );
        }
    }
}

#[test]
fn posts_and_media_of_each_page_are_its_own() {
    // The same ids on two pages, at other positions and with other members: each page's
    // records embed that page's objects.
    let page = |order: [(&str, &str); 2], post: &str| -> DmEventsPage {
        let media: Vec<_> = order
            .iter()
            .map(|(key, kind)| serde_json::json!({"media_key": key, "type": kind}))
            .collect();
        let body = serde_json::json!({
            "data": [
                {"id": "2", "event_type": "MessageCreate", "text": "a", "sender_id": "9",
                 "attachments": {"media_keys": ["3_1"]}, "referenced_tweets": [{"id": "77"}]},
                {"id": "1", "event_type": "MessageCreate", "text": "b", "sender_id": "9",
                 "attachments": {"media_keys": ["3_2", "3_1"]}}
            ],
            "includes": {
                "users": [{"id": "9", "name": "Nine", "username": "nine"}],
                "tweets": [{"id": "77", "text": post}],
                "media": media
            },
            "meta": {"result_count": 2}
        });
        serde_json::from_value(body).unwrap()
    };
    let first = page([("3_1", "photo"), ("3_2", "video")], "first post");
    let second = page([("3_2", "animated_gif"), ("3_1", "video")], "second post");
    let mut writer = RecordWriter::new();
    for (what, page) in [
        ("first", &first),
        ("second", &second),
        ("first again", &first),
    ] {
        assert_eq!(check_page(&mut writer, what, page), 2);
    }
    let line = writer.to_line(&second.data[0], &second.includes);
    assert!(
        line.contains("second post") && line.contains("\"video\"") && !line.contains("photo"),
        "{line}"
    );
}
