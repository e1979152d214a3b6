//! [`Client`] and its [`ClientBuilder`].

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use dm_model::{DmConversationId, DmEventsPage, UserId};
use dm_query::{ApiRequest, AuthScheme, BaseUrl, ListEvents, Operation, Scope};
use dm_transport::{
    Auth, Clock, RateLimit, RateLimitPolicy, RetryPolicy, Stack, SystemClock, Transport,
};

use crate::error::Error;
use crate::request::EventsRequest;

/// The xdm client: cheap to clone and share across tasks (one `Arc`).
///
/// Every request crosses the same layer stack (retries, the rate limiter, auth), so clones
/// and concurrent streams share one rate budget per endpoint family.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) base: BaseUrl,
    pub(crate) stack: Stack,
    pub(crate) page_size: u32,
    pub(crate) prefetch: usize,
    pub(crate) decode_retries: u32,
    /// Whether requests are signed with OAuth 1.0a (some operations refuse it).
    pub(crate) oauth1: bool,
    /// Whether user credentials were given.
    pub(crate) user_auth: bool,
    /// The stack for the operations that take the app's bearer token (the activity stream,
    /// webhooks, most subscription management), when one was given.
    pub(crate) app_stack: Option<Stack>,
    /// The authentication, to read an OAuth 2.0 token's granted scopes.
    pub(crate) auth: Option<Auth>,
    /// The wall clock media expiry is judged by.
    pub(crate) clock: Arc<dyn Clock>,
    /// The media this client uploaded.
    pub(crate) uploads: std::sync::Mutex<crate::upload::Registry>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base)
            .field("page_size", &self.inner.page_size)
            .field("prefetch", &self.inner.prefetch)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`].
#[must_use]
pub struct ClientBuilder {
    base_url: Option<String>,
    auth: Option<Auth>,
    app_auth: Option<Auth>,
    transport: Option<Arc<dyn Transport>>,
    retry: RetryPolicy,
    rate_limit: RateLimitPolicy,
    app_rate_limit: RateLimitPolicy,
    page_size: u32,
    prefetch: usize,
    decode_retries: u32,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .field("app_auth", &self.app_auth)
            .field("page_size", &self.page_size)
            .field("prefetch", &self.prefetch)
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: None,
            auth: None,
            app_auth: None,
            transport: None,
            retry: RetryPolicy::default(),
            rate_limit: RateLimitPolicy::default(),
            app_rate_limit: RateLimitPolicy::default(),
            page_size: 100,
            prefetch: 1,
            decode_retries: 2,
            clock: Arc::new(SystemClock),
        }
    }
}

impl ClientBuilder {
    /// The API's base URL (default `https://api.x.com`); point it at a sandbox in tests.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// How requests authenticate: an OAuth 2.0 user token (plain or refreshing) or
    /// OAuth 1.0a user context. DMs need user context; app-only tokens are refused.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = Some(auth);
        self
    }

    /// A shorthand for [`ClientBuilder::auth`] with an OAuth 2.0 user access token.
    pub fn bearer_token(self, token: impl Into<String>) -> Self {
        self.auth(Auth::bearer(token.into()))
    }

    /// The app's bearer token (OAuth 2.0 app-only), for the operations that take it: the
    /// activity stream, webhook management, and most subscription management (see
    /// [`Client::activity_stream`]). Requests with it cross their own stack, with the app's
    /// own rate budgets.
    pub fn app_bearer_token(mut self, token: impl Into<String>) -> Self {
        self.app_auth = Some(Auth::bearer(token.into()));
        self
    }

    /// The rate-limit policy of the app-token requests (their budgets are the app's, apart
    /// from the user's).
    pub fn app_rate_limit(mut self, policy: RateLimitPolicy) -> Self {
        self.app_rate_limit = policy;
        self
    }

    /// The transport under the layer stack (default: `dm_transport::HyperTransport`, with the
    /// `hyper` feature; without it a transport is required). Plug in your own HTTP stack or a
    /// test double here.
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// How failed idempotent requests are retried.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How the rate budget is paced.
    pub fn rate_limit(mut self, policy: RateLimitPolicy) -> Self {
        self.rate_limit = policy;
        self
    }

    /// Events per page for lookups (`max_results`, 1..=100, default 100: the fewest requests).
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = n;
        self
    }

    /// How many pages a stream fetches ahead of its consumer (default 1; 0 turns prefetch off).
    pub fn prefetch(mut self, pages: usize) -> Self {
        self.prefetch = pages;
        self
    }

    /// How many times a page whose 2xx body does not decode (malformed or cut short) is
    /// fetched again before the stream fails (default 2).
    pub fn decode_retries(mut self, n: u32) -> Self {
        self.decode_retries = n;
        self
    }

    /// The wall clock uploaded media's expiry (24 hours) is judged by (default: the system
    /// clock). Inject one to test expiry.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a bad base URL, a page size outside 1..=100, or a default
    /// transport that cannot be built (no TLS roots).
    pub fn build(self) -> Result<Client, Error> {
        let base = match &self.base_url {
            Some(url) => BaseUrl::parse(url).map_err(|e| Error::Config(e.to_string()))?,
            None => BaseUrl::default(),
        };
        if !(1..=100).contains(&self.page_size) {
            return Err(Error::Config(format!(
                "page size {} is outside 1..=100",
                self.page_size
            )));
        }
        let transport = match self.transport {
            Some(t) => t,
            None => default_transport()?,
        };
        // The stack knows the base URL too: it never sends credentials anywhere else.
        let mut stack = Stack::builder(transport.clone())
            .base_url(base.as_str())
            .map_err(|e| Error::Config(e.to_string()))?
            .retry(self.retry.clone())
            .rate_limit(self.rate_limit);
        let oauth1 = matches!(self.auth, Some(Auth::OAuth1(_)));
        let user_auth = self.auth.is_some();
        if let Some(auth) = self.auth.clone() {
            stack = stack.auth(auth);
        }
        let app_stack = match self.app_auth {
            Some(auth) => Some(
                Stack::builder(transport.clone())
                    .base_url(base.as_str())
                    .map_err(|e| Error::Config(e.to_string()))?
                    .retry(self.retry.clone())
                    .rate_limit(self.app_rate_limit)
                    .auth(auth)
                    .build(),
            ),
            None => None,
        };
        Ok(Client {
            inner: Arc::new(ClientInner {
                base,
                stack: stack.build(),
                page_size: self.page_size,
                prefetch: self.prefetch,
                decode_retries: self.decode_retries,
                oauth1,
                user_auth,
                app_stack,
                auth: self.auth,
                clock: self.clock,
                uploads: std::sync::Mutex::new(crate::upload::Registry::default()),
            }),
        })
    }
}

/// A decoded page with the response's rate-limit state.
pub(crate) struct Fetched {
    pub(crate) page: DmEventsPage,
    pub(crate) rate_limit: Option<RateLimit>,
}

impl Client {
    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &BaseUrl {
        &self.inner.base
    }

    /// The layer stack every request crosses (for its counters: requests, retries,
    /// rate-limit waits, refreshes).
    pub fn stack(&self) -> &Stack {
        &self.inner.stack
    }

    /// Events of `scope`: build the query, then stream [`pages`](EventsRequest::pages) or
    /// [`events`](EventsRequest::events), or [`sync`](EventsRequest::sync) and
    /// [`follow`](EventsRequest::follow) it.
    pub fn events(&self, scope: Scope) -> EventsRequest {
        EventsRequest::new(self.clone(), scope)
    }

    /// Every event of the authenticated user's conversations, last 30 days (`GET /2/dm_events`).
    pub fn all_events(&self) -> EventsRequest {
        self.events(Scope::All)
    }

    /// The events of one conversation, one-to-one or group.
    pub fn conversation(&self, id: DmConversationId) -> EventsRequest {
        self.events(Scope::Conversation(id))
    }

    /// The events of the one-to-one conversation with `user`.
    pub fn with_participant(&self, user: UserId) -> EventsRequest {
        self.events(Scope::WithParticipant(user))
    }

    /// Sends one request through the stack; a non-2xx answer is an error.
    pub(crate) async fn execute(
        &self,
        request: &impl ApiRequest,
    ) -> Result<http::Response<Bytes>, Error> {
        let http_request = request.to_request(&self.inner.base)?;
        Ok(self.inner.stack.send(http_request).await?)
    }

    /// The stack whose credentials `operation` takes: the app's bearer token for the
    /// app-only operations and webhook management (the webhook docs want it for every
    /// webhook endpoint) and for listing subscriptions (an app-wide list); the user's
    /// credentials for everything else (a `dm.*` subscription is created with the monitored
    /// user's token), falling back to the other when only one is given and the spec allows it.
    pub(crate) fn stack_for(&self, operation: Operation) -> Result<&Stack, Error> {
        use Operation as O;
        let app = self.inner.app_stack.as_ref();
        let user = self.inner.user_auth.then_some(&self.inner.stack);
        let scheme = if self.inner.oauth1 {
            AuthScheme::OAuth1User
        } else {
            AuthScheme::OAuth2User
        };
        let user_ok = operation.allows(scheme);
        let app_ok = operation.allows(AuthScheme::AppOnly);
        let prefer_app = app_ok
            && (operation.requires_app_only()
                || matches!(
                    operation,
                    O::CreateWebhook
                        | O::ValidateWebhook
                        | O::DeleteWebhook
                        | O::GetActivitySubscriptions
                ));
        match (prefer_app, app, user) {
            (true, Some(a), _) => Ok(a),
            (_, _, Some(u)) if user_ok => Ok(u),
            (_, Some(a), _) if app_ok => Ok(a),
            _ if app_ok && !user_ok => Err(Error::MissingCredentials {
                operation: operation.operation_id(),
                needs: "the app's bearer token (OAuth 2.0 app-only): set `ClientBuilder::app_bearer_token` (`XDM_APP_BEARER_TOKEN` for xdm)",
            }),
            _ => Err(Error::MissingCredentials {
                operation: operation.operation_id(),
                needs: "user credentials (an OAuth 2.0 user token or OAuth 1.0a): set `ClientBuilder::auth`",
            }),
        }
    }

    /// Sends `request` with the credentials its operation takes (see [`Client::stack_for`]).
    pub(crate) async fn execute_as_needed(
        &self,
        request: &impl ApiRequest,
    ) -> Result<http::Response<Bytes>, Error> {
        let stack = self.stack_for(request.operation())?;
        let http_request = request.to_request(&self.inner.base)?;
        Ok(stack.send(http_request).await?)
    }

    /// Fetches and decodes one page. A 2xx body that does not decode is fetched again a few
    /// times (a GET is idempotent) before the error is returned.
    pub(crate) async fn fetch_page(&self, request: &ListEvents) -> Result<Fetched, Error> {
        let mut attempt = 0u32;
        loop {
            let response = self.execute(request).await?;
            let rate_limit = RateLimit::from_headers(response.headers());
            match dm_model::decode::<DmEventsPage>(response.body()) {
                Ok(page) => return Ok(Fetched { page, rate_limit }),
                Err(e) if attempt < self.inner.decode_retries => {
                    attempt += 1;
                    tracing::warn!(attempt, error = %e, "page did not decode; fetching it again");
                    tokio::time::sleep(backoff(attempt)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// Full-jitter exponential backoff: up to 50 ms × 2^attempt, capped at 2 s.
pub(crate) fn backoff(attempt: u32) -> Duration {
    let cap = Duration::from_millis(50u64.saturating_mul(1 << attempt.min(6)))
        .min(Duration::from_secs(2));
    cap.mul_f64(rand::random::<f64>())
}

/// The built-in transport (feature `hyper`).
#[cfg(feature = "hyper")]
fn default_transport() -> Result<Arc<dyn Transport>, Error> {
    let transport =
        dm_transport::HyperTransport::new().map_err(|e| Error::Config(e.to_string()))?;
    Ok(Arc::new(transport))
}

/// Without the `hyper` feature there is no built-in transport.
#[cfg(not(feature = "hyper"))]
fn default_transport() -> Result<Arc<dyn Transport>, Error> {
    Err(Error::Config(
        "no transport: dm-stream was built without its `hyper` feature; pass one with \
         ClientBuilder::transport"
            .to_owned(),
    ))
}
