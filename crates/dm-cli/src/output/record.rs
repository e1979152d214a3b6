//! The JSONL record of an event: the event exactly as the API sent it (every member, unknown
//! ones included), with the objects it references from the page's `includes` embedded under
//! `"includes"`.

use dm_stream::ResolvedEvent;
use serde_json::{Map, Value};

/// The record of one event (see the module docs).
pub(crate) fn event_record(event: &ResolvedEvent) -> Value {
    let mut object = match serde_json::to_value(event.event()) {
        Ok(Value::Object(map)) => map,
        // A `DmEvent` always serializes to an object; keep the invariant without panicking.
        Ok(other) => {
            let mut m = Map::new();
            m.insert("event".into(), other);
            m
        }
        Err(e) => {
            let mut m = Map::new();
            m.insert("error".into(), Value::String(e.to_string()));
            m
        }
    };
    let includes = referenced_includes(event);
    if !includes.is_empty() {
        object.insert("includes".into(), Value::Object(includes));
    }
    Value::Object(object)
}

/// The users, Posts and media `event` references, from its page's `includes`.
fn referenced_includes(event: &ResolvedEvent) -> Map<String, Value> {
    let mut users: Vec<Value> = Vec::new();
    let mut seen = Vec::new();
    for user in event.sender().into_iter().chain(event.participants()) {
        if !seen.contains(&&user.id) {
            seen.push(&user.id);
            users.extend(serde_json::to_value(user).ok());
        }
    }
    let tweets: Vec<Value> = event
        .referenced_tweets()
        .filter_map(|t| serde_json::to_value(t).ok())
        .collect();
    let media: Vec<Value> = event
        .media()
        .filter_map(|m| serde_json::to_value(m).ok())
        .collect();
    let mut includes = Map::new();
    if !users.is_empty() {
        includes.insert("users".into(), Value::Array(users));
    }
    if !tweets.is_empty() {
        let key = if event.includes().tweets_as_posts() {
            "posts"
        } else {
            "tweets"
        };
        includes.insert(key.into(), Value::Array(tweets));
    }
    if !media.is_empty() {
        includes.insert("media".into(), Value::Array(media));
    }
    includes
}
