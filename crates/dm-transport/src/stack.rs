//! [`Stack`]: retries → rate limit → auth → status check → transport.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use tracing::Instrument as _;

use crate::auth::Auth;
use crate::layers::{BudgetKey, EndpointFamily, Idempotent, RateLimitPolicy, RetryPolicy};
use crate::{ApiError, BodyStream, Error, RateLimit, Transport};

/// Marks a request whose body should be streamed (set by [`Stack`]'s `send_streaming`).
#[derive(Clone, Copy, Debug)]
struct StreamBody;

/// Carries a streamed body through the layers (which pass `Response<Bytes>`) in the
/// response's extensions.
#[derive(Clone)]
struct StreamSlot(Arc<std::sync::Mutex<Option<BodyStream>>>);

/// Counters of what a [`Stack`] did (shared by its clones).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StackStats {
    /// Requests handed to the inner transport (every attempt, every resend after a refresh).
    pub requests_sent: u64,
    /// Attempts after the first, by the retry layer.
    pub retries: u64,
    /// 429 responses received.
    pub rate_limited: u64,
    /// Times the rate limiter slept until a reset.
    pub rate_limit_waits: u64,
    /// Total time spent in those sleeps.
    pub rate_limit_wait_time: Duration,
    /// OAuth 2.0 token refreshes.
    pub refreshes: u64,
}

#[derive(Debug, Default)]
pub(crate) struct StatsInner {
    requests_sent: AtomicU64,
    retries: AtomicU64,
    rate_limited: AtomicU64,
    waits: AtomicU64,
    wait_nanos: AtomicU64,
}

impl StatsInner {
    pub(crate) fn record_wait(&self, d: Duration) {
        self.waits.fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.wait_nanos.fetch_add(nanos, Ordering::Relaxed);
    }
}

/// The request pipeline: every request goes Retry → RateLimit → Auth → status check →
/// inner transport, so each retry is re-signed (fresh OAuth 1.0a nonce and timestamp) and
/// counted against the budget. A non-2xx final response comes back as [`Error::Api`].
///
/// `Stack` is itself a [`Transport`], cheap to clone (clones share budgets and counters).
///
/// ```no_run
/// use std::sync::Arc;
/// use dm_transport::{Auth, HyperTransport, RateLimitPolicy, RetryPolicy, Stack, Transport};
/// # async fn run() -> Result<(), dm_transport::Error> {
/// let stack = Stack::builder(Arc::new(HyperTransport::new()?))
///     .auth(Auth::bearer("user-access-token"))
///     .retry(RetryPolicy::default())
///     .rate_limit(RateLimitPolicy::default())
///     .build();
/// let request = http::Request::get("https://api.x.com/2/dm_events").body(bytes::Bytes::new()).unwrap();
/// let response = stack.send(request).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Stack {
    inner: Arc<dyn Transport>,
    auth: Auth,
    retry: RetryPolicy,
    rate_limit: RateLimitPolicy,
    base: http::Uri,
    /// Whether the base URL was set explicitly: then credentials only go to its origin.
    base_configured: bool,
    stats: Arc<StatsInner>,
}

/// The default base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.x.com";

impl std::fmt::Debug for Stack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stack")
            .field("auth", &self.auth)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

/// Builds a [`Stack`].
#[derive(Debug)]
#[must_use]
pub struct StackBuilder {
    stack: Stack,
}

impl StackBuilder {
    /// Sets the authentication (default: none).
    pub fn auth(mut self, auth: Auth) -> Self {
        self.stack.auth = auth;
        self
    }

    /// Sets the retry policy (default: [`RetryPolicy::default`]).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.stack.retry = retry;
        self
    }

    /// Sets the rate-limit policy (default: [`RateLimitPolicy::default`]). Stacks built with
    /// the same token and base URL share its budgets whatever policy each is given (see
    /// [`RateLimitPolicy`]).
    pub fn rate_limit(mut self, policy: RateLimitPolicy) -> Self {
        self.stack.rate_limit = policy;
        self
    }

    /// Sets the base URL that relative request URIs (`/2/dm_events`) are resolved against
    /// (default `https://api.x.com`; never read from the environment).
    ///
    /// Once a base URL is set, credentials only go to its origin: an absolute URI with
    /// another scheme, host or port is refused with [`Error::Build`] before anything is sent
    /// (unless the stack has no auth). Without it, absolute URIs are sent as they are.
    ///
    /// # Errors
    ///
    /// [`Error::Build`] unless `base` is an absolute `http(s)` URL without a query.
    pub fn base_url(mut self, base: &str) -> Result<Self, Error> {
        self.stack.base = parse_base(base)?;
        self.stack.base_configured = true;
        Ok(self)
    }

    /// Builds the stack. Its rate-limit budgets are the token's (shared with every other
    /// stack of the process built with the same token and base URL).
    pub fn build(mut self) -> Stack {
        if let Some(key) = self.stack.budget_key() {
            let policy = &mut self.stack.rate_limit;
            if !policy.state.bind(key) {
                // The policy already paces another token: this token gets its own copy.
                *policy = policy.unbound();
                policy.state.bind(key);
            }
        }
        self.stack
    }
}

impl Stack {
    /// Starts a stack over `inner` (a [`HyperTransport`](crate::HyperTransport) or a test double).
    pub fn builder(inner: Arc<dyn Transport>) -> StackBuilder {
        StackBuilder {
            stack: Stack {
                inner,
                auth: Auth::None,
                retry: RetryPolicy::default(),
                rate_limit: RateLimitPolicy::default(),
                base: http::Uri::from_static(DEFAULT_BASE_URL),
                base_configured: false,
                stats: Arc::new(StatsInner::default()),
            },
        }
    }

    /// The counters so far.
    pub fn stats(&self) -> StackStats {
        let s = &self.stats;
        StackStats {
            requests_sent: s.requests_sent.load(Ordering::Relaxed),
            retries: s.retries.load(Ordering::Relaxed),
            rate_limited: s.rate_limited.load(Ordering::Relaxed),
            rate_limit_waits: s.waits.load(Ordering::Relaxed),
            rate_limit_wait_time: Duration::from_nanos(s.wait_nanos.load(Ordering::Relaxed)),
            refreshes: self.auth.refreshes(),
        }
    }

    /// Resolves a relative URI (path and query) against the base URL.
    fn resolve(&self, uri: &http::Uri) -> Result<http::Uri, Error> {
        let prefix = self.base.path().trim_end_matches('/');
        let tail = uri.path_and_query().map_or("/", |p| p.as_str());
        let mut parts = http::uri::Parts::default();
        parts.scheme = self.base.scheme().cloned();
        parts.authority = self.base.authority().cloned();
        parts.path_and_query = Some(
            format!("{prefix}{tail}")
                .parse()
                .map_err(|e| Error::build(format!("request path `{tail}`: {e}")))?,
        );
        http::Uri::from_parts(parts).map_err(|e| Error::build(format!("request URI: {e}")))
    }

    /// What identifies this stack's rate budgets: the base URL's origin and the token (the
    /// OAuth 2.0 access token, or the OAuth 1.0a consumer key and access token), hashed.
    /// `None` without auth.
    fn budget_key(&self) -> Option<BudgetKey> {
        let origin = format!(
            "{}://{}",
            self.base.scheme_str().unwrap_or(""),
            self.base.authority().map_or("", |a| a.as_str())
        );
        let origin = origin.as_bytes();
        match &self.auth {
            Auth::None => None,
            Auth::Bearer(token) => Some(BudgetKey::new(&[
                origin,
                b"bearer",
                token.expose().as_bytes(),
            ])),
            Auth::OAuth2(token) => {
                let tokens = token.tokens();
                Some(BudgetKey::new(&[
                    origin,
                    b"bearer",
                    tokens.access_token.expose().as_bytes(),
                ]))
            }
            Auth::OAuth1(c) => Some(BudgetKey::new(&[
                origin,
                b"oauth1",
                c.consumer_key.as_bytes(),
                c.token.as_bytes(),
            ])),
        }
    }

    /// The rate-limit policy (to inspect known budgets).
    pub fn rate_limit_policy(&self) -> &RateLimitPolicy {
        &self.rate_limit
    }

    /// Retry layer.
    async fn send_with_retries(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, Error> {
        let family = EndpointFamily::of(&request);
        let idempotent = request.extensions().get::<Idempotent>().map_or_else(
            || request.method().is_idempotent() || family.is_idempotent(),
            |i| i.0,
        );
        let started = Instant::now();
        let mut attempt = 1u32;
        loop {
            tracing::Span::current().record("attempt", attempt);
            let result = self
                .send_rate_limited(copy_request(&request), &family)
                .await;
            let error = match result {
                Ok(response) => return Ok(response),
                Err(error) => error,
            };
            if !self.retry.should_retry(&error, idempotent, attempt) {
                return Err(error);
            }
            let delay = self.retry.backoff(attempt);
            if started.elapsed() + delay > self.retry.max_total {
                return Err(error);
            }
            tracing::warn!(attempt, delay_ms = delay.as_millis() as u64, error = %error, "retrying");
            tokio::time::sleep(delay).await;
            self.stats.retries.fetch_add(1, Ordering::Relaxed);
            attempt += 1;
        }
    }

    /// Rate-limit layer: one slot per attempt; 429s (not usage-capped) are waited out.
    async fn send_rate_limited(
        &self,
        request: http::Request<Bytes>,
        family: &EndpointFamily,
    ) -> Result<http::Response<Bytes>, Error> {
        if !self.rate_limit.enabled {
            return self.send_authorized(request).await;
        }
        let mut waited_429 = 0u32;
        loop {
            let permit = self.rate_limit.acquire(family, &self.stats).await?;
            let result = self.send_authorized(copy_request(&request)).await;
            let rate_limit = match &result {
                Ok(response) => RateLimit::from_headers(response.headers()),
                Err(e) => e.rate_limit().copied(),
            };
            if let Some(rl) = &rate_limit {
                tracing::Span::current().record("rate_limit_remaining", rl.remaining);
            }
            permit.complete(rate_limit.as_ref());
            let Err(Error::Api(api)) = &result else {
                return result;
            };
            if api.status != http::StatusCode::TOO_MANY_REQUESTS {
                return result;
            }
            self.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
            if api.is_usage_capped() || waited_429 >= self.rate_limit.max_429_retries {
                return result;
            }
            match self
                .rate_limit
                .on_429(family, rate_limit.as_ref(), &api.headers)
            {
                Some(wait) => {
                    tracing::info!(family = %family, wait_ms = wait.as_millis() as u64, "429: waiting for the rate-limit reset");
                    waited_429 += 1;
                }
                None => return result,
            }
        }
    }

    /// Auth layer: signs each attempt; after a 401, refreshes once and resends.
    async fn send_authorized(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, Error> {
        let mut resend = Some(copy_request(&request));
        let mut request = request;
        loop {
            let generation = self.auth.authorize(&mut request).await?;
            let result = self.send_checked(request).await;
            match (&result, resend.take()) {
                (Err(Error::Api(api)), Some(again))
                    if api.status == http::StatusCode::UNAUTHORIZED =>
                {
                    if self.auth.refresh_after_unauthorized(generation).await? {
                        tracing::info!("401: refreshed the access token; sending again");
                        request = again;
                        continue;
                    }
                    return result;
                }
                _ => return result,
            }
        }
    }

    /// Status check: non-2xx becomes [`Error::Api`].
    async fn send_checked(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, Error> {
        self.stats.requests_sent.fetch_add(1, Ordering::Relaxed);
        if request.extensions().get::<StreamBody>().is_some() {
            let response = self.inner.send_streaming(request).await?;
            tracing::Span::current().record("status", response.status().as_u16());
            let (mut parts, body) = response.into_parts();
            if parts.status.is_success() {
                let slot = StreamSlot(Arc::new(std::sync::Mutex::new(Some(body))));
                parts.extensions.insert(slot);
                return Ok(http::Response::from_parts(parts, Bytes::new()));
            }
            // An error body is small: read it (within the default limit) and parse it.
            let body = body.collect(crate::DEFAULT_MAX_RESPONSE_BYTES).await?;
            return Err(ApiError::from_response(&http::Response::from_parts(parts, body)).into());
        }
        let response = self.inner.send(request).await?;
        tracing::Span::current().record("status", response.status().as_u16());
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(ApiError::from_response(&response).into())
        }
    }
}

impl Stack {
    /// Resolves the URI, then runs the layers inside a request span.
    async fn run(&self, mut request: http::Request<Bytes>) -> Result<http::Response<Bytes>, Error> {
        if request.uri().scheme().is_none() {
            *request.uri_mut() = self.resolve(request.uri())?;
        }
        if self.base_configured
            && !matches!(self.auth, Auth::None)
            && !same_origin(request.uri(), &self.base)
        {
            return Err(Error::build(format!(
                "refusing to send credentials to `{}://{}`: only the base URL's origin `{}://{}` gets them",
                request.uri().scheme_str().unwrap_or_default(),
                request.uri().authority().map_or("", |a| a.as_str()),
                self.base.scheme_str().unwrap_or_default(),
                self.base.authority().map_or("", |a| a.as_str()),
            )));
        }
        let span = tracing::info_span!(
            "xdm.request",
            method = %request.method(),
            path = %request.uri().path(),
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            rate_limit_remaining = tracing::field::Empty,
        );
        async move {
            let result = self.send_with_retries(request).await;
            match &result {
                Ok(_) => tracing::debug!("request succeeded"),
                Err(e) => tracing::debug!(error = %e, "request failed"),
            }
            result
        }
        .instrument(span)
        .await
    }
}

#[async_trait]
impl Transport for Stack {
    async fn send(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, Error> {
        self.run(request).await
    }

    /// Like [`Transport::send`] through every layer, but the body of a successful response
    /// streams: retries and rate-limit waits happen before the head arrives, never after.
    /// An error status still becomes [`Error::Api`] with its parsed body.
    async fn send_streaming(
        &self,
        mut request: http::Request<Bytes>,
    ) -> Result<http::Response<BodyStream>, Error> {
        request.extensions_mut().insert(StreamBody);
        let (mut parts, _) = self.run(request).await?.into_parts();
        let body = parts
            .extensions
            .remove::<StreamSlot>()
            .and_then(|slot| slot.0.lock().ok().and_then(|mut b| b.take()))
            .unwrap_or_else(|| BodyStream::from_bytes(Bytes::new()));
        Ok(http::Response::from_parts(parts, body))
    }
}

/// A copy of the request, extensions included.
pub(crate) fn copy_request(request: &http::Request<Bytes>) -> http::Request<Bytes> {
    let mut copy = copy_request_head(request);
    *copy.extensions_mut() = request.extensions().clone();
    copy
}

/// A copy of the request's method, URI, version, headers and body (not its extensions).
pub(crate) fn copy_request_head(request: &http::Request<Bytes>) -> http::Request<Bytes> {
    let mut copy = http::Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    copy
}

/// Same scheme, host (case-insensitive) and port (explicit or the scheme's default).
fn same_origin(a: &http::Uri, b: &http::Uri) -> bool {
    fn port(u: &http::Uri) -> Option<u16> {
        u.port_u16().or(match u.scheme_str() {
            Some("https") => Some(443),
            Some("http") => Some(80),
            _ => None,
        })
    }
    let scheme = |u: &http::Uri| u.scheme_str().map(str::to_ascii_lowercase);
    let host = |u: &http::Uri| u.host().map(str::to_ascii_lowercase);
    scheme(a) == scheme(b) && host(a) == host(b) && port(a) == port(b)
}

fn parse_base(base: &str) -> Result<http::Uri, Error> {
    let uri: http::Uri = base
        .parse()
        .map_err(|e| Error::build(format!("base URL `{base}`: {e}")))?;
    let ok_scheme = matches!(uri.scheme_str(), Some("http" | "https"));
    if !ok_scheme || uri.authority().is_none() || uri.query().is_some() {
        return Err(Error::build(format!(
            "base URL `{base}` must be absolute http(s) without a query"
        )));
    }
    Ok(uri)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack(base: &str) -> Stack {
        Stack::builder(Arc::new(crate::test_util::CaptureTransport::new()))
            .base_url(base)
            .unwrap()
            .build()
    }

    #[test]
    fn relative_uris_resolve_against_the_base() {
        let s = Stack::builder(Arc::new(crate::test_util::CaptureTransport::new())).build();
        let u = s
            .resolve(&"/2/dm_events?max_results=5".parse().unwrap())
            .unwrap();
        assert_eq!(u, "https://api.x.com/2/dm_events?max_results=5");
        let u = stack("http://127.0.0.1:4010/prefix/")
            .resolve(&"/2/dm_events".parse().unwrap())
            .unwrap();
        assert_eq!(u, "http://127.0.0.1:4010/prefix/2/dm_events");
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let o = |a: &str, b: &str| same_origin(&a.parse().unwrap(), &b.parse().unwrap());
        assert!(o("https://api.x.com/2/x", "https://API.x.com"));
        assert!(o("https://api.x.com:443/2", "https://api.x.com"));
        assert!(!o("http://api.x.com/2", "https://api.x.com"));
        assert!(!o("https://api.x.com.evil/2", "https://api.x.com"));
        assert!(!o("http://127.0.0.1:4011/2", "http://127.0.0.1:4010"));
    }

    #[tokio::test]
    async fn credentials_only_go_to_the_configured_origin() {
        let capture = Arc::new(crate::test_util::CaptureTransport::new());
        let stack = Stack::builder(capture.clone())
            .auth(Auth::bearer("tok"))
            .base_url("http://127.0.0.1:4010")
            .unwrap()
            .build();
        let req = http::Request::get("http://127.0.0.2:4010/2/dm_events")
            .body(Bytes::new())
            .unwrap();
        let err = stack.send(req).await.unwrap_err();
        assert!(matches!(err, Error::Build { .. }), "{err}");
        assert!(!err.may_have_been_sent());
        assert_eq!(stack.stats().requests_sent, 0);
    }

    #[test]
    fn bad_base_urls_are_refused() {
        for bad in [
            "api.x.com",
            "ftp://api.x.com",
            "https://api.x.com/?a=b",
            "/2",
        ] {
            let r =
                Stack::builder(Arc::new(crate::test_util::CaptureTransport::new())).base_url(bad);
            assert!(matches!(r, Err(Error::Build { .. })), "{bad}");
        }
    }
}
