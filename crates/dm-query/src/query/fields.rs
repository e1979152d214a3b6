//! [`FieldsQuery`]: the field and expansion parameters shared by every DM lookup.

use dm_model::{DmEventField, Expansion, MediaField, TweetField, UserField};

use super::parse::RawParams;
use super::values::{QueryValue, ValueList};
use super::warning::QueryWarning;
use crate::error::QueryError;

/// The field and expansion parameters of a DM lookup: `dm_event.fields`, `expansions`,
/// `media.fields`, `user.fields`, `tweet.fields`. On its own it is the query of
/// `GET /2/dm_events/{event_id}`; [`EventsQuery`](crate::EventsQuery) adds pagination.
///
/// Setters never fail: the first invalid input (an empty list, a duplicate, an escape-hatch
/// value that cannot be sent) is kept and returned by [`FieldsQuery::to_query_string`]
/// (and so by `to_request`), like `http::request::Builder`.
///
/// Each list is sent once, comma-joined, in a canonical order (known values in spec order,
/// then escape-hatch values by name), so equal queries encode to equal strings. Values the
/// spec does not list can only be sent through the enums' explicit `other(..)` escape hatch.
///
/// # Fields that cannot take effect
///
/// The API accepts `user.fields` without a user expansion (`sender_id`, `participant_ids`),
/// `media.fields` without `attachments.media_keys` and `tweet.fields` without
/// `referenced_tweets.id`, but returns nothing for them. Such a query is still sent as asked
/// (never silently changed), [`FieldsQuery::warnings`] names each problem, and in strict mode
/// ([`FieldsQuery::strict`]) encoding refuses it with
/// [`QueryError::Ineffective`](crate::QueryError::Ineffective).
///
/// ```
/// use dm_model::{DmEventField, Expansion, UserField};
/// use dm_query::FieldsQuery;
///
/// let q = FieldsQuery::new()
///     .dm_event_fields([DmEventField::Text, DmEventField::CreatedAt])
///     .expansions([Expansion::SenderId])
///     .user_fields([UserField::Username]);
/// assert_eq!(
///     q.to_query_string()?,
///     "dm_event.fields=created_at,text&expansions=sender_id&user.fields=username"
/// );
/// assert_eq!(FieldsQuery::parse(&q.to_query_string()?)?, q);
/// # Ok::<(), dm_query::QueryError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldsQuery {
    dm_event_fields: Option<ValueList<DmEventField>>,
    expansions: Option<ValueList<Expansion>>,
    media_fields: Option<ValueList<MediaField>>,
    user_fields: Option<ValueList<UserField>>,
    tweet_fields: Option<ValueList<TweetField>>,
    strict: bool,
    error: Option<QueryError>,
}

/// Sets `slot` from `values`, or records the first error.
fn set<T: QueryValue>(
    slot: &mut Option<ValueList<T>>,
    error: &mut Option<QueryError>,
    values: impl IntoIterator<Item = T>,
) {
    match ValueList::new(values) {
        Ok(list) => *slot = Some(list),
        Err(e) => {
            if error.is_none() {
                *error = Some(e);
            }
        }
    }
}

impl FieldsQuery {
    /// The query parameters, in the order they are encoded (the spec's order).
    pub const PARAMS: &'static [&'static str] = &[
        "dm_event.fields",
        "expansions",
        "media.fields",
        "user.fields",
        "tweet.fields",
    ];

    /// No parameters: the API's default fields (`id`, `event_type`, `text` for messages).
    pub fn new() -> Self {
        Self::default()
    }

    /// Every known field of every object and every expansion.
    ///
    /// Some fields need more than a DM token (`non_public_metrics`, `organic_metrics`,
    /// `promoted_metrics`, `confirmed_email`, ...); the API reports those as partial errors
    /// (`not-authorized-for-field`) beside the data rather than failing the request.
    pub fn all_fields() -> Self {
        FieldsQuery {
            dm_event_fields: Some(ValueList::all()),
            expansions: Some(ValueList::all()),
            media_fields: Some(ValueList::all()),
            user_fields: Some(ValueList::all()),
            tweet_fields: Some(ValueList::all()),
            strict: false,
            error: None,
        }
    }

    /// The fields every user token may read: every DM event field and every expansion, with
    /// the fields of users, Posts and media that need no more than the DM scopes. This is the
    /// preset to use unless you know your token has more access (then [`FieldsQuery::all_fields`]).
    ///
    /// Left out, because the live API answers them with `not-authorized-for-field` partial
    /// errors for most tokens (see [`FieldsQuery::PRIVATE_FIELDS`]):
    ///
    /// * `non_public_metrics`, `organic_metrics`, `promoted_metrics` of Posts and media: only
    ///   the author's own content, with the author's token;
    /// * `confirmed_email` of users: only the authenticated user, with a special permission;
    /// * `note_request_suggestions`, `suggested_source_links`,
    ///   `suggested_source_links_with_counts` of Posts: Community Notes writers only.
    ///
    /// A value a newer spec adds joins this preset when the code is regenerated, unless it is
    /// listed in [`FieldsQuery::PRIVATE_FIELDS`] (a test checks every listed value exists).
    ///
    /// ```
    /// use dm_model::{UserField, TweetField};
    /// use dm_query::FieldsQuery;
    ///
    /// let q = FieldsQuery::public_fields();
    /// assert!(q.get_user_fields().unwrap().contains(&UserField::Username));
    /// assert!(!q.get_user_fields().unwrap().contains(&UserField::ConfirmedEmail));
    /// assert!(!q.get_tweet_fields().unwrap().contains(&TweetField::NonPublicMetrics));
    /// assert!(q.warnings().is_empty());
    /// ```
    pub fn public_fields() -> Self {
        FieldsQuery {
            dm_event_fields: Some(ValueList::all()),
            expansions: Some(ValueList::all()),
            media_fields: Some(ValueList::public()),
            user_fields: Some(ValueList::public()),
            tweet_fields: Some(ValueList::public()),
            strict: false,
            error: None,
        }
    }

    /// The fields [`FieldsQuery::public_fields`] leaves out, as `(parameter, value)`: the
    /// ones that need more than a DM user token.
    pub const PRIVATE_FIELDS: &'static [(&'static str, &'static str)] = &[
        ("media.fields", "non_public_metrics"),
        ("media.fields", "organic_metrics"),
        ("media.fields", "promoted_metrics"),
        ("user.fields", "confirmed_email"),
        ("tweet.fields", "non_public_metrics"),
        ("tweet.fields", "organic_metrics"),
        ("tweet.fields", "promoted_metrics"),
        ("tweet.fields", "note_request_suggestions"),
        ("tweet.fields", "suggested_source_links"),
        ("tweet.fields", "suggested_source_links_with_counts"),
    ];

    /// Sets `dm_event.fields` (non-empty, no duplicates).
    pub fn dm_event_fields(mut self, fields: impl IntoIterator<Item = DmEventField>) -> Self {
        set(&mut self.dm_event_fields, &mut self.error, fields);
        self
    }

    /// Sets `expansions` (non-empty, no duplicates).
    pub fn expansions(mut self, expansions: impl IntoIterator<Item = Expansion>) -> Self {
        set(&mut self.expansions, &mut self.error, expansions);
        self
    }

    /// Sets `media.fields` (non-empty, no duplicates); needs `attachments.media_keys`.
    pub fn media_fields(mut self, fields: impl IntoIterator<Item = MediaField>) -> Self {
        set(&mut self.media_fields, &mut self.error, fields);
        self
    }

    /// Sets `user.fields` (non-empty, no duplicates); needs `sender_id` or `participant_ids`.
    pub fn user_fields(mut self, fields: impl IntoIterator<Item = UserField>) -> Self {
        set(&mut self.user_fields, &mut self.error, fields);
        self
    }

    /// Sets `tweet.fields` (non-empty, no duplicates); needs `referenced_tweets.id`.
    pub fn tweet_fields(mut self, fields: impl IntoIterator<Item = TweetField>) -> Self {
        set(&mut self.tweet_fields, &mut self.error, fields);
        self
    }

    /// In strict mode, fields that cannot have an effect (see [`QueryWarning`]) are an error
    /// instead of a warning. Off by default, because the API accepts them.
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// `dm_event.fields`, in canonical order.
    pub fn get_dm_event_fields(&self) -> Option<&[DmEventField]> {
        self.dm_event_fields.as_ref().map(ValueList::as_slice)
    }

    /// `expansions`, in canonical order.
    pub fn get_expansions(&self) -> Option<&[Expansion]> {
        self.expansions.as_ref().map(ValueList::as_slice)
    }

    /// `media.fields`, in canonical order.
    pub fn get_media_fields(&self) -> Option<&[MediaField]> {
        self.media_fields.as_ref().map(ValueList::as_slice)
    }

    /// `user.fields`, in canonical order.
    pub fn get_user_fields(&self) -> Option<&[UserField]> {
        self.user_fields.as_ref().map(ValueList::as_slice)
    }

    /// `tweet.fields`, in canonical order.
    pub fn get_tweet_fields(&self) -> Option<&[TweetField]> {
        self.tweet_fields.as_ref().map(ValueList::as_slice)
    }

    /// Whether strict mode is on.
    pub fn is_strict(&self) -> bool {
        self.strict
    }

    /// Whether `expansions` includes `expansion`.
    pub fn expands(&self, expansion: &Expansion) -> bool {
        self.expansions
            .as_ref()
            .is_some_and(|e| e.contains(expansion))
    }

    /// Parameters the API will accept but ignore, because the expansion that would produce
    /// their objects is missing.
    pub fn warnings(&self) -> Vec<QueryWarning> {
        let mut out = Vec::new();
        if self.user_fields.is_some()
            && !self.expands(&Expansion::SenderId)
            && !self.expands(&Expansion::ParticipantIds)
        {
            out.push(QueryWarning::UserFieldsWithoutUserExpansion);
        }
        if self.media_fields.is_some() && !self.expands(&Expansion::AttachmentsMediaKeys) {
            out.push(QueryWarning::MediaFieldsWithoutMediaExpansion);
        }
        if self.tweet_fields.is_some() && !self.expands(&Expansion::ReferencedTweetsId) {
            out.push(QueryWarning::TweetFieldsWithoutTweetExpansion);
        }
        out
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
        if self.strict
            && let Some(w) = self.warnings().into_iter().next()
        {
            return Err(QueryError::Ineffective(w));
        }
        Ok(())
    }

    /// The canonical query string (without `?`; empty when no parameter is set).
    ///
    /// # Errors
    ///
    /// As [`FieldsQuery::validate`].
    pub fn to_query_string(&self) -> Result<String, QueryError> {
        let mut out = String::new();
        self.encode_into(&mut out)?;
        Ok(out)
    }

    /// Validates and appends the parameters to `out` (joined with `&`).
    pub(crate) fn encode_into(&self, out: &mut String) -> Result<(), QueryError> {
        self.validate()?;
        if let Some(l) = &self.dm_event_fields {
            l.encode(out);
        }
        if let Some(l) = &self.expansions {
            l.encode(out);
        }
        if let Some(l) = &self.media_fields {
            l.encode(out);
        }
        if let Some(l) = &self.user_fields {
            l.encode(out);
        }
        if let Some(l) = &self.tweet_fields {
            l.encode(out);
        }
        Ok(())
    }

    /// Parses a query string (with or without `?`), the inverse of
    /// [`FieldsQuery::to_query_string`]. Values the spec does not list are refused; list
    /// values may come in any order, and `,` may be percent-encoded.
    ///
    /// # Errors
    ///
    /// [`QueryError`] naming the parameter: unknown or repeated parameters, empty lists,
    /// duplicates, unknown values, invalid percent-encoding.
    pub fn parse(query: &str) -> Result<Self, QueryError> {
        Self::from_raw(&RawParams::split(query, Self::PARAMS)?, true)
    }

    /// Like [`FieldsQuery::parse`], but keeps values the spec does not list (as the enums'
    /// `Other` variant), as a server must for clients built against a newer spec.
    ///
    /// # Errors
    ///
    /// As [`FieldsQuery::parse`], except for unknown values.
    pub fn parse_allowing_unknown(query: &str) -> Result<Self, QueryError> {
        Self::from_raw(&RawParams::split(query, Self::PARAMS)?, false)
    }

    pub(crate) fn from_raw(raw: &RawParams, strict: bool) -> Result<Self, QueryError> {
        fn list<T: QueryValue>(
            raw: &RawParams,
            strict: bool,
        ) -> Result<Option<ValueList<T>>, QueryError> {
            raw.get(T::PARAM)
                .map(|v| ValueList::parse(v, strict))
                .transpose()
        }
        Ok(FieldsQuery {
            dm_event_fields: list(raw, strict)?,
            expansions: list(raw, strict)?,
            media_fields: list(raw, strict)?,
            user_fields: list(raw, strict)?,
            tweet_fields: list(raw, strict)?,
            strict: false,
            error: None,
        })
    }
}
