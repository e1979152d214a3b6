//! The JSONL record: one DM event per line, as xdm writes it (`xdm events --format jsonl`,
//! `xdm sync --archive`, `xdm export`).
//!
//! A record is the event exactly as the API sent it (every member, unknown ones included),
//! with the objects it references from its page's `includes` embedded under `"includes"`:
//! `users` (the sender, then the participants, each once), `tweets` (or `posts`, the spelling
//! the page used) and `media`, in the order the event refers to them. The text is the compact
//! form of the JSON value with every object's members sorted by key: what
//! `serde_json::to_value(record)?.to_string()` gives, written without building that value.
//!
//! [`RecordWriter`] renders the records of one page and renders each included object once,
//! however many of the page's events refer to it.
//!
//! ```
//! use dm_model::{DmEventsPage, decode, record::RecordWriter};
//!
//! let page: DmEventsPage = decode(br#"{
//!   "data": [{"id": "1582838499983564806", "event_type": "MessageCreate", "text": "Hi",
//!             "sender_id": "944480690"}],
//!   "includes": {"users": [{"id": "944480690", "username": "FloodSocial", "name": "API Demos"}]},
//!   "meta": {"result_count": 1}
//! }"#)?;
//! let mut writer = RecordWriter::new();
//! let mut line = Vec::new();
//! writer.write(&page.data[0], &page.includes, &mut line);
//! assert_eq!(
//!     String::from_utf8(line)?,
//!     r#"{"event_type":"MessageCreate","id":"1582838499983564806","includes":{"users":[{"id":"944480690","name":"API Demos","username":"FloodSocial"}]},"sender_id":"944480690","text":"Hi"}"#
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod canonical;

use std::collections::HashMap;
use std::hash::Hash;
use std::ops::Range;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::{DmEvent, Includes, Tweet, TweetId, User, UserId};
use canonical::{Scratch, write_canonical_in, write_canonical_with_member};

/// Renders records. Keeps the text of the users and Posts it rendered, keyed by id and
/// checked against the object each time, so one that several events or pages embed unchanged
/// (the people of a conversation, a Post shared many times) is rendered once. Media are
/// rendered once per page: each belongs to the one message it came with, so keeping them
/// would only cost memory. See the [module docs](self).
#[derive(Debug, Default)]
pub struct RecordWriter {
    cache: Cache,
    /// The text of the media of the page being written, one after the other.
    page_text: Vec<u8>,
    /// Where the objects of the page being written are rendered, by their position in its
    /// `includes` (valid while a [`PageWriter`] borrows that page): users and Posts in the
    /// cache's text, media in `page_text`.
    memo: Memo,
    /// The `"includes"` value of the record being written.
    scratch: Vec<u8>,
    /// Per record: the texts to embed, and the users already embedded.
    lists: [Vec<Range<usize>>; 3],
    seen: Vec<usize>,
    /// The serializer's reusable buffers.
    buffers: Scratch,
}

/// Rendered users and Posts: their text, one after the other, and where each is.
#[derive(Debug, Default)]
struct Cache {
    text: Vec<u8>,
    users: HashMap<UserId, (User, Range<usize>)>,
    tweets: HashMap<TweetId, (Tweet, Range<usize>)>,
}

impl Cache {
    /// Past this much text the cache starts over (a long export meets many users); its
    /// memory is kept for what follows.
    const MAX_TEXT: usize = 4 << 20;

    fn clear(&mut self) {
        self.text.clear();
        self.users.clear();
        self.tweets.clear();
    }
}

/// The text of `value` (whose id is `id`) in `text`, rendered unless the same object was
/// rendered before; an empty range when it has no JSON form (it is left out).
fn cached<K: Hash + Eq + Clone, V: Serialize + PartialEq + Clone>(
    map: &mut HashMap<K, (V, Range<usize>)>,
    text: &mut Vec<u8>,
    buffers: &mut Scratch,
    id: &K,
    value: &V,
) -> Range<usize> {
    if let Some((_, range)) = map.get(id).filter(|(seen, _)| seen == value) {
        return range.clone();
    }
    let range = rendered(value, text, buffers);
    map.insert(id.clone(), (value.clone(), range.clone()));
    range
}

/// Per position in one page's `includes.users` / `tweets` / `media`: the object's text, once
/// rendered or looked up.
#[derive(Debug, Default)]
struct Memo {
    users: Vec<Option<Range<usize>>>,
    tweets: Vec<Option<Range<usize>>>,
    media: Vec<Option<Range<usize>>>,
}

impl Memo {
    fn reset(&mut self, includes: &Includes) {
        for (memo, len) in [
            (&mut self.users, includes.users.len()),
            (&mut self.tweets, includes.tweets.len()),
            (&mut self.media, includes.media.len()),
        ] {
            memo.clear();
            memo.resize(len, None);
        }
    }
}

/// Appends the canonical text of `value` to `text` and says where it is; an empty range when
/// it has no JSON form (it is left out).
fn rendered<V: Serialize>(value: &V, text: &mut Vec<u8>, buffers: &mut Scratch) -> Range<usize> {
    let start = text.len();
    if write_canonical_in(value, text, buffers).is_err() {
        // Something the fast path does not render: the same text through `Value`.
        text.truncate(start);
        let written = serde_json::to_value(value)
            .is_ok_and(|v| serde_json::to_writer(&mut *text, &v).is_ok());
        if !written {
            text.truncate(start);
        }
    }
    start..text.len()
}

/// The text of the object at `pos` of one of a page's lists: from the page's memo, else from
/// `find` (which renders it or finds it rendered).
fn memoized(
    memo: &mut [Option<Range<usize>>],
    pos: usize,
    find: impl FnOnce() -> Range<usize>,
) -> Range<usize> {
    if let Some(range) = &memo[pos] {
        return range.clone();
    }
    let range = find();
    memo[pos] = Some(range.clone());
    range
}

/// Writes the records of one page's events; see [`RecordWriter::page`].
#[derive(Debug)]
pub struct PageWriter<'w, 'i> {
    writer: &'w mut RecordWriter,
    includes: &'i Includes,
}

impl PageWriter<'_, '_> {
    /// Appends the record of `event` (an event of this page; no newline) to `out`.
    pub fn write(&mut self, event: &DmEvent, out: &mut Vec<u8>) {
        self.writer.write_record(event, self.includes, out);
    }
}

impl RecordWriter {
    /// A writer with nothing rendered yet.
    pub fn new() -> Self {
        RecordWriter::default()
    }

    /// A writer for the events of the page whose `includes` these are: each included object
    /// is looked up once for the whole page.
    pub fn page<'w, 'i>(&'w mut self, includes: &'i Includes) -> PageWriter<'w, 'i> {
        if self.cache.text.len() > Cache::MAX_TEXT {
            self.cache.clear();
        }
        self.page_text.clear();
        self.memo.reset(includes);
        PageWriter {
            writer: self,
            includes,
        }
    }

    /// Appends the record of `event` (no newline) to `out`, embedding what it references
    /// from `includes` (its page's).
    pub fn write(&mut self, event: &DmEvent, includes: &Includes, out: &mut Vec<u8>) {
        self.page(includes).write(event, out);
    }

    /// The record of `event` as a string (no newline).
    pub fn to_line(&mut self, event: &DmEvent, includes: &Includes) -> String {
        let mut out = Vec::new();
        self.write(event, includes, &mut out);
        // Both paths write JSON text, which is UTF-8.
        String::from_utf8(out).unwrap_or_default()
    }

    fn write_record(&mut self, event: &DmEvent, includes: &Includes, out: &mut Vec<u8>) {
        let start = out.len();
        let has_includes = self.write_includes(event, includes);
        let written = if has_includes {
            write_canonical_with_member(event, "includes", &self.scratch, out, &mut self.buffers)
        } else {
            write_canonical_in(event, out, &mut self.buffers)
        };
        if written.is_err() {
            // Something the fast path does not render: the same text through `Value`.
            out.truncate(start);
            let value = record_value(event, includes);
            // Writing into a Vec cannot fail.
            let _ = serde_json::to_writer(&mut *out, &value);
        }
    }

    /// Writes the `"includes"` object of `event` into `scratch`; `false` when it has none.
    fn write_includes(&mut self, event: &DmEvent, includes: &Includes) -> bool {
        let Cache {
            text,
            users,
            tweets,
        } = &mut self.cache;
        let page_text = &mut self.page_text;
        let buffers = &mut self.buffers;
        let memo = &mut self.memo;
        let [media_ranges, tweet_ranges, user_ranges] = &mut self.lists;
        for list in [&mut *media_ranges, &mut *tweet_ranges, &mut *user_ranges] {
            list.clear();
        }

        // Each user once: the sender, then the participants (the first user object with an
        // id is the one an id finds).
        let seen = &mut self.seen;
        seen.clear();
        for id in event.sender_id.iter().chain(&event.participant_ids) {
            let Some(pos) = includes
                .users
                .iter()
                .position(|u| u.id.as_ref() == Some(id))
            else {
                continue;
            };
            if seen.contains(&pos) {
                continue;
            }
            seen.push(pos);
            let user = &includes.users[pos];
            user_ranges.push(memoized(&mut memo.users, pos, || {
                cached(users, text, buffers, id, user)
            }));
        }
        for r in &event.referenced_tweets {
            if let Some(pos) = includes
                .tweets
                .iter()
                .position(|t| t.id.as_ref() == Some(&r.id))
            {
                let tweet = &includes.tweets[pos];
                tweet_ranges.push(memoized(&mut memo.tweets, pos, || {
                    cached(tweets, text, buffers, &r.id, tweet)
                }));
            }
        }
        for k in event.media_keys() {
            if let Some(pos) = includes
                .media
                .iter()
                .position(|m| m.media_key.as_ref() == Some(k))
            {
                let item = &includes.media[pos];
                media_ranges.push(memoized(&mut memo.media, pos, || {
                    rendered(item, page_text, buffers)
                }));
            }
        }

        // Members in key order: media, posts | tweets, users.
        let tweets_key = if includes.tweets_as_posts() {
            "posts"
        } else {
            "tweets"
        };
        let mut lists = [
            ("media", &*media_ranges, page_text.as_slice()),
            (tweets_key, &*tweet_ranges, text.as_slice()),
            ("users", &*user_ranges, text.as_slice()),
        ];
        lists.sort_by_key(|(k, _, _)| *k);
        let scratch = &mut self.scratch;
        scratch.clear();
        scratch.push(b'{');
        let mut any = false;
        for (key, ranges, text) in lists {
            let mut ranges = ranges.iter().filter(|r| !r.is_empty()).peekable();
            if ranges.peek().is_none() {
                continue;
            }
            if any {
                scratch.push(b',');
            }
            any = true;
            scratch.push(b'"');
            scratch.extend_from_slice(key.as_bytes());
            scratch.extend_from_slice(b"\":[");
            for (n, r) in ranges.enumerate() {
                if n > 0 {
                    scratch.push(b',');
                }
                scratch.extend_from_slice(&text[r.clone()]);
            }
            scratch.push(b']');
        }
        scratch.push(b'}');
        any
    }
}

/// The record of `event` as a JSON value: the definition the writer's text must match.
///
/// Slower than [`RecordWriter`] (every member becomes a `Value`); kept as the reference the
/// fast path falls back to and is tested against.
pub fn record_value(event: &DmEvent, includes: &Includes) -> Value {
    let mut object = match serde_json::to_value(event) {
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
    let embedded = referenced_value(event, includes);
    if !embedded.is_empty() {
        object.insert("includes".into(), Value::Object(embedded));
    }
    Value::Object(object)
}

/// The users, Posts and media `event` references, from `includes`, as a JSON object.
fn referenced_value(event: &DmEvent, includes: &Includes) -> Map<String, Value> {
    let mut users: Vec<Value> = Vec::new();
    let mut seen = Vec::new();
    for user in includes
        .sender_of(event)
        .into_iter()
        .chain(includes.participants_of(event))
    {
        if !seen.contains(&&user.id) {
            seen.push(&user.id);
            users.extend(serde_json::to_value(user).ok());
        }
    }
    let tweets: Vec<Value> = includes
        .tweets_of(event)
        .filter_map(|t| serde_json::to_value(t).ok())
        .collect();
    let media: Vec<Value> = includes
        .media_of(event)
        .filter_map(|m| serde_json::to_value(m).ok())
        .collect();
    let mut embedded = Map::new();
    if !users.is_empty() {
        embedded.insert("users".into(), Value::Array(users));
    }
    if !tweets.is_empty() {
        let key = if includes.tweets_as_posts() {
            "posts"
        } else {
            "tweets"
        };
        embedded.insert(key.into(), Value::Array(tweets));
    }
    if !media.is_empty() {
        embedded.insert("media".into(), Value::Array(media));
    }
    embedded
}

#[cfg(test)]
mod tests;
