//! Checkpoints: where a stream stands, serializable, so a new stream (even in a new process)
//! resumes exactly after the last item delivered.

use dm_model::{DmConversationId, DmEventId, UserId};
use dm_query::{EventsQuery, Scope};
use serde::{Deserialize, Serialize};

/// Which way a stream walks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Newest first, towards older events, following `next_token` (the API's order).
    #[default]
    Older,
    /// Towards newer events, following `previous_token` ("walking backwards" through the
    /// pages); events come oldest first.
    Newer,
}

/// A serializable name for a [`Scope`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ScopeKey {
    All,
    Conversation(DmConversationId),
    With(UserId),
}

impl From<&Scope> for ScopeKey {
    fn from(scope: &Scope) -> Self {
        match scope {
            Scope::All => ScopeKey::All,
            Scope::Conversation(id) => ScopeKey::Conversation(id.clone()),
            Scope::WithParticipant(id) => ScopeKey::With(id.clone()),
        }
    }
}

/// Identifies a lookup: its scope and its query without the page token. A checkpoint or a
/// sync state only applies to the lookup it was taken from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) struct LookupKey {
    pub(crate) scope: ScopeKey,
    pub(crate) query: String,
}

impl LookupKey {
    pub(crate) fn new(scope: &Scope, query: &EventsQuery) -> Result<Self, dm_query::QueryError> {
        Ok(LookupKey {
            scope: scope.into(),
            query: query.clone().without_pagination_token().to_query_string()?,
        })
    }
}

impl std::fmt::Display for LookupKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = match &self.scope {
            ScopeKey::All => "/2/dm_events".to_string(),
            ScopeKey::Conversation(id) => format!("/2/dm_conversations/{id}/dm_events"),
            ScopeKey::With(id) => format!("/2/dm_conversations/with/{id}/dm_events"),
        };
        if self.query.is_empty() {
            f.write_str(&path)
        } else {
            write!(f, "{path}?{}", self.query)
        }
    }
}

/// Where a stream stands: resume a new stream from it with
/// [`EventsRequest::resume`](crate::EventsRequest::resume).
///
/// It names the page to fetch next (an opaque `pagination_token`, or the head) and the last
/// event delivered. On resume, events at or beyond that event are skipped, so nothing is
/// delivered twice even when the page shifted; when the page token has expired, the stream
/// starts again from the head and skips what was already delivered, so nothing is lost.
/// Serialize it (serde, e.g. JSON) to resume after a process restart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    #[serde(rename = "v")]
    pub(crate) version: u32,
    pub(crate) lookup: LookupKey,
    #[serde(default)]
    pub(crate) direction: Direction,
    /// The page to fetch on resume; `None` is the head.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) token: Option<String>,
    /// The last event delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) after: Option<DmEventId>,
    /// Nothing is left: a resumed stream ends at once.
    #[serde(default)]
    pub(crate) done: bool,
}

impl Checkpoint {
    pub(crate) const VERSION: u32 = 1;

    /// The last event delivered before this checkpoint, if any.
    pub fn last_event_id(&self) -> Option<&DmEventId> {
        self.after.as_ref()
    }

    /// Whether the stream had reached its end: resuming yields nothing more.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The page token a resumed stream fetches first (`None`: the newest page).
    pub fn page_token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The walking direction.
    pub fn direction(&self) -> Direction {
        self.direction
    }

    /// A description of the lookup this checkpoint belongs to (path and query).
    pub fn lookup(&self) -> String {
        self.lookup.to_string()
    }
}
