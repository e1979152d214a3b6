//! A sandbox HTTP server that behaves like the X API v2 Direct Messages endpoints.
//!
//! `dm-fake` is an independent implementation of `spec/x-api-dm-reference.md` (it shares no
//! code with the client crates): a real loopback server the client is tested against, the
//! engine behind benches and demos, and a sandbox users can run their own tests on.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use dm_fake::{FakeServer, Scope};
//!
//! let server = FakeServer::builder().seed(7).events(50).start().await?;
//! assert!(server.base_url().starts_with("http://127.0.0.1:"));
//! // Ground truth: every event of the last 30 days, newest first, with every field.
//! let truth = server.dataset().event_ids(&Scope::All);
//! assert!(truth.len() <= 50);
//! // Point a client at `server.base_url()` with `Authorization: Bearer {server.token()}`.
//! # Ok(()) }
//! ```
//!
//! # What it serves
//!
//! * All eleven DM operations (the four lookups, delete, the three sends, media download,
//!   block, unblock) plus the OAuth 2.0 endpoints `GET /i/oauth2/authorize` (auto-approves),
//!   `POST /2/oauth2/token` (PKCE S256/plain, refresh with rotation, Basic auth for
//!   confidential clients) and `POST /2/oauth2/revoke`. HTTP/1.1 and h2c.
//! * Media upload (`x-api-realtime-media-reference.md` §2): the one-shot
//!   `POST /2/media/upload` and the chunked initialize / append / finalize, multipart or JSON
//!   bodies, `GET /2/media/upload?command=STATUS` with `processing_info` (`pending` →
//!   `in_progress` → `succeeded`, or `failed` on demand: [`FakeServer::fail_next_processing`]),
//!   the documented size limits per category, a 24-hour lifetime on the sandbox clock
//!   ([`FakeServer::advance_clock`]), ownership ([`FakeServerBuilder::other_user`]), and the
//!   API's 403 "You are not permitted to attach this media to a DM event." for a DM attachment
//!   that was uploaded by someone else, with a Post category, expired, or never uploaded.
//!   Uploads are hashed as they arrive ([`FakeServer::uploaded_media`]); only small ones keep
//!   their bytes ([`UploadConfig`]).
//! * A [`Dataset`] generated from a seed and a size, or loaded from JSON: one-to-one
//!   conversations (`{low}-{high}` by numeric order) and groups, the three event types,
//!   texts with unicode, emoji, quotes, newlines, URLs, mentions and hashtags, media and shared
//!   Posts (some unavailable: a resource-not-found partial error beside `data`). Events are
//!   snowflakes, newest first, spread over the 32 days before a fixed clock (2026-11-01);
//!   `GET /2/dm_events` returns the last 30 days, the per-conversation lookups everything.
//!   Storage is compact: ~53 bytes per event, 1 M events in ~53 MB, built in about a second.
//! * Fields, expansions and defaults as the reference says; `includes` deduplicated per page;
//!   `event_types` and `max_results`; opaque 24-character tokens (`18…ZZZZ`) that encode a
//!   position by event id (valid while new events arrive) with `next_token` and
//!   `previous_token`; by default the page holding the last results still carries a
//!   `next_token` that leads to `{"meta":{"result_count":0}}`, like the live API.
//! * Validation like the API (400 invalid-request with one entry per bad parameter, path
//!   segments percent-decoded first; 401; 403 for app-only tokens, for missing OAuth 2.0
//!   scopes and for sends reaching a blocked user; 413 for bodies over 1 MiB), OAuth 1.0a
//!   HMAC-SHA1 signatures verified per RFC 5849 (replayed nonces and timestamps more than
//!   5 minutes from the wall clock refused).
//! * Rate limits per endpoint family with `x-rate-limit-*` headers over a configurable window
//!   ([`RateLimitConfig`]), an optional per-day send budget with `x-user-limit-24hour-*`
//!   headers, a usage-capped mode; gzip when asked.
//! * Deterministic fault injection ([`FaultConfig`], [`FaultKind`]): latency, 5xx, 429 storms,
//!   reset mid-body, truncated bodies, slow bodies, a repeated `next_token`, an expired token,
//!   malformed JSON, and a connection dropped after the request body was acted on.
//! * The X Activity API (subscriptions, the stream with keep-alives, backfill and breaks),
//!   webhooks (CRC-checked registration, signed deliveries with retries, replay) and the
//!   Account Activity API ([`ActivityConfig`]): every message stored in a one-to-one
//!   conversation is delivered in real time ([`FakeServer::inject_incoming`]).
//! * A request log and counters ([`FakeServer::requests`], [`FakeServer::stats`]) that never
//!   hold credentials; pre-rendered pages for benchmarks ([`FakeServerBuilder::prerender`]).
//!
//! # How the sandbox answers
//!
//! Where the reference (`spec/x-api-dm-reference.md`) shows the API answering more or less than
//! was asked, the sandbox does the same; where its examples disagree, the choice is listed here.
//!
//! * **Default fields** (§2.1, §9.1): every DM event has `id` and `event_type`, plus `text` for
//!   `MessageCreate` and `participant_ids` for `ParticipantsJoin` / `ParticipantsLeave`, whatever
//!   `dm_event.fields` says. Expanded users always have `id`, `name`, `username`; Posts `id`,
//!   `text`, `edit_history_tweet_ids` (the data dictionary's sample returns it unasked); media
//!   `media_key`, `type`.
//! * **An expansion brings the field it expands from**: `expansions=sender_id` returns
//!   `sender_id` on each event even when `dm_event.fields` does not list it (the lookup
//!   quickstart's example), `referenced_tweets.id` returns `referenced_tweets` (the data
//!   dictionary's sample page, which does not ask for it), and likewise `attachments.media_keys`
//!   → `attachments` and `participant_ids` → `participant_ids`.
//! * **`dm_conversation_id` only when asked**: the quickstart's no-fields example has none; the
//!   data dictionary's sample has it unasked, but its request line is cut off after a trailing
//!   comma, so it is not taken as evidence of a default.
//! * **`name` on every expanded user**: the 2026 quickstart prints a user without `name` for
//!   `user.fields=username,profile_image_url`, but its values are marked illustrative, the
//!   User schema requires `name`, and the data dictionary's sample has it.
//! * **Fields that cannot take effect** (`user.fields` without a user expansion, ...) are
//!   accepted and return nothing, as the reference says; unknown values are a 400.
//! * **`event_types`** defaults to all three types; **`max_results`** to 100.
//! * **The last page** still carries a `next_token` that leads to `{"meta":{"result_count":0}}`
//!   (the recorded exchanges); `includes` are de-duplicated per page.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod activity;
mod auth;
mod chat;
mod clock;
mod config;
mod conn;
mod dataset;
mod dispatch;
mod faults;
mod handlers;
mod log;
mod oauth2;
mod params;
mod problem;
mod ratelimit;
mod reply;
mod routes;
mod serve;
mod server;
mod token;
mod upload;
mod view;

pub use activity::{ActivityConfig, ActivityStats, StreamBreak};
pub use auth::{base_string as oauth1_base_string, pct as oauth1_percent_encode, sign_hmac_sha1};
pub use clock::{DEFAULT_NOW_MS, format_ms};
pub use config::{FaultConfig, FaultKind, OAuth1Config, OAuth2Config, RateLimitConfig};
pub use dataset::{Dataset, DatasetConfig, LoadError, Scope};
pub use handlers::media_bytes;
pub use log::{AuthKind, Endpoint, RequestRecord, Stats};
pub use params::{
    DM_EVENT_FIELDS, EVENT_TYPES, EXPANSIONS, MEDIA_FIELDS, TWEET_FIELDS, USER_FIELDS,
};
pub use server::{FakeServer, FakeServerBuilder, InjectError, StartError};
pub use upload::{UploadConfig, UploadedMedia};
pub use view::{ConversationInfo, DatasetView};

/// The crate README's examples, compiled as doc tests so they never rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct CrateReadmeDoctests;
