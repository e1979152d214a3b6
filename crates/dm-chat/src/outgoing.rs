//! What a sender builds: a signed message, a signed conversation-key change.

use uuid::Uuid;

use crate::keys::{PrivateKeys, VerifiedKeys};
use crate::sign::{SIGNATURE_VERSION, key_change_payload, message_payload};
use crate::thrift::{
    ConversationKeyChangeEvent, ConversationParticipantKey, EventDetail, MessageCreateEvent,
    MessageEntryHolder, MessageEvent, MessageEventSignature, ThriftStruct,
};
use crate::{ChatConversationId, ChatError, ConversationKey, b64, secretbox};

/// A new message id: a random UUIDv4, as the SDK makes them.
pub fn new_message_id() -> String {
    Uuid::new_v4().to_string()
}

/// A message ready for `POST /2/chat/conversations/{id}/messages`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OutgoingMessage {
    /// `message_id` (UUIDv4, signed).
    pub message_id: String,
    /// `encoded_message_create_event`: base64 of the `MessageCreateEvent`.
    pub encoded_message_create_event: String,
    /// `encoded_message_event_signature`: base64 of the `MessageEventSignature`.
    pub encoded_message_event_signature: String,
    /// The `MessageCreateEvent` itself.
    pub event: MessageCreateEvent,
    /// The signature struct itself.
    pub signature: MessageEventSignature,
}

impl OutgoingMessage {
    /// The `MessageEvent` a server relays for this message (what recipients decode).
    pub fn relayed(
        &self,
        sequence_id: &str,
        sender_id: &str,
        conversation: &ChatConversationId,
    ) -> MessageEvent {
        MessageEvent {
            sequence_id: Some(sequence_id.into()),
            message_id: Some(self.message_id.clone()),
            sender_id: Some(sender_id.into()),
            conversation_id: Some(conversation.path()),
            detail: Some(EventDetail::MessageCreate(self.event.clone())),
            signature: Some(self.signature.clone()),
            ..MessageEvent::default()
        }
    }
}

/// Options of a message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MessageOptions {
    /// Whether recipients are notified (the SDK's default: true).
    pub should_notify: Option<bool>,
    /// Time to live, in milliseconds.
    pub ttl_msec: Option<i64>,
    /// The message id to use (a fresh UUIDv4 when `None`).
    pub message_id: Option<String>,
}

/// Encrypts and signs a message (`entry` is usually [`MessageEntryHolder::text`]).
///
/// # Errors
/// [`ChatError::Invalid`] when the sender id or message id contains a comma.
pub fn encrypt_message(
    keys: &PrivateKeys,
    sender: &VerifiedKeys,
    conversation: &ChatConversationId,
    key: &ConversationKey,
    entry: &MessageEntryHolder,
    options: &MessageOptions,
) -> Result<OutgoingMessage, ChatError> {
    let message_id = options.message_id.clone().unwrap_or_else(new_message_id);
    let plaintext = zeroize::Zeroizing::new(entry.encode());
    let contents = secretbox::seal(key, &plaintext);
    let payload = message_payload(
        &message_id,
        sender.user_id(),
        conversation,
        key.version(),
        &contents,
    )?;
    let signature = MessageEventSignature {
        signature: Some(keys.sign(payload.as_bytes()).to_base64_no_pad()),
        public_key_version: Some(sender.version().to_string()),
        signature_version: Some(SIGNATURE_VERSION.into()),
        ..MessageEventSignature::default()
    };
    let event = MessageCreateEvent {
        contents: Some(contents),
        conversation_key_version: Some(key.version().to_string()),
        should_notify: Some(options.should_notify.unwrap_or(true)),
        ttl_msec: options.ttl_msec,
        ..MessageCreateEvent::default()
    };
    Ok(OutgoingMessage {
        message_id,
        encoded_message_create_event: b64::encode(&event.encode()),
        encoded_message_event_signature: b64::encode(&signature.encode()),
        event,
        signature,
    })
}

/// An action signature (`action_signatures[]` of the key and group endpoints).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ActionSignature {
    /// `message_id` (UUIDv4; the key-change event's id).
    pub message_id: String,
    /// `encoded_message_event_detail`: base64 of `MessageEventDetail{3: the key change}`.
    pub encoded_message_event_detail: String,
    /// `message_event_signature.signature` (base64, no padding).
    pub signature: String,
    /// `message_event_signature.public_key_version`.
    pub public_key_version: String,
    /// `message_event_signature.signature_version`.
    pub signature_version: String,
}

/// A new conversation key, wrapped to every participant and signed: the body of
/// `POST /2/chat/conversations/{id}/keys`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct KeyChange {
    /// The key itself (keep it: messages are encrypted under it).
    pub key: ConversationKey,
    /// One wrapped key per participant (the sender included).
    pub participant_keys: Vec<ConversationParticipantKey>,
    /// The signed key-change action.
    pub action_signature: ActionSignature,
}

impl KeyChange {
    /// The `MessageEvent` a server relays for this key change.
    pub fn relayed(
        &self,
        sequence_id: &str,
        sender_id: &str,
        conversation: &ChatConversationId,
    ) -> MessageEvent {
        let a = &self.action_signature;
        MessageEvent {
            sequence_id: Some(sequence_id.into()),
            message_id: Some(a.message_id.clone()),
            sender_id: Some(sender_id.into()),
            conversation_id: Some(conversation.path()),
            detail: Some(EventDetail::ConversationKeyChange(
                ConversationKeyChangeEvent {
                    conversation_key_version: Some(self.key.version().to_string()),
                    participant_keys: self.participant_keys.clone(),
                    for_key_rotation: Some(false),
                    ..ConversationKeyChangeEvent::default()
                },
            )),
            signature: Some(MessageEventSignature {
                signature: Some(a.signature.clone()),
                public_key_version: Some(a.public_key_version.clone()),
                signature_version: Some(a.signature_version.clone()),
                ..MessageEventSignature::default()
            }),
            ..MessageEvent::default()
        }
    }
}

/// Makes a conversation key and wraps it to each participant's verified identity key
/// (include the sender's own keys so its other devices can read too).
///
/// # Errors
/// [`ChatError::Invalid`] when an id contains a comma.
pub fn prepare_key_change(
    keys: &PrivateKeys,
    sender: &VerifiedKeys,
    conversation: &ChatConversationId,
    participants: &[VerifiedKeys],
) -> Result<KeyChange, ChatError> {
    prepare_key_change_with(
        keys,
        sender,
        conversation,
        participants,
        ConversationKey::generate(),
    )
}

pub(crate) fn prepare_key_change_with(
    keys: &PrivateKeys,
    sender: &VerifiedKeys,
    conversation: &ChatConversationId,
    participants: &[VerifiedKeys],
    key: ConversationKey,
) -> Result<KeyChange, ChatError> {
    let participant_keys: Vec<_> = participants
        .iter()
        .map(|p| {
            ConversationParticipantKey::new(
                p.user_id().to_string(),
                key.wrap(&p.keys().identity),
                p.version().to_string(),
            )
        })
        .collect();
    let message_id = new_message_id();
    let payload = key_change_payload(
        &message_id,
        sender.user_id(),
        conversation,
        key.version(),
        key.bytes(),
    )?;
    let detail = EventDetail::ConversationKeyChange(ConversationKeyChangeEvent {
        conversation_key_version: Some(key.version().to_string()),
        participant_keys: participant_keys.clone(),
        for_key_rotation: Some(false),
        ..ConversationKeyChangeEvent::default()
    });
    let action_signature = ActionSignature {
        message_id,
        encoded_message_event_detail: b64::encode(&detail.encode()),
        signature: keys.sign(payload.as_bytes()).to_base64_no_pad(),
        public_key_version: sender.version().to_string(),
        signature_version: SIGNATURE_VERSION.into(),
    };
    Ok(KeyChange {
        key,
        participant_keys,
        action_signature,
    })
}
