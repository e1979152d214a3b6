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
//! - [`EventsRequest::sync`] / [`SyncState`]: only what is new; [`EventsRequest::follow`]:
//!   new events as they arrive.
//! - [`Client::conversations`]: many conversations at once.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod checkpoint;
mod client;
mod error;
mod follow;
mod manage;
mod multi;
mod page;
mod pager;
mod request;
mod stream;
mod sync;

pub use checkpoint::{Checkpoint, Direction};
pub use client::{Client, ClientBuilder};
pub use error::{Error, StreamError};
pub use follow::{FollowOptions, FollowStream};
pub use manage::Sent;
pub use multi::ManyConversations;
pub use page::{Page, ResolvedEvent};
pub use request::EventsRequest;
pub use stream::{EventStream, PageStream};
pub use sync::{SyncBatch, SyncState};

pub use dm_query::Scope;
