//! [`EventsQuery`]: the query of the three DM event lists.

use dm_model::{DmEventField, EventType, Expansion, MediaField, TweetField, UserField};

use super::fields::FieldsQuery;
use super::parse::RawParams;
use super::values::{ValueList, push_key};
use super::warning::QueryWarning;
use crate::encode::encode_query_value;
use crate::error::QueryError;

/// The query of `GET /2/dm_events`, `GET /2/dm_conversations/{id}/dm_events` and
/// `GET /2/dm_conversations/with/{participant_id}/dm_events`: `max_results`,
/// `pagination_token`, `event_types` and the [`FieldsQuery`] parameters.
///
/// Setters never fail: the first invalid input is kept and returned by
/// [`EventsQuery::to_query_string`] (and so by `to_request`). The encoding is canonical:
/// parameters in the spec's order (`max_results`, `pagination_token`, `event_types`,
/// `dm_event.fields`, `expansions`, `media.fields`, `user.fields`, `tweet.fields`), each list
/// comma-joined once, values in canonical order, and [`EventsQuery::parse`] is its inverse.
///
/// ```
/// use dm_model::{EventType, Expansion};
/// use dm_query::{EventsQuery, QueryError};
///
/// let q = EventsQuery::new()
///     .max_results(50)
///     .event_types([EventType::MessageCreate])
///     .expansions([Expansion::SenderId]);
/// assert_eq!(
///     q.to_query_string()?,
///     "max_results=50&event_types=MessageCreate&expansions=sender_id"
/// );
/// assert_eq!(EventsQuery::parse(&q.to_query_string()?)?, q);
///
/// let err = EventsQuery::new().max_results(500).to_query_string().unwrap_err();
/// assert!(matches!(err, QueryError::MaxResultsOutOfRange { value: 500 }));
/// # Ok::<(), QueryError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventsQuery {
    max_results: Option<u8>,
    pagination_token: Option<String>,
    event_types: Option<ValueList<EventType>>,
    fields: FieldsQuery,
    error: Option<QueryError>,
}

impl EventsQuery {
    /// The query parameters, in the order they are encoded (the spec's order).
    pub const PARAMS: &'static [&'static str] = &[
        "max_results",
        "pagination_token",
        "event_types",
        "dm_event.fields",
        "expansions",
        "media.fields",
        "user.fields",
        "tweet.fields",
    ];

    /// The largest page the API serves (and its default).
    pub const MAX_RESULTS: u32 = 100;

    /// The shortest valid `pagination_token` (`PaginationToken32`, `minLength: 16`).
    pub const MIN_TOKEN_CHARS: usize = 16;

    /// No parameters: pages of 100, all event types, the API's default fields.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every known field of every object and every expansion (see
    /// [`FieldsQuery::all_fields`]), no pagination parameters.
    pub fn all_fields() -> Self {
        EventsQuery {
            fields: FieldsQuery::all_fields(),
            ..Self::default()
        }
    }

    /// The fields every user token may read (see [`FieldsQuery::public_fields`]), no
    /// pagination parameters.
    pub fn public_fields() -> Self {
        EventsQuery {
            fields: FieldsQuery::public_fields(),
            ..Self::default()
        }
    }

    fn fail(&mut self, e: QueryError) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }

    /// Sets `max_results` (`1..=100`).
    pub fn max_results(mut self, n: u32) -> Self {
        match u8::try_from(n) {
            Ok(v) if (1..=100).contains(&v) => self.max_results = Some(v),
            _ => self.fail(QueryError::MaxResultsOutOfRange { value: n.into() }),
        }
        self
    }

    /// Sets `pagination_token` to a `meta.next_token` or `meta.previous_token` from an earlier
    /// page (opaque, at least 16 characters; percent-encoded when sent).
    pub fn pagination_token(mut self, token: impl Into<String>) -> Self {
        let token = token.into();
        let len = token.chars().count();
        if len < Self::MIN_TOKEN_CHARS {
            self.fail(QueryError::PaginationTokenTooShort { len });
        } else {
            self.pagination_token = Some(token);
        }
        self
    }

    /// Sets `pagination_token` to a token exactly as the API returned it, without the
    /// length check of [`pagination_token`](Self::pagination_token): tokens are opaque and
    /// the server is the judge of its own (only an empty token is refused). For walkers that
    /// follow `meta.next_token` / `meta.previous_token`.
    pub fn pagination_token_from_api(mut self, token: impl Into<String>) -> Self {
        let token = token.into();
        if token.is_empty() {
            self.fail(QueryError::PaginationTokenTooShort { len: 0 });
        } else {
            self.pagination_token = Some(token);
        }
        self
    }

    /// Removes `pagination_token` (back to the first page).
    pub fn without_pagination_token(mut self) -> Self {
        self.pagination_token = None;
        self
    }

    /// Sets `event_types` (non-empty, no duplicates).
    pub fn event_types(mut self, types: impl IntoIterator<Item = EventType>) -> Self {
        match ValueList::new(types) {
            Ok(l) => self.event_types = Some(l),
            Err(e) => self.fail(e),
        }
        self
    }

    /// Replaces every field and expansion parameter with those of `fields`.
    pub fn fields(mut self, fields: FieldsQuery) -> Self {
        self.fields = fields;
        self
    }

    /// Sets `dm_event.fields` (non-empty, no duplicates).
    pub fn dm_event_fields(mut self, fields: impl IntoIterator<Item = DmEventField>) -> Self {
        self.fields = self.fields.dm_event_fields(fields);
        self
    }

    /// Sets `expansions` (non-empty, no duplicates).
    pub fn expansions(mut self, expansions: impl IntoIterator<Item = Expansion>) -> Self {
        self.fields = self.fields.expansions(expansions);
        self
    }

    /// Sets `media.fields` (non-empty, no duplicates); needs `attachments.media_keys`.
    pub fn media_fields(mut self, fields: impl IntoIterator<Item = MediaField>) -> Self {
        self.fields = self.fields.media_fields(fields);
        self
    }

    /// Sets `user.fields` (non-empty, no duplicates); needs `sender_id` or `participant_ids`.
    pub fn user_fields(mut self, fields: impl IntoIterator<Item = UserField>) -> Self {
        self.fields = self.fields.user_fields(fields);
        self
    }

    /// Sets `tweet.fields` (non-empty, no duplicates); needs `referenced_tweets.id`.
    pub fn tweet_fields(mut self, fields: impl IntoIterator<Item = TweetField>) -> Self {
        self.fields = self.fields.tweet_fields(fields);
        self
    }

    /// Strict mode: see [`FieldsQuery::strict`].
    pub fn strict(mut self, strict: bool) -> Self {
        self.fields = self.fields.strict(strict);
        self
    }

    /// `max_results`, if set.
    pub fn get_max_results(&self) -> Option<u32> {
        self.max_results.map(u32::from)
    }

    /// `pagination_token`, if set.
    pub fn get_pagination_token(&self) -> Option<&str> {
        self.pagination_token.as_deref()
    }

    /// `event_types`, in canonical order.
    pub fn get_event_types(&self) -> Option<&[EventType]> {
        self.event_types.as_ref().map(ValueList::as_slice)
    }

    /// The field and expansion parameters.
    pub fn get_fields(&self) -> &FieldsQuery {
        &self.fields
    }

    /// Parameters the API will accept but ignore (see [`FieldsQuery::warnings`]).
    pub fn warnings(&self) -> Vec<QueryWarning> {
        self.fields.warnings()
    }

    /// Checks the query: the first invalid setter input, then (in strict mode) the warnings.
    ///
    /// # Errors
    ///
    /// The first [`QueryError`] a setter recorded, or [`QueryError::Ineffective`] in strict
    /// mode.
    pub fn validate(&self) -> Result<(), QueryError> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        self.fields.validate()
    }

    /// The canonical query string (without `?`; empty when no parameter is set).
    ///
    /// # Errors
    ///
    /// As [`EventsQuery::validate`].
    pub fn to_query_string(&self) -> Result<String, QueryError> {
        self.validate()?;
        let mut out = String::new();
        if let Some(n) = self.max_results {
            push_key(&mut out, "max_results");
            out.push_str(&n.to_string());
        }
        if let Some(t) = &self.pagination_token {
            push_key(&mut out, "pagination_token");
            out.extend(encode_query_value(t));
        }
        if let Some(l) = &self.event_types {
            l.encode(&mut out);
        }
        self.fields.encode_into(&mut out)?;
        Ok(out)
    }

    /// Parses a query string (with or without `?`), the inverse of
    /// [`EventsQuery::to_query_string`]. Values the spec does not list are refused; list
    /// values may come in any order, and `,` may be percent-encoded.
    ///
    /// # Errors
    ///
    /// [`QueryError`] naming the parameter: unknown or repeated parameters, `max_results`
    /// out of range, short tokens, empty lists, duplicates, unknown values, invalid
    /// percent-encoding.
    pub fn parse(query: &str) -> Result<Self, QueryError> {
        Self::parse_with(query, true)
    }

    /// Like [`EventsQuery::parse`], but keeps values the spec does not list (as the enums'
    /// `Other` variant), as a server must for clients built against a newer spec.
    ///
    /// # Errors
    ///
    /// As [`EventsQuery::parse`], except for unknown values.
    pub fn parse_allowing_unknown(query: &str) -> Result<Self, QueryError> {
        Self::parse_with(query, false)
    }

    fn parse_with(query: &str, strict: bool) -> Result<Self, QueryError> {
        let raw = RawParams::split(query, Self::PARAMS)?;
        let mut q = EventsQuery {
            fields: FieldsQuery::from_raw(&raw, strict)?,
            ..Self::default()
        };
        if let Some(v) = raw.get("max_results") {
            let n: i64 = v.parse().map_err(|_| QueryError::MaxResultsNotANumber {
                value: crate::encode::truncate(v, 32),
            })?;
            match u8::try_from(n) {
                Ok(n) if (1..=100).contains(&n) => q.max_results = Some(n),
                _ => return Err(QueryError::MaxResultsOutOfRange { value: n }),
            }
        }
        if let Some(t) = raw.get("pagination_token") {
            q = q.pagination_token(t);
        }
        if let Some(v) = raw.get("event_types") {
            q.event_types = Some(ValueList::parse(v, strict)?);
        }
        q.validate()?;
        Ok(q)
    }
}
