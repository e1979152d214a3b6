//! Validated string identifiers (§4 of the reference): [`UserId`], [`DmEventId`], [`TweetId`],
//! [`MediaId`], [`MediaKey`], [`DmResourceId`]. [`DmConversationId`](crate::DmConversationId)
//! lives in its own module.
//!
//! Every id is a string on the wire and in memory; parsing and deserializing validate the spec
//! pattern, so a value of one of these types is always well-formed.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::fields::truncate;

/// A string that does not match an id's pattern.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind} `{value}`: expected a string matching {pattern}")]
#[non_exhaustive]
pub struct IdError {
    /// The id type, e.g. `UserId`.
    pub kind: &'static str,
    /// The rejected value (truncated to 40 characters).
    pub value: String,
    /// The spec pattern the value must match.
    pub pattern: &'static str,
}

impl IdError {
    pub(crate) fn new(kind: &'static str, value: &str, pattern: &'static str) -> Self {
        IdError {
            kind,
            value: truncate(value, 40),
            pattern,
        }
    }
}

/// `^[0-9]{min,max}$`
pub(crate) fn is_digits(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// How an id keeps its (already validated) text.
pub(crate) trait Storage: Sized {
    fn from_valid_str(s: &str) -> Self;
    fn from_valid_string(s: String) -> Self;
    fn text(&self) -> &str;
    fn into_text(self) -> String;
}

impl Storage for String {
    fn from_valid_str(s: &str) -> Self {
        s.to_owned()
    }
    fn from_valid_string(s: String) -> Self {
        s
    }
    fn text(&self) -> &str {
        self
    }
    fn into_text(self) -> String {
        self
    }
}

/// Up to `N` ASCII bytes kept inline: an id costs no allocation (pages hold hundreds).
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct Inline<const N: usize> {
    len: u8,
    buf: [u8; N],
}

/// A numeric id: up to 19 digits.
pub(crate) type Digits = Inline<19>;

impl<const N: usize> Storage for Inline<N> {
    fn from_valid_str(s: &str) -> Self {
        const { assert!(N < 256, "the length is kept in a u8") };
        let mut buf = [0u8; N];
        // Validated ids fit: N is the longest match of the id's pattern.
        let len = s.len().min(N);
        buf[..len].copy_from_slice(&s.as_bytes()[..len]);
        Inline {
            len: len as u8,
            buf,
        }
    }
    fn from_valid_string(s: String) -> Self {
        Self::from_valid_str(&s)
    }
    fn text(&self) -> &str {
        // Only ASCII digits and `-` are ever stored, so this never falls back.
        std::str::from_utf8(&self.buf[..usize::from(self.len)]).unwrap_or("")
    }
    fn into_text(self) -> String {
        self.text().to_owned()
    }
}

impl Digits {
    fn value(&self) -> u64 {
        self.buf[..usize::from(self.len)].iter().fold(0u64, |n, d| {
            n.wrapping_mul(10).wrapping_add(u64::from(d - b'0'))
        })
    }
}

/// Implements parsing, display, ordering and serde for a `struct $name(String)` whose
/// validity is decided by `$valid`.
macro_rules! string_id {
    ($name:ident, $pattern:literal, $valid:expr) => {
        $crate::ids::string_id!($name, $pattern, $valid, decode: $valid);
    };
    // `decode`: what a response may carry, when a server may be laxer than the pattern.
    ($name:ident, $pattern:literal, $valid:expr, decode: $wire:expr) => {
        impl $name {
            /// The spec pattern every value matches.
            pub const PATTERN: &'static str = $pattern;

            /// Validates `s` against [`Self::PATTERN`].
            ///
            /// # Errors
            ///
            /// [`IdError`] when `s` does not match the pattern.
            pub fn parse(s: &str) -> Result<Self, IdError> {
                Self::try_from(s)
            }

            /// The id as sent on the wire.
            pub fn as_str(&self) -> &str {
                Storage::text(&self.0)
            }

            /// Consumes the id, returning its string.
            pub fn into_string(self) -> String {
                Storage::into_text(self.0)
            }

            fn is_valid(s: &str) -> bool {
                let f: fn(&str) -> bool = $valid;
                f(s)
            }

            fn is_valid_on_the_wire(s: &str) -> bool {
                let f: fn(&str) -> bool = $wire;
                f(s)
            }

            fn from_wire<E: serde::de::Error>(s: &str) -> Result<Self, E> {
                if Self::is_valid_on_the_wire(s) {
                    Ok($name(Storage::from_valid_str(s)))
                } else {
                    Err(E::custom(IdError::new(stringify!($name), s, $pattern)))
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                if Self::is_valid(&s) {
                    Ok($name(Storage::from_valid_string(s)))
                } else {
                    Err(IdError::new(stringify!($name), &s, $pattern))
                }
            }
        }

        impl TryFrom<&str> for $name {
            type Error = IdError;
            fn try_from(s: &str) -> Result<Self, IdError> {
                if Self::is_valid(s) {
                    Ok($name(Storage::from_valid_str(s)))
                } else {
                    Err(IdError::new(stringify!($name), s, $pattern))
                }
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::try_from(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.as_str())
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.into_string()
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V;
                impl serde::de::Visitor<'_> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        write!(f, "a {} string matching {}", stringify!($name), $pattern)
                    }
                    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<$name, E> {
                        $name::from_wire(s)
                    }
                }
                deserializer.deserialize_str(V)
            }
        }
    };
}

/// A numeric id (`^[0-9]{1,19}$`): ordered numerically, which for X's snowflake ids is
/// chronological.
macro_rules! numeric_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub struct $name(Digits);

        string_id!($name, "^[0-9]{1,19}$", |s| is_digits(s, 1, 19));

        impl $name {
            /// The id as a number (every valid id fits: 19 digits < 2^64).
            pub fn as_u64(&self) -> u64 {
                self.0.value()
            }
        }

        impl TryFrom<u64> for $name {
            type Error = IdError;
            /// Fails only for numbers with 20 digits (≥ 10^19), which the pattern excludes.
            fn try_from(n: u64) -> Result<Self, IdError> {
                Self::try_from(n.to_string())
            }
        }

        impl Ord for $name {
            fn cmp(&self, other: &Self) -> Ordering {
                self.as_u64()
                    .cmp(&other.as_u64())
                    .then_with(|| self.as_str().cmp(other.as_str()))
            }
        }

        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }
    };
}

numeric_id!(
    /// A user id (`UserId`, `^[0-9]{1,19}$`), e.g. `"2244994945"`.
    UserId
);
numeric_id!(
    /// A DM event id (`DmEventId`, `^[0-9]{1,19}$`), e.g. `"1146654567674912769"`.
    DmEventId
);
numeric_id!(
    /// A Tweet (Post) id (`TweetId`, `^[0-9]{1,19}$`), e.g. `"1346889436626259968"`.
    TweetId
);
numeric_id!(
    /// An uploaded media id (`MediaId`, `^[0-9]{1,19}$`), as used in message attachments.
    MediaId
);
numeric_id!(
    /// A registered webhook's id (`WebhookConfigId`, `^[0-9]{1,19}$`), e.g. `"1234567890"`.
    WebhookConfigId
);
numeric_id!(
    /// An X Activity API subscription id (`^[0-9]{1,19}$`; the spec gives the pattern inline,
    /// without a schema name).
    ActivitySubscriptionId
);

/// A media key (`MediaKey`, `^([0-9]+)_([0-9]+)$`), e.g. `"5_1583157113245011970"`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MediaKey(String);

string_id!(
    MediaKey,
    "^([0-9]+)_([0-9]+)$",
    |s| match s.split_once('_') {
        Some((a, b)) => is_digits(a, 1, usize::MAX) && is_digits(b, 1, usize::MAX),
        None => false,
    }
);

impl MediaKey {
    /// The numeric part after the `_` (for DM attachments, the uploaded media id digits).
    pub fn media_id_part(&self) -> &str {
        self.0.split_once('_').map_or("", |(_, b)| b)
    }
}

/// A media resource id for the legacy media download (`DmResourceId`,
/// `^[a-zA-Z0-9_.-]{1,50}$`), e.g. `"tJg5kUG5RKPi3jNi.jpg"`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DmResourceId(String);

string_id!(DmResourceId, "^[a-zA-Z0-9_.-]{1,50}$", |s| {
    (1..=50).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
});

pub(crate) use string_id;
