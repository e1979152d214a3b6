//! Snowflake ids and RFC 3339 timestamps.
//!
//! Event ids are snowflakes: the top bits are milliseconds since the Twitter epoch, so an
//! event's `created_at` is derived from its id and never stored.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The Twitter snowflake epoch in Unix milliseconds.
pub const TWITTER_EPOCH_MS: i64 = 1_288_834_974_657;

/// The default fixed clock of generated datasets: 2026-11-01T00:00:00Z in Unix milliseconds.
pub const DEFAULT_NOW_MS: i64 = 1_793_491_200_000;

/// One day in milliseconds.
pub const DAY_MS: i64 = 86_400_000;

/// The Unix milliseconds encoded in a snowflake id.
pub fn snowflake_ms(id: u64) -> i64 {
    (id >> 22) as i64 + TWITTER_EPOCH_MS
}

/// The smallest snowflake id created at or after `ms`.
pub fn snowflake_floor(ms: i64) -> u64 {
    let delta = (ms - TWITTER_EPOCH_MS).max(0) as u64;
    delta << 22
}

/// Formats Unix milliseconds like the API: `2022-10-19T20:58:00.000Z`.
pub fn format_ms(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    match OffsetDateTime::from_unix_timestamp(secs) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            millis
        ),
        Err(_) => "1970-01-01T00:00:00.000Z".to_owned(),
    }
}

/// Parses an RFC 3339 timestamp into Unix milliseconds.
pub fn parse_ms(s: &str) -> Option<i64> {
    let t = OffsetDateTime::parse(s, &Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

/// A small deterministic PRNG (SplitMix64): same seed, same dataset, on every platform.
#[derive(Clone, Debug)]
pub struct SplitMix(u64);

impl SplitMix {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// A value in `0..n` (`0` when `n == 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// True with probability `percent / 100`.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// The SplitMix64 finaliser: a good 64-bit hash of one word.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snowflake_time_matches_the_reference_example() {
        // 1585047616894574596 was created at 2022-10-25T23:16:15.000Z (reference §9.3).
        let ms = snowflake_ms(1_585_047_616_894_574_596);
        assert_eq!(&format_ms(ms)[..19], "2022-10-25T23:16:15");
    }

    #[test]
    fn format_and_parse_round_trip() {
        assert_eq!(format_ms(DEFAULT_NOW_MS), "2026-11-01T00:00:00.000Z");
        assert_eq!(parse_ms("2026-11-01T00:00:00.000Z"), Some(DEFAULT_NOW_MS));
        assert_eq!(parse_ms("garbage"), None);
    }
}
