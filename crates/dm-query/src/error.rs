//! [`QueryError`]: why a query, path parameter, base URL or request could not be built.

use crate::operation::Operation;
use crate::query::QueryWarning;

/// Why a query, path parameter, base URL or request could not be built or parsed.
///
/// Every variant names the parameter at fault and, where there is a fixed set, the values it
/// accepts.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// `max_results` outside `1..=100`.
    #[error("`max_results` must be between 1 and 100, got {value}")]
    MaxResultsOutOfRange {
        /// The rejected value.
        value: i64,
    },
    /// `max_results` that is not an integer (when parsing).
    #[error("`max_results` must be an integer between 1 and 100, got `{value}`")]
    MaxResultsNotANumber {
        /// The rejected value (truncated).
        value: String,
    },
    /// A `pagination_token` shorter than the 16 characters the spec requires.
    #[error(
        "`pagination_token` must be at least 16 characters (a `meta.next_token` or `meta.previous_token`), got {len}"
    )]
    PaginationTokenTooShort {
        /// The token's length in characters.
        len: usize,
    },
    /// A list parameter with no values (the spec requires `minItems: 1`).
    #[error("`{param}` must not be empty; allowed values: {}", allowed.join(", "))]
    EmptyList {
        /// The parameter, e.g. `dm_event.fields`.
        param: &'static str,
        /// Every value the spec lists for it.
        allowed: Vec<&'static str>,
    },
    /// A value given twice in a list parameter (the spec requires `uniqueItems: true`).
    #[error("`{param}` lists `{value}` more than once")]
    DuplicateValue {
        /// The parameter, e.g. `expansions`.
        param: &'static str,
        /// The repeated value.
        value: String,
    },
    /// A value the spec does not list (when parsing strictly); send one on purpose with the
    /// enum's `other(..)` escape hatch.
    #[error("unknown `{param}` value `{value}`; allowed values: {}", allowed.join(", "))]
    UnknownValue {
        /// The parameter, e.g. `user.fields`.
        param: &'static str,
        /// The rejected value (truncated).
        value: String,
        /// Every value the spec lists for it.
        allowed: Vec<&'static str>,
    },
    /// An escape-hatch value that cannot be sent: empty, or with characters other than
    /// ASCII letters, digits, `_` and `.` (a `,` would split it into two values).
    #[error(
        "`{param}` value `{value}` is not a valid name (expected ASCII letters, digits, `_` or `.`)"
    )]
    InvalidValue {
        /// The parameter.
        param: &'static str,
        /// The rejected value (truncated).
        value: String,
    },
    /// A query parameter this operation does not take (when parsing).
    #[error("unknown query parameter `{name}`; allowed parameters: {}", allowed.join(", "))]
    UnknownParameter {
        /// The parameter name (truncated).
        name: String,
        /// The parameters the operation takes, in spec order.
        allowed: Vec<&'static str>,
    },
    /// A query parameter given more than once (lists are comma-joined, never repeated).
    #[error("query parameter `{name}` is repeated; join list values with `,` instead")]
    RepeatedParameter {
        /// The parameter name.
        name: &'static str,
    },
    /// A query value that is not valid percent-encoded UTF-8 (when parsing).
    #[error("query parameter `{param}` is not valid percent-encoded UTF-8")]
    InvalidEncoding {
        /// The parameter name (truncated).
        param: String,
    },
    /// In strict mode: a parameter the API accepts but ignores (see [`QueryWarning`]).
    #[error("{0} (strict mode)")]
    Ineffective(QueryWarning),
    /// An id that does not match its spec pattern.
    #[error("invalid path parameter `{param}`: {source}")]
    InvalidId {
        /// The path parameter, e.g. `participant_id`.
        param: &'static str,
        /// What was wrong with the id.
        #[source]
        source: dm_model::IdError,
    },
    /// A path segment that would change the path (empty, `.` or `..`).
    #[error("path parameter `{param}` cannot be `{value}`")]
    InvalidPathSegment {
        /// The path parameter, e.g. `resource_id`.
        param: &'static str,
        /// The rejected value.
        value: String,
    },
    /// The wrong number of path values for an operation (a bug in the caller).
    #[error("{operation} takes {expected} path parameters, got {got}")]
    PathParams {
        /// The operation.
        operation: Operation,
        /// How many its template has.
        expected: usize,
        /// How many were given.
        got: usize,
    },
    /// A base URL that is not `http(s)://authority[/prefix]`.
    #[error("invalid base URL `{url}`: {reason}")]
    InvalidBaseUrl {
        /// The rejected URL (truncated; credentials are never echoed).
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A request body member that cannot be sent (a user id that is not one, a group created
    /// under an id that is not a group's).
    #[error("invalid request body: `{field}` {reason}")]
    InvalidBody {
        /// The body member.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// A media upload value the spec does not allow (a `segment_index` outside `0..=999`, a
    /// category the one-shot upload does not take, empty media).
    #[error("invalid media upload: `{field}` {reason}")]
    InvalidUpload {
        /// The member at fault, e.g. `segment_index`.
        field: &'static str,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// A request body that could not be serialized (should not happen for `dm-model` bodies).
    #[error("cannot serialize the request body: {message}")]
    Body {
        /// The serializer's message.
        message: String,
    },
    /// The `http` crate refused the request (should not happen for validated input).
    #[error("cannot build the HTTP request: {message}")]
    Http {
        /// The `http` crate's message.
        message: String,
    },
    /// A numeric parameter outside its bounds (`backfill_minutes` 0..=5, the subscription
    /// list's `max_results` 1..=1000).
    #[error("`{param}` must be between {min} and {max}, got {value}")]
    OutOfRange {
        /// The parameter.
        param: &'static str,
        /// The smallest value allowed.
        min: i64,
        /// The largest value allowed.
        max: i64,
        /// The rejected value.
        value: i64,
    },
    /// A list of ids with too few or too many items (`ids` takes 1..=100).
    #[error("`{param}` takes {min} to {max} values, got {got}")]
    ListLength {
        /// The parameter.
        param: &'static str,
        /// The fewest allowed.
        min: usize,
        /// The most allowed.
        max: usize,
        /// How many were given.
        got: usize,
    },
    /// A time window that ends before it starts (`start_time` after `end_time`).
    #[error("`end_time` {end} is before `start_time` {start}")]
    TimeWindow {
        /// `start_time` as it would be sent.
        start: String,
        /// `end_time` as it would be sent.
        end: String,
    },
}
