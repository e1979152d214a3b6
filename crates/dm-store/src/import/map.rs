//! From archive items to [`DmEvent`]s: the mapping documented in `docs/archive-format.md`.

use dm_model::{DmConversationId, DmEvent, DmEventId, Media, Timestamp, UserId};
use serde_json::{Map, Value, json};

use super::ImportError;

/// What an item becomes.
pub(crate) struct Mapped {
    /// The event's JSON, without `id` when the id is made (see [`Id`]).
    pub json: Map<String, Value>,
    pub id: Id,
    /// The item's time in Unix milliseconds (0 when it has none).
    pub time_ms: i64,
    /// The media objects it attaches.
    pub media: Vec<Media>,
    /// Its media files in the archive.
    pub files: Vec<MediaRef>,
    /// The item as found (`{"kind": {...}}`), kept beside the event.
    pub archive: Value,
}

/// An event's id: the item's own, or made (see `crate::synthetic`).
pub(crate) enum Id {
    Real(DmEventId),
    Made {
        /// `conversation \n kind \n createdAt \n item JSON` hashed.
        hash: u32,
        /// The item's JSON (members sorted), to tell colliding items apart.
        key: String,
    },
}

/// A media file an archive message refers to.
pub(crate) struct MediaRef {
    /// The media key, or `file:NAME`.
    pub key: String,
    /// The media URL the archive gives.
    pub url: String,
    /// The file names it may have in the archive (tried in order).
    pub candidates: Vec<String>,
}

/// What the mapping needs to know about the whole archive.
pub(crate) struct Context<'a> {
    /// The account owner, when known (`account.js`, or the user in every one-to-one id).
    pub owner: Option<&'a UserId>,
    /// The archive's data folder prefix (`data/`, or `x/data/`).
    pub data: &'a str,
}

/// Where an item is, for errors.
pub(crate) struct At<'a> {
    pub file: &'a str,
    pub path: String,
}

impl At<'_> {
    fn bad(&self, member: &str, reason: impl Into<String>) -> ImportError {
        ImportError::Invalid {
            file: self.file.to_owned(),
            path: format!("{}{member}", self.path),
            reason: reason.into(),
        }
    }
}

fn str_member<'v>(o: &'v Map<String, Value>, key: &str) -> Option<&'v str> {
    o.get(key).and_then(Value::as_str)
}

fn user_id(at: &At<'_>, o: &Map<String, Value>, key: &str) -> Result<Option<UserId>, ImportError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => UserId::parse(s)
            .map(Some)
            .map_err(|e| at.bad(&format!(".{key}"), e.to_string())),
        Some(_) => Err(at.bad(&format!(".{key}"), "not a string")),
    }
}

fn user_ids(at: &At<'_>, o: &Map<String, Value>, key: &str) -> Result<Vec<UserId>, ImportError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str()
                    .ok_or_else(|| at.bad(&format!(".{key}[{i}]"), "not a string"))
                    .and_then(|s| {
                        UserId::parse(s).map_err(|e| at.bad(&format!(".{key}[{i}]"), e.to_string()))
                    })
            })
            .collect(),
        Some(_) => Err(at.bad(&format!(".{key}"), "not an array")),
    }
}

/// `createdAt`, as given and in Unix milliseconds.
fn created_at(at: &At<'_>, o: &Map<String, Value>) -> Result<Option<(String, i64)>, ImportError> {
    match o.get("createdAt") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let t = Timestamp::parse(s).map_err(|e| at.bad(".createdAt", e.to_string()))?;
            let ms = i64::try_from(t.datetime().unix_timestamp_nanos() / 1_000_000)
                .map_err(|_| at.bad(".createdAt", "out of range"))?;
            Ok(Some((s.clone(), ms)))
        }
        Some(_) => Err(at.bad(".createdAt", "not a string")),
    }
}

/// `conversationNameUpdate` → `ConversationNameUpdate`.
fn event_type_of(kind: &str) -> String {
    let mut c = kind.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => "ArchiveItem".into(),
    }
}

/// The JSON text of a value with its members sorted (serde_json's map is ordered by key).
fn canonical(v: &Value) -> String {
    v.to_string()
}

/// Maps one item of conversation `conv` (group or one-to-one) found at `at`.
pub(crate) fn item(
    ctx: &Context<'_>,
    at: &At<'_>,
    conv: &DmConversationId,
    group: bool,
    headers: bool,
    value: &Value,
) -> Result<Mapped, ImportError> {
    let single = value
        .as_object()
        .filter(|o| o.len() == 1)
        .and_then(|o| o.iter().next())
        .and_then(|(k, v)| v.as_object().map(|o| (k.as_str(), o)));
    let Some((kind, o)) = single else {
        // Not the one-key shape: kept whole as an event of its own, without a time.
        return Ok(made(conv, "archiveItem", None, value, Map::new()));
    };
    let at = At {
        file: at.file,
        path: format!("{}.{kind}", at.path),
    };
    let when = created_at(&at, o)?;
    match kind {
        "messageCreate" | "welcomeMessageCreate" => {
            message(ctx, &at, conv, group, headers, o, when, value)
        }
        "joinConversation" | "participantsJoin" => {
            let initiator = user_id(&at, o, "initiatingUserId")?;
            let mut ids = if kind == "joinConversation" {
                let snapshot = user_ids(&at, o, "participantsSnapshot")?;
                // The owner joined; the snapshot lists everyone then (owner included).
                match ctx.owner {
                    Some(owner) if snapshot.is_empty() || snapshot.contains(owner) => {
                        vec![owner.clone()]
                    }
                    _ => snapshot,
                }
            } else {
                user_ids(&at, o, "userIds")?
            };
            ids.dedup();
            let mut extra = Map::new();
            extra.insert("event_type".into(), json!("ParticipantsJoin"));
            if let Some(i) = initiator {
                extra.insert("sender_id".into(), json!(i));
            }
            extra.insert("participant_ids".into(), json!(ids));
            Ok(made(conv, kind, when, value, extra))
        }
        "participantsLeave" => {
            let ids = user_ids(&at, o, "userIds")?;
            let mut extra = Map::new();
            extra.insert("event_type".into(), json!("ParticipantsLeave"));
            extra.insert("participant_ids".into(), json!(ids));
            Ok(made(conv, kind, when, value, extra))
        }
        _ => {
            // conversationNameUpdate, reactionCreate (≤ 2020), and kinds this version does
            // not know: an event of their own type; the item stays beside it.
            let sender = match user_id(&at, o, "senderId")? {
                Some(s) => Some(s),
                None => user_id(&at, o, "initiatingUserId")?,
            };
            let mut extra = Map::new();
            extra.insert("event_type".into(), json!(event_type_of(kind)));
            if let Some(s) = sender {
                extra.insert("sender_id".into(), json!(s));
            }
            Ok(made(conv, kind, when, value, extra))
        }
    }
}

/// An event with a made id.
fn made(
    conv: &DmConversationId,
    kind: &str,
    when: Option<(String, i64)>,
    value: &Value,
    mut extra: Map<String, Value>,
) -> Mapped {
    let key = canonical(value);
    let (created, ms) = match &when {
        Some((s, ms)) => (s.as_str(), *ms),
        None => ("", 0),
    };
    let hash = crate::synthetic::item_hash(conv.as_str(), kind, created, &key);
    extra
        .entry("event_type")
        .or_insert_with(|| json!(event_type_of(kind)));
    extra.insert("dm_conversation_id".into(), json!(conv));
    if let Some((s, _)) = &when {
        extra.insert("created_at".into(), json!(s));
    }
    Mapped {
        json: extra,
        id: Id::Made { hash, key },
        time_ms: ms,
        media: Vec::new(),
        files: Vec::new(),
        archive: value.clone(),
    }
}

/// What a media URL names: the media key prefix, type and media id.
fn parse_media_url(url: &str) -> Option<(&'static str, u32, &str)> {
    let no_query = url.split(['?', '#']).next()?;
    let path = no_query
        .strip_prefix("https://")
        .or_else(|| no_query.strip_prefix("http://"))?;
    let (host, path) = path.split_once('/')?;
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let digits = |s: &&str| !s.is_empty() && s.len() <= 19 && s.bytes().all(|b| b.is_ascii_digit());
    if host.ends_with("twimg.com") {
        match segs.as_slice() {
            ["dm_gif", id, ..] if digits(id) => return Some(("animated_gif", 16, id)),
            ["dm_video", id, ..] if digits(id) => return Some(("video", 7, id)),
            _ => {}
        }
    }
    // ton.twitter.com/dm/<msg>/<media>/<name>, also …/1.1/ton/data/dm/<msg>/<media>/<name>
    let dm = segs.iter().position(|s| *s == "dm")?;
    match segs.get(dm + 1..dm + 4) {
        Some([msg, media, _name]) if digits(msg) && digits(media) => Some(("photo", 3, media)),
        _ => None,
    }
}

#[allow(clippy::too_many_arguments)]
fn message(
    ctx: &Context<'_>,
    at: &At<'_>,
    conv: &DmConversationId,
    group: bool,
    headers: bool,
    o: &Map<String, Value>,
    when: Option<(String, i64)>,
    value: &Value,
) -> Result<Mapped, ImportError> {
    let id = match o.get("id") {
        Some(Value::String(s)) => DmEventId::parse(s).map_err(|e| at.bad(".id", e.to_string()))?,
        Some(_) => return Err(at.bad(".id", "not a string")),
        None => return Err(at.bad(".id", "missing: every message has an id")),
    };
    let sender = user_id(at, o, "senderId")?;
    user_id(at, o, "recipientId")?;
    let text = match o.get("text") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(at.bad(".text", "not a string")),
    };
    let mut ev = Map::new();
    ev.insert("id".into(), json!(id));
    ev.insert("event_type".into(), json!("MessageCreate"));
    ev.insert("dm_conversation_id".into(), json!(conv));
    if let Some((s, _)) = &when {
        ev.insert("created_at".into(), json!(s));
    }
    if let Some(s) = &sender {
        ev.insert("sender_id".into(), json!(s));
    }
    if let Some(t) = &text {
        ev.insert("text".into(), json!(t));
    }
    // Media: a media object and its archive file per URL.
    let mut media = Vec::new();
    let mut files = Vec::new();
    let mut keys = Vec::new();
    let folders = if group {
        ["direct_messages_group_media", "direct_messages_media"]
    } else {
        ["direct_messages_media", "direct_messages_group_media"]
    };
    if let Some(urls) = o.get("mediaUrls").and_then(Value::as_array) {
        for (i, u) in urls.iter().enumerate() {
            let Some(url) = u.as_str() else {
                return Err(at.bad(&format!(".mediaUrls[{i}]"), "not a string"));
            };
            let last = url
                .split(['?', '#'])
                .next()
                .unwrap_or("")
                .rsplit('/')
                .next()
                .unwrap_or("");
            let name = format!("{id}-{last}");
            let candidates = folders
                .iter()
                .map(|f| format!("{}{f}/{name}", ctx.data))
                .collect();
            match parse_media_url(url) {
                Some((kind, prefix, media_id)) => {
                    let key = format!("{prefix}_{media_id}");
                    let object = if kind == "photo" {
                        json!({"media_key": key, "type": kind, "url": url})
                    } else {
                        json!({"media_key": key, "type": kind,
                               "variants": [{"content_type": "video/mp4", "url": url}]})
                    };
                    media.push(
                        serde_json::from_value::<Media>(object)
                            .map_err(|e| at.bad(&format!(".mediaUrls[{i}]"), e.to_string()))?,
                    );
                    keys.push(key.clone());
                    files.push(MediaRef {
                        key,
                        url: url.to_owned(),
                        candidates,
                    });
                }
                None => files.push(MediaRef {
                    key: format!("file:{name}"),
                    url: url.to_owned(),
                    candidates,
                }),
            }
        }
    }
    if !keys.is_empty() {
        ev.insert("attachments".into(), json!({"media_keys": keys}));
    }
    // URLs as entities, located in the text where they can be.
    if let Some(urls) = o.get("urls").and_then(Value::as_array)
        && !urls.is_empty()
    {
        let text = text.as_deref().unwrap_or("");
        let mut from = 0usize;
        let mut entities = Vec::new();
        for u in urls {
            let Some(u) = u.as_object() else { continue };
            let mut e = Map::new();
            if let Some(url) = str_member(u, "url") {
                e.insert("url".into(), json!(url));
                if let Some(found) = text.get(from..).and_then(|t| t.find(url)) {
                    let start_byte = from + found;
                    let start = text[..start_byte].chars().count();
                    e.insert("start".into(), json!(start));
                    e.insert("end".into(), json!(start + url.chars().count()));
                    from = start_byte + url.len();
                }
            }
            if let Some(x) = str_member(u, "expanded") {
                e.insert("expanded_url".into(), json!(x));
                let is_media = x.contains("/messages/media/");
                if is_media && let [key] = keys.as_slice() {
                    e.insert("media_key".into(), json!(key));
                }
            }
            if let Some(d) = str_member(u, "display") {
                e.insert("display_url".into(), json!(d));
            }
            entities.push(Value::Object(e));
        }
        ev.insert("entities".into(), json!({"urls": entities}));
    }
    let _ = headers;
    Ok(Mapped {
        json: ev,
        id: Id::Real(id),
        time_ms: when.map_or(0, |(_, ms)| ms),
        media,
        files,
        archive: value.clone(),
    })
}

/// The event of a mapped item with `id`.
pub(crate) fn event(mut json: Map<String, Value>, id: &DmEventId) -> Result<DmEvent, ImportError> {
    json.insert("id".into(), json!(id));
    serde_json::from_value(Value::Object(json)).map_err(|e| ImportError::Invalid {
        file: String::new(),
        path: format!("event {id}"),
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_urls() {
        assert_eq!(
            parse_media_url(
                "https://ton.twitter.com/dm/1508726300420280332/1508726286579126279/XrUh66Jr.png"
            ),
            Some(("photo", 3, "1508726286579126279"))
        );
        assert_eq!(
            parse_media_url("https://ton.twitter.com/1.1/ton/data/dm/1/22/x.jpg"),
            Some(("photo", 3, "22"))
        );
        assert_eq!(
            parse_media_url("https://video.twimg.com/dm_gif/1400821803925348359/X1mN-zc.mp4"),
            Some(("animated_gif", 16, "1400821803925348359"))
        );
        assert_eq!(
            parse_media_url(
                "https://video.twimg.com/dm_video/1663970884246183936/vid/1280x720/X5.mp4?tag=1"
            ),
            Some(("video", 7, "1663970884246183936"))
        );
        assert_eq!(parse_media_url("https://example.com/a.jpg"), None);
        assert_eq!(
            parse_media_url("https://ton.twitter.com/dm/x/y/z.jpg"),
            None
        );
    }

    #[test]
    fn kinds_become_event_types() {
        assert_eq!(
            event_type_of("conversationNameUpdate"),
            "ConversationNameUpdate"
        );
        assert_eq!(event_type_of("reactionCreate"), "ReactionCreate");
        assert_eq!(event_type_of(""), "ArchiveItem");
    }
}
