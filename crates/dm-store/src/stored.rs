//! [`StoredEvent`]: an event read back, with the objects it references; and the shared code
//! that turns stored rows into it.

use std::collections::{BTreeSet, HashMap};

use dm_model::{DmEvent, Includes};
use serde_json::{Map, Value};

use crate::error::Error;

/// An event read from the store, with exactly the objects it references (its sender, the
/// users who joined or left, its media and Posts) that the store holds, in an [`Includes`]:
/// render it with the same code as an event from the API.
///
/// `event` re-encodes to the JSON value that was received. `includes.users` holds the sender
/// first, then the participants, each once; Posts come back under the spelling they were
/// received with (`tweets` or `posts`).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct StoredEvent {
    /// The event.
    pub event: DmEvent,
    /// The objects it references.
    pub includes: Includes,
    /// Whether `event` was made from X's account archive (no API response held it).
    pub from_archive: bool,
    /// Where its JSON came from: `api`, [`ARCHIVE`](crate::ARCHIVE),
    /// [`REALTIME`](crate::REALTIME) (converted from a real-time delivery), or the name given
    /// with [`Batch::source`](crate::Batch::source).
    pub source: String,
    /// The account archive's own record of the event, when an archive had it (see
    /// [`crate::import`]): kept beside the event, whether its JSON came from the archive or
    /// from the API.
    pub archive: Option<Value>,
}

impl StoredEvent {
    /// The event and its objects.
    pub fn into_parts(self) -> (DmEvent, Includes) {
        (self.event, self.includes)
    }
}

/// An event row as stored.
pub(crate) struct EventJson {
    pub id: String,
    pub json: String,
    pub posts_spelling: bool,
    pub source: String,
    pub archive: Option<String>,
}

/// Ids of the objects some events reference.
#[derive(Default)]
pub(crate) struct Wanted {
    pub users: BTreeSet<String>,
    pub media: BTreeSet<String>,
    pub tweets: BTreeSet<String>,
}

impl Wanted {
    pub(crate) fn of<'a>(events: impl IntoIterator<Item = &'a DmEvent>) -> Wanted {
        let mut w = Wanted::default();
        for e in events {
            for id in e.sender_id.iter().chain(&e.participant_ids) {
                w.users.insert(id.to_string());
            }
            for k in e.media_keys() {
                w.media.insert(k.to_string());
            }
            for t in &e.referenced_tweets {
                w.tweets.insert(t.id.to_string());
            }
        }
        w
    }
}

/// Stored objects by id, as JSON.
#[derive(Default)]
pub(crate) struct Found {
    pub users: HashMap<String, Value>,
    pub media: HashMap<String, Value>,
    pub tweets: HashMap<String, Value>,
}

impl Found {
    /// Parses stored `(id, json)` pairs into `map`.
    pub(crate) fn insert(
        map: &mut HashMap<String, Value>,
        kind: &str,
        id: String,
        json: &str,
    ) -> Result<(), Error> {
        let value: Value =
            serde_json::from_str(json).map_err(|e| Error::corrupt(format!("{kind} {id}"), e))?;
        map.insert(id, value);
        Ok(())
    }
}

/// Decodes stored event rows.
pub(crate) fn decode_events(rows: &[EventJson]) -> Result<Vec<DmEvent>, Error> {
    rows.iter()
        .map(|r| {
            serde_json::from_str(&r.json).map_err(|e| Error::corrupt(format!("event {}", r.id), e))
        })
        .collect()
}

/// The event of `row` with the objects it references from `found`.
pub(crate) fn assemble(
    event: DmEvent,
    row: &EventJson,
    found: &Found,
) -> Result<StoredEvent, Error> {
    let posts_spelling = row.posts_spelling;
    let archive = row
        .archive
        .as_deref()
        .map(|a| {
            serde_json::from_str(a)
                .map_err(|e| Error::corrupt(format!("archive record of event {}", row.id), e))
        })
        .transpose()?;
    let from_archive = crate::batch::is_archive(&row.source);
    let mut users = Vec::new();
    let mut seen = BTreeSet::new();
    for id in event.sender_id.iter().chain(&event.participant_ids) {
        let id = id.to_string();
        if let Some(u) = found.users.get(&id)
            && seen.insert(id)
        {
            users.push(u.clone());
        }
    }
    let pick = |keys: Vec<String>, from: &HashMap<String, Value>| -> Vec<Value> {
        let mut seen = BTreeSet::new();
        keys.into_iter()
            .filter(|k| seen.insert(k.clone()))
            .filter_map(|k| from.get(&k).cloned())
            .collect()
    };
    let media = pick(
        event.media_keys().iter().map(|k| k.to_string()).collect(),
        &found.media,
    );
    let tweets = pick(
        event
            .referenced_tweets
            .iter()
            .map(|t| t.id.to_string())
            .collect(),
        &found.tweets,
    );
    let mut object = Map::new();
    if !users.is_empty() {
        object.insert("users".into(), Value::Array(users));
    }
    if !tweets.is_empty() {
        let key = if posts_spelling { "posts" } else { "tweets" };
        object.insert(key.into(), Value::Array(tweets));
    }
    if !media.is_empty() {
        object.insert("media".into(), Value::Array(media));
    }
    let includes = if object.is_empty() {
        Includes::default()
    } else {
        serde_json::from_value(Value::Object(object))
            .map_err(|e| Error::corrupt(format!("objects of event {}", event.id), e))?
    };
    Ok(StoredEvent {
        event,
        includes,
        from_archive,
        source: row.source.clone(),
        archive,
    })
}
