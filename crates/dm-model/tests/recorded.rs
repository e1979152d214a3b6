//! Every exchange recorded against the live API (`tests/data/recorded-dm-exchanges.json` at the
//! workspace root) decodes into the right envelope and round-trips; request bodies decode into
//! the request body types.

mod common;

use common::round_trip;
use dm_model::{
    CreateDmEventResponse, DmEventsPage, EventKind, GroupConversationRequest, MessageRequest,
};
use serde_json::Value;

const RECORDED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/data/recorded-dm-exchanges.json"
);

#[test]
fn recorded_exchanges_decode_and_round_trip() {
    let text = std::fs::read_to_string(RECORDED).expect("recorded exchanges");
    let exchanges: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(exchanges.len(), 12);
    let (mut pages, mut sends, mut groups, mut events) = (0, 0, 0, 0);
    for (i, x) in exchanges.iter().enumerate() {
        let method = x["method"].as_str().unwrap();
        let uri = x["uri"].as_str().unwrap();
        let what = format!("exchange {i}: {method} {uri}");
        let body = &x["body"];
        // Request bodies are recorded either as a JSON string or as an object.
        let request = match &x["request_body"] {
            Value::String(s) => Some(serde_json::from_str::<Value>(s).unwrap()),
            Value::Null => None,
            v => Some(v.clone()),
        };
        match method {
            "GET" => {
                assert!(uri.ends_with("/dm_events"), "{what}");
                let page: DmEventsPage = round_trip(&what, body);
                assert_eq!(
                    page.meta.result_count,
                    Some(page.data.len() as u32),
                    "{what}"
                );
                for e in &page.data {
                    assert!(
                        matches!(e.kind(), EventKind::Message { text, .. } if text.starts_with("Testing"))
                    );
                    events += 1;
                }
                pages += 1;
            }
            "POST" => {
                let created: CreateDmEventResponse = round_trip(&what, body);
                let data = created.data.expect("data");
                let request = request.expect("POST has a body");
                if uri.ends_with("/2/dm_conversations") {
                    let group: GroupConversationRequest = round_trip(&what, &request);
                    assert_eq!(group.participant_ids().len(), 2);
                    assert!(data.dm_conversation_id.is_group(), "{what}");
                    groups += 1;
                } else {
                    let message: MessageRequest = round_trip(&what, &request);
                    assert!(message.text_str().unwrap().starts_with("Testing"));
                    assert!(!data.dm_conversation_id.is_group(), "{what}");
                }
                sends += 1;
            }
            other => panic!("unexpected method {other}"),
        }
    }
    assert_eq!((pages, sends, groups, events), (6, 6, 2, 8));
}
