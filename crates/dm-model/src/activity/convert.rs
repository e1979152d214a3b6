//! The one conversion of a v1.1 `message_create` into the v2 [`DmEvent`], and of the users
//! beside it into v2 [`User`]s, so a message arrives as the same type whichever way it came
//! (a lookup, the X Activity API, the Account Activity API).

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::legacy::{AccountActivityPayload, LegacyDmEvent, LegacyEntities, LegacyMedia};
use crate::decode::decode_value;
use crate::entities::{CashtagEntity, Entities, HashtagEntity, MentionEntity, UrlEntity};
use crate::{
    DecodeError, DmAttachments, DmConversationId, DmEvent, EventType, Includes, MediaKey,
    ReferencedTweet, Timestamp, TweetId, User, UserId, UserPublicMetrics,
};

/// Why a v1.1 event could not be turned into a v2 [`DmEvent`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConvertError {
    /// The event is not a `message_create` (only messages have a v2 `DmEvent` equivalent).
    #[error("a v1.1 DM event of type `{kind}` is not a message (`message_create`)")]
    NotAMessage {
        /// The `type` received (empty when absent).
        kind: String,
    },
    /// A member the conversion needs is absent.
    #[error("the v1.1 DM event has no `{member}`")]
    Missing {
        /// The member's path, e.g. `message_create.sender_id`.
        member: &'static str,
    },
    /// `created_timestamp` is not a number of milliseconds in range.
    #[error("`created_timestamp` `{value}` is not milliseconds since the Unix epoch")]
    Timestamp {
        /// The value received (truncated).
        value: String,
    },
    /// A `users` entry (or a payload) does not have the shape of a user.
    #[error(transparent)]
    Decode(#[from] DecodeError),
}

/// `"1516403560557"` → `2018-01-19T23:12:40.557Z` (UTC, milliseconds, `Z`).
///
/// # Errors
///
/// [`ConvertError::Timestamp`] unless `ms` is decimal milliseconds within the years the
/// `time` crate represents.
pub fn timestamp_from_millis(ms: &str) -> Result<Timestamp, ConvertError> {
    let bad = || ConvertError::Timestamp {
        value: crate::fields::truncate(ms, 40),
    };
    if ms.is_empty() || ms.len() > 18 || !ms.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let millis: i128 = ms.parse().map_err(|_| bad())?;
    let instant =
        OffsetDateTime::from_unix_timestamp_nanos(millis * 1_000_000).map_err(|_| bad())?;
    Ok(Timestamp::from_datetime(instant))
}

impl LegacyDmEvent {
    /// This v1.1 message as the v2 [`DmEvent`] (`spec/x-api-realtime-media-reference.md`
    /// §5.4), so it reads, renders and stores like a looked-up event:
    ///
    /// | v2 member | from the v1.1 event |
    /// |---|---|
    /// | `id` | `id` (the same id space) |
    /// | `event_type` | `MessageCreate` (only `type: "message_create"` converts) |
    /// | `text` | `message_create.message_data.text` |
    /// | `sender_id` | `message_create.sender_id` |
    /// | `dm_conversation_id` | `{low}-{high}` of the sender and `target.recipient_id`, by *numeric* order (a v1.1 event names no group: use a lookup for group messages) |
    /// | `created_at` | `created_timestamp` (ms) as `YYYY-MM-DDTHH:MM:SS.mmmZ` |
    /// | `entities` (nested, only when there are some) | `hashtags` → `hashtags`, `symbols` → `cashtags`, `user_mentions` → `mentions` (`screen_name` → `username`, `id_str` → `id`), `urls` → `urls` (`unwound` → `unwound_url`, `status`, `title`, `description`); `indices` `[s, e]` → `start`, `end`, copied unchanged |
    /// | `attachments.media_keys` | `message_data.attachment.media`: `<code>_<id_str>` with the code of the media type (`photo` 3, `video` 7, `animated_gif` 16). The id part is exact; X's own key may use another code for the same media (the reference shows `5_` on a DM), so look the event up with `dm_event.fields=attachments` when the exact key matters. A media entity of another type gives no key |
    /// | `referenced_tweets` | one `{id}` per URL whose `expanded_url` is an `x.com`/`twitter.com` `/status/<id>` link, in order, without repeats |
    ///
    /// What v2 has no member for (`source_app_id`, `quick_reply_response`, `initiated_via`,
    /// the apps) stays in the v1.1 payload the event came in.
    ///
    /// # Errors
    ///
    /// [`ConvertError::NotAMessage`] for another `type`; [`ConvertError::Missing`] without
    /// `id`, `message_create`, its `sender_id` or `target.recipient_id`;
    /// [`ConvertError::Timestamp`] for a `created_timestamp` that is not milliseconds.
    pub fn to_dm_event(&self) -> Result<DmEvent, ConvertError> {
        let kind = self.r#type.as_deref().unwrap_or("");
        if kind != "message_create" {
            return Err(ConvertError::NotAMessage {
                kind: crate::fields::truncate(kind, 40),
            });
        }
        let id = self
            .id
            .clone()
            .ok_or(ConvertError::Missing { member: "id" })?;
        let create = self.message_create.as_ref().ok_or(ConvertError::Missing {
            member: "message_create",
        })?;
        let sender = create.sender_id.clone().ok_or(ConvertError::Missing {
            member: "message_create.sender_id",
        })?;
        let recipient = create
            .target
            .as_ref()
            .and_then(|t| t.recipient_id.clone())
            .ok_or(ConvertError::Missing {
                member: "message_create.target.recipient_id",
            })?;
        let mut event = DmEvent::new(id, EventType::MessageCreate);
        event.dm_conversation_id = Some(DmConversationId::one_to_one(&sender, &recipient));
        event.sender_id = Some(sender);
        if let Some(ms) = &self.created_timestamp {
            event.created_at = Some(timestamp_from_millis(ms)?);
        }
        if let Some(data) = &create.message_data {
            event.text = data.text.clone();
            if let Some(entities) = &data.entities {
                event.referenced_tweets = referenced_tweets(entities);
                let converted = convert_entities(entities);
                if !(converted.hashtags.is_empty()
                    && converted.cashtags.is_empty()
                    && converted.mentions.is_empty()
                    && converted.urls.is_empty())
                {
                    event.entities = Some(converted);
                }
            }
            if let Some(key) = data
                .attachment
                .as_ref()
                .and_then(|a| a.media.as_ref())
                .and_then(media_key)
            {
                event.attachments = Some(DmAttachments::media(vec![key]));
            }
        }
        Ok(event)
    }

    /// The sender and recipient of a message (`None` when either is absent).
    pub fn participants(&self) -> Option<(&UserId, &UserId)> {
        let create = self.message_create.as_ref()?;
        let recipient = create.target.as_ref()?.recipient_id.as_ref()?;
        Some((create.sender_id.as_ref()?, recipient))
    }
}

fn start_end(indices: &[u32]) -> (Option<u32>, Option<u32>) {
    (indices.first().copied(), indices.get(1).copied())
}

fn convert_entities(e: &LegacyEntities) -> Entities {
    let mut out = Entities::default();
    for h in &e.hashtags {
        let (start, end) = start_end(&h.indices);
        let mut v = HashtagEntity::default();
        (v.start, v.end, v.tag) = (start, end, h.text.clone());
        out.hashtags.push(v);
    }
    for s in &e.symbols {
        let (start, end) = start_end(&s.indices);
        let mut v = CashtagEntity::default();
        (v.start, v.end, v.tag) = (start, end, s.text.clone());
        out.cashtags.push(v);
    }
    for m in &e.user_mentions {
        let (start, end) = start_end(&m.indices);
        let mut v = MentionEntity::default();
        (v.start, v.end) = (start, end);
        v.username = m.screen_name.clone();
        v.id = m.id_str.clone();
        out.mentions.push(v);
    }
    for u in &e.urls {
        let (start, end) = start_end(&u.indices);
        let mut v = UrlEntity::default();
        (v.start, v.end) = (start, end);
        v.url = u.url.clone();
        v.expanded_url = u.expanded_url.clone();
        v.display_url = u.display_url.clone();
        if let Some(w) = &u.unwound {
            v.unwound_url = w.url.clone();
            v.status = w.status;
            v.title = w.title.clone();
            v.description = w.description.clone();
        }
        out.urls.push(v);
    }
    out
}

/// `https://x.com/<user>/status/<id>` (also `twitter.com`, `www.`, `mobile.`, with a query or
/// more path after the id) → the id.
fn status_id(url: &str) -> Option<TweetId> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let (host, path) = rest.split_once('/')?;
    let host = host.to_ascii_lowercase();
    let host = host
        .strip_prefix("www.")
        .or_else(|| host.strip_prefix("mobile."))
        .unwrap_or(&host);
    if host != "x.com" && host != "twitter.com" {
        return None;
    }
    let mut segments = path.split(['/', '?', '#']);
    let _user = segments.next()?;
    if segments.next()? != "status" {
        return None;
    }
    TweetId::parse(segments.next()?).ok()
}

fn referenced_tweets(e: &LegacyEntities) -> Vec<ReferencedTweet> {
    let mut out: Vec<ReferencedTweet> = Vec::new();
    for id in e
        .urls
        .iter()
        .filter_map(|u| u.expanded_url.as_deref().and_then(status_id))
    {
        if !out.iter().any(|r| r.id == id) {
            out.push(ReferencedTweet::new(id));
        }
    }
    out
}

fn media_key(media: &LegacyMedia) -> Option<MediaKey> {
    let code = match media.r#type.as_deref()? {
        "photo" => "3",
        "video" => "7",
        "animated_gif" => "16",
        _ => return None,
    };
    let id = match &media.id_str {
        Some(s) => s.clone(),
        None => media.extra.get("id")?.as_u64()?.to_string(),
    };
    MediaKey::parse(&format!("{code}_{id}")).ok()
}

/// A v1.1 user object (Account Activity `users` values) as a v2 [`User`]: `id`, `name`,
/// `screen_name` → `username`, `description`, `location`, `url`, `protected`, `verified`,
/// `profile_image_url_https` → `profile_image_url`, `created_timestamp` (ms) →
/// `created_at`, `followers_count` / `friends_count` / `statuses_count` →
/// `public_metrics.followers_count` / `following_count` / `tweet_count`. Everything else is
/// dropped (the v1.1 object stays in the payload).
///
/// # Errors
///
/// [`ConvertError::Decode`] when `id` is not a user id or a member has the wrong type;
/// [`ConvertError::Timestamp`] for a bad `created_timestamp`.
pub fn user_from_v1(object: &Map<String, Value>) -> Result<User, ConvertError> {
    let id: UserId = match object.get("id_str").or_else(|| object.get("id")) {
        Some(Value::Number(n)) => decode_value(&Value::String(n.to_string()), "id")?,
        Some(v) => decode_value(v, "id")?,
        None => return Err(ConvertError::Missing { member: "users.id" }),
    };
    let text = |k: &str| object.get(k).and_then(Value::as_str).map(str::to_owned);
    let flag = |k: &str| object.get(k).and_then(Value::as_bool);
    let count = |k: &str| object.get(k).and_then(Value::as_u64);
    let mut user = User::new(id);
    user.name = text("name");
    user.username = text("screen_name");
    user.description = text("description");
    user.location = text("location");
    user.url = text("url");
    user.protected = flag("protected");
    user.verified = flag("verified");
    user.profile_image_url = text("profile_image_url_https");
    if let Some(ms) = object.get("created_timestamp").and_then(Value::as_str) {
        user.created_at = Some(timestamp_from_millis(ms)?);
    }
    if ["followers_count", "friends_count", "statuses_count"]
        .iter()
        .any(|k| object.contains_key(*k))
    {
        let mut m = UserPublicMetrics::default();
        m.followers_count = count("followers_count");
        m.following_count = count("friends_count");
        m.tweet_count = count("statuses_count");
        user.public_metrics = Some(m);
    }
    Ok(user)
}

impl AccountActivityPayload {
    /// The `users` map as v2 users, in map order: `{"data": <v2 User>}` values (X Activity
    /// API) decoded as they are, v1.1 user objects (Account Activity) converted with
    /// [`user_from_v1`]. Non-object values are skipped.
    ///
    /// # Errors
    ///
    /// [`ConvertError`] naming the user that does not decode.
    pub fn includes(&self) -> Result<Includes, ConvertError> {
        let mut includes = Includes::default();
        for (key, value) in self.users.iter().flatten() {
            let Some(object) = value.as_object() else {
                continue;
            };
            let user = match object.get("data") {
                Some(data) => decode_value::<User>(data, &format!("users.{key}.data"))?,
                None => user_from_v1(object)?,
            };
            includes.users.push(user);
        }
        Ok(includes)
    }

    /// Every message of `direct_message_events` as a v2 [`DmEvent`] with the users it
    /// refers to (sender, recipient) as its includes, for the user the delivery is for
    /// (`for_user` when given, else `for_user_id`). Events of another type are skipped.
    ///
    /// # Errors
    ///
    /// The first [`ConvertError`] of a message or of the users.
    pub fn messages(&self, for_user: Option<&UserId>) -> Result<Vec<DmMessage>, ConvertError> {
        let all = if self.direct_message_events.is_empty() {
            Includes::default()
        } else {
            self.includes()?
        };
        let for_user = for_user.or(self.for_user_id.as_ref());
        let mut out = Vec::with_capacity(self.direct_message_events.len());
        for e in &self.direct_message_events {
            if e.r#type.as_deref() != Some("message_create") {
                continue;
            }
            let event = e.to_dm_event()?;
            let mut includes = Includes::default();
            if let Some((sender, recipient)) = e.participants() {
                for id in [sender, recipient] {
                    if let Some(u) = all.user(id)
                        && !includes.users.iter().any(|x| x.id.as_ref() == Some(id))
                    {
                        includes.users.push(u.clone());
                    }
                }
            }
            out.push(DmMessage {
                for_user: for_user.cloned(),
                event,
                includes,
            });
        }
        Ok(out)
    }
}

/// A message delivered in real time, as the v2 event a lookup returns.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct DmMessage {
    /// The user whose subscription delivered it (`filter.user_id`, or `for_user_id`).
    pub for_user: Option<UserId>,
    /// The message.
    pub event: DmEvent,
    /// The sender and recipient as v2 users, when the delivery carried them.
    pub includes: Includes,
}

impl DmMessage {
    /// Whether `for_user` received it (it is not the sender). `false` when `for_user` is
    /// unknown.
    pub fn is_incoming(&self) -> bool {
        match (&self.for_user, &self.event.sender_id) {
            (Some(me), Some(sender)) => me != sender,
            _ => false,
        }
    }
}
