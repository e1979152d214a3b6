//! Error bodies: [`Problem`] (RFC 7807 problem details, and the legacy `{code, message}` shape),
//! [`ProblemKind`], and [`parse_error_body`].

use std::fmt;

use serde_json::Value;

use crate::wire::wire_object;

wire_object! {
    #[default]
    /// An error object: an RFC 7807 problem (`type`, `title`, `detail`, `status` plus
    /// type-specific members kept in `extra`), or a legacy `{"code", "message"}` error.
    ///
    /// Appears as the whole body of a failed request and in the `errors` array beside `data`
    /// (partial errors). See [`Problem::kind`].
    pub struct Problem {
        /// The problem type URI (`about:blank` or `https://api.x.com/2/problems/...`).
        pub r#type: Option<String> = "type",
        /// A short summary, e.g. `Invalid Request`.
        pub title: Option<String> = "title",
        /// A human-readable explanation.
        pub detail: Option<String> = "detail",
        /// The HTTP status code, when the server repeats it in the body as an integer (any
        /// other form, e.g. `"403"`, is kept verbatim in `extra` and reads as `None`).
        pub status: Option<u16> = "status" => read_status,
    }
}

/// Reads `status` leniently: an integer in range is typed; anything else (a string, a
/// float, an out-of-range number) is kept verbatim instead of failing the whole body.
fn read_status<'de, A: serde::de::MapAccess<'de>>(
    map: &mut A,
) -> Result<(Option<u16>, Option<Value>), A::Error> {
    let v: Value = map.next_value()?;
    match v.as_u64().and_then(|n| u16::try_from(n).ok()) {
        Some(n) => Ok((Some(n), None)),
        None => Ok((None, Some(v))),
    }
}

/// What a [`Problem`] is about, from the suffix of its `type` after `/2/problems/` (any host,
/// case-insensitive).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProblemKind {
    /// `about:blank` (or no `type`): nothing beyond the HTTP status.
    Generic,
    /// `invalid-request`.
    InvalidRequest,
    /// `resource-not-found`.
    ResourceNotFound,
    /// `not-authorized-for-resource`.
    NotAuthorizedForResource,
    /// `not-authorized-for-field`.
    NotAuthorizedForField,
    /// `field-unauthorized` (SPEC-167 spelling).
    FieldUnauthorized,
    /// `resource-unavailable`.
    ResourceUnavailable,
    /// `disallowed-resource`.
    DisallowedResource,
    /// `client-forbidden` (app not enrolled, official client forbidden).
    ClientForbidden,
    /// `unsupported-authentication` (e.g. an app-only token on a DM endpoint).
    UnsupportedAuthentication,
    /// `usage-capped`: a 429 that does not clear by waiting.
    UsageCapped,
    /// `conflict`.
    Conflict,
    /// `rate-limit-exceeded`.
    RateLimitExceeded,
    /// `field-hydration-failure`.
    FieldHydrationFailure,
    /// `internal-error`.
    InternalError,
    /// A legacy `{"code": .., "message": ..}` error.
    Legacy {
        /// The legacy error code (e.g. 88 for rate limit exceeded).
        code: i64,
    },
    /// A problem type this version does not know: the suffix after `/2/problems/`, or the whole
    /// `type` when it has no such suffix.
    Other(String),
}

impl ProblemKind {
    /// Recognises a problem `type` URI.
    pub fn from_type_uri(uri: &str) -> ProblemKind {
        if uri.eq_ignore_ascii_case("about:blank") || uri.is_empty() {
            return ProblemKind::Generic;
        }
        let lower = uri.to_ascii_lowercase();
        let suffix = match lower.find("/2/problems/") {
            Some(i) => lower[i + "/2/problems/".len()..].trim_end_matches('/'),
            None => return ProblemKind::Other(uri.to_owned()),
        };
        match suffix {
            "invalid-request" => ProblemKind::InvalidRequest,
            "resource-not-found" => ProblemKind::ResourceNotFound,
            "not-authorized-for-resource" => ProblemKind::NotAuthorizedForResource,
            "not-authorized-for-field" => ProblemKind::NotAuthorizedForField,
            "field-unauthorized" => ProblemKind::FieldUnauthorized,
            "resource-unavailable" => ProblemKind::ResourceUnavailable,
            "disallowed-resource" => ProblemKind::DisallowedResource,
            "client-forbidden" => ProblemKind::ClientForbidden,
            "unsupported-authentication" => ProblemKind::UnsupportedAuthentication,
            "usage-capped" => ProblemKind::UsageCapped,
            "conflict" => ProblemKind::Conflict,
            "rate-limit-exceeded" => ProblemKind::RateLimitExceeded,
            "field-hydration-failure" => ProblemKind::FieldHydrationFailure,
            "internal-error" => ProblemKind::InternalError,
            other => ProblemKind::Other(other.to_owned()),
        }
    }
}

impl Problem {
    /// A problem with just a `type` and a `title`.
    pub fn new(type_uri: impl Into<String>, title: impl Into<String>) -> Self {
        Problem {
            r#type: Some(type_uri.into()),
            title: Some(title.into()),
            detail: None,
            status: None,
            extra: serde_json::Map::new(),
            aliased: Default::default(),
        }
    }

    /// A legacy `{"code", "message"}` error.
    pub fn legacy(code: i64, message: impl Into<String>) -> Self {
        let mut extra = serde_json::Map::new();
        extra.insert("code".into(), Value::from(code));
        extra.insert("message".into(), Value::from(message.into()));
        Problem {
            r#type: None,
            title: None,
            detail: None,
            status: None,
            extra,
            aliased: Default::default(),
        }
    }

    /// What this problem is about.
    pub fn kind(&self) -> ProblemKind {
        match &self.r#type {
            Some(t) => ProblemKind::from_type_uri(t),
            None => match self.legacy_code() {
                Some(code) => ProblemKind::Legacy { code },
                None => ProblemKind::Generic,
            },
        }
    }

    /// The `type` URI, `about:blank` when absent.
    pub fn type_uri(&self) -> &str {
        self.r#type.as_deref().unwrap_or("about:blank")
    }

    /// The legacy error code, for the `{"code", "message"}` shape.
    pub fn legacy_code(&self) -> Option<i64> {
        self.extra.get("code").and_then(Value::as_i64)
    }

    /// The best human-readable text: `detail`, else `title`, else a legacy `message`, else
    /// an OAuth 2.0 `error_description` or `error`.
    pub fn message(&self) -> Option<&str> {
        self.detail
            .as_deref()
            .or(self.title.as_deref())
            .or_else(|| self.member_str("message"))
            .or_else(|| self.member_str("error_description"))
            .or_else(|| self.member_str("error"))
    }

    /// A type-specific string member (e.g. `resource_id`, `parameter`, `reason`, `period`).
    pub fn member_str(&self, name: &str) -> Option<&str> {
        self.extra.get(name).and_then(Value::as_str)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.title, self.message()) {
            (Some(t), Some(m)) if t != m => write!(f, "{t}: {m}"),
            (_, Some(m)) => f.write_str(m),
            (Some(t), None) => f.write_str(t),
            (None, None) => f.write_str(self.type_uri()),
        }?;
        if let ProblemKind::Legacy { code } = self.kind() {
            write!(f, " (code {code})")?;
        }
        Ok(())
    }
}

/// Reads the problems out of an error body: a single problem object, `{"errors": [..]}` (problems
/// or legacy `{code, message}` errors, also beside `data`), a bare legacy `{code, message}`
/// error (the spec's `Error` schema), an OAuth 2.0 `{error, error_description}`, or a bare
/// array of them. A leading UTF-8 byte order mark is ignored.
///
/// Returns an empty `Vec` for anything else (HTML, plain text, empty body); never panics.
pub fn parse_error_body(body: &[u8]) -> Vec<Problem> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return Vec::new();
    };
    match value {
        Value::Object(obj) if has_any(&obj, PROBLEM_MEMBERS) => vec![problem_from(obj)],
        Value::Object(mut obj) => match obj.remove("errors") {
            Some(Value::Array(items)) => problems_from(items),
            Some(errors) => {
                obj.insert("errors".to_owned(), errors);
                single_error(obj)
            }
            None => single_error(obj),
        },
        Value::Array(items) => problems_from(items),
        _ => Vec::new(),
    }
}

/// Members that make an object an RFC 7807 problem.
const PROBLEM_MEMBERS: &[&str] = &["type", "title", "detail", "status"];
/// Members of the legacy `Error {code, message}` and of an OAuth 2.0 error response.
const ERROR_MEMBERS: &[&str] = &["code", "message", "error", "error_description"];

fn has_any(obj: &serde_json::Map<String, Value>, members: &[&str]) -> bool {
    members.iter().any(|k| obj.contains_key(*k))
}

fn single_error(obj: serde_json::Map<String, Value>) -> Vec<Problem> {
    if has_any(&obj, ERROR_MEMBERS) {
        vec![problem_from(obj)]
    } else {
        Vec::new()
    }
}

/// A problem object; one whose typed members do not fit (say a numeric `title`) is kept
/// whole in `extra` rather than dropped.
fn problem_from(obj: serde_json::Map<String, Value>) -> Problem {
    serde_json::from_value::<Problem>(Value::Object(obj.clone())).unwrap_or_else(|_| Problem {
        extra: obj,
        ..Problem::default()
    })
}

fn problems_from(items: Vec<Value>) -> Vec<Problem> {
    items
        .into_iter()
        .filter_map(|v| match v {
            Value::Object(obj) => Some(problem_from(obj)),
            _ => None,
        })
        .collect()
}
