//! The server: a builder, the accept loop, and the handle tests hold.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::auth::OAuth1Verifier;
use crate::config::{FaultConfig, FaultKind, OAuth1Config, OAuth2Config, RateLimitConfig};
use crate::conn::KillableConn;
use crate::dataset::{Dataset, DatasetConfig, LoadError};
use crate::dispatch::{Shared, lock};
use crate::faults::FaultPlan;
use crate::handlers::LookupOptions;
use crate::log::{RequestRecord, Stats};
use crate::oauth2::OAuth2Server;
use crate::ratelimit::RateLimiter;
use crate::reply::Reply;
use crate::routes::Route;
use crate::serve::serve;
use crate::upload::{UploadConfig, UploadedMedia, Uploads};
use crate::view::DatasetView;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// Binding the listener failed.
    #[error("cannot bind {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The dataset file could not be loaded.
    #[error(transparent)]
    Dataset(#[from] LoadError),
    /// A pre-render query was not a valid lookup.
    #[error("cannot pre-render `{path_and_query}`: status {status}")]
    Prerender {
        /// The lookup that failed.
        path_and_query: String,
        /// The status it produced.
        status: u16,
    },
}

/// Why an injected message was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum InjectError {
    /// The conversation does not exist.
    #[error("unknown conversation `{0}`")]
    UnknownConversation(String),
    /// The sender is not a user id (`^[0-9]{{1,19}}$`).
    #[error("invalid sender id `{0}`")]
    InvalidSender(String),
    /// The text is empty or longer than 10,000 characters.
    #[error("text must be 1 to 10000 characters")]
    InvalidText,
}

/// Configures and starts a [`FakeServer`].
#[derive(Clone)]
pub struct FakeServerBuilder {
    addr: SocketAddr,
    dataset_config: DatasetConfig,
    dataset: Option<Dataset>,
    token: String,
    app_only_token: String,
    oauth1: Option<OAuth1Config>,
    oauth2: OAuth2Config,
    rate_limit: RateLimitConfig,
    faults: FaultConfig,
    trailing_empty_page: bool,
    prerender: Vec<String>,
    activity: crate::activity::ActivityConfig,
    uploads: UploadConfig,
    other_users: Vec<String>,
}

/// The id of the `i`-th other user ([`FakeServerBuilder::other_user`]).
fn other_user_id(i: usize) -> u64 {
    900_000_000_000_000_001 + i as u64
}

impl Default for FakeServerBuilder {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            dataset_config: DatasetConfig::default(),
            dataset: None,
            token: "dm-fake-user-token".to_owned(),
            app_only_token: "dm-fake-app-only-token".to_owned(),
            oauth1: Some(OAuth1Config::new(
                "dm-fake-consumer-key",
                "dm-fake-consumer-secret",
                "dm-fake-access-token",
                "dm-fake-token-secret",
            )),
            oauth2: OAuth2Config::default(),
            rate_limit: RateLimitConfig::default(),
            faults: FaultConfig::default(),
            trailing_empty_page: true,
            prerender: Vec::new(),
            activity: crate::activity::ActivityConfig::default(),
            uploads: UploadConfig::default(),
            other_users: Vec::new(),
        }
    }
}

impl FakeServerBuilder {
    /// The listen address (default `127.0.0.1:0`, an ephemeral port).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// The dataset seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.dataset_config.seed = seed;
        self
    }

    /// The number of generated events.
    pub fn events(mut self, events: usize) -> Self {
        self.dataset_config.events = events;
        self
    }

    /// Full control over generation.
    pub fn dataset_config(mut self, config: DatasetConfig) -> Self {
        self.dataset_config = config;
        self
    }

    /// Serves this dataset instead of generating one.
    pub fn dataset(mut self, dataset: Dataset) -> Self {
        self.dataset = Some(dataset);
        self
    }

    /// Loads the dataset from a JSON file.
    ///
    /// # Errors
    /// [`StartError::Dataset`] when the file cannot be read or is not a dataset.
    pub fn dataset_file(self, path: impl AsRef<std::path::Path>) -> Result<Self, StartError> {
        Ok(self.dataset(Dataset::load(path)?))
    }

    /// The user-context bearer token accepted on DM endpoints.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = token.into();
        self
    }

    /// The app-only bearer token (answered with 403 on DM endpoints).
    pub fn app_only_token(mut self, token: impl Into<String>) -> Self {
        self.app_only_token = token.into();
        self
    }

    /// OAuth 1.0a credentials to verify signatures against (`None` disables OAuth 1.0a).
    pub fn oauth1(mut self, credentials: Option<OAuth1Config>) -> Self {
        self.oauth1 = credentials;
        self
    }

    /// The OAuth 2.0 client of the fake authorization server.
    pub fn oauth2(mut self, client: OAuth2Config) -> Self {
        self.oauth2 = client;
        self
    }

    /// Rate limiting.
    pub fn rate_limit(mut self, config: RateLimitConfig) -> Self {
        self.rate_limit = config;
        self
    }

    /// Fault injection.
    pub fn faults(mut self, config: FaultConfig) -> Self {
        self.faults = config;
        self
    }

    /// Whether the page holding the last results still carries a `next_token` that leads to an
    /// empty page, like the live API (default `true`).
    pub fn trailing_empty_page(mut self, on: bool) -> Self {
        self.trailing_empty_page = on;
        self
    }

    /// Renders every page of this lookup (a path and query such as
    /// `/2/dm_events?max_results=100&expansions=sender_id`) at start and serves the bytes.
    /// Pre-rendered pages are dropped when the dataset changes.
    pub fn prerender(mut self, path_and_query: impl Into<String>) -> Self {
        self.prerender.push(path_and_query.into());
        self
    }

    /// How the X Activity API, webhooks and the Account Activity API behave.
    pub fn activity(mut self, config: crate::activity::ActivityConfig) -> Self {
        self.activity = config;
        self
    }

    /// How uploads are processed (default [`UploadConfig::default`]: `check_after_secs` 1,
    /// two seconds of processing for videos and GIFs).
    pub fn uploads(mut self, config: UploadConfig) -> Self {
        self.uploads = config;
        self
    }

    /// Adds another user with this bearer token: accepted on the media upload endpoints
    /// only (their uploads are theirs: the main user may not attach them). Their ids are
    /// listed by [`FakeServer::other_users`].
    pub fn other_user(mut self, token: impl Into<String>) -> Self {
        self.other_users.push(token.into());
        self
    }

    /// Binds, prepares the dataset and starts serving on the current Tokio runtime.
    ///
    /// # Errors
    /// [`StartError`] when binding fails or a pre-render query is invalid.
    pub async fn start(self) -> Result<FakeServer, StartError> {
        let listener = TcpListener::bind(self.addr)
            .await
            .map_err(|source| StartError::Bind {
                addr: self.addr,
                source,
            })?;
        let local = listener.local_addr().map_err(|source| StartError::Bind {
            addr: self.addr,
            source,
        })?;
        let base_url = format!("http://{local}");
        let seed = self.dataset_config.seed;
        let store = match self.dataset {
            Some(d) => d.0,
            None => Dataset::generate(&self.dataset_config).0,
        };
        let activity = crate::activity::Hub::new(self.activity.clone(), seed, store.events.len());
        let shared = Arc::new(Shared {
            store: RwLock::new(store),
            base_url: base_url.clone(),
            lookup: LookupOptions {
                token_secret: crate::clock::mix(seed ^ 0x7070),
                trailing_empty_page: self.trailing_empty_page,
            },
            user_tokens: vec![self.token.clone()],
            app_tokens: vec![self.app_only_token.clone()],
            oauth1: self.oauth1.clone().map(OAuth1Verifier::new),
            oauth2: Mutex::new(OAuth2Server::new(self.oauth2.clone(), seed)),
            limiter: Mutex::new(RateLimiter::new(self.rate_limit.clone())),
            usage_capped: AtomicBool::new(self.rate_limit.usage_capped),
            faults: Mutex::new(FaultPlan::new(self.faults.clone(), seed)),
            log: Mutex::new(std::collections::VecDeque::new()),
            stats: Mutex::new(Stats::default()),
            seq: AtomicU64::new(0),
            dm_seq: AtomicU64::new(0),
            prerendered_served: AtomicU64::new(0),
            cache: Mutex::new(HashMap::new()),
            started: Instant::now(),
            activity,
            uploads: Mutex::new(Uploads::new(self.uploads.clone())),
            other_users: self
                .other_users
                .iter()
                .enumerate()
                .map(|(i, t)| (t.clone(), other_user_id(i)))
                .collect(),
            clock_offset_ms: AtomicI64::new(0),
            chat: Mutex::new(crate::chat::ChatState::default()),
        });
        for pq in &self.prerender {
            prerender(&shared, pq)?;
        }
        let accept = tokio::spawn(accept_loop(listener, shared.clone()));
        Ok(FakeServer {
            shared,
            base_url,
            local,
            token: self.token,
            app_only_token: self.app_only_token,
            oauth1: self.oauth1,
            oauth2: self.oauth2,
            accept: Some(accept),
        })
    }
}

fn prerender(shared: &Shared, path_and_query: &str) -> Result<(), StartError> {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let route = Route::parse("GET", path);
    let base: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| k != "pagination_token")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut token: Option<String> = None;
    loop {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &base {
            ser.append_pair(k, v);
        }
        if let Some(t) = &token {
            ser.append_pair("pagination_token", t);
        }
        let q = ser.finish();
        let reply: Reply = shared.lookup(&route, &q, false);
        if reply.status != 200 || !matches!(route, Route::List(..)) {
            return Err(StartError::Prerender {
                path_and_query: path_and_query.to_owned(),
                status: reply.status,
            });
        }
        let next = serde_json::from_slice::<serde_json::Value>(&reply.body)
            .ok()
            .and_then(|v| {
                v.pointer("/meta/next_token")
                    .and_then(|t| t.as_str())
                    .map(str::to_owned)
            });
        let key = crate::dispatch::cache_key(&route, &q);
        lock(&shared.cache).insert(key, reply.body);
        match next {
            Some(n) if Some(&n) != token.as_ref() => token = Some(n),
            _ => return Ok(()),
        }
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut conns = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                conns.spawn(async move {
                    let kill = Arc::new(AtomicBool::new(false));
                    let io = TokioIo::new(KillableConn::new(stream, kill.clone()));
                    let svc = service_fn(move |req| serve(shared.clone(), kill.clone(), req));
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new()).serve_connection(io, svc).await;
                });
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
}

impl std::fmt::Debug for FakeServerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Tokens and secrets are never printed.
        f.debug_struct("FakeServerBuilder")
            .field("addr", &self.addr)
            .field("dataset_config", &self.dataset_config)
            .field("loaded_dataset", &self.dataset.is_some())
            .field("token", &"<redacted>")
            .field("oauth1", &self.oauth1)
            .field("oauth2", &self.oauth2)
            .field("rate_limit", &self.rate_limit)
            .field("faults", &self.faults)
            .field("trailing_empty_page", &self.trailing_empty_page)
            .field("prerender", &self.prerender)
            .field("activity", &self.activity)
            .field("uploads", &self.uploads)
            .field("other_users", &self.other_users.len())
            .finish_non_exhaustive()
    }
}

/// A running fake DM API on a loopback port. Stops when dropped.
///
/// See the crate docs for an example.
pub struct FakeServer {
    shared: Arc<Shared>,
    base_url: String,
    local: SocketAddr,
    token: String,
    app_only_token: String,
    oauth1: Option<OAuth1Config>,
    oauth2: OAuth2Config,
    accept: Option<JoinHandle<()>>,
}

impl FakeServer {
    /// A builder with defaults: seed 1, 200 events, no faults, an unlimited rate limit.
    pub fn builder() -> FakeServerBuilder {
        FakeServerBuilder::default()
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// `http://127.0.0.1:<port>`, no trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The user-context bearer token the server accepts.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The app-only bearer token the server recognises (and refuses on DM endpoints).
    pub fn app_only_token(&self) -> &str {
        &self.app_only_token
    }

    /// The OAuth 1.0a credentials the server verifies, if enabled.
    pub fn oauth1(&self) -> Option<&OAuth1Config> {
        self.oauth1.as_ref()
    }

    /// The OAuth 2.0 client the fake authorization server knows.
    pub fn oauth2(&self) -> &OAuth2Config {
        &self.oauth2
    }

    /// The authenticated user.
    pub fn me(&self) -> dm_model::UserId {
        let id = self
            .shared
            .store
            .read()
            .map(|s| s.me_id())
            .unwrap_or_else(|p| p.into_inner().me_id());
        // Invariant: every stored user id has at most 19 digits (checked on load, generated below 2^61).
        dm_model::UserId::try_from(id).expect("stored user ids match ^[0-9]{1,19}$")
    }

    /// Ground truth for assertions.
    pub fn dataset(&self) -> DatasetView {
        DatasetView::new(self.shared.clone())
    }

    /// Adds an incoming message at the head of a conversation; returns the new event id.
    ///
    /// # Errors
    /// [`InjectError`] for an unknown conversation, a bad sender id or a bad text.
    pub fn inject_message(
        &self,
        conversation: impl std::fmt::Display,
        sender: impl std::fmt::Display,
        text: impl Into<String>,
    ) -> Result<String, InjectError> {
        let (conversation, sender, text) =
            (conversation.to_string(), sender.to_string(), text.into());
        let n = text.chars().count();
        if n == 0 || n > 10_000 {
            return Err(InjectError::InvalidText);
        }
        let sender_id = crate::params::numeric_id("sender", &sender)
            .map_err(|_| InjectError::InvalidSender(sender.clone()))?;
        let now = self.shared.now_ms();
        let mut store = self.shared.store_write();
        let conv = *store
            .conv_by_id
            .get(&conversation)
            .ok_or(InjectError::UnknownConversation(conversation))?;
        let sender = store.user_or_create(sender_id);
        let id = store.next_id(now);
        let text = store.custom_text(text);
        store.push_event(crate::dataset::EventRec {
            id,
            conv,
            sender,
            text,
            people: crate::dataset::NONE,
            media: crate::dataset::NONE,
            tweet: crate::dataset::NONE,
            kind: crate::dataset::Kind::Message,
            deleted: false,
        });
        Ok(id.to_string())
    }

    /// X Chat test hook, a server gone wrong: serves a public-key record for `user` whose
    /// binding was never checked (registration refuses such a record), so that tests can show
    /// a client refuses to trust it.
    ///
    /// # Errors
    /// [`InjectError::InvalidSender`] when `user` is not a user id.
    pub fn chat_plant_key_record(
        &self,
        user: impl std::fmt::Display,
        version: impl Into<String>,
        public_key: impl Into<String>,
        signing_public_key: impl Into<String>,
        identity_public_key_signature: impl Into<String>,
    ) -> Result<(), InjectError> {
        let user = user.to_string();
        let id = crate::params::numeric_id("user", &user)
            .map_err(|_| InjectError::InvalidSender(user.clone()))?;
        lock(&self.shared.chat).plant_key(
            id,
            version.into(),
            public_key.into(),
            signing_public_key.into(),
            identity_public_key_signature.into(),
        );
        Ok(())
    }

    /// X Chat test hook, a server gone wrong: appends `encoded_event` (a base64
    /// `MessageEvent`, forged, tampered or replayed) to the history of `conversation`
    /// (`A-B`, `A:B` or `g…`) unchecked; returns the event id it is served under.
    ///
    /// # Errors
    /// [`InjectError::UnknownConversation`] for a malformed conversation id,
    /// [`InjectError::InvalidSender`] for a bad sender id.
    pub fn chat_relay_unchecked(
        &self,
        conversation: &str,
        sender: impl std::fmt::Display,
        encoded_event: impl Into<String>,
    ) -> Result<String, InjectError> {
        let key = crate::chat::canonical(conversation)
            .ok_or_else(|| InjectError::UnknownConversation(conversation.to_string()))?;
        let sender = sender.to_string();
        let id = crate::params::numeric_id("sender", &sender)
            .map_err(|_| InjectError::InvalidSender(sender.clone()))?;
        let now = self.shared.now_ms();
        let seq = lock(&self.shared.chat).relay_unchecked(
            &key,
            id,
            String::new(),
            encoded_event.into(),
            now,
        );
        Ok(seq.to_string())
    }

    /// The other users ([`FakeServerBuilder::other_user`]): their tokens and ids.
    pub fn other_users(&self) -> Vec<(String, dm_model::UserId)> {
        self.shared
            .other_users
            .iter()
            .filter_map(|(t, id)| Some((t.clone(), dm_model::UserId::try_from(*id).ok()?)))
            .collect()
    }

    /// An uploaded media object (ground truth for assertions: owner, category, size, SHA-256,
    /// the bytes of small uploads, the processing state now).
    pub fn uploaded_media(&self, media_id: impl std::fmt::Display) -> Option<UploadedMedia> {
        let id: u64 = media_id.to_string().parse().ok()?;
        lock(&self.shared.uploads).view(id, self.shared.now_ms())
    }

    /// Moves the sandbox's clock forward (media expiry, processing time, new ids).
    pub fn advance_clock(&self, by: std::time::Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX / 4);
        self.shared.clock_offset_ms.fetch_add(ms, Ordering::SeqCst);
    }

    /// Makes the processing of the next finalized video or animated GIF end in `failed`.
    pub fn fail_next_processing(&self) {
        lock(&self.shared.uploads).fail_next_processing();
    }

    /// Queues a fault for the next append of segment `segment_index` (any upload), e.g.
    /// [`FaultKind::DropAfterRequestBody`] (stored, then the connection is reset) or
    /// [`FaultKind::DropRequestBody`] (reset, nothing stored).
    pub fn queue_segment_fault(&self, segment_index: u32, fault: FaultKind) {
        lock(&self.shared.uploads).queue_segment_fault(segment_index, fault);
    }

    /// Replaces the upload processing configuration.
    pub fn set_upload_config(&self, config: UploadConfig) {
        lock(&self.shared.uploads).config = config;
    }

    /// Counters: requests per endpoint, 429s served, faults injected.
    pub fn stats(&self) -> Stats {
        let mut s = lock(&self.shared.stats).clone();
        s.prerendered_served = self.shared.prerendered_served.load(Ordering::Relaxed);
        s
    }

    /// The request log, in arrival order (the most recent 100,000 requests; counters in
    /// [`FakeServer::stats`] cover the whole run).
    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.shared.log).iter().cloned().collect()
    }

    /// Queues a fault for the next DM request (before scheduled and random faults).
    pub fn queue_fault(&self, fault: FaultKind) {
        lock(&self.shared.faults).queue.push_back(fault);
    }

    /// Replaces the fault configuration.
    pub fn set_faults(&self, config: FaultConfig) {
        lock(&self.shared.faults).config = config;
    }

    /// Turns the usage-capped mode on or off.
    pub fn set_usage_capped(&self, capped: bool) {
        self.shared.usage_capped.store(capped, Ordering::SeqCst);
    }

    /// Stops accepting and closes every connection.
    pub async fn shutdown(mut self) {
        if let Some(h) = self.accept.take() {
            h.abort();
            let _ = h.await;
        }
    }
}

impl std::fmt::Debug for FakeServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Tokens and secrets are never printed.
        f.debug_struct("FakeServer")
            .field("base_url", &self.base_url)
            .field("token", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        if let Some(h) = self.accept.take() {
            h.abort();
        }
    }
}
