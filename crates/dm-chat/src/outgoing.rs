//! What a sender builds: a signed message, a signed conversation-key change.

use uuid::Uuid;

use crate::keys::{PrivateKeys, VerifiedKeys};
use crate::sign::{SIGNATURE_VERSION, key_change_payload, message_payload};
use crate::thrift::{
    ConversationKeyChangeEvent, ConversationParticipantKey, EventDetail, GroupChange,
    GroupChangeEvent, GroupCreate, GroupMemberAdd, MessageCreateEvent, MessageEntryHolder,
    MessageEvent, MessageEventSignature, ThriftStruct,
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

/// Signs a group change (creation, member addition) as the action signature the group
/// endpoints take: `encoded_message_event_detail` is `MessageEventDetail{4: GroupChangeEvent}`,
/// the signature covers [`group_change_payload`](crate::sign::group_change_payload).
///
/// # Errors
/// [`ChatError::Invalid`] when a component contains a comma or the change has no documented
/// layout; [`ChatError::Missing`] without a conversation key version.
pub fn sign_group_change(
    keys: &PrivateKeys,
    sender: &VerifiedKeys,
    conversation: &ChatConversationId,
    message_id: &str,
    change: &GroupChange,
) -> Result<ActionSignature, ChatError> {
    let payload =
        crate::sign::group_change_payload(message_id, sender.user_id(), conversation, change)?;
    let detail = EventDetail::GroupChange(GroupChangeEvent {
        change: Some(change.clone()),
        flag_2: Some(false),
    });
    Ok(ActionSignature {
        message_id: message_id.to_string(),
        encoded_message_event_detail: b64::encode(&detail.encode()),
        signature: keys.sign(payload.as_bytes()).to_base64_no_pad(),
        public_key_version: sender.version().to_string(),
        signature_version: SIGNATURE_VERSION.into(),
    })
}

/// A group action ready to post: the conversation key wrapped to every member and its signed
/// key change, and the signed group change (the two `action_signatures`, in that order).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GroupAction {
    /// The new conversation key and its key-change action.
    pub key_change: KeyChange,
    /// The group change that was signed.
    pub change: GroupChange,
    /// Its action signature.
    pub group_signature: ActionSignature,
}

/// Prepares `POST /2/chat/conversations/group`: a conversation key wrapped to every member's
/// verified keys (`members`, the creator included), the signed key change and the signed
/// `GroupCreate` (members in the order given, `admins`, and the title and avatar exactly as
/// they will be posted).
///
/// # Errors
/// [`ChatError::Invalid`] when the conversation is not a group, the creator is not among the
/// members, or an id contains a comma.
pub fn prepare_group_create(
    keys: &PrivateKeys,
    sender: &VerifiedKeys,
    conversation: &ChatConversationId,
    members: &[VerifiedKeys],
    admins: &[String],
    title: Option<&str>,
    avatar_url: Option<&str>,
) -> Result<GroupAction, ChatError> {
    if !matches!(conversation, ChatConversationId::Group(_)) {
        return Err(ChatError::invalid_conversation(
            "a group is created under a group id (`g…`)",
        ));
    }
    if !members.iter().any(|m| m.user_id() == sender.user_id()) {
        return Err(ChatError::invalid_conversation(
            "the creator must be one of the group's members",
        ));
    }
    let key_change = prepare_key_change(keys, sender, conversation, members)?;
    let change = GroupChange::Create(GroupCreate {
        member_ids: members.iter().map(|m| m.user_id().to_string()).collect(),
        admin_ids: admins.to_vec(),
        title: title.map(str::to_owned),
        avatar_url: avatar_url.map(str::to_owned),
        conversation_key_version: Some(key_change.key.version().to_string()),
        ttl_msec: None,
    });
    let group_signature =
        sign_group_change(keys, sender, conversation, &new_message_id(), &change)?;
    Ok(GroupAction {
        key_change,
        change,
        group_signature,
    })
}

/// The group as it is before members are added (what a member addition signs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GroupState {
    /// The current members.
    pub member_ids: Vec<String>,
    /// The current admins.
    pub admin_ids: Vec<String>,
    /// The current title, as stored.
    pub title: Option<String>,
    /// The current avatar URL, as stored.
    pub avatar_url: Option<String>,
}

impl GroupState {
    /// A group's members and admins.
    pub fn new(member_ids: Vec<String>, admin_ids: Vec<String>) -> Self {
        GroupState {
            member_ids,
            admin_ids,
            ..GroupState::default()
        }
    }
}

/// Prepares `POST /2/chat/conversations/{id}/members`: adding members always rotates the
/// key, so a new conversation key is wrapped to everyone (`everyone`: the current members'
/// and the new members' verified keys) and signed, with the signed `GroupMemberAddChange`.
///
/// # Errors
/// [`ChatError::Invalid`] when the conversation is not a group, a new member is already in
/// it or has no keys in `everyone`, or an id contains a comma.
pub fn prepare_group_members_add(
    keys: &PrivateKeys,
    sender: &VerifiedKeys,
    conversation: &ChatConversationId,
    group: &GroupState,
    new_members: &[String],
    everyone: &[VerifiedKeys],
) -> Result<GroupAction, ChatError> {
    if !matches!(conversation, ChatConversationId::Group(_)) {
        return Err(ChatError::invalid_conversation(
            "members are added to groups (`g…`) only",
        ));
    }
    for n in new_members {
        if group.member_ids.contains(n) {
            return Err(ChatError::invalid_conversation(format!(
                "user {n} is already a member"
            )));
        }
    }
    for u in group.member_ids.iter().chain(new_members) {
        if !everyone.iter().any(|k| k.user_id() == u) {
            return Err(ChatError::invalid_conversation(format!(
                "no verified keys of user {u} to wrap the new key to"
            )));
        }
    }
    let key_change = prepare_key_change(keys, sender, conversation, everyone)?;
    let change = GroupChange::MemberAdd(GroupMemberAdd {
        new_member_ids: new_members.to_vec(),
        current_member_ids: group.member_ids.clone(),
        admin_ids: group.admin_ids.clone(),
        title: group.title.clone(),
        avatar_url: group.avatar_url.clone(),
        conversation_key_version: Some(key_change.key.version().to_string()),
        ..GroupMemberAdd::default()
    });
    let group_signature =
        sign_group_change(keys, sender, conversation, &new_message_id(), &change)?;
    Ok(GroupAction {
        key_change,
        change,
        group_signature,
    })
}
