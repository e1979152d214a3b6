//! [`RetryPolicy`]: exponential backoff with full jitter, bounded attempts and total time.

use std::time::Duration;

use rand::Rng as _;

use crate::Error;

/// Marks a request as safe (or not) to repeat, overriding the method/endpoint default.
/// Insert it into the request's extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Idempotent(pub bool);

/// When and how the [`Stack`](crate::Stack) retries.
///
/// Idempotent requests (GET, DELETE, block/unblock, or marked with [`Idempotent`]) are
/// retried on connect errors, timeouts, resets, truncated bodies and 500/502/503/504.
/// Other requests (a DM send) are retried only when they certainly were not sent
/// (connection refused, connect timeout): a send is never repeated after it may have
/// reached the server.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Most attempts in all, including the first (default 4).
    pub max_attempts: u32,
    /// First backoff ceiling (default 250 ms); doubles each attempt.
    pub base_delay: Duration,
    /// Largest backoff ceiling (default 10 s).
    pub max_delay: Duration,
    /// No retry starts after this much time since the first attempt (default 60 s).
    pub max_total: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
            max_total: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Never retry.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Sets the attempt bound.
    #[must_use]
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// Sets the first backoff ceiling.
    #[must_use]
    pub fn base_delay(mut self, d: Duration) -> Self {
        self.base_delay = d;
        self
    }

    /// Sets the largest backoff ceiling.
    #[must_use]
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }

    /// Sets the total-time bound.
    #[must_use]
    pub fn max_total(mut self, d: Duration) -> Self {
        self.max_total = d;
        self
    }

    /// Whether `error` on attempt `attempt` (1-based) of a request that is (or is not)
    /// idempotent should be retried.
    pub fn should_retry(&self, error: &Error, idempotent: bool, attempt: u32) -> bool {
        if attempt >= self.max_attempts || !error.is_retryable() {
            return false;
        }
        idempotent || !error.may_have_been_sent()
    }

    /// Full jitter: a random delay in `[0, min(max_delay, base_delay * 2^(attempt-1))]`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(20);
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << exp)
            .min(self.max_delay);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(rand::rng().random_range(0..=nanos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ApiError;

    fn api(status: u16) -> Error {
        let res = http::Response::builder()
            .status(status)
            .body(bytes::Bytes::new())
            .unwrap();
        ApiError::from_response(&res).into()
    }

    #[test]
    fn sends_are_retried_only_when_certainly_not_sent() {
        let p = RetryPolicy::default();
        let refused = Error::connect(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        let reset = Error::after_send(
            std::io::Error::from(std::io::ErrorKind::ConnectionReset),
            false,
        );
        assert!(p.should_retry(&refused, false, 1));
        assert!(!p.should_retry(&reset, false, 1));
        assert!(p.should_retry(&reset, true, 1));
        assert!(!p.should_retry(&api(503), false, 1));
        assert!(p.should_retry(&api(503), true, 1));
        assert!(!p.should_retry(&api(501), true, 1));
        assert!(!p.should_retry(&api(400), true, 1));
        assert!(!p.should_retry(&refused, true, 4), "attempts are bounded");
    }

    #[test]
    fn backoff_is_bounded_by_the_exponential_ceiling() {
        let p = RetryPolicy::default();
        for attempt in 1..30 {
            let d = p.backoff(attempt);
            let ceiling = (p.base_delay * 2u32.pow(attempt.min(20) - 1)).min(p.max_delay);
            assert!(d <= ceiling, "{attempt}: {d:?} > {ceiling:?}");
        }
    }
}
