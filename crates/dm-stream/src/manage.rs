//! Every other DM operation: send, create a group, get one event, delete, block, unblock.
//!
//! A send is not idempotent: the stack never retries it once any byte may have reached the
//! server, and a failure after that point is reported as [`Error::MaybeSent`], which says so
//! and suggests a lookup to check. Rate-limit waits happen before a send, never after.

use std::sync::Arc;

use dm_model::{
    BlockDmResponse, CreateDmEventResponse, DeleteDmResponse, DmConversationId, DmEventId,
    DmEventResponse, DmEventsPage, GroupConversationRequest, MessageRequest, UserId,
};
use dm_query::{
    ApiRequest, BlockDms, CreateGroup, DeleteEvent, FieldsQuery, GetEvent, SendToConversation,
    SendToParticipant, UnblockDms,
};
use serde::de::DeserializeOwned;

use crate::checkpoint::{Checkpoint, Direction, LookupKey, ScopeKey};
use crate::client::Client;
use crate::error::Error;
use crate::page::{Page, PageInner, ResolvedEvent};

/// What a send created: the conversation (new for a group) and the message event.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Sent {
    /// The conversation the message is in.
    pub conversation_id: DmConversationId,
    /// The new message event.
    pub event_id: DmEventId,
}

impl Client {
    /// Sends a one-to-one message to `user` (`POST /2/dm_conversations/with/{id}/messages`),
    /// creating the conversation if needed.
    ///
    /// ```no_run
    /// # async fn run(client: dm_stream::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use dm_model::MessageRequest;
    /// let sent = client
    ///     .send_to_user("2244994945".parse()?, MessageRequest::text("Hello!")?)
    ///     .await?;
    /// println!("{} in {}", sent.event_id, sent.conversation_id);
    /// # Ok(()) }
    /// ```
    ///
    /// The message may carry one attachment: media this user uploaded for DMs less than 24
    /// hours ago ([`Client::upload_media`], or [`Client::send_media`] to do both).
    ///
    /// # Errors
    ///
    /// [`Error::MaybeSent`] when the request may have reached the server (do not resend
    /// blindly: look the conversation up first); otherwise the error says it was not sent.
    /// [`Error::MediaExpired`] before sending when this client uploaded the attachment more
    /// than its lifetime ago; [`Error::MediaNotAttachable`] when the API refuses it.
    pub async fn send_to_user(&self, user: UserId, message: MessageRequest) -> Result<Sent, Error> {
        let target = format!("user {user}");
        let media = message.media_id().cloned();
        self.send(
            &SendToParticipant {
                participant_id: user,
                message,
            },
            target,
            media,
        )
        .await
    }

    /// Sends a message to a conversation, one-to-one or group
    /// (`POST /2/dm_conversations/{id}/messages`).
    ///
    /// ```no_run
    /// # async fn run(client: dm_stream::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use dm_model::MessageRequest;
    /// let conversation = "944480690-906948460078698496".parse()?;
    /// client.send_to_conversation(conversation, MessageRequest::text("On my way")?).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Client::send_to_user`].
    pub async fn send_to_conversation(
        &self,
        conversation: DmConversationId,
        message: MessageRequest,
    ) -> Result<Sent, Error> {
        let target = format!("conversation {conversation}");
        let media = message.media_id().cloned();
        self.send(
            &SendToConversation {
                conversation_id: conversation,
                message,
            },
            target,
            media,
        )
        .await
    }

    /// Creates a group conversation with 2..=49 other participants and a first message
    /// (`POST /2/dm_conversations`).
    ///
    /// ```no_run
    /// # async fn run(client: dm_stream::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use dm_model::MessageRequest;
    /// let group = client
    ///     .create_group(
    ///         vec!["944480690".parse()?, "906948460078698496".parse()?],
    ///         MessageRequest::text("Welcome, both of you")?,
    ///     )
    ///     .await?;
    /// println!("new group {}", group.conversation_id);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Body`] for a participant count outside 2..=49, before sending; otherwise as
    /// [`Client::send_to_user`].
    pub async fn create_group(
        &self,
        participants: Vec<UserId>,
        message: MessageRequest,
    ) -> Result<Sent, Error> {
        let media = message.media_id().cloned();
        let body = GroupConversationRequest::new(participants, message)?;
        self.send(
            &CreateGroup { body },
            "a new group conversation".into(),
            media,
        )
        .await
    }

    async fn send(
        &self,
        request: &impl ApiRequest,
        target: String,
        media: Option<dm_model::MediaId>,
    ) -> Result<Sent, Error> {
        self.check_attachment(media.as_ref())?;
        let response = match self.execute(request).await {
            Ok(r) => r,
            // No answer, or a server error (500/502/503/504: a gateway may have timed out
            // after the message was created): the caller cannot know, and must not resend
            // without looking first.
            Err(Error::Transport(e))
                if e.may_have_been_sent()
                    && e.as_api()
                        .is_none_or(|api| matches!(api.status.as_u16(), 500 | 502 | 503 | 504)) =>
            {
                return Err(Error::MaybeSent { target, source: e });
            }
            Err(e) => return Err(self.explain_refusal(media.as_ref(), e)),
        };
        let body: CreateDmEventResponse = decode_sent(response.body(), &target)?;
        match body.created() {
            Some(created) => Ok(Sent {
                conversation_id: created.dm_conversation_id,
                event_id: created.dm_event_id,
            }),
            None => Err(Error::NoData {
                what: format!("confirmation of the message to {target}"),
                problems: body.errors,
            }),
        }
    }

    /// Gets one event by id with the fields and expansions of `fields`, its references
    /// resolved (`GET /2/dm_events/{event_id}`).
    ///
    /// ```no_run
    /// # async fn run(client: dm_stream::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use dm_query::FieldsQuery;
    /// let event = client.get_event("1582838499983564806".parse()?, FieldsQuery::all_fields()).await?;
    /// println!("{:?} from {:?}", event.event().text, event.sender().map(|u| &u.username));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NoData`] with the API's problems when the event does not exist (a 200 with
    /// a `resource-not-found` problem); other refusals as [`Error::Transport`].
    pub async fn get_event(
        &self,
        id: DmEventId,
        fields: FieldsQuery,
    ) -> Result<ResolvedEvent, Error> {
        let response = self
            .execute(&GetEvent::new(id.clone()).fields(fields))
            .await?;
        let body: DmEventResponse = dm_model::decode(response.body())?;
        if body.data.is_none() {
            return Err(Error::NoData {
                what: format!("event {id}"),
                problems: body.errors,
            });
        }
        let page = DmEventsPage::from(body);
        let checkpoint = Checkpoint {
            version: Checkpoint::VERSION,
            lookup: LookupKey {
                scope: ScopeKey::All,
                query: String::new(),
            },
            direction: Direction::Older,
            token: None,
            after: Some(id),
            done: true,
        };
        let page = Page {
            inner: Arc::new(PageInner {
                body: page,
                visible: vec![0],
                token: None,
                checkpoint,
                rate_limit: dm_transport::RateLimit::from_headers(response.headers()),
            }),
        };
        page.events()
            .next()
            .ok_or_else(|| Error::Unexpected("event page is empty".into()))
    }

    /// Deletes an event the authenticated user sent (`DELETE /2/dm_events/{event_id}`).
    /// Returns whether the API reports it deleted (`true` for a success without a body).
    ///
    /// ```no_run
    /// # async fn run(client: dm_stream::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// assert!(client.delete_event("1582838499983564806".parse()?).await?);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// The API's problems as [`Error::Transport`].
    pub async fn delete_event(&self, id: DmEventId) -> Result<bool, Error> {
        let response = self.execute(&DeleteEvent { id }).await?;
        if is_empty(&response) {
            return Ok(true);
        }
        let body: DeleteDmResponse = dm_model::decode(response.body())?;
        Ok(body.data.and_then(|d| d.deleted).unwrap_or(false))
    }

    /// Blocks DMs to and from `user` (`POST /2/users/{id}/dm/block`). Returns the API's
    /// `blocked` value.
    ///
    /// ```no_run
    /// # async fn run(client: dm_stream::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// client.block_dms("2244994945".parse()?).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// The API's problems as [`Error::Transport`].
    pub async fn block_dms(&self, user: UserId) -> Result<bool, Error> {
        let response = self.execute(&BlockDms { user_id: user }).await?;
        if is_empty(&response) {
            return Ok(true);
        }
        let body: BlockDmResponse = dm_model::decode(response.body())?;
        Ok(body.data.and_then(|d| d.blocked).unwrap_or(false))
    }

    /// Unblocks DMs with `user` (`POST /2/users/{id}/dm/unblock`). Returns the API's
    /// `blocked` value (`false` once unblocked).
    ///
    /// ```no_run
    /// # async fn run(client: dm_stream::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// client.unblock_dms("2244994945".parse()?).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// The API's problems as [`Error::Transport`].
    pub async fn unblock_dms(&self, user: UserId) -> Result<bool, Error> {
        let response = self.execute(&UnblockDms { user_id: user }).await?;
        if is_empty(&response) {
            return Ok(false);
        }
        let body: BlockDmResponse = dm_model::decode(response.body())?;
        Ok(body.data.and_then(|d| d.blocked).unwrap_or(true))
    }
}

/// A success without a body (`204 No Content`, or an empty 200): the action happened, as
/// the status says; there is no `data` to read.
fn is_empty(response: &http::Response<bytes::Bytes>) -> bool {
    response.body().iter().all(u8::is_ascii_whitespace)
}

/// Decodes a send's answer. The message was sent whatever the body says, so a body that
/// does not decode is reported as such, never as a failure to send.
fn decode_sent<T: DeserializeOwned>(body: &[u8], target: &str) -> Result<T, Error> {
    dm_model::decode(body).map_err(|e| {
        Error::Unexpected(format!(
            "the message to {target} was sent, but the answer did not decode: {e}"
        ))
    })
}
