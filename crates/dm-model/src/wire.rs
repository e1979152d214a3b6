//! The machinery behind every wire object: a `Deserialize` visitor that reads known members into
//! typed fields and every other member straight into an `extra` map (no buffering through
//! `#[serde(flatten)]`), and a `Serialize` that writes them back, so decode → encode yields the
//! same JSON value.
//!
//! Values the typed field cannot represent (an explicit `null`, an empty array) are kept in
//! `extra` under their key, and a member received under an alias (`referenced_posts`) is
//! re-encoded under that spelling.

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, MapAccess};
use serde_json::Value;

/// How one typed member is read and written.
pub(crate) trait WireField: Sized {
    /// Reads the value of a present member. The second element is the raw JSON to keep in
    /// `extra` because the typed value cannot represent it (`null`, `[]`).
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(Self, Option<Value>), A::Error>;
    /// The value when the member is absent; `None` when the member is required.
    fn absent() -> Option<Self>;
    /// Whether the member is written on serialization.
    fn present(&self) -> bool;
}

impl<T: DeserializeOwned> WireField for Option<T> {
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(Self, Option<Value>), A::Error> {
        let v: Option<T> = map.next_value()?;
        let raw = v.is_none().then_some(Value::Null);
        Ok((v, raw))
    }
    fn absent() -> Option<Self> {
        Some(None)
    }
    fn present(&self) -> bool {
        self.is_some()
    }
}

impl<T: DeserializeOwned> WireField for Vec<T> {
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(Self, Option<Value>), A::Error> {
        Ok(match map.next_value::<Option<Vec<T>>>()? {
            None => (Vec::new(), Some(Value::Null)),
            Some(v) if v.is_empty() => (v, Some(Value::Array(Vec::new()))),
            Some(v) => (v, None),
        })
    }
    fn absent() -> Option<Self> {
        Some(Vec::new())
    }
    fn present(&self) -> bool {
        !self.is_empty()
    }
}

/// Required members: the key must be present.
macro_rules! required_field {
    ($($ty:ty),* $(,)?) => {$(
        impl WireField for $ty {
            fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(Self, Option<Value>), A::Error> {
                Ok((map.next_value()?, None))
            }
            fn absent() -> Option<Self> {
                None
            }
            fn present(&self) -> bool {
                true
            }
        }
    )*};
}

required_field!(
    String,
    crate::DmEventId,
    crate::UserId,
    crate::TweetId,
    crate::DmConversationId,
    crate::MediaKey,
    crate::MediaId,
);

/// `event_type` is required by SPEC 2.166 but not by SPEC-167 (and the reference's partial-error
/// example omits it): an absent (or `null`) type reads as `Other("")` and is not written back.
impl WireField for crate::EventType {
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(Self, Option<Value>), A::Error> {
        // `null` reads like an absent type (and is written back as `null`).
        Ok(match map.next_value::<Option<crate::EventType>>()? {
            None => (crate::EventType::Other(String::new()), Some(Value::Null)),
            Some(v) => {
                let raw = (!v.present()).then(|| Value::String(String::new()));
                (v, raw)
            }
        })
    }
    fn absent() -> Option<Self> {
        Some(crate::EventType::Other(String::new()))
    }
    fn present(&self) -> bool {
        !matches!(self, crate::EventType::Other(s) if s.is_empty())
    }
}

/// A map key, borrowed from the input when it has no escapes.
pub(crate) enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            Key::Owned(s) => s,
        }
    }
    pub(crate) fn into_string(self) -> String {
        match self {
            Key::Borrowed(s) => s.to_owned(),
            Key::Owned(s) => s,
        }
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(s))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(s.to_owned()))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Key<'de>, E> {
                Ok(Key::Owned(s))
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// The positions of `keys` in sorted (byte) order: the order a wire object writes its
/// typed members in.
pub(crate) const fn key_order<const N: usize>(keys: &[&str]) -> [usize; N] {
    let mut order = [0usize; N];
    let mut i = 0;
    while i < N {
        order[i] = i;
        i += 1;
    }
    // Insertion sort (a few dozen keys at most, at compile time).
    let mut i = 1;
    while i < N {
        let mut j = i;
        while j > 0 && key_less(keys[order[j]], keys[order[j - 1]]) {
            let t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
            j -= 1;
        }
        i += 1;
    }
    order
}

const fn key_less(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut i = 0;
    while i < a.len() && i < b.len() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
        i += 1;
    }
    a.len() < b.len()
}

/// Which members were received under an alias spelling (usually none: no allocation).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Aliased(Vec<&'static str>);

impl Aliased {
    /// The key to write `primary` under: its alias when that is how it was received.
    pub(crate) fn key(&self, primary: &'static str, aliases: &[&'static str]) -> &'static str {
        match aliases.first() {
            Some(alias) if self.0.contains(&primary) => alias,
            _ => primary,
        }
    }
    /// Marks `primary` as received (or not) under its alias.
    #[inline]
    pub(crate) fn set(&mut self, primary: &'static str, aliased: bool) {
        if self.0.is_empty() && !aliased {
            // The common case: nothing was received under an alias.
            return;
        }
        self.0.retain(|k| *k != primary);
        if aliased {
            self.0.push(primary);
        }
    }
}

/// Defines a wire object: a struct of typed members plus `extra`, with the serde impls above.
macro_rules! wire_object {
    (
        #[default]
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                pub $field:ident : $ty:ty = $key:literal $(| $alias:literal)? $(=> $reader:path)?
            ),* $(,)?
        }
    ) => {
        $crate::wire::wire_object! {
            $(#[$meta])*
            pub struct $name {
                $( $(#[$fmeta])* pub $field: $ty = $key $(| $alias)? $(=> $reader)?, )*
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name {
                    $( $field: Default::default(), )*
                    extra: serde_json::Map::new(),
                    aliased: Default::default(),
                }
            }
        }
    };
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                pub $field:ident : $ty:ty = $key:literal $(| $alias:literal)? $(=> $reader:path)?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
            /// Members this version does not model, kept verbatim so that re-encoding loses
            /// nothing (also explicit `null`s and empty arrays of modelled members).
            pub extra: serde_json::Map<String, serde_json::Value>,
            #[allow(dead_code)]
            aliased: $crate::wire::Aliased,
        }

        impl $name {
            /// Whether member `key` is written from a typed field (so `extra` must not repeat it).
            /// A second spelling of a member (both `tweets` and `posts`) stays in `extra`.
            fn __written(&self, key: &str) -> bool {
                match key {
                    $(
                        $key $(| $alias)? => $crate::wire::WireField::present(&self.$field)
                            && key == self.aliased.key($key, &[$($alias)?]),
                    )*
                    _ => false,
                }
            }
        }

        impl serde::Serialize for $name {
            /// Members in key order (the typed ones by their key, merged with `extra`, which
            /// is a sorted map): the order a `serde_json::Value` object keeps, so the text
            /// is the `Value`'s text without sorting (see [`crate::record`]).
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                const KEYS: &[&str] = &[$($key),*];
                const ORDER: [usize; KEYS.len()] = $crate::wire::key_order::<{ KEYS.len() }>(KEYS);
                type Extras<'x> = std::iter::Peekable<serde_json::map::Iter<'x>>;
                let mut map = serializer.serialize_map(None)?;
                let mut extras: Extras<'_> = self.extra.iter().peekable();
                // Writes the members of `extra` that sort before `key` (all with `None`).
                let mut extras_before = |map: &mut S::SerializeMap,
                                         extras: &mut Extras<'_>,
                                         key: Option<&str>|
                 -> Result<(), S::Error> {
                    while let Some((k, v)) = extras.next_if(|(k, _)| key.is_none_or(|key| k.as_str() < key)) {
                        if !self.__written(k) {
                            map.serialize_entry(k, v)?;
                        }
                    }
                    Ok(())
                };
                let fields: [&dyn Fn(&mut S::SerializeMap, &mut Extras<'_>, &mut dyn FnMut(&mut S::SerializeMap, &mut Extras<'_>, Option<&str>) -> Result<(), S::Error>) -> Result<(), S::Error>; KEYS.len()] = [$(
                    &|map, extras, before| {
                        if $crate::wire::WireField::present(&self.$field) {
                            let key = self.aliased.key($key, &[$($alias)?]);
                            before(map, extras, Some(key))?;
                            map.serialize_entry(key, &self.$field)?;
                        }
                        Ok(())
                    },
                )*];
                for i in ORDER {
                    fields[i](&mut map, &mut extras, &mut extras_before)?;
                }
                extras_before(&mut map, &mut extras, None)?;
                map.end()
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl<'de> serde::de::Visitor<'de> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " object"))
                    }
                    #[allow(unused_mut)]
                    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut __map: A) -> Result<$name, A::Error> {
                        $( let mut $field: Option<$ty> = None; )*
                        let mut __extra = serde_json::Map::new();
                        let mut __aliased = $crate::wire::Aliased::default();
                        while let Some(__key) = __map.next_key::<$crate::wire::Key<'de>>()? {
                            match __key.as_str() {
                                $(
                                    // A member seen twice (a repeated key, or both spellings)
                                    // keeps its first value typed and the later one verbatim
                                    // in `extra`: nothing is dropped.
                                    $key $(| $alias)? if $field.is_some() => {
                                        let v: serde_json::Value = __map.next_value()?;
                                        __extra.insert(__key.into_string(), v);
                                    }
                                    $key $(| $alias)? => {
                                        let (v, raw) = $crate::wire::read_member!($ty, __map $(, $reader)?)?;
                                        $field = Some(v);
                                        let aliased = false $(|| __key.as_str() == $alias)?;
                                        __aliased.set($key, aliased);
                                        if let Some(raw) = raw {
                                            __extra.insert(__key.into_string(), raw);
                                        }
                                    }
                                )*
                                _ => {
                                    let v: serde_json::Value = __map.next_value()?;
                                    __extra.insert(__key.into_string(), v);
                                }
                            }
                        }
                        Ok($name {
                            $(
                                $field: match $field {
                                    Some(v) => v,
                                    None => <$ty as $crate::wire::WireField>::absent()
                                        .ok_or_else(|| <A::Error as serde::de::Error>::missing_field($key))?,
                                },
                            )*
                            extra: __extra,
                            aliased: __aliased,
                        })
                    }
                }
                deserializer.deserialize_map(Visitor)
            }
        }
    };
}

/// Reads one member's value: with the field type's [`WireField`] impl, or with a reader
/// function `fn(&mut A) -> Result<(T, Option<Value>), A::Error>` named in the definition.
macro_rules! read_member {
    ($ty:ty, $map:ident) => {
        <$ty as $crate::wire::WireField>::read(&mut $map)
    };
    ($ty:ty, $map:ident, $reader:path) => {
        $reader(&mut $map)
    };
}

pub(crate) use {read_member, wire_object};
