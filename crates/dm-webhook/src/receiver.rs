//! [`Receiver`]: the webhook handler. Answers CRC challenges, verifies signatures over the
//! raw body, limits the body size, parses, de-duplicates and hands events to the
//! application, then acknowledges.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use dm_model::activity::{Deduplicator, Delivery};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use tokio::sync::mpsc;

use crate::event::{WebhookEvent, events_of};
use crate::secret::ConsumerSecret;
use crate::stream::Events;

/// How a [`Receiver`] behaves.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReceiverConfig {
    /// The largest body accepted (default 1 MiB); larger is refused with 413.
    pub max_body_bytes: usize,
    /// How long reading a body may take (default 10 s; X wants an answer within 10 s).
    pub body_timeout: Duration,
    /// Events waiting for the application (default 10,000); when full, deliveries are
    /// refused with 503 (X retries them) instead of being held without bound.
    pub queue: usize,
    /// Deliveries remembered to drop redeliveries and replays (default 1,000,000 keys: a
    /// day of replay for most apps).
    pub dedupe_capacity: usize,
}

impl Default for ReceiverConfig {
    fn default() -> Self {
        ReceiverConfig {
            max_body_bytes: 1 << 20,
            body_timeout: Duration::from_secs(10),
            queue: 10_000,
            dedupe_capacity: 1_000_000,
        }
    }
}

impl ReceiverConfig {
    /// Sets the body size limit.
    pub fn max_body_bytes(mut self, n: usize) -> Self {
        self.max_body_bytes = n;
        self
    }

    /// Sets the queue length.
    pub fn queue(mut self, n: usize) -> Self {
        self.queue = n.max(1);
        self
    }

    /// Sets how many keys are remembered for de-duplication.
    pub fn dedupe_capacity(mut self, n: usize) -> Self {
        self.dedupe_capacity = n;
        self
    }
}

/// What a [`Receiver`] did so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReceiverStats {
    /// CRC challenges answered.
    pub crc_challenges: u64,
    /// Deliveries accepted (signature valid, parsed).
    pub deliveries: u64,
    /// Events handed to the application.
    pub events: u64,
    /// Events dropped as already received (redeliveries, replays).
    pub duplicates: u64,
    /// Requests refused for a missing or wrong signature (401).
    pub unauthorized: u64,
    /// Bodies refused as too large (413).
    pub too_large: u64,
    /// Signed bodies that did not parse (400).
    pub malformed: u64,
    /// Deliveries refused because the application is behind (503).
    pub overloaded: u64,
}

#[derive(Default)]
struct Counters {
    crc: AtomicU64,
    deliveries: AtomicU64,
    events: AtomicU64,
    duplicates: AtomicU64,
    unauthorized: AtomicU64,
    too_large: AtomicU64,
    malformed: AtomicU64,
    overloaded: AtomicU64,
}

struct Inner {
    secret: ConsumerSecret,
    config: ReceiverConfig,
    seen: Mutex<Deduplicator>,
    tx: mpsc::Sender<WebhookEvent>,
    counters: Counters,
}

/// The webhook handler, cheap to clone: mount [`Receiver::handle`] at your webhook's path
/// in any hyper-based server (axum included), or run [`serve`](crate::serve).
///
/// - `GET ?crc_token=T` → `200 {"response_token": "sha256=<base64 HMAC-SHA256(secret, T)>"}`,
///   computed on the spot (X gives 3 to 10 seconds).
/// - `POST` → the `x-twitter-webhooks-signature` header is verified over the raw body in
///   constant time (missing or wrong: 401, nothing delivered); a body over the limit is 413;
///   the body is parsed ([`Delivery`]), Account Activity bodies are split per event, every
///   event is de-duplicated (by `event_uuid`, by user and DM event id, by content for
///   typing/read events) and queued for the application; then `200`. A full queue is 503
///   (X retries later; nothing is remembered, so the retry is not taken for a duplicate).
/// - Anything else: 405.
#[derive(Clone)]
pub struct Receiver {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Receiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receiver")
            .field("secret", &self.inner.secret)
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

type Reply = Response<Full<Bytes>>;

fn reply(status: StatusCode, body: &'static str) -> Reply {
    let mut r = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *r.status_mut() = status;
    if !body.is_empty() {
        r.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
    }
    r
}

impl Receiver {
    /// A receiver verifying with `secret`, and the stream of the events it accepts (in the
    /// order they were accepted, each once).
    pub fn new(secret: ConsumerSecret, config: ReceiverConfig) -> (Receiver, Events) {
        let (tx, rx) = mpsc::channel(config.queue.max(1));
        let inner = Inner {
            secret,
            seen: Mutex::new(Deduplicator::new(config.dedupe_capacity)),
            config,
            tx,
            counters: Counters::default(),
        };
        (
            Receiver {
                inner: Arc::new(inner),
            },
            Events::new(rx),
        )
    }

    /// What it did so far.
    pub fn stats(&self) -> ReceiverStats {
        let c = &self.inner.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        ReceiverStats {
            crc_challenges: get(&c.crc),
            deliveries: get(&c.deliveries),
            events: get(&c.events),
            duplicates: get(&c.duplicates),
            unauthorized: get(&c.unauthorized),
            too_large: get(&c.too_large),
            malformed: get(&c.malformed),
            overloaded: get(&c.overloaded),
        }
    }

    /// Handles one request (see [`Receiver`]). Never fails: every outcome is a response.
    pub async fn handle<B>(&self, request: Request<B>) -> Reply
    where
        B: http_body::Body<Data = Bytes>,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        match *request.method() {
            Method::GET => self.crc(request.uri()),
            Method::POST => self.delivery(request).await,
            _ => reply(StatusCode::METHOD_NOT_ALLOWED, ""),
        }
    }

    fn crc(&self, uri: &http::Uri) -> Reply {
        let token = uri.query().and_then(|q| {
            q.split('&').find_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                (k == "crc_token").then_some(v)
            })
        });
        // Tokens are URL-safe; decode percent-escapes anyway (a `+` stays a `+`).
        let Some(token) = token.map(percent_decode) else {
            return reply(StatusCode::BAD_REQUEST, r#"{"error":"missing crc_token"}"#);
        };
        self.inner.counters.crc.fetch_add(1, Ordering::Relaxed);
        let body = serde_json::json!({
            "response_token": self.inner.secret.crc_response_token(&token)
        });
        let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
        r.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        r
    }

    async fn delivery<B>(&self, request: Request<B>) -> Reply
    where
        B: http_body::Body<Data = Bytes>,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let c = &self.inner.counters;
        let limit = self.inner.config.max_body_bytes;
        let (parts, body) = request.into_parts();
        let declared = parts
            .headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            c.too_large.fetch_add(1, Ordering::Relaxed);
            return reply(
                StatusCode::PAYLOAD_TOO_LARGE,
                r#"{"error":"body too large"}"#,
            );
        }
        let Some(signature) = parts.headers.get("x-twitter-webhooks-signature").cloned() else {
            c.unauthorized.fetch_add(1, Ordering::Relaxed);
            tracing::warn!("webhook: a POST without x-twitter-webhooks-signature was refused");
            return reply(StatusCode::UNAUTHORIZED, r#"{"error":"missing signature"}"#);
        };
        let collected = tokio::time::timeout(
            self.inner.config.body_timeout,
            Limited::new(body, limit).collect(),
        )
        .await;
        let raw = match collected {
            Err(_) => return reply(StatusCode::REQUEST_TIMEOUT, r#"{"error":"body too slow"}"#),
            Ok(Ok(b)) => b.to_bytes(),
            Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
                c.too_large.fetch_add(1, Ordering::Relaxed);
                return reply(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    r#"{"error":"body too large"}"#,
                );
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "webhook: reading the body failed");
                return reply(StatusCode::BAD_REQUEST, r#"{"error":"unreadable body"}"#);
            }
        };
        if !self.inner.secret.verify(signature.as_bytes(), &raw) {
            c.unauthorized.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                bytes = raw.len(),
                "webhook: a POST with a wrong signature was refused"
            );
            return reply(StatusCode::UNAUTHORIZED, r#"{"error":"bad signature"}"#);
        }
        let delivery = match Delivery::parse(&raw) {
            Ok(d) => d,
            Err(e) => {
                c.malformed.fetch_add(1, Ordering::Relaxed);
                tracing::error!(error = %e, "webhook: a signed body did not parse");
                return reply(StatusCode::BAD_REQUEST, r#"{"error":"unreadable JSON"}"#);
            }
        };
        c.deliveries.fetch_add(1, Ordering::Relaxed);
        self.accept(events_of(delivery))
    }

    /// De-duplicates and queues `events`, all or nothing for the queue.
    fn accept(&self, events: Vec<WebhookEvent>) -> Reply {
        let c = &self.inner.counters;
        let mut seen = self.inner.seen.lock().unwrap_or_else(|p| p.into_inner());
        let fresh: Vec<(WebhookEvent, _)> = events
            .into_iter()
            .map(|e| {
                let keys = e.keys();
                (e, keys)
            })
            .filter(|(_, keys)| {
                let new = seen.is_new(keys);
                if !new {
                    c.duplicates.fetch_add(1, Ordering::Relaxed);
                }
                new
            })
            .collect();
        // Room for all of them, or none is taken (X redelivers the whole body).
        if self.inner.tx.capacity() < fresh.len() {
            c.overloaded.fetch_add(1, Ordering::Relaxed);
            tracing::warn!("webhook: the application is behind; asking X to retry (503)");
            return reply(StatusCode::SERVICE_UNAVAILABLE, r#"{"error":"busy"}"#);
        }
        for (event, keys) in fresh {
            // A duplicate within this same body (or one racing in) is dropped here too.
            if !seen.first_time(&keys) {
                c.duplicates.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            if self.inner.tx.try_send(event).is_err() {
                // Only when the application dropped the stream: nothing can be delivered.
                return reply(StatusCode::SERVICE_UNAVAILABLE, r#"{"error":"closed"}"#);
            }
            c.events.fetch_add(1, Ordering::Relaxed);
        }
        reply(StatusCode::OK, "")
    }
}

/// Decodes `%XX` escapes (invalid ones are kept as they are).
fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, ..) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}
