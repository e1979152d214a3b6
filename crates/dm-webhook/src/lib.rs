//! A webhook receiver for real-time X DMs: the X Activity API (`dm.received`, `dm.sent`,
//! ...) and the Account Activity API deliver to it.
//!
//! - [`Receiver`]: answers the CRC challenge (`sha256=` + base64 HMAC-SHA256 of the
//!   `crc_token` with the [`ConsumerSecret`]), verifies `x-twitter-webhooks-signature` over
//!   the raw body in constant time (a forged or missing signature is refused with 401 and
//!   never delivered), limits the body size (413), parses X Activity API and Account
//!   Activity bodies into typed [`WebhookEvent`]s, de-duplicates redeliveries and replays in
//!   bounded memory, queues the events and acknowledges at once. Mount
//!   [`Receiver::handle`] in your own hyper or axum server, or run [`serve`] /
//!   [`WebhookServer`].
//! - [`Events`]: the accepted events as a `Stream`, each once.
//! - [`Sink`], [`JsonlSink`], [`drain`]: hand each event to a sink exactly once, in order.
//! - `StoreSink` (feature `store`): each DM into a dm-store event store, once.
//!
//! X requires a public `https://` URL without a port: run the server behind a
//! TLS-terminating proxy or a tunnel (see `crates/dm-cli/README.md`).
//!
//! ```
//! use dm_webhook::{ConsumerSecret, Receiver, ReceiverConfig};
//! use futures::StreamExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let secret = ConsumerSecret::new("secret");
//! let (receiver, mut events) = Receiver::new(secret.clone(), ReceiverConfig::default());
//!
//! // The CRC challenge X sends when the webhook is registered.
//! let crc = http::Request::get("/webhook?crc_token=challenge_string").body(http_body_util::Empty::<bytes::Bytes>::new()).unwrap();
//! let response = receiver.handle(crc).await;
//! assert_eq!(response.status(), 200);
//!
//! // A signed delivery (here signed by hand, as X signs it).
//! let body = r#"{"for_user_id":"4337869213","direct_message_events":[{"type":"message_create",
//!   "id":"954491830116155396","created_timestamp":"1516403560557","message_create":{
//!   "target":{"recipient_id":"4337869213"},"sender_id":"3001969357",
//!   "message_data":{"text":"Hello World!"}}}]}"#;
//! let post = || {
//!     http::Request::post("/webhook")
//!         .header("x-twitter-webhooks-signature", secret.sign(body.as_bytes()))
//!         .body(http_body_util::Full::new(bytes::Bytes::from(body)))
//!         .unwrap()
//! };
//! assert_eq!(receiver.handle(post()).await.status(), 200);
//! assert_eq!(receiver.handle(post()).await.status(), 200, "a redelivery is acknowledged...");
//!
//! let event = events.next().await.unwrap();
//! let message = &event.messages()?[0];
//! assert_eq!(message.event.text.as_deref(), Some("Hello World!"));
//! assert_eq!(receiver.stats().duplicates, 1, "...and not delivered twice");
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod event;
mod receiver;
mod secret;
mod server;
mod sink;
#[cfg(feature = "store")]
mod store_sink;
mod stream;

pub use event::WebhookEvent;
pub use receiver::{Receiver, ReceiverConfig, ReceiverStats};
pub use secret::ConsumerSecret;
pub use server::{DEFAULT_PATH, WebhookServer, serve};
pub use sink::{DrainStats, JsonlSink, Sink, SinkError, drain};
#[cfg(feature = "store")]
pub use store_sink::StoreSink;
pub use stream::Events;

/// The crate README's examples, compiled as doc tests so they never rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct CrateReadmeDoctests;
