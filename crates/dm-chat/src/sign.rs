//! ECDSA P-256 signatures (raw r‖s, RFC 6979) and the comma-joined payloads they sign.

use std::fmt;

use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use crate::keys::PublicKey;
use crate::{ChatConversationId, ChatError, KeyVersion, b64};

/// The signed-payload layout this crate writes and the only one it verifies for messages.
pub const SIGNATURE_VERSION: &str = "7";

/// The first layout that signs the plaintext conversation key in key changes.
pub const MIN_KEY_CHANGE_SIGNATURE_VERSION: u32 = 6;

/// A raw 64-byte `r ‖ s` ECDSA P-256 signature.
#[derive(Clone, PartialEq, Eq)]
pub struct Signature([u8; 64]);

impl Signature {
    pub(crate) fn create(key: &SigningKey, data: &[u8]) -> Self {
        let sig: p256::ecdsa::Signature = key.sign(data);
        let mut out = [0u8; 64];
        out.copy_from_slice(&sig.to_bytes());
        Signature(out)
    }

    /// From 64 raw bytes.
    ///
    /// # Errors
    /// [`ChatError::Signature`] when it is not 64 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, ChatError> {
        let arr: [u8; 64] = bytes.try_into().map_err(|_| {
            ChatError::Signature(format!("a signature is 64 bytes, got {}", bytes.len()))
        })?;
        Ok(Signature(arr))
    }

    /// From base64 (standard, padded or not).
    ///
    /// # Errors
    /// [`ChatError::Base64`] or [`ChatError::Signature`].
    pub fn from_base64(text: &str) -> Result<Self, ChatError> {
        Self::from_slice(&b64::decode(text, "signature")?)
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 64] {
        &self.0
    }

    /// Standard base64 without padding (how event signatures are carried).
    pub fn to_base64_no_pad(&self) -> String {
        b64::encode_no_pad(&self.0)
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({})", self.to_base64_no_pad())
    }
}

/// Verifies `sig` over `data` with `key`.
///
/// # Errors
/// [`ChatError::Signature`] on any mismatch or malformed signature.
pub fn verify(key: &PublicKey, data: &[u8], sig: &Signature) -> Result<(), ChatError> {
    let parsed = p256::ecdsa::Signature::from_slice(&sig.0)
        .map_err(|_| ChatError::Signature("malformed signature (r or s out of range)".into()))?;
    VerifyingKey::from(key.inner())
        .verify(data, &parsed)
        .map_err(|_| ChatError::Signature("ECDSA mismatch".into()))
}

fn component(what: &'static str, v: &str) -> Result<(), ChatError> {
    if v.contains(',') {
        return Err(ChatError::invalid(
            what,
            "contains ',' (signed payloads are comma-joined, with no escaping)",
        ));
    }
    Ok(())
}

/// `MessageCreateEvent,{message_id},{sender_id},{conversation_id},{ckey_version},{b64nopad(contents)}`
/// (layout 7): a message's signature covers its ciphertext.
///
/// # Errors
/// [`ChatError::Invalid`] when a component contains a comma.
pub fn message_payload(
    message_id: &str,
    sender_id: &str,
    conversation: &ChatConversationId,
    key_version: &KeyVersion,
    contents: &[u8],
) -> Result<String, ChatError> {
    component("message id", message_id)?;
    component("sender id", sender_id)?;
    Ok(format!(
        "MessageCreateEvent,{message_id},{sender_id},{},{},{}",
        conversation.signed(),
        key_version,
        b64::encode_no_pad(contents)
    ))
}

/// `ConversationKeyChangeEvent,{message_id},{sender_id},{conversation_id},{ckey_version},{b64nopad(ckey)}`
/// (layout 6 and later). It contains the key, so it is wiped when dropped.
///
/// # Errors
/// [`ChatError::Invalid`] when a component contains a comma.
pub fn key_change_payload(
    message_id: &str,
    sender_id: &str,
    conversation: &ChatConversationId,
    key_version: &KeyVersion,
    key: &[u8; 32],
) -> Result<Zeroizing<String>, ChatError> {
    component("message id", message_id)?;
    component("sender id", sender_id)?;
    let encoded = Zeroizing::new(b64::encode_no_pad(key));
    Ok(Zeroizing::new(format!(
        "ConversationKeyChangeEvent,{message_id},{sender_id},{},{},{}",
        conversation.signed(),
        key_version,
        encoded.as_str()
    )))
}

fn or_null(v: Option<&str>) -> &str {
    v.unwrap_or("null")
}

/// The payload a group change is signed over (layout 7), as the bindings write it:
/// - `GroupChangeEvent.GroupCreate,{message_id},{sender},{ckey_version},{member_ids…},{is_legacy_upgrade|null},{title|null},{avatar|null}`
/// - `GroupChangeEvent.GroupMemberAddChange,{message_id},{sender},{conversation_id},{new…},{current…},{admins…},{title},{avatar},{ttl},{ckey_version},{screen_capture_blocking}`
///
/// Absent values are the literal `null`; `is_legacy_upgrade` is always `null` here.
///
/// # Errors
/// [`ChatError::Invalid`] when a component contains a comma, or for a change of another kind
/// (only creation and member additions have a documented layout).
pub fn group_change_payload(
    message_id: &str,
    sender_id: &str,
    conversation: &ChatConversationId,
    change: &crate::thrift::GroupChange,
) -> Result<String, ChatError> {
    use crate::thrift::GroupChange;
    component("message id", message_id)?;
    component("sender id", sender_id)?;
    let ids = |what: &'static str, v: &[String]| -> Result<String, ChatError> {
        for id in v {
            component(what, id)?;
        }
        Ok(v.join(","))
    };
    let text = |what: &'static str, v: Option<&str>| -> Result<(), ChatError> {
        v.map_or(Ok(()), |v| component(what, v))
    };
    match change {
        GroupChange::Create(c) => {
            text("title", c.title.as_deref())?;
            text("avatar URL", c.avatar_url.as_deref())?;
            let version = c
                .conversation_key_version
                .as_deref()
                .ok_or(ChatError::Missing("conversation key version"))?;
            Ok(format!(
                "GroupChangeEvent.GroupCreate,{message_id},{sender_id},{version},{},null,{},{}",
                ids("member id", &c.member_ids)?,
                or_null(c.title.as_deref()),
                or_null(c.avatar_url.as_deref()),
            ))
        }
        GroupChange::MemberAdd(m) => {
            text("title", m.title.as_deref())?;
            text("avatar URL", m.avatar_url.as_deref())?;
            let version = m
                .conversation_key_version
                .as_deref()
                .ok_or(ChatError::Missing("conversation key version"))?;
            Ok(format!(
                "GroupChangeEvent.GroupMemberAddChange,{message_id},{sender_id},{},{},{},{},{},{},{},{version},{}",
                conversation.signed(),
                ids("member id", &m.new_member_ids)?,
                ids("member id", &m.current_member_ids)?,
                ids("admin id", &m.admin_ids)?,
                or_null(m.title.as_deref()),
                or_null(m.avatar_url.as_deref()),
                m.ttl_msec
                    .map_or_else(|| "null".to_string(), |t| t.to_string()),
                m.screen_capture_blocking
                    .map_or_else(|| "null".to_string(), |b| b.to_string()),
            ))
        }
        GroupChange::Other(id) => Err(ChatError::invalid(
            "group change",
            format!("member {id} of GroupChange has no documented signed layout"),
        )),
    }
}
