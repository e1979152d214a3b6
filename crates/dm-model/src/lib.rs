//! Pure serde types for the X API v2 Direct Messages endpoints.
//!
//! No I/O, no async: ids that validate their spec patterns, open enums for every list-valued
//! query parameter (generated from the spec), DM events with a typed view, expanded objects,
//! response envelopes, request bodies, problem (error) bodies, and the media upload types
//! ([`MediaCategory`], [`MediaUploadResponse`], [`ProcessingInfo`], ...).
//!
//! Every object keeps the members it does not know in an `extra` map, so decoding a page and
//! encoding it back yields the same JSON value — archives lose nothing, and a newer API still
//! decodes.
//!
//! ```
//! use dm_model::{DmEventsPage, EventKind, decode};
//!
//! let body = br#"{
//!   "data": [
//!     {"id": "1582838535115067392", "event_type": "ParticipantsLeave", "participant_ids": ["944480690"]},
//!     {"id": "1582838499983564806", "event_type": "MessageCreate", "text": "Hi everyone.",
//!      "sender_id": "944480690", "created_at": "2022-10-19T20:58:00.000Z"},
//!     {"id": "1582835469712138240", "event_type": "ParticipantsJoin",
//!      "participant_ids": ["944480690"], "sender_id": "17200003"}
//!   ],
//!   "includes": {"users": [{"id": "944480690", "name": "API Demos", "username": "FloodSocial"}]},
//!   "meta": {"result_count": 3, "next_token": "18LAA5FFPEKJA52G0G00ZZZZ"}
//! }"#;
//!
//! let page: DmEventsPage = decode(body)?;
//! for event in &page.data {
//!     match event.kind() {
//!         EventKind::Message { text, sender, .. } => {
//!             let who = sender.and_then(|id| page.includes.user(id));
//!             let name = who.and_then(|u| u.username.as_deref()).unwrap_or("?");
//!             println!("@{name}: {text}");
//!             assert_eq!(text, "Hi everyone.");
//!             assert_eq!(name, "FloodSocial");
//!         }
//!         EventKind::Join { inviter, participants } => {
//!             println!("{inviter:?} added {participants:?}");
//!         }
//!         EventKind::Leave { participants } => println!("{participants:?} left"),
//!         _ => println!("a newer event type: {}", event.event_type),
//!     }
//! }
//! assert_eq!(page.next_token(), Some("18LAA5FFPEKJA52G0G00ZZZZ"));
//!
//! // Re-encoding yields the same JSON value.
//! let again: serde_json::Value = serde_json::to_value(&page)?;
//! assert_eq!(again, serde_json::from_slice::<serde_json::Value>(body)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod activity;
mod chat;
mod conversation_id;
mod decode;
mod entities;
mod envelope;
mod event;
mod fields;
mod generated;
mod ids;
mod includes;
mod media;
mod place;
mod problem;
pub mod record;
mod request;
mod timestamp;
mod tweet;
mod upload;
mod user;
mod wire;

pub use chat::{
    ActionSignatureBody, AddChatGroupMembersRequest, AddConversationKeysRequest,
    AddedConversationKeys, ChatConversation, ChatConversationId, ChatConversationsMeta,
    ChatConversationsPage, ChatEventsMeta, ChatEventsPage, ChatMediaHashKey, ChatMediaSessionId,
    ChatMessageEvent, ChatUploadSession, ConversationParticipantKeyBody, CreateChatGroupRequest,
    CreatedChatGroup, DataResponse, EventSignatureBody, InitializedChatGroup, PublicKeyRecord,
    PublicKeyRegistration, PublicKeysResponse, RegisterPublicKeyRequest, RegisteredPublicKey,
    SendChatMessageRequest, SentChatMessage, UserMeResponse,
};
pub use conversation_id::{ConversationKind, DmConversationId};
pub use decode::{DecodeError, DecodeErrorKind, decode};
pub use entities::{
    Annotation, CashtagEntity, Entities, FullTextEntities, HashtagEntity, MentionEntity, UrlEntity,
    UrlImage,
};
pub use envelope::{
    BlockDmResponse, Blocked, CreateDmEventResponse, CreatedDmEvent, DeleteDmResponse, Deleted,
    DmEventResponse, DmEventsPage, Meta,
};
pub use event::{DmAttachments, DmEvent, EventKind, ReferencedTweet};
pub use fields::{
    ChatConversationExpansion, ChatConversationField, ChatMessageEventField, DmEventField,
    EventType, Expansion, MediaField, PublicKeyField, TweetField, UnknownValue, UserField,
    WebhookConfigField,
};
pub use ids::{
    ActivitySubscriptionId, DmEventId, DmResourceId, IdError, MediaId, MediaKey, TweetId, UserId,
    WebhookConfigId,
};
pub use includes::Includes;
pub use media::{Media, MediaPlaybackMetrics, MediaPublicMetrics, MediaType, Variant};
pub use place::{Place, PlaceGeo, Poll, PollOption, Topic};
pub use problem::{Problem, ProblemKind, parse_error_body};
pub use request::{
    BodyError, GroupConversationRequest, MAX_GROUP_PARTICIPANTS, MAX_TEXT_CHARS,
    MIN_GROUP_PARTICIPANTS, MediaAttachment, MessageRequest,
};
pub use timestamp::{Timestamp, TimestampError};
pub use tweet::{
    ContextAnnotation, ContextEntity, EditControls, MatchedMediaNotes, NoteRequestSuggestions,
    NoteTweet, Point, SourceLinkCount, Tweet, TweetAttachments, TweetEngagementMetrics, TweetGeo,
    TweetNonPublicMetrics, TweetPublicMetrics, TweetReference, TweetScopes, TweetWithheld,
};
pub use upload::{
    AppendUploadData, AppendUploadResponse, FinalizeUploadResponse, InitializeUploadData,
    InitializeUploadRequest, InitializeUploadResponse, MAX_SEGMENT_INDEX, MAX_TOTAL_BYTES,
    MediaCategory, MediaMimeType, MediaUploadData, MediaUploadResponse, ProcessingInfo,
    ProcessingState, UploadBodyError, UploadImage, UploadStatusResponse, UploadVideo,
};
pub use user::{Affiliation, User, UserEntities, UserPublicMetrics, UserUrlEntities, UserWithheld};

/// The crate README's examples, compiled as doc tests so they never rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct CrateReadmeDoctests;
