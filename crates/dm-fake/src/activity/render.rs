//! Renders a stored message as the real-time payloads: the v1.1 `message_create` object,
//! the X Activity API envelope (`dm.received` / `dm.sent`, users as v2 objects wrapped in
//! `data`) and the Account Activity body (users as v1.1 objects).

use serde_json::{Map, Value, json};

use crate::clock::parse_ms;
use crate::dataset::{EventRec, Kind, NONE, Store};

/// A message, ready to be rendered for each subscription that matches it.
pub(crate) struct Message {
    pub sender: u64,
    pub recipient: u64,
    /// The v1.1 `direct_message_events` element.
    pub event: Value,
    /// The sender's and recipient's v2 profiles.
    pub users: Vec<(u64, Map<String, Value>)>,
}

/// The message of `e`, when it is a message in a one-to-one conversation (the v1.1 object
/// names one recipient: group messages are not delivered, as for the Account Activity API).
pub(crate) fn message(store: &Store, e: &EventRec) -> Option<Message> {
    if e.kind != Kind::Message || e.deleted || e.sender == NONE {
        return None;
    }
    let conv = store.convs.get(e.conv as usize)?;
    if conv.group {
        return None;
    }
    let other = conv.members.iter().copied().find(|m| *m != e.sender)?;
    let sender = store.user_id(e.sender);
    let recipient = store.user_id(other);
    let v2 = store.event_full(e);
    let mut data = Map::new();
    if let Some(text) = v2.get("text") {
        data.insert("text".into(), text.clone());
    }
    data.insert(
        "entities".into(),
        legacy_entities(store, v2.get("entities")),
    );
    if let Some(m) = store.media.get(e.media as usize) {
        let full = store.media_full(m);
        let url = full
            .get("url")
            .or_else(|| full.get("preview_image_url"))
            .cloned()
            .unwrap_or(Value::Null);
        data.insert(
            "attachment".into(),
            json!({"type": "media", "media": {
                "id": m.media_id, "id_str": m.media_id.to_string(),
                "media_url_https": url, "type": full.get("type").cloned().unwrap_or(json!("photo")),
            }}),
        );
    }
    let event = json!({
        "type": "message_create",
        "id": e.id.to_string(),
        "created_timestamp": store.created_ms(e).to_string(),
        "message_create": {
            "target": {"recipient_id": recipient.to_string()},
            "sender_id": sender.to_string(),
            "message_data": Value::Object(data),
        },
    });
    let profile = |idx: u32| {
        store
            .users
            .get(idx as usize)
            .map(|u| (u.id, u.profile.clone()))
    };
    let users = [profile(e.sender), profile(other)]
        .into_iter()
        .flatten()
        .collect();
    Some(Message {
        sender,
        recipient,
        event,
        users,
    })
}

/// v2 entities (`start`/`end`) as v1.1 entities (`indices`), with every array present.
fn legacy_entities(store: &Store, v2: Option<&Value>) -> Value {
    let list = |k: &str| {
        v2.and_then(|e| e.get(k))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let indices = |e: &Value| json!([e.get("start"), e.get("end")]);
    let tags = |k: &str| -> Vec<Value> {
        list(k)
            .iter()
            .map(|h| json!({"text": h.get("tag"), "indices": indices(h)}))
            .collect()
    };
    let mentions: Vec<Value> = list("mentions")
        .iter()
        .map(|m| {
            let name = m.get("username").and_then(Value::as_str).unwrap_or("");
            let mut o = json!({"screen_name": name, "indices": indices(m)});
            if let Some(u) = store.users.iter().find(|u| {
                u.profile
                    .get("username")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            }) {
                o["id"] = json!(u.id);
                o["id_str"] = json!(u.id.to_string());
                o["name"] = u.profile.get("name").cloned().unwrap_or(Value::Null);
            }
            o
        })
        .collect();
    let urls: Vec<Value> = list("urls")
        .iter()
        .map(|u| {
            json!({"url": u.get("url"), "expanded_url": u.get("expanded_url"),
                   "display_url": u.get("display_url"), "indices": indices(u)})
        })
        .collect();
    json!({"hashtags": tags("hashtags"), "symbols": tags("cashtags"), "user_mentions": mentions, "urls": urls})
}

/// A v2 profile as the X Activity API sends it: with `*_str` twins of the counts.
fn xaa_user(profile: &Map<String, Value>) -> Value {
    let mut p = profile.clone();
    if let Some(Value::Object(m)) = p.get_mut("public_metrics") {
        let twins: Vec<(String, Value)> = m
            .iter()
            .filter_map(|(k, v)| {
                v.as_u64()
                    .map(|n| (format!("{k}_str"), json!(n.to_string())))
            })
            .collect();
        m.extend(twins);
    }
    json!({"data": p})
}

/// A v2 profile as a v1.1 user object (the Account Activity `users` values).
fn v1_user(id: u64, p: &Map<String, Value>) -> Value {
    let metric = |k: &str| p.get("public_metrics").and_then(|m| m.get(k)).cloned();
    let mut o = json!({
        "id": id.to_string(),
        "name": p.get("name"),
        "screen_name": p.get("username"),
        "protected": p.get("protected").cloned().unwrap_or(json!(false)),
        "verified": p.get("verified").cloned().unwrap_or(json!(false)),
        "followers_count": metric("followers_count").unwrap_or(json!(0)),
        "friends_count": metric("following_count").unwrap_or(json!(0)),
        "statuses_count": metric("tweet_count").unwrap_or(json!(0)),
    });
    for (from, to) in [
        ("location", "location"),
        ("description", "description"),
        ("url", "url"),
        ("profile_image_url", "profile_image_url_https"),
    ] {
        if let Some(v) = p.get(from) {
            o[to] = v.clone();
        }
    }
    if let Some(ms) = p
        .get("created_at")
        .and_then(Value::as_str)
        .and_then(parse_ms)
    {
        o["created_timestamp"] = json!(ms.to_string());
    }
    o
}

/// The X Activity API event (`{"data": {..}}`) of `m` for one subscription.
pub(crate) fn xaa_event(
    m: &Message,
    uuid: &str,
    event_type: &str,
    user_id: &str,
    tag: Option<&str>,
) -> Value {
    let users: Map<String, Value> = m
        .users
        .iter()
        .map(|(id, p)| (id.to_string(), xaa_user(p)))
        .collect();
    let mut data = json!({
        "event_uuid": uuid,
        "filter": {"user_id": user_id},
        "event_type": event_type,
        "payload": {"direct_message_events": [m.event.clone()], "users": users},
    });
    if let Some(t) = tag {
        data["tag"] = json!(t);
    }
    json!({ "data": data })
}

/// The Account Activity body of `m` for a subscribed user.
pub(crate) fn aaa_body(m: &Message, for_user: u64) -> Value {
    let users: Map<String, Value> = m
        .users
        .iter()
        .map(|(id, p)| (id.to_string(), v1_user(*id, p)))
        .collect();
    json!({
        "for_user_id": for_user.to_string(),
        "direct_message_events": [m.event.clone()],
        "users": users,
    })
}
