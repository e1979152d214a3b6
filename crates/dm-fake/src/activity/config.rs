//! [`ActivityConfig`] and [`StreamBreak`]: how the sandbox's X Activity API, webhooks and
//! Account Activity API behave.

use std::fmt;
use std::time::Duration;

/// How the X Activity API, webhooks and the Account Activity API behave in the sandbox.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ActivityConfig {
    /// Whether the app may use them. `false`: every activity, webhook and Account Activity
    /// endpoint answers 403 `client-forbidden` (an app without access).
    pub enabled: bool,
    /// A keep-alive (`\r\n`) is sent after this long without an event (the API: at least
    /// every 20 seconds).
    pub keepalive: Duration,
    /// Concurrent stream connections per app (the API: 2); one more is refused with 429
    /// `TooManyConnections`.
    pub max_stream_connections: usize,
    /// The app's consumer secret: the key of CRC responses and delivery signatures.
    pub consumer_secret: String,
    /// How long the webhook has to answer a CRC check (the webhook docs: 10 seconds).
    pub crc_timeout: Duration,
    /// How long one delivery may take before it counts as failed.
    pub delivery_timeout: Duration,
    /// The pauses before each redelivery of a failed delivery (the v1.1 schedule: 3 s,
    /// 27 s, 242 s); after the last one the delivery is dropped (recover with a replay).
    pub retry_delays: Vec<Duration>,
    /// Post every delivery twice (the API delivers at least once: receivers de-duplicate).
    pub duplicate_deliveries: bool,
    /// Events remembered for stream backfill and webhook replay (the most recent).
    pub backlog: usize,
}

impl ActivityConfig {
    /// The documented behaviour, with the sandbox's consumer secret.
    pub fn new() -> Self {
        ActivityConfig {
            enabled: true,
            keepalive: Duration::from_secs(20),
            max_stream_connections: 2,
            consumer_secret: "dm-fake-consumer-secret".to_owned(),
            crc_timeout: Duration::from_secs(10),
            delivery_timeout: Duration::from_secs(10),
            retry_delays: vec![
                Duration::from_secs(3),
                Duration::from_secs(27),
                Duration::from_secs(242),
            ],
            duplicate_deliveries: false,
            backlog: 100_000,
        }
    }

    /// Turns access off (403 on every activity endpoint) or on.
    pub fn enabled(mut self, on: bool) -> Self {
        self.enabled = on;
        self
    }

    /// Sets the keep-alive interval.
    pub fn keepalive(mut self, every: Duration) -> Self {
        self.keepalive = every;
        self
    }

    /// Sets the consumer secret.
    pub fn consumer_secret(mut self, secret: impl Into<String>) -> Self {
        self.consumer_secret = secret.into();
        self
    }

    /// Sets the redelivery pauses.
    pub fn retry_delays(mut self, delays: Vec<Duration>) -> Self {
        self.retry_delays = delays;
        self
    }

    /// Posts every delivery twice.
    pub fn duplicate_deliveries(mut self, on: bool) -> Self {
        self.duplicate_deliveries = on;
        self
    }

    /// Sets the concurrent stream connection limit.
    pub fn max_stream_connections(mut self, n: usize) -> Self {
        self.max_stream_connections = n;
        self
    }
}

impl Default for ActivityConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for ActivityConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActivityConfig")
            .field("enabled", &self.enabled)
            .field("keepalive", &self.keepalive)
            .field("max_stream_connections", &self.max_stream_connections)
            .field("consumer_secret", &"<redacted>")
            .field("crc_timeout", &self.crc_timeout)
            .field("delivery_timeout", &self.delivery_timeout)
            .field("retry_delays", &self.retry_delays)
            .field("duplicate_deliveries", &self.duplicate_deliveries)
            .field("backlog", &self.backlog)
            .finish()
    }
}

/// How [`FakeServer::break_activity_streams`](crate::FakeServer::break_activity_streams)
/// ends the open stream connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamBreak {
    /// Reset the connection (TCP RST) now.
    Reset,
    /// Send half of the next event's line, then reset: that event is lost on this
    /// connection (a client recovers it with backfill).
    CutLine,
    /// Send nothing more, not even keep-alives, for this long, then reset (a client
    /// detects the stall and reconnects first).
    Stall(Duration),
    /// Send an in-stream `operational-disconnect` error, then close the response cleanly.
    OperationalDisconnect,
}
