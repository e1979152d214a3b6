//! Request bodies of the subscription and webhook endpoints, validated on construction:
//! [`CreateSubscriptionRequest`], [`UpdateSubscriptionRequest`], [`CreateWebhookRequest`], [`ReplayRequest`] and
//! its [`ReplayTime`].

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use time::OffsetDateTime;

use super::event_type::ActivityEventType;
use crate::fields::truncate;
use crate::{UserId, WebhookConfigId};

/// A subscription or webhook body that breaks the spec's rules.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ActivityBodyError {
    /// A string outside its length bounds (`tag` 1..=200, `keyword` 1..=150, `url` 1..=200
    /// characters).
    #[error("`{member}` must be {min} to {max} characters, got {chars}")]
    Length {
        /// The member.
        member: &'static str,
        /// Its length in characters.
        chars: usize,
        /// The minimum.
        min: usize,
        /// The maximum.
        max: usize,
    },
    /// An event type that cannot be sent (empty).
    #[error("`event_type` must not be empty")]
    EmptyEventType,
    /// An update that changes nothing (`tag` and `webhook_id` both absent).
    #[error("an update needs a `tag`, a `webhook_id`, or both")]
    EmptyUpdate,
    /// A webhook URL that is not an absolute `http(s)` URL.
    #[error("`url` `{url}` is not an absolute https:// URL")]
    Url {
        /// The rejected URL (truncated).
        url: String,
    },
    /// A replay time that is not `yyyymmddhhmm` (UTC).
    #[error("`{value}` is not a UTC time in yyyymmddhhmm form (e.g. 202608221330)")]
    ReplayTime {
        /// The rejected value (truncated).
        value: String,
    },
    /// A replay window that ends before it starts.
    #[error("the replay window ends ({to}) before it starts ({from})")]
    ReplayWindow {
        /// `from_date`.
        from: String,
        /// `to_date`.
        to: String,
    },
}

fn check_len(
    member: &'static str,
    s: &str,
    min: usize,
    max: usize,
) -> Result<(), ActivityBodyError> {
    let chars = s.chars().count();
    if (min..=max).contains(&chars) {
        Ok(())
    } else {
        Err(ActivityBodyError::Length {
            member,
            chars,
            min,
            max,
        })
    }
}

/// The filter of a new subscription (`CreateActivitySubscriptionFilter`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SubscriptionFilter {
    /// The user whose activity to deliver.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
    /// A keyword (1..=150 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keyword: Option<String>,
    /// `inbound` or `outbound` (directional events; omit it for `dm.*`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
}

/// The body of `POST /2/activity/subscriptions` (`CreateActivitySubscriptionRequest`).
///
/// ```
/// use dm_model::activity::{ActivityEventType, CreateSubscriptionRequest};
///
/// let body = CreateSubscriptionRequest::for_user(ActivityEventType::DmReceived, "2244994945".parse()?)
///     .tag("inbox")?;
/// assert_eq!(
///     serde_json::to_string(&body)?,
///     r#"{"event_type":"dm.received","filter":{"user_id":"2244994945"},"tag":"inbox"}"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CreateSubscriptionRequest {
    event_type: ActivityEventType,
    filter: SubscriptionFilter,
    #[serde(skip_serializing_if = "Option::is_none")]
    tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    webhook_id: Option<WebhookConfigId>,
}

impl CreateSubscriptionRequest {
    /// A subscription to `event_type` for `user`'s activity.
    pub fn for_user(event_type: ActivityEventType, user: UserId) -> Self {
        CreateSubscriptionRequest {
            event_type,
            filter: SubscriptionFilter {
                user_id: Some(user),
                ..SubscriptionFilter::default()
            },
            tag: None,
            webhook_id: None,
        }
    }

    /// A subscription with any filter.
    ///
    /// # Errors
    ///
    /// [`ActivityBodyError`] for an empty event type or a keyword outside 1..=150
    /// characters.
    pub fn new(
        event_type: ActivityEventType,
        filter: SubscriptionFilter,
    ) -> Result<Self, ActivityBodyError> {
        if event_type.as_str().is_empty() {
            return Err(ActivityBodyError::EmptyEventType);
        }
        if let Some(k) = &filter.keyword {
            check_len("keyword", k, 1, 150)?;
        }
        Ok(CreateSubscriptionRequest {
            event_type,
            filter,
            tag: None,
            webhook_id: None,
        })
    }

    /// Sets the tag echoed on every event (1..=200 characters).
    ///
    /// # Errors
    ///
    /// [`ActivityBodyError::Length`] outside 1..=200 characters.
    pub fn tag(mut self, tag: impl Into<String>) -> Result<Self, ActivityBodyError> {
        let tag = tag.into();
        check_len("tag", &tag, 1, 200)?;
        self.tag = Some(tag);
        Ok(self)
    }

    /// Also delivers the events to this webhook.
    pub fn webhook(mut self, webhook: WebhookConfigId) -> Self {
        self.webhook_id = Some(webhook);
        self
    }

    /// The event type.
    pub fn event_type(&self) -> &ActivityEventType {
        &self.event_type
    }

    /// The filter.
    pub fn filter(&self) -> &SubscriptionFilter {
        &self.filter
    }
}

/// The body of `PUT /2/activity/subscriptions/{id}` (`UpdateActivitySubscriptionRequest`):
/// a new tag and/or webhook (changing the filter or type means a new subscription).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UpdateSubscriptionRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    webhook_id: Option<WebhookConfigId>,
}

impl UpdateSubscriptionRequest {
    /// An update of the tag and/or the webhook.
    ///
    /// # Errors
    ///
    /// [`ActivityBodyError::EmptyUpdate`] when both are `None`; [`ActivityBodyError::Length`]
    /// for a tag outside 1..=200 characters.
    pub fn new(
        tag: Option<String>,
        webhook_id: Option<WebhookConfigId>,
    ) -> Result<Self, ActivityBodyError> {
        if tag.is_none() && webhook_id.is_none() {
            return Err(ActivityBodyError::EmptyUpdate);
        }
        if let Some(t) = &tag {
            check_len("tag", t, 1, 200)?;
        }
        Ok(UpdateSubscriptionRequest { tag, webhook_id })
    }
}

/// The body of `POST /2/webhooks` (`CreateWebhooksRequest`): the URL X posts events to.
///
/// X requires a public `https://` URL without a port; the check here is only that the URL
/// is absolute `http(s)` and 1..=200 characters (a sandbox on loopback uses `http://`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CreateWebhookRequest {
    url: String,
}

impl CreateWebhookRequest {
    /// A registration of `url`.
    ///
    /// # Errors
    ///
    /// [`ActivityBodyError::Length`] outside 1..=200 characters; [`ActivityBodyError::Url`]
    /// unless it starts with `https://` or `http://` followed by a host.
    pub fn new(url: impl Into<String>) -> Result<Self, ActivityBodyError> {
        let url = url.into();
        check_len("url", &url, 1, 200)?;
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        let host_ok = rest.is_some_and(|r| {
            let host = r.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty() && !host.contains(char::is_whitespace)
        });
        if !host_ok || url.contains(char::is_whitespace) {
            return Err(ActivityBodyError::Url {
                url: truncate(&url, 60),
            });
        }
        Ok(CreateWebhookRequest { url })
    }

    /// The URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// A replay bound: a UTC minute, written `yyyymmddhhmm` (`^[0-9]{12}$`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReplayTime(OffsetDateTime);

impl ReplayTime {
    /// The minute `instant` falls in (seconds dropped).
    pub fn from_datetime(instant: OffsetDateTime) -> Self {
        let utc = instant.to_offset(time::UtcOffset::UTC);
        let minute = utc
            .replace_second(0)
            .and_then(|t| t.replace_nanosecond(0))
            .unwrap_or(utc);
        ReplayTime(minute)
    }

    /// The instant (the start of the minute, UTC).
    pub fn datetime(&self) -> OffsetDateTime {
        self.0
    }
}

impl FromStr for ReplayTime {
    type Err = ActivityBodyError;

    /// Parses `yyyymmddhhmm` (UTC).
    fn from_str(s: &str) -> Result<Self, ActivityBodyError> {
        let bad = || ActivityBodyError::ReplayTime {
            value: truncate(s, 40),
        };
        if s.len() != 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let n = |a: usize, b: usize| s[a..b].parse::<u16>().map_err(|_| bad());
        let month = time::Month::try_from(n(4, 6)? as u8).map_err(|_| bad())?;
        let date = time::Date::from_calendar_date(i32::from(n(0, 4)?), month, n(6, 8)? as u8)
            .map_err(|_| bad())?;
        let t = time::Time::from_hms(n(8, 10)? as u8, n(10, 12)? as u8, 0).map_err(|_| bad())?;
        Ok(ReplayTime(date.with_time(t).assume_utc()))
    }
}

impl fmt::Display for ReplayTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        write!(
            f,
            "{:04}{:02}{:02}{:02}{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        )
    }
}

impl Serialize for ReplayTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The body of `POST /2/webhooks/replay` (`CreateWebhookReplayJobRequest`): every event
/// delivered or attempted to `webhook_id` between two UTC minutes (both inclusive per the
/// spec), within the last 24 hours.
///
/// ```
/// use dm_model::activity::ReplayRequest;
///
/// let body = ReplayRequest::new("1234567890".parse()?, "202608221200".parse()?, "202608221330".parse()?)?;
/// assert_eq!(
///     serde_json::to_string(&body)?,
///     r#"{"webhook_id":"1234567890","from_date":"202608221200","to_date":"202608221330"}"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReplayRequest {
    webhook_id: WebhookConfigId,
    from_date: ReplayTime,
    to_date: ReplayTime,
}

impl ReplayRequest {
    /// A replay of `webhook_id` from `from` to `to`.
    ///
    /// # Errors
    ///
    /// [`ActivityBodyError::ReplayWindow`] when `to` is before `from`.
    pub fn new(
        webhook_id: WebhookConfigId,
        from: ReplayTime,
        to: ReplayTime,
    ) -> Result<Self, ActivityBodyError> {
        if to < from {
            return Err(ActivityBodyError::ReplayWindow {
                from: from.to_string(),
                to: to.to_string(),
            });
        }
        Ok(ReplayRequest {
            webhook_id,
            from_date: from,
            to_date: to,
        })
    }

    /// The webhook.
    pub fn webhook_id(&self) -> &WebhookConfigId {
        &self.webhook_id
    }
}
