//! The receiving side, with the SDK's rules: a key change is adopted for sending only when
//! its signature verifies; old unverifiable key changes (below the compatibility gate) are
//! adopted for decryption only; a message is shown only when its signature verifies over
//! its ciphertext with the sender's binding-verified signing key.

use std::collections::{BTreeMap, HashMap};

use crate::keys::{PrivateKeys, VerifiedKeys};
use crate::sign::{
    MIN_KEY_CHANGE_SIGNATURE_VERSION, SIGNATURE_VERSION, Signature, key_change_payload,
    message_payload, verify,
};
use crate::thrift::{
    EventDetail, MessageEntryHolder, MessageEvent, MessageEventSignature, ThriftStruct,
};
use crate::{ChatConversationId, ChatError, ConversationKey, KeyVersion, b64, secretbox};

/// Key changes whose `sequence_id` is below this are adopted for decryption even when their
/// signature cannot be verified (the SDK's compatibility gate for history written before
/// key changes were signed).
pub const COMPATIBILITY_GATE_SEQUENCE_ID: u64 = 2_070_276_095_283_454_002;

/// Decodes a base64 `MessageEvent` (`encoded_event`, `conversation_key_events[]`, an
/// activity payload's `encoded_event`).
///
/// # Errors
/// [`ChatError::Base64`] or [`ChatError::Thrift`] naming the field path.
pub fn parse_event(encoded: &str) -> Result<MessageEvent, ChatError> {
    let bytes = b64::decode(encoded, "encoded event")?;
    MessageEvent::decode(&bytes).map_err(|source| ChatError::Thrift {
        what: "MessageEvent",
        source,
    })
}

/// Binding-verified public keys of the users we talk to, by user and key version.
#[derive(Debug, Clone, Default)]
pub struct KeyDirectory {
    keys: HashMap<(String, KeyVersion), VerifiedKeys>,
}

impl KeyDirectory {
    /// An empty directory.
    pub fn new() -> Self {
        KeyDirectory::default()
    }

    /// Adds verified keys.
    pub fn insert(&mut self, keys: VerifiedKeys) {
        self.keys
            .insert((keys.user_id().to_string(), keys.version().clone()), keys);
    }

    /// The keys of `user` at `version`.
    pub fn get(&self, user: &str, version: &KeyVersion) -> Option<&VerifiedKeys> {
        self.keys.get(&(user.to_string(), version.clone()))
    }

    /// The newest keys of `user`.
    pub fn latest(&self, user: &str) -> Option<&VerifiedKeys> {
        self.keys
            .iter()
            .filter(|((u, _), _)| u == user)
            .max_by(|((_, a), _), ((_, b), _)| a.cmp(b))
            .map(|(_, k)| k)
    }

    /// Whether any keys of `user` are known.
    pub fn knows(&self, user: &str) -> bool {
        self.keys.keys().any(|(u, _)| u == user)
    }
}

/// What applying a key change did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyChangeOutcome {
    /// Verified: usable for decryption and, if newest, for sending.
    Verified(KeyVersion),
    /// Below the compatibility gate and not verifiable: usable for decryption only.
    AdoptedUnverified {
        /// The key's version.
        version: KeyVersion,
        /// Why it did not verify.
        reason: String,
    },
    /// The event wraps no key to us.
    NotForUs,
}

/// A decrypted message whose signature verified.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReceivedMessage {
    /// The server's sequence id.
    pub sequence_id: Option<String>,
    /// The signed message id.
    pub message_id: String,
    /// The sender.
    pub sender_id: String,
    /// The conversation.
    pub conversation: ChatConversationId,
    /// Milliseconds since the epoch, as the server stamped it.
    pub created_at_msec: Option<String>,
    /// The conversation key version it was encrypted under.
    pub key_version: KeyVersion,
    /// Whether that key came from a verified key change (false only for keys adopted under
    /// the compatibility gate).
    pub key_verified: bool,
    /// The decrypted contents.
    pub entry: MessageEntryHolder,
}

impl ReceivedMessage {
    /// The text, when the entry is a message with text.
    pub fn text(&self) -> Option<&str> {
        self.entry.as_message().and_then(|m| m.text.as_deref())
    }
}

/// The conversation keys of one conversation, and the version to send with.
#[derive(Debug, Clone, Default)]
pub struct ConversationKeys {
    keys: BTreeMap<KeyVersion, (ConversationKey, bool)>,
    sending: Option<KeyVersion>,
}

fn signature_of(
    event: &MessageEvent,
) -> Result<(&MessageEventSignature, Signature, KeyVersion, u32), ChatError> {
    let sig = event
        .signature
        .as_ref()
        .ok_or(ChatError::Missing("signature"))?;
    let raw = Signature::from_base64(
        sig.signature
            .as_deref()
            .ok_or(ChatError::Missing("signature"))?,
    )?;
    let pkv: KeyVersion = sig
        .public_key_version
        .as_deref()
        .ok_or(ChatError::Missing("signature's public key version"))?
        .parse()?;
    let layout: u32 = sig
        .signature_version
        .as_deref()
        .ok_or(ChatError::Missing("signature version"))?
        .parse()
        .map_err(|_| ChatError::Signature("the signature version is not a number".into()))?;
    Ok((sig, raw, pkv, layout))
}

fn signer<'a>(
    dir: &'a KeyDirectory,
    sender: &str,
    version: &KeyVersion,
) -> Result<&'a VerifiedKeys, ChatError> {
    dir.get(sender, version).ok_or_else(|| {
        ChatError::Signature(format!(
            "no binding-verified signing key of user {sender} at version {version}"
        ))
    })
}

impl ConversationKeys {
    /// No keys.
    pub fn new() -> Self {
        ConversationKeys::default()
    }

    /// Adds a key we made and posted ourselves (verified by construction).
    pub fn insert_own(&mut self, key: ConversationKey) {
        let v = key.version().clone();
        self.keys.insert(v.clone(), (key, true));
        self.advance(v);
    }

    fn advance(&mut self, v: KeyVersion) {
        if self.sending.as_ref().is_none_or(|s| v > *s) {
            self.sending = Some(v);
        }
    }

    /// The key to send with: the newest verified one.
    pub fn sending_key(&self) -> Option<&ConversationKey> {
        let v = self.sending.as_ref()?;
        self.keys.get(v).map(|(k, _)| k)
    }

    /// The key of `version`, and whether it was verified.
    pub fn get(&self, version: &KeyVersion) -> Option<(&ConversationKey, bool)> {
        self.keys.get(version).map(|(k, v)| (k, *v))
    }

    /// Versions known.
    pub fn versions(&self) -> impl Iterator<Item = &KeyVersion> {
        self.keys.keys()
    }

    /// Applies a key-change event: unwraps our copy of the key, verifies the sender's
    /// signature over the plaintext key (layout 6+), and adopts the key by the SDK's rules.
    ///
    /// # Errors
    /// The event is not a key change, our wrapped key does not decrypt, or the signature
    /// does not verify and the event is above the compatibility gate (nothing is adopted).
    pub fn apply_key_change(
        &mut self,
        event: &MessageEvent,
        me: &str,
        keys: &PrivateKeys,
        dir: &KeyDirectory,
    ) -> Result<KeyChangeOutcome, ChatError> {
        let Some(EventDetail::ConversationKeyChange(change)) = &event.detail else {
            return Err(ChatError::invalid(
                "key change",
                "the event is not a key change",
            ));
        };
        let version: KeyVersion = change
            .conversation_key_version
            .as_deref()
            .ok_or(ChatError::Missing("conversation key version"))?
            .parse()?;
        let Some(ours) = change
            .participant_keys
            .iter()
            .find(|p| p.user_id.as_deref() == Some(me))
        else {
            return Ok(KeyChangeOutcome::NotForUs);
        };
        let wrapped = ours
            .encrypted_conversation_key
            .as_deref()
            .ok_or(ChatError::Missing("encrypted conversation key"))?;
        let key = crate::ckey::unwrap_key(keys, wrapped, version.clone())?;
        match self.verify_key_change(event, me, &key, dir) {
            Ok(()) => {
                self.keys.insert(version.clone(), (key, true));
                self.advance(version.clone());
                Ok(KeyChangeOutcome::Verified(version))
            }
            Err(e) => {
                let old = event
                    .sequence_id
                    .as_deref()
                    .and_then(|s| s.parse::<u64>().ok())
                    .is_some_and(|s| s < COMPATIBILITY_GATE_SEQUENCE_ID);
                if !old {
                    return Err(e);
                }
                // Never demote a verified copy of the same version.
                self.keys.entry(version.clone()).or_insert((key, false));
                Ok(KeyChangeOutcome::AdoptedUnverified {
                    version,
                    reason: e.to_string(),
                })
            }
        }
    }

    fn verify_key_change(
        &self,
        event: &MessageEvent,
        me: &str,
        key: &ConversationKey,
        dir: &KeyDirectory,
    ) -> Result<(), ChatError> {
        let (_, raw, pkv, layout) = signature_of(event)?;
        if layout < MIN_KEY_CHANGE_SIGNATURE_VERSION {
            return Err(ChatError::Signature(format!(
                "signature version {layout} does not sign the key"
            )));
        }
        let sender = event
            .sender_id
            .as_deref()
            .ok_or(ChatError::Missing("sender id"))?;
        let message_id = event
            .message_id
            .as_deref()
            .ok_or(ChatError::Missing("message id"))?;
        let conversation = ChatConversationId::parse(
            event
                .conversation_id
                .as_deref()
                .ok_or(ChatError::Missing("conversation id"))?,
            Some(me),
        )?;
        let payload = key_change_payload(
            message_id,
            sender,
            &conversation,
            key.version(),
            key.bytes(),
        )?;
        verify(
            &signer(dir, sender, &pkv)?.keys().signing,
            payload.as_bytes(),
            &raw,
        )
    }

    /// Verifies a message's signature over its ciphertext, then decrypts it.
    ///
    /// # Errors
    /// Anything short of a verified, decrypted message: the caller shows no text.
    pub fn open_message(
        &self,
        event: &MessageEvent,
        me: &str,
        dir: &KeyDirectory,
    ) -> Result<ReceivedMessage, ChatError> {
        let Some(EventDetail::MessageCreate(create)) = &event.detail else {
            return Err(ChatError::invalid("message", "the event is not a message"));
        };
        let (_, raw, pkv, layout) = signature_of(event)?;
        if layout.to_string() != SIGNATURE_VERSION {
            return Err(ChatError::Signature(format!(
                "signature version {layout}: only layout {SIGNATURE_VERSION} is documented"
            )));
        }
        let contents = create
            .contents
            .as_deref()
            .ok_or(ChatError::Missing("contents"))?;
        let version: KeyVersion = create
            .conversation_key_version
            .as_deref()
            .ok_or(ChatError::Missing("conversation key version"))?
            .parse()?;
        let sender = event
            .sender_id
            .as_deref()
            .ok_or(ChatError::Missing("sender id"))?;
        let message_id = event
            .message_id
            .as_deref()
            .ok_or(ChatError::Missing("message id"))?;
        let conversation = ChatConversationId::parse(
            event
                .conversation_id
                .as_deref()
                .ok_or(ChatError::Missing("conversation id"))?,
            Some(me),
        )?;
        let payload = message_payload(message_id, sender, &conversation, &version, contents)?;
        verify(
            &signer(dir, sender, &pkv)?.keys().signing,
            payload.as_bytes(),
            &raw,
        )?;
        let (key, key_verified) = self
            .get(&version)
            .ok_or_else(|| ChatError::UnknownKeyVersion(version.to_string()))?;
        let plain = secretbox::open(key, contents)?;
        let entry = MessageEntryHolder::decode(&plain).map_err(|source| ChatError::Thrift {
            what: "MessageEntryHolder",
            source,
        })?;
        Ok(ReceivedMessage {
            sequence_id: event.sequence_id.clone(),
            message_id: message_id.to_string(),
            sender_id: sender.to_string(),
            conversation,
            created_at_msec: event.created_at_msec.clone(),
            key_version: version,
            key_verified,
            entry,
        })
    }
}
