//! [`Delivery`]: what one webhook body or stream line is, whichever API sent it.

use serde_json::{Map, Value};

use super::dedupe::DeliveryKey;
use super::envelope::ActivityEvent;
use super::legacy::{AccountActivityPayload, ReplayJobStatus};
use crate::decode::decode_value;
use crate::{DecodeError, Problem, decode};

/// One webhook body or stream line, recognised by its top-level members
/// (`spec/x-api-realtime-media-reference.md` §3.6, §4.6, §5.3):
///
/// - `{"replay_job_status": ..}` → [`Delivery::ReplayJob`] (checked first, as the reference
///   says);
/// - `{"data": {"event_type": ..}}`, or the event unwrapped (`event_type` / `event_uuid` at
///   the top) → [`Delivery::Activity`];
/// - `{"errors": [..]}` without `data` → [`Delivery::Errors`];
/// - anything else, an Account Activity body (`for_user_id`, `direct_message_events`, ...,
///   or keys this version does not know, kept in `extra`) → [`Delivery::AccountActivity`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
// Deliveries are handled one at a time and moved, not stored by the thousand: no boxing.
#[allow(clippy::large_enum_variant)]
pub enum Delivery {
    /// An X Activity API event.
    Activity(ActivityEvent),
    /// An Account Activity API body.
    AccountActivity(AccountActivityPayload),
    /// A replay job finished.
    ReplayJob(ReplayJobStatus),
    /// Only errors (an in-stream error message).
    Errors(Vec<Problem>),
}

impl Delivery {
    /// Parses one body or line.
    ///
    /// # Errors
    ///
    /// [`DecodeError`] naming the JSON path when the bytes are not a JSON object or a
    /// recognised member has the wrong shape.
    pub fn parse(bytes: &[u8]) -> Result<Delivery, DecodeError> {
        let map: Map<String, Value> = decode(bytes)?;
        Self::from_map(map)
    }

    /// Recognises an already parsed object (see [`Delivery::parse`]).
    ///
    /// # Errors
    ///
    /// As [`Delivery::parse`].
    pub fn from_map(map: Map<String, Value>) -> Result<Delivery, DecodeError> {
        if let Some(status) = map.get("replay_job_status") {
            return decode_value(status, "replay_job_status").map(Delivery::ReplayJob);
        }
        if let Some(data) = map.get("data") {
            return decode_value(data, "data").map(Delivery::Activity);
        }
        let unwrapped = map.contains_key("event_type") || map.contains_key("event_uuid");
        if !unwrapped && let Some(errors) = map.get("errors") {
            return decode_value(errors, "errors").map(Delivery::Errors);
        }
        let value = Value::Object(map);
        if unwrapped {
            decode_value(&value, "").map(Delivery::Activity)
        } else {
            decode_value(&value, "").map(Delivery::AccountActivity)
        }
    }

    /// The keys this delivery is de-duplicated on (see [`DeliveryKey`]).
    pub fn keys(&self) -> DeliveryKeys {
        match self {
            Delivery::Activity(e) => e.keys(),
            Delivery::AccountActivity(p) => p.keys(),
            Delivery::ReplayJob(s) => DeliveryKeys {
                uuid: None,
                items: s
                    .job_id
                    .as_ref()
                    .map(|j| vec![DeliveryKey::ReplayJob(j.clone())])
                    .unwrap_or_default(),
            },
            Delivery::Errors(_) => DeliveryKeys::default(),
        }
    }
}

/// The identity of a delivery: the envelope's `event_uuid`, and one key per item inside
/// (per DM event, or per typing/read event). A delivery is a duplicate when its uuid was
/// seen, or when it has items and every one was seen (a replay may carry new uuids; the
/// DM event ids stay).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeliveryKeys {
    /// The `event_uuid`, when there is one.
    pub uuid: Option<DeliveryKey>,
    /// The items' keys.
    pub items: Vec<DeliveryKey>,
}

impl ActivityEvent {
    /// The keys a delivery of this event is de-duplicated on: `event_uuid`, and for the
    /// messages of a `dm.*` event, `(filter.user_id, DM event id)` (read straight from the
    /// payload: nothing else of it is decoded).
    pub fn keys(&self) -> DeliveryKeys {
        let uuid = self.event_uuid.clone().map(DeliveryKey::Uuid);
        let mut items = Vec::new();
        if self.event_type.is_dm()
            && let Some(events) = self
                .payload
                .as_ref()
                .and_then(|p| p.get("direct_message_events"))
                .and_then(Value::as_array)
        {
            for e in events {
                let id = e
                    .get("id")
                    .and_then(Value::as_str)
                    .map(crate::DmEventId::parse);
                if let Some(Ok(id)) = id {
                    items.push(DeliveryKey::DmEvent {
                        for_user: self.for_user().cloned(),
                        id,
                    });
                }
            }
        }
        DeliveryKeys { uuid, items }
    }
}

impl AccountActivityPayload {
    /// One key per DM event (`(for_user_id, id)`) and per typing or read event (a hash of
    /// its content and `for_user_id`: they have no id).
    pub fn keys(&self) -> DeliveryKeys {
        let mut items = self.message_keys(self.for_user_id.as_ref());
        let for_user = self.for_user_id.as_ref().map_or("", |u| u.as_str());
        for t in &self.direct_message_indicate_typing_events {
            items.push(DeliveryKey::content("typing", for_user, t));
        }
        for r in &self.direct_message_mark_read_events {
            items.push(DeliveryKey::content("read", for_user, r));
        }
        DeliveryKeys { uuid: None, items }
    }

    fn message_keys(&self, for_user: Option<&crate::UserId>) -> Vec<DeliveryKey> {
        self.direct_message_events
            .iter()
            .filter_map(|e| e.id.clone())
            .map(|id| DeliveryKey::DmEvent {
                for_user: for_user.cloned(),
                id,
            })
            .collect()
    }
}
