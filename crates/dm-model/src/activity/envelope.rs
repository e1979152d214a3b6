//! The X Activity API event envelope, the same on the stream and in webhook bodies:
//! [`ActivityEvent`], [`ActivityFilter`], and the [`ActivityResponse`] wrapper
//! (`{"data": <event>}` or `{"errors": [..]}`).

use serde_json::Value;

use super::convert::{ConvertError, DmMessage};
use super::event_type::ActivityEventType;
use super::legacy::AccountActivityPayload;
use crate::decode::decode_value;
use crate::wire::wire_object;
use crate::{DecodeError, Includes, Problem, UserId};

wire_object! {
    #[default]
    /// The filter a subscription matches on (`ActivitySubscriptionFilter`).
    pub struct ActivityFilter {
        /// The user whose activity is delivered.
        pub user_id: Option<UserId> = "user_id",
        /// A keyword (1..=150 characters).
        pub keyword: Option<String> = "keyword",
        /// `inbound` or `outbound` (directional events).
        pub direction: Option<String> = "direction",
    }
}

wire_object! {
    #[default]
    /// One X Activity API event (`spec/x-api-realtime-media-reference.md` §3.6): on the
    /// stream, one per line; on a webhook, one per body.
    ///
    /// The `payload` is kept as received (a [`Value`]): its shape depends on `event_type`,
    /// and a type newer than this version must still decode and re-encode unchanged. The
    /// `dm.*` payloads read as an [`AccountActivityPayload`] with
    /// [`ActivityEvent::dm_payload`], and their messages as v2 events with
    /// [`ActivityEvent::messages`].
    pub struct ActivityEvent {
        /// The delivery's id: an opaque string (decimal, negative, or a UUID). Deliveries
        /// are de-duplicated on it.
        pub event_uuid: Option<String> = "event_uuid",
        /// `dm.received`, `dm.sent`, ... or a newer type.
        pub event_type: ActivityEventType = "event_type",
        /// The subscription's filter that matched.
        pub filter: Option<ActivityFilter> = "filter",
        /// The subscription's tag, when it has one.
        pub tag: Option<String> = "tag",
        /// The event's data, as received.
        pub payload: Option<Value> = "payload",
        /// Expanded objects.
        pub includes: Includes = "includes",
    }
}

impl ActivityEvent {
    /// The user the subscription is for (`filter.user_id`).
    pub fn for_user(&self) -> Option<&UserId> {
        self.filter.as_ref().and_then(|f| f.user_id.as_ref())
    }

    /// The payload of a `dm.*` event as the v1.1-shaped [`AccountActivityPayload`]; `None`
    /// for other event types or without a payload.
    ///
    /// # Errors
    ///
    /// [`DecodeError`] naming the path under `payload` that does not fit.
    pub fn dm_payload(&self) -> Result<Option<AccountActivityPayload>, DecodeError> {
        match (&self.payload, self.event_type.is_dm()) {
            (Some(p), true) => decode_value(p, "payload").map(Some),
            _ => Ok(None),
        }
    }

    /// The messages of a `dm.received` / `dm.sent` event as v2 events, for `filter.user_id`
    /// (empty for any other event type).
    ///
    /// # Errors
    ///
    /// [`ConvertError`] when the payload does not decode or a message does not convert.
    pub fn messages(&self) -> Result<Vec<DmMessage>, ConvertError> {
        use ActivityEventType::{DmReceived, DmSent};
        if !matches!(self.event_type, DmReceived | DmSent) {
            return Ok(Vec::new());
        }
        match self.dm_payload()? {
            Some(p) => p.messages(self.for_user()),
            None => Ok(Vec::new()),
        }
    }
}

wire_object! {
    #[default]
    /// One line of the activity stream, or the body of an X Activity API webhook delivery
    /// (`ActivityStreamResponse`): an event in `data`, or in-stream `errors` (e.g. an
    /// `operational-disconnect`).
    pub struct ActivityResponse {
        /// The event.
        pub data: Option<ActivityEvent> = "data",
        /// In-stream errors.
        pub errors: Vec<Problem> = "errors",
    }
}
