//! [`Clock`]: wall-clock time for comparing against `x-rate-limit-reset`.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The wall clock the rate limiter compares `x-rate-limit-reset` (Unix seconds) against.
/// Inject one to test with a skewed clock; waiting itself uses `tokio::time`.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Time since the Unix epoch.
    fn now_unix(&self) -> Duration;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_unix(&self) -> Duration {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
    }
}
