//! The xdm [`Client`]: X API v2 Direct Messages as lazy, resumable streams of events,
//! incremental sync and follow.
//!
//! - [`Client`] / [`ClientBuilder`]: base URL, auth, transport, retry and rate-limit policy,
//!   page size, prefetch. Cheap to clone.
//! - [`EventsRequest`]: a typed lookup (all events, a conversation, the one-to-one
//!   conversation with a user) with every query option; [`EventsRequest::pages`] and
//!   [`EventsRequest::events`] stream it.
//! - [`ResolvedEvent`]: an event with its sender, participants, media and referenced Posts
//!   resolved from its page's `includes`, and a [`Checkpoint`] to resume exactly after it.
//! - [`EventsRequest::sync`] / [`SyncState`]: only what is new; [`EventsRequest::sync_walk`] /
//!   [`SyncProgress`]: the same a page at a time, resumable after an interruption;
//!   [`EventsRequest::follow`]: new events as they arrive.
//! - [`Client::conversations`]: many conversations at once.
//! - [`Client::send_to_user`], [`Client::send_to_conversation`], [`Client::create_group`],
//!   [`Client::get_event`], [`Client::delete_event`], [`Client::block_dms`],
//!   [`Client::unblock_dms`], [`Client::download_media`] (streamed): the other operations. Sends are never retried once they may
//!   have reached the server ([`Error::MaybeSent`]).
//! - [`Client::upload_media`]: a photo, GIF or video for a DM from a path, bytes or a reader
//!   ([`UploadSource`]): the DM category from the file's first bytes, size limits checked
//!   before sending, chunks streamed from the source and retried, processing awaited;
//!   [`Client::send_media`] uploads and sends in one call.
//! - [`Client::activity_stream`]: DMs in real time from the X Activity API, reconnecting
//!   with backfill, each event once; [`Client::ensure_dm_subscription`], webhooks
//!   ([`Client::register_webhook`], [`Client::replay_webhook`], ...) and the Account Activity
//!   subscriptions. App-only operations take [`ClientBuilder::app_bearer_token`].
//!
//! # Example
//!
//! Against the sandbox (`dm-fake`), exactly as against `https://api.x.com`:
//!
//! ```
//! use dm_model::EventKind;
//! use dm_stream::Client;
//! use futures::TryStreamExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sandbox = dm_fake::FakeServer::builder().seed(1).events(250).start().await?;
//! let client = Client::builder()
//!     .base_url(sandbox.base_url())
//!     .bearer_token(sandbox.token())
//!     .build()?;
//!
//! // Every event of the last 30 days, newest first, with senders and media resolved.
//! let mut events = client.all_events().all_fields().events();
//! let mut checkpoint = None;
//! while let Some(event) = events.try_next().await? {
//!     if let EventKind::Message { text, .. } = event.event().kind() {
//!         let who = event.sender().and_then(|u| u.username.as_deref()).unwrap_or("?");
//!         let _line = format!("@{who}: {text}");
//!     }
//!     checkpoint = Some(event.checkpoint());
//!     break; // stop after one event...
//! }
//!
//! // ...and resume exactly after it, even in another process (the checkpoint is serde).
//! let saved = serde_json::to_string(&checkpoint.unwrap())?;
//! let rest: Vec<_> = client
//!     .all_events()
//!     .all_fields()
//!     .resume(serde_json::from_str(&saved)?)
//!     .events()
//!     .try_collect()
//!     .await?;
//! assert_eq!(rest.len() + 1, sandbox.dataset().event_ids(&dm_fake::Scope::All).len());
//!
//! // Later: only what is new.
//! let request = client.all_events();
//! let first = request.sync(None).await?;
//! let again = request.sync(Some(&first.state)).await?;
//! assert!(again.events.is_empty());
//! # Ok(()) }
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod activity;
mod chat;
mod checkpoint;
mod client;
mod error;
mod follow;
mod manage;
mod media;
mod multi;
mod page;
mod pager;
mod request;
mod resumable;
mod stream;
mod sync;
mod upload;

pub use activity::{
    ActivityStream, ActivityStreamOptions, ActivityStreamStats, EnsuredSubscription,
    ReconnectPolicy,
};
pub use chat::{ChatClient, ChatEvent, ChatSent, Rejected, entry_text};
pub use checkpoint::{Checkpoint, Direction};
pub use client::{Client, ClientBuilder};
pub use error::{Error, StreamError};
pub use follow::{FollowOptions, FollowStream};
pub use manage::Sent;
pub use media::MediaDownload;
pub use multi::ManyConversations;
pub use page::{Page, ResolvedEvent};
pub use request::EventsRequest;
pub use resumable::{SyncPage, SyncProgress, SyncWalk};
pub use stream::{EventStream, PageStream};
pub use sync::{SyncBatch, SyncState};
pub use upload::{
    AttachRefusal, DEFAULT_CHUNK_SIZE, MediaKind, Recipient, UploadOptions, UploadProgress,
    UploadSource, UploadedMedia,
};

pub use dm_query::Scope;

/// The README's Rust examples, compiled as doc tests so they never rot.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

/// The crate README's examples, compiled as doc tests so they never rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct CrateReadmeDoctests;
