//! [`Batch`]: what one [`Writer::apply`](crate::Writer::apply) commits, encoded up front; and
//! [`Applied`], what it did.

use std::collections::HashMap;

use dm_model::{DmEvent, DmEventId, EventType, Includes, Media, Tweet, User};
use serde_json::Value;
use time::OffsetDateTime;

use crate::error::Error;
use crate::media_files::MediaFile;
use crate::search::tokenize::indexed_tokens;

/// Events, the objects they reference and an optional cursor, committed together in one
/// transaction by [`Writer::apply`](crate::Writer::apply).
///
/// Everything is encoded to JSON when added (so a `Batch` owns its data and a bad value is
/// refused here, before anything is written). Within a batch an event added twice is kept
/// once; a user, medium or Post added twice keeps the last version.
///
/// ```
/// use dm_model::{DmEventsPage, decode};
/// use dm_store::Batch;
///
/// let page: DmEventsPage = decode(br#"{"data": [{"id": "1", "event_type": "MessageCreate",
///     "text": "hi", "sender_id": "7", "dm_conversation_id": "7-8"}],
///     "includes": {"users": [{"id": "7", "name": "Seven", "username": "seven"}]}}"#)?;
/// let mut batch = Batch::new();
/// for event in &page.data {
///     batch.push(event, &page.includes)?;
/// }
/// batch.cursor("sync", &serde_json::json!({"newest": "1"}))?;
/// assert_eq!((batch.len(), batch.users_len()), (1, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Batch {
    pub(crate) events: Vec<EventRow>,
    event_index: HashMap<String, usize>,
    pub(crate) users: Objects,
    pub(crate) media: Objects,
    pub(crate) tweets: Objects,
    pub(crate) cursor: Option<(String, String)>,
    pub(crate) source: Option<String>,
    pub(crate) duplicates: u64,
    pub(crate) media_files: Vec<MediaFile>,
    /// The objects added so far (the same user is referenced by many events of a page:
    /// encoded once unless it changed).
    seen_users: HashMap<String, User>,
    seen_media: HashMap<String, Media>,
    seen_tweets: HashMap<String, Tweet>,
    #[cfg(feature = "test-hooks")]
    pub(crate) pause_before_commit: Option<std::path::PathBuf>,
}

/// One event, encoded, with its indexed columns.
#[derive(Clone, Debug)]
pub(crate) struct EventRow {
    pub id: String,
    pub seq: i64,
    pub conversation: Option<String>,
    pub sender: Option<String>,
    pub event_type: String,
    pub is_message: bool,
    pub time_ms: Option<i64>,
    pub text: Option<String>,
    pub json: String,
    /// Whether the Posts it references were received as `posts` (SPEC-167), so they are
    /// returned under that spelling.
    pub posts_spelling: bool,
    /// Senders and joiners/leavers, for the derived conversation participants.
    pub people: Vec<String>,
    /// The folded tokens of `text`, for the full-text index.
    pub tokens: Vec<String>,
    /// Where its JSON came from (`None`: the batch's source).
    pub source: Option<String>,
    /// The archive's own record of it (JSON), kept beside its JSON.
    pub archive: Option<String>,
    /// Its media keys, recorded as pending media when it is new.
    pub media_keys: Vec<String>,
}

impl EventRow {
    /// Its source: its own, else the batch's, else `api`.
    pub(crate) fn source<'a>(&'a self, batch: &'a Batch) -> &'a str {
        self.source
            .as_deref()
            .or(batch.source.as_deref())
            .unwrap_or("api")
    }
}

/// Whether `source` names X's account archive.
pub(crate) fn is_archive(source: &str) -> bool {
    source == ARCHIVE
}

/// Whether events of `source` were converted from another format (X's account archive, a
/// real-time delivery), so that their JSON gives way to the API's.
pub(crate) fn is_derived(source: &str) -> bool {
    source == ARCHIVE || source == REALTIME
}

/// The source of events made from X's account archive.
pub const ARCHIVE: &str = "archive";

/// The source of events converted from a real-time delivery (the v1.1-shaped DMs of the X
/// Activity API and Account Activity webhooks): their JSON gives way to the API's when a sync
/// later returns the same event, as an archive event's does.
pub const REALTIME: &str = "realtime";

/// Objects keyed by id (last version wins), in first-added order.
#[derive(Clone, Debug, Default)]
pub(crate) struct Objects {
    pub rows: Vec<ObjectRow>,
    index: HashMap<String, usize>,
}

/// One user, medium or Post, encoded.
#[derive(Clone, Debug)]
pub(crate) struct ObjectRow {
    pub key: String,
    pub json: String,
    /// A user's display name.
    pub name: Option<String>,
    /// A user's handle.
    pub username: Option<String>,
    /// Written only when the store has no version yet (objects made from the archive give
    /// way to the API's).
    pub weak: bool,
}

impl Objects {
    fn put(&mut self, row: ObjectRow) {
        match self.index.get(&row.key) {
            // A weak (archive) version never replaces a strong one in the same batch.
            Some(&i) if row.weak && !self.rows[i].weak => {}
            Some(&i) => self.rows[i] = row,
            None => {
                self.index.insert(row.key.clone(), self.rows.len());
                self.rows.push(row);
            }
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// The object `key` came again from the API, unchanged: it is no longer weak.
    fn strengthen(&mut self, key: &str) {
        if let Some(&i) = self.index.get(key) {
            self.rows[i].weak = false;
        }
    }
}

/// What [`Writer::apply`](crate::Writer::apply) did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Applied {
    /// Events stored for the first time.
    pub new_events: u64,
    /// Events that were already stored (or repeated within the batch): left as they were.
    pub existing_events: u64,
    /// Users, media and Posts written (new, or changed since stored).
    pub objects_written: u64,
    /// Whether the batch carried a cursor (it was saved).
    pub cursor_saved: bool,
    /// Events stored from X's archive or a real-time delivery whose JSON the API's replaced
    /// (an archive record kept beside).
    pub replaced_archive: u64,
    /// Events already stored to which the archive's record was added.
    pub archive_added: u64,
}

/// The order key of an event id (see [`crate::synthetic`]).
pub(crate) fn order_key(id: &DmEventId) -> i64 {
    crate::synthetic::order_key(id)
}

/// Milliseconds since the Unix epoch (saturating far outside ±292 million years).
pub(crate) fn unix_ms(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(if t.year() < 1970 {
        i64::MIN
    } else {
        i64::MAX
    })
}

/// Now, in milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    unix_ms(OffsetDateTime::now_utc())
}

fn encode<T: serde::Serialize>(what: impl FnOnce() -> String, value: &T) -> Result<String, Error> {
    serde_json::to_string(value).map_err(|e| Error::Encode {
        what: what(),
        reason: e.to_string(),
    })
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Self {
        Batch::default()
    }

    /// Adds `event` and the objects of `includes` it references: its sender, the users who
    /// joined or left, its media and the Posts it refers to (those present in `includes`).
    ///
    /// # Errors
    ///
    /// [`Error::Encode`] when an object cannot be encoded as JSON.
    pub fn push(&mut self, event: &DmEvent, includes: &Includes) -> Result<&mut Self, Error> {
        let weak = self.source.as_deref().is_some_and(is_derived);
        self.push_row(event, includes, None, None, weak)
    }

    /// Adds `event` and the objects of `includes` it references, as [`Batch::push`], with
    /// where its JSON came from (`source`: `api`, [`ARCHIVE`] for an event made from X's
    /// account archive, [`REALTIME`] for one converted from a real-time delivery) and the archive's own record of it (`archive`, any JSON; kept beside
    /// the event and returned as [`StoredEvent::archive`](crate::StoredEvent::archive)).
    ///
    /// When the store already holds the event: an event from the API replaces one made from
    /// the archive or a real-time delivery (the archive's record stays beside it); an archive record is added to an
    /// event that has none; otherwise the stored event stays as it is. Objects that come with
    /// an archive event are written only where the store has none yet. So an archive and the
    /// API give the same store in either order.
    ///
    /// # Errors
    ///
    /// [`Error::Encode`] when something cannot be encoded as JSON.
    pub fn push_sourced(
        &mut self,
        event: &DmEvent,
        includes: &Includes,
        source: &str,
        archive: Option<&Value>,
    ) -> Result<&mut Self, Error> {
        let archive = archive
            .map(|a| encode(|| format!("the archive record of event {}", event.id), a))
            .transpose()?;
        self.push_row(
            event,
            includes,
            Some(source.to_owned()),
            archive,
            is_derived(source),
        )
    }

    /// Records what became of a medium (see [`MediaFile`]); a better report replaces a worse
    /// one, whatever the order.
    pub fn media_file(&mut self, file: MediaFile) -> &mut Self {
        self.media_files.push(file);
        self
    }

    /// Media reports in the batch.
    pub fn media_files_len(&self) -> usize {
        self.media_files.len()
    }

    fn push_row(
        &mut self,
        event: &DmEvent,
        includes: &Includes,
        source: Option<String>,
        archive: Option<String>,
        weak: bool,
    ) -> Result<&mut Self, Error> {
        let mut row = event_row(event)?;
        row.source = source;
        row.archive = archive;
        // Posts are returned under the spelling `includes` had (`tweets` or `posts`).
        row.posts_spelling = !event.referenced_tweets.is_empty() && includes.tweets_as_posts();
        if let Some(user) = includes.sender_of(event) {
            self.put_user(user, weak)?;
        }
        for user in includes.participants_of(event) {
            self.put_user(user, weak)?;
        }
        for media in includes.media_of(event) {
            self.put_media(media, weak)?;
        }
        for tweet in includes.tweets_of(event) {
            self.put_tweet(tweet, weak)?;
        }
        self.put_event(row);
        Ok(self)
    }

    /// Adds `event` alone (its references are looked up among stored objects when read; its
    /// Posts are returned as `posts` when it names them `referenced_posts`, else as `tweets`).
    ///
    /// # Errors
    ///
    /// [`Error::Encode`] when the event cannot be encoded as JSON.
    pub fn event(&mut self, event: &DmEvent) -> Result<&mut Self, Error> {
        let mut row = event_row(event)?;
        row.posts_spelling = event.referenced_as_posts();
        self.put_event(row);
        Ok(self)
    }

    /// Adds every user, medium and Post of `includes` (whether or not an event of this batch
    /// references it). Objects without an id (or media key) cannot be joined and are skipped.
    ///
    /// # Errors
    ///
    /// [`Error::Encode`] when an object cannot be encoded as JSON.
    pub fn includes(&mut self, includes: &Includes) -> Result<&mut Self, Error> {
        self.users(&includes.users)?;
        self.media(&includes.media)?;
        self.tweets(&includes.tweets)
    }

    /// Adds users (upserted: the latest version wins). Users without an id are skipped.
    ///
    /// # Errors
    ///
    /// [`Error::Encode`] when a user cannot be encoded as JSON.
    pub fn users<'a>(
        &mut self,
        users: impl IntoIterator<Item = &'a User>,
    ) -> Result<&mut Self, Error> {
        let weak = self.source.as_deref().is_some_and(is_derived);
        for u in users {
            self.put_user(u, weak)?;
        }
        Ok(self)
    }

    /// Adds media (upserted by media key). Media without a key are skipped.
    ///
    /// # Errors
    ///
    /// [`Error::Encode`] when a medium cannot be encoded as JSON.
    pub fn media<'a>(
        &mut self,
        media: impl IntoIterator<Item = &'a Media>,
    ) -> Result<&mut Self, Error> {
        let weak = self.source.as_deref().is_some_and(is_derived);
        for m in media {
            self.put_media(m, weak)?;
        }
        Ok(self)
    }

    /// Adds Posts (upserted by id). Posts without an id are skipped.
    ///
    /// # Errors
    ///
    /// [`Error::Encode`] when a Post cannot be encoded as JSON.
    pub fn tweets<'a>(
        &mut self,
        tweets: impl IntoIterator<Item = &'a Tweet>,
    ) -> Result<&mut Self, Error> {
        let weak = self.source.as_deref().is_some_and(is_derived);
        for t in tweets {
            self.put_tweet(t, weak)?;
        }
        Ok(self)
    }

    /// Saves `value` as the account's cursor `name` in the same transaction as the events
    /// (read it back with [`Store::cursor`](crate::Store::cursor)). A later batch with the same
    /// name replaces it.
    ///
    /// # Errors
    ///
    /// [`Error::Encode`] when `value` cannot be encoded (it always can: it is JSON already).
    pub fn cursor(&mut self, name: &str, value: &Value) -> Result<&mut Self, Error> {
        let json = encode(|| format!("cursor `{name}`"), value)?;
        self.cursor = Some((name.to_owned(), json));
        Ok(self)
    }

    /// Where the events came from, recorded beside each new event (default `api`;
    /// [`ARCHIVE`] for events made from X's account archive: see [`Batch::push_sourced`],
    /// which also sets it per event). With [`ARCHIVE`], the objects added give way to those
    /// the store has.
    pub fn source(&mut self, source: &str) -> &mut Self {
        self.source = Some(source.to_owned());
        self
    }

    /// Events in the batch (each once).
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether the batch holds no event (it may still hold objects or a cursor).
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Users in the batch.
    pub fn users_len(&self) -> usize {
        self.users.len()
    }

    /// Test hook: on apply, after writing everything and before committing, create the file
    /// `marker` and wait (up to two minutes, then roll back): a test kills the process there.
    #[cfg(feature = "test-hooks")]
    pub fn pause_before_commit(&mut self, marker: impl Into<std::path::PathBuf>) -> &mut Self {
        self.pause_before_commit = Some(marker.into());
        self
    }

    fn put_event(&mut self, mut row: EventRow) {
        if let Some(&i) = self.event_index.get(&row.id) {
            // Kept once, merged as the store would merge it (see `push_sourced`).
            self.duplicates += 1;
            let first_derived = is_derived(self.events[i].source(self));
            let archive = self.events[i].archive.take().or(row.archive.take());
            if first_derived && !is_derived(row.source(self)) {
                self.events[i] = row;
            }
            self.events[i].archive = archive;
            return;
        }
        self.event_index.insert(row.id.clone(), self.events.len());
        self.events.push(row);
    }

    fn put_user(&mut self, user: &User, weak: bool) -> Result<(), Error> {
        let Some(id) = &user.id else { return Ok(()) };
        if !first_or_changed(&mut self.seen_users, id.to_string(), user) {
            if !weak {
                self.users.strengthen(id.as_ref());
            }
            return Ok(());
        }
        let json = encode(|| format!("user {id}"), user)?;
        self.users.put(ObjectRow {
            key: id.to_string(),
            json,
            name: user.name.clone(),
            username: user.username.clone(),
            weak,
        });
        Ok(())
    }

    fn put_media(&mut self, media: &Media, weak: bool) -> Result<(), Error> {
        let Some(key) = &media.media_key else {
            return Ok(());
        };
        if !first_or_changed(&mut self.seen_media, key.to_string(), media) {
            if !weak {
                self.media.strengthen(key.as_str());
            }
            return Ok(());
        }
        let json = encode(|| format!("media {key}"), media)?;
        self.media.put(ObjectRow {
            key: key.to_string(),
            json,
            name: None,
            username: None,
            weak,
        });
        Ok(())
    }

    fn put_tweet(&mut self, tweet: &Tweet, weak: bool) -> Result<(), Error> {
        let Some(id) = &tweet.id else { return Ok(()) };
        if !first_or_changed(&mut self.seen_tweets, id.to_string(), tweet) {
            if !weak {
                self.tweets.strengthen(id.as_ref());
            }
            return Ok(());
        }
        let json = encode(|| format!("post {id}"), tweet)?;
        self.tweets.put(ObjectRow {
            key: id.to_string(),
            json,
            name: None,
            username: None,
            weak,
        });
        Ok(())
    }
}

/// Whether `value` is the first object added under `key`, or differs from the one added
/// before (then it replaces it); `false` for the same object again.
fn first_or_changed<T: PartialEq + Clone>(
    seen: &mut HashMap<String, T>,
    key: String,
    value: &T,
) -> bool {
    match seen.get(&key) {
        Some(prev) if prev == value => false,
        _ => {
            seen.insert(key, value.clone());
            true
        }
    }
}

fn event_row(event: &DmEvent) -> Result<EventRow, Error> {
    let json = encode(|| format!("event {}", event.id), event)?;
    let mut people: Vec<String> = Vec::new();
    for id in event.sender_id.iter().chain(&event.participant_ids) {
        let id = id.to_string();
        if !people.contains(&id) {
            people.push(id);
        }
    }
    let text = event.text.clone();
    Ok(EventRow {
        id: event.id.to_string(),
        seq: order_key(&event.id),
        conversation: event.dm_conversation_id.as_ref().map(|c| c.to_string()),
        sender: event.sender_id.as_ref().map(|s| s.to_string()),
        event_type: event.event_type.to_string(),
        is_message: event.event_type == EventType::MessageCreate,
        time_ms: event.created_at.as_ref().map(|t| unix_ms(t.datetime())),
        tokens: text.as_deref().map(indexed_tokens).unwrap_or_default(),
        text,
        json,
        posts_spelling: false,
        people,
        source: None,
        archive: None,
        media_keys: event.media_keys().iter().map(|k| k.to_string()).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_key_is_numeric_order() {
        let ids = ["0", "9", "10", "1582838499983564806", "9223372036854775807"];
        let keys: Vec<i64> = ids
            .iter()
            .map(|s| order_key(&DmEventId::parse(s).unwrap()))
            .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
    }
}
