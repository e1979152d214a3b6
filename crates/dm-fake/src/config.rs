//! Server configuration: rate limits, faults, credentials.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// Rate limiting per endpoint family (lookups, sends, delete, block/unblock, media).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimitConfig {
    /// Requests allowed per window for each family.
    pub limit: u32,
    /// The window length (the live API uses 15 minutes; tests compress it, e.g. 2 s).
    pub window: Duration,
    /// Every DM request gets a `usage-capped` 429 (does not clear by waiting).
    pub usage_capped: bool,
    /// A second, per-"day" budget for the send family, reported in
    /// `x-user-limit-24hour-limit/remaining/reset`. The "day" is 96 windows (24 h when the
    /// window is 15 min), so it compresses with the window.
    pub daily_send_limit: Option<u32>,
}

impl RateLimitConfig {
    /// `limit` requests per `window` per endpoint family.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            usage_capped: false,
            daily_send_limit: None,
        }
    }

    /// The live documented numbers: 15 per 15 minutes, and 1,440 sends per 24 hours.
    pub fn live() -> Self {
        Self::new(15, Duration::from_secs(900)).with_daily_send_limit(1440)
    }

    /// Adds the per-day send budget (see [`RateLimitConfig::daily_send_limit`]).
    pub fn with_daily_send_limit(mut self, limit: u32) -> Self {
        self.daily_send_limit = Some(limit);
        self
    }

    /// A budget so large it never runs out (headers are still sent). The default.
    pub fn unlimited() -> Self {
        Self::new(1_000_000, Duration::from_secs(900))
    }

    /// Every DM request answers 429 `usage-capped`.
    pub fn usage_capped(mut self, capped: bool) -> Self {
        self.usage_capped = capped;
        self
    }
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self::unlimited()
    }
}

/// One kind of injected fault.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FaultKind {
    /// Delay the response by this long, then answer normally.
    Latency(Duration),
    /// Answer with this 5xx status and a generic problem.
    ServerError(u16),
    /// Answer 429 to this many consecutive requests (with `remaining: 0`).
    RateLimitStorm(u32),
    /// Send the headers and part of the body, then reset the connection (TCP RST).
    ResetMidBody,
    /// Announce a `content-length` larger than what is sent, send part, then close.
    TruncatedBody,
    /// Send the body in small chunks with this delay between them.
    SlowBody(Duration),
    /// Serve the page with `next_token` equal to the token that was requested
    /// (a client following it blindly would loop forever).
    RepeatNextToken,
    /// Reject the request's `pagination_token` as expired (400 invalid-request).
    ExpiredToken,
    /// Answer 200 with a body that is not valid JSON.
    MalformedJson,
    /// Read the request body, perform the operation, then reset the connection without
    /// answering (for a send: it happened server-side, the client sees a reset).
    DropAfterRequestBody,
    /// Read the request body, do nothing with it, then reset the connection without answering:
    /// a request lost on the way (for an upload segment: nothing is stored).
    DropRequestBody,
}

impl FaultKind {
    /// A short stable name, used in stats.
    pub fn name(&self) -> &'static str {
        match self {
            FaultKind::Latency(_) => "latency",
            FaultKind::ServerError(_) => "server_error",
            FaultKind::RateLimitStorm(_) => "rate_limit_storm",
            FaultKind::ResetMidBody => "reset_mid_body",
            FaultKind::TruncatedBody => "truncated_body",
            FaultKind::SlowBody(_) => "slow_body",
            FaultKind::RepeatNextToken => "repeat_next_token",
            FaultKind::ExpiredToken => "expired_token",
            FaultKind::MalformedJson => "malformed_json",
            FaultKind::DropAfterRequestBody => "drop_after_request_body",
            FaultKind::DropRequestBody => "drop_request_body",
        }
    }
}

/// Which faults to inject, deterministically from the seed.
///
/// A request (numbered from 1 in arrival order, OAuth endpoints excluded) gets the fault
/// scheduled for its number if any; otherwise, with probability `rate_percent`, one of `kinds`
/// picked by a hash of the seed and the request number. Faults queued at run time with
/// [`crate::FakeServer::queue_fault`] come first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FaultConfig {
    /// Percentage of requests (0..=100) that get a random fault from `kinds`.
    pub rate_percent: u8,
    /// The kinds random faults are drawn from.
    pub kinds: Vec<FaultKind>,
    /// Faults by request number (1-based).
    pub schedule: BTreeMap<u64, FaultKind>,
    /// Latency added to every response.
    pub base_latency: Duration,
}

impl FaultConfig {
    /// No faults.
    pub fn none() -> Self {
        Self::default()
    }

    /// `rate_percent`% of requests get one of `kinds`.
    pub fn random(rate_percent: u8, kinds: Vec<FaultKind>) -> Self {
        Self {
            rate_percent: rate_percent.min(100),
            kinds,
            ..Self::default()
        }
    }

    /// Schedules `kind` for request number `n` (1-based).
    pub fn at_request(mut self, n: u64, kind: FaultKind) -> Self {
        self.schedule.insert(n, kind);
        self
    }

    /// Adds latency to every response.
    pub fn with_base_latency(mut self, latency: Duration) -> Self {
        self.base_latency = latency;
        self
    }
}

/// OAuth 1.0a credentials the server verifies signatures against.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OAuth1Config {
    /// Consumer (API) key.
    pub consumer_key: String,
    /// Consumer secret.
    pub consumer_secret: String,
    /// Access token.
    pub token: String,
    /// Access token secret.
    pub token_secret: String,
}

impl OAuth1Config {
    /// Credentials from their four parts.
    pub fn new(
        consumer_key: impl Into<String>,
        consumer_secret: impl Into<String>,
        token: impl Into<String>,
        token_secret: impl Into<String>,
    ) -> Self {
        Self {
            consumer_key: consumer_key.into(),
            consumer_secret: consumer_secret.into(),
            token: token.into(),
            token_secret: token_secret.into(),
        }
    }
}

impl fmt::Debug for OAuth1Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth1Config")
            .field("consumer_key", &self.consumer_key)
            .field("consumer_secret", &"<redacted>")
            .field("token", &"<redacted>")
            .field("token_secret", &"<redacted>")
            .finish()
    }
}

/// The OAuth 2.0 client the fake authorization server knows.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OAuth2Config {
    /// The client id.
    pub client_id: String,
    /// The client secret of a confidential client (`None`: a public client).
    pub client_secret: Option<String>,
    /// Lifetime of issued access tokens.
    pub access_token_lifetime: Duration,
}

impl OAuth2Config {
    /// A public client.
    pub fn public(client_id: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: None,
            access_token_lifetime: Duration::from_secs(7200),
        }
    }

    /// A confidential client (token and revoke need HTTP Basic auth).
    pub fn confidential(client_id: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            client_secret: Some(secret.into()),
            ..Self::public(client_id)
        }
    }

    /// Sets the access-token lifetime (short lifetimes test refresh).
    pub fn access_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.access_token_lifetime = lifetime;
        self
    }
}

impl Default for OAuth2Config {
    fn default() -> Self {
        Self::public("dm-fake-client")
    }
}

impl fmt::Debug for OAuth2Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth2Config")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("access_token_lifetime", &self.access_token_lifetime)
            .finish()
    }
}
