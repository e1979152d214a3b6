//! A JSON-lines front to dm-chat for the interoperability suite
//! (`crates/dm-chat/tests/interop/interop.py` drives it with the official bindings).
//!
//! One request a line on stdin (`{"op": "...", ...}`), one answer a line on stdout:
//! the result, or `{"error": "..."}`. Binary values are standard base64.

use std::io::{BufRead, Write};

use dm_chat::thrift::{EventDetail, MessageEntryHolder, MessageEvent, ThriftStruct};
use dm_chat::*;
use serde_json::{Value, json};

type R = Result<Value, String>;

fn s<'a>(v: &'a Value, k: &str) -> Result<&'a str, String> {
    v[k].as_str().ok_or_else(|| format!("missing {k}"))
}

fn bin(v: &Value, k: &str) -> Result<Vec<u8>, String> {
    b64::decode(s(v, k)?, "field").map_err(|e| e.to_string())
}

fn keys(v: &Value) -> Result<PrivateKeys, String> {
    PrivateKeys::from_blob(&bin(v, "blob")?).map_err(|e| e.to_string())
}

fn me(v: &Value, k: &PrivateKeys) -> Result<VerifiedKeys, String> {
    let version = s(v, "version")?
        .parse()
        .map_err(|e: ChatError| e.to_string())?;
    Ok(VerifiedKeys::own(s(v, "user_id")?, version, k))
}

fn record(r: &Value) -> Result<VerifiedKeys, String> {
    KeyRecord::new(
        s(r, "user_id")?,
        s(r, "public_key_version")?,
        s(r, "identity_public_key")?,
        s(r, "public_key")?,
        s(r, "identity_public_key_signature")?,
    )
    .verify()
    .map_err(|e| e.to_string())
}

fn ckey(v: &Value) -> Result<ConversationKey, String> {
    let key: [u8; 32] = bin(v, "key")?
        .try_into()
        .map_err(|_| "key is not 32 bytes")?;
    let version = s(v, "key_version")?
        .parse()
        .map_err(|e: ChatError| e.to_string())?;
    Ok(ConversationKey::new(key, version))
}

fn conversation(v: &Value) -> Result<ChatConversationId, String> {
    ChatConversationId::parse(s(v, "conversation_id")?, v["user_id"].as_str())
        .map_err(|e| e.to_string())
}

/// The MessageEvent a server relays: the canonical `min:max` id, as the bindings verify it.
fn relay(mut e: MessageEvent, conv: &ChatConversationId) -> String {
    e.conversation_id = Some(conv.signed());
    e.created_at_msec = Some("1796130000000".into());
    b64::encode(&e.encode())
}

fn handle(v: &Value) -> R {
    match s(v, "op")? {
        "generate" => {
            let k = PrivateKeys::generate();
            Ok(json!({"blob": b64::encode(&k.to_blob()), "registration": k.registration()}))
        }
        "public" => {
            let k = keys(v)?;
            let p = k.public_keys();
            let sig = k.sign(&p.identity.to_spki_der());
            Ok(json!({
                "identity_sec1": b64::encode(&p.identity.to_sec1()),
                "signing_sec1": b64::encode(&p.signing.to_sec1()),
                "fingerprint": p.fingerprint(),
                "registration": k.registration(),
                "record": {
                    "user_id": v["user_id"], "public_key_version": v["version"],
                    "public_key": p.signing.to_spki_base64(),
                    "identity_public_key": p.identity.to_spki_base64(),
                    "identity_public_key_signature": b64::encode(sig.as_bytes()),
                },
            }))
        }
        "sign" => Ok(json!({"signature": b64::encode(keys(v)?.sign(&bin(v, "data")?).as_bytes())})),
        "verify_binding" => {
            let id = PublicKey::from_base64(s(v, "identity")?).map_err(|e| e.to_string())?;
            let sg = PublicKey::from_base64(s(v, "signing")?).map_err(|e| e.to_string())?;
            Ok(json!({"ok": verify_key_binding(&id, &sg, s(v, "signature")?).is_ok()}))
        }
        "unwrap" => {
            let version = s(v, "key_version")?
                .parse()
                .map_err(|e: ChatError| e.to_string())?;
            let k = unwrap_key(&keys(v)?, s(v, "wrapped")?, version).map_err(|e| e.to_string())?;
            Ok(json!({"key": b64::encode(k.bytes())}))
        }
        "key_change" => {
            let k = keys(v)?;
            let me = me(v, &k)?;
            let conv = conversation(v)?;
            let mut participants = vec![me.clone()];
            for r in v["participants"].as_array().ok_or("missing participants")? {
                participants.push(record(r)?);
            }
            let c = prepare_key_change(&k, &me, &conv, &participants).map_err(|e| e.to_string())?;
            let event = relay(c.relayed(s(v, "sequence_id")?, me.user_id(), &conv), &conv);
            Ok(json!({
                "key": b64::encode(c.key.bytes()),
                "key_version": c.key.version().to_string(),
                "participant_keys": c.participant_keys.iter().map(|p| json!({
                    "user_id": p.user_id, "encrypted_key": p.encrypted_conversation_key,
                    "public_key_version": p.public_key_version})).collect::<Vec<_>>(),
                "encoded_event": event,
            }))
        }
        "encrypt" => {
            let k = keys(v)?;
            let sender = me(v, &k)?;
            let conv = conversation(v)?;
            let m = encrypt_message(
                &k,
                &sender,
                &conv,
                &ckey(v)?,
                &MessageEntryHolder::text(s(v, "text")?),
                &MessageOptions::default(),
            )
            .map_err(|e| e.to_string())?;
            let event = relay(
                m.relayed(s(v, "sequence_id")?, sender.user_id(), &conv),
                &conv,
            );
            Ok(json!({
                "message_id": m.message_id,
                "encoded_message_create_event": m.encoded_message_create_event,
                "encoded_message_event_signature": m.encoded_message_event_signature,
                "encoded_event": event,
            }))
        }
        "decrypt" => {
            // Events in order (key changes first), with the senders' records; each result is
            // a verified message, an applied key change, or an error (never text).
            let k = keys(v)?;
            let me_id = s(v, "user_id")?;
            let mut dir = KeyDirectory::new();
            for r in v["records"].as_array().ok_or("missing records")? {
                dir.insert(record(r)?);
            }
            let mut ck = ConversationKeys::new();
            let mut out = Vec::new();
            for e in v["events"].as_array().ok_or("missing events")? {
                let e = e.as_str().ok_or("an event is not a string")?;
                let result = parse_event(e).and_then(|ev| match &ev.detail {
                    Some(EventDetail::ConversationKeyChange(_)) => ck
                        .apply_key_change(&ev, me_id, &k, &dir)
                        .map(|o| json!({"type": "KeyChange", "outcome": format!("{o:?}")})),
                    _ => ck.open_message(&ev, me_id, &dir).map(|m| {
                        json!({"type": "Message", "verified": true, "text": m.text(), "id": m.message_id})
                    }),
                });
                out.push(
                    result.unwrap_or_else(|e| json!({"verified": false, "error": e.to_string()})),
                );
            }
            Ok(json!({"results": out}))
        }
        "media_encrypt" => {
            Ok(json!({"stream": b64::encode(&media::encrypt(&ckey(v)?, &bin(v, "data")?))}))
        }
        "media_decrypt" => media::decrypt(&ckey(v)?, &bin(v, "stream")?)
            .map(|d| json!({"data": b64::encode(&d)}))
            .map_err(|e| e.to_string()),
        other => Err(format!("unknown op {other:?}")),
    }
}

fn main() {
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let answer = match serde_json::from_str::<Value>(&line) {
            Ok(v) => handle(&v).unwrap_or_else(|e| json!({"error": e})),
            Err(e) => json!({"error": format!("bad request: {e}")}),
        };
        let _ = writeln!(stdout, "{answer}");
        let _ = stdout.flush();
    }
}
