//! `event.thrift`: the events the server stores and relays (`encoded_event`, the
//! `conversation_key_events` of a history page, activity payloads).

use super::wire::{Reader, TType, Writer};
use super::{
    ThriftError, ThriftStruct, binary, boolean, fields, int32, int64, nested, read_nested, string,
    struct_list, union, write_nested, write_struct_list,
};

/// `MessageEvent`: one event of a conversation, as the server relays it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageEvent {
    /// 1: the server's ordering id (numeric string).
    pub sequence_id: Option<String>,
    /// 2: the sender's id for the message (a UUID the sender generated), part of the signature.
    pub message_id: Option<String>,
    /// 3: the sender's user id.
    pub sender_id: Option<String>,
    /// 4: the conversation (`A-B`, `A:B` or `g…`).
    pub conversation_id: Option<String>,
    /// 5: the conversation token.
    pub conversation_token: Option<String>,
    /// 6: milliseconds since the epoch (string).
    pub created_at_msec: Option<String>,
    /// 7: what happened.
    pub detail: Option<EventDetail>,
    /// 8: how the event reached the client (enum value).
    pub relay_source: Option<i32>,
    /// 9: the sender's signature.
    pub signature: Option<MessageEventSignature>,
    /// 10: the sequence id before this one.
    pub previous_sequence_id: Option<String>,
    /// 11: whether the conversation is trusted.
    pub is_trusted: Option<bool>,
}

impl ThriftStruct for MessageEvent {
    const NAME: &'static str = "MessageEvent";

    fn read(r: &mut Reader<'_>) -> Result<Self, ThriftError> {
        let mut v = MessageEvent::default();
        fields(r, Self::NAME, |r, t, id| {
            match id {
                1 => v.sequence_id = string(r, t)?,
                2 => v.message_id = string(r, t)?,
                3 => v.sender_id = string(r, t)?,
                4 => v.conversation_id = string(r, t)?,
                5 => v.conversation_token = string(r, t)?,
                6 => v.created_at_msec = string(r, t)?,
                7 => v.detail = nested(r, t)?,
                8 => v.relay_source = int32(r, t)?,
                9 => v.signature = nested(r, t)?,
                10 => v.previous_sequence_id = string(r, t)?,
                11 => v.is_trusted = boolean(r, t)?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(v)
    }

    fn write(&self, w: &mut Writer) {
        w.opt_string(1, self.sequence_id.as_deref())
            .opt_string(2, self.message_id.as_deref())
            .opt_string(3, self.sender_id.as_deref())
            .opt_string(4, self.conversation_id.as_deref())
            .opt_string(5, self.conversation_token.as_deref())
            .opt_string(6, self.created_at_msec.as_deref());
        if let Some(d) = &self.detail {
            write_nested(w, 7, d);
        }
        w.opt_i32(8, self.relay_source);
        if let Some(s) = &self.signature {
            write_nested(w, 9, s);
        }
        w.opt_string(10, self.previous_sequence_id.as_deref())
            .opt_bool(11, self.is_trusted)
            .stop();
    }
}

/// `MessageEventDetail`: the union of what an event carries.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventDetail {
    /// 1: a message.
    MessageCreate(MessageCreateEvent),
    /// 3: a new conversation key.
    ConversationKeyChange(ConversationKeyChangeEvent),
    /// 4: a group change (creation, members added).
    GroupChange(super::GroupChangeEvent),
    /// Any other member ( 5 failure, 6 typing, 7 delete, 12 read, ...), by id.
    Other(i16),
}

impl ThriftStruct for EventDetail {
    const NAME: &'static str = "MessageEventDetail";

    fn read(r: &mut Reader<'_>) -> Result<Self, ThriftError> {
        union(r, Self::NAME, EventDetail::Other, |r, t, id| {
            Ok(match (id, t) {
                (1, TType::Struct) => Some(EventDetail::MessageCreate(read_nested(r)?)),
                (3, TType::Struct) => Some(EventDetail::ConversationKeyChange(read_nested(r)?)),
                (4, TType::Struct) => Some(EventDetail::GroupChange(read_nested(r)?)),
                _ => None,
            })
        })
    }

    fn write(&self, w: &mut Writer) {
        match self {
            EventDetail::MessageCreate(m) => write_nested(w, 1, m),
            EventDetail::ConversationKeyChange(k) => write_nested(w, 3, k),
            EventDetail::GroupChange(g) => write_nested(w, 4, g),
            // An unknown member cannot be re-encoded: written as an empty struct of its id.
            EventDetail::Other(id) => {
                w.field(TType::Struct, *id).stop();
            }
        }
        w.stop();
    }
}

/// `MessageCreateEvent`: a message; `contents` is the secretbox of a `MessageEntryHolder`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageCreateEvent {
    /// 100: `nonce(24) ‖ tag(16) ‖ ciphertext`.
    pub contents: Option<Vec<u8>>,
    /// 101: the conversation key version it is encrypted under.
    pub conversation_key_version: Option<String>,
    /// 102: whether recipients are notified.
    pub should_notify: Option<bool>,
    /// 103: time to live.
    pub ttl_msec: Option<i64>,
    /// 104: when it was delivered.
    pub delivered_at_msec: Option<i64>,
    /// 105: sent while the recipient's key was pending.
    pub is_pending_public_key: Option<bool>,
    /// 109: a message request.
    pub is_message_request: Option<bool>,
}

impl ThriftStruct for MessageCreateEvent {
    const NAME: &'static str = "MessageCreateEvent";

    fn read(r: &mut Reader<'_>) -> Result<Self, ThriftError> {
        let mut v = MessageCreateEvent::default();
        fields(r, Self::NAME, |r, t, id| {
            match id {
                100 => v.contents = binary(r, t)?,
                101 => v.conversation_key_version = string(r, t)?,
                102 => v.should_notify = boolean(r, t)?,
                103 => v.ttl_msec = int64(r, t)?,
                104 => v.delivered_at_msec = int64(r, t)?,
                105 => v.is_pending_public_key = boolean(r, t)?,
                109 => v.is_message_request = boolean(r, t)?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(v)
    }

    fn write(&self, w: &mut Writer) {
        if let Some(c) = &self.contents {
            w.field(TType::Binary, 100).binary(c);
        }
        w.opt_string(101, self.conversation_key_version.as_deref())
            .opt_bool(102, self.should_notify)
            .opt_i64(103, self.ttl_msec)
            .opt_i64(104, self.delivered_at_msec)
            .opt_bool(105, self.is_pending_public_key)
            .opt_bool(109, self.is_message_request)
            .stop();
    }
}

/// `ConversationKeyChangeEvent`: a new conversation key, wrapped to each participant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConversationKeyChangeEvent {
    /// 1: the new key's version.
    pub conversation_key_version: Option<String>,
    /// 2: the key, wrapped (ECIES) to each participant's identity key.
    pub participant_keys: Vec<ConversationParticipantKey>,
    /// 5: whether this is a rotation.
    pub for_key_rotation: Option<bool>,
    /// Whether field 4 (`ratchet_tree_change`, not supported) was present.
    pub has_ratchet_tree_change: bool,
}

impl ThriftStruct for ConversationKeyChangeEvent {
    const NAME: &'static str = "ConversationKeyChangeEvent";

    fn read(r: &mut Reader<'_>) -> Result<Self, ThriftError> {
        let mut v = ConversationKeyChangeEvent::default();
        fields(r, Self::NAME, |r, t, id| {
            match id {
                1 => v.conversation_key_version = string(r, t)?,
                2 => v.participant_keys = struct_list(r, t)?.unwrap_or_default(),
                4 => {
                    v.has_ratchet_tree_change = true;
                    return Ok(false);
                }
                5 => v.for_key_rotation = boolean(r, t)?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(v)
    }

    fn write(&self, w: &mut Writer) {
        w.opt_string(1, self.conversation_key_version.as_deref());
        write_struct_list(w, 2, &self.participant_keys);
        w.opt_bool(5, self.for_key_rotation).stop();
    }
}

/// `ConversationParticipantKey`: the conversation key wrapped to one participant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConversationParticipantKey {
    /// 1: the participant.
    pub user_id: Option<String>,
    /// 2: base64 of `eph_pub(65) ‖ ct ‖ tag(16)`.
    pub encrypted_conversation_key: Option<String>,
    /// 3: the participant's public key version it was wrapped to.
    pub public_key_version: Option<String>,
}

impl ConversationParticipantKey {
    /// A participant key with all three fields.
    pub fn new(
        user_id: String,
        encrypted_conversation_key: String,
        public_key_version: String,
    ) -> Self {
        ConversationParticipantKey {
            user_id: Some(user_id),
            encrypted_conversation_key: Some(encrypted_conversation_key),
            public_key_version: Some(public_key_version),
        }
    }
}

impl ThriftStruct for ConversationParticipantKey {
    const NAME: &'static str = "ConversationParticipantKey";

    fn read(r: &mut Reader<'_>) -> Result<Self, ThriftError> {
        let mut v = ConversationParticipantKey::default();
        fields(r, Self::NAME, |r, t, id| {
            match id {
                1 => v.user_id = string(r, t)?,
                2 => v.encrypted_conversation_key = string(r, t)?,
                3 => v.public_key_version = string(r, t)?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(v)
    }

    fn write(&self, w: &mut Writer) {
        w.opt_string(1, self.user_id.as_deref())
            .opt_string(2, self.encrypted_conversation_key.as_deref())
            .opt_string(3, self.public_key_version.as_deref())
            .stop();
    }
}

/// `MessageEventSignature`: who signed an event, with which key and layout.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageEventSignature {
    /// 1: base64 (no padding) of the raw `r ‖ s`.
    pub signature: Option<String>,
    /// 2: the signer's public key version.
    pub public_key_version: Option<String>,
    /// 3: the signed-payload layout ("7").
    pub signature_version: Option<String>,
    /// 4: the signer's signing key (SPKI, base64), informational: verification uses the
    /// signer's fetched, binding-verified record.
    pub signing_public_key: Option<String>,
    /// 5: signing keys of several signers.
    pub signing_key_info: Vec<MessageSigningKeyInfo>,
}

impl ThriftStruct for MessageEventSignature {
    const NAME: &'static str = "MessageEventSignature";

    fn read(r: &mut Reader<'_>) -> Result<Self, ThriftError> {
        let mut v = MessageEventSignature::default();
        fields(r, Self::NAME, |r, t, id| {
            match id {
                1 => v.signature = string(r, t)?,
                2 => v.public_key_version = string(r, t)?,
                3 => v.signature_version = string(r, t)?,
                4 => v.signing_public_key = string(r, t)?,
                5 => v.signing_key_info = struct_list(r, t)?.unwrap_or_default(),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(v)
    }

    fn write(&self, w: &mut Writer) {
        w.opt_string(1, self.signature.as_deref())
            .opt_string(2, self.public_key_version.as_deref())
            .opt_string(3, self.signature_version.as_deref())
            .opt_string(4, self.signing_public_key.as_deref());
        if !self.signing_key_info.is_empty() {
            write_struct_list(w, 5, &self.signing_key_info);
        }
        w.stop();
    }
}

/// `MessageSigningKeyInfo`: one signer's key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageSigningKeyInfo {
    /// 1: the signer.
    pub member_id: Option<String>,
    /// 2: the signer's key version.
    pub public_key_version: Option<String>,
    /// 3: the signer's signing key.
    pub signing_public_key: Option<String>,
}

impl ThriftStruct for MessageSigningKeyInfo {
    const NAME: &'static str = "MessageSigningKeyInfo";

    fn read(r: &mut Reader<'_>) -> Result<Self, ThriftError> {
        let mut v = MessageSigningKeyInfo::default();
        fields(r, Self::NAME, |r, t, id| {
            match id {
                1 => v.member_id = string(r, t)?,
                2 => v.public_key_version = string(r, t)?,
                3 => v.signing_public_key = string(r, t)?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(v)
    }

    fn write(&self, w: &mut Writer) {
        w.opt_string(1, self.member_id.as_deref())
            .opt_string(2, self.public_key_version.as_deref())
            .opt_string(3, self.signing_public_key.as_deref())
            .stop();
    }
}
