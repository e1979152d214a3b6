//! [`ActivityStream`]: the X Activity API stream as a `futures::Stream` of events that
//! survives disconnections without losing or repeating an event.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use dm_model::activity::{ActivityEvent, Deduplicator, Delivery, DmMessage};
use dm_query::{MAX_BACKFILL_MINUTES, Operation, StreamActivity};
use dm_transport::{BodyStream, Transport};
use futures::{Stream, StreamExt};
use time::OffsetDateTime;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::lines::Lines;
use crate::client::Client;
use crate::error::Error;

/// The pauses between reconnection attempts (the streaming guidance of
/// `spec/x-api-realtime-media-reference.md` §3.5): after a dead connection (a stall, a
/// reset, a clean close) at once; after network errors linearly longer; after HTTP errors
/// exponentially; after a 429 exponentially from a minute.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReconnectPolicy {
    /// Added per consecutive network failure (250 ms).
    pub network_step: Duration,
    /// The longest pause after network failures (16 s).
    pub network_max: Duration,
    /// The first pause after an HTTP error (5 s), doubled per consecutive one.
    pub http_first: Duration,
    /// The longest pause after HTTP errors (320 s).
    pub http_max: Duration,
    /// The first pause after a 429 (60 s), doubled per consecutive one.
    pub rate_limited_first: Duration,
    /// The longest pause after 429s (16 min).
    pub rate_limited_max: Duration,
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        ReconnectPolicy {
            network_step: Duration::from_millis(250),
            network_max: Duration::from_secs(16),
            http_first: Duration::from_secs(5),
            http_max: Duration::from_secs(320),
            rate_limited_first: Duration::from_secs(60),
            rate_limited_max: Duration::from_secs(960),
        }
    }
}

impl ReconnectPolicy {
    /// Every pause divided by `factor` (tests and sandboxes; at least 1).
    pub fn scaled_down(self, factor: u32) -> Self {
        let f = factor.max(1);
        ReconnectPolicy {
            network_step: self.network_step / f,
            network_max: self.network_max / f,
            http_first: self.http_first / f,
            http_max: self.http_max / f,
            rate_limited_first: self.rate_limited_first / f,
            rate_limited_max: self.rate_limited_max / f,
        }
    }

    fn delay(&self, kind: Failure, consecutive: u32) -> Duration {
        let doubled = |first: Duration, max: Duration| {
            first
                .saturating_mul(1u32 << consecutive.saturating_sub(1).min(16))
                .min(max)
        };
        match kind {
            Failure::Network => self
                .network_step
                .saturating_mul(consecutive.saturating_sub(1))
                .min(self.network_max),
            Failure::Http => doubled(self.http_first, self.http_max),
            Failure::RateLimited => doubled(self.rate_limited_first, self.rate_limited_max),
        }
    }
}

/// How [`Client::activity_stream`] connects, notices a dead connection and resumes.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ActivityStreamOptions {
    /// A connection silent this long is dead (the API sends a keep-alive at least every
    /// 20 s; default 30 s: the interval plus a grace).
    pub stall_timeout: Duration,
    /// How far before the last byte heard a resumed connection asks to start (default
    /// 30 s); duplicates this causes are dropped.
    pub backfill_margin: Duration,
    /// How many deliveries are remembered to drop duplicates (default 100,000: more than a
    /// 5-minute backfill at the documented rate).
    pub dedupe_capacity: usize,
    /// The longest line accepted (default 4 MiB).
    pub max_line_bytes: usize,
    /// Minutes of backfill on the first connection (0..=5; default none).
    pub backfill_minutes: Option<u8>,
    /// The first connection starts at this time (the last 24 hours; default none).
    pub start_time: Option<OffsetDateTime>,
    /// Serves the window up to this time, then the stream ends (default none: forever).
    pub end_time: Option<OffsetDateTime>,
    /// The pauses between attempts.
    pub reconnect: ReconnectPolicy,
}

impl Default for ActivityStreamOptions {
    fn default() -> Self {
        ActivityStreamOptions {
            stall_timeout: Duration::from_secs(30),
            backfill_margin: Duration::from_secs(30),
            dedupe_capacity: 100_000,
            max_line_bytes: 4 << 20,
            backfill_minutes: None,
            start_time: None,
            end_time: None,
            reconnect: ReconnectPolicy::default(),
        }
    }
}

impl ActivityStreamOptions {
    /// Sets the stall timeout.
    pub fn stall_timeout(mut self, d: Duration) -> Self {
        self.stall_timeout = d;
        self
    }

    /// Sets the reconnection pauses.
    pub fn reconnect(mut self, policy: ReconnectPolicy) -> Self {
        self.reconnect = policy;
        self
    }

    /// Starts with `minutes` of backfill (0..=5).
    pub fn backfill_minutes(mut self, minutes: u8) -> Self {
        self.backfill_minutes = Some(minutes);
        self
    }

    /// Serves the window from `start` to `end` (`None`: on, live) of the last 24 hours.
    pub fn window(mut self, start: OffsetDateTime, end: Option<OffsetDateTime>) -> Self {
        self.start_time = Some(start);
        self.end_time = end;
        self
    }
}

/// What an [`ActivityStream`] did so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ActivityStreamStats {
    /// Connections opened.
    pub connections: u64,
    /// Connections opened after the first (each asked for the missed window).
    pub reconnects: u64,
    /// Failed attempts to connect.
    pub failed_attempts: u64,
    /// Keep-alive lines received.
    pub keepalives: u64,
    /// Events delivered.
    pub events: u64,
    /// Deliveries dropped as already delivered (backfill overlap, replays).
    pub duplicates: u64,
    /// Connections given up as silent past the stall timeout.
    pub stalls: u64,
    /// In-stream error messages (e.g. `operational-disconnect`).
    pub in_stream_errors: u64,
    /// Lines that were not an event and were skipped.
    pub skipped_lines: u64,
    /// Times the missed window was longer than the API can replay (24 h): events may be
    /// missing.
    pub gaps: u64,
}

type Item = Result<ActivityEvent, Error>;

/// The X Activity API stream ([`Client::activity_stream`]): every event of the app's
/// subscriptions, each delivered once, in the order the API sent them.
///
/// Newline-delimited JSON is read incrementally from the long-lived response; keep-alives
/// are skipped; a connection silent past [`ActivityStreamOptions::stall_timeout`] is dead.
/// After a disconnection it reconnects (with [`ReconnectPolicy`]'s pauses) asking for the
/// missed window: `backfill_minutes` for up to 5 minutes, else `start_time`. Replayed events
/// are dropped by `event_uuid` and, for DM events, by user and DM event id, in bounded
/// memory. A final error (refused credentials, a bad request, no access) is yielded once and
/// ends the stream. Nothing is sent until it is first polled; dropping it closes the
/// connection.
pub struct ActivityStream {
    client: Option<(Client, ActivityStreamOptions)>,
    rx: Option<mpsc::Receiver<Item>>,
    task: Option<JoinHandle<()>>,
    stats: Arc<Mutex<ActivityStreamStats>>,
}

impl std::fmt::Debug for ActivityStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActivityStream")
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl ActivityStream {
    /// What the stream did so far.
    pub fn stats(&self) -> ActivityStreamStats {
        self.stats.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// The messages of the `dm.received` and `dm.sent` events, as v2 events with their
    /// users; other events are skipped.
    pub fn dm_messages(self) -> impl Stream<Item = Result<DmMessage, Error>> + Send + Unpin {
        self.flat_map(|item| {
            let messages: Vec<Result<DmMessage, Error>> = match item {
                Ok(event) => match event.messages() {
                    Ok(m) => m.into_iter().map(Ok).collect(),
                    Err(e) => vec![Err(Error::Convert(e))],
                },
                Err(e) => vec![Err(e)],
            };
            futures::stream::iter(messages)
        })
    }
}

impl Drop for ActivityStream {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

impl Stream for ActivityStream {
    type Item = Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Item>> {
        if let Some((client, options)) = self.client.take() {
            let (tx, rx) = mpsc::channel(256);
            let worker = Worker {
                client,
                seen: Deduplicator::new(options.dedupe_capacity),
                lines: Lines::new(options.max_line_bytes),
                options,
                tx,
                stats: self.stats.clone(),
            };
            self.task = Some(tokio::spawn(worker.run()));
            self.rx = Some(rx);
        }
        match self.rx.as_mut() {
            Some(rx) => rx.poll_recv(cx),
            None => Poll::Ready(None),
        }
    }
}

impl Client {
    /// The X Activity API stream (`GET /2/activity/stream`, the app's bearer token): the
    /// events of every subscription of the app, as they happen; see [`ActivityStream`].
    /// Pair it with [`Client::ensure_dm_subscription`] for a user's incoming DMs.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use dm_stream::{ActivityStreamOptions, Client};
    /// use futures::TryStreamExt;
    ///
    /// let client = Client::builder()
    ///     .bearer_token("user-access-token")
    ///     .app_bearer_token("app-bearer-token")
    ///     .build()?;
    /// let me = "2244994945".parse()?;
    /// client.ensure_dm_subscription(me).await?;
    /// let mut messages = client.activity_stream(ActivityStreamOptions::default()).dm_messages();
    /// while let Some(m) = messages.try_next().await? {
    ///     if m.is_incoming() {
    ///         println!("{:?}: {:?}", m.event.sender_id, m.event.text);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn activity_stream(&self, options: ActivityStreamOptions) -> ActivityStream {
        ActivityStream {
            client: Some((self.clone(), options)),
            rx: None,
            task: None,
            stats: Arc::default(),
        }
    }

    async fn open_activity_stream(&self, request: &StreamActivity) -> Result<BodyStream, Error> {
        use dm_query::ApiRequest as _;
        let stack = self.stack_for(Operation::StreamActivity)?;
        let http_request = request.to_request(&self.inner.base)?;
        Ok(stack.send_streaming(http_request).await?.into_body())
    }
}

/// Why an attempt failed, for the pause before the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Failure {
    Network,
    Http,
    RateLimited,
}

/// `None`: final (credentials, access, a bad request).
fn classify(e: &Error) -> Option<Failure> {
    let Error::Transport(t) = e else {
        return None;
    };
    match t {
        dm_transport::Error::RateLimitWait { .. } => Some(Failure::RateLimited),
        dm_transport::Error::Api(api) => match api.status.as_u16() {
            429 => Some(Failure::RateLimited),
            408 | 500..=599 => Some(Failure::Http),
            _ => None,
        },
        t if t.is_retryable() => Some(Failure::Network),
        _ => None,
    }
}

/// How a connection ended.
enum End {
    Stalled,
    Closed,
    Broken(String),
    ServerError(String),
    Malformed(String),
}

struct Worker {
    client: Client,
    options: ActivityStreamOptions,
    seen: Deduplicator,
    lines: Lines,
    tx: mpsc::Sender<Item>,
    stats: Arc<Mutex<ActivityStreamStats>>,
}

impl Worker {
    fn stat(&self, f: impl FnOnce(&mut ActivityStreamStats)) {
        if let Ok(mut s) = self.stats.lock() {
            f(&mut s);
        }
    }

    /// The request of an attempt: the options' on the first connection, else the window
    /// since a margin before the last byte heard.
    fn request(&self, heard: Option<Instant>) -> StreamActivity {
        let o = &self.options;
        let Some(heard) = heard else {
            let mut r = StreamActivity::new();
            if let Some(m) = o.backfill_minutes {
                r = r.backfill_minutes(m);
            }
            if let Some(s) = o.start_time {
                r = r.start_time(s);
            }
            if let Some(e) = o.end_time {
                r = r.end_time(e);
            }
            return r;
        };
        let missed = heard.elapsed() + o.backfill_margin;
        let max_backfill = Duration::from_secs(60 * u64::from(MAX_BACKFILL_MINUTES));
        if missed <= max_backfill && o.end_time.is_none() {
            let minutes = missed
                .as_secs()
                .div_ceil(60)
                .clamp(1, u64::from(MAX_BACKFILL_MINUTES));
            return StreamActivity::new().backfill_minutes(minutes as u8);
        }
        let day = Duration::from_secs(24 * 3600 - 60);
        let since = if missed > day {
            self.stat(|s| s.gaps += 1);
            tracing::warn!(
                missed_secs = missed.as_secs(),
                "the activity stream was away longer than the API replays (24 h): events may be missing"
            );
            day
        } else {
            missed
        };
        let start = OffsetDateTime::from(SystemTime::now() - since);
        let mut r = StreamActivity::new().start_time(start);
        if let Some(e) = o.end_time {
            r = r.end_time(e);
        }
        r
    }

    async fn run(mut self) {
        let mut heard: Option<Instant> = None;
        let mut failures = 0u32;
        let mut malformed = 0u32;
        let mut wait = Duration::ZERO;
        loop {
            if !wait.is_zero() {
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = self.tx.closed() => return,
                }
            }
            let request = self.request(heard);
            let opened = tokio::select! {
                r = self.client.open_activity_stream(&request) => r,
                _ = self.tx.closed() => return,
            };
            let body = match opened {
                Ok(body) => body,
                Err(e) => match classify(&e) {
                    None => {
                        let _ = self.tx.send(Err(e)).await;
                        return;
                    }
                    Some(kind) => {
                        failures += 1;
                        wait = self.options.reconnect.delay(kind, failures);
                        self.stat(|s| s.failed_attempts += 1);
                        tracing::warn!(error = %e, wait_ms = wait.as_millis() as u64, "activity stream: connect failed; retrying");
                        continue;
                    }
                },
            };
            let reconnect = heard.is_some();
            self.stat(|s| {
                s.connections += 1;
                s.reconnects += u64::from(reconnect);
            });
            // The connection is live from its head on: what happens now arrives on it.
            heard = Some(Instant::now());
            let (end, heard_bytes) = match self.read(body, &mut heard).await {
                Some(r) => r,
                None => return,
            };
            self.lines.clear();
            failures = if heard_bytes { 0 } else { failures + 1 };
            wait = self
                .options
                .reconnect
                .delay(Failure::Network, failures.max(1));
            match end {
                End::Closed if self.options.end_time.is_some() => return,
                End::Closed => tracing::info!(
                    "activity stream: the server closed the connection; reconnecting"
                ),
                End::Stalled => {
                    self.stat(|s| s.stalls += 1);
                    tracing::warn!(
                        timeout_ms = self.options.stall_timeout.as_millis() as u64,
                        "activity stream: no data or keep-alive in time; reconnecting"
                    );
                }
                End::Broken(e) => {
                    tracing::warn!(error = %e, "activity stream: connection lost; reconnecting")
                }
                End::ServerError(e) => {
                    self.stat(|s| s.in_stream_errors += 1);
                    tracing::warn!(error = %e, "activity stream: the server ended the stream; reconnecting");
                }
                End::Malformed(e) => {
                    malformed += 1;
                    if malformed >= 3 {
                        let _ = self
                            .tx
                            .send(Err(Error::Unexpected(format!(
                                "the activity stream sent an unreadable line three times running: {e}"
                            ))))
                            .await;
                        return;
                    }
                    failures += 1;
                    tracing::warn!(error = %e, "activity stream: unreadable line; reconnecting to get it again");
                    continue;
                }
            }
            malformed = 0;
        }
    }

    /// Reads one connection until it ends. `None`: the consumer is gone. Also says whether
    /// any byte arrived.
    async fn read(
        &mut self,
        mut body: BodyStream,
        heard: &mut Option<Instant>,
    ) -> Option<(End, bool)> {
        let mut any = false;
        loop {
            let next = tokio::select! {
                n = tokio::time::timeout(self.options.stall_timeout, body.next()) => n,
                _ = self.tx.closed() => return None,
            };
            let chunk = match next {
                Err(_) => return Some((End::Stalled, any)),
                Ok(None) => return Some((End::Closed, any)),
                Ok(Some(Err(e))) => return Some((End::Broken(e.to_string()), any)),
                Ok(Some(Ok(chunk))) => chunk,
            };
            any = true;
            *heard = Some(Instant::now());
            self.lines.push(&chunk);
            loop {
                let line = match self.lines.next_line() {
                    Ok(Some(line)) => line,
                    Ok(None) => break,
                    Err(e) => {
                        return Some((
                            End::Malformed(format!("a line longer than {} bytes", e.max)),
                            any,
                        ));
                    }
                };
                if line.is_empty() {
                    self.stat(|s| s.keepalives += 1);
                    continue;
                }
                match Delivery::parse(&line) {
                    Ok(Delivery::Activity(event)) => {
                        if self.seen.first_time(&event.keys()) {
                            self.stat(|s| s.events += 1);
                            if self.tx.send(Ok(event)).await.is_err() {
                                return None;
                            }
                        } else {
                            self.stat(|s| s.duplicates += 1);
                        }
                    }
                    Ok(Delivery::Errors(problems)) => {
                        let text = problems
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join("; ");
                        return Some((End::ServerError(text), any));
                    }
                    Ok(_) => {
                        self.stat(|s| s.skipped_lines += 1);
                        tracing::debug!("activity stream: skipped a line that is not an event");
                    }
                    Err(e) => return Some((End::Malformed(e.to_string()), any)),
                }
            }
        }
    }
}
