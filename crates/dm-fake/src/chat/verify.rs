//! What the sandbox checks before it stores anything, as the X server does ("the server
//! rejects events it cannot verify"): a registration's key binding, a message's signature
//! over its ciphertext by the sender's registered signing key under a conversation key
//! version the conversation has, and a key change's shape (the wrapped keys name exactly the
//! participants, each at one of their registered versions; the action is signed by the
//! sender's registered key). A key change's own signature covers the plaintext conversation
//! key, which the server never has: nobody but the participants can check it.
//!
//! Every check only reads what clients posted: no key material exists on the server.

use dm_chat::thrift::{EventDetail, MessageCreateEvent, MessageEventSignature, ThriftStruct};
use dm_chat::{ChatConversationId, KeyVersion, PublicKey, Signature, sign};

use super::KeyRecord;

/// `identity_public_key_signature` is the signing key's signature over the identity key.
pub(super) fn binding(record: &KeyRecord) -> Result<(), String> {
    let identity = PublicKey::from_base64(&record.public_key)
        .map_err(|e| format!("`public_key.public_key` is not a P-256 SPKI key: {e}"))?;
    let signing = PublicKey::from_base64(&record.signing_public_key)
        .map_err(|e| format!("`public_key.signing_public_key` is not a P-256 SPKI key: {e}"))?;
    dm_chat::verify_key_binding(&identity, &signing, &record.identity_public_key_signature).map_err(
        |_| {
            "`public_key.identity_public_key_signature` is not the signing key's signature \
             over the identity key"
                .to_string()
        },
    )
}

fn signer<'a>(
    records: &'a [KeyRecord],
    sig: &MessageEventSignature,
) -> Result<(&'a KeyRecord, Signature), String> {
    let version = sig
        .public_key_version
        .as_deref()
        .ok_or("the signature names no public_key_version")?;
    let record = records
        .iter()
        .find(|r| r.version == version)
        .ok_or_else(|| format!("the sender has no public key version {version} registered"))?;
    let raw = Signature::from_base64(sig.signature.as_deref().unwrap_or_default())
        .map_err(|e| format!("the signature is not 64 bytes of base64: {e}"))?;
    Ok((record, raw))
}

/// A message as posted: `encoded_message_create_event` and `encoded_message_event_signature`
/// (both decoded from base64). Returns the conversation key version it names.
pub(super) fn message(
    create: &[u8],
    signature: &[u8],
    message_id: &str,
    sender: u64,
    conversation: &str,
    records: &[KeyRecord],
    key_versions: &[String],
) -> Result<(), String> {
    let create = MessageCreateEvent::decode(create)
        .map_err(|e| format!("`encoded_message_create_event` is not a MessageCreateEvent: {e}"))?;
    let sig = MessageEventSignature::decode(signature).map_err(|e| {
        format!("`encoded_message_event_signature` is not a MessageEventSignature: {e}")
    })?;
    let contents = create
        .contents
        .as_deref()
        .ok_or("the MessageCreateEvent has no contents")?;
    let version: KeyVersion = create
        .conversation_key_version
        .as_deref()
        .ok_or("the MessageCreateEvent names no conversation_key_version")?
        .parse()
        .map_err(|e| format!("conversation_key_version: {e}"))?;
    if !key_versions
        .iter()
        .any(|v| v.parse::<KeyVersion>().is_ok_and(|k| k == version))
    {
        return Err(format!(
            "conversation key version {version} was never posted to this conversation"
        ));
    }
    if sig.signature_version.as_deref() != Some(sign::SIGNATURE_VERSION) {
        return Err(format!(
            "signature_version {:?}: messages are signed with layout {}",
            sig.signature_version.as_deref().unwrap_or(""),
            sign::SIGNATURE_VERSION
        ));
    }
    let (record, raw) = signer(records, &sig)?;
    let conversation =
        ChatConversationId::parse(conversation, None).map_err(|e| format!("conversation: {e}"))?;
    let payload = sign::message_payload(
        message_id,
        &sender.to_string(),
        &conversation,
        &version,
        contents,
    )
    .map_err(|e| e.to_string())?;
    let signing = PublicKey::from_base64(&record.signing_public_key).map_err(|e| e.to_string())?;
    sign::verify(&signing, payload.as_bytes(), &raw)
        .map_err(|_| "the message signature does not verify".to_string())
}

/// A key change as posted: the action's `encoded_message_event_detail` (decoded) and its
/// signature, against the body's version and participant keys.
pub(super) fn key_change(
    detail: &[u8],
    signature: &MessageEventSignature,
    version: &str,
    participants: &[(String, String)],
    records_of: &dyn Fn(&str) -> Vec<KeyRecord>,
    caller: u64,
) -> Result<(), String> {
    let Ok(EventDetail::ConversationKeyChange(change)) = EventDetail::decode(detail) else {
        return Err(
            "`encoded_message_event_detail` is not a MessageEventDetail with a \
             ConversationKeyChangeEvent"
                .to_string(),
        );
    };
    if change.conversation_key_version.as_deref() != Some(version) {
        return Err(format!(
            "the signed key change is for version {:?}, the body for {version}",
            change.conversation_key_version.as_deref().unwrap_or("")
        ));
    }
    let mut signed: Vec<(String, String)> = change
        .participant_keys
        .iter()
        .map(|p| {
            (
                p.user_id.clone().unwrap_or_default(),
                p.public_key_version.clone().unwrap_or_default(),
            )
        })
        .collect();
    let mut posted = participants.to_vec();
    signed.sort();
    posted.sort();
    if signed != posted {
        return Err(
            "the signed key change and `conversation_participant_keys` name different \
             participants or versions"
                .to_string(),
        );
    }
    for (user, v) in &posted {
        if !records_of(user).iter().any(|r| &r.version == v) {
            return Err(format!(
                "user {user} has no public key version {v} registered"
            ));
        }
    }
    if signature
        .signature_version
        .as_deref()
        .and_then(|v| v.parse::<u32>().ok())
        < Some(sign::MIN_KEY_CHANGE_SIGNATURE_VERSION)
    {
        return Err("a key change is signed with layout 6 or later".to_string());
    }
    signer(&records_of(&caller.to_string()), signature).map(|_| ())
}
