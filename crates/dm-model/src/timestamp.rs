//! [`Timestamp`]: an RFC 3339 instant that re-encodes exactly as received.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::fields::truncate;

/// An RFC 3339 timestamp such as `2022-10-19T20:58:00.000Z`.
///
/// Keeps the string it was parsed from, so serializing writes back exactly what was received
/// (`.000Z` stays `.000Z`). Equality, ordering and hashing use the instant.
#[derive(Clone)]
pub struct Timestamp {
    original: Spelling,
    instant: OffsetDateTime,
}

/// The string a timestamp was read from: the API's own 24-byte spelling inline (no
/// allocation: a page holds hundreds), anything else boxed.
#[derive(Clone)]
enum Spelling {
    Api([u8; 24]),
    Other(Box<str>),
}

impl Spelling {
    fn new(s: &str) -> Self {
        match <[u8; 24]>::try_from(s.as_bytes()) {
            Ok(bytes) if bytes.is_ascii() => Spelling::Api(bytes),
            _ => Spelling::Other(s.into()),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            // Only ASCII is stored inline, so this never falls back.
            Spelling::Api(bytes) => std::str::from_utf8(bytes).unwrap_or(""),
            Spelling::Other(s) => s,
        }
    }
}

/// Reads the API's own spelling, `YYYY-MM-DDTHH:MM:SS.mmmZ`, without the general RFC 3339
/// parser; `None` for anything else (which the general parser then reads).
fn parse_api_spelling(s: &str) -> Option<OffsetDateTime> {
    let b: &[u8; 24] = s.as_bytes().try_into().ok()?;
    let punctuation = [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'.'),
        (23, b'Z'),
    ];
    if punctuation.iter().any(|&(i, c)| b[i] != c) {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u16> {
        b[from..to].iter().try_fold(0u16, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u16::from(d - b'0'))
        })
    };
    let month = time::Month::try_from(u8::try_from(num(5, 7)?).ok()?).ok()?;
    let date =
        time::Date::from_calendar_date(i32::from(num(0, 4)?), month, num(8, 10)? as u8).ok()?;
    let time = time::Time::from_hms_milli(
        num(11, 13)? as u8,
        num(14, 16)? as u8,
        num(17, 19)? as u8,
        num(20, 23)?,
    )
    .ok()?;
    Some(date.with_time(time).assume_utc())
}

/// A string that is not an RFC 3339 timestamp.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid timestamp `{value}`: expected RFC 3339, e.g. 2022-10-19T20:58:00.000Z")]
#[non_exhaustive]
pub struct TimestampError {
    /// The rejected value (truncated to 40 characters).
    pub value: String,
}

impl Timestamp {
    /// Parses an RFC 3339 timestamp, keeping its spelling.
    ///
    /// # Errors
    ///
    /// [`TimestampError`] when `s` is not RFC 3339.
    pub fn parse(s: &str) -> Result<Self, TimestampError> {
        match parse_api_spelling(s).map_or_else(|| OffsetDateTime::parse(s, &Rfc3339), Ok) {
            Ok(instant) => Ok(Timestamp {
                original: Spelling::new(s),
                instant,
            }),
            Err(_) => Err(TimestampError {
                value: truncate(s, 40),
            }),
        }
    }

    /// The timestamp of `instant`, written in the API's style (UTC, milliseconds, `Z`).
    pub fn from_datetime(instant: OffsetDateTime) -> Self {
        let utc = instant.to_offset(time::UtcOffset::UTC);
        let original = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            utc.year(),
            u8::from(utc.month()),
            utc.day(),
            utc.hour(),
            utc.minute(),
            utc.second(),
            utc.millisecond()
        );
        Timestamp {
            original: Spelling::new(&original),
            instant,
        }
    }

    /// The instant.
    pub fn datetime(&self) -> OffsetDateTime {
        self.instant
    }

    /// Seconds since the Unix epoch.
    pub fn unix_timestamp(&self) -> i64 {
        self.instant.unix_timestamp()
    }

    /// The string as received.
    pub fn as_str(&self) -> &str {
        self.original.as_str()
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;
    fn from_str(s: &str) -> Result<Self, TimestampError> {
        Timestamp::parse(s)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({:?})", self.as_str())
    }
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.instant == other.instant
    }
}

impl Eq for Timestamp {}

impl Hash for Timestamp {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.instant.hash(state)
    }
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        self.instant.cmp(&other.instant)
    }
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl From<OffsetDateTime> for Timestamp {
    fn from(instant: OffsetDateTime) -> Self {
        Timestamp::from_datetime(instant)
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 timestamp string")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Timestamp, E> {
                Timestamp::parse(s).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_path_agrees_with_the_rfc3339_parser() {
        for s in [
            "2022-10-19T20:58:00.000Z",
            "1970-01-01T00:00:00.000Z",
            "2024-02-29T23:59:59.999Z",
            "2026-11-25T12:07:57.123Z",
        ] {
            let fast = parse_api_spelling(s).expect("the API's spelling");
            assert_eq!(Some(fast), OffsetDateTime::parse(s, &Rfc3339).ok(), "{s}");
            assert_eq!(Timestamp::parse(s).unwrap().as_str(), s);
        }
    }

    #[test]
    fn other_spellings_and_bad_values_go_to_the_general_parser() {
        for s in [
            "2022-10-19T20:58:00Z",
            "2022-10-19T20:58:00.000+02:00",
            "2022-10-19t20:58:00.000z",
            "2022-10-19T20:58:00.123456Z",
        ] {
            assert_eq!(parse_api_spelling(s), None, "{s}");
            let t = Timestamp::parse(s).unwrap();
            assert_eq!(t.as_str(), s, "kept as received");
            assert_eq!(t.datetime(), OffsetDateTime::parse(s, &Rfc3339).unwrap());
        }
        for bad in [
            "2022-02-30T00:00:00.000Z",
            "2022-13-01T00:00:00.000Z",
            "2022-10-19T24:00:00.000Z",
            "2022-1a-19T20:58:00.000Z",
            "x",
        ] {
            assert_eq!(parse_api_spelling(bad), None, "{bad}");
            assert_eq!(
                Timestamp::parse(bad).is_ok(),
                OffsetDateTime::parse(bad, &Rfc3339).is_ok(),
                "{bad}"
            );
        }
    }
}
