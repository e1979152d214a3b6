//! Sends with an attachment: what a refused attachment means, and [`Client::send_media`],
//! which uploads and sends.

use std::time::SystemTime;

use dm_model::{DmConversationId, MediaId, MessageRequest, UserId};

use super::{MediaKind, UploadOptions, UploadSource};
use crate::client::Client;
use crate::error::Error;
use crate::manage::Sent;

/// Where [`Client::send_media`] sends.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Recipient {
    /// The one-to-one conversation with a user.
    User(UserId),
    /// An existing conversation, one-to-one or group.
    Conversation(DmConversationId),
    /// A new group with these 2..=49 other participants.
    NewGroup(Vec<UserId>),
}

/// Why the API refused an attachment, as far as the client can tell: the API gives one
/// answer for every cause (403 "You are not permitted to attach this media to a DM event").
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttachRefusal {
    /// This client uploaded it, and it expired (24 hours after upload).
    Expired {
        /// When it expired, by the client's clock.
        at: SystemTime,
    },
    /// This client did not upload it: the API only lets the user who uploaded media attach
    /// it, and only media uploaded with a DM category (`dm_image`, `dm_gif`, `dm_video`).
    NotUploadedHere,
    /// This client uploaded it for DMs and it has not expired by the client's clock: the
    /// API's clock, or a rule it does not explain (e.g. processing not finished), decided.
    Unexplained,
}

impl AttachRefusal {
    /// What to do about it.
    pub fn advice(&self) -> &'static str {
        match self {
            AttachRefusal::Expired { .. } => {
                "media can be attached for 24 hours after upload: upload the file again"
            }
            AttachRefusal::NotUploadedHere => {
                "X attaches only media that the sending user uploaded, with a DM category \
                 (dm_image, dm_gif, dm_video), less than 24 hours ago: upload the file with this \
                 account (Client::upload_media picks a DM category) and send again"
            }
            AttachRefusal::Unexplained => {
                "the media may have expired by X's clock or still be processing: upload the \
                 file again and send again"
            }
        }
    }
}

impl std::fmt::Display for AttachRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AttachRefusal::Expired { .. } => f.write_str("it expired"),
            AttachRefusal::NotUploadedHere => f.write_str("it was not uploaded by this client"),
            AttachRefusal::Unexplained => f.write_str("no reason given"),
        }
    }
}

impl Client {
    /// Before a send: an attachment this client uploaded that has expired is refused here,
    /// without sending.
    pub(crate) fn check_attachment(&self, media: Option<&MediaId>) -> Result<(), Error> {
        if let Some(id) = media
            && let Some(at) = self.expired_upload(id)
        {
            return Err(Error::MediaExpired {
                media_id: id.clone(),
                expired_at: at,
            });
        }
        Ok(())
    }

    /// After a send failed: a 403 about the attachment becomes [`Error::MediaNotAttachable`]
    /// with what the client knows of the media.
    pub(crate) fn explain_refusal(&self, media: Option<&MediaId>, error: Error) -> Error {
        let Some(id) = media else { return error };
        let Error::Transport(t) = error else {
            return error;
        };
        let about_media = t.as_api().is_some_and(|api| {
            api.status == http::StatusCode::FORBIDDEN
                && api.problems.iter().any(|p| {
                    p.message()
                        .is_some_and(|m| m.to_ascii_lowercase().contains("attach this media"))
                })
        });
        if !about_media {
            return Error::Transport(t);
        }
        let reason = if let Some(at) = self.expired_upload(id) {
            AttachRefusal::Expired { at }
        } else if self.uploaded_here(id) {
            AttachRefusal::Unexplained
        } else {
            AttachRefusal::NotUploadedHere
        };
        Error::MediaNotAttachable {
            media_id: id.clone(),
            reason,
            source: t,
        }
    }

    /// Uploads a photo, GIF or video ([`Client::upload_media_with`]) and sends it, with
    /// optional text, to a user, a conversation or a new group: one call, one attachment.
    /// The text is checked before anything is uploaded; the send is never repeated once it
    /// may have reached the server.
    ///
    /// ```no_run
    /// # async fn run(client: dm_stream::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use dm_stream::{MediaKind, Recipient, UploadOptions, UploadSource};
    /// let sent = client
    ///     .send_media(
    ///         Recipient::User("2244994945".parse()?),
    ///         Some("From the trip"),
    ///         UploadSource::path("clip.mp4"),
    ///         MediaKind::Auto,
    ///         UploadOptions::new(),
    ///     )
    ///     .await?;
    /// println!("sent {}", sent.event_id);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Body`] for bad text or a participant count outside 2..=49 (before
    /// uploading); the upload's errors ([`Client::upload_media`]); the send's
    /// ([`Client::send_to_user`], [`Error::MediaNotAttachable`]).
    pub async fn send_media(
        &self,
        to: Recipient,
        text: Option<&str>,
        source: impl Into<UploadSource>,
        kind: MediaKind,
        options: UploadOptions,
    ) -> Result<Sent, Error> {
        // Check what can be checked before uploading.
        if let Some(t) = text {
            MessageRequest::text(t)?;
        }
        if let Recipient::NewGroup(users) = &to {
            let probe =
                MessageRequest::media("1".parse().map_err(|_| Error::Unexpected("id".into()))?);
            dm_model::GroupConversationRequest::new(users.clone(), probe)?;
        }
        let media = self.upload_media_with(source, kind, options).await?;
        let message = match text {
            Some(t) => media.message_with_text(t)?,
            None => media.message(),
        };
        match to {
            Recipient::User(u) => self.send_to_user(u, message).await,
            Recipient::Conversation(c) => self.send_to_conversation(c, message).await,
            Recipient::NewGroup(users) => self.create_group(users, message).await,
        }
    }
}
