//! Fixed-window rate limiting per endpoint family, with the live API's headers.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::config::RateLimitConfig;

/// What the limiter decided for one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Decision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Unix seconds when the window resets (rounded up).
    pub reset: u64,
}

impl Decision {
    pub(crate) fn daily_headers(&self) -> [(&'static str, String); 3] {
        [
            ("x-user-limit-24hour-limit", self.limit.to_string()),
            ("x-user-limit-24hour-remaining", self.remaining.to_string()),
            ("x-user-limit-24hour-reset", self.reset.to_string()),
        ]
    }

    pub(crate) fn headers(&self) -> [(&'static str, String); 3] {
        [
            ("x-rate-limit-limit", self.limit.to_string()),
            ("x-rate-limit-remaining", self.remaining.to_string()),
            ("x-rate-limit-reset", self.reset.to_string()),
        ]
    }
}

/// Per-family fixed windows aligned on the server's start.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    pub config: RateLimitConfig,
    origin: Instant,
    origin_unix: Duration,
    used: HashMap<&'static str, (u64, u32)>,
    /// Remaining 429s of an injected storm.
    pub storm: u32,
    daily: (u64, u32),
}

impl RateLimiter {
    pub(crate) fn new(config: RateLimitConfig) -> Self {
        let origin_unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Self {
            config,
            origin: Instant::now(),
            origin_unix,
            used: HashMap::new(),
            storm: 0,
            daily: (0, 0),
        }
    }

    fn window(&self) -> (u64, u64) {
        let w = self.config.window.max(Duration::from_millis(1));
        let k = (self.origin.elapsed().as_nanos() / w.as_nanos()) as u64;
        let end = self.origin_unix + w * (k as u32 + 1);
        (k, end.as_secs() + u64::from(end.subsec_nanos() > 0))
    }

    /// Counts a send against the per-day budget; `None` when there is none.
    pub(crate) fn check_daily(&mut self) -> Option<Decision> {
        let limit = self.config.daily_send_limit?;
        let w = self.config.window.max(Duration::from_millis(1)) * 96;
        let k = (self.origin.elapsed().as_nanos() / w.as_nanos()) as u64;
        let end = self.origin_unix + w * (k as u32 + 1);
        let reset = end.as_secs() + u64::from(end.subsec_nanos() > 0);
        if self.daily.0 != k {
            self.daily = (k, 0);
        }
        if self.daily.1 >= limit {
            return Some(Decision {
                allowed: false,
                limit,
                remaining: 0,
                reset,
            });
        }
        self.daily.1 += 1;
        Some(Decision {
            allowed: true,
            limit,
            remaining: limit - self.daily.1,
            reset,
        })
    }

    /// Counts a request against its family.
    pub(crate) fn check(&mut self, family: &'static str) -> Decision {
        let (k, reset) = self.window();
        let limit = self.config.limit;
        let entry = self.used.entry(family).or_insert((k, 0));
        if entry.0 != k {
            *entry = (k, 0);
        }
        if self.storm > 0 {
            // A 429 always says the window is spent, whatever was really used.
            self.storm -= 1;
            return Decision {
                allowed: false,
                limit,
                remaining: 0,
                reset,
            };
        }
        if entry.1 >= limit {
            return Decision {
                allowed: false,
                limit,
                remaining: 0,
                reset,
            };
        }
        entry.1 += 1;
        Decision {
            allowed: true,
            limit,
            remaining: limit - entry.1,
            reset,
        }
    }
}
