//! Test data: events built from JSON, and the recorded exchanges and reference examples kept
//! in the repository (`tests/data/recorded-dm-exchanges.json`, dm-model's
//! `tests/data/reference/`).

use dm_model::{DmEvent, DmEventsPage, Includes, User};
use dm_store::Batch;
use serde_json::{Value, json};

const RECORDED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/data/recorded-dm-exchanges.json"
);
const REFERENCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../dm-model/tests/data/reference"
);

/// `2024-01-01T00:00:00.000Z` plus `minute` minutes, in the API's spelling.
pub fn at(minute: i64) -> String {
    let t = time::macros::datetime!(2024-01-01 0:00 UTC) + time::Duration::minutes(minute);
    dm_model::Timestamp::from_datetime(t).to_string()
}

/// The instant of [`at`].
pub fn instant(minute: i64) -> time::OffsetDateTime {
    time::macros::datetime!(2024-01-01 0:00 UTC) + time::Duration::minutes(minute)
}

/// Decodes an event.
pub fn event(v: Value) -> DmEvent {
    serde_json::from_value(v).expect("a valid event")
}

/// A message `id` in `conversation` from `sender` at minute `minute`.
pub fn msg(id: u64, conversation: &str, sender: &str, text: &str, minute: i64) -> DmEvent {
    event(json!({
        "id": id.to_string(), "event_type": "MessageCreate", "text": text,
        "sender_id": sender, "dm_conversation_id": conversation, "created_at": at(minute),
    }))
}

/// `participants` joining group `conversation`, added by `inviter`.
pub fn join(
    id: u64,
    conversation: &str,
    inviter: &str,
    participants: &[&str],
    minute: i64,
) -> DmEvent {
    event(json!({
        "id": id.to_string(), "event_type": "ParticipantsJoin", "sender_id": inviter,
        "participant_ids": participants, "dm_conversation_id": conversation,
        "created_at": at(minute),
    }))
}

/// A user.
pub fn user(id: &str, name: &str, username: &str) -> User {
    serde_json::from_value(json!({"id": id, "name": name, "username": username})).expect("user")
}

/// Includes holding `users`.
pub fn includes(users: &[User]) -> Includes {
    let mut i = Includes::default();
    i.users = users.to_vec();
    i
}

/// A batch of `events`, each with its references from `includes`.
pub fn batch(events: &[DmEvent], includes: &Includes) -> Batch {
    let mut b = Batch::new();
    for e in events {
        b.push(e, includes).expect("encode");
    }
    b
}

/// Every page of events among the recorded exchanges and the reference examples, as
/// `(name, page JSON)`; single reference events are wrapped as a one-event page.
pub fn lossless_corpus() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let text = std::fs::read_to_string(RECORDED).expect("recorded exchanges");
    let exchanges: Vec<Value> = serde_json::from_str(&text).expect("recorded JSON");
    for (i, x) in exchanges.iter().enumerate() {
        if x["method"] == "GET" && x["body"]["data"].is_array() {
            out.push((format!("recorded exchange {i}"), x["body"].clone()));
        }
    }
    let mut files: Vec<_> = std::fs::read_dir(REFERENCE)
        .expect("reference examples")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if v["data"].is_array() {
            out.push((name, v));
        } else if v["event_type"].is_string() {
            out.push((name, json!({"data": [v]})));
        }
    }
    out
}

/// Decodes a page.
pub fn page(v: &Value) -> DmEventsPage {
    dm_model::decode(&serde_json::to_vec(v).unwrap()).expect("a valid page")
}
