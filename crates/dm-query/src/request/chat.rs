//! X Chat (encrypted DMs) request values: the current user, public keys, conversations,
//! history, conversation keys, messages, typing, read marks and encrypted media. Bodies are
//! `dm-model` types; what they carry is built and verified by `dm-chat`.

use base64::Engine;
use bytes::Bytes;
use dm_model::{
    AddChatGroupMembersRequest, AddConversationKeysRequest, ChatConversationField,
    ChatConversationId, ChatMediaHashKey, ChatMediaSessionId, ChatMessageEventField,
    CreateChatGroupRequest, PublicKeyField, RegisterPublicKeyRequest, SendChatMessageRequest,
    UserId,
};

use super::{ApiRequest, build, json_body};
use crate::base_url::BaseUrl;
use crate::encode::encode_query_value;
use crate::error::QueryError;
use crate::operation::Operation;

fn join<T: AsRef<str>>(values: impl IntoIterator<Item = T>) -> String {
    values
        .into_iter()
        .map(|v| v.as_ref().to_string())
        .collect::<Vec<_>>()
        .join(",")
}

fn public_key_fields() -> String {
    format!(
        "public_key.fields={}",
        encode_query_value(&join(PublicKeyField::ALL.iter().map(|f| f.as_str())))
    )
}

fn page_query(
    max_results: Option<u32>,
    token: Option<&str>,
    fields: (&str, String),
) -> Result<String, QueryError> {
    let mut q = Vec::new();
    if let Some(n) = max_results {
        if !(1..=100).contains(&n) {
            return Err(QueryError::MaxResultsOutOfRange { value: n.into() });
        }
        q.push(format!("max_results={n}"));
    }
    if let Some(t) = token {
        if t.is_empty() {
            return Err(QueryError::PaginationTokenTooShort { len: 0 });
        }
        q.push(format!("pagination_token={}", encode_query_value(t)));
    }
    q.push(format!("{}={}", fields.0, encode_query_value(&fields.1)));
    Ok(q.join("&"))
}

/// The authenticated user (`GET /2/users/me`): whose keys to register.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GetMe;

impl ApiRequest for GetMe {
    fn operation(&self) -> Operation {
        Operation::GetMe
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        build(self.operation(), base, &[], "", None)
    }
}

/// Registers a user's public keys (`POST /2/users/{id}/public_keys`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterPublicKey {
    /// The authenticated user.
    pub user_id: UserId,
    /// The keys, their binding signatures, the version.
    pub body: RegisterPublicKeyRequest,
}

impl ApiRequest for RegisterPublicKey {
    fn operation(&self) -> Operation {
        Operation::RegisterPublicKey
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        let body = json_body(&self.body)?;
        build(
            self.operation(),
            base,
            &[self.user_id.as_str()],
            "",
            Some(body),
        )
    }
}

/// A user's public-key records (`GET /2/users/{id}/public_keys`), with every field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetPublicKey {
    /// Whose keys.
    pub user_id: UserId,
}

impl ApiRequest for GetPublicKey {
    fn operation(&self) -> Operation {
        Operation::GetPublicKey
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        build(
            self.operation(),
            base,
            &[self.user_id.as_str()],
            &public_key_fields(),
            None,
        )
    }
}

/// Several users' public-key records (`GET /2/users/public_keys?ids=`). The records carry no
/// user id: prefer [`GetPublicKey`] when the owner matters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetPublicKeys {
    /// The users (1 or more).
    pub ids: Vec<UserId>,
}

impl ApiRequest for GetPublicKeys {
    fn operation(&self) -> Operation {
        Operation::GetPublicKeys
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        if self.ids.is_empty() {
            return Err(QueryError::EmptyList {
                param: "ids",
                allowed: Vec::new(),
            });
        }
        let ids = join(self.ids.iter().map(UserId::as_str));
        let query = format!("ids={}&{}", encode_query_value(&ids), public_key_fields());
        build(self.operation(), base, &[], &query, None)
    }
}

/// The user's conversations (`GET /2/chat/conversations`), every field, participants expanded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GetChatConversations {
    /// 1..=100 (the API's default is 10).
    pub max_results: Option<u32>,
    /// A `meta.next_token`.
    pub pagination_token: Option<String>,
}

impl ApiRequest for GetChatConversations {
    fn operation(&self) -> Operation {
        Operation::GetChatConversations
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        let fields = join(ChatConversationField::ALL.iter().map(|f| f.as_str()));
        let mut query = page_query(
            self.max_results,
            self.pagination_token.as_deref(),
            ("chat_conversation.fields", fields),
        )?;
        query.push_str("&expansions=participant_ids");
        build(self.operation(), base, &[], &query, None)
    }
}

/// One conversation (`GET /2/chat/conversations/{id}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetChatConversation {
    /// The conversation (a peer's user id, `low-high`, or `g…`).
    pub id: ChatConversationId,
}

impl ApiRequest for GetChatConversation {
    fn operation(&self) -> Operation {
        Operation::GetChatConversation
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        let fields = join(ChatConversationField::ALL.iter().map(|f| f.as_str()));
        let query = format!(
            "chat_conversation.fields={}&expansions=participant_ids",
            encode_query_value(&fields)
        );
        build(self.operation(), base, &[self.id.as_str()], &query, None)
    }
}

/// A page of a conversation's history with its key changes
/// (`GET /2/chat/conversations/{id}/events`), every event field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetChatEvents {
    /// The conversation.
    pub id: ChatConversationId,
    /// 1..=100.
    pub max_results: Option<u32>,
    /// A `meta.next_token`.
    pub pagination_token: Option<String>,
}

impl ApiRequest for GetChatEvents {
    fn operation(&self) -> Operation {
        Operation::GetChatEvents
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        let fields = join(ChatMessageEventField::ALL.iter().map(|f| f.as_str()));
        let query = page_query(
            self.max_results,
            self.pagination_token.as_deref(),
            ("chat_message_event.fields", fields),
        )?;
        build(self.operation(), base, &[self.id.as_str()], &query, None)
    }
}

/// Posts a new conversation key (`POST /2/chat/conversations/{id}/keys`). Not idempotent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddConversationKeys {
    /// The conversation.
    pub id: ChatConversationId,
    /// The wrapped keys and the signed key-change action.
    pub body: AddConversationKeysRequest,
}

impl ApiRequest for AddConversationKeys {
    fn operation(&self) -> Operation {
        Operation::AddConversationKeys
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        let body = json_body(&self.body)?;
        build(self.operation(), base, &[self.id.as_str()], "", Some(body))
    }
}

/// Sends an encrypted message (`POST /2/chat/conversations/{id}/messages`). Not idempotent:
/// never resend after a timeout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendChatMessage {
    /// The conversation.
    pub id: ChatConversationId,
    /// The encrypted, signed message.
    pub body: SendChatMessageRequest,
}

impl ApiRequest for SendChatMessage {
    fn operation(&self) -> Operation {
        Operation::SendChatMessage
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        let body = json_body(&self.body)?;
        build(self.operation(), base, &[self.id.as_str()], "", Some(body))
    }
}

/// The typing indicator (`POST /2/chat/conversations/{id}/typing`, no body).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendChatTyping {
    /// The conversation.
    pub id: ChatConversationId,
}

impl ApiRequest for SendChatTyping {
    fn operation(&self) -> Operation {
        Operation::SendChatTyping
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        build(self.operation(), base, &[self.id.as_str()], "", None)
    }
}

/// Marks a conversation read up to a sequence id (`POST /2/chat/conversations/{id}/read`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkChatRead {
    /// The conversation.
    pub id: ChatConversationId,
    /// The last event read.
    pub seen_until_sequence_id: String,
}

impl ApiRequest for MarkChatRead {
    fn operation(&self) -> Operation {
        Operation::MarkChatRead
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        let body =
            json_body(&serde_json::json!({"seen_until_sequence_id": self.seen_until_sequence_id}))?;
        build(self.operation(), base, &[self.id.as_str()], "", Some(body))
    }
}

/// Starts an encrypted media upload (`POST /2/chat/media/upload/initialize`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitializeChatUpload {
    /// The conversation the media belongs to.
    pub conversation_id: ChatConversationId,
    /// Bytes to upload (the encrypted stream's size).
    pub total_bytes: u64,
}

impl ApiRequest for InitializeChatUpload {
    fn operation(&self) -> Operation {
        Operation::InitializeChatUpload
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        let body = json_body(&serde_json::json!({
            "conversation_id": self.conversation_id.as_str(),
            "total_bytes": self.total_bytes,
        }))?;
        build(self.operation(), base, &[], "", Some(body))
    }
}

/// Appends a segment of encrypted media (`POST /2/chat/media/upload/{id}/append`, JSON with
/// base64 bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppendChatUpload {
    /// The upload session.
    pub session_id: ChatMediaSessionId,
    /// The conversation.
    pub conversation_id: ChatConversationId,
    /// From initialize.
    pub media_hash_key: ChatMediaHashKey,
    /// 0..=999.
    pub segment_index: u32,
    /// The segment's bytes.
    pub media: Bytes,
}

impl ApiRequest for AppendChatUpload {
    fn operation(&self) -> Operation {
        Operation::AppendChatUpload
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        if self.segment_index > 999 {
            return Err(QueryError::InvalidUpload {
                field: "segment_index",
                reason: format!("must be between 0 and 999, got {}", self.segment_index),
            });
        }
        let body = json_body(&serde_json::json!({
            "conversation_id": self.conversation_id.as_str(),
            "media_hash_key": self.media_hash_key.as_str(),
            "segment_index": self.segment_index,
            "media": base64::engine::general_purpose::STANDARD.encode(&self.media),
        }))?;
        build(
            self.operation(),
            base,
            &[self.session_id.as_str()],
            "",
            Some(body),
        )
    }
}

/// Completes an encrypted media upload (`POST /2/chat/media/upload/{id}/finalize`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FinalizeChatUpload {
    /// The upload session.
    pub session_id: ChatMediaSessionId,
    /// The conversation.
    pub conversation_id: ChatConversationId,
    /// From initialize.
    pub media_hash_key: ChatMediaHashKey,
    /// Segments appended.
    pub num_parts: u32,
}

impl ApiRequest for FinalizeChatUpload {
    fn operation(&self) -> Operation {
        Operation::FinalizeChatUpload
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        let body = json_body(&serde_json::json!({
            "conversation_id": self.conversation_id.as_str(),
            "media_hash_key": self.media_hash_key.as_str(),
            "num_parts": self.num_parts.to_string(),
        }))?;
        build(
            self.operation(),
            base,
            &[self.session_id.as_str()],
            "",
            Some(body),
        )
    }
}

/// Downloads encrypted media (`GET /2/chat/media/{id}/{media_hash_key}`): the secretstream
/// bytes, decrypted with the conversation key by `dm-chat`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DownloadChatMedia {
    /// The conversation.
    pub conversation_id: ChatConversationId,
    /// The media.
    pub media_hash_key: ChatMediaHashKey,
}

impl ApiRequest for DownloadChatMedia {
    fn operation(&self) -> Operation {
        Operation::DownloadChatMedia
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        build(
            self.operation(),
            base,
            &[self.conversation_id.as_str(), self.media_hash_key.as_str()],
            "",
            None,
        )
    }
}

/// Reserves a new group id (`POST /2/chat/conversations/group/initialize`, no body).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InitializeChatGroup;

impl ApiRequest for InitializeChatGroup {
    fn operation(&self) -> Operation {
        Operation::InitializeChatGroup
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        build(self.operation(), base, &[], "", None)
    }
}

fn check_user_ids(param: &'static str, ids: &[String]) -> Result<(), QueryError> {
    if ids.is_empty() {
        return Err(QueryError::EmptyList {
            param,
            allowed: Vec::new(),
        });
    }
    for id in ids {
        id.parse::<UserId>().map_err(|e| QueryError::InvalidBody {
            field: param,
            reason: format!("lists {id:?}: {e}"),
        })?;
    }
    Ok(())
}

/// Creates a group (`POST /2/chat/conversations/group`) under an initialized id. Not
/// idempotent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateChatGroup {
    /// The members, the wrapped keys and the two signed actions.
    pub body: CreateChatGroupRequest,
}

impl ApiRequest for CreateChatGroup {
    fn operation(&self) -> Operation {
        Operation::CreateChatGroup
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        self.body
            .conversation_id
            .parse::<ChatConversationId>()
            .ok()
            .filter(|c| c.as_str().starts_with('g'))
            .ok_or_else(|| QueryError::InvalidBody {
                field: "conversation_id",
                reason: format!(
                    "{:?} is not a group id (`g` and 1 to 19 digits, from initialize)",
                    self.body.conversation_id
                ),
            })?;
        check_user_ids("group_members", &self.body.group_members)?;
        let body = json_body(&self.body)?;
        build(self.operation(), base, &[], "", Some(body))
    }
}

/// Adds members to a group (`POST /2/chat/conversations/{id}/members`), rotating its key.
/// Not idempotent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddChatGroupMembers {
    /// The group.
    pub id: ChatConversationId,
    /// The new members, the rotated key and the two signed actions.
    pub body: AddChatGroupMembersRequest,
}

impl ApiRequest for AddChatGroupMembers {
    fn operation(&self) -> Operation {
        Operation::AddChatGroupMembers
    }

    fn to_request(&self, base: &BaseUrl) -> Result<http::Request<Bytes>, QueryError> {
        check_user_ids("user_ids", &self.body.user_ids)?;
        let body = json_body(&self.body)?;
        build(self.operation(), base, &[self.id.as_str()], "", Some(body))
    }
}
