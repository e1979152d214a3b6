//! The in-memory dataset: users, conversations, events, Posts and media, stored compactly.
//!
//! Events live in one `Vec` sorted by id (ascending, so inserting at the head is a push),
//! 40 bytes each; every conversation keeps the indices of its events (4 bytes each). Texts of
//! generated events are template indices rendered on demand; `created_at` is derived from the
//! snowflake id. Measured: a generated event costs about 53 bytes all told (record, conversation
//! index, media, users and Posts amortised), so 1 M events take about 53 MB and build in about a
//! second (see the `one_million_events_are_compact` test).

mod generate;
mod load;
pub(crate) mod render;
pub(crate) mod texts;

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use crate::clock::{DAY_MS, snowflake_floor, snowflake_ms};

pub use generate::DatasetConfig;
pub use load::LoadError;

/// "No value" in the compact `u32` index fields.
pub(crate) const NONE: u32 = u32::MAX;
/// Marks a `text` index that points into the custom text table.
pub(crate) const CUSTOM: u32 = 1 << 31;
/// Marks a `people` index that points into the multi-participant table.
pub(crate) const MULTI: u32 = 1 << 31;

/// The kind of a stored event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Message,
    Join,
    Leave,
}

impl Kind {
    pub(crate) fn wire(self) -> &'static str {
        match self {
            Kind::Message => "MessageCreate",
            Kind::Join => "ParticipantsJoin",
            Kind::Leave => "ParticipantsLeave",
        }
    }

    pub(crate) fn bit(self) -> u8 {
        match self {
            Kind::Message => 1,
            Kind::Join => 2,
            Kind::Leave => 4,
        }
    }

    pub(crate) fn from_wire(s: &str) -> Option<Self> {
        match s {
            "MessageCreate" => Some(Kind::Message),
            "ParticipantsJoin" => Some(Kind::Join),
            "ParticipantsLeave" => Some(Kind::Leave),
            _ => None,
        }
    }
}

/// One event, compactly.
#[derive(Clone, Debug)]
pub(crate) struct EventRec {
    pub id: u64,
    pub conv: u32,
    /// Sender (message) or inviter (join), a user index, or [`NONE`].
    pub sender: u32,
    /// Template index, `CUSTOM | i` for a custom text, or [`NONE`].
    pub text: u32,
    /// Join/leave participants: a user index, or `MULTI | i`, or [`NONE`].
    pub people: u32,
    /// Media table index or [`NONE`].
    pub media: u32,
    /// Post table index or [`NONE`].
    pub tweet: u32,
    pub kind: Kind,
    pub deleted: bool,
}

/// A user profile: the full JSON object with every field the fake knows.
#[derive(Clone, Debug)]
pub(crate) struct UserRec {
    pub id: u64,
    pub profile: Map<String, Value>,
}

/// A conversation.
#[derive(Clone, Debug)]
pub(crate) struct ConvRec {
    pub id: String,
    pub group: bool,
    pub members: Vec<u32>,
    /// Indices into `events`, ascending.
    pub events: Vec<u32>,
}

/// A Post that DMs can reference.
#[derive(Clone, Debug)]
pub(crate) struct TweetRec {
    pub id: u64,
    /// An unavailable Post renders as a resource-not-found partial error.
    pub available: bool,
    pub object: Map<String, Value>,
}

/// A media attachment.
#[derive(Clone, Debug)]
pub(crate) struct MediaRec {
    pub media_id: u64,
    /// 0 photo, 1 video, 2 animated_gif.
    pub kind: u8,
    pub width: u16,
    pub height: u16,
    pub duration_ms: u32,
    /// A loaded media object (kept verbatim), if any.
    pub raw: Option<Box<Map<String, Value>>>,
}

/// Which events a lookup covers.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scope {
    /// `GET /2/dm_events`: every conversation, the last 30 days.
    All,
    /// `GET /2/dm_conversations/{id}/dm_events`: one conversation, all history.
    Conversation(String),
    /// `GET /2/dm_conversations/with/{participant_id}/dm_events`: the 1-1 conversation with a user.
    WithParticipant(String),
}

/// The whole dataset.
#[derive(Clone, Debug)]
pub(crate) struct Store {
    pub now_ms: i64,
    pub me: u32,
    pub users: Vec<UserRec>,
    pub user_by_id: HashMap<u64, u32>,
    pub convs: Vec<ConvRec>,
    pub conv_by_id: HashMap<String, u32>,
    pub events: Vec<EventRec>,
    pub texts: Vec<String>,
    pub people: Vec<Vec<u32>>,
    pub tweets: Vec<TweetRec>,
    pub tweet_by_id: HashMap<u64, u32>,
    pub media: Vec<MediaRec>,
    pub created_override: HashMap<u64, i64>,
    pub blocked: HashSet<u64>,
}

/// A page position: strictly older or strictly newer than an event id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cursor {
    /// The newest events.
    Head,
    /// Events with an id below this one (a `next_token`).
    Before(u64),
    /// Events with an id above this one (a `previous_token`).
    After(u64),
}

/// A page of event indices, newest first.
#[derive(Debug, Default)]
pub(crate) struct PageIdx {
    pub events: Vec<u32>,
    /// More matching events exist below the last one.
    pub more_older: bool,
}

enum List<'a> {
    Range(usize, usize),
    Slice(&'a [u32]),
}

impl List<'_> {
    fn len(&self) -> usize {
        match self {
            List::Range(lo, hi) => hi - lo,
            List::Slice(s) => s.len(),
        }
    }
    fn get(&self, i: usize) -> u32 {
        match self {
            List::Range(lo, _) => (lo + i) as u32,
            List::Slice(s) => s.get(i).copied().unwrap_or(0),
        }
    }
}

impl Store {
    pub(crate) fn empty(now_ms: i64) -> Self {
        Store {
            now_ms,
            me: 0,
            users: Vec::new(),
            user_by_id: HashMap::new(),
            convs: Vec::new(),
            conv_by_id: HashMap::new(),
            events: Vec::new(),
            texts: Vec::new(),
            people: Vec::new(),
            tweets: Vec::new(),
            tweet_by_id: HashMap::new(),
            media: Vec::new(),
            created_override: HashMap::new(),
            blocked: HashSet::new(),
        }
    }

    /// The authenticated user's id.
    pub(crate) fn me_id(&self) -> u64 {
        self.users.get(self.me as usize).map_or(0, |u| u.id)
    }

    /// The profile of the user `id`, if the dataset has them.
    pub(crate) fn user_profile(&self, id: u64) -> Option<&Map<String, Value>> {
        self.users.iter().find(|u| u.id == id).map(|u| &u.profile)
    }

    pub(crate) fn user_id(&self, idx: u32) -> u64 {
        self.users.get(idx as usize).map_or(0, |u| u.id)
    }

    pub(crate) fn created_ms(&self, e: &EventRec) -> i64 {
        self.created_override
            .get(&e.id)
            .copied()
            .unwrap_or_else(|| snowflake_ms(e.id))
    }

    pub(crate) fn event_index(&self, id: u64) -> Option<u32> {
        let i = self.events.partition_point(|e| e.id < id);
        match self.events.get(i) {
            Some(e) if e.id == id && !e.deleted => Some(i as u32),
            _ => None,
        }
    }

    pub(crate) fn participants(&self, e: &EventRec) -> Vec<u32> {
        if e.people == NONE {
            Vec::new()
        } else if e.people & MULTI != 0 {
            self.people
                .get((e.people & !MULTI) as usize)
                .cloned()
                .unwrap_or_default()
        } else {
            vec![e.people]
        }
    }

    /// The 1-1 conversation id with a user (`{low}-{high}` by numeric order).
    pub(crate) fn one_to_one_id(&self, other: u64) -> String {
        let me = self.me_id();
        let (lo, hi) = if me <= other {
            (me, other)
        } else {
            (other, me)
        };
        format!("{lo}-{hi}")
    }

    /// Resolves a scope to a conversation index (`Ok(None)` for `All`).
    pub(crate) fn scope_conv(&self, scope: &Scope) -> Option<Option<u32>> {
        match scope {
            Scope::All => Some(None),
            Scope::Conversation(id) => self.conv_by_id.get(id).map(|c| Some(*c)),
            Scope::WithParticipant(user) => {
                let uid: u64 = user.parse().ok()?;
                self.conv_by_id
                    .get(&self.one_to_one_id(uid))
                    .map(|c| Some(*c))
            }
        }
    }

    fn list(&self, conv: Option<u32>) -> List<'_> {
        match conv {
            None => {
                let min = snowflake_floor(self.now_ms - 30 * DAY_MS);
                let lo = self.events.partition_point(|e| e.id < min);
                List::Range(lo, self.events.len())
            }
            Some(c) => match self.convs.get(c as usize) {
                Some(conv) => List::Slice(&conv.events),
                None => List::Slice(&[]),
            },
        }
    }

    /// One page of event indices for a conversation (`None` = all), newest first.
    pub(crate) fn page(&self, conv: Option<u32>, cursor: Cursor, max: usize, types: u8) -> PageIdx {
        let list = self.list(conv);
        let id_at = |i: usize| self.events.get(list.get(i) as usize).map_or(0, |e| e.id);
        let first_at_or_above = |id: u64| {
            let (mut lo, mut hi) = (0usize, list.len());
            while lo < hi {
                let mid = (lo + hi) / 2;
                if id_at(mid) < id {
                    lo = mid + 1
                } else {
                    hi = mid
                }
            }
            lo
        };
        let ok = |i: usize| {
            self.events
                .get(list.get(i) as usize)
                .is_some_and(|e| !e.deleted && e.kind.bit() & types != 0)
        };
        let mut page = PageIdx::default();
        match cursor {
            Cursor::Head | Cursor::Before(_) => {
                let mut pos = match cursor {
                    Cursor::Before(id) => first_at_or_above(id),
                    _ => list.len(),
                };
                while pos > 0 {
                    pos -= 1;
                    if ok(pos) {
                        if page.events.len() == max {
                            page.more_older = true;
                            break;
                        }
                        page.events.push(list.get(pos));
                    }
                }
            }
            Cursor::After(id) => {
                let mut pos = first_at_or_above(id.saturating_add(1));
                while pos < list.len() && page.events.len() < max {
                    if ok(pos) {
                        page.events.push(list.get(pos));
                    }
                    pos += 1;
                }
                page.events.reverse();
                page.more_older = true;
            }
        }
        page
    }

    /// Number of live (not deleted) events.
    pub(crate) fn live_events(&self) -> usize {
        self.events.iter().filter(|e| !e.deleted).count()
    }

    /// A fresh snowflake id above every existing one, at `now_ms` if possible.
    pub(crate) fn next_id(&self, now_ms: i64) -> u64 {
        let floor = snowflake_floor(now_ms);
        let last = self.events.last().map_or(0, |e| e.id);
        floor.max(last.saturating_add(1))
    }

    /// Finds or creates a user by id (unknown users get a generated profile).
    pub(crate) fn user_or_create(&mut self, id: u64) -> u32 {
        if let Some(i) = self.user_by_id.get(&id) {
            return *i;
        }
        let idx = self.users.len() as u32;
        let profile = generate::profile(id, idx as usize, id);
        self.users.push(UserRec { id, profile });
        self.user_by_id.insert(id, idx);
        idx
    }

    /// Finds or creates the 1-1 conversation with a user index.
    pub(crate) fn one_to_one_or_create(&mut self, other: u32) -> u32 {
        let id = self.one_to_one_id(self.user_id(other));
        if let Some(c) = self.conv_by_id.get(&id) {
            return *c;
        }
        let idx = self.convs.len() as u32;
        self.convs.push(ConvRec {
            id: id.clone(),
            group: false,
            members: vec![self.me, other],
            events: Vec::new(),
        });
        self.conv_by_id.insert(id, idx);
        idx
    }

    /// Appends an event at the head (its id must be above every other id).
    pub(crate) fn push_event(&mut self, e: EventRec) -> u64 {
        let id = e.id;
        let idx = self.events.len() as u32;
        if let Some(c) = self.convs.get_mut(e.conv as usize) {
            c.events.push(idx);
        }
        self.events.push(e);
        id
    }

    /// Stores a custom text and returns its `text` index.
    pub(crate) fn custom_text(&mut self, text: String) -> u32 {
        self.texts.push(text);
        CUSTOM | (self.texts.len() as u32 - 1)
    }
}

/// A dataset that can be generated, loaded, exported and served.
///
/// ```
/// let ds = dm_fake::Dataset::generate(&dm_fake::DatasetConfig::new(7, 1_000));
/// assert_eq!(ds.len(), 1_000);
/// assert!(ds.approx_bytes() / ds.len() < 200);
/// ```
#[derive(Clone, Debug)]
pub struct Dataset(pub(crate) Store);

impl Dataset {
    /// Generates a dataset deterministically from a seed and a size.
    pub fn generate(config: &DatasetConfig) -> Self {
        Dataset(generate::generate(config))
    }

    /// Parses a dataset from JSON (the format [`Dataset::to_json`] writes):
    ///
    /// ```json
    /// {"me": "<user id>", "now": "2026-11-01T00:00:00.000Z",
    ///  "users": [User...], "events": [DmEvent with every field...],
    ///  "tweets": [Tweet...], "unavailable_tweets": ["<tweet id>"...], "media": [Media...]}
    /// ```
    ///
    /// Objects have the API's own shapes. Events need `id`, `event_type` and
    /// `dm_conversation_id`; conversations and unknown users are derived from them; `now` (the
    /// fixed clock for the 30-day window) defaults to 2026-11-01.
    ///
    /// # Errors
    /// [`LoadError`] naming the JSON location when the bytes are not a dataset.
    pub fn from_json(bytes: &[u8]) -> Result<Self, LoadError> {
        load::load(bytes).map(Dataset)
    }

    /// Reads a dataset from a JSON file.
    ///
    /// # Errors
    /// [`LoadError::Io`] when the file cannot be read, otherwise as [`Dataset::from_json`].
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Self, LoadError> {
        let bytes = std::fs::read(path)?;
        Self::from_json(&bytes)
    }

    /// The dataset as JSON: users, events (newest first, every field), Posts, media.
    pub fn to_json(&self) -> Value {
        self.0.export()
    }

    /// Number of live events.
    pub fn len(&self) -> usize {
        self.0.live_events()
    }

    /// Whether there are no events.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The authenticated user's id.
    pub fn me(&self) -> String {
        self.0.me_id().to_string()
    }

    /// An estimate of the heap bytes the dataset holds.
    pub fn approx_bytes(&self) -> usize {
        let s = &self.0;
        let conv_idx: usize = s
            .convs
            .iter()
            .map(|c| c.events.capacity() * 4 + c.members.capacity() * 4 + c.id.capacity() + 64)
            .sum();
        let json_size = |m: &Map<String, Value>| serde_json::to_vec(m).map_or(0, |v| v.len() * 3);
        s.events.capacity() * std::mem::size_of::<EventRec>()
            + conv_idx
            + s.media.capacity() * std::mem::size_of::<MediaRec>()
            + s.texts.iter().map(|t| t.capacity() + 24).sum::<usize>()
            + s.users.iter().map(|u| json_size(&u.profile)).sum::<usize>()
            + s.tweets.iter().map(|t| json_size(&t.object)).sum::<usize>()
            + s.people
                .iter()
                .map(|p| p.capacity() * 4 + 24)
                .sum::<usize>()
    }
}
