//! Loading a dataset from JSON (and exporting one to the same format).
//!
//! The format: `{"me": "<user id>", "now": "<RFC 3339>"?, "users": [User...],
//! "events": [DmEvent with all fields...], "tweets": [Tweet...], "unavailable_tweets": ["<id>"...],
//! "media": [Media...]}`. Objects are the API's own shapes; events need `id`, `event_type` and
//! `dm_conversation_id`.

use serde_json::{Map, Value, json};

use super::{ConvRec, EventRec, Kind, MULTI, MediaRec, NONE, Store, TweetRec, UserRec};
use crate::clock::{DEFAULT_NOW_MS, format_ms, parse_ms, snowflake_ms};

/// A dataset file that could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read dataset file: {0}")]
    Io(#[from] std::io::Error),
    /// The file is not JSON.
    #[error("dataset is not valid JSON at `{path}`: {message}")]
    Json {
        /// JSON path of the failure.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The JSON does not describe a dataset.
    #[error("invalid dataset at `{path}`: {message}")]
    Invalid {
        /// JSON path of the bad value.
        path: String,
        /// What is wrong with it.
        message: String,
    },
}

fn invalid(path: impl Into<String>, message: impl Into<String>) -> LoadError {
    LoadError::Invalid {
        path: path.into(),
        message: message.into(),
    }
}

fn id_at(v: &Value, key: &str, path: &str) -> Result<u64, LoadError> {
    let s = v
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(format!("{path}.{key}"), "expected a string id"))?;
    if s.is_empty() || s.len() > 19 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(
            format!("{path}.{key}"),
            format!("`{s}` does not match ^[0-9]{{1,19}}$"),
        ));
    }
    s.parse()
        .map_err(|_| invalid(format!("{path}.{key}"), "id out of range"))
}

fn array<'a>(root: &'a Value, key: &str) -> &'a [Value] {
    root.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Parses a dataset from JSON bytes.
pub(crate) fn load(bytes: &[u8]) -> Result<Store, LoadError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let root: Value = parse_value(de)?;
    let now_ms = match root.get("now").and_then(Value::as_str) {
        Some(s) => parse_ms(s).ok_or_else(|| invalid("now", "expected an RFC 3339 timestamp"))?,
        None => DEFAULT_NOW_MS,
    };
    let mut s = Store::empty(now_ms);
    for (i, u) in array(&root, "users").iter().enumerate() {
        let path = format!("users[{i}]");
        let id = id_at(u, "id", &path)?;
        let profile = u
            .as_object()
            .cloned()
            .ok_or_else(|| invalid(&path, "expected an object"))?;
        for key in ["name", "username"] {
            if !profile.get(key).is_some_and(Value::is_string) {
                return Err(invalid(format!("{path}.{key}"), "required string missing"));
            }
        }
        s.user_by_id.insert(id, s.users.len() as u32);
        s.users.push(UserRec { id, profile });
    }
    let me = root
        .get("me")
        .and_then(Value::as_str)
        .and_then(|m| m.parse::<u64>().ok())
        .ok_or_else(|| invalid("me", "expected the authenticated user's id"))?;
    s.me = s.user_or_create(me);
    let unavailable: Vec<&str> = array(&root, "unavailable_tweets")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for (i, t) in array(&root, "tweets").iter().enumerate() {
        let id = id_at(t, "id", &format!("tweets[{i}]"))?;
        let object = t.as_object().cloned().unwrap_or_default();
        s.tweet_by_id.insert(id, s.tweets.len() as u32);
        s.tweets.push(TweetRec {
            id,
            available: true,
            object,
        });
    }
    for u in unavailable {
        let id: u64 = u
            .parse()
            .map_err(|_| invalid("unavailable_tweets", format!("bad id `{u}`")))?;
        if let Some(i) = s.tweet_by_id.get(&id) {
            if let Some(t) = s.tweets.get_mut(*i as usize) {
                t.available = false;
            }
        } else {
            s.tweet_by_id.insert(id, s.tweets.len() as u32);
            s.tweets.push(TweetRec {
                id,
                available: false,
                object: Map::new(),
            });
        }
    }
    let mut media_by_key = std::collections::HashMap::new();
    for (i, m) in array(&root, "media").iter().enumerate() {
        let key = m
            .get("media_key")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid(format!("media[{i}].media_key"), "required"))?;
        let media_id = key
            .rsplit('_')
            .next()
            .and_then(|x| x.parse().ok())
            .ok_or_else(|| {
                invalid(
                    format!("media[{i}].media_key"),
                    "expected ^([0-9]+)_([0-9]+)$",
                )
            })?;
        media_by_key.insert(key.to_owned(), s.media.len() as u32);
        s.media.push(MediaRec {
            media_id,
            kind: 0,
            width: 0,
            height: 0,
            duration_ms: 0,
            raw: m.as_object().cloned().map(Box::new),
        });
    }
    let mut events: Vec<(usize, &Value, u64)> = Vec::new();
    for (i, e) in array(&root, "events").iter().enumerate() {
        events.push((i, e, id_at(e, "id", &format!("events[{i}]"))?));
    }
    events.sort_by_key(|x| x.2);
    for (i, e, id) in events {
        let path = format!("events[{i}]");
        let kind = e
            .get("event_type")
            .and_then(Value::as_str)
            .and_then(Kind::from_wire)
            .ok_or_else(|| {
                invalid(
                    format!("{path}.event_type"),
                    "expected MessageCreate, ParticipantsJoin or ParticipantsLeave",
                )
            })?;
        let conv_id = e
            .get("dm_conversation_id")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid(format!("{path}.dm_conversation_id"), "required"))?
            .to_owned();
        let conv = match s.conv_by_id.get(&conv_id) {
            Some(c) => *c,
            None => {
                let idx = s.convs.len() as u32;
                let mut members = Vec::new();
                if let Some((a, b)) = conv_id.split_once('-') {
                    for part in [a, b] {
                        let uid = part.parse().map_err(|_| {
                            invalid(format!("{path}.dm_conversation_id"), "bad conversation id")
                        })?;
                        members.push(s.user_or_create(uid));
                    }
                } else {
                    members.push(s.me);
                }
                s.convs.push(ConvRec {
                    id: conv_id.clone(),
                    group: !conv_id.contains('-'),
                    members,
                    events: Vec::new(),
                });
                s.conv_by_id.insert(conv_id, idx);
                idx
            }
        };
        let mut rec = EventRec {
            id,
            conv,
            sender: NONE,
            text: NONE,
            people: NONE,
            media: NONE,
            tweet: NONE,
            kind,
            deleted: false,
        };
        if e.get("sender_id").is_some() {
            rec.sender = s.user_or_create(id_at(e, "sender_id", &path)?);
        }
        if let Some(t) = e.get("text").and_then(Value::as_str) {
            rec.text = s.custom_text(t.to_owned());
        }
        let ids: Vec<u64> = e
            .get("participant_ids")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|v| v.as_str()?.parse().ok()).collect())
            .unwrap_or_default();
        let people: Vec<u32> = ids.into_iter().map(|p| s.user_or_create(p)).collect();
        match people.as_slice() {
            [] => {}
            [one] => rec.people = *one,
            _ => {
                rec.people = MULTI | s.people.len() as u32;
                s.people.push(people.clone());
            }
        }
        if let Some(cv) = s.convs.get_mut(conv as usize) {
            for p in people.iter().chain(std::iter::once(&rec.sender)) {
                if *p != NONE && !cv.members.contains(p) && kind != Kind::Leave {
                    cv.members.push(*p);
                }
            }
            if kind == Kind::Leave {
                cv.members.retain(|m| !people.contains(m));
            }
        }
        if let Some(key) = e
            .pointer("/attachments/media_keys/0")
            .and_then(Value::as_str)
        {
            rec.media = match media_by_key.get(key) {
                Some(m) => *m,
                None => {
                    let media_id = key
                        .rsplit('_')
                        .next()
                        .and_then(|x| x.parse().ok())
                        .unwrap_or(0);
                    let idx = s.media.len() as u32;
                    s.media.push(MediaRec {
                        media_id,
                        kind: 0,
                        width: 0,
                        height: 0,
                        duration_ms: 0,
                        raw: Some(Box::new(
                            json!({"media_key": key, "type": "photo"})
                                .as_object()
                                .cloned()
                                .unwrap_or_default(),
                        )),
                    });
                    media_by_key.insert(key.to_owned(), idx);
                    idx
                }
            };
        }
        let tweet = e
            .pointer("/referenced_tweets/0/id")
            .or_else(|| e.pointer("/referenced_posts/0/id"))
            .and_then(Value::as_str);
        if let Some(t) = tweet.and_then(|t| t.parse::<u64>().ok()) {
            rec.tweet = match s.tweet_by_id.get(&t) {
                Some(i) => *i,
                None => {
                    let idx = s.tweets.len() as u32;
                    s.tweets.push(TweetRec { id: t, available: true, object: json!({"id": t.to_string(), "text": "", "edit_history_tweet_ids": [t.to_string()]}).as_object().cloned().unwrap_or_default() });
                    s.tweet_by_id.insert(t, idx);
                    idx
                }
            };
        }
        if let Some(c) = e.get("created_at").and_then(Value::as_str) {
            let ms = parse_ms(c).ok_or_else(|| {
                invalid(
                    format!("{path}.created_at"),
                    "expected an RFC 3339 timestamp",
                )
            })?;
            if ms != snowflake_ms(id) {
                s.created_override.insert(id, ms);
            }
        }
        s.push_event(rec);
    }
    Ok(s)
}

fn parse_value(
    de: &mut serde_json::Deserializer<serde_json::de::SliceRead<'_>>,
) -> Result<Value, LoadError> {
    use serde::Deserialize;
    Value::deserialize(de).map_err(|e| LoadError::Json {
        path: format!("line {} column {}", e.line(), e.column()),
        message: e.to_string(),
    })
}

impl Store {
    /// Exports the dataset in the loadable format (events newest first, with every field).
    pub(crate) fn export(&self) -> Value {
        let events: Vec<Value> = self
            .events
            .iter()
            .rev()
            .filter(|e| !e.deleted)
            .map(|e| Value::Object(self.event_full(e)))
            .collect();
        let users: Vec<Value> = self
            .users
            .iter()
            .map(|u| Value::Object(u.profile.clone()))
            .collect();
        let tweets: Vec<Value> = self
            .tweets
            .iter()
            .filter(|t| !t.object.is_empty())
            .map(|t| Value::Object(t.object.clone()))
            .collect();
        let unavailable: Vec<String> = self
            .tweets
            .iter()
            .filter(|t| !t.available)
            .map(|t| t.id.to_string())
            .collect();
        let media: Vec<Value> = self
            .media
            .iter()
            .map(|m| Value::Object(self.media_full(m)))
            .collect();
        json!({
            "me": self.me_id().to_string(),
            "now": format_ms(self.now_ms),
            "users": users,
            "events": events,
            "tweets": tweets,
            "unavailable_tweets": unavailable,
            "media": media,
        })
    }
}
