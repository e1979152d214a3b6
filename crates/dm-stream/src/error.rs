//! The client's error types: [`Error`] for one call, [`StreamError`] for a stream that ended.

use crate::checkpoint::Checkpoint;

/// Why a call failed.
///
/// Transport errors keep their detail (whether the request may have been sent, the parsed
/// problems, the rate-limit state): see [`Error::transport`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A parameter or id was refused before anything was sent.
    #[error(transparent)]
    Query(#[from] dm_query::QueryError),
    /// The operation does not accept the client's kind of authentication (media download
    /// takes an OAuth 2.0 user token only, not OAuth 1.0a); refused before sending.
    #[error("`{operation}` does not accept {auth} authentication; use an OAuth 2.0 user token")]
    UnsupportedAuth {
        /// The operation's id in the spec.
        operation: &'static str,
        /// The authentication the client has.
        auth: &'static str,
    },
    /// A request body was refused before anything was sent.
    #[error(transparent)]
    Body(#[from] dm_model::BodyError),
    /// The request failed on the way or the API refused it.
    #[error(transparent)]
    Transport(#[from] dm_transport::Error),
    /// A 2xx response body did not decode; the error names the JSON path.
    #[error("the response did not decode: {0}")]
    Decode(#[from] dm_model::DecodeError),
    /// A 2xx answer carried no `data`, only problems (e.g. the event does not exist:
    /// the API answers a missing event with a 200 and a `resource-not-found` problem).
    #[error("the API returned no {what}: {}", summarize(problems))]
    NoData {
        /// What was asked for.
        what: String,
        /// Why, as the API put it.
        problems: Vec<dm_model::Problem>,
    },
    /// X Chat cryptography refused something: keys that do not verify, a key that does not
    /// unwrap, an event that does not decode (never key material in the message).
    #[error(transparent)]
    Chat(#[from] dm_chat::ChatError),
    /// A 2xx response decoded but lacked what the operation promises.
    #[error("unexpected response: {0}")]
    Unexpected(String),
    /// A checkpoint or sync state was made for a different lookup than the one resuming it.
    #[error("the checkpoint belongs to another lookup ({found}), not this one ({expected})")]
    CheckpointMismatch {
        /// The lookup this request describes.
        expected: String,
        /// The lookup the checkpoint was taken from.
        found: String,
    },
    /// A send failed after the request may have reached the server: the message may have
    /// been sent. It is never retried automatically (a send is not idempotent).
    #[error(
        "the message to {target} may have been sent: {source}. It was not retried; look up the \
         conversation's latest events before sending it again"
    )]
    MaybeSent {
        /// Where the message was going.
        target: String,
        /// What failed.
        #[source]
        source: dm_transport::Error,
    },
    /// A local file could not be read or written (an upload's source, a download's
    /// destination), or an upload's source ended early or ran past its announced length.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The file cannot be sent in a DM: not a JPEG, PNG, WebP, GIF, MP4 or MOV (by its first
    /// bytes), not of the kind asked for, or empty. Nothing was sent.
    #[error("{reason}")]
    UnsupportedMedia {
        /// What is wrong.
        reason: String,
    },
    /// The file is larger than the documented limit of its category. Nothing was sent.
    #[error(
        "the file is {size} bytes; {category} media may be at most {limit} bytes: compress or shorten it"
    )]
    MediaTooLarge {
        /// The file's size.
        size: u64,
        /// The limit.
        limit: u64,
        /// The category it would be uploaded with.
        category: dm_model::MediaCategory,
    },
    /// The OAuth 2.0 token lacks a scope the operation needs (uploading media needs
    /// `media.write`): known from the token's granted scopes before sending, or from the
    /// API's 403.
    #[error(
        "the token lacks the `{scope}` scope{}: authorize again asking for it (`xdm auth login` does), or use OAuth 1.0a user context",
        granted.as_ref().map(|g| format!(" (granted: {g})")).unwrap_or_else(|| " (the API answered 403)".into())
    )]
    MissingScope {
        /// The scope needed.
        scope: &'static str,
        /// The scopes the token has, when known.
        granted: Option<String>,
        /// The API's refusal, when it came to that.
        #[source]
        source: Option<dm_transport::Error>,
    },
    /// The API could not process the uploaded video or GIF (`processing_info.state:
    /// failed`).
    #[error(
        "X could not process media {media_id}{}: re-encode it (MP4 with H.264 video and AAC audio, at most 140 s and 1280×1024; a GIF at most 15 MiB) and upload it again",
        detail.as_ref().map(|d| format!(" ({d})")).unwrap_or_default()
    )]
    ProcessingFailed {
        /// The media.
        media_id: dm_model::MediaId,
        /// What the API said, when it said anything.
        detail: Option<String>,
    },
    /// Processing took longer than `UploadOptions::max_processing_wait`.
    #[error("media {media_id} was still processing after {waited:?}; check its status later")]
    ProcessingTimeout {
        /// The media.
        media_id: dm_model::MediaId,
        /// How long the client waited.
        waited: std::time::Duration,
    },
    /// The attachment was uploaded by this client and has expired (media can be attached for
    /// 24 hours after upload). Nothing was sent.
    #[error(
        "media {media_id} expired (media can be attached for 24 hours after upload): upload the file again and send it with the new media id"
    )]
    MediaExpired {
        /// The media.
        media_id: dm_model::MediaId,
        /// When it expired, by the client's clock.
        expired_at: std::time::SystemTime,
    },
    /// The API refused the attachment (403 "You are not permitted to attach this media to a
    /// DM event"); the message was not sent.
    #[error("X refused media {media_id} as a DM attachment ({reason}): {}", reason.advice())]
    MediaNotAttachable {
        /// The media.
        media_id: dm_model::MediaId,
        /// What the client knows of the cause.
        reason: crate::upload::AttachRefusal,
        /// The API's answer.
        #[source]
        source: dm_transport::Error,
    },
    /// The client could not be built.
    #[error("invalid client configuration: {0}")]
    Config(String),
    /// A real-time message that does not convert to a v2 event.
    #[error("a real-time message did not convert: {0}")]
    Convert(#[from] dm_model::activity::ConvertError),
    /// The operation takes credentials the client was not given (the activity stream and
    /// webhook management take the app's bearer token); refused before sending.
    #[error("`{operation}` needs {needs}")]
    MissingCredentials {
        /// The operation's id in the spec.
        operation: &'static str,
        /// What it needs, and where to give it.
        needs: &'static str,
    },
}

fn summarize(problems: &[dm_model::Problem]) -> String {
    if problems.is_empty() {
        return "no reason given".into();
    }
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    /// The problems the API reported, whether with an error status or beside a 2xx
    /// without data.
    pub fn problems(&self) -> &[dm_model::Problem] {
        match self {
            Error::NoData { problems, .. } => problems,
            Error::Transport(e) => e.as_api().map(|a| a.problems.as_slice()).unwrap_or(&[]),
            Error::MaybeSent { source, .. } | Error::MediaNotAttachable { source, .. } => source
                .as_api()
                .map(|a| a.problems.as_slice())
                .unwrap_or(&[]),
            _ => &[],
        }
    }

    /// The transport error underneath, if any.
    pub fn transport(&self) -> Option<&dm_transport::Error> {
        match self {
            Error::Transport(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the request may have reached the server (relevant for sends, which are
    /// never retried once they may have been sent).
    pub fn may_have_been_sent(&self) -> bool {
        match self {
            Error::Transport(e) => e.may_have_been_sent(),
            Error::MaybeSent { .. } => true,
            Error::MediaNotAttachable { .. } | Error::ProcessingFailed { .. } => true,
            // The response arrived: the request certainly was sent.
            Error::Decode(_) | Error::Unexpected(_) | Error::NoData { .. } => true,
            _ => false,
        }
    }
}

/// The final error of a stream, with the checkpoint to resume from.
///
/// Retries, rate-limit waits and token refreshes happen inside the stream; a stream yields a
/// `StreamError` only when the failure is final, and then ends. Resuming a new stream from
/// [`StreamError::checkpoint`] continues exactly after the last item that was delivered.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct StreamError {
    #[source]
    error: Error,
    checkpoint: Option<Checkpoint>,
}

impl StreamError {
    pub(crate) fn new(error: Error, checkpoint: Option<Checkpoint>) -> Self {
        StreamError { error, checkpoint }
    }

    /// What went wrong.
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// Consumes the error, returning what went wrong.
    pub fn into_error(self) -> Error {
        self.error
    }

    /// The checkpoint after the last item delivered before the failure (`None` when the
    /// failure came before the stream could describe its position, e.g. a bad query).
    pub fn checkpoint(&self) -> Option<&Checkpoint> {
        self.checkpoint.as_ref()
    }
}
