//! Response envelopes: [`DmEventsPage`], [`DmEventResponse`], [`CreateDmEventResponse`],
//! [`DeleteDmResponse`], [`BlockDmResponse`], and [`Meta`].

use serde::de::MapAccess;
use serde_json::Value;

use crate::wire::{WireField, wire_object};
use crate::{DmConversationId, DmEvent, DmEventId, Includes, Problem};

wire_object! {
    #[default]
    /// Pagination details of a page.
    pub struct Meta {
        /// The number of events in this page.
        pub result_count: Option<u32> = "result_count",
        /// The token of the next (older) page; absent on the last page.
        pub next_token: Option<String> = "next_token",
        /// The token of the previous (newer) page.
        pub previous_token: Option<String> = "previous_token",
    }
}

impl Meta {
    /// Whether nothing was received.
    pub fn is_empty(&self) -> bool {
        self.result_count.is_none()
            && self.next_token.is_none()
            && self.previous_token.is_none()
            && self.extra.is_empty()
    }
}

impl WireField for Meta {
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(Self, Option<Value>), A::Error> {
        let v: Option<Meta> = map.next_value()?;
        Ok(match v {
            None => (Meta::default(), Some(Value::Null)),
            Some(v) if v.is_empty() => (v, Some(Value::Object(serde_json::Map::new()))),
            Some(v) => (v, None),
        })
    }
    fn absent() -> Option<Self> {
        Some(Meta::default())
    }
    fn present(&self) -> bool {
        !self.is_empty()
    }
}

wire_object! {
    #[default]
    /// A page of DM events (the three list endpoints).
    ///
    /// An empty page has no `data` (only `meta.result_count: 0`). A 200 may carry `errors`
    /// beside `data` (partial errors, usually about expanded objects): not a failure.
    pub struct DmEventsPage {
        /// The events, newest first.
        pub data: Vec<DmEvent> = "data",
        /// Expanded objects.
        pub includes: Includes = "includes",
        /// Pagination.
        pub meta: Meta = "meta",
        /// Partial errors.
        pub errors: Vec<Problem> = "errors",
    }
}

impl DmEventsPage {
    /// A page of `data` with `includes` (no meta, no errors); set the other fields as needed.
    pub fn new(data: Vec<DmEvent>, includes: Includes) -> Self {
        DmEventsPage {
            data,
            includes,
            ..DmEventsPage::default()
        }
    }

    /// The token of the next page, if there is one.
    pub fn next_token(&self) -> Option<&str> {
        self.meta.next_token.as_deref()
    }
}

wire_object! {
    #[default]
    /// One DM event (`GET /2/dm_events/{event_id}`).
    pub struct DmEventResponse {
        /// The event.
        pub data: Option<DmEvent> = "data",
        /// Expanded objects.
        pub includes: Includes = "includes",
        /// Partial errors.
        pub errors: Vec<Problem> = "errors",
    }
}

wire_object! {
    /// The event a send created.
    pub struct CreatedDmEvent {
        /// The conversation the message went to (new for a group create).
        pub dm_conversation_id: DmConversationId = "dm_conversation_id",
        /// The new message event.
        pub dm_event_id: DmEventId = "dm_event_id",
    }
}

impl CreatedDmEvent {
    /// The result of a send.
    pub fn new(dm_conversation_id: DmConversationId, dm_event_id: DmEventId) -> Self {
        CreatedDmEvent {
            dm_conversation_id,
            dm_event_id,
            extra: serde_json::Map::new(),
            aliased: Default::default(),
        }
    }
}

wire_object! {
    #[default]
    /// The response to the three sends (`CreateDmEventResponse`, HTTP 201).
    pub struct CreateDmEventResponse {
        /// The created event.
        pub data: Option<CreatedDmEvent> = "data",
        /// Errors.
        pub errors: Vec<Problem> = "errors",
    }
}

impl CreateDmEventResponse {
    /// The created event: `data`, or, when `data` is absent, the two ids at the top level
    /// (the shape DOCS-2022 printed, without the `data` wrapper).
    pub fn created(&self) -> Option<CreatedDmEvent> {
        if let Some(data) = &self.data {
            return Some(data.clone());
        }
        // Read like the wrapped members are (the response's own leniency), not as input.
        let conversation = serde_json::from_value(self.extra.get("dm_conversation_id")?.clone());
        let event = serde_json::from_value(self.extra.get("dm_event_id")?.clone());
        Some(CreatedDmEvent::new(conversation.ok()?, event.ok()?))
    }
}

wire_object! {
    #[default]
    /// Whether a delete happened.
    pub struct Deleted {
        /// `true` when the event was deleted.
        pub deleted: Option<bool> = "deleted",
    }
}

wire_object! {
    #[default]
    /// The response to `DELETE /2/dm_events/{event_id}` (`DeleteDmResponse`).
    pub struct DeleteDmResponse {
        /// The outcome.
        pub data: Option<Deleted> = "data",
        /// Errors.
        pub errors: Vec<Problem> = "errors",
    }
}

wire_object! {
    #[default]
    /// Whether DMs with a user are blocked.
    pub struct Blocked {
        /// `true` when blocked (after block), `false` after unblock.
        pub blocked: Option<bool> = "blocked",
    }
}

wire_object! {
    #[default]
    /// The response to `POST /2/users/{id}/dm/block` and `/dm/unblock`.
    pub struct BlockDmResponse {
        /// The outcome.
        pub data: Option<Blocked> = "data",
        /// Errors.
        pub errors: Vec<Problem> = "errors",
    }
}

/// A single-event response as a one-event page (no `meta`): lets callers treat both alike.
impl From<DmEventResponse> for DmEventsPage {
    fn from(response: DmEventResponse) -> Self {
        DmEventsPage {
            data: response.data.into_iter().collect(),
            includes: response.includes,
            errors: response.errors,
            ..DmEventsPage::default()
        }
    }
}
