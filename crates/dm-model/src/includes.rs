//! [`Includes`]: the objects expanded beside `data`, with look-ups by id.

use serde::de::MapAccess;
use serde_json::Value;

use crate::place::{Place, Poll, Topic};
use crate::wire::{WireField, wire_object};
use crate::{DmEvent, Media, MediaKey, Tweet, TweetId, User, UserId};

wire_object! {
    #[default]
    /// Expanded objects (`Expansions`), joined to events by id or media key.
    ///
    /// `tweets` is also read from `posts` (SPEC-167) and written back under the spelling
    /// received. Look-ups scan linearly (pages hold at most a few hundred objects) and never
    /// allocate.
    pub struct Includes {
        /// Users (`expansions=sender_id`, `participant_ids`).
        pub users: Vec<User> = "users",
        /// Posts (`expansions=referenced_tweets.id`).
        pub tweets: Vec<Tweet> = "tweets" | "posts",
        /// Media (`expansions=attachments.media_keys`).
        pub media: Vec<Media> = "media",
        /// Places.
        pub places: Vec<Place> = "places",
        /// Polls.
        pub polls: Vec<Poll> = "polls",
        /// Topics.
        pub topics: Vec<Topic> = "topics",
    }
}

impl Includes {
    /// The user with id `id`.
    pub fn user(&self, id: &UserId) -> Option<&User> {
        self.users.iter().find(|u| u.id.as_ref() == Some(id))
    }

    /// The Post with id `id`.
    pub fn tweet(&self, id: &TweetId) -> Option<&Tweet> {
        self.tweets.iter().find(|t| t.id.as_ref() == Some(id))
    }

    /// The media object with key `key`.
    pub fn media(&self, key: &MediaKey) -> Option<&Media> {
        self.media
            .iter()
            .find(|m| m.media_key.as_ref() == Some(key))
    }

    /// The sender (or, for a join, the inviter) of `event`, when expanded.
    pub fn sender_of(&self, event: &DmEvent) -> Option<&User> {
        event.sender_id.as_ref().and_then(|id| self.user(id))
    }

    /// The users who joined or left in `event` that were expanded, in event order.
    pub fn participants_of<'a>(&'a self, event: &'a DmEvent) -> impl Iterator<Item = &'a User> {
        event.participant_ids.iter().filter_map(|id| self.user(id))
    }

    /// The media attached to `event` that were expanded, in attachment order.
    pub fn media_of<'a>(&'a self, event: &'a DmEvent) -> impl Iterator<Item = &'a Media> {
        event.media_keys().iter().filter_map(|k| self.media(k))
    }

    /// The Posts `event` refers to that were expanded, in reference order.
    pub fn tweets_of<'a>(&'a self, event: &'a DmEvent) -> impl Iterator<Item = &'a Tweet> {
        event
            .referenced_tweets
            .iter()
            .filter_map(|r| self.tweet(&r.id))
    }

    /// Whether nothing is included (no objects and no unknown members).
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
            && self.tweets.is_empty()
            && self.media.is_empty()
            && self.places.is_empty()
            && self.polls.is_empty()
            && self.topics.is_empty()
            && self.extra.is_empty()
    }

    /// Whether the Posts were received as `posts` (SPEC-167 spelling).
    pub fn tweets_as_posts(&self) -> bool {
        self.aliased.key("tweets", &["posts"]) == "posts"
    }
}

/// `includes` is a plain member of the envelopes: absent reads as empty, and an empty object
/// received is kept (in the envelope's `extra`) so it is written back.
impl WireField for Includes {
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(Self, Option<Value>), A::Error> {
        let v: Option<Includes> = map.next_value()?;
        Ok(match v {
            None => (Includes::default(), Some(Value::Null)),
            Some(v) if v.is_empty() => (v, Some(Value::Object(serde_json::Map::new()))),
            Some(v) => (v, None),
        })
    }
    fn absent() -> Option<Self> {
        Some(Includes::default())
    }
    fn present(&self) -> bool {
        !self.is_empty()
    }
}
