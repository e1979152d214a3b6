//! [`ValueList`]: a validated, duplicate-free, canonically ordered list-parameter value.

use std::fmt::Debug;
use std::hash::Hash;

use dm_model::{
    DmEventField, EventType, Expansion, MediaField, TweetField, UserField, WebhookConfigField,
};

use crate::encode::truncate;
use crate::error::QueryError;

/// What the list parameters need from the `dm-model` open enums.
pub(crate) trait QueryValue: Clone + Debug + Eq + Hash + 'static {
    /// The query parameter, e.g. `dm_event.fields`.
    const PARAM: &'static str;
    /// Every known value, in spec order.
    fn all() -> &'static [Self];
    /// The wire string.
    fn wire(&self) -> &str;
    /// The value spelled `s`: known variant or `Other`.
    fn from_wire(s: &str) -> Self;

    /// Every known wire string, in spec order (for error messages).
    fn allowed() -> Vec<&'static str> {
        Self::all().iter().map(Self::wire).collect()
    }
}

macro_rules! query_value {
    ($($ty:ty),*) => {$(
        impl QueryValue for $ty {
            const PARAM: &'static str = <$ty>::PARAM;
            fn all() -> &'static [Self] {
                <$ty>::ALL
            }
            fn wire(&self) -> &str {
                self.as_str()
            }
            fn from_wire(s: &str) -> Self {
                <$ty>::other(s)
            }
        }
    )*};
}

query_value!(
    DmEventField,
    Expansion,
    UserField,
    TweetField,
    MediaField,
    EventType,
    WebhookConfigField
);

/// Whether `s` can be sent as one list item: a non-empty name of ASCII letters, digits, `_`
/// and `.` (every value the spec lists has this shape).
fn is_sendable(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
}

/// A non-empty list of distinct values in canonical order: known values in spec order, then
/// escape-hatch values by their wire string.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct ValueList<T>(Vec<T>);

impl<T: QueryValue> ValueList<T> {
    /// Validates and orders `values`.
    pub(crate) fn new(values: impl IntoIterator<Item = T>) -> Result<Self, QueryError> {
        let mut list: Vec<T> = Vec::new();
        for value in values {
            // Normalise `Other("id")` (built by hand) to its known variant.
            let value = if T::all().contains(&value) {
                value
            } else {
                let wire = value.wire();
                if !is_sendable(wire) {
                    return Err(QueryError::InvalidValue {
                        param: T::PARAM,
                        value: truncate(wire, 64),
                    });
                }
                T::from_wire(wire)
            };
            if list.contains(&value) {
                return Err(QueryError::DuplicateValue {
                    param: T::PARAM,
                    value: value.wire().to_owned(),
                });
            }
            list.push(value);
        }
        if list.is_empty() {
            return Err(QueryError::EmptyList {
                param: T::PARAM,
                allowed: T::allowed(),
            });
        }
        list.sort_by(|a, b| rank(a).cmp(&rank(b)));
        Ok(ValueList(list))
    }

    /// Every known value.
    pub(crate) fn all() -> Self {
        ValueList(T::all().to_vec())
    }

    /// Every known value but those [`FieldsQuery::PRIVATE_FIELDS`](crate::FieldsQuery::PRIVATE_FIELDS)
    /// names for this parameter.
    pub(crate) fn public() -> Self {
        let private = |v: &T| {
            crate::FieldsQuery::PRIVATE_FIELDS
                .iter()
                .any(|(param, wire)| *param == T::PARAM && *wire == v.wire())
        };
        ValueList(T::all().iter().filter(|v| !private(v)).cloned().collect())
    }

    /// Parses a comma-separated, already percent-decoded value. Empty items (a trailing
    /// comma) are skipped. With `strict`, values the spec does not list are refused.
    pub(crate) fn parse(s: &str, strict: bool) -> Result<Self, QueryError> {
        let mut values = Vec::new();
        for item in s.split(',').filter(|i| !i.is_empty()) {
            let value = T::from_wire(item);
            if strict && !T::all().contains(&value) {
                return Err(QueryError::UnknownValue {
                    param: T::PARAM,
                    value: truncate(item, 64),
                    allowed: T::allowed(),
                });
            }
            values.push(value);
        }
        Self::new(values)
    }

    /// The values, in canonical order.
    pub(crate) fn as_slice(&self) -> &[T] {
        &self.0
    }

    /// Whether `value` is in the list.
    pub(crate) fn contains(&self, value: &T) -> bool {
        self.0.contains(value)
    }

    /// Appends `PARAM=a,b,c` to `out` (with a leading `&` unless `out` is empty).
    pub(crate) fn encode(&self, out: &mut String) {
        push_key(out, T::PARAM);
        for (i, v) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            // Known values and validated escape-hatch values are all unreserved characters.
            out.push_str(v.wire());
        }
    }
}

/// Appends `key=` to `out`, with a leading `&` unless `out` is empty.
pub(crate) fn push_key(out: &mut String, key: &str) {
    if !out.is_empty() {
        out.push('&');
    }
    out.push_str(key);
    out.push('=');
}

/// Canonical sort key: known values by spec position, then unknown ones by wire string.
fn rank<T: QueryValue>(v: &T) -> (usize, &str) {
    match T::all().iter().position(|k| k == v) {
        Some(i) => (i, ""),
        None => (usize::MAX, v.wire()),
    }
}
