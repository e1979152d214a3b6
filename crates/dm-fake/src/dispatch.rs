//! Per-request processing: auth, usage cap, fault choice, rate limits, the operation.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, RwLock};
use std::time::Instant;

use bytes::Bytes;
use http::HeaderMap;

use crate::auth::{OAuth1Verifier, SignedRequest, Verdict};
use crate::config::FaultKind;
use crate::dataset::Store;
use crate::faults::FaultPlan;
use crate::handlers::{self, LookupOptions};
use crate::log::{AuthKind, Endpoint, RequestRecord, Stats};
use crate::oauth2::OAuth2Server;
use crate::params;
use crate::problem;
use crate::ratelimit::{Decision, RateLimiter};
use crate::reply::Reply;
use crate::routes::{Route, scope_of};
use crate::upload::{self, Uploads};

/// Locks a mutex, recovering from poisoning (a panicking test must not wedge the server).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The request log keeps the most recent this many requests (benchmarks send millions).
pub(crate) const LOG_LIMIT: usize = 100_000;

/// Everything the connections share.
pub(crate) struct Shared {
    pub store: RwLock<Store>,
    pub base_url: String,
    pub lookup: LookupOptions,
    pub user_tokens: Vec<String>,
    pub app_tokens: Vec<String>,
    pub oauth1: Option<OAuth1Verifier>,
    pub oauth2: Mutex<OAuth2Server>,
    pub limiter: Mutex<RateLimiter>,
    pub usage_capped: AtomicBool,
    pub faults: Mutex<FaultPlan>,
    pub log: Mutex<std::collections::VecDeque<RequestRecord>>,
    pub stats: Mutex<Stats>,
    pub seq: AtomicU64,
    pub dm_seq: AtomicU64,
    pub prerendered_served: AtomicU64,
    pub cache: Mutex<HashMap<String, Bytes>>,
    pub started: Instant,
    /// The X Activity API, webhooks and Account Activity.
    pub activity: crate::activity::Hub,
    /// Media uploads (`/2/media/upload*`).
    pub uploads: Mutex<Uploads>,
    /// Tokens of other users (`token`, user id): accepted on the upload endpoints only.
    pub other_users: Vec<(String, u64)>,
    /// Added to the clock by `FakeServer::advance_clock`.
    pub clock_offset_ms: AtomicI64,
    /// X Chat: keys, conversations, relayed events, encrypted media.
    pub chat: Mutex<crate::chat::ChatState>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Tokens, secrets and issued OAuth 2.0 tokens are never printed.
        f.debug_struct("Shared")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

/// The store, write-locked. When it is released, the events stored meanwhile become
/// real-time activity (before any other request can see them).
pub(crate) struct StoreGuard<'a> {
    shared: &'a Shared,
    guard: std::sync::RwLockWriteGuard<'a, Store>,
}

impl std::ops::Deref for StoreGuard<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.guard
    }
}

impl std::ops::DerefMut for StoreGuard<'_> {
    fn deref_mut(&mut self) -> &mut Store {
        &mut self.guard
    }
}

impl Drop for StoreGuard<'_> {
    fn drop(&mut self) {
        let now = self.guard.now_ms
            + self.shared.started.elapsed().as_millis() as i64
            + self.shared.clock_offset_ms.load(Ordering::SeqCst);
        self.shared.activity.observe(&self.guard, now);
    }
}

/// What a request produced, before delivery.
pub(crate) struct Outcome {
    pub reply: Reply,
    pub fault: Option<FaultKind>,
    pub auth: AuthKind,
}

impl Shared {
    pub(crate) fn now_ms(&self) -> i64 {
        let store_now = self
            .store
            .read()
            .map(|s| s.now_ms)
            .unwrap_or_else(|p| p.into_inner().now_ms);
        store_now
            + self.started.elapsed().as_millis() as i64
            + self.clock_offset_ms.load(Ordering::SeqCst)
    }

    /// The other user a bearer token belongs to, if it is one of `other_users`.
    fn other_user(&self, headers: &HeaderMap) -> Option<u64> {
        let auth = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
        let token = auth.strip_prefix("Bearer ")?.trim();
        self.other_users
            .iter()
            .find(|(t, _)| t == token)
            .map(|(_, id)| *id)
    }

    fn store_read(&self) -> std::sync::RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn store_write(&self) -> StoreGuard<'_> {
        // Any mutation invalidates pre-rendered pages.
        lock(&self.cache).clear();
        StoreGuard {
            shared: self,
            guard: self.store.write().unwrap_or_else(|p| p.into_inner()),
        }
    }

    pub(crate) fn verdict(
        &self,
        method: &str,
        path: &str,
        query: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Verdict {
        let Some(auth) = headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        else {
            return Verdict::Unauthorized;
        };
        if let Some(token) = auth.strip_prefix("Bearer ") {
            let token = token.trim();
            if self.user_tokens.iter().any(|t| t == token)
                || self.other_users.iter().any(|(t, _)| t == token)
            {
                return Verdict::User {
                    scopes: None,
                    oauth1: false,
                };
            }
            if self.app_tokens.iter().any(|t| t == token) {
                return Verdict::AppOnly;
            }
            if let Some(scopes) = lock(&self.oauth2).check_access(token) {
                return Verdict::User {
                    scopes: Some(scopes),
                    oauth1: false,
                };
            }
            return Verdict::Unauthorized;
        }
        if auth.starts_with("OAuth ") {
            let Some(v) = &self.oauth1 else {
                return Verdict::Unauthorized;
            };
            let host = headers
                .get(http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("127.0.0.1");
            let form = headers
                .get(http::header::CONTENT_TYPE)
                .and_then(|c| c.to_str().ok())
                .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
            let req = SignedRequest {
                method,
                base_url: format!("http://{}{}", host.to_ascii_lowercase(), path),
                query,
                form_body: form.then_some(body),
                header: auth,
            };
            if v.verify(&req) {
                return Verdict::User {
                    scopes: None,
                    oauth1: true,
                };
            }
        }
        Verdict::Unauthorized
    }

    /// Renders a lookup (used by requests and by pre-rendering). `Err` is a 400 problem.
    pub(crate) fn lookup(&self, route: &Route, query: &str, repeat_token: bool) -> Reply {
        match route {
            Route::List(endpoint, param, id) => {
                let valid = match *endpoint {
                    Endpoint::GetConversationEvents => {
                        params::conversation_id(param, id).map(|_| ())
                    }
                    Endpoint::GetEventsWithParticipant => params::numeric_id(param, id).map(|_| ()),
                    _ => Ok(()),
                };
                // A bad path id and bad query parameters are reported together, path first.
                let q = match (valid, params::parse(query, true)) {
                    (Ok(()), Ok(q)) => q,
                    (path, query) => return invalid([path.err(), query.err()]),
                };
                let cache = lock(&self.cache);
                if !repeat_token
                    && !cache.is_empty()
                    && let Some(bytes) = cache.get(&cache_key(route, query))
                {
                    self.prerendered_served.fetch_add(1, Ordering::Relaxed);
                    return Reply::raw(200, "application/json; charset=utf-8", bytes.clone());
                }
                drop(cache);
                handlers::list(
                    &self.store_read(),
                    &self.lookup,
                    &scope_of(*endpoint, id),
                    &q,
                    repeat_token,
                )
            }
            Route::GetEvent(id) => match (
                params::numeric_id("event_id", id),
                params::parse(query, false),
            ) {
                (Ok(id), Ok(q)) => handlers::get_event(&self.store_read(), id, &q),
                (path, query) => invalid([path.err(), query.err()]),
            },
            _ => Reply::problem(404, &problem::generic(404, "Not Found")),
        }
    }

    /// Whether the user may attach `media_id` to a DM now: its media kind, or why not.
    fn attachable(&self, media_id: u64, user: u64, now: i64) -> Result<u8, &'static str> {
        lock(&self.uploads).attachable(media_id, user, now)
    }

    fn operation(
        &self,
        route: &Route,
        query: &str,
        body: &[u8],
        fault: &Option<FaultKind>,
    ) -> Reply {
        let no_query = || -> Result<(), Reply> {
            match form_urlencoded::parse(query.as_bytes()).next() {
                Some((k, v)) => Err(Reply::problem(
                    400,
                    &problem::invalid_request(
                        &k,
                        &v,
                        format!("The query parameter [{k}] is not one of []"),
                    ),
                )),
                None => Ok(()),
            }
        };
        let id =
            |name: &str, v: &str| params::numeric_id(name, v).map_err(|p| Reply::problem(400, &p));
        let now = self.now_ms();
        let result: Result<Reply, Reply> = (|| match route {
            Route::List(..) | Route::GetEvent(_) => Ok(self.lookup(
                route,
                query,
                matches!(fault, Some(FaultKind::RepeatNextToken)),
            )),
            Route::DeleteEvent(e) => {
                no_query()?;
                let e = id("event_id", e)?;
                Ok(handlers::delete_event(&mut self.store_write(), e))
            }
            Route::SendToParticipant(p) => {
                no_query()?;
                let p = id("participant_id", p)?;
                let mut store = self.store_write();
                let me = store.me_id();
                Ok(handlers::send_to_participant(
                    &mut store,
                    now,
                    &self.base_url,
                    p,
                    body,
                    &|m| self.attachable(m, me, now),
                ))
            }
            Route::SendToConversation(c) => {
                no_query()?;
                // `dm_conversation_id` is a plain string here, no pattern (reference §2.9):
                // an id that names no conversation of the user is refused like any unknown one.
                let mut store = self.store_write();
                let me = store.me_id();
                Ok(handlers::send_to_conversation(
                    &mut store,
                    now,
                    &self.base_url,
                    c,
                    body,
                    &|m| self.attachable(m, me, now),
                ))
            }
            Route::CreateGroup => {
                no_query()?;
                let mut store = self.store_write();
                let me = store.me_id();
                Ok(handlers::create_group(
                    &mut store,
                    now,
                    &self.base_url,
                    body,
                    &|m| self.attachable(m, me, now),
                ))
            }
            Route::Media(d, m, r) => {
                no_query()?;
                let d = id("dm_id", d)?;
                let m = id("media_id", m)?;
                if r.is_empty()
                    || r.len() > 50
                    || !r
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
                {
                    return Err(Reply::problem(
                        400,
                        &problem::invalid_request(
                            "resource_id",
                            r,
                            format!(
                                "The `resource_id` query parameter value [{r}] does not match ^[a-zA-Z0-9_.-]{{1,50}}$"
                            ),
                        ),
                    ));
                }
                let reply = handlers::download_media(&self.store_read(), d, m);
                // Media uploaded to the sandbox downloads as the bytes uploaded (when kept).
                let uploaded = lock(&self.uploads).bytes(m);
                Ok(match uploaded {
                    Some(bytes) if reply.status == 200 => {
                        Reply::raw(200, "application/octet-stream", bytes)
                    }
                    _ => reply,
                })
            }
            Route::Block(u, blocked) => {
                no_query()?;
                let u = id("id", u)?;
                Ok(handlers::block(&mut self.store_write(), u, *blocked))
            }
            _ => Ok(Reply::problem(404, &problem::generic(404, "Not Found"))),
        })();
        result.unwrap_or_else(|r| r)
    }

    pub(crate) fn dm(
        &self,
        route: &Route,
        method: &str,
        path: &str,
        query: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Outcome {
        let endpoint = route.endpoint();
        let family = endpoint.family().unwrap_or("lookup");
        let verdict = self.verdict(method, path, query, headers, body);
        let auth = match verdict {
            Verdict::User { oauth1: true, .. } => AuthKind::OAuth1,
            Verdict::User { .. } | Verdict::AppOnly => AuthKind::Bearer,
            Verdict::Unauthorized => AuthKind::None,
        };
        let plain = |reply| Outcome {
            reply,
            fault: None,
            auth,
        };
        match &verdict {
            Verdict::Unauthorized => {
                return plain(Reply::problem(401, &problem::generic(401, "Unauthorized")));
            }
            Verdict::AppOnly => {
                return plain(Reply::problem(
                    403,
                    &problem::unsupported_authentication(
                        "OAuth 2.0 Application-Only",
                        &["OAuth 1.0a User Context", "OAuth 2.0 User Context"],
                    ),
                ));
            }
            // Media download takes OAuth 2.0 user tokens only (reference §2.10).
            Verdict::User { oauth1: true, .. } if endpoint == Endpoint::DownloadMedia => {
                return plain(Reply::problem(
                    403,
                    &problem::unsupported_authentication(
                        "OAuth 1.0a User Context",
                        &["OAuth 2.0 User Context"],
                    ),
                ));
            }
            Verdict::User {
                scopes: Some(s), ..
            } if !route.scopes().iter().all(|r| s.iter().any(|x| x == r)) => {
                return plain(Reply::problem(403, &problem::generic(403, "Forbidden")));
            }
            Verdict::User { .. } => {}
        }
        let other = self.other_user(headers);
        if other.is_some() && !matches!(route, Route::Upload(_) | Route::Chat(_)) {
            let mut body = problem::generic(403, "Forbidden");
            body["detail"] =
                "The sandbox serves Direct Messages for its main user only; this user's token \
                 may only upload media"
                    .into();
            return plain(Reply::problem(403, &body));
        }
        if self.usage_capped.load(Ordering::SeqCst) {
            return plain(Reply::problem(429, &problem::usage_capped()));
        }
        let n = self.dm_seq.fetch_add(1, Ordering::SeqCst) + 1;
        let mut fault = lock(&self.faults).pick(n);
        if fault.is_none()
            && matches!(route, Route::Upload(upload::UploadRoute::Append(_)))
            && lock(&self.uploads).has_segment_faults()
            && let Some(segment) = upload::segment_of(headers, &Bytes::copy_from_slice(body))
        {
            fault = lock(&self.uploads).take_segment_fault(segment);
        }
        let has_token = query.contains("pagination_token=") && matches!(route, Route::List(..));
        if matches!(
            fault,
            Some(FaultKind::RepeatNextToken | FaultKind::ExpiredToken)
        ) && !has_token
        {
            fault = None;
        }
        if let Some(FaultKind::RateLimitStorm(k)) = &fault {
            lock(&self.limiter).storm = *k;
        }
        let decision = lock(&self.limiter).check(family);
        let daily = if family == "send" && decision.allowed {
            lock(&self.limiter).check_daily()
        } else {
            None
        };
        let with_rl = |r: Reply, d: Decision| {
            let r = d.headers().into_iter().fold(r, |r, (k, v)| r.header(k, v));
            match daily {
                Some(day) => day
                    .daily_headers()
                    .into_iter()
                    .fold(r, |r, (k, v)| r.header(k, v)),
                None => r,
            }
        };
        if !decision.allowed || daily.is_some_and(|d| !d.allowed) {
            let body = problem::generic(429, "Too Many Requests");
            return Outcome {
                reply: with_rl(Reply::problem(429, &body), decision),
                fault,
                auth,
            };
        }
        let reply = match &fault {
            Some(FaultKind::ServerError(code)) => {
                let title = if *code == 503 {
                    "Service Unavailable"
                } else {
                    "Internal Server Error"
                };
                Reply::problem(*code, &problem::generic(*code, title))
            }
            Some(FaultKind::ExpiredToken) => {
                let t = form_urlencoded::parse(query.as_bytes())
                    .find(|(k, _)| k == "pagination_token")
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default();
                Reply::problem(
                    400,
                    &problem::invalid_request(
                        "pagination_token",
                        &t,
                        format!("The `pagination_token` query parameter value [{t}] has expired"),
                    ),
                )
            }
            Some(FaultKind::MalformedJson) => Reply::raw(
                200,
                "application/json; charset=utf-8",
                Bytes::from_static(
                    b"{\"data\":[{\"id\":\"1\",\"event_type\":\"MessageCreate\",\"text\":\"trunc",
                ),
            ),
            // Lost on the way: nothing is done (the connection is then reset).
            Some(FaultKind::DropRequestBody) => Reply::raw(200, "text/plain", Bytes::new()),
            _ => match route {
                Route::Upload(u) => {
                    let now = self.now_ms();
                    let user = other.unwrap_or_else(|| self.store_read().me_id());
                    let body = Bytes::copy_from_slice(body);
                    upload::handle(
                        &mut lock(&self.uploads),
                        u,
                        query,
                        headers,
                        &body,
                        user,
                        now,
                    )
                }
                Route::Chat(chat) => {
                    let now = self.now_ms();
                    let (id, username, name) = match other {
                        Some(id) => (
                            id,
                            format!("sandbox_user_{id}"),
                            format!("Sandbox user {id}"),
                        ),
                        None => {
                            let store = self.store_read();
                            let me = store.me_id();
                            let profile = store.user_profile(me);
                            let field = |k: &str| {
                                profile
                                    .and_then(|p| p.get(k))
                                    .and_then(serde_json::Value::as_str)
                                    .unwrap_or("me")
                                    .to_owned()
                            };
                            (me, field("username"), field("name"))
                        }
                    };
                    let caller = crate::chat::Caller {
                        id,
                        username: &username,
                        name: &name,
                    };
                    let (reply, outbox) = {
                        let mut state = lock(&self.chat);
                        let reply =
                            crate::chat::handle(&mut state, chat, &caller, query, body, now);
                        (reply, std::mem::take(&mut state.outbox))
                    };
                    self.activity.observe_chat(outbox, now);
                    reply
                }
                _ => self.operation(route, query, body, &fault),
            },
        };
        Outcome {
            reply: with_rl(reply, decision),
            fault,
            auth,
        }
    }

    pub(crate) fn record(&self, rec: RequestRecord) {
        {
            let mut s = lock(&self.stats);
            s.requests += 1;
            *s.per_endpoint.entry(rec.endpoint).or_insert(0) += 1;
            if rec.status == 429 {
                s.rate_limited += 1;
            }
            if let Some(f) = rec.fault {
                *s.faults.entry(f).or_insert(0) += 1;
            }
            *s.per_status.entry(rec.status).or_insert(0) += 1;
        }
        tracing::debug!(seq = rec.seq, method = %rec.method, path = %rec.path, status = rec.status, fault = ?rec.fault, "dm-fake request");
        let mut log = lock(&self.log);
        if log.len() >= LOG_LIMIT {
            log.pop_front();
        }
        log.push_back(rec);
    }
}

/// `400` with the invalid-request problems that occurred, merged in order.
fn invalid(problems: [Option<params::Invalid>; 2]) -> Reply {
    let merged = problem::merge(problems.into_iter().flatten().collect())
        .unwrap_or_else(|| problem::generic(400, "Bad Request"));
    Reply::problem(400, &merged)
}

/// The key of a pre-rendered page: the endpoint and the query's parameters decoded and
/// sorted, so `a=1&b=x,y` and `b=x%2Cy&a=1` (the same lookup) share one entry.
pub(crate) fn cache_key(route: &Route, query: &str) -> String {
    let mut pairs: Vec<_> = form_urlencoded::parse(query.as_bytes()).collect();
    pairs.sort();
    let mut key = endpoint_key(route);
    key.push('?');
    for (k, v) in pairs {
        key.push_str(&k);
        key.push('=');
        key.push_str(&v);
        key.push('&');
    }
    key
}

fn endpoint_key(route: &Route) -> String {
    match route {
        Route::List(e, _, id) => format!("{e:?}/{id}"),
        other => format!("{other:?}"),
    }
}
