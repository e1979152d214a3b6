//! Real-time DMs: the X Activity API (stream and webhook) and the Account Activity API.
//!
//! - [`ActivityEvent`]: the event envelope (`event_uuid`, `event_type`, `filter`, `tag`,
//!   `payload`, `includes`), the same on the stream and in webhook bodies; unknown event
//!   types decode and re-encode unchanged.
//! - [`AccountActivityPayload`]: the v1.1-shaped DM payload (`direct_message_events`,
//!   typing and read events, `users`): the body of an Account Activity delivery and the
//!   `payload` of a `dm.*` event.
//! - [`LegacyDmEvent::to_dm_event`]: the one conversion of a v1.1 `message_create` into the
//!   v2 [`DmEvent`](crate::DmEvent); [`DmMessage`] pairs it with its users, so a message
//!   arrives as the same type whichever way it came.
//! - [`Delivery`]: what a webhook body or stream line is; [`Deduplicator`]: recognises a
//!   redelivery or a replay in bounded memory.
//! - Management: [`Subscription`] and the responses of the subscription, webhook and
//!   Account Activity endpoints (every shape the sources show), and the validated request
//!   bodies ([`CreateSubscriptionRequest`], [`UpdateSubscriptionRequest`], [`CreateWebhookRequest`],
//!   [`ReplayRequest`]).
//!
//! ```
//! use dm_model::activity::{ActivityEventType, Delivery};
//!
//! let line = br#"{"data": {"event_uuid": "-6850472171600526495", "event_type": "dm.received",
//!   "filter": {"user_id": "1111111111111111111"}, "tag": "dm-inbound",
//!   "payload": {"direct_message_events": [{"type": "message_create", "id": "2080765901528535096",
//!     "created_timestamp": "1784928224372", "message_create": {
//!       "target": {"recipient_id": "1111111111111111111"}, "sender_id": "2222222222222222222",
//!       "message_data": {"text": "hello!", "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []}}}}],
//!     "users": {"2222222222222222222": {"data": {"id": "2222222222222222222", "username": "OtherUser", "name": "OtherUser"}}}}}}"#;
//! let Delivery::Activity(event) = Delivery::parse(line)? else { unreachable!() };
//! assert_eq!(event.event_type, ActivityEventType::DmReceived);
//! let messages = event.messages()?;
//! let m = &messages[0];
//! assert!(m.is_incoming());
//! assert_eq!(m.event.text.as_deref(), Some("hello!"));
//! assert_eq!(m.event.dm_conversation_id.as_ref().unwrap().as_str(), "1111111111111111111-2222222222222222222");
//! assert_eq!(m.event.created_at.as_ref().unwrap().as_str(), "2026-07-24T21:23:44.372Z");
//! assert_eq!(m.includes.users[0].username.as_deref(), Some("OtherUser"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod bodies;
mod convert;
mod dedupe;
mod delivery;
mod envelope;
mod event_type;
mod legacy;
mod management;

pub use bodies::{
    ActivityBodyError, CreateSubscriptionRequest, CreateWebhookRequest, ReplayRequest, ReplayTime,
    SubscriptionFilter, UpdateSubscriptionRequest,
};
pub use convert::{ConvertError, DmMessage, timestamp_from_millis, user_from_v1};
pub use dedupe::{Deduplicator, DeliveryKey};
pub use delivery::{Delivery, DeliveryKeys};
pub use envelope::{ActivityEvent, ActivityFilter, ActivityResponse};
pub use event_type::ActivityEventType;
pub use legacy::{
    AccountActivityPayload, LegacyAttachment, LegacyDmEvent, LegacyEntities, LegacyMedia,
    LegacyMention, LegacyReadEvent, LegacyTarget, LegacyTextEntity, LegacyTypingEvent,
    LegacyUnwound, LegacyUrl, MessageCreate, MessageData, ReplayJobStatus,
};
pub use management::{
    AaaCount, AaaCountResponse, AaaSubscriber, AaaSubscriptions, AaaSubscriptionsResponse,
    DeleteResponse, DeleteSubscriptionsResponse, DeletedSubscription, ReplayJob, ReplayResponse,
    Subscribed, SubscribedResponse, Subscription, SubscriptionFailure, SubscriptionMeta,
    SubscriptionResponse, SubscriptionsPage, ValidateWebhookResponse, Validity, WebhookConfig,
    WebhookResponse, WebhooksMeta, WebhooksPage,
};
