//! Full-text search: [`SearchQuery`] in, [`SearchHit`]s out.
//!
//! Both backends index the same tokens (see [`tokenize`]): case and diacritics are ignored
//! (`cafe` finds `Café`), emoji are words of their own, ids are words, and `"quoted words"`
//! match as a phrase. SQLite keeps them in an FTS5 table (ranked by bm25), PostgreSQL in a
//! `tsvector` column with a GIN index (ranked by `ts_rank`). Snippets are made from the
//! stored text the same way for both.
//!
//! Ranking costs time per matching message (bm25 is about a microsecond each), and a common
//! word can match most of a store: SQLite ranks the newest [`RANKED_MATCHES`] matches of a
//! query (the full-text rows are kept in event-time order, so finding them is cheap), widening
//! when the filters leave too few hits ([`SearchQuery::rank_newest`], [`SearchQuery::rank_all`]).

pub(crate) mod query;
pub(crate) mod snippet;
pub(crate) mod tokenize;

use dm_model::{DmConversationId, UserId};
use time::OffsetDateTime;

pub use snippet::Snippet;

use crate::StoredEvent;
use query::Terms;

/// The default number of hits.
pub const DEFAULT_LIMIT: u32 = 20;
/// The most hits one search returns.
pub const MAX_LIMIT: u32 = 10_000;
/// How many of the newest matches a search ranks by default (see [`SearchQuery::rank_newest`]).
pub const RANKED_MATCHES: u32 = 5_000;

/// What to search for, and where.
///
/// ```
/// use dm_store::SearchQuery;
/// use time::macros::datetime;
///
/// let q = SearchQuery::new("\"see you\" café")
///     .since(datetime!(2024-01-01 0:00 UTC))
///     .limit(5);
/// assert_eq!(q.text(), "\"see you\" café");
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct SearchQuery {
    text: String,
    /// Only messages sent by this user.
    pub sender: Option<UserId>,
    /// Only events of this conversation.
    pub conversation: Option<DmConversationId>,
    /// Only events at or after this instant.
    pub since: Option<OffsetDateTime>,
    /// Only events before this instant.
    pub until: Option<OffsetDateTime>,
    /// At most this many hits (default [`DEFAULT_LIMIT`], capped at [`MAX_LIMIT`]).
    pub limit: u32,
    /// Rank only the newest this-many matches (default [`RANKED_MATCHES`]), or every match
    /// (`None`); see [`SearchQuery::rank_newest`].
    pub rank_window: Option<u32>,
}

impl SearchQuery {
    /// A search for `text`: words that must all occur, `"phrases in quotes"`. Everything else
    /// is plain text (no operators).
    pub fn new(text: impl Into<String>) -> Self {
        SearchQuery {
            text: text.into(),
            sender: None,
            conversation: None,
            since: None,
            until: None,
            limit: DEFAULT_LIMIT,
            rank_window: Some(RANKED_MATCHES),
        }
    }

    /// The text searched for.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Only messages from `sender`.
    pub fn sender(mut self, sender: UserId) -> Self {
        self.sender = Some(sender);
        self
    }

    /// Only events of `conversation`.
    pub fn conversation(mut self, conversation: DmConversationId) -> Self {
        self.conversation = Some(conversation);
        self
    }

    /// Only events at or after `since`.
    pub fn since(mut self, since: OffsetDateTime) -> Self {
        self.since = Some(since);
        self
    }

    /// Only events before `until`.
    pub fn until(mut self, until: OffsetDateTime) -> Self {
        self.until = Some(until);
        self
    }

    /// At most `limit` hits (capped at [`MAX_LIMIT`]; 0 means the default).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = limit;
        self
    }

    /// Rank only the newest `matches` matches (at least 1; the default is
    /// [`RANKED_MATCHES`]).
    ///
    /// Ranking costs time per matching message, and a common word can match hundreds of
    /// thousands of them: with a window the hits are the best-ranked among the newest
    /// `matches` matches (by event time, across the store's accounts). When the filters
    /// (sender, conversation, dates, account) leave fewer hits than the limit among those, the
    /// window widens (eight times, again and again) until the limit is reached or every match
    /// was ranked, so a filter never hides an older hit that would fill the page. Words found
    /// in fewer messages than the window are always ranked in full. PostgreSQL ranks every
    /// match whatever the window.
    pub fn rank_newest(mut self, matches: u32) -> Self {
        self.rank_window = Some(matches.max(1));
        self
    }

    /// Rank every match, however many (slower for common words over a large store).
    pub fn rank_all(mut self) -> Self {
        self.rank_window = None;
        self
    }

    pub(crate) fn effective_limit(&self) -> i64 {
        i64::from(match self.limit {
            0 => DEFAULT_LIMIT,
            n => n.min(MAX_LIMIT),
        })
    }

    pub(crate) fn since_ms(&self) -> Option<i64> {
        self.since.map(crate::batch::unix_ms)
    }

    pub(crate) fn until_ms(&self) -> Option<i64> {
        self.until.map(crate::batch::unix_ms)
    }
}

/// One search result: the event with its references, the snippet, and its rank.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SearchHit {
    /// The stored event and the objects it references.
    pub stored: StoredEvent,
    /// The message text around the matches, matches marked.
    pub snippet: Snippet,
    /// Relevance, higher is better (comparable within one search and one backend only).
    pub score: f64,
}

/// Hits from events (in rank order) and their scores; snippets from each message's text.
pub(crate) fn hits(events: Vec<StoredEvent>, scores: Vec<f64>, terms: &Terms) -> Vec<SearchHit> {
    events
        .into_iter()
        .zip(scores)
        .map(|(stored, score)| SearchHit {
            snippet: snippet::snippet(stored.event.text.as_deref().unwrap_or(""), terms),
            stored,
            score,
        })
        .collect()
}
