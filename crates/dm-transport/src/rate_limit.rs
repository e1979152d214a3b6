//! [`RateLimit`]: the `x-rate-limit-*` (and 24-hour) response headers, parsed.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderMap;

/// One quota window: how many requests it allows, how many are left, when it resets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Quota {
    /// Maximum requests in the window.
    pub limit: u64,
    /// Requests left in the window.
    pub remaining: u64,
    /// When the window resets, in Unix seconds.
    pub reset: u64,
}

impl Quota {
    /// Builds a quota window.
    pub fn new(limit: u64, remaining: u64, reset: u64) -> Self {
        Self {
            limit,
            remaining,
            reset,
        }
    }

    fn from_headers(headers: &HeaderMap, prefix: &str) -> Option<Self> {
        let get = |suffix: &str| -> Option<u64> {
            let value = headers.get(format!("{prefix}{suffix}"))?;
            value.to_str().ok()?.trim().parse().ok()
        };
        Some(Self {
            limit: get("limit")?,
            remaining: get("remaining")?,
            reset: get("reset")?,
        })
    }

    /// The reset time as a [`SystemTime`].
    pub fn reset_at(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.reset)
    }
}

/// The rate-limit state a response reported.
///
/// The main window comes from `x-rate-limit-limit`, `x-rate-limit-remaining` and
/// `x-rate-limit-reset` (Unix seconds); the 24-hour windows from `x-user-limit-24hour-*`
/// and `x-app-limit-24hour-*` when the API sends them.
///
/// ```
/// use dm_transport::RateLimit;
/// let mut headers = http::HeaderMap::new();
/// headers.insert("x-rate-limit-limit", "15".parse().unwrap());
/// headers.insert("x-rate-limit-remaining", "14".parse().unwrap());
/// headers.insert("x-rate-limit-reset", "1705420800".parse().unwrap());
/// let rl = RateLimit::from_headers(&headers).unwrap();
/// assert_eq!((rl.limit, rl.remaining, rl.reset), (15, 14, 1705420800));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct RateLimit {
    /// Maximum requests allowed in the current window.
    pub limit: u64,
    /// Requests remaining in the current window.
    pub remaining: u64,
    /// When the window resets, in Unix seconds.
    pub reset: u64,
    /// The per-user 24-hour window (`x-user-limit-24hour-*`), when sent.
    pub user_24h: Option<Quota>,
    /// The per-app 24-hour window (`x-app-limit-24hour-*`), when sent.
    pub app_24h: Option<Quota>,
}

impl RateLimit {
    /// Builds a rate-limit state with only the main window.
    pub fn new(limit: u64, remaining: u64, reset: u64) -> Self {
        Self {
            limit,
            remaining,
            reset,
            user_24h: None,
            app_24h: None,
        }
    }

    /// Parses the rate-limit headers. Returns `None` unless the main window's three headers
    /// are present and are unsigned integers; malformed values are ignored, never a panic.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let main = Quota::from_headers(headers, "x-rate-limit-")?;
        Some(Self {
            limit: main.limit,
            remaining: main.remaining,
            reset: main.reset,
            user_24h: Quota::from_headers(headers, "x-user-limit-24hour-"),
            app_24h: Quota::from_headers(headers, "x-app-limit-24hour-"),
        })
    }

    /// The main window's reset time as a [`SystemTime`].
    pub fn reset_at(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.reset)
    }

    /// The latest reset among the windows that are spent (`remaining == 0`), if any.
    ///
    /// This is when a request can next succeed: a spent 24-hour window outlasts the main one.
    pub fn exhausted_until(&self) -> Option<u64> {
        [
            Some(Quota::new(self.limit, self.remaining, self.reset)),
            self.user_24h,
            self.app_24h,
        ]
        .into_iter()
        .flatten()
        .filter(|q| q.remaining == 0)
        .map(|q| q.reset)
        .max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn parses_main_and_24_hour_windows() {
        let h = headers(&[
            ("x-rate-limit-limit", "15"),
            ("x-rate-limit-remaining", "3"),
            ("x-rate-limit-reset", "1666920203"),
            ("x-user-limit-24hour-limit", "1440"),
            ("x-user-limit-24hour-remaining", "0"),
            ("x-user-limit-24hour-reset", "1666990000"),
            ("x-app-limit-24hour-limit", "15000"),
            ("x-app-limit-24hour-remaining", "14000"),
            ("x-app-limit-24hour-reset", "1666990001"),
        ]);
        let rl = RateLimit::from_headers(&h).unwrap();
        assert_eq!(rl.limit, 15);
        assert_eq!(rl.remaining, 3);
        assert_eq!(rl.reset, 1666920203);
        assert_eq!(rl.user_24h, Some(Quota::new(1440, 0, 1666990000)));
        assert_eq!(rl.app_24h, Some(Quota::new(15000, 14000, 1666990001)));
        assert_eq!(rl.exhausted_until(), Some(1666990000));
    }

    #[test]
    fn missing_or_malformed_headers_give_none() {
        assert_eq!(RateLimit::from_headers(&HeaderMap::new()), None);
        let h = headers(&[
            ("x-rate-limit-limit", "15"),
            ("x-rate-limit-remaining", "-1"),
            ("x-rate-limit-reset", "1666920203"),
        ]);
        assert_eq!(RateLimit::from_headers(&h), None);
    }

    #[test]
    fn partial_24_hour_headers_are_ignored() {
        let h = headers(&[
            ("x-rate-limit-limit", "15"),
            ("x-rate-limit-remaining", "0"),
            ("x-rate-limit-reset", "100"),
            ("x-app-limit-24hour-limit", "1"),
        ]);
        let rl = RateLimit::from_headers(&h).unwrap();
        assert_eq!(rl.app_24h, None);
        assert_eq!(rl.exhausted_until(), Some(100));
    }
}
