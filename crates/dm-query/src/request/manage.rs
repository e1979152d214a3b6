//! The writes: [`DeleteEvent`], [`SendToParticipant`], [`SendToConversation`],
//! [`CreateGroup`], [`BlockDms`], [`UnblockDms`].

use bytes::Bytes;
use dm_model::{DmConversationId, DmEventId, GroupConversationRequest, MessageRequest, UserId};

use super::{ApiRequest, build, json_body};
use crate::base_url::BaseUrl;
use crate::error::QueryError;
use crate::operation::Operation;

/// Deletes a DM event the authenticated user sent (`DELETE /2/dm_events/{event_id}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteEvent {
    /// The event.
    pub id: DmEventId,
}

impl ApiRequest for DeleteEvent {
    fn operation(&self) -> Operation {
        Operation::DeleteDmEvent
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        build(self.operation(), base, &[self.id.as_str()], "", None)
    }
}

/// Sends a message in the one-to-one conversation with a user, creating it if needed
/// (`POST /2/dm_conversations/with/{participant_id}/messages`). Not idempotent: never
/// resend after a timeout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendToParticipant {
    /// The recipient.
    pub participant_id: UserId,
    /// Text and/or one media attachment.
    pub message: MessageRequest,
}

impl ApiRequest for SendToParticipant {
    fn operation(&self) -> Operation {
        Operation::SendToParticipant
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        let body = json_body(&self.message)?;
        build(
            self.operation(),
            base,
            &[self.participant_id.as_str()],
            "",
            Some(body),
        )
    }
}

/// Sends a message to an existing conversation, one-to-one or group
/// (`POST /2/dm_conversations/{dm_conversation_id}/messages`). Not idempotent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendToConversation {
    /// The conversation (validated as a `DmConversationId`, although the spec gives this
    /// path parameter no pattern).
    pub conversation_id: DmConversationId,
    /// Text and/or one media attachment.
    pub message: MessageRequest,
}

impl ApiRequest for SendToConversation {
    fn operation(&self) -> Operation {
        Operation::SendToConversation
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        let body = json_body(&self.message)?;
        build(
            self.operation(),
            base,
            &[self.conversation_id.as_str()],
            "",
            Some(body),
        )
    }
}

/// Creates a group conversation with a first message (`POST /2/dm_conversations`). Every
/// call creates a new conversation, even with the same participants. Not idempotent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateGroup {
    /// Participants (2..=49, besides the authenticated user) and the first message.
    pub body: GroupConversationRequest,
}

impl ApiRequest for CreateGroup {
    fn operation(&self) -> Operation {
        Operation::CreateGroupConversation
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        let body = json_body(&self.body)?;
        build(self.operation(), base, &[], "", Some(body))
    }
}

/// Blocks DMs to and from a user (`POST /2/users/{id}/dm/block`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockDms {
    /// The user.
    pub user_id: UserId,
}

impl ApiRequest for BlockDms {
    fn operation(&self) -> Operation {
        Operation::BlockDms
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        build(self.operation(), base, &[self.user_id.as_str()], "", None)
    }
}

/// Unblocks DMs to and from a user (`POST /2/users/{id}/dm/unblock`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnblockDms {
    /// The user.
    pub user_id: UserId,
}

impl ApiRequest for UnblockDms {
    fn operation(&self) -> Operation {
        Operation::UnblockDms
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        build(self.operation(), base, &[self.user_id.as_str()], "", None)
    }
}
