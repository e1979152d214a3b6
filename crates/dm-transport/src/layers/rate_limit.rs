//! The rate-limit layer: one budget per endpoint family and token, shared by concurrent
//! requests and by every stack of the process that uses the token; waits instead of failing.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, OnceLock, Weak};
use std::time::Duration;

use tokio::sync::Notify;

use super::{Clock, EndpointFamily, SystemClock};
use crate::stack::StatsInner;
use crate::{Error, RateLimit};

/// How the [`Stack`](crate::Stack) paces requests against `x-rate-limit-*`.
///
/// The budgets belong to the token, as X counts them: every [`Stack`](crate::Stack) (and so
/// every `Client`) of the process built with the same token and base URL shares them, even
/// with policies of their own. A policy value follows the first token it is built with (its
/// clones see that token's budgets in [`RateLimitPolicy::known`]); a stack with another token
/// gets a copy of the policy with that token's budgets. Stacks without auth keep budgets of
/// their own. The registry holds a SHA-256 of the token, never the token, and forgets a
/// token's budgets when its last stack is dropped.
///
/// When a family's budget is spent the request sleeps until `reset` plus a
/// clock-skew margin; in-flight requests are counted against `remaining`, so concurrent
/// requests never overshoot. A 429 is waited out and retried; a `usage-capped` 429 is
/// returned at once.
#[derive(Debug, Clone)]
pub struct RateLimitPolicy {
    pub(crate) enabled: bool,
    pub(crate) skew_margin: Duration,
    pub(crate) max_wait: Duration,
    pub(crate) max_429_retries: u32,
    pub(crate) fallback_429_wait: Duration,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) state: Arc<Limiter>,
}

impl Default for RateLimitPolicy {
    fn default() -> Self {
        Self {
            enabled: true,
            skew_margin: Duration::from_secs(1),
            max_wait: Duration::from_secs(16 * 60),
            max_429_retries: 3,
            fallback_429_wait: Duration::from_secs(60),
            clock: Arc::new(SystemClock),
            state: Arc::new(Limiter::default()),
        }
    }
}

impl RateLimitPolicy {
    /// Waits on rate limits (the default).
    pub fn new() -> Self {
        Self::default()
    }

    /// No pacing: requests go out at once and a 429 is returned as an error.
    pub fn disabled() -> Self {
        Self {
            enabled: false,
            ..Self::default()
        }
    }

    /// Extra time added after `reset` against clock skew (default 1 s).
    #[must_use]
    pub fn skew_margin(mut self, margin: Duration) -> Self {
        self.skew_margin = margin;
        self
    }

    /// Longest single wait; a longer one (e.g. a spent 24-hour window) returns
    /// [`Error::RateLimitWait`] instead (default 16 min).
    #[must_use]
    pub fn max_wait(mut self, max: Duration) -> Self {
        self.max_wait = max;
        self
    }

    /// How many 429s in a row are waited out before the 429 is returned (default 3).
    #[must_use]
    pub fn max_429_retries(mut self, n: u32) -> Self {
        self.max_429_retries = n;
        self
    }

    /// How long to wait after a 429 without rate-limit headers (default 60 s).
    #[must_use]
    pub fn fallback_429_wait(mut self, wait: Duration) -> Self {
        self.fallback_429_wait = wait;
        self
    }

    /// This policy with budgets of its own, paced by nothing else yet.
    pub(crate) fn unbound(&self) -> Self {
        Self {
            state: Arc::new(Limiter::default()),
            ..self.clone()
        }
    }

    /// Uses another wall clock.
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The last known state of a family's budget (`None` before any response).
    pub fn known(&self, family: &EndpointFamily) -> Option<RateLimit> {
        let map = self.state.budgets().lock();
        let b = map.get(family)?;
        Some(RateLimit::new(b.limit?, b.remaining?, b.reset?))
    }

    fn now_secs(&self) -> f64 {
        self.clock.now_unix().as_secs_f64()
    }

    /// Reserves a slot in `family`'s budget, waiting while it is spent.
    pub(crate) async fn acquire(
        &self,
        family: &EndpointFamily,
        stats: &StatsInner,
    ) -> Result<Permit, Error> {
        loop {
            let budgets = self.state.budgets();
            let notified = budgets.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let wait = {
                let mut map = budgets.lock();
                let b = map.entry(family.clone()).or_default();
                let now = self.now_secs();
                let skew = self.skew_margin.as_secs_f64();
                if let Some(until) = b.blocked_until.filter(|u| now < *u as f64 + skew) {
                    Wait::Until(until)
                } else {
                    b.blocked_until = None;
                    if let Some(reset) = b.reset
                        && now >= reset as f64 + skew
                    {
                        // The window has rolled over: the full budget is back, or unknown
                        // again when no limit was ever seen (a 429 without the headers):
                        // never a spent budget whose reset has passed, which would spin.
                        b.remaining = b.limit;
                        b.reset = None;
                    }
                    match b.remaining {
                        None if b.in_flight == 0 || b.headerless => {
                            b.in_flight += 1;
                            return Ok(self.permit(family));
                        }
                        None => Wait::Response(None),
                        Some(r) if r > b.in_flight => {
                            b.in_flight += 1;
                            return Ok(self.permit(family));
                        }
                        Some(_) if b.in_flight > 0 => Wait::Response(b.reset),
                        Some(_) => match b.reset {
                            Some(reset) => Wait::Until(reset),
                            None => {
                                // Spent, but no known reset: probe with one request.
                                b.in_flight += 1;
                                return Ok(self.permit(family));
                            }
                        },
                    }
                }
            };
            match wait {
                Wait::Response(reset) => {
                    // Another request is in flight; its response tells us more.
                    match reset.map(|r| self.until(r)) {
                        Some(d) => {
                            tokio::select! {
                                () = &mut notified => {}
                                () = tokio::time::sleep(d) => {}
                            }
                        }
                        None => notified.await,
                    }
                }
                Wait::Until(reset) => {
                    let d = self.until(reset);
                    if d > self.max_wait {
                        return Err(Error::RateLimitWait {
                            family: family.clone(),
                            reset,
                            wait: d,
                        });
                    }
                    stats.record_wait(d);
                    tracing::info!(family = %family, wait_ms = d.as_millis() as u64, "rate limit spent; waiting for reset");
                    tokio::time::sleep(d).await;
                }
            }
        }
    }

    fn until(&self, reset: u64) -> Duration {
        let target = reset as f64 + self.skew_margin.as_secs_f64();
        Duration::from_secs_f64((target - self.now_secs()).max(0.0))
    }

    fn permit(&self, family: &EndpointFamily) -> Permit {
        Permit {
            limiter: self.state.budgets().clone(),
            family: family.clone(),
        }
    }

    /// After a 429: blocks the family until `reset` (or the fallback wait). Returns how
    /// long the caller will wait, or `None` when the 429 should be returned.
    ///
    /// Without the three `x-rate-limit-*` headers, a lone `x-rate-limit-reset` (or a
    /// `retry-after` in seconds) in `headers` still names the reset.
    pub(crate) fn on_429(
        &self,
        family: &EndpointFamily,
        rate_limit: Option<&RateLimit>,
        headers: &http::HeaderMap,
    ) -> Option<Duration> {
        let now = self.now_secs();
        let until = match rate_limit {
            Some(rl) => rl.exhausted_until().unwrap_or(rl.reset).max(now as u64),
            None => match reset_hint(headers, now) {
                Some(reset) => reset.max(now as u64),
                None => (now + self.fallback_429_wait.as_secs_f64()).ceil() as u64,
            },
        };
        let wait = self.until(until);
        if wait > self.max_wait {
            return None;
        }
        let mut map = self.state.budgets().lock();
        let b = map.entry(family.clone()).or_default();
        b.blocked_until = Some(b.blocked_until.map_or(until, |u| u.max(until)));
        b.remaining = Some(0);
        b.reset = Some(b.reset.map_or(until, |r| r.max(until)));
        Some(wait)
    }
}

/// The reset (Unix seconds) a 429 names without the full set of rate-limit headers.
fn reset_hint(headers: &http::HeaderMap, now: f64) -> Option<u64> {
    let number =
        |name: &str| -> Option<u64> { headers.get(name)?.to_str().ok()?.trim().parse().ok() };
    number("x-rate-limit-reset")
        .or_else(|| number("retry-after").map(|secs| (now.ceil() as u64).saturating_add(secs)))
}

enum Wait {
    /// Wait for an in-flight response (or until the reset, if known).
    Response(Option<u64>),
    /// Sleep until this reset (Unix seconds) plus the margin.
    Until(u64),
}

/// The budgets a policy paces by: bound to a token's budgets by the first stack built with
/// it, else budgets of its own.
#[derive(Debug, Default)]
pub(crate) struct Limiter {
    bound: OnceLock<Arc<Budgets>>,
}

impl Limiter {
    fn budgets(&self) -> &Arc<Budgets> {
        self.bound.get_or_init(Arc::default)
    }

    /// Binds this limiter to the process-wide budgets of `key` unless it already paces
    /// something else; returns whether it now shares them.
    pub(crate) fn bind(&self, key: BudgetKey) -> bool {
        let shared = Budgets::for_key(key);
        Arc::ptr_eq(self.bound.get_or_init(|| Arc::clone(&shared)), &shared)
    }
}

/// Identifies a token's budgets: SHA-256 of the base URL's origin and the token's identity.
/// Never the token itself.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct BudgetKey([u8; 32]);

impl BudgetKey {
    /// The key of `parts` (the origin, then what identifies the token), hashed with
    /// separators so that different splits never collide.
    pub(crate) fn new(parts: &[&[u8]]) -> Self {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        hasher.update(b"xdm rate budget v1");
        for part in parts {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part);
        }
        BudgetKey(hasher.finalize().into())
    }
}

impl std::fmt::Debug for BudgetKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BudgetKey(..)")
    }
}

/// Every token's budgets in this process, while a stack uses them.
static REGISTRY: LazyLock<Mutex<HashMap<BudgetKey, Weak<Budgets>>>> = LazyLock::new(Mutex::default);

/// Shared budgets, one per family.
#[derive(Debug, Default)]
pub(crate) struct Budgets {
    buckets: Mutex<HashMap<EndpointFamily, Bucket>>,
    notify: Notify,
}

impl Budgets {
    /// The budgets of `key`, created on first use.
    fn for_key(key: BudgetKey) -> Arc<Budgets> {
        let mut registry = REGISTRY.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(live) = registry.get(&key).and_then(Weak::upgrade) {
            return live;
        }
        registry.retain(|_, weak| weak.strong_count() > 0);
        let fresh = Arc::new(Budgets::default());
        registry.insert(key, Arc::downgrade(&fresh));
        fresh
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<EndpointFamily, Bucket>> {
        match self.buckets.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

#[derive(Debug, Default)]
struct Bucket {
    limit: Option<u64>,
    remaining: Option<u64>,
    reset: Option<u64>,
    in_flight: u64,
    blocked_until: Option<u64>,
    /// A response came back without rate-limit headers: nothing to pace by.
    headerless: bool,
}

/// A reserved slot; released (and waiters woken) when dropped.
#[derive(Debug)]
pub(crate) struct Permit {
    limiter: Arc<Budgets>,
    family: EndpointFamily,
}

impl Permit {
    /// Records the response's rate-limit headers and releases the slot.
    pub(crate) fn complete(self, rate_limit: Option<&RateLimit>) {
        let mut map = self.limiter.lock();
        let b = map.entry(self.family.clone()).or_default();
        b.headerless = rate_limit.is_none() && b.remaining.is_none();
        if let Some(rl) = rate_limit {
            match b.reset {
                Some(reset) if rl.reset < reset => {} // stale: from an older window
                Some(reset) if rl.reset == reset => {
                    b.remaining = Some(b.remaining.map_or(rl.remaining, |r| r.min(rl.remaining)));
                    b.limit = Some(rl.limit);
                }
                _ => {
                    b.limit = Some(rl.limit);
                    b.remaining = Some(rl.remaining);
                    b.reset = Some(rl.reset);
                }
            }
            if let Some(until) = rl.exhausted_until().filter(|u| *u > rl.reset) {
                // A 24-hour window is spent: nothing goes out before it resets.
                b.blocked_until = Some(b.blocked_until.map_or(until, |x| x.max(until)));
            }
        }
        drop(map);
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        {
            let mut map = self.limiter.lock();
            if let Some(b) = map.get_mut(&self.family) {
                b.in_flight = b.in_flight.saturating_sub(1);
            }
        }
        self.limiter.notify.notify_waiters();
    }
}
