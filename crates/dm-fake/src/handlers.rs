//! The DM operations: lookups, get, delete, sends, group creation, media, block/unblock.

use bytes::Bytes;
use serde_json::{Map, Value, json};

use crate::dataset::{ConvRec, Cursor, EventRec, Kind, MULTI, MediaRec, NONE, Scope, Store};
use crate::params::{self, ListQuery};
use crate::problem;
use crate::reply::Reply;
use crate::token;

/// Options that shape lookups.
#[derive(Clone, Debug)]
pub(crate) struct LookupOptions {
    pub token_secret: u64,
    pub trailing_empty_page: bool,
}

fn scope_key(scope: &Scope) -> String {
    match scope {
        Scope::All => "all".to_owned(),
        Scope::Conversation(c) => format!("c:{c}"),
        Scope::WithParticipant(u) => format!("w:{u}"),
    }
}

/// `GET` a page of events. `repeat_token` makes `next_token` equal to the requested token.
pub(crate) fn list(
    store: &Store,
    opts: &LookupOptions,
    scope: &Scope,
    q: &ListQuery,
    repeat_token: bool,
) -> Reply {
    let key = scope_key(scope);
    let cursor = match &q.pagination_token {
        None => Cursor::Head,
        Some(t) => match token::decode_cursor(opts.token_secret, &key, t) {
            Some(c) => c,
            None => {
                return Reply::problem(
                    400,
                    &problem::invalid_request(
                        "pagination_token",
                        t,
                        format!("The `pagination_token` query parameter value [{t}] is not valid"),
                    ),
                );
            }
        },
    };
    let Some(conv) = store.scope_conv(scope) else {
        return Reply::json(200, &json!({"meta": {"result_count": 0}}));
    };
    let page = store.page(conv, cursor, q.max_results, q.types);
    if page.events.is_empty() {
        return Reply::json(200, &json!({"meta": {"result_count": 0}}));
    }
    let (data, includes, errors) = store.render_events(&page.events, &q.selection);
    let mut meta = Map::new();
    meta.insert("result_count".into(), json!(data.len()));
    let first = page
        .events
        .first()
        .and_then(|i| store.events.get(*i as usize))
        .map_or(0, |e| e.id);
    let last = page
        .events
        .last()
        .and_then(|i| store.events.get(*i as usize))
        .map_or(0, |e| e.id);
    if repeat_token && q.pagination_token.is_some() {
        meta.insert("next_token".into(), json!(q.pagination_token));
    } else if page.more_older || opts.trailing_empty_page {
        meta.insert(
            "next_token".into(),
            json!(token::encode_cursor(
                opts.token_secret,
                &key,
                Cursor::Before(last)
            )),
        );
    }
    meta.insert(
        "previous_token".into(),
        json!(token::encode_cursor(
            opts.token_secret,
            &key,
            Cursor::After(first)
        )),
    );
    let mut body = Map::new();
    body.insert("data".into(), Value::Array(data));
    if !includes.is_empty() {
        body.insert("includes".into(), Value::Object(includes));
    }
    if !errors.is_empty() {
        body.insert("errors".into(), Value::Array(errors));
    }
    body.insert("meta".into(), Value::Object(meta));
    Reply::json(200, &Value::Object(body))
}

/// `GET /2/dm_events/{event_id}`.
pub(crate) fn get_event(store: &Store, id: u64, q: &ListQuery) -> Reply {
    let Some(idx) = store.event_index(id) else {
        return Reply::json(
            200,
            &json!({"errors": [problem::not_found("event_id", &id.to_string(), "dm_event")]}),
        );
    };
    let (data, includes, errors) = store.render_events(&[idx], &q.selection);
    let mut body = Map::new();
    if let Some(d) = data.into_iter().next() {
        body.insert("data".into(), d);
    }
    if !includes.is_empty() {
        body.insert("includes".into(), Value::Object(includes));
    }
    if !errors.is_empty() {
        body.insert("errors".into(), Value::Array(errors));
    }
    Reply::json(200, &Value::Object(body))
}

/// `DELETE /2/dm_events/{event_id}`.
pub(crate) fn delete_event(store: &mut Store, id: u64) -> Reply {
    let Some(idx) = store.event_index(id) else {
        return Reply::problem(
            404,
            &problem::not_found("event_id", &id.to_string(), "dm_event"),
        );
    };
    let me = store.me;
    match store.events.get_mut(idx as usize) {
        Some(e) if e.kind == Kind::Message && e.sender == me => {
            e.deleted = true;
            Reply::json(200, &json!({"data": {"deleted": true}}))
        }
        _ => Reply::problem(
            403,
            &problem::not_authorized("event_id", &id.to_string(), "dm_event"),
        ),
    }
}

/// A validated message body: text and at most one media id.
struct Message {
    text: Option<String>,
    media_id: Option<u64>,
    /// The attachment's media kind (0 photo, 1 video, 2 animated GIF), once checked.
    media_kind: u8,
}

/// Whether the user may attach a media id: its kind, or why not (see `upload::Uploads`).
pub(crate) type AttachCheck<'a> = &'a dyn Fn(u64) -> Result<u8, &'static str>;

/// Checks the attachment of `m`; `Err` is the API's 403.
fn check_attachment(m: &mut Message, attach: AttachCheck<'_>) -> Result<(), Reply> {
    if let Some(id) = m.media_id {
        match attach(id) {
            Ok(kind) => m.media_kind = kind,
            Err(why) => {
                tracing::debug!(media_id = id, why, "dm-fake: attachment refused");
                return Err(Reply::problem(403, &crate::upload::attach_refused()));
            }
        }
    }
    Ok(())
}

fn parse_message(v: &Value, path: &str) -> Result<Message, Value> {
    let at = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path}.{k}")
        }
    };
    let Some(obj) = v.as_object() else {
        return Err(problem::invalid_body(format!(
            "`{}` must be a JSON object",
            if path.is_empty() { "$" } else { path }
        )));
    };
    if let Some(k) = obj.keys().find(|k| *k != "text" && *k != "attachments") {
        return Err(problem::invalid_body(format!(
            "`{}` is not a known property",
            at(k)
        )));
    }
    let text = match obj.get("text") {
        None => None,
        Some(Value::String(s)) => {
            let n = s.chars().count();
            if n == 0 || n > 10_000 {
                return Err(problem::invalid_body(format!(
                    "`{}` must be 1 to 10000 characters, got {n}",
                    at("text")
                )));
            }
            Some(s.clone())
        }
        Some(_) => {
            return Err(problem::invalid_body(format!(
                "`{}` must be a string",
                at("text")
            )));
        }
    };
    let media_id = match obj.get("attachments") {
        None => None,
        Some(Value::Array(a)) if a.len() == 1 => {
            let id = a
                .first()
                .and_then(|m| m.get("media_id"))
                .and_then(Value::as_str)
                .unwrap_or("");
            match params::numeric_id("media_id", id) {
                Ok(n) => Some(n),
                Err(_) => {
                    return Err(problem::invalid_body(format!(
                        "`{}` must match ^[0-9]{{1,19}}$",
                        at("attachments[0].media_id")
                    )));
                }
            }
        }
        Some(_) => {
            return Err(problem::invalid_body(format!(
                "`{}` must be an array of exactly one {{\"media_id\"}}",
                at("attachments")
            )));
        }
    };
    if text.is_none() && media_id.is_none() {
        return Err(problem::invalid_body(format!(
            "`{}` needs `text` or `attachments`",
            if path.is_empty() { "$" } else { path }
        )));
    }
    Ok(Message {
        text,
        media_id,
        media_kind: 0,
    })
}

fn parse_json(body: &[u8]) -> Result<Value, Value> {
    if body.is_empty() {
        return Err(problem::invalid_body(
            "The request body is required".to_owned(),
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| problem::invalid_body(format!("The request body is not valid JSON: {e}")))
}

fn created(base_url: &str, conv: &str, event: u64) -> Reply {
    Reply::json(
        201,
        &json!({"data": {"dm_conversation_id": conv, "dm_event_id": event.to_string()}}),
    )
    .header("location", format!("{base_url}/2/dm_events/\"{event}\""))
}

/// The media table index of `media_id`: the known record when there is one (one media id is
/// one media object, so `includes.media` lists it once), else a new record of `kind`.
fn media_for(store: &mut Store, media_id: u64, kind: u8) -> u32 {
    // Newest first: a re-sent attachment is most likely a recent one.
    if let Some(i) = store.media.iter().rposition(|m| m.media_id == media_id) {
        return i as u32;
    }
    store.media.push(MediaRec {
        media_id,
        kind,
        width: 1200,
        height: 675,
        duration_ms: if kind == 1 { 4_000 } else { 0 },
        raw: None,
    });
    (store.media.len() - 1) as u32
}

fn add_message(store: &mut Store, conv: u32, m: Message, id: u64) -> u64 {
    let mut e = EventRec {
        id,
        conv,
        sender: store.me,
        text: NONE,
        people: NONE,
        media: NONE,
        tweet: NONE,
        kind: Kind::Message,
        deleted: false,
    };
    if let Some(t) = m.text {
        // A shared Post link becomes a referenced Post, like the live API.
        if let Some(tid) = t
            .split("/status/")
            .nth(1)
            .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|d| d.parse::<u64>().ok())
            && let Some(i) = store.tweet_by_id.get(&tid)
        {
            e.tweet = *i;
        }
        e.text = store.custom_text(t);
    }
    if let Some(media_id) = m.media_id {
        e.media = media_for(store, media_id, m.media_kind);
    }
    store.push_event(e)
}

/// `POST /2/dm_conversations/with/{participant_id}/messages`.
pub(crate) fn send_to_participant(
    store: &mut Store,
    now_ms: i64,
    base_url: &str,
    participant: u64,
    body: &[u8],
    attach: AttachCheck<'_>,
) -> Reply {
    let mut m = match parse_json(body).and_then(|v| parse_message(&v, "")) {
        Ok(m) => m,
        Err(p) => return Reply::problem(400, &p),
    };
    if participant == store.me_id() {
        return Reply::problem(
            400,
            &problem::invalid_request(
                "participant_id",
                &participant.to_string(),
                "You cannot send a Direct Message to yourself".to_owned(),
            ),
        );
    }
    if store.blocked.contains(&participant) {
        return Reply::problem(403, &problem::blocked_recipient());
    }
    if let Err(r) = check_attachment(&mut m, attach) {
        return r;
    }
    let other = store.user_or_create(participant);
    let conv = store.one_to_one_or_create(other);
    let id = store.next_id(now_ms);
    let event = add_message(store, conv, m, id);
    let conv_id = store
        .convs
        .get(conv as usize)
        .map(|c| c.id.clone())
        .unwrap_or_default();
    created(base_url, &conv_id, event)
}

/// `POST /2/dm_conversations/{dm_conversation_id}/messages`.
pub(crate) fn send_to_conversation(
    store: &mut Store,
    now_ms: i64,
    base_url: &str,
    conv_id: &str,
    body: &[u8],
    attach: AttachCheck<'_>,
) -> Reply {
    let mut m = match parse_json(body).and_then(|v| parse_message(&v, "")) {
        Ok(m) => m,
        Err(p) => return Reply::problem(400, &p),
    };
    let conv = match store.conv_by_id.get(conv_id) {
        Some(c)
            if store
                .convs
                .get(*c as usize)
                .is_some_and(|c| c.members.contains(&store.me)) =>
        {
            *c
        }
        Some(_) => {
            return Reply::problem(
                403,
                &problem::not_authorized("dm_conversation_id", conv_id, "dm_conversation"),
            );
        }
        None => {
            // A canonical 1-1 id (`{low}-{high}`, no sign or leading zeros) that includes the
            // user starts that conversation.
            let me = store.me_id();
            let other = conv_id.split_once('-').and_then(|(a, b)| {
                let (a, b) = (a.parse::<u64>().ok()?, b.parse::<u64>().ok()?);
                (a < b && (a == me || b == me) && conv_id == format!("{a}-{b}"))
                    .then_some(if a == me { b } else { a })
            });
            match other {
                Some(o) if store.blocked.contains(&o) => {
                    return Reply::problem(403, &problem::blocked_recipient());
                }
                Some(o) => {
                    let u = store.user_or_create(o);
                    store.one_to_one_or_create(u)
                }
                None => {
                    return Reply::problem(
                        403,
                        &problem::not_authorized("dm_conversation_id", conv_id, "dm_conversation"),
                    );
                }
            }
        }
    };
    if one_to_one_with_blocked(store, conv) {
        return Reply::problem(403, &problem::blocked_recipient());
    }
    if let Err(r) = check_attachment(&mut m, attach) {
        return r;
    }
    let id = store.next_id(now_ms);
    let event = add_message(store, conv, m, id);
    created(base_url, conv_id, event)
}

/// `true` when `conv` is a one-to-one conversation whose other participant the user blocked.
fn one_to_one_with_blocked(store: &Store, conv: u32) -> bool {
    store.convs.get(conv as usize).is_some_and(|c| {
        !c.group
            && c.members
                .iter()
                .any(|m| *m != store.me && store.blocked.contains(&store.user_id(*m)))
    })
}

/// `POST /2/dm_conversations`.
pub(crate) fn create_group(
    store: &mut Store,
    now_ms: i64,
    base_url: &str,
    body: &[u8],
    attach: AttachCheck<'_>,
) -> Reply {
    let v = match parse_json(body) {
        Ok(v) => v,
        Err(p) => return Reply::problem(400, &p),
    };
    let Some(obj) = v.as_object() else {
        return Reply::problem(
            400,
            &problem::invalid_body("`$` must be a JSON object".into()),
        );
    };
    if let Some(k) = obj
        .keys()
        .find(|k| !["conversation_type", "participant_ids", "message"].contains(&k.as_str()))
    {
        return Reply::problem(
            400,
            &problem::invalid_body(format!("`{k}` is not a known property")),
        );
    }
    if obj.get("conversation_type").and_then(Value::as_str) != Some("Group") {
        return Reply::problem(
            400,
            &problem::invalid_body("`conversation_type` must be \"Group\" (case sensitive)".into()),
        );
    }
    let ids = match obj.get("participant_ids").and_then(Value::as_array) {
        Some(a) if (2..=49).contains(&a.len()) => a,
        _ => {
            return Reply::problem(
                400,
                &problem::invalid_body(
                    "`participant_ids` must be an array of 2 to 49 user ids".into(),
                ),
            );
        }
    };
    let mut users = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let parsed = id
            .as_str()
            .map(|s| params::numeric_id("participant_ids", s));
        match parsed {
            Some(Ok(n)) if users.contains(&n) => {
                return Reply::problem(
                    400,
                    &problem::invalid_body(format!(
                        "`participant_ids` must not contain duplicates (uniqueItems): [{n}] is given more than once"
                    )),
                );
            }
            Some(Ok(n)) if n != store.me_id() => users.push(n),
            _ => {
                return Reply::problem(
                    400,
                    &problem::invalid_body(format!(
                        "`participant_ids[{i}]` must be another user's id (^[0-9]{{1,19}}$)"
                    )),
                );
            }
        }
    }
    let mut m = match obj.get("message").map(|m| parse_message(m, "message")) {
        Some(Ok(m)) => m,
        Some(Err(p)) => return Reply::problem(400, &p),
        None => return Reply::problem(400, &problem::invalid_body("`message` is required".into())),
    };
    if users.iter().any(|u| store.blocked.contains(u)) {
        return Reply::problem(403, &problem::blocked_recipient());
    }
    if let Err(r) = check_attachment(&mut m, attach) {
        return r;
    }
    let invited: Vec<u32> = users.into_iter().map(|u| store.user_or_create(u)).collect();
    let conv_num = store.next_id(now_ms);
    let conv_id = conv_num.to_string();
    let conv = store.convs.len() as u32;
    let mut members = vec![store.me];
    members.extend(invited.iter().copied());
    store.convs.push(ConvRec {
        id: conv_id.clone(),
        group: true,
        members,
        events: Vec::new(),
    });
    store.conv_by_id.insert(conv_id.clone(), conv);
    let people = MULTI | store.people.len() as u32;
    store.people.push(invited);
    let me = store.me;
    store.push_event(EventRec {
        id: conv_num + 1,
        conv,
        sender: me,
        text: NONE,
        people,
        media: NONE,
        tweet: NONE,
        kind: Kind::Join,
        deleted: false,
    });
    let event = add_message(store, conv, m, conv_num + 4);
    created(base_url, &conv_id, event)
}

/// `GET /2/dm_conversations/media/{dm_id}/{media_id}/{resource_id}`.
pub(crate) fn download_media(store: &Store, dm_id: u64, media_id: u64) -> Reply {
    let media = store
        .event_index(dm_id)
        .and_then(|i| store.events.get(i as usize))
        .and_then(|e| store.media.get(e.media as usize));
    match media {
        Some(m) if m.media_id == media_id => {
            Reply::raw(200, "application/octet-stream", media_bytes(media_id))
        }
        _ => Reply::problem(
            404,
            &problem::not_found("media_id", &media_id.to_string(), "media"),
        ),
    }
}

/// Deterministic bytes for a media id: a JPEG-looking blob of 4 KiB.
pub fn media_bytes(media_id: u64) -> Bytes {
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE0];
    let mut x = media_id;
    while out.len() < 4094 {
        x = crate::clock::mix(x);
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(4094);
    out.extend_from_slice(&[0xFF, 0xD9]);
    Bytes::from(out)
}

/// `POST /2/users/{id}/dm/block` and `/unblock`.
pub(crate) fn block(store: &mut Store, user: u64, blocked: bool) -> Reply {
    if blocked {
        store.blocked.insert(user);
    } else {
        store.blocked.remove(&user);
    }
    Reply::json(200, &json!({"data": {"blocked": blocked}}))
}
