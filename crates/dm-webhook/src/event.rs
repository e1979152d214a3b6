//! [`WebhookEvent`]: one thing a delivery said, typed.

use dm_model::activity::{
    AccountActivityPayload, ActivityEvent, ConvertError, Delivery, DeliveryKeys, DmMessage,
    ReplayJobStatus,
};
use serde::Serialize;

/// One event received on the webhook.
///
/// An Account Activity body carrying several events is split into one
/// [`WebhookEvent::AccountActivity`] per event (each keeps `for_user_id`, `users` and `apps`,
/// so it reads like a body of its own): each is de-duplicated and delivered on its own.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
// Events are moved through a channel one at a time: no boxing.
#[allow(clippy::large_enum_variant)]
pub enum WebhookEvent {
    /// An X Activity API event (`dm.received`, `dm.sent`, ..., or a newer type, verbatim).
    Activity(ActivityEvent),
    /// One Account Activity event: a DM, a typing or read event, or the other keys of the
    /// body (kept verbatim in `extra`).
    AccountActivity(AccountActivityPayload),
    /// A replay job ended.
    ReplayJob(ReplayJobStatus),
}

impl WebhookEvent {
    /// The DMs this event carries, as v2 events with their users (empty for typing, read,
    /// other event types and replay completions).
    ///
    /// # Errors
    ///
    /// [`ConvertError`] when a DM does not convert.
    pub fn messages(&self) -> Result<Vec<DmMessage>, ConvertError> {
        match self {
            WebhookEvent::Activity(e) => e.messages(),
            WebhookEvent::AccountActivity(p) => p.messages(None),
            WebhookEvent::ReplayJob(_) => Ok(Vec::new()),
        }
    }

    /// The keys it is de-duplicated on.
    pub fn keys(&self) -> DeliveryKeys {
        match self {
            WebhookEvent::Activity(e) => e.keys(),
            WebhookEvent::AccountActivity(p) => p.keys(),
            WebhookEvent::ReplayJob(s) => Delivery::ReplayJob(s.clone()).keys(),
        }
    }

    /// The event as JSON, as it was delivered (one Account Activity event per body).
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// The events of a delivery, an Account Activity body split per event.
pub(crate) fn events_of(delivery: Delivery) -> Vec<WebhookEvent> {
    match delivery {
        Delivery::Activity(e) => vec![WebhookEvent::Activity(e)],
        Delivery::ReplayJob(s) => vec![WebhookEvent::ReplayJob(s)],
        Delivery::AccountActivity(p) => split(p)
            .into_iter()
            .map(WebhookEvent::AccountActivity)
            .collect(),
        // In-stream errors do not come to webhooks; nothing to deliver.
        _ => Vec::new(),
    }
}

/// One body per event; keys this version does not model stay together in one more body.
fn split(p: AccountActivityPayload) -> Vec<AccountActivityPayload> {
    let count = p.direct_message_events.len()
        + p.direct_message_indicate_typing_events.len()
        + p.direct_message_mark_read_events.len();
    let unknown = !p.extra.is_empty();
    if count + usize::from(unknown) <= 1 {
        return vec![p];
    }
    let mut base = p.clone();
    base.direct_message_events.clear();
    base.direct_message_indicate_typing_events.clear();
    base.direct_message_mark_read_events.clear();
    base.extra.clear();
    let mut out = Vec::with_capacity(count + 1);
    for e in p.direct_message_events {
        let mut one = base.clone();
        one.direct_message_events.push(e);
        out.push(one);
    }
    for e in p.direct_message_indicate_typing_events {
        let mut one = base.clone();
        one.direct_message_indicate_typing_events.push(e);
        out.push(one);
    }
    for e in p.direct_message_mark_read_events {
        let mut one = base.clone();
        one.direct_message_mark_read_events.push(e);
        out.push(one);
    }
    if unknown {
        let mut rest = base;
        rest.extra = p.extra;
        out.push(rest);
    }
    out
}
