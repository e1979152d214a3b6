//! Hand-written behaviour of the generated open enums ([`DmEventField`], [`Expansion`],
//! [`UserField`], [`TweetField`], [`MediaField`], [`EventType`], [`WebhookConfigField`], and
//! the X Chat ones):
//! parsing, display and serde.

use std::fmt;
use std::str::FromStr;

pub use crate::generated::fields::{
    ChatConversationExpansion, ChatConversationField, ChatMessageEventField, DmEventField,
    EventType, Expansion, MediaField, PublicKeyField, TweetField, UserField, WebhookConfigField,
};

/// A string that is not one of the values the spec lists for a parameter.
///
/// Returned by the `FromStr` impls of the field enums, which accept only known values. Use the
/// enum's `other(..)` constructor to send a value the spec does not list yet.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {param} value `{value}`; expected one of: {}", allowed.join(", "))]
#[non_exhaustive]
pub struct UnknownValue {
    /// The query parameter, e.g. `dm_event.fields`.
    pub param: &'static str,
    /// The rejected value (truncated to 64 characters).
    pub value: String,
    /// Every value the spec lists for `param`, in spec order.
    pub allowed: Vec<&'static str>,
}

/// Truncates untrusted input for use in an error message.
pub(crate) fn truncate(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

macro_rules! open_enum_impls {
    ($($name:ident),* $(,)?) => {$(
        impl $name {
            /// The value spelled `s` on the wire: its known variant, or `Other(s)` (the escape
            /// hatch for values the spec does not list yet).
            pub fn other(s: impl Into<String>) -> Self {
                let s = s.into();
                Self::from_known(&s).unwrap_or(Self::Other(s))
            }

            /// Whether this is a value the spec lists (not [`Self::Other`]).
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Other(_))
            }

            fn known_strs() -> Vec<&'static str> {
                // `ALL` is `'static`, so the strings of its entries are too.
                Self::ALL.iter().map(|v| v.as_str()).collect()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;

            /// Accepts only the values the spec lists.
            fn from_str(s: &str) -> Result<Self, UnknownValue> {
                Self::from_known(s).ok_or_else(|| UnknownValue {
                    param: Self::PARAM,
                    value: truncate(s, 64),
                    allowed: Self::known_strs(),
                })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            /// Accepts any string: unknown values become [`Self::Other`].
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V;
                impl serde::de::Visitor<'_> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        write!(f, "a `{}` value (string)", $name::PARAM)
                    }
                    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<$name, E> {
                        Ok($name::from_known(s).unwrap_or_else(|| $name::Other(s.to_owned())))
                    }
                }
                deserializer.deserialize_str(V)
            }
        }
    )*};
}

open_enum_impls!(
    DmEventField,
    Expansion,
    UserField,
    TweetField,
    MediaField,
    EventType,
    WebhookConfigField,
    ChatMessageEventField,
    ChatConversationField,
    ChatConversationExpansion,
    PublicKeyField
);
