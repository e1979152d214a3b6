//! Every X API v2 Direct Messages endpoint, validated and encoded into `http` requests.
//!
//! This crate does no I/O: it turns typed request values into `http::Request<Bytes>` that
//! any transport can send, and parses query strings back (for servers and tests).
//!
//! - [`Operation`]: every operation of the vendored OpenAPI specs, generated from them: the
//!   eleven DM operations, then media upload, the X Activity API, webhooks and the Account
//!   Activity API (method, path template, path parameters and their id patterns, query
//!   parameters, media types, success status, accepted [`AuthScheme`]s and OAuth 2.0 scopes,
//!   streaming, idempotency).
//! - [`EventsQuery`] / [`FieldsQuery`]: validated, canonical query strings (`max_results`
//!   `1..=100`, `pagination_token` of 16+ characters, comma-joined lists without duplicates,
//!   classic `tweet.fields` / `referenced_tweets.id` names), with [`EventsQuery::parse`] as
//!   the inverse, and [`QueryWarning`]s for fields that cannot take effect.
//! - Request values implementing [`ApiRequest`]: [`ListEvents`] (with a [`Scope`]),
//!   [`GetEvent`], [`DeleteEvent`], [`SendToParticipant`], [`SendToConversation`],
//!   [`CreateGroup`], [`DownloadMedia`], [`BlockDms`], [`UnblockDms`]; the media upload:
//!   [`UploadMedia`] (one-shot), [`InitializeUpload`], [`AppendUpload`], [`FinalizeUpload`],
//!   [`GetUploadStatus`], with bodies as the spec gives them ([`MediaEncoding`]); the X
//!   Activity API ([`StreamActivity`] and the subscriptions), webhooks ([`CreateWebhook`],
//!   [`ReplayWebhook`], ...) and the Account Activity subscriptions.
//! - [`BaseUrl`] (default `https://api.x.com`) and [`QueryError`], which names the parameter
//!   at fault and the values it accepts.
//!
//! # Example
//!
//! ```
//! use dm_model::{DmConversationId, DmEventField, EventType, Expansion, UserField};
//! use dm_query::{ApiRequest, BaseUrl, EventsQuery, ListEvents, Operation, Scope};
//!
//! let conversation: DmConversationId = "944480690-906948460078698496".parse()?;
//! let query = EventsQuery::new()
//!     .max_results(50)
//!     .event_types([EventType::MessageCreate])
//!     .dm_event_fields([DmEventField::Text, DmEventField::CreatedAt, DmEventField::SenderId])
//!     .expansions([Expansion::SenderId])
//!     .user_fields([UserField::Username]);
//! let request = ListEvents::new(Scope::Conversation(conversation), query)
//!     .to_request(&BaseUrl::default())?;
//!
//! assert_eq!(
//!     request.uri(),
//!     "https://api.x.com/2/dm_conversations/944480690-906948460078698496/dm_events\
//!      ?max_results=50&event_types=MessageCreate\
//!      &dm_event.fields=created_at,sender_id,text&expansions=sender_id&user.fields=username"
//! );
//! assert_eq!(request.headers()["accept"], "application/json");
//! assert_eq!(
//!     request.extensions().get::<Operation>(),
//!     Some(&Operation::GetDmConversationEvents)
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod base_url;
mod encode;
mod error;
mod generated;
mod operation;
mod query;
mod request;

pub use base_url::BaseUrl;
pub use error::QueryError;
pub use operation::{AuthScheme, Operation, PathParam};
pub use query::{EventsQuery, FieldsQuery, QueryWarning};
pub use request::{
    AddChatGroupMembers, AddConversationKeys, ApiRequest, AppendChatUpload, AppendUpload, BlockDms,
    CheckAaaSubscription, CreateAaaSubscription, CreateActivitySubscription, CreateChatGroup,
    CreateGroup, CreateWebhook, DeleteAaaSubscription, DeleteActivitySubscription,
    DeleteActivitySubscriptions, DeleteEvent, DeleteWebhook, DownloadChatMedia, DownloadMedia,
    FinalizeChatUpload, FinalizeUpload, GetAaaSubscriptionCount, GetChatConversation,
    GetChatConversations, GetChatEvents, GetEvent, GetMe, GetPublicKey, GetPublicKeys,
    GetUploadStatus, InitializeChatGroup, InitializeChatUpload, InitializeUpload,
    ListAaaSubscriptions, ListActivitySubscriptions, ListEvents, ListWebhooks,
    MAX_BACKFILL_MINUTES, MarkChatRead, MediaEncoding, RegisterPublicKey, ReplayWebhook, Scope,
    SendChatMessage, SendChatTyping, SendToConversation, SendToParticipant, StreamActivity,
    USER_AGENT, UnblockDms, UpdateActivitySubscription, UploadMedia, ValidateWebhook, stream_time,
};

/// The crate README's examples, compiled as doc tests so they never rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct CrateReadmeDoctests;
