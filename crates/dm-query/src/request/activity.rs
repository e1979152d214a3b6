//! The X Activity API: the stream ([`StreamActivity`]) and the subscriptions
//! ([`CreateActivitySubscription`], [`ListActivitySubscriptions`],
//! [`UpdateActivitySubscription`], [`DeleteActivitySubscription`],
//! [`DeleteActivitySubscriptions`]).

use bytes::Bytes;
use dm_model::ActivitySubscriptionId;
use dm_model::activity::{CreateSubscriptionRequest, UpdateSubscriptionRequest};
use time::OffsetDateTime;

use super::{ApiRequest, build, json_body};
use crate::base_url::BaseUrl;
use crate::encode::encode_query_value;
use crate::error::QueryError;
use crate::operation::Operation;
use crate::query::values::push_key;

/// The most minutes of backfill the stream serves.
pub const MAX_BACKFILL_MINUTES: u8 = 5;

/// `YYYY-MM-DDTHH:mm:ssZ` (UTC, whole seconds), the form the stream's parameters document.
pub fn stream_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Opens the activity stream (`GET /2/activity/stream`): every event of the app's
/// subscriptions, one JSON object per line, for as long as the connection lasts. Takes the
/// app's bearer token.
///
/// With `backfill_minutes` (0..=5) the stream starts with the events of the last minutes
/// (after a disconnection); with `start_time` (and `end_time`) with those of a window of
/// the last 24 hours.
///
/// ```
/// use dm_query::{ApiRequest, BaseUrl, StreamActivity};
/// let r = StreamActivity::new().backfill_minutes(2).to_request(&BaseUrl::default())?;
/// assert_eq!(r.uri(), "https://api.x.com/2/activity/stream?backfill_minutes=2");
/// # Ok::<(), dm_query::QueryError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamActivity {
    backfill_minutes: Option<u8>,
    start_time: Option<OffsetDateTime>,
    end_time: Option<OffsetDateTime>,
}

impl StreamActivity {
    /// The live stream, no backfill.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts with the events of the last `minutes` (0..=5, checked when built).
    pub fn backfill_minutes(mut self, minutes: u8) -> Self {
        self.backfill_minutes = Some(minutes);
        self
    }

    /// Starts with the events since `t` (sent to the second).
    pub fn start_time(mut self, t: OffsetDateTime) -> Self {
        self.start_time = Some(t);
        self
    }

    /// Ends with the events until `t`: the connection closes once the window is served.
    pub fn end_time(mut self, t: OffsetDateTime) -> Self {
        self.end_time = Some(t);
        self
    }

    /// The query string, in spec order.
    ///
    /// # Errors
    ///
    /// [`QueryError::OutOfRange`] for more than 5 minutes of backfill,
    /// [`QueryError::TimeWindow`] when `end_time` is before `start_time`.
    pub fn query(&self) -> Result<String, QueryError> {
        let mut out = String::new();
        if let Some(m) = self.backfill_minutes {
            if m > MAX_BACKFILL_MINUTES {
                return Err(QueryError::OutOfRange {
                    param: "backfill_minutes",
                    min: 0,
                    max: i64::from(MAX_BACKFILL_MINUTES),
                    value: i64::from(m),
                });
            }
            push_key(&mut out, "backfill_minutes");
            out.push_str(&m.to_string());
        }
        if let (Some(s), Some(e)) = (self.start_time, self.end_time)
            && e < s
        {
            return Err(QueryError::TimeWindow {
                start: stream_time(s),
                end: stream_time(e),
            });
        }
        for (key, t) in [("start_time", self.start_time), ("end_time", self.end_time)] {
            if let Some(t) = t {
                push_key(&mut out, key);
                out.extend(encode_query_value(&stream_time(t)));
            }
        }
        Ok(out)
    }
}

impl ApiRequest for StreamActivity {
    fn operation(&self) -> Operation {
        Operation::StreamActivity
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        build(self.operation(), base, &[], &self.query()?, None)
    }
}

/// Creates a subscription (`POST /2/activity/subscriptions`). For `dm.*` events send it
/// with the monitored user's token (OAuth 2.0 with `dm.read`); not idempotent (a second
/// create makes a second subscription).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateActivitySubscription {
    /// Event type, filter, tag, webhook.
    pub body: CreateSubscriptionRequest,
}

impl ApiRequest for CreateActivitySubscription {
    fn operation(&self) -> Operation {
        Operation::CreateActivitySubscription
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        build(
            self.operation(),
            base,
            &[],
            "",
            Some(json_body(&self.body)?),
        )
    }
}

/// Lists the app's subscriptions (`GET /2/activity/subscriptions`), a page at a time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListActivitySubscriptions {
    max_results: Option<u32>,
    pagination_token: Option<String>,
}

impl ListActivitySubscriptions {
    /// The first page, the server's page size.
    pub fn new() -> Self {
        Self::default()
    }

    /// Subscriptions per page (1..=1000, checked when built).
    pub fn max_results(mut self, n: u32) -> Self {
        self.max_results = Some(n);
        self
    }

    /// The page after the one whose `meta.next_token` this is (16+ characters).
    pub fn pagination_token(mut self, token: impl Into<String>) -> Self {
        self.pagination_token = Some(token.into());
        self
    }
}

impl ApiRequest for ListActivitySubscriptions {
    fn operation(&self) -> Operation {
        Operation::GetActivitySubscriptions
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        let mut q = String::new();
        if let Some(n) = self.max_results {
            if !(1..=1000).contains(&n) {
                return Err(QueryError::OutOfRange {
                    param: "max_results",
                    min: 1,
                    max: 1000,
                    value: i64::from(n),
                });
            }
            push_key(&mut q, "max_results");
            q.push_str(&n.to_string());
        }
        if let Some(t) = &self.pagination_token {
            let len = t.chars().count();
            if len < 16 {
                return Err(QueryError::PaginationTokenTooShort { len });
            }
            push_key(&mut q, "pagination_token");
            q.extend(encode_query_value(t));
        }
        build(self.operation(), base, &[], &q, None)
    }
}

/// Changes a subscription's tag or webhook (`PUT /2/activity/subscriptions/{id}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateActivitySubscription {
    /// The subscription.
    pub id: ActivitySubscriptionId,
    /// The new tag and/or webhook.
    pub body: UpdateSubscriptionRequest,
}

impl ApiRequest for UpdateActivitySubscription {
    fn operation(&self) -> Operation {
        Operation::UpdateActivitySubscription
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        let body = json_body(&self.body)?;
        build(self.operation(), base, &[self.id.as_str()], "", Some(body))
    }
}

/// Deletes a subscription (`DELETE /2/activity/subscriptions/{id}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteActivitySubscription {
    /// The subscription.
    pub id: ActivitySubscriptionId,
}

impl ApiRequest for DeleteActivitySubscription {
    fn operation(&self) -> Operation {
        Operation::DeleteActivitySubscription
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        build(self.operation(), base, &[self.id.as_str()], "", None)
    }
}

/// Deletes up to 100 subscriptions (`DELETE /2/activity/subscriptions?ids=..`); deletion
/// goes on past an id that fails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteActivitySubscriptions {
    /// The subscriptions (1..=100, distinct).
    pub ids: Vec<ActivitySubscriptionId>,
}

impl ApiRequest for DeleteActivitySubscriptions {
    fn operation(&self) -> Operation {
        Operation::DeleteActivitySubscriptions
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        if !(1..=100).contains(&self.ids.len()) {
            return Err(QueryError::ListLength {
                param: "ids",
                min: 1,
                max: 100,
                got: self.ids.len(),
            });
        }
        let mut q = String::from("ids=");
        for (i, id) in self.ids.iter().enumerate() {
            if self.ids[..i].contains(id) {
                return Err(QueryError::DuplicateValue {
                    param: "ids",
                    value: id.to_string(),
                });
            }
            if i > 0 {
                q.push(',');
            }
            q.push_str(id.as_str());
        }
        build(self.operation(), base, &[], &q, None)
    }
}
