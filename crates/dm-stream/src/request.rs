//! [`EventsRequest`]: a typed lookup (scope + every query option) and its streams.

use dm_model::{DmEventField, EventType, Expansion, MediaField, TweetField, UserField};
use dm_query::{EventsQuery, FieldsQuery, Scope};

use crate::checkpoint::{Checkpoint, Direction};
use crate::client::Client;
use crate::pager::Pager;
use crate::stream::{EventStream, PageStream};

/// A DM event lookup: which events (a [`Scope`]) and every query option, typed.
///
/// Nothing is sent until a stream it makes is polled.
#[derive(Clone, Debug)]
#[must_use]
pub struct EventsRequest {
    pub(crate) client: Client,
    pub(crate) scope: Scope,
    pub(crate) query: EventsQuery,
    pub(crate) direction: Direction,
    pub(crate) resume: Option<Checkpoint>,
    pub(crate) start_token: Option<String>,
    pub(crate) prefetch: Option<usize>,
}

impl EventsRequest {
    pub(crate) fn new(client: Client, scope: Scope) -> Self {
        let query = EventsQuery::new().max_results(client.inner.page_size);
        EventsRequest {
            client,
            scope,
            query,
            direction: Direction::Older,
            resume: None,
            start_token: None,
            prefetch: None,
        }
    }

    /// A description of this lookup (path and query, without a page token): the name a
    /// checkpoint or a sync state belongs to, e.g. to keep one sync state per lookup.
    ///
    /// # Errors
    ///
    /// The query's validation error.
    pub fn lookup(&self) -> Result<String, crate::Error> {
        Ok(crate::checkpoint::LookupKey::new(&self.scope, &self.query)?.to_string())
    }

    /// Which events this request lists.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The query as it will be sent (without the page token).
    pub fn query(&self) -> &EventsQuery {
        &self.query
    }

    /// Replaces the whole query (fields, expansions, event types, page size).
    pub fn with_query(mut self, query: EventsQuery) -> Self {
        self.query = query.without_pagination_token();
        self
    }

    /// Only these event types (`event_types`).
    pub fn event_types(mut self, types: impl IntoIterator<Item = EventType>) -> Self {
        self.query = self.query.event_types(types);
        self
    }

    /// The event fields to return (`dm_event.fields`).
    pub fn dm_event_fields(mut self, fields: impl IntoIterator<Item = DmEventField>) -> Self {
        self.query = self.query.dm_event_fields(fields);
        self
    }

    /// The referenced objects to include (`expansions`).
    pub fn expansions(mut self, expansions: impl IntoIterator<Item = Expansion>) -> Self {
        self.query = self.query.expansions(expansions);
        self
    }

    /// The user fields of included users (`user.fields`).
    pub fn user_fields(mut self, fields: impl IntoIterator<Item = UserField>) -> Self {
        self.query = self.query.user_fields(fields);
        self
    }

    /// The Post fields of included Posts (`tweet.fields`).
    pub fn tweet_fields(mut self, fields: impl IntoIterator<Item = TweetField>) -> Self {
        self.query = self.query.tweet_fields(fields);
        self
    }

    /// The media fields of included media (`media.fields`).
    pub fn media_fields(mut self, fields: impl IntoIterator<Item = MediaField>) -> Self {
        self.query = self.query.media_fields(fields);
        self
    }

    /// Every field and expansion every user token may read
    /// ([`FieldsQuery::public_fields`]): what to ask for unless your token has more access.
    pub fn public_fields(mut self) -> Self {
        self.query = self.query.fields(FieldsQuery::public_fields());
        self
    }

    /// Every field and expansion at once ([`FieldsQuery::all_fields`]), including those
    /// most tokens may not read (private metrics, `confirmed_email`); the API answers those
    /// with partial `not-authorized-for-field` errors beside the data.
    pub fn all_fields(mut self) -> Self {
        self.query = self.query.fields(FieldsQuery::all_fields());
        self
    }

    /// Events per page (`max_results`, 1..=100).
    pub fn max_results(mut self, n: u32) -> Self {
        self.query = self.query.max_results(n);
        self
    }

    /// Resumes exactly after the item `checkpoint` was taken from. The checkpoint must come
    /// from the same lookup (scope and query), or the stream fails with
    /// [`Error::CheckpointMismatch`](crate::Error::CheckpointMismatch).
    pub fn resume(mut self, checkpoint: Checkpoint) -> Self {
        self.direction = checkpoint.direction;
        self.resume = Some(checkpoint);
        self
    }

    /// Starts at the page a `pagination_token` names (a `next_token` or `previous_token`
    /// the API returned) instead of the newest page.
    pub fn start_token(mut self, token: impl Into<String>) -> Self {
        self.start_token = Some(token.into());
        self
    }

    /// Walks towards older events with `next_token` ([`Direction::Older`], the default) or
    /// towards newer ones with `previous_token` ([`Direction::Newer`]; start from a token or
    /// a checkpoint, since the newest page has nothing newer).
    pub fn direction(mut self, direction: Direction) -> Self {
        self.direction = direction;
        self
    }

    /// Pages fetched ahead of the consumer (default: the client's, 1; 0 is off).
    pub fn prefetch(mut self, pages: usize) -> Self {
        self.prefetch = Some(pages);
        self
    }

    /// A lazy stream of pages: no request until it is polled.
    ///
    /// It follows the page token until the API gives none (or an empty one), goes on
    /// through empty pages that still carry a token, fetches a page again when the API
    /// answers with a token it already followed (no infinite loops, no silently lost pages;
    /// if the token keeps repeating, the stream ends with an error and a checkpoint), and
    /// ends after yielding an error.
    pub fn pages(self) -> PageStream {
        let prefetch = self.prefetch.unwrap_or(self.client.inner.prefetch);
        PageStream::new(Pager::new(self), prefetch)
    }

    /// A lazy stream of events, each with its sender, participants, media and referenced
    /// Posts resolved from its page's `includes`, and a checkpoint to resume after it.
    pub fn events(self) -> EventStream {
        EventStream::new(self.pages())
    }
}
