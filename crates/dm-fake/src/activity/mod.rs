//! The X Activity API, webhooks and the Account Activity API, as the sandbox serves them
//! (`spec/x-api-realtime-media-reference.md` §3–§5), written independently of the client:
//!
//! - subscriptions (`/2/activity/subscriptions`): create, list, update, delete;
//! - the stream (`GET /2/activity/stream`): one event per line (`\r\n`), keep-alives,
//!   `backfill_minutes` / `start_time` / `end_time` from a backlog of recent events, the
//!   connection limit, and breaks on demand ([`StreamBreak`]);
//! - webhooks (`/2/webhooks`): registration with a real CRC check against the URL, signed
//!   deliveries (`x-twitter-webhooks-signature`) with retries, validation, replay;
//! - Account Activity subscriptions, delivering v1.1-shaped bodies to the webhook.
//!
//! Every message stored (a send through the API, [`FakeServer::inject_message`] or
//! [`FakeServer::inject_incoming`]) in a one-to-one conversation becomes a `dm.received`
//! event for the recipient's subscriptions and a `dm.sent` event for the sender's, and an
//! Account Activity delivery for each subscribed participant.

mod config;
mod delivery;
mod http;
mod render;
mod stream;

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;

pub use config::{ActivityConfig, StreamBreak};
pub(crate) use http::serve;

use crate::FakeServer;
use crate::clock::mix;
use crate::dataset::Store;
use crate::dispatch::lock;
use crate::server::InjectError;

/// What the sandbox's real-time side did, for assertions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ActivityStats {
    /// X Activity API events produced (one per matching subscription).
    pub events: u64,
    /// Account Activity bodies produced.
    pub account_activity: u64,
    /// Stream connections accepted so far.
    pub stream_connections: u64,
    /// Webhook POSTs sent (first attempts, retries and duplicates).
    pub delivery_attempts: u64,
    /// Deliveries the webhook acknowledged with a 2xx.
    pub deliveries_acknowledged: u64,
    /// Deliveries dropped after the last retry.
    pub deliveries_dropped: u64,
    /// CRC checks sent.
    pub crc_checks: u64,
}

/// A subscription.
#[derive(Clone, Debug)]
pub(crate) struct Sub {
    pub id: u64,
    pub event_type: String,
    pub user_id: Option<u64>,
    pub keyword: Option<String>,
    pub direction: Option<String>,
    pub tag: Option<String>,
    pub webhook_id: Option<u64>,
    pub created_at: String,
    pub updated_at: String,
}

/// A registered webhook.
pub(crate) struct Webhook {
    pub id: u64,
    pub url: String,
    pub valid: bool,
    pub created_at: String,
    /// Its delivery worker.
    pub queue: UnboundedSender<Bytes>,
    /// What was delivered or attempted, with when (for replays).
    pub delivered: VecDeque<(i64, Value)>,
}

/// An event on the stream's backlog.
pub(crate) struct Logged {
    pub at_ms: i64,
    pub line: Bytes,
}

/// What a stream connection's task is told.
pub(crate) enum ConnMsg {
    Line(Bytes),
    Break(StreamBreak),
}

/// An open stream connection.
pub(crate) struct Conn {
    pub id: u64,
    pub tx: UnboundedSender<ConnMsg>,
}

#[derive(Default)]
pub(crate) struct State {
    /// `store.events` already turned into activity.
    pub seen: usize,
    pub uuid_seq: u64,
    pub subs: Vec<Sub>,
    pub next_sub: u64,
    pub webhooks: Vec<Webhook>,
    pub next_webhook: u64,
    /// Account Activity subscriptions: (webhook, user).
    pub aaa: Vec<(u64, u64)>,
    pub log: VecDeque<Logged>,
    pub conns: Vec<Conn>,
    pub next_conn: u64,
    pub next_job: u64,
    pub stats: ActivityStats,
}

/// The real-time side of the sandbox, shared by every connection.
pub(crate) struct Hub {
    pub config: ActivityConfig,
    pub state: Mutex<State>,
    pub seed: u64,
    pub attempts: AtomicU64,
    pub acknowledged: AtomicU64,
    pub dropped: AtomicU64,
    pub crc_checks: AtomicU64,
}

impl Hub {
    pub(crate) fn new(config: ActivityConfig, seed: u64, seen: usize) -> Self {
        Hub {
            config,
            state: Mutex::new(State {
                seen,
                next_sub: 1_976_325_569_252_868_096,
                next_webhook: 1_234_567_890,
                next_job: 1_915_510_368_169_844_736,
                ..State::default()
            }),
            seed,
            attempts: AtomicU64::new(0),
            acknowledged: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            crc_checks: AtomicU64::new(0),
        }
    }

    /// A fresh `event_uuid`: a signed 64-bit decimal, like the API's.
    pub(crate) fn uuid(&self, st: &mut State) -> String {
        st.uuid_seq += 1;
        (mix(self.seed ^ 0xA11CE ^ st.uuid_seq.wrapping_mul(0x9E37)) as i64).to_string()
    }

    /// Turns the events stored since the last call into activity. Called with the store
    /// still write-locked, after every mutation: nothing is missed, and events are emitted
    /// in store (id) order.
    pub(crate) fn observe(&self, store: &Store, now_ms: i64) {
        let mut st = lock(&self.state);
        let len = store.events.len();
        if st.seen >= len {
            st.seen = len;
            return;
        }
        let from = st.seen;
        st.seen = len;
        if st.subs.is_empty() && st.aaa.is_empty() {
            return;
        }
        for e in store.events.get(from..).unwrap_or_default() {
            if let Some(m) = render::message(store, e) {
                self.emit(&mut st, &m, now_ms);
            }
        }
    }

    fn emit(&self, st: &mut State, m: &render::Message, now_ms: i64) {
        let subs = st.subs.clone();
        for sub in &subs {
            let matches = match sub.event_type.as_str() {
                "dm.received" => sub.user_id == Some(m.recipient),
                "dm.sent" => sub.user_id == Some(m.sender),
                _ => false,
            };
            if !matches {
                continue;
            }
            let uuid = self.uuid(st);
            let user = sub.user_id.map(|u| u.to_string()).unwrap_or_default();
            let event = render::xaa_event(m, &uuid, &sub.event_type, &user, sub.tag.as_deref());
            self.publish(st, sub, event, now_ms);
        }
        let aaa = st.aaa.clone();
        for (webhook, user) in aaa {
            if user == m.sender || user == m.recipient {
                let body = render::aaa_body(m, user);
                st.stats.account_activity += 1;
                self.enqueue(st, webhook, body, now_ms);
            }
        }
    }

    /// Sends one X Activity API event to the open streams, the backlog and the
    /// subscription's webhook.
    fn publish(&self, st: &mut State, sub: &Sub, event: Value, now_ms: i64) {
        let mut line = serde_json::to_vec(&event).unwrap_or_default();
        line.extend_from_slice(b"\r\n");
        let line = Bytes::from(line);
        st.log.push_back(Logged {
            at_ms: now_ms,
            line: line.clone(),
        });
        while st.log.len() > self.config.backlog {
            st.log.pop_front();
        }
        st.conns
            .retain(|c| c.tx.send(ConnMsg::Line(line.clone())).is_ok());
        st.stats.events += 1;
        if let Some(w) = sub.webhook_id {
            self.enqueue(st, w, event, now_ms);
        }
    }

    /// X Chat messages stored: `chat.received` for each recipient's subscriptions,
    /// `chat.sent` for the sender's, with the documented payload (`conversation_id`,
    /// `sender_id`, `encoded_event`, `conversation_key_version`,
    /// `conversation_key_change_event`).
    pub(crate) fn observe_chat(&self, items: Vec<crate::chat::ChatActivity>, now_ms: i64) {
        if items.is_empty() {
            return;
        }
        let mut st = lock(&self.state);
        let subs = st.subs.clone();
        for item in &items {
            for sub in &subs {
                let matches = match sub.event_type.as_str() {
                    "chat.received" => sub.user_id.is_some_and(|u| item.recipients.contains(&u)),
                    "chat.sent" => sub.user_id == Some(item.sender),
                    _ => false,
                };
                if !matches {
                    continue;
                }
                let uuid = self.uuid(&mut st);
                let mut data = serde_json::json!({
                    "event_uuid": uuid,
                    "filter": {"user_id": sub.user_id.map(|u| u.to_string()).unwrap_or_default()},
                    "event_type": sub.event_type,
                    "payload": item.payload,
                });
                if let Some(t) = &sub.tag {
                    data["tag"] = serde_json::json!(t);
                }
                self.publish(&mut st, sub, serde_json::json!({ "data": data }), now_ms);
            }
        }
    }

    /// Queues a delivery to a webhook and remembers it for replays.
    fn enqueue(&self, st: &mut State, webhook: u64, body: Value, now_ms: i64) {
        let backlog = self.config.backlog;
        if let Some(w) = st.webhooks.iter_mut().find(|w| w.id == webhook) {
            let bytes = Bytes::from(serde_json::to_vec(&body).unwrap_or_default());
            w.delivered.push_back((now_ms, body));
            while w.delivered.len() > backlog {
                w.delivered.pop_front();
            }
            if w.valid {
                let _ = w.queue.send(bytes);
            }
        }
    }

    pub(crate) fn stats(&self) -> ActivityStats {
        let mut s = lock(&self.state).stats.clone();
        s.delivery_attempts = self.attempts.load(Ordering::Relaxed);
        s.deliveries_acknowledged = self.acknowledged.load(Ordering::Relaxed);
        s.deliveries_dropped = self.dropped.load(Ordering::Relaxed);
        s.crc_checks = self.crc_checks.load(Ordering::Relaxed);
        s
    }
}

impl FakeServer {
    /// The app's consumer secret: what the sandbox signs webhook deliveries and computes
    /// CRC responses with ([`ActivityConfig::consumer_secret`]).
    pub fn consumer_secret(&self) -> &str {
        &self.shared().activity.config.consumer_secret
    }

    /// The app-only bearer token the activity stream and the webhook endpoints take (the
    /// same as [`FakeServer::app_only_token`]).
    pub fn app_token(&self) -> &str {
        self.app_only_token()
    }

    /// Adds a message from `sender` to the authenticated user, in their one-to-one
    /// conversation (created if needed); returns the new event id. The X Activity API
    /// delivers it as `dm.received` to the user's subscriptions.
    ///
    /// # Errors
    /// [`InjectError`] for a bad sender id (or the user themself) or a bad text.
    pub fn inject_incoming(
        &self,
        sender: impl std::fmt::Display,
        text: impl Into<String>,
    ) -> Result<String, InjectError> {
        let sender = sender.to_string();
        let id = crate::params::numeric_id("sender", &sender)
            .map_err(|_| InjectError::InvalidSender(sender.clone()))?;
        let conversation = {
            let mut store = self.shared().store_write();
            if id == store.me_id() {
                return Err(InjectError::InvalidSender(sender));
            }
            let other = store.user_or_create(id);
            let conv = store.one_to_one_or_create(other);
            store
                .convs
                .get(conv as usize)
                .map(|c| c.id.clone())
                .unwrap_or_default()
        };
        self.inject_message(conversation, sender, text)
    }

    /// Ends every open activity stream connection as `how` says; returns how many there
    /// were.
    pub fn break_activity_streams(&self, how: StreamBreak) -> usize {
        let st = lock(&self.shared().activity.state);
        st.conns
            .iter()
            .filter(|c| c.tx.send(ConnMsg::Break(how)).is_ok())
            .count()
    }

    /// Open activity stream connections.
    pub fn activity_stream_connections(&self) -> usize {
        let mut st = lock(&self.shared().activity.state);
        st.conns.retain(|c| !c.tx.is_closed());
        st.conns.len()
    }

    /// The sandbox's clock in Unix milliseconds: the dataset's fixed "now" plus the time
    /// since the server started (what event timestamps, backfill and replay windows use).
    pub fn now_ms(&self) -> i64 {
        self.shared().now_ms()
    }

    /// Counters of the real-time side.
    pub fn activity_stats(&self) -> ActivityStats {
        self.shared().activity.stats()
    }
}
