//! [`DmEvent`] and its typed view [`EventKind`].

use crate::entities::{CashtagEntity, Entities, HashtagEntity, MentionEntity, UrlEntity};
use crate::wire::wire_object;
use crate::{DmConversationId, DmEventId, EventType, MediaKey, Timestamp, TweetId, UserId};

wire_object! {
    /// A Direct Message event: a message, or a participant joining or leaving.
    ///
    /// Only `id` and `event_type` are required; every other member is present only when
    /// requested with `dm_event.fields`. Use [`DmEvent::kind`] for a typed view.
    ///
    /// Entities are accepted both nested (`entities: {urls, ..}`) and flat on the event
    /// (`urls`, ..), and kept in the shape received; [`DmEvent::urls`] and friends read either.
    pub struct DmEvent {
        /// The event id.
        pub id: DmEventId = "id",
        /// `MessageCreate`, `ParticipantsJoin`, `ParticipantsLeave`, or a newer type
        /// (`Other("")` when the member was absent).
        pub event_type: EventType = "event_type",
        /// The message text (`MessageCreate` only).
        pub text: Option<String> = "text",
        /// The conversation this event belongs to.
        pub dm_conversation_id: Option<DmConversationId> = "dm_conversation_id",
        /// When the event happened.
        pub created_at: Option<Timestamp> = "created_at",
        /// The sender of a message, or the user who invited the joiners.
        pub sender_id: Option<UserId> = "sender_id",
        /// The users who joined or left.
        pub participant_ids: Vec<UserId> = "participant_ids",
        /// Media and cards attached to a message.
        pub attachments: Option<DmAttachments> = "attachments",
        /// Posts the message links to (also read from `referenced_posts`, and written back
        /// under the spelling received).
        pub referenced_tweets: Vec<ReferencedTweet> = "referenced_tweets" | "referenced_posts",
        /// Entities, nested form.
        pub entities: Option<Entities> = "entities",
        /// Cashtags, flat form.
        pub cashtags: Vec<CashtagEntity> = "cashtags",
        /// Hashtags, flat form.
        pub hashtags: Vec<HashtagEntity> = "hashtags",
        /// Mentions, flat form.
        pub mentions: Vec<MentionEntity> = "mentions",
        /// URLs, flat form.
        pub urls: Vec<UrlEntity> = "urls",
    }
}

wire_object! {
    #[default]
    /// What is attached to a message.
    pub struct DmAttachments {
        /// Keys of the attached media (expand with `attachments.media_keys`).
        pub media_keys: Vec<MediaKey> = "media_keys",
        /// Ids of attached cards.
        pub card_ids: Vec<String> = "card_ids",
    }
}

wire_object! {
    /// A Post a message refers to (expand with `referenced_tweets.id`).
    pub struct ReferencedTweet {
        /// The Post's id.
        pub id: TweetId = "id",
    }
}

/// A typed view of a [`DmEvent`] by its `event_type`.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum EventKind<'a> {
    /// `MessageCreate`: a message.
    Message {
        /// The text (empty when `text` was not returned).
        text: &'a str,
        /// The sender, when `sender_id` was requested.
        sender: Option<&'a UserId>,
        /// Keys of the attached media.
        attachments: &'a [MediaKey],
        /// Posts the message refers to.
        referenced_tweets: &'a [ReferencedTweet],
    },
    /// `ParticipantsJoin`: users joined a group conversation.
    Join {
        /// Who added them (`sender_id`), when requested.
        inviter: Option<&'a UserId>,
        /// Who joined.
        participants: &'a [UserId],
    },
    /// `ParticipantsLeave`: users left a group conversation.
    Leave {
        /// Who left.
        participants: &'a [UserId],
    },
    /// An event type this version does not know (see [`DmEvent::event_type`]).
    Unknown,
}

impl DmEvent {
    /// An event with just an id and a type; set the other public fields as needed.
    pub fn new(id: DmEventId, event_type: EventType) -> Self {
        DmEvent {
            id,
            event_type,
            text: None,
            dm_conversation_id: None,
            created_at: None,
            sender_id: None,
            participant_ids: Vec::new(),
            attachments: None,
            referenced_tweets: Vec::new(),
            entities: None,
            cashtags: Vec::new(),
            hashtags: Vec::new(),
            mentions: Vec::new(),
            urls: Vec::new(),
            extra: serde_json::Map::new(),
            aliased: Default::default(),
        }
    }

    /// A typed view by event type.
    pub fn kind(&self) -> EventKind<'_> {
        match self.event_type {
            EventType::MessageCreate => EventKind::Message {
                text: self.text.as_deref().unwrap_or(""),
                sender: self.sender_id.as_ref(),
                attachments: self.media_keys(),
                referenced_tweets: &self.referenced_tweets,
            },
            EventType::ParticipantsJoin => EventKind::Join {
                inviter: self.sender_id.as_ref(),
                participants: &self.participant_ids,
            },
            EventType::ParticipantsLeave => EventKind::Leave {
                participants: &self.participant_ids,
            },
            _ => EventKind::Unknown,
        }
    }

    /// Keys of the attached media (empty when none).
    pub fn media_keys(&self) -> &[MediaKey] {
        self.attachments
            .as_ref()
            .map_or(&[][..], |a| a.media_keys.as_slice())
    }

    /// Whether the Posts were received as `referenced_posts` (SPEC-167 spelling).
    pub fn referenced_as_posts(&self) -> bool {
        self.aliased.key("referenced_tweets", &["referenced_posts"]) == "referenced_posts"
    }

    /// URL entities, nested or flat.
    pub fn url_entities(&self) -> &[UrlEntity] {
        match &self.entities {
            Some(e) if !e.urls.is_empty() => &e.urls,
            _ => &self.urls,
        }
    }

    /// Mention entities, nested or flat.
    pub fn mention_entities(&self) -> &[MentionEntity] {
        match &self.entities {
            Some(e) if !e.mentions.is_empty() => &e.mentions,
            _ => &self.mentions,
        }
    }

    /// Hashtag entities, nested or flat.
    pub fn hashtag_entities(&self) -> &[HashtagEntity] {
        match &self.entities {
            Some(e) if !e.hashtags.is_empty() => &e.hashtags,
            _ => &self.hashtags,
        }
    }

    /// Cashtag entities, nested or flat.
    pub fn cashtag_entities(&self) -> &[CashtagEntity] {
        match &self.entities {
            Some(e) if !e.cashtags.is_empty() => &e.cashtags,
            _ => &self.cashtags,
        }
    }
}

impl DmAttachments {
    /// Attachments with the given media keys.
    pub fn media(media_keys: Vec<MediaKey>) -> Self {
        DmAttachments {
            media_keys,
            card_ids: Vec::new(),
            extra: serde_json::Map::new(),
            aliased: Default::default(),
        }
    }
}

impl ReferencedTweet {
    /// A reference to Post `id`.
    pub fn new(id: TweetId) -> Self {
        ReferencedTweet {
            id,
            extra: serde_json::Map::new(),
            aliased: Default::default(),
        }
    }
}
