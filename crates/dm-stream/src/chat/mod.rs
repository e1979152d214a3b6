//! X Chat (encrypted DMs): [`ChatClient`] registers keys, opens conversations (fetching and
//! verifying the peer's keys, creating and posting a conversation key when none exists),
//! sends encrypted, signed messages and files, and reads history decrypted and verified.
//!
//! An event that does not verify is never returned as a message: it comes back as
//! [`ChatEvent::Rejected`] with the reason, and no text.

mod api;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use bytes::Bytes;
use dm_chat::thrift::{
    Attachment, EventDetail, MediaAttachment, MessageContents, MessageEntryHolder,
};
use dm_chat::{
    ChatConversationId, ChatError, ConversationKey, ConversationKeys, KeyDirectory, KeyRecord,
    KeyVersion, MessageOptions, PrivateKeys, ReceivedMessage, VerifiedKeys, encrypt_message, media,
    parse_event, prepare_key_change,
};
use dm_model::{
    ActionSignatureBody, AddConversationKeysRequest, ConversationParticipantKeyBody,
    PublicKeyRegistration, RegisterPublicKeyRequest, SendChatMessageRequest, UserId,
};
use futures::Stream;
use tokio::sync::Mutex;

use crate::client::Client;
use crate::error::Error;

/// One event of a conversation, as a reader should see it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChatEvent {
    /// A message whose signature verified, decrypted.
    Message(ReceivedMessage),
    /// An event that did not decode, decrypt or verify: shown as a problem, never as text.
    Rejected(Rejected),
}

/// What is known of an event that was refused, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rejected {
    /// The server's id (sequence id) when known.
    pub id: Option<String>,
    /// The conversation, when known.
    pub conversation_id: Option<String>,
    /// The claimed sender, when known.
    pub sender_id: Option<String>,
    /// When it was created (milliseconds since the epoch), when known.
    pub created_at_msec: Option<String>,
    /// Why it was refused.
    pub reason: String,
}

/// What a send created.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChatSent {
    /// The conversation.
    pub conversation: ChatConversationId,
    /// The signed message id (UUIDv4).
    pub message_id: String,
    /// The server's sequence id for the message, when its answer carried the event.
    pub sequence_id: Option<String>,
    /// The conversation key version it was encrypted under.
    pub key_version: KeyVersion,
}

#[derive(Default)]
struct State {
    directory: KeyDirectory,
    /// Users whose records were fetched in this client's life.
    fetched: HashSet<String>,
    conversations: HashMap<ChatConversationId, ConversationKeys>,
}

/// An X Chat session for one user and their keys.
///
/// ```
/// use dm_chat::{ChatConversationId, PrivateKeys};
/// use dm_stream::{ChatClient, ChatEvent, Client};
/// use futures::TryStreamExt;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let sandbox = dm_fake::FakeServer::builder().other_user("bob-token").start().await?;
/// let connect = |token: &str| Client::builder().base_url(sandbox.base_url()).bearer_token(token).build();
/// let (alice, bob) = (connect(sandbox.token())?, connect("bob-token")?);
///
/// // Each registers keys (the blob of `PrivateKeys::to_blob` is the backup).
/// let alice = ChatClient::register(alice, PrivateKeys::generate()).await?;
/// let bob = ChatClient::register(bob, PrivateKeys::generate()).await?;
///
/// // Alice writes to Bob: the conversation key is created, wrapped to both, signed, posted.
/// let conversation = ChatConversationId::parse(bob.user_id(), Some(alice.user_id()))?;
/// alice.send_text(&conversation, "hello Bob").await?;
///
/// // Bob reads it, decrypted and verified.
/// let events: Vec<ChatEvent> = bob.history(&conversation).try_collect().await?;
/// let ChatEvent::Message(m) = &events[0] else { panic!("not verified") };
/// assert_eq!(m.text(), Some("hello Bob"));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ChatClient {
    client: Client,
    me: String,
    keys: Arc<PrivateKeys>,
    own: VerifiedKeys,
    state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for ChatClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatClient")
            .field("user", &self.me)
            .field("key_version", self.own.version())
            .finish_non_exhaustive()
    }
}

fn chat(e: ChatError) -> Error {
    Error::Chat(e)
}

fn path_id(conversation: &ChatConversationId) -> Result<dm_model::ChatConversationId, Error> {
    conversation
        .path()
        .parse()
        .map_err(|e: dm_model::IdError| Error::Unexpected(e.to_string()))
}

impl ChatClient {
    /// A session for `user_id`, whose keys are registered at `version`.
    pub fn new(
        client: Client,
        user_id: impl Into<String>,
        keys: PrivateKeys,
        version: KeyVersion,
    ) -> Self {
        let me = user_id.into();
        let own = VerifiedKeys::own(me.clone(), version, &keys);
        let mut state = State::default();
        state.directory.insert(own.clone());
        ChatClient {
            client,
            me,
            keys: Arc::new(keys),
            own,
            state: Arc::new(Mutex::new(state)),
        }
    }

    /// Registers `keys` for the authenticated user (`GET /2/users/me`, then
    /// `POST /2/users/{id}/public_keys`) and returns the session.
    ///
    /// # Errors
    /// The API's refusal.
    pub async fn register(client: Client, keys: PrivateKeys) -> Result<Self, Error> {
        let me = client.me().await?;
        let id = me
            .id
            .ok_or_else(|| Error::Unexpected("`GET /2/users/me` returned no id".into()))?;
        let version = Self::register_keys(&client, &id, &keys).await?;
        Ok(Self::new(client, id.to_string(), keys, version))
    }

    /// Registers `keys` for `user`; returns the version the server assigned.
    ///
    /// # Errors
    /// The API's refusal, or a version that is not a number.
    pub async fn register_keys(
        client: &Client,
        user: &UserId,
        keys: &PrivateKeys,
    ) -> Result<KeyVersion, Error> {
        let r = keys.registration();
        let registration = PublicKeyRegistration::new(
            r.identity_public_key_signature,
            r.public_key,
            r.public_key_fingerprint,
            r.registration_method,
            r.signing_public_key,
            r.signing_public_key_signature,
        );
        let ours = KeyVersion::now();
        let answer = client
            .register_public_keys(
                user.clone(),
                RegisterPublicKeyRequest::new(registration, ours.to_string()),
            )
            .await?;
        match answer.public_key_version {
            Some(v) => v.parse().map_err(chat),
            None => Ok(ours),
        }
    }

    /// The user this session is for.
    pub fn user_id(&self) -> &str {
        &self.me
    }

    /// Our own registered keys.
    pub fn own_keys(&self) -> &VerifiedKeys {
        &self.own
    }

    /// The underlying client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Fetches `user`'s key records and keeps those whose binding verifies.
    ///
    /// # Errors
    /// The API's refusal, or [`dm_chat::ChatError::Signature`] when no record verifies
    /// (nothing is wrapped to, or trusted from, keys that do not).
    pub async fn fetch_keys(&self, user: &str) -> Result<Vec<VerifiedKeys>, Error> {
        let id: UserId = user
            .parse()
            .map_err(|e: dm_model::IdError| Error::Unexpected(e.to_string()))?;
        let records = self.client.public_key_records(id).await?;
        let mut good = Vec::new();
        let mut reasons = Vec::new();
        for r in records {
            let record = KeyRecord::new(
                user,
                r.public_key_version.unwrap_or_default(),
                r.public_key.unwrap_or_default(),
                r.signing_public_key.unwrap_or_default(),
                r.identity_public_key_signature.unwrap_or_default(),
            );
            match record.verify() {
                Ok(k) => good.push(k),
                Err(e) => {
                    tracing::warn!(user, error = %e, "a public key record of the user does not verify; ignored");
                    reasons.push(e.to_string());
                }
            }
        }
        let mut state = self.state.lock().await;
        state.fetched.insert(user.to_string());
        for k in &good {
            state.directory.insert(k.clone());
        }
        if good.is_empty() {
            return Err(chat(ChatError::Signature(format!(
                "no public key record of user {user} verifies ({})",
                reasons.join("; ")
            ))));
        }
        Ok(good)
    }

    /// Makes sure the signing keys of the senders of `events` are known (fetched once).
    async fn know_senders(&self, senders: impl IntoIterator<Item = String>) {
        for sender in senders {
            let known = {
                let state = self.state.lock().await;
                state.fetched.contains(&sender)
                    || state.directory.knows(&sender) && sender != self.me
            };
            if !known && let Err(e) = self.fetch_keys(&sender).await {
                tracing::warn!(user = %sender, error = %e, "cannot fetch the sender's keys");
                self.state.lock().await.fetched.insert(sender);
            }
        }
    }

    fn senders_of(encoded: &[&str]) -> Vec<String> {
        let mut out: Vec<String> = encoded
            .iter()
            .filter_map(|e| parse_event(e).ok()?.sender_id)
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Applies key-change events (base64 `MessageEvent`s) to the conversation's keys.
    async fn apply_key_events(&self, conversation: &ChatConversationId, encoded: &[&str]) {
        self.know_senders(Self::senders_of(encoded)).await;
        let mut state = self.state.lock().await;
        let State {
            directory,
            conversations,
            ..
        } = &mut *state;
        let keys = conversations.entry(conversation.clone()).or_default();
        for e in encoded {
            let outcome = parse_event(e)
                .and_then(|ev| keys.apply_key_change(&ev, &self.me, &self.keys, directory));
            if let Err(err) = outcome {
                tracing::warn!(conversation = %conversation, error = %err, "a key change was not adopted");
            }
        }
    }

    /// The key to send with in `conversation`: the newest verified one, after reading the
    /// conversation's key changes; for a one-to-one conversation without one, a new key is
    /// made, wrapped to both participants' verified keys, signed and posted.
    ///
    /// # Errors
    /// The peer has no verifiable keys, the conversation is a group without a key, or the
    /// API refused.
    pub async fn conversation_key(
        &self,
        conversation: &ChatConversationId,
    ) -> Result<ConversationKey, Error> {
        if let Some(k) = self.sending_key(conversation).await {
            return Ok(k);
        }
        let page = self
            .client
            .chat_events_page(path_id(conversation)?, Some(1), None)
            .await?;
        let events: Vec<&str> = page
            .meta
            .conversation_key_events
            .iter()
            .map(String::as_str)
            .collect();
        self.apply_key_events(conversation, &events).await;
        if let Some(k) = self.sending_key(conversation).await {
            return Ok(k);
        }
        let Some(peer) = conversation.peer_of(&self.me) else {
            return Err(chat(ChatError::invalid_conversation(
                "a group conversation without a verified key: groups are not supported yet",
            )));
        };
        let peer_keys = self.fetch_keys(&peer).await?;
        let newest = peer_keys
            .into_iter()
            .max_by(|a, b| a.version().cmp(b.version()))
            .ok_or_else(|| Error::Unexpected("no verified keys".into()))?;
        let change = prepare_key_change(
            &self.keys,
            &self.own,
            conversation,
            &[self.own.clone(), newest],
        )
        .map_err(chat)?;
        let a = &change.action_signature;
        let body = AddConversationKeysRequest::new(
            change.key.version().to_string(),
            change
                .participant_keys
                .iter()
                .map(|p| {
                    ConversationParticipantKeyBody::new(
                        p.user_id.clone().unwrap_or_default(),
                        p.encrypted_conversation_key.clone().unwrap_or_default(),
                        p.public_key_version.clone().unwrap_or_default(),
                    )
                })
                .collect(),
            vec![ActionSignatureBody::new(
                a.message_id.clone(),
                a.encoded_message_event_detail.clone(),
                a.signature.clone(),
                a.public_key_version.clone(),
                a.signature_version.clone(),
            )],
        );
        self.client
            .add_conversation_keys(path_id(conversation)?, body)
            .await?;
        let key = change.key.clone();
        self.state
            .lock()
            .await
            .conversations
            .entry(conversation.clone())
            .or_default()
            .insert_own(change.key);
        Ok(key)
    }

    async fn sending_key(&self, conversation: &ChatConversationId) -> Option<ConversationKey> {
        let state = self.state.lock().await;
        state
            .conversations
            .get(conversation)?
            .sending_key()
            .cloned()
    }

    /// Sends a message entry (text, attachments...) encrypted and signed.
    ///
    /// # Errors
    /// As [`ChatClient::conversation_key`]; [`Error::MaybeSent`] when the message may have
    /// been sent.
    pub async fn send(
        &self,
        conversation: &ChatConversationId,
        entry: &MessageEntryHolder,
    ) -> Result<ChatSent, Error> {
        let key = self.conversation_key(conversation).await?;
        let out = encrypt_message(
            &self.keys,
            &self.own,
            conversation,
            &key,
            entry,
            &MessageOptions::default(),
        )
        .map_err(chat)?;
        let body = SendChatMessageRequest::new(
            out.message_id.clone(),
            out.encoded_message_create_event.clone(),
            out.encoded_message_event_signature.clone(),
        );
        let sent = self
            .client
            .send_chat_message(path_id(conversation)?, body)
            .await?;
        let sequence_id = sent
            .encoded_message_event
            .as_deref()
            .and_then(|e| parse_event(e).ok())
            .and_then(|e| e.sequence_id);
        Ok(ChatSent {
            conversation: conversation.clone(),
            message_id: out.message_id,
            sequence_id,
            key_version: key.version().clone(),
        })
    }

    /// Sends text.
    ///
    /// # Errors
    /// As [`ChatClient::send`].
    pub async fn send_text(
        &self,
        conversation: &ChatConversationId,
        text: &str,
    ) -> Result<ChatSent, Error> {
        self.send(conversation, &MessageEntryHolder::text(text))
            .await
    }

    /// Encrypts a file (secretstream under the conversation key), uploads it and sends a
    /// message carrying it (with `text`, if any).
    ///
    /// # Errors
    /// As [`ChatClient::send`], and the upload's refusals.
    pub async fn send_file(
        &self,
        conversation: &ChatConversationId,
        file: &[u8],
        filename: &str,
        text: Option<&str>,
    ) -> Result<ChatSent, Error> {
        let key = self.conversation_key(conversation).await?;
        let encrypted = Bytes::from(media::encrypt(&key, file));
        let hash_key = self
            .client
            .upload_chat_media(path_id(conversation)?, encrypted)
            .await?;
        let entry = MessageEntryHolder::message(MessageContents {
            text: text.map(str::to_owned),
            attachments: vec![Attachment::Media(MediaAttachment {
                media_hash_key: Some(hash_key.to_string()),
                media_type: Some(5), // FILE
                filesize_bytes: i64::try_from(file.len()).ok(),
                filename: Some(filename.to_owned()),
                ..MediaAttachment::default()
            })],
            ..MessageContents::default()
        });
        self.send(conversation, &entry).await
    }

    /// Downloads and decrypts a media attachment of a received message; the size is checked
    /// against the signed `filesize_bytes` when the message gives it.
    ///
    /// # Errors
    /// The API's refusal, a stream that does not decrypt, or a size mismatch.
    pub async fn download(
        &self,
        message: &ReceivedMessage,
        media: &MediaAttachment,
    ) -> Result<Vec<u8>, Error> {
        let hash_key = media
            .media_hash_key
            .as_deref()
            .ok_or_else(|| Error::Unexpected("the attachment has no media_hash_key".into()))?
            .parse()
            .map_err(|e: dm_model::IdError| Error::Unexpected(e.to_string()))?;
        let bytes = self
            .client
            .download_chat_media(path_id(&message.conversation)?, hash_key)
            .await?;
        let key = {
            let state = self.state.lock().await;
            state
                .conversations
                .get(&message.conversation)
                .and_then(|k| k.get(&message.key_version))
                .map(|(k, _)| k.clone())
                .ok_or_else(|| {
                    chat(ChatError::UnknownKeyVersion(
                        message.key_version.to_string(),
                    ))
                })?
        };
        let plain = media::decrypt(&key, &bytes).map_err(chat)?;
        if let Some(n) = media.filesize_bytes
            && u64::try_from(n).ok() != Some(plain.len() as u64)
        {
            return Err(chat(ChatError::Stream(
                "the file is not the size its message announced",
            )));
        }
        Ok(plain)
    }

    /// Opens one relayed event (an `encoded_event`), applying `key_change` first when given
    /// (the activity payload's `conversation_key_change_event`).
    pub async fn open_event(&self, encoded_event: &str, key_change: Option<&str>) -> ChatEvent {
        let parsed = match parse_event(encoded_event) {
            Ok(e) => e,
            Err(e) => {
                return ChatEvent::Rejected(Rejected {
                    id: None,
                    conversation_id: None,
                    sender_id: None,
                    created_at_msec: None,
                    reason: e.to_string(),
                });
            }
        };
        let conversation = parsed
            .conversation_id
            .as_deref()
            .map(|c| ChatConversationId::parse(c, Some(&self.me)));
        let conversation = match conversation {
            Some(Ok(c)) => c,
            other => {
                let reason = match other {
                    Some(Err(e)) => e.to_string(),
                    _ => "the event names no conversation".into(),
                };
                return ChatEvent::Rejected(Self::rejected(&parsed, reason));
            }
        };
        if let Some(k) = key_change {
            self.apply_key_events(&conversation, &[k]).await;
        }
        // A message under a key not seen yet: read the conversation's key changes once.
        if let Some(EventDetail::MessageCreate(m)) = &parsed.detail
            && let Some(v) = m
                .conversation_key_version
                .as_deref()
                .and_then(|v| v.parse::<KeyVersion>().ok())
        {
            let known = {
                let state = self.state.lock().await;
                state
                    .conversations
                    .get(&conversation)
                    .is_some_and(|k| k.get(&v).is_some())
            };
            if !known
                && let Ok(id) = path_id(&conversation)
                && let Ok(page) = self.client.chat_events_page(id, Some(1), None).await
            {
                let events: Vec<&str> = page
                    .meta
                    .conversation_key_events
                    .iter()
                    .map(String::as_str)
                    .collect();
                self.apply_key_events(&conversation, &events).await;
            }
        }
        self.open_parsed(&conversation, parsed).await
    }

    /// Opens a `chat.received` or `chat.sent` event of the X Activity API (see
    /// [`Client::activity_stream`]): its `conversation_key_change_event` is applied first,
    /// then its `encoded_event` is verified and decrypted as [`ChatEvent`]. `None` for other
    /// event types; a chat event without an `encoded_event` is [`ChatEvent::Rejected`].
    ///
    /// The stream delivers each `event_uuid` once; a message delivered again under another
    /// uuid keeps its signed `message_id`, which callers de-duplicate on.
    pub async fn open_activity(
        &self,
        event: &dm_model::activity::ActivityEvent,
    ) -> Option<ChatEvent> {
        use dm_model::activity::ActivityEventType as T;
        if !matches!(event.event_type, T::ChatReceived | T::ChatSent) {
            return None;
        }
        let payload = event.payload.as_ref();
        let field = |name: &str| {
            payload
                .and_then(|p| p.get(name))
                .and_then(serde_json::Value::as_str)
        };
        let Some(encoded) = field("encoded_event") else {
            return Some(ChatEvent::Rejected(Rejected {
                id: None,
                conversation_id: field("conversation_id").map(str::to_owned),
                sender_id: field("sender_id").map(str::to_owned),
                created_at_msec: None,
                reason: "the chat event carries no encoded_event".into(),
            }));
        };
        Some(
            self.open_event(encoded, field("conversation_key_change_event"))
                .await,
        )
    }

    fn rejected(e: &dm_chat::thrift::MessageEvent, reason: String) -> Rejected {
        Rejected {
            id: e.sequence_id.clone(),
            conversation_id: e.conversation_id.clone(),
            sender_id: e.sender_id.clone(),
            created_at_msec: e.created_at_msec.clone(),
            reason,
        }
    }

    async fn open_parsed(
        &self,
        conversation: &ChatConversationId,
        event: dm_chat::thrift::MessageEvent,
    ) -> ChatEvent {
        if let Some(sender) = event.sender_id.clone() {
            self.know_senders([sender]).await;
        }
        let state = self.state.lock().await;
        let empty = ConversationKeys::new();
        let keys = state.conversations.get(conversation).unwrap_or(&empty);
        match keys.open_message(&event, &self.me, &state.directory) {
            Ok(m) => ChatEvent::Message(m),
            Err(e) => ChatEvent::Rejected(Self::rejected(&event, e.to_string())),
        }
    }

    /// The conversation's history, newest first, page by page: each page's key changes are
    /// applied, then its messages verified and decrypted. Messages that do not verify come
    /// as [`ChatEvent::Rejected`].
    pub fn history(
        &self,
        conversation: &ChatConversationId,
    ) -> impl Stream<Item = Result<ChatEvent, Error>> + Send + 'static {
        let this = self.clone();
        let conversation = conversation.clone();
        let pages = futures::stream::try_unfold(Some(None::<String>), move |token| {
            let this = this.clone();
            let conversation = conversation.clone();
            async move {
                let Some(token) = token else {
                    return Ok::<_, Error>(None);
                };
                let page = this
                    .client
                    .chat_events_page(path_id(&conversation)?, Some(100), token.clone())
                    .await?;
                let key_events: Vec<&str> = page
                    .meta
                    .conversation_key_events
                    .iter()
                    .map(String::as_str)
                    .collect();
                this.apply_key_events(&conversation, &key_events).await;
                let mut out = Vec::with_capacity(page.data.len());
                for e in &page.data {
                    let item = match e.encoded_event.as_deref() {
                        Some(encoded) => match parse_event(encoded) {
                            Ok(ev) => this.open_parsed(&conversation, ev).await,
                            Err(err) => ChatEvent::Rejected(Rejected {
                                id: e.id.clone(),
                                conversation_id: e.conversation_id.clone(),
                                sender_id: e.sender_id.clone(),
                                created_at_msec: None,
                                reason: err.to_string(),
                            }),
                        },
                        None => ChatEvent::Rejected(Rejected {
                            id: e.id.clone(),
                            conversation_id: e.conversation_id.clone(),
                            sender_id: e.sender_id.clone(),
                            created_at_msec: None,
                            reason: "the event carries no encoded_event".into(),
                        }),
                    };
                    out.push(Ok(item));
                }
                let next = match page.meta.next_token {
                    Some(t) if Some(&t) != token.as_ref() && !page.data.is_empty() => Some(Some(t)),
                    _ => None,
                };
                Ok(Some((futures::stream::iter(out), next)))
            }
        });
        futures::TryStreamExt::try_flatten(pages)
    }
}

/// Decodes a message entry's text for display, or `None`.
pub fn entry_text(entry: &MessageEntryHolder) -> Option<&str> {
    entry.as_message().and_then(|m| m.text.as_deref())
}
