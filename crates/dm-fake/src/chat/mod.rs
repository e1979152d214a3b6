//! X Chat (reference `x-chat-reference.md` §2): public keys, conversations, history with its
//! key changes, conversation keys, messages, typing, read marks and encrypted media.
//!
//! The sandbox is the server side only: it stores what clients post (public keys, wrapped
//! conversation keys, ciphertext, signatures) and relays it as `MessageEvent`s; it holds no
//! key and never decrypts anything. Like the X server it refuses what it can check does not
//! verify ([`verify`]): key bindings, message signatures, key changes that do not match their
//! signed action. Any user of the sandbox (the main token and each
//! [`other_user`](crate::FakeServerBuilder::other_user)) may chat.

mod envelope;
mod verify;

use std::collections::{BTreeMap, HashMap};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use bytes::Bytes;
use serde_json::{Value, json};

use dm_chat::thrift::{MessageEventSignature, ThriftStruct};

use crate::clock::{format_ms, snowflake_floor};
use crate::problem;
use crate::reply::Reply;
use envelope::Envelope;

/// A routed X Chat request with its raw path parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ChatRoute {
    Me,
    RegisterKey(String),
    GetKey(String),
    GetKeys,
    Conversations,
    Conversation(String),
    Events(String),
    Keys(String),
    Send(String),
    Typing(String),
    Read(String),
    /// Deletes, groups and members: routed, answered 501 (not in the sandbox yet).
    NotInSandbox,
    MediaInit,
    MediaAppend(String),
    MediaFinalize(String),
    MediaDownload(String, String),
}

impl ChatRoute {
    pub(crate) fn parse(method: &str, segs: &[&str]) -> Option<ChatRoute> {
        let s = |v: &str| v.to_owned();
        Some(match (method, segs) {
            ("GET", ["2", "users", "me"]) => ChatRoute::Me,
            ("GET", ["2", "users", "public_keys"]) => ChatRoute::GetKeys,
            ("GET", ["2", "users", id, "public_keys"]) => ChatRoute::GetKey(s(id)),
            ("POST", ["2", "users", id, "public_keys"]) => ChatRoute::RegisterKey(s(id)),
            ("GET", ["2", "chat", "conversations"]) => ChatRoute::Conversations,
            ("GET", ["2", "chat", "conversations", id]) => ChatRoute::Conversation(s(id)),
            ("GET", ["2", "chat", "conversations", id, "events"]) => ChatRoute::Events(s(id)),
            ("POST", ["2", "chat", "conversations", "group"]) => ChatRoute::NotInSandbox,
            ("POST", ["2", "chat", "conversations", "group", "initialize"]) => {
                ChatRoute::NotInSandbox
            }
            ("POST", ["2", "chat", "conversations", id, "keys"]) => ChatRoute::Keys(s(id)),
            ("POST", ["2", "chat", "conversations", id, "messages"]) => ChatRoute::Send(s(id)),
            ("POST", ["2", "chat", "conversations", _, "messages", "delete"]) => {
                ChatRoute::NotInSandbox
            }
            ("POST", ["2", "chat", "conversations", _, "members"]) => ChatRoute::NotInSandbox,
            ("POST", ["2", "chat", "conversations", id, "typing"]) => ChatRoute::Typing(s(id)),
            ("POST", ["2", "chat", "conversations", id, "read"]) => ChatRoute::Read(s(id)),
            ("POST", ["2", "chat", "media", "upload", "initialize"]) => ChatRoute::MediaInit,
            ("POST", ["2", "chat", "media", "upload", id, "append"]) => {
                ChatRoute::MediaAppend(s(id))
            }
            ("POST", ["2", "chat", "media", "upload", id, "finalize"]) => {
                ChatRoute::MediaFinalize(s(id))
            }
            ("GET", ["2", "chat", "media", c, k]) => ChatRoute::MediaDownload(s(c), s(k)),
            _ => return None,
        })
    }
}

/// One public-key record as registered.
#[derive(Clone, Debug)]
struct KeyRecord {
    version: String,
    public_key: String,
    signing_public_key: String,
    identity_public_key_signature: String,
}

/// One relayed event.
#[derive(Clone, Debug)]
struct Stored {
    seq: u64,
    message_id: String,
    sender: u64,
    created_ms: i64,
    /// base64 of the `MessageEvent`.
    encoded: String,
}

#[derive(Clone, Debug, Default)]
struct Conversation {
    participants: Vec<u64>,
    created_ms: i64,
    updated_ms: i64,
    /// Messages, oldest first.
    messages: Vec<Stored>,
    /// Key changes, oldest first.
    key_changes: Vec<Stored>,
    /// The conversation key versions posted, oldest first.
    key_versions: Vec<String>,
    read_marks: HashMap<u64, String>,
}

#[derive(Clone, Debug)]
struct Upload {
    conversation: String,
    uploader: u64,
    total: u64,
    segments: BTreeMap<u32, Bytes>,
    finalized: Option<Bytes>,
}

/// A stored message to announce on the X Activity API.
#[derive(Debug)]
pub(crate) struct ChatActivity {
    pub sender: u64,
    pub recipients: Vec<u64>,
    pub payload: Value,
}

/// Everything the sandbox keeps for X Chat.
#[derive(Debug, Default)]
pub(crate) struct ChatState {
    /// Messages stored since the dispatcher last took them (for `chat.received`).
    pub outbox: Vec<ChatActivity>,
    keys: HashMap<u64, Vec<KeyRecord>>,
    conversations: BTreeMap<String, Conversation>,
    uploads: HashMap<String, Upload>,
    last_seq: u64,
    next_session: u64,
}

/// Who is asking.
pub(crate) struct Caller<'a> {
    pub id: u64,
    pub username: &'a str,
    pub name: &'a str,
}

type Handled = Result<Reply, Reply>;

fn bad(param: &str, value: &str, message: impl Into<String>) -> Reply {
    Reply::problem(400, &problem::invalid_request(param, value, message.into()))
}

fn body_error(message: impl Into<String>) -> Reply {
    Reply::problem(400, &problem::invalid_body(message.into()))
}

fn digits(s: &str, max: usize) -> bool {
    !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit())
}

fn user_id(param: &str, v: &str) -> Result<u64, Reply> {
    if digits(v, 19)
        && let Ok(n) = v.parse()
    {
        return Ok(n);
    }
    Err(bad(
        param,
        v,
        format!("The `{param}` value [{v}] does not match ^[0-9]{{1,19}}$"),
    ))
}

fn json_body(body: &[u8]) -> Result<serde_json::Map<String, Value>, Reply> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(body_error(
            "The request body is not a JSON object".to_string(),
        )),
    }
}

fn str_member<'a>(m: &'a serde_json::Map<String, Value>, name: &str) -> Result<&'a str, Reply> {
    match m.get(name).and_then(Value::as_str) {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(body_error(format!(
            "`{name}` is required (a non-empty string)"
        ))),
    }
}

fn b64(s: &str, name: &str) -> Result<Vec<u8>, Reply> {
    let t = s.trim_end_matches('=');
    STANDARD_NO_PAD
        .decode(t)
        .map_err(|_| body_error(format!("`{name}` is not base64")))
}

fn query_pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn query_value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn max_results(pairs: &[(String, String)], default: usize) -> Result<usize, Reply> {
    match query_value(pairs, "max_results") {
        None => Ok(default),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => Ok(n),
            _ => Err(bad(
                "max_results",
                v,
                format!("The `max_results` query parameter value [{v}] is not between 1 and 100"),
            )),
        },
    }
}

/// A page offset carried in an opaque token.
fn offset(pairs: &[(String, String)]) -> Result<usize, Reply> {
    match query_value(pairs, "pagination_token") {
        None => Ok(0),
        Some(t) => t
            .strip_prefix("xchat")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| {
                bad(
                    "pagination_token",
                    t,
                    format!("The `pagination_token` query parameter value [{t}] is not valid"),
                )
            }),
    }
}

impl ChatState {
    fn next_seq(&mut self, now_ms: i64) -> u64 {
        // Snowflake-like: above the SDK's compatibility gate, growing with time.
        let seq = snowflake_floor(now_ms).max(self.last_seq + 1);
        self.last_seq = seq;
        seq
    }

    /// The canonical id (`low:high` or `g…`) of a path id, from `caller`'s side: a peer's
    /// user id, `low-high` (either order) or a group id the caller is in.
    fn resolve(&self, raw: &str, caller: u64) -> Result<String, Reply> {
        let invalid = || {
            bad(
                "id",
                raw,
                format!(
                    "The `id` value [{raw}] does not match ^([0-9]{{1,19}}|[0-9]{{1,19}}-[0-9]{{1,19}}|g[0-9]{{1,19}})$"
                ),
            )
        };
        let key = if let Some(g) = raw.strip_prefix('g') {
            if !digits(g, 19) {
                return Err(invalid());
            }
            raw.to_string()
        } else if let Some((a, b)) = raw.split_once('-') {
            let (a, b) = (
                user_id("id", a).map_err(|_| invalid())?,
                user_id("id", b).map_err(|_| invalid())?,
            );
            if a != caller && b != caller {
                return Err(Reply::problem(
                    403,
                    &problem::not_authorized("id", raw, "conversation"),
                ));
            }
            format!("{}:{}", a.min(b), a.max(b))
        } else {
            let peer = user_id("id", raw).map_err(|_| invalid())?;
            format!("{}:{}", caller.min(peer), caller.max(peer))
        };
        if let Some(c) = self.conversations.get(&key)
            && !c.participants.contains(&caller)
        {
            return Err(Reply::problem(
                403,
                &problem::not_authorized("id", raw, "conversation"),
            ));
        }
        Ok(key)
    }

    fn existing(&self, key: &str, raw: &str) -> Result<&Conversation, Reply> {
        self.conversations
            .get(key)
            .ok_or_else(|| Reply::problem(404, &problem::not_found("id", raw, "conversation")))
    }

    /// The conversation `key`, created (1:1 only) when a key is first posted.
    fn open(&mut self, key: &str, now_ms: i64) -> &mut Conversation {
        self.conversations
            .entry(key.to_string())
            .or_insert_with(|| {
                let participants = key
                    .split_once(':')
                    .map(|(a, b)| vec![a.parse().unwrap_or(0), b.parse().unwrap_or(0)])
                    .unwrap_or_default();
                Conversation {
                    participants,
                    created_ms: now_ms,
                    updated_ms: now_ms,
                    ..Conversation::default()
                }
            })
    }
}

fn path_form(key: &str) -> String {
    key.replace(':', "-")
}

fn event_json(key: &str, e: &Stored, previous: Option<&Stored>) -> Value {
    let mut v = json!({
        "id": e.seq.to_string(),
        "conversation_id": path_form(key),
        "sender_id": e.sender.to_string(),
        "created_at": format_ms(e.created_ms),
        "encoded_event": e.encoded,
        "is_trusted": true,
    });
    if let Some(p) = previous {
        v["previous_id"] = p.seq.to_string().into();
    }
    v
}

fn conversation_json(key: &str, c: &Conversation) -> Value {
    json!({
        "id": path_form(key),
        "type": if key.starts_with('g') { "Group" } else { "OneToOne" },
        "created_at": format_ms(c.created_ms),
        "updated_at": format_ms(c.updated_ms),
        "participant_ids": c.participants.iter().map(u64::to_string).collect::<Vec<_>>(),
    })
}

fn key_json(k: &KeyRecord) -> Value {
    json!({
        "public_key_version": k.version,
        "public_key": k.public_key,
        "signing_public_key": k.signing_public_key,
        "identity_public_key_signature": k.identity_public_key_signature,
    })
}

/// Serves one X Chat request for `caller`.
pub(crate) fn handle(
    state: &mut ChatState,
    route: &ChatRoute,
    caller: &Caller<'_>,
    query: &str,
    body: &[u8],
    now_ms: i64,
) -> Reply {
    let pairs = query_pairs(query);
    let result: Handled = (|| match route {
        ChatRoute::Me => Ok(Reply::json(
            200,
            &json!({"data": {"id": caller.id.to_string(), "name": caller.name, "username": caller.username}}),
        )),
        ChatRoute::RegisterKey(id) => {
            let id = user_id("id", id)?;
            if id != caller.id {
                return Err(Reply::problem(
                    403,
                    &problem::not_authorized("id", &id.to_string(), "user"),
                ));
            }
            let m = json_body(body)?;
            let version = str_member(&m, "version")?;
            let pk = match m.get("public_key") {
                Some(Value::Object(pk)) => pk,
                _ => return Err(body_error("`public_key` is required (an object)")),
            };
            let record = KeyRecord {
                version: String::new(),
                public_key: str_member(pk, "public_key")?.to_string(),
                signing_public_key: str_member(pk, "signing_public_key")?.to_string(),
                identity_public_key_signature: str_member(pk, "identity_public_key_signature")?
                    .to_string(),
            };
            verify::binding(&record).map_err(body_error)?;
            let generate = m
                .get("generate_version")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let records = state.keys.entry(id).or_default();
            let version = if generate {
                // A new version above every earlier one.
                let last = records
                    .iter()
                    .filter_map(|r| r.version.parse::<u64>().ok())
                    .max();
                (now_ms.max(0) as u64)
                    .max(last.map_or(0, |l| l + 1))
                    .to_string()
            } else if digits(version, 40) {
                version.to_string()
            } else {
                return Err(body_error("`version` must be a decimal number"));
            };
            records.retain(|r| r.version != version);
            records.push(KeyRecord {
                version: version.clone(),
                ..record
            });
            Ok(Reply::json(
                200,
                &json!({"data": {"public_key_version": version, "juicebox_config": {}}}),
            ))
        }
        ChatRoute::GetKey(id) => {
            let id_n = user_id("id", id)?;
            match state.keys.get(&id_n) {
                Some(records) if !records.is_empty() => {
                    let data: Vec<Value> = records.iter().rev().map(key_json).collect();
                    Ok(Reply::json(200, &json!({"data": data})))
                }
                _ => Ok(Reply::json(
                    200,
                    &json!({"errors": [problem::not_found("id", id, "public_key")]}),
                )),
            }
        }
        ChatRoute::GetKeys => {
            let ids = query_value(&pairs, "ids")
                .ok_or_else(|| bad("ids", "", "The `ids` query parameter is required"))?;
            let mut data = Vec::new();
            for id in ids.split(',') {
                let n = user_id("ids", id)?;
                if let Some(r) = state.keys.get(&n).and_then(|r| r.last()) {
                    data.push(key_json(r));
                }
            }
            Ok(Reply::json(200, &json!({"data": data})))
        }
        ChatRoute::Conversations => {
            let n = max_results(&pairs, 10)?;
            let from = offset(&pairs)?;
            let mine: Vec<(&String, &Conversation)> = state
                .conversations
                .iter()
                .filter(|(_, c)| c.participants.contains(&caller.id))
                .collect();
            let page: Vec<Value> = mine
                .iter()
                .skip(from)
                .take(n)
                .map(|(k, c)| conversation_json(k, c))
                .collect();
            let mut meta = json!({"result_count": page.len(), "has_more": from + n < mine.len(), "has_message_requests": false});
            if from + n < mine.len() {
                meta["next_token"] = format!("xchat{}", from + n).into();
            }
            Ok(Reply::json(200, &json!({"data": page, "meta": meta})))
        }
        ChatRoute::Conversation(raw) => {
            let key = state.resolve(raw, caller.id)?;
            let c = state.existing(&key, raw)?;
            Ok(Reply::json(
                200,
                &json!({"data": conversation_json(&key, c)}),
            ))
        }
        ChatRoute::Events(raw) => {
            let key = state.resolve(raw, caller.id)?;
            let n = max_results(&pairs, 10)?;
            let from = offset(&pairs)?;
            let Some(c) = state.conversations.get(&key) else {
                return Ok(Reply::json(
                    200,
                    &json!({"data": [], "meta": {"result_count": 0, "has_more": false}}),
                ));
            };
            // Newest first.
            let total = c.messages.len();
            let page: Vec<Value> = (0..total)
                .rev()
                .skip(from)
                .take(n)
                .map(|i| {
                    event_json(
                        &key,
                        &c.messages[i],
                        i.checked_sub(1).map(|p| &c.messages[p]),
                    )
                })
                .collect();
            let key_events: Vec<&str> = c.key_changes.iter().map(|e| e.encoded.as_str()).collect();
            let mut meta = json!({
                "result_count": page.len(),
                "has_more": from + n < total,
                "conversation_key_events": key_events,
            });
            if from + n < total {
                meta["next_token"] = format!("xchat{}", from + n).into();
            }
            Ok(Reply::json(200, &json!({"data": page, "meta": meta})))
        }
        ChatRoute::Keys(raw) => {
            let key = state.resolve(raw, caller.id)?;
            if key.starts_with('g') && !state.conversations.contains_key(&key) {
                return Err(Reply::problem(
                    404,
                    &problem::not_found("id", raw, "conversation"),
                ));
            }
            let m = json_body(body)?;
            let version = str_member(&m, "conversation_key_version")?;
            if !digits(version, 40) {
                return Err(body_error(
                    "`conversation_key_version` must be a decimal number",
                ));
            }
            let mut participants = Vec::new();
            match m
                .get("conversation_participant_keys")
                .and_then(Value::as_array)
            {
                Some(keys) if !keys.is_empty() => {
                    for k in keys {
                        let Some(k) = k.as_object() else {
                            return Err(body_error(
                                "`conversation_participant_keys[]` must be objects",
                            ));
                        };
                        let user = user_id("user_id", str_member(k, "user_id")?)?;
                        str_member(k, "encrypted_conversation_key")?;
                        participants.push((
                            user.to_string(),
                            str_member(k, "public_key_version")?.to_string(),
                        ));
                    }
                }
                _ => {
                    return Err(body_error(
                        "`conversation_participant_keys` is required (a non-empty array)",
                    ));
                }
            }
            // The documented practice: a key change without its signed action is refused.
            let Some(action) = m
                .get("action_signatures")
                .and_then(Value::as_array)
                .and_then(|a| a.first())
                .and_then(Value::as_object)
            else {
                return Err(body_error("`action_signatures` is required"));
            };
            let message_id = str_member(action, "message_id")?.to_string();
            let detail = b64(
                str_member(action, "encoded_message_event_detail")?,
                "encoded_message_event_detail",
            )?;
            let signature = match action.get("message_event_signature") {
                Some(Value::Object(s)) => MessageEventSignature {
                    signature: Some(str_member(s, "signature")?.to_string()),
                    public_key_version: Some(str_member(s, "public_key_version")?.to_string()),
                    signature_version: Some(str_member(s, "signature_version")?.to_string()),
                    ..MessageEventSignature::default()
                },
                _ => return Err(body_error("`message_event_signature` is required")),
            };
            // Every participant of a one-to-one conversation gets the key, nobody else.
            if let Some((a, b)) = key.split_once(':') {
                let mut named: Vec<&str> = participants.iter().map(|(u, _)| u.as_str()).collect();
                named.sort_unstable();
                named.dedup();
                let mut want = vec![a, b];
                want.sort_unstable();
                if named != want || participants.len() != 2 {
                    return Err(body_error(format!(
                        "`conversation_participant_keys` must wrap the key to {a} and {b}, once each"
                    )));
                }
            }
            let records_of = |user: &str| {
                user.parse::<u64>()
                    .ok()
                    .and_then(|u| state.keys.get(&u))
                    .cloned()
                    .unwrap_or_default()
            };
            verify::key_change(
                &detail,
                &signature,
                version,
                &participants,
                &records_of,
                caller.id,
            )
            .map_err(body_error)?;
            if state
                .conversations
                .get(&key)
                .is_some_and(|c| c.key_versions.iter().any(|v| v == version))
            {
                return Err(body_error(format!(
                    "conversation key version {version} was already posted to this conversation"
                )));
            }
            let sig = signature.encode();
            let version = version.to_string();
            let seq = state.next_seq(now_ms);
            let encoded = STANDARD.encode(
                Envelope {
                    sequence_id: &seq.to_string(),
                    message_id: &message_id,
                    sender_id: &caller.id.to_string(),
                    conversation_id: &key,
                    created_at_msec: &now_ms.to_string(),
                    detail: &detail,
                    signature: &sig,
                }
                .encode(),
            );
            let c = state.open(&key, now_ms);
            c.updated_ms = now_ms;
            c.key_versions.push(version);
            c.key_changes.push(Stored {
                seq,
                message_id,
                sender: caller.id,
                created_ms: now_ms,
                encoded,
            });
            Ok(Reply::json(
                200,
                &json!({"data": {"conversation_id": path_form(&key), "sequence_id": seq.to_string()}}),
            ))
        }
        ChatRoute::Send(raw) => {
            let key = state.resolve(raw, caller.id)?;
            state.existing(&key, raw)?;
            let m = json_body(body)?;
            let message_id = str_member(&m, "message_id")?.to_string();
            let create = b64(
                str_member(&m, "encoded_message_create_event")?,
                "encoded_message_create_event",
            )?;
            let sig = b64(
                str_member(&m, "encoded_message_event_signature")?,
                "encoded_message_event_signature",
            )?;
            let c = state.conversations.get(&key).expect("checked above");
            // A message id sent again is the same message: answered with the stored event.
            if let Some(e) = c
                .messages
                .iter()
                .find(|e| e.message_id == message_id && e.sender == caller.id)
            {
                return Ok(Reply::json(
                    201,
                    &json!({"data": {"encoded_message_event": e.encoded}}),
                ));
            }
            let records = state.keys.get(&caller.id).cloned().unwrap_or_default();
            verify::message(
                &create,
                &sig,
                &message_id,
                caller.id,
                &key,
                &records,
                &c.key_versions,
            )
            .map_err(body_error)?;
            let seq = state.next_seq(now_ms);
            let encoded = STANDARD.encode(
                Envelope {
                    sequence_id: &seq.to_string(),
                    message_id: &message_id,
                    sender_id: &caller.id.to_string(),
                    conversation_id: &key,
                    created_at_msec: &now_ms.to_string(),
                    detail: &envelope::message_detail(&create),
                    signature: &sig,
                }
                .encode(),
            );
            let c = state.conversations.get_mut(&key).expect("checked above");
            c.updated_ms = now_ms;
            c.messages.push(Stored {
                seq,
                message_id,
                sender: caller.id,
                created_ms: now_ms,
                encoded: encoded.clone(),
            });
            let mut payload = json!({
                "conversation_id": path_form(&key),
                "sender_id": caller.id.to_string(),
                "encoded_event": encoded,
                "conversation_key_version": c.key_versions.last().cloned().unwrap_or_default(),
            });
            if let Some(k) = c.key_changes.last() {
                payload["conversation_key_change_event"] = k.encoded.clone().into();
            }
            let recipients = c
                .participants
                .iter()
                .copied()
                .filter(|p| *p != caller.id)
                .collect();
            state.outbox.push(ChatActivity {
                sender: caller.id,
                recipients,
                payload,
            });
            Ok(Reply::json(
                201,
                &json!({"data": {"encoded_message_event": encoded}}),
            ))
        }
        ChatRoute::Typing(raw) => {
            let key = state.resolve(raw, caller.id)?;
            state.existing(&key, raw)?;
            Ok(Reply::json(200, &json!({"data": {"success": true}})))
        }
        ChatRoute::Read(raw) => {
            let key = state.resolve(raw, caller.id)?;
            state.existing(&key, raw)?;
            let m = json_body(body)?;
            let seen = str_member(&m, "seen_until_sequence_id")?.to_string();
            if let Some(c) = state.conversations.get_mut(&key) {
                c.read_marks.insert(caller.id, seen);
            }
            Ok(Reply::json(200, &json!({"data": {"success": true}})))
        }
        ChatRoute::NotInSandbox => Err(Reply::problem(
            501,
            &problem::generic(501, "Not Implemented"),
        )),
        ChatRoute::MediaInit => {
            let m = json_body(body)?;
            let raw = str_member(&m, "conversation_id")?;
            let key = state.resolve(raw, caller.id)?;
            state.existing(&key, raw)?;
            let total = m
                .get("total_bytes")
                .and_then(Value::as_u64)
                .ok_or_else(|| body_error("`total_bytes` is required (an integer >= 0)"))?;
            state.next_session += 1;
            let session = (snowflake_floor(now_ms) + state.next_session).to_string();
            let hash_key = format!("xc{:x}{}", now_ms, state.next_session);
            state.uploads.insert(
                hash_key.clone(),
                Upload {
                    conversation: key.clone(),
                    uploader: caller.id,
                    total,
                    segments: BTreeMap::new(),
                    finalized: None,
                },
            );
            state.uploads.insert(
                format!("session:{session}"),
                Upload {
                    conversation: hash_key.clone(),
                    uploader: caller.id,
                    total,
                    segments: BTreeMap::new(),
                    finalized: None,
                },
            );
            Ok(Reply::json(
                200,
                &json!({"data": {"session_id": session, "media_hash_key": hash_key, "conversation_id": path_form(&key)}}),
            ))
        }
        ChatRoute::MediaAppend(session) | ChatRoute::MediaFinalize(session) => {
            let m = json_body(body)?;
            let hash_key = str_member(&m, "media_hash_key")?.to_string();
            let owner = state
                .uploads
                .get(&format!("session:{session}"))
                .map(|u| (u.conversation.clone(), u.uploader));
            match owner {
                Some((k, who)) if k == hash_key && who == caller.id => {}
                _ => {
                    return Err(bad(
                        "id",
                        session,
                        format!("No upload session [{session}] for this media_hash_key"),
                    ));
                }
            }
            let upload = state
                .uploads
                .get_mut(&hash_key)
                .expect("created with its session");
            if let ChatRoute::MediaAppend(_) = route {
                let index = m
                    .get("segment_index")
                    .and_then(Value::as_u64)
                    .filter(|i| *i <= 999)
                    .ok_or_else(|| body_error("`segment_index` is required (0 to 999)"))?;
                let media = b64(str_member(&m, "media")?, "media")?;
                upload.segments.insert(index as u32, Bytes::from(media));
                return Ok(Reply::json(
                    200,
                    &json!({"data": {"expires_at": (now_ms / 1000) + 86_400}}),
                ));
            }
            let parts: usize = str_member(&m, "num_parts")?
                .parse()
                .map_err(|_| body_error("`num_parts` must be a number"))?;
            if parts != upload.segments.len() || upload.segments.keys().copied().ne(0..parts as u32)
            {
                return Err(body_error(format!(
                    "`num_parts` is {parts} but segments {:?} were appended",
                    upload.segments.keys().collect::<Vec<_>>()
                )));
            }
            let all: Vec<u8> = upload
                .segments
                .values()
                .flat_map(|b| b.iter().copied())
                .collect();
            if all.len() as u64 != upload.total {
                return Err(body_error(format!(
                    "{} bytes were appended, `total_bytes` was {}",
                    all.len(),
                    upload.total
                )));
            }
            upload.finalized = Some(Bytes::from(all));
            Ok(Reply::json(200, &json!({"data": {"success": true}})))
        }
        ChatRoute::MediaDownload(raw, hash_key) => {
            let key = state.resolve(raw, caller.id)?;
            match state.uploads.get(hash_key) {
                Some(Upload {
                    conversation,
                    finalized: Some(bytes),
                    ..
                }) if *conversation == key => {
                    Ok(Reply::raw(200, "application/octet-stream", bytes.clone()))
                }
                _ => Err(Reply::problem(
                    404,
                    &problem::not_found("media_hash_key", hash_key, "media"),
                )),
            }
        }
    })();
    result.unwrap_or_else(|r| r)
}

/// The canonical id (`low:high` or `g…`) of a conversation id in any accepted form.
pub(crate) fn canonical(conversation: &str) -> Option<String> {
    dm_chat::ChatConversationId::parse(conversation, None)
        .ok()
        .map(|c| c.signed())
}

impl ChatState {
    /// Serves a public-key record for `user` without checking it (a server gone wrong).
    pub(crate) fn plant_key(
        &mut self,
        user: u64,
        version: String,
        public_key: String,
        signing_public_key: String,
        identity_public_key_signature: String,
    ) {
        let records = self.keys.entry(user).or_default();
        records.retain(|r| r.version != version);
        records.push(KeyRecord {
            version,
            public_key,
            signing_public_key,
            identity_public_key_signature,
        });
    }

    /// Appends `encoded` (a base64 `MessageEvent`) to the history of `key` as is; returns the
    /// sequence id it is served under.
    pub(crate) fn relay_unchecked(
        &mut self,
        key: &str,
        sender: u64,
        message_id: String,
        encoded: String,
        now_ms: i64,
    ) -> u64 {
        let seq = self.next_seq(now_ms);
        let c = self.open(key, now_ms);
        c.updated_ms = now_ms;
        c.messages.push(Stored {
            seq,
            message_id,
            sender,
            created_ms: now_ms,
            encoded,
        });
        seq
    }
}
