//! The X Chat endpoints as plain `Client` calls (JSON in, JSON out); [`ChatClient`]
//! (crate::ChatClient) adds the cryptography on top.

use bytes::Bytes;
use dm_model::{
    AddConversationKeysRequest, AddedConversationKeys, ChatConversationId, ChatConversationsPage,
    ChatEventsPage, ChatMediaHashKey, ChatUploadSession, DataResponse, PublicKeyRecord,
    PublicKeysResponse, RegisterPublicKeyRequest, RegisteredPublicKey, SendChatMessageRequest,
    SentChatMessage, User, UserId, UserMeResponse,
};
use dm_query::{
    AddConversationKeys, AppendChatUpload, DownloadChatMedia, FinalizeChatUpload,
    GetChatConversations, GetChatEvents, GetMe, GetPublicKey, InitializeChatUpload, MarkChatRead,
    RegisterPublicKey, SendChatMessage, SendChatTyping,
};
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::Error;

fn data<T>(body: DataResponse<T>, what: &str) -> Result<T, Error> {
    body.data.ok_or_else(|| Error::NoData {
        what: what.to_string(),
        problems: body.errors,
    })
}

fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    Ok(dm_model::decode(body)?)
}

impl Client {
    /// The authenticated user (`GET /2/users/me`).
    ///
    /// # Errors
    /// The API's refusal, or a body that does not decode.
    pub async fn me(&self) -> Result<User, Error> {
        let response = self.execute(&GetMe).await?;
        data(decode::<UserMeResponse>(response.body())?, "user")
    }

    /// Registers X Chat public keys for `user` (`POST /2/users/{id}/public_keys`); returns
    /// the version the server assigned.
    ///
    /// # Errors
    /// The API's refusal, or no version in the answer.
    pub async fn register_public_keys(
        &self,
        user: UserId,
        body: RegisterPublicKeyRequest,
    ) -> Result<RegisteredPublicKey, Error> {
        let response = self
            .execute(&RegisterPublicKey {
                user_id: user,
                body,
            })
            .await?;
        data(
            decode::<DataResponse<RegisteredPublicKey>>(response.body())?,
            "registered key version",
        )
    }

    /// A user's public-key records (`GET /2/users/{id}/public_keys`), unverified: check each
    /// binding (`dm_chat::KeyRecord::verify`) before trusting one.
    ///
    /// # Errors
    /// The API's refusal; [`Error::NoData`] when the user has no keys.
    pub async fn public_key_records(&self, user: UserId) -> Result<Vec<PublicKeyRecord>, Error> {
        let response = self
            .execute(&GetPublicKey {
                user_id: user.clone(),
            })
            .await?;
        let body: PublicKeysResponse = decode(response.body())?;
        if body.data.is_empty() {
            return Err(Error::NoData {
                what: format!("X Chat public keys of user {user} (has the user set up X Chat?)"),
                problems: body.errors,
            });
        }
        Ok(body.data)
    }

    /// A page of the user's X Chat conversations (`GET /2/chat/conversations`).
    ///
    /// # Errors
    /// The API's refusal, or a body that does not decode.
    pub async fn chat_conversations(
        &self,
        max_results: Option<u32>,
        pagination_token: Option<String>,
    ) -> Result<ChatConversationsPage, Error> {
        let response = self
            .execute(&GetChatConversations {
                max_results,
                pagination_token,
            })
            .await?;
        decode(response.body())
    }

    /// A page of a conversation's history (`GET /2/chat/conversations/{id}/events`), still
    /// encrypted.
    ///
    /// # Errors
    /// The API's refusal, or a body that does not decode.
    pub async fn chat_events_page(
        &self,
        id: ChatConversationId,
        max_results: Option<u32>,
        pagination_token: Option<String>,
    ) -> Result<ChatEventsPage, Error> {
        let response = self
            .execute(&GetChatEvents {
                id,
                max_results,
                pagination_token,
            })
            .await?;
        decode(response.body())
    }

    /// Posts a conversation key (`POST /2/chat/conversations/{id}/keys`).
    ///
    /// # Errors
    /// The API's refusal.
    pub async fn add_conversation_keys(
        &self,
        id: ChatConversationId,
        body: AddConversationKeysRequest,
    ) -> Result<AddedConversationKeys, Error> {
        let response = self.execute(&AddConversationKeys { id, body }).await?;
        data(
            decode::<DataResponse<AddedConversationKeys>>(response.body())?,
            "conversation key confirmation",
        )
    }

    /// Posts an encrypted message (`POST /2/chat/conversations/{id}/messages`). Never
    /// retried once it may have been sent.
    ///
    /// # Errors
    /// [`Error::MaybeSent`] when the request may have reached the server.
    pub async fn send_chat_message(
        &self,
        id: ChatConversationId,
        body: SendChatMessageRequest,
    ) -> Result<SentChatMessage, Error> {
        let target = format!("X Chat conversation {id}");
        let response = match self.execute(&SendChatMessage { id, body }).await {
            Ok(r) => r,
            Err(Error::Transport(e))
                if e.may_have_been_sent()
                    && e.as_api()
                        .is_none_or(|api| matches!(api.status.as_u16(), 500 | 502 | 503 | 504)) =>
            {
                return Err(Error::MaybeSent { target, source: e });
            }
            Err(e) => return Err(e),
        };
        data(
            decode::<DataResponse<SentChatMessage>>(response.body())?,
            "sent message",
        )
    }

    /// Shows the other participants that the user is typing
    /// (`POST /2/chat/conversations/{id}/typing`).
    ///
    /// # Errors
    /// The API's refusal (an unknown conversation is 404).
    pub async fn chat_typing(&self, id: ChatConversationId) -> Result<(), Error> {
        self.execute(&SendChatTyping { id }).await?;
        Ok(())
    }

    /// Marks a conversation read up to an event (`POST /2/chat/conversations/{id}/read`).
    ///
    /// # Errors
    /// The API's refusal (an unknown conversation is 404).
    pub async fn mark_chat_read(
        &self,
        id: ChatConversationId,
        seen_until_sequence_id: impl Into<String>,
    ) -> Result<(), Error> {
        self.execute(&MarkChatRead {
            id,
            seen_until_sequence_id: seen_until_sequence_id.into(),
        })
        .await?;
        Ok(())
    }

    /// Uploads encrypted media bytes (initialize, append in segments, finalize); returns the
    /// media hash key.
    ///
    /// # Errors
    /// The API's refusal at any step.
    pub async fn upload_chat_media(
        &self,
        conversation: ChatConversationId,
        encrypted: Bytes,
    ) -> Result<ChatMediaHashKey, Error> {
        let response = self
            .execute(&InitializeChatUpload {
                conversation_id: conversation.clone(),
                total_bytes: encrypted.len() as u64,
            })
            .await?;
        let session = data(
            decode::<DataResponse<ChatUploadSession>>(response.body())?,
            "upload session",
        )?;
        let session_id: dm_model::ChatMediaSessionId = session
            .session_id
            .parse()
            .map_err(|e| Error::Unexpected(format!("upload session id: {e}")))?;
        let hash_key: ChatMediaHashKey = session
            .media_hash_key
            .parse()
            .map_err(|e| Error::Unexpected(format!("media hash key: {e}")))?;
        // At most 1000 segments; 1 MiB each unless the file needs larger ones.
        let segment = (1usize << 20).max(encrypted.len().div_ceil(1000));
        let mut parts = 0u32;
        let mut at = 0usize;
        while at < encrypted.len() || parts == 0 {
            let end = (at + segment).min(encrypted.len());
            self.execute(&AppendChatUpload {
                session_id: session_id.clone(),
                conversation_id: conversation.clone(),
                media_hash_key: hash_key.clone(),
                segment_index: parts,
                media: encrypted.slice(at..end),
            })
            .await?;
            parts += 1;
            at = end;
        }
        self.execute(&FinalizeChatUpload {
            session_id,
            conversation_id: conversation,
            media_hash_key: hash_key.clone(),
            num_parts: parts,
        })
        .await?;
        Ok(hash_key)
    }

    /// Downloads encrypted media (`GET /2/chat/media/{id}/{media_hash_key}`).
    ///
    /// # Errors
    /// The API's refusal.
    pub async fn download_chat_media(
        &self,
        conversation_id: ChatConversationId,
        media_hash_key: ChatMediaHashKey,
    ) -> Result<Bytes, Error> {
        let response = self
            .execute(&DownloadChatMedia {
                conversation_id,
                media_hash_key,
            })
            .await?;
        Ok(response.into_body())
    }
}
