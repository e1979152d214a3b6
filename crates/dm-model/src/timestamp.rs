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
    original: Box<str>,
    instant: OffsetDateTime,
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
        match OffsetDateTime::parse(s, &Rfc3339) {
            Ok(instant) => Ok(Timestamp {
                original: s.into(),
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
            original: original.into(),
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
        &self.original
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
        f.write_str(&self.original)
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({:?})", &*self.original)
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
        serializer.serialize_str(&self.original)
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
