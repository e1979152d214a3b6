//! Request bodies of the sends: [`MessageRequest`] and [`GroupConversationRequest`], validated on
//! construction and on deserialization.

use serde::{Deserialize, Serialize};

use crate::{MediaId, UserId};

/// A request body that breaks the documented rules.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError {
    /// Neither text nor an attachment.
    #[error("a message needs text, a media attachment, or both")]
    Empty,
    /// `text` is the empty string.
    #[error("message text must not be empty")]
    EmptyText,
    /// `text` is longer than 10,000 characters.
    #[error("message text is {chars} characters long; the maximum is {max}")]
    TextTooLong {
        /// The text's length in characters.
        chars: usize,
        /// The maximum (10,000).
        max: usize,
    },
    /// More than one attachment.
    #[error("a message carries at most one attachment, got {count}")]
    TooManyAttachments {
        /// How many were given.
        count: usize,
    },
    /// A group needs 2..=49 other participants.
    #[error("a group conversation needs {min}..={max} participant ids, got {count}")]
    ParticipantCount {
        /// How many were given.
        count: usize,
        /// The minimum (2).
        min: usize,
        /// The maximum (49).
        max: usize,
    },
    /// `conversation_type` is not `Group`.
    #[error("conversation_type must be \"Group\" (case sensitive)")]
    ConversationType,
}

/// One media attachment (`DmMediaAttachment`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MediaAttachment {
    /// An uploaded media id.
    pub media_id: MediaId,
}

/// The body of a message send (`CreateMessageRequest`): text (1..=10,000 characters) and/or
/// exactly one media attachment.
///
/// Serializes as `{"text": ..}`, `{"attachments": [{"media_id": ..}]}` or both.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawMessage")]
pub struct MessageRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<MediaAttachment>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMessage {
    text: Option<String>,
    #[serde(default)]
    attachments: Vec<MediaAttachment>,
}

impl TryFrom<RawMessage> for MessageRequest {
    type Error = BodyError;
    fn try_from(raw: RawMessage) -> Result<Self, BodyError> {
        if let Some(t) = &raw.text {
            check_text(t)?;
        }
        if raw.attachments.len() > 1 {
            return Err(BodyError::TooManyAttachments {
                count: raw.attachments.len(),
            });
        }
        if raw.text.is_none() && raw.attachments.is_empty() {
            return Err(BodyError::Empty);
        }
        Ok(MessageRequest {
            text: raw.text,
            attachments: raw.attachments,
        })
    }
}

/// The longest message text, in characters.
pub const MAX_TEXT_CHARS: usize = 10_000;

fn check_text(text: &str) -> Result<(), BodyError> {
    if text.is_empty() {
        return Err(BodyError::EmptyText);
    }
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(BodyError::TextTooLong {
            chars,
            max: MAX_TEXT_CHARS,
        });
    }
    Ok(())
}

impl MessageRequest {
    /// A text message.
    ///
    /// # Errors
    ///
    /// [`BodyError::EmptyText`] or [`BodyError::TextTooLong`].
    pub fn text(text: impl Into<String>) -> Result<Self, BodyError> {
        let text = text.into();
        check_text(&text)?;
        Ok(MessageRequest {
            text: Some(text),
            attachments: Vec::new(),
        })
    }

    /// A message with text and one uploaded media attachment.
    ///
    /// # Errors
    ///
    /// [`BodyError::EmptyText`] or [`BodyError::TextTooLong`].
    pub fn with_media(text: impl Into<String>, media_id: MediaId) -> Result<Self, BodyError> {
        let mut m = MessageRequest::text(text)?;
        m.attachments.push(MediaAttachment { media_id });
        Ok(m)
    }

    /// A message with only one uploaded media attachment.
    pub fn media(media_id: MediaId) -> Self {
        MessageRequest {
            text: None,
            attachments: vec![MediaAttachment { media_id }],
        }
    }

    /// The text, if any.
    pub fn text_str(&self) -> Option<&str> {
        self.text.as_deref()
    }

    /// The attached media id, if any.
    pub fn media_id(&self) -> Option<&MediaId> {
        self.attachments.first().map(|a| &a.media_id)
    }
}

/// The body of a group conversation create (`CreateDmConversationRequest`):
/// `conversation_type: "Group"`, 2..=49 participant ids, and the first message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawGroup")]
pub struct GroupConversationRequest {
    conversation_type: GroupType,
    participant_ids: Vec<UserId>,
    message: MessageRequest,
}

/// The only `conversation_type`: `"Group"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct GroupType;

impl Serialize for GroupType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("Group")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    conversation_type: String,
    participant_ids: Vec<UserId>,
    message: MessageRequest,
}

impl TryFrom<RawGroup> for GroupConversationRequest {
    type Error = BodyError;
    fn try_from(raw: RawGroup) -> Result<Self, BodyError> {
        if raw.conversation_type != "Group" {
            return Err(BodyError::ConversationType);
        }
        GroupConversationRequest::new(raw.participant_ids, raw.message)
    }
}

/// The fewest other participants a group can be created with.
pub const MIN_GROUP_PARTICIPANTS: usize = 2;
/// The most other participants a group can be created with.
pub const MAX_GROUP_PARTICIPANTS: usize = 49;

impl GroupConversationRequest {
    /// A new group with `participant_ids` (2..=49, not counting the authenticated user) and a
    /// first message.
    ///
    /// # Errors
    ///
    /// [`BodyError::ParticipantCount`] when the count is out of range.
    pub fn new(participant_ids: Vec<UserId>, message: MessageRequest) -> Result<Self, BodyError> {
        let count = participant_ids.len();
        if !(MIN_GROUP_PARTICIPANTS..=MAX_GROUP_PARTICIPANTS).contains(&count) {
            return Err(BodyError::ParticipantCount {
                count,
                min: MIN_GROUP_PARTICIPANTS,
                max: MAX_GROUP_PARTICIPANTS,
            });
        }
        Ok(GroupConversationRequest {
            conversation_type: GroupType,
            participant_ids,
            message,
        })
    }

    /// The participants (without the authenticated user).
    pub fn participant_ids(&self) -> &[UserId] {
        &self.participant_ids
    }

    /// The first message.
    pub fn message(&self) -> &MessageRequest {
        &self.message
    }
}
