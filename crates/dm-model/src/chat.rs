//! X Chat (encrypted DMs) JSON: ids, public-key records, conversations, history pages and the
//! bodies of the writes. The encrypted parts are opaque base64 strings here; `dm-chat`
//! decodes and verifies them. Every object keeps unknown members in `extra`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ids::{IdError, Storage, is_digits, string_id};
use crate::{Problem, User};

/// An X Chat conversation id in a path (`^([0-9]{1,19}|[0-9]{1,19}-[0-9]{1,19}|g[0-9]{1,19})$`):
/// the peer's user id (1:1, the server builds the canonical id), `low-high`, or a group `g…`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChatConversationId(String);

string_id!(
    ChatConversationId,
    "^([0-9]{1,19}|[0-9]{1,19}-[0-9]{1,19}|g[0-9]{1,19})$",
    |s| match (s.strip_prefix('g'), s.split_once('-')) {
        (Some(g), _) => is_digits(g, 1, 19),
        (None, Some((a, b))) => is_digits(a, 1, 19) && is_digits(b, 1, 19),
        (None, None) => is_digits(s, 1, 19),
    },
    // Events name 1:1 conversations `low:high` too (the form signatures use).
    decode: |s| match (s.strip_prefix('g'), s.split_once(['-', ':'])) {
        (Some(g), _) => is_digits(g, 1, 19),
        (None, Some((a, b))) => is_digits(a, 1, 19) && is_digits(b, 1, 19),
        (None, None) => is_digits(s, 1, 19),
    }
);

/// An X Chat media upload session (`^[0-9]{1,19}$`).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChatMediaSessionId(String);

string_id!(ChatMediaSessionId, "^[0-9]{1,19}$", |s| is_digits(s, 1, 19));

/// An X Chat media hash key (`^[a-zA-Z0-9]{1,50}$`), returned by the upload's initialize.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChatMediaHashKey(String);

string_id!(ChatMediaHashKey, "^[a-zA-Z0-9]{1,50}$", |s| {
    (1..=50).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
});

/// A user's public-key record (`PublicKey`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PublicKeyRecord {
    /// The key version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key_version: Option<String>,
    /// The identity key (SPKI DER, base64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// The signing key (SPKI DER, base64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_public_key: Option<String>,
    /// ECDSA(signing key, identity SPKI DER), base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_public_key_signature: Option<String>,
    /// Juicebox configuration (only on one's own record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub juicebox_config: Option<Value>,
    /// Members this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `GET /2/users/{id}/public_keys` and `GET /2/users/public_keys`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PublicKeysResponse {
    /// The records (a user may have several versions).
    #[serde(default)]
    pub data: Vec<PublicKeyRecord>,
    /// Partial errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Problem>,
    /// Members this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The registration payload (`AddUserPublicKeyPublicKey`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
#[allow(missing_docs)]
pub struct PublicKeyRegistration {
    pub identity_public_key_signature: String,
    pub public_key: String,
    pub public_key_fingerprint: String,
    pub registration_method: String,
    pub signing_public_key: String,
    pub signing_public_key_signature: String,
}

impl PublicKeyRegistration {
    /// A registration from its six fields (see `dm_chat::PrivateKeys::registration`).
    pub fn new(
        identity_public_key_signature: String,
        public_key: String,
        public_key_fingerprint: String,
        registration_method: String,
        signing_public_key: String,
        signing_public_key_signature: String,
    ) -> Self {
        PublicKeyRegistration {
            identity_public_key_signature,
            public_key,
            public_key_fingerprint,
            registration_method,
            signing_public_key,
            signing_public_key_signature,
        }
    }
}

/// The body of `POST /2/users/{id}/public_keys`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RegisterPublicKeyRequest {
    /// The keys and their binding signatures.
    pub public_key: PublicKeyRegistration,
    /// A version (the SDK sends a millisecond timestamp).
    pub version: String,
    /// Whether the server assigns the version (use the one it returns).
    #[serde(default)]
    pub generate_version: bool,
}

impl RegisterPublicKeyRequest {
    /// A registration with a version, asking the server to assign one.
    pub fn new(public_key: PublicKeyRegistration, version: String) -> Self {
        RegisterPublicKeyRequest {
            public_key,
            version,
            generate_version: true,
        }
    }
}

/// `data` of a registration's response.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RegisteredPublicKey {
    /// The version assigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key_version: Option<String>,
    /// Juicebox configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub juicebox_config: Option<Value>,
    /// Members this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A response whose `data` is one object (`{data, errors}`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DataResponse<T> {
    /// The object, absent when the request failed.
    #[serde(default = "Option::default", skip_serializing_if = "Option::is_none")]
    pub data: Option<T>,
    /// Partial errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Problem>,
    /// Members this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `GET /2/users/me`.
pub type UserMeResponse = DataResponse<User>;

/// An event of a conversation's history (`ChatMessageEvent`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatMessageEvent {
    /// The event's id (its sequence id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// The sender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_id: Option<String>,
    /// When it was created (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// base64 of the Thrift `MessageEvent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoded_event: Option<String>,
    /// The previous event's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_id: Option<String>,
    /// Members this version does not know (`message_event_signature`, `is_trusted`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `meta` of a history page.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatEventsMeta {
    /// base64 `MessageEvent`s of the key changes the page's messages need.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conversation_key_events: Vec<String>,
    /// Whether there are older events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_more: Option<bool>,
    /// The token of the next (older) page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Events in this page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_count: Option<u32>,
    /// Members this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `GET /2/chat/conversations/{id}/events`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatEventsPage {
    /// The events, newest first.
    #[serde(default)]
    pub data: Vec<ChatMessageEvent>,
    /// Pagination and key changes.
    #[serde(default)]
    pub meta: ChatEventsMeta,
    /// Partial errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Problem>,
    /// Members this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A conversation (`ChatConversation`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatConversation {
    /// Its id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `type` (one-to-one or group).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Created at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Updated at (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// A group's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_name: Option<String>,
    /// Participants (expansion `participant_ids`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub participant_ids: Vec<String>,
    /// Members (expansion `member_ids`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub member_ids: Vec<String>,
    /// Members this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `meta` of a conversation list.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatConversationsMeta {
    /// Whether there are more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_more: Option<bool>,
    /// The next page's token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Conversations in this page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_count: Option<u32>,
    /// Members this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `GET /2/chat/conversations`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatConversationsPage {
    /// The conversations.
    #[serde(default)]
    pub data: Vec<ChatConversation>,
    /// Expanded users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub includes: Option<Value>,
    /// Pagination.
    #[serde(default)]
    pub meta: ChatConversationsMeta,
    /// Partial errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Problem>,
    /// Members this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One participant's wrapped conversation key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConversationParticipantKeyBody {
    /// The participant.
    pub user_id: String,
    /// The key, ECIES-wrapped to their identity key, base64.
    pub encrypted_conversation_key: String,
    /// Their public key version it was wrapped to.
    pub public_key_version: String,
}

impl ConversationParticipantKeyBody {
    /// A participant key.
    pub fn new(
        user_id: String,
        encrypted_conversation_key: String,
        public_key_version: String,
    ) -> Self {
        ConversationParticipantKeyBody {
            user_id,
            encrypted_conversation_key,
            public_key_version,
        }
    }
}

/// `message_event_signature` of an action signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EventSignatureBody {
    /// base64 (no padding) of `r ‖ s`.
    pub signature: String,
    /// The signer's key version.
    pub public_key_version: String,
    /// The payload layout ("7").
    pub signature_version: String,
}

/// An action signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ActionSignatureBody {
    /// The action's message id (UUIDv4).
    pub message_id: String,
    /// base64 of the Thrift `MessageEventDetail`.
    pub encoded_message_event_detail: String,
    /// The signature.
    pub message_event_signature: EventSignatureBody,
}

impl ActionSignatureBody {
    /// An action signature from its parts.
    pub fn new(
        message_id: String,
        encoded_message_event_detail: String,
        signature: String,
        public_key_version: String,
        signature_version: String,
    ) -> Self {
        ActionSignatureBody {
            message_id,
            encoded_message_event_detail,
            message_event_signature: EventSignatureBody {
                signature,
                public_key_version,
                signature_version,
            },
        }
    }
}

/// The body of `POST /2/chat/conversations/{id}/keys`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AddConversationKeysRequest {
    /// The new key's version.
    pub conversation_key_version: String,
    /// The key wrapped to each participant.
    pub conversation_participant_keys: Vec<ConversationParticipantKeyBody>,
    /// The signed key-change action.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub action_signatures: Vec<ActionSignatureBody>,
}

impl AddConversationKeysRequest {
    /// A key change body.
    pub fn new(
        conversation_key_version: String,
        conversation_participant_keys: Vec<ConversationParticipantKeyBody>,
        action_signatures: Vec<ActionSignatureBody>,
    ) -> Self {
        AddConversationKeysRequest {
            conversation_key_version,
            conversation_participant_keys,
            action_signatures,
        }
    }
}

/// `data` of `POST .../keys`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AddedConversationKeys {
    /// The conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// The key change's sequence id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence_id: Option<String>,
    /// Members this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The body of `POST /2/chat/conversations/{id}/messages`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SendChatMessageRequest {
    /// The signed message id (UUIDv4).
    pub message_id: String,
    /// base64 of the Thrift `MessageCreateEvent`.
    pub encoded_message_create_event: String,
    /// base64 of the Thrift `MessageEventSignature`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoded_message_event_signature: Option<String>,
    /// The conversation token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_token: Option<String>,
}

impl SendChatMessageRequest {
    /// A message body.
    pub fn new(
        message_id: String,
        encoded_message_create_event: String,
        encoded_message_event_signature: String,
    ) -> Self {
        SendChatMessageRequest {
            message_id,
            encoded_message_create_event,
            encoded_message_event_signature: Some(encoded_message_event_signature),
            conversation_token: None,
        }
    }
}

/// `data` of a send.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SentChatMessage {
    /// base64 of the `MessageEvent` the server made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoded_message_event: Option<String>,
    /// Members this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `data` of `POST /2/chat/media/upload/initialize`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatUploadSession {
    /// The upload session.
    pub session_id: String,
    /// The key the media will be downloaded by.
    pub media_hash_key: String,
    /// The canonical conversation id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// Members this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `data` of `POST /2/chat/conversations/group/initialize`: a new group id (`g…`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InitializedChatGroup {
    /// The group's id, to create it under.
    pub conversation_id: String,
    /// Members this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The body of `POST /2/chat/conversations/group`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreateChatGroupRequest {
    /// The id from initialize.
    pub conversation_id: String,
    /// The first conversation key's version.
    pub conversation_key_version: String,
    /// The key wrapped to every member.
    pub conversation_participant_keys: Vec<ConversationParticipantKeyBody>,
    /// Every member (the creator included).
    pub group_members: Vec<String>,
    /// The admins (the API defaults to the creator).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_admins: Vec<String>,
    /// The name, byte-identical to the signed title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_name: Option<String>,
    /// The avatar URL, byte-identical to the signed one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_avatar_url: Option<String>,
    /// A description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_description: Option<String>,
    /// Message time to live (milliseconds, a decimal string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_msec: Option<String>,
    /// The key change's and the `GroupCreate`'s action signatures, in that order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub action_signatures: Vec<ActionSignatureBody>,
}

impl CreateChatGroupRequest {
    /// A group creation body (no name, avatar, description or time to live).
    pub fn new(
        conversation_id: String,
        conversation_key_version: String,
        conversation_participant_keys: Vec<ConversationParticipantKeyBody>,
        group_members: Vec<String>,
        group_admins: Vec<String>,
        action_signatures: Vec<ActionSignatureBody>,
    ) -> Self {
        CreateChatGroupRequest {
            conversation_id,
            conversation_key_version,
            conversation_participant_keys,
            group_members,
            group_admins,
            group_name: None,
            group_avatar_url: None,
            group_description: None,
            ttl_msec: None,
            action_signatures,
        }
    }
}

/// `data` of `POST /2/chat/conversations/group`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreatedChatGroup {
    /// The group's canonical id.
    pub conversation_id: String,
    /// The sequence id of its first key change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_key_change_sequence_id: Option<String>,
    /// Members this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The body of `POST /2/chat/conversations/{id}/members`: the new members, and the rotated key
/// wrapped to everyone with its two action signatures (key change, `GroupMemberAddChange`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AddChatGroupMembersRequest {
    /// The users to add.
    pub user_ids: Vec<String>,
    /// The rotated key's version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_key_version: Option<String>,
    /// The rotated key wrapped to every member, old and new.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conversation_participant_keys: Vec<ConversationParticipantKeyBody>,
    /// The key change's and the member addition's action signatures.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub action_signatures: Vec<ActionSignatureBody>,
    /// The title re-encrypted under the new key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted_title: Option<String>,
    /// The avatar URL re-encrypted under the new key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted_avatar_url: Option<String>,
}

impl AddChatGroupMembersRequest {
    /// A member addition body.
    pub fn new(
        user_ids: Vec<String>,
        conversation_key_version: String,
        conversation_participant_keys: Vec<ConversationParticipantKeyBody>,
        action_signatures: Vec<ActionSignatureBody>,
    ) -> Self {
        AddChatGroupMembersRequest {
            user_ids,
            conversation_key_version: Some(conversation_key_version),
            conversation_participant_keys,
            action_signatures,
            encrypted_title: None,
            encrypted_avatar_url: None,
        }
    }
}
