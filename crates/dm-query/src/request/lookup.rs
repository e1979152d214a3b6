//! The lookups: [`ListEvents`] (with its [`Scope`]) and [`GetEvent`].

use bytes::Bytes;
use dm_model::{DmConversationId, DmEventId, UserId};

use super::{ApiRequest, build};
use crate::base_url::BaseUrl;
use crate::error::QueryError;
use crate::operation::Operation;
use crate::query::{EventsQuery, FieldsQuery};

/// Which events a [`ListEvents`] lists.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every conversation of the authenticated user, last 30 days (`GET /2/dm_events`).
    All,
    /// One conversation, one-to-one or group (`GET /2/dm_conversations/{id}/dm_events`).
    Conversation(DmConversationId),
    /// The one-to-one conversation with a user
    /// (`GET /2/dm_conversations/with/{participant_id}/dm_events`).
    WithParticipant(UserId),
}

impl Scope {
    /// The operation that lists this scope.
    pub fn operation(&self) -> Operation {
        match self {
            Scope::All => Operation::GetDmEvents,
            Scope::Conversation(_) => Operation::GetDmConversationEvents,
            Scope::WithParticipant(_) => Operation::GetDmEventsWithParticipant,
        }
    }
}

/// Lists DM events, newest first: one page of [`Scope`] with an [`EventsQuery`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListEvents {
    /// Which events.
    pub scope: Scope,
    /// Page size, page token, event types, fields and expansions.
    pub query: EventsQuery,
}

impl ListEvents {
    /// Lists `scope` with `query`.
    pub fn new(scope: Scope, query: EventsQuery) -> Self {
        ListEvents { scope, query }
    }
}

impl ApiRequest for ListEvents {
    fn operation(&self) -> Operation {
        self.scope.operation()
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        let query = self.query.to_query_string()?;
        let path: &[&str] = match &self.scope {
            Scope::All => &[],
            Scope::Conversation(id) => &[id.as_str()],
            Scope::WithParticipant(id) => &[id.as_str()],
        };
        build(self.operation(), base, path, &query, None)
    }
}

/// Gets one DM event by id (`GET /2/dm_events/{event_id}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetEvent {
    /// The event.
    pub id: DmEventId,
    /// Fields and expansions.
    pub fields: FieldsQuery,
}

impl GetEvent {
    /// Gets `id` with the API's default fields.
    pub fn new(id: DmEventId) -> Self {
        GetEvent {
            id,
            fields: FieldsQuery::new(),
        }
    }

    /// Replaces the fields and expansions.
    pub fn fields(mut self, fields: FieldsQuery) -> Self {
        self.fields = fields;
        self
    }
}

impl ApiRequest for GetEvent {
    fn operation(&self) -> Operation {
        Operation::GetDmEvent
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        let query = self.fields.to_query_string()?;
        build(self.operation(), base, &[self.id.as_str()], &query, None)
    }
}
