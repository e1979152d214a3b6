//! The v1.1-shaped objects the Account Activity API delivers, and the X Activity API carries
//! in its `dm.*` payloads: [`AccountActivityPayload`] and the `direct_message_events`,
//! typing and read events inside it.
//!
//! Shapes: `spec/x-api-realtime-media-reference.md` §5.3 (Account Activity) and §3.7 (the
//! same objects in an XAA `payload`, with a `users` map of v2 users wrapped in `data`).

use serde_json::{Map, Value};

use crate::wire::wire_object;
use crate::{DmEventId, UserId};

wire_object! {
    #[default]
    /// The v1.1-shaped DM payload: the body of an Account Activity delivery, and the
    /// `payload` of an X Activity API `dm.*` event (which has no `for_user_id` and no `apps`,
    /// and whose `users` values are v2 users wrapped in `data`).
    ///
    /// Other Account Activity keys (`tweet_create_events`, `favorite_events`, ...) are kept
    /// verbatim in `extra`.
    pub struct AccountActivityPayload {
        /// The subscribed user this delivery is for (Account Activity only).
        pub for_user_id: Option<UserId> = "for_user_id",
        /// Messages sent or received (`type: "message_create"`).
        pub direct_message_events: Vec<LegacyDmEvent> = "direct_message_events",
        /// Someone is typing.
        pub direct_message_indicate_typing_events: Vec<LegacyTypingEvent> =
            "direct_message_indicate_typing_events",
        /// Someone read the conversation up to an event.
        pub direct_message_mark_read_events: Vec<LegacyReadEvent> =
            "direct_message_mark_read_events",
        /// The users the events refer to, keyed by id: v1.1 user objects (Account Activity),
        /// or `{"data": <v2 User>}` (X Activity API). See
        /// [`AccountActivityPayload::includes`], which reads both as v2 users.
        pub users: Option<Map<String, Value>> = "users",
        /// The apps messages were sent with, keyed by id (Account Activity only).
        pub apps: Option<Map<String, Value>> = "apps",
    }
}

wire_object! {
    /// One element of `direct_message_events`: a v1.1 DM event (`type: "message_create"`).
    /// [`LegacyDmEvent::to_dm_event`] turns a message into the v2 [`DmEvent`](crate::DmEvent).
    pub struct LegacyDmEvent {
        /// `message_create` (the only type the API delivers here).
        pub r#type: Option<String> = "type",
        /// The event id (the same id space as v2 DM events).
        pub id: Option<DmEventId> = "id",
        /// Milliseconds since the Unix epoch, as a string (`"1516403560557"`).
        pub created_timestamp: Option<String> = "created_timestamp",
        /// The message.
        pub message_create: Option<MessageCreate> = "message_create",
        /// What the conversation was started from (`tweet_id`, `welcome_message_id`).
        pub initiated_via: Option<Value> = "initiated_via",
    }
}

wire_object! {
    /// The `message_create` object of a v1.1 DM event.
    pub struct MessageCreate {
        /// The recipient.
        pub target: Option<LegacyTarget> = "target",
        /// The sender.
        pub sender_id: Option<UserId> = "sender_id",
        /// The app the message was sent with (a key of `apps`).
        pub source_app_id: Option<String> = "source_app_id",
        /// Text, entities, attachment, quick reply.
        pub message_data: Option<MessageData> = "message_data",
    }
}

wire_object! {
    #[default]
    /// Who a v1.1 event is addressed to.
    pub struct LegacyTarget {
        /// The recipient's user id.
        pub recipient_id: Option<UserId> = "recipient_id",
    }
}

wire_object! {
    #[default]
    /// The content of a v1.1 message.
    pub struct MessageData {
        /// The text.
        pub text: Option<String> = "text",
        /// Hashtags, symbols, mentions and URLs in the text.
        pub entities: Option<LegacyEntities> = "entities",
        /// One media attachment.
        pub attachment: Option<LegacyAttachment> = "attachment",
        /// The option picked from a quick reply (`{"type": "options", "metadata": ..}`).
        pub quick_reply_response: Option<Value> = "quick_reply_response",
    }
}

wire_object! {
    #[default]
    /// v1.1 entities (GNIP data dictionary shapes).
    pub struct LegacyEntities {
        /// `#hashtags`.
        pub hashtags: Vec<LegacyTextEntity> = "hashtags",
        /// `$cashtags` (v2 calls them cashtags).
        pub symbols: Vec<LegacyTextEntity> = "symbols",
        /// `@mentions`.
        pub user_mentions: Vec<LegacyMention> = "user_mentions",
        /// URLs.
        pub urls: Vec<LegacyUrl> = "urls",
    }
}

wire_object! {
    #[default]
    /// A v1.1 hashtag or symbol: `{text, indices: [start, end]}`.
    pub struct LegacyTextEntity {
        /// The tag without `#` or `$`.
        pub text: Option<String> = "text",
        /// `[start, end]`.
        pub indices: Vec<u32> = "indices",
    }
}

wire_object! {
    #[default]
    /// A v1.1 mention.
    pub struct LegacyMention {
        /// The handle, without `@`.
        pub screen_name: Option<String> = "screen_name",
        /// The display name.
        pub name: Option<String> = "name",
        /// The user id as a string (the numeric `id` is kept in `extra`).
        pub id_str: Option<UserId> = "id_str",
        /// `[start, end]`.
        pub indices: Vec<u32> = "indices",
    }
}

wire_object! {
    #[default]
    /// A v1.1 URL entity.
    pub struct LegacyUrl {
        /// The URL as in the text (`https://t.co/...`).
        pub url: Option<String> = "url",
        /// The resolved URL.
        pub expanded_url: Option<String> = "expanded_url",
        /// The URL as displayed.
        pub display_url: Option<String> = "display_url",
        /// `[start, end]`.
        pub indices: Vec<u32> = "indices",
        /// Where the URL finally leads (enhanced URLs).
        pub unwound: Option<LegacyUnwound> = "unwound",
    }
}

wire_object! {
    #[default]
    /// The `unwound` member of a v1.1 URL entity.
    pub struct LegacyUnwound {
        /// The final URL.
        pub url: Option<String> = "url",
        /// Its HTTP status.
        pub status: Option<u16> = "status",
        /// The page title.
        pub title: Option<String> = "title",
        /// The page description.
        pub description: Option<String> = "description",
    }
}

wire_object! {
    #[default]
    /// A v1.1 message attachment (`{"type": "media", "media": {..}}`).
    pub struct LegacyAttachment {
        /// `media`.
        pub r#type: Option<String> = "type",
        /// The v1.1 media entity.
        pub media: Option<LegacyMedia> = "media",
    }
}

wire_object! {
    #[default]
    /// A v1.1 media entity (the members a DM needs; the rest stays in `extra`).
    pub struct LegacyMedia {
        /// The media id as a string (the numeric `id` is kept in `extra`).
        pub id_str: Option<String> = "id_str",
        /// `photo`, `video` or `animated_gif`.
        pub r#type: Option<String> = "type",
        /// The HTTPS URL of the media.
        pub media_url_https: Option<String> = "media_url_https",
    }
}

wire_object! {
    #[default]
    /// Someone is typing (`direct_message_indicate_typing_events[i]`; no `type`, no `id`).
    pub struct LegacyTypingEvent {
        /// Milliseconds since the Unix epoch, as a string.
        pub created_timestamp: Option<String> = "created_timestamp",
        /// Who is typing.
        pub sender_id: Option<UserId> = "sender_id",
        /// To whom.
        pub target: Option<LegacyTarget> = "target",
    }
}

wire_object! {
    #[default]
    /// Someone read a conversation (`direct_message_mark_read_events[i]`).
    pub struct LegacyReadEvent {
        /// Milliseconds since the Unix epoch, as a string.
        pub created_timestamp: Option<String> = "created_timestamp",
        /// Who read.
        pub sender_id: Option<UserId> = "sender_id",
        /// Whose messages were read.
        pub target: Option<LegacyTarget> = "target",
        /// The newest DM event the reader has seen.
        pub last_read_event_id: Option<DmEventId> = "last_read_event_id",
    }
}

wire_object! {
    /// The body the webhook receives when a replay job ends
    /// (`{"replay_job_status": {..}}`).
    pub struct ReplayJobStatus {
        /// The webhook replayed to.
        pub webhook_id: Option<String> = "webhook_id",
        /// `Complete` or `Incomplete`.
        pub job_state: Option<String> = "job_state",
        /// A human-readable description.
        pub job_state_description: Option<String> = "job_state_description",
        /// The job.
        pub job_id: Option<String> = "job_id",
    }
}

impl ReplayJobStatus {
    /// Whether the job delivered every event (`job_state == "Complete"`).
    pub fn is_complete(&self) -> bool {
        self.job_state.as_deref() == Some("Complete")
    }
}
