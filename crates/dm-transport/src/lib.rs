//! The transport layer of `xdm`, the X API v2 Direct Messages client: every request
//! crosses it.
//!
//! * [`Transport`]: a dyn-compatible `http::Request<Bytes>` → `http::Response<Bytes>`
//!   trait; plug in your own HTTP stack or a test double.
//! * [`HyperTransport`]: hyper 1 + rustls (ring by default), HTTP/1.1 and HTTP/2, pooled
//!   connections, timeouts, gzip, a response-size limit, no plain HTTP off loopback, no
//!   redirects followed.
//! * [`Stack`]: Retry → RateLimit → Auth → status check → transport. Waits on rate limits
//!   instead of failing, retries only what is safe to retry (a DM send is never resent
//!   once it may have been sent), signs every attempt, refreshes OAuth 2.0 tokens.
//! * [`Auth`]: OAuth 2.0 user tokens ([`Auth::bearer`], refreshing [`Auth::oauth2`]),
//!   OAuth 1.0a ([`Auth::oauth1`]), PKCE ([`OAuth2Client`]); secrets wrapped in [`Secret`].
//! * [`Error`]: says whether the request may have been sent; [`ApiError`] carries the
//!   parsed problems, the [`RateLimit`] state and [`Advice`].
//! * `test_util` (feature `test-util`): replay, recording and capture transports.
//!
//! # Features
//!
//! `hyper` (default) compiles [`HyperTransport`] and its TLS stack; without it, bring your
//! own [`Transport`]. TLS, with `hyper`: `ring` (default) or `aws-lc-rs` as the rustls crypto
//! provider; `webpki-roots` (default: Mozilla's roots, bundled) and/or `native-roots` (the
//! operating system's store) as trust anchors.
//!
//! # Example
//!
//! A [`Stack`] over [`HyperTransport`] with a bearer token (here against a one-shot local
//! server standing in for `https://api.x.com`):
//!
//! ```
//! use std::sync::Arc;
//! use bytes::Bytes;
//! use dm_transport::{Auth, HyperTransport, RateLimit, RateLimitPolicy, RetryPolicy, Stack, Transport};
//! # use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! # let base = format!("http://{}", listener.local_addr()?);
//! # tokio::spawn(async move {
//! #     let (mut socket, _) = listener.accept().await.unwrap();
//! #     let mut buf = [0u8; 4096];
//! #     let _ = socket.read(&mut buf).await;
//! #     let body = r#"{"meta":{"result_count":0}}"#;
//! #     let head = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-rate-limit-limit: 15\r\nx-rate-limit-remaining: 14\r\nx-rate-limit-reset: 1900000000\r\ncontent-length: {}\r\n\r\n", body.len());
//! #     socket.write_all(format!("{head}{body}").as_bytes()).await.unwrap();
//! # });
//! let stack = Stack::builder(Arc::new(HyperTransport::new()?))
//!     .auth(Auth::bearer("a-user-access-token"))
//!     .retry(RetryPolicy::default())
//!     .rate_limit(RateLimitPolicy::default())
//!     .build();
//!
//! // `base` is `https://api.x.com` in production.
//! let request = http::Request::get(format!("{base}/2/dm_events")).body(Bytes::new())?;
//! let response = stack.send(request).await?;
//! let rate_limit = RateLimit::from_headers(response.headers()).unwrap();
//! assert_eq!(rate_limit.remaining, 14);
//! assert_eq!(stack.stats().requests_sent, 1);
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod api_error;
pub mod auth;
mod body_stream;
mod error;
#[cfg(feature = "hyper")]
mod hyper_transport;
mod layers;
mod rate_limit;
mod secret;
mod stack;
#[cfg(any(test, feature = "test-util"))]
pub mod test_util;
mod transport;

pub use api_error::{Advice, ApiError};
pub use auth::{
    Auth, AuthError, MemoryTokenStore, OAuth1Credentials, OAuth2Client, RefreshingToken, TokenSet,
    TokenStore, oauth1,
};
pub use body_stream::BodyStream;
pub use error::{BoxError, Error, TimeoutPhase};
#[cfg(feature = "hyper")]
pub use hyper_transport::{HyperTransport, HyperTransportBuilder};
pub use layers::{Clock, EndpointFamily, Idempotent, RateLimitPolicy, RetryPolicy, SystemClock};
pub use rate_limit::{Quota, RateLimit};
pub use secret::Secret;
pub use stack::{DEFAULT_BASE_URL, Stack, StackBuilder, StackStats};
pub use transport::{DEFAULT_MAX_RESPONSE_BYTES, Transport};

/// The crate README's examples, compiled as doc tests so they never rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct CrateReadmeDoctests;
