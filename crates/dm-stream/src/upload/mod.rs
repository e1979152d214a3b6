//! Media upload for DMs: [`Client::upload_media`] picks the DM category from the file's
//! first bytes, checks the documented size limits before sending, uploads an image in one
//! request and a GIF or video in chunks read from the source one at a time (each chunk
//! retried on transient errors; initialize and finalize never repeated), waits for processing
//! as long as the API says, and returns the media id. Then the sends accept it as their one
//! attachment, or [`Client::send_media`] does both.

mod run;
mod send;
mod sniff;
mod source;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dm_model::{MediaCategory, MediaId, MediaKey, MediaMimeType, MessageRequest};

use crate::client::Client;
use crate::error::Error;

pub use send::{AttachRefusal, Recipient};
pub use sniff::MediaKind;
pub use source::UploadSource;

/// The default chunk size of a chunked upload: 4 MiB (the reference's safe default; v1.1
/// refused segments over 5 MB).
pub const DEFAULT_CHUNK_SIZE: usize = 4 * 1024 * 1024;

/// How far an upload has come, reported to [`UploadOptions::on_progress`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UploadProgress {
    /// `sent` of `total` bytes are uploaded.
    Uploading {
        /// Bytes the API has acknowledged.
        sent: u64,
        /// The file's size.
        total: u64,
    },
    /// The API is processing the file (videos and GIFs).
    Processing {
        /// The state it reported.
        state: dm_model::ProcessingState,
        /// Its completion percentage, when given.
        percent: Option<i64>,
    },
}

type ProgressFn = Arc<dyn Fn(UploadProgress) + Send + Sync>;

/// Options of an upload.
#[derive(Clone)]
#[must_use]
pub struct UploadOptions {
    pub(crate) chunk_size: usize,
    pub(crate) progress: Option<ProgressFn>,
    pub(crate) max_processing_wait: Duration,
}

impl Default for UploadOptions {
    fn default() -> Self {
        UploadOptions {
            chunk_size: DEFAULT_CHUNK_SIZE,
            progress: None,
            max_processing_wait: Duration::from_secs(600),
        }
    }
}

impl std::fmt::Debug for UploadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadOptions")
            .field("chunk_size", &self.chunk_size)
            .field("progress", &self.progress.is_some())
            .field("max_processing_wait", &self.max_processing_wait)
            .finish()
    }
}

impl UploadOptions {
    /// The defaults: 4 MiB chunks, no progress callback, processing awaited up to 10 minutes.
    pub fn new() -> Self {
        Self::default()
    }

    /// The size of each appended segment (at least 1 byte; raised so the file fits in the
    /// 1,000 segments the API allows). Memory use is about twice this, whatever the file's
    /// size.
    pub fn chunk_size(mut self, bytes: usize) -> Self {
        self.chunk_size = bytes.max(1);
        self
    }

    /// Called as the upload progresses (after each segment, and at each processing check).
    pub fn on_progress(mut self, f: impl Fn(UploadProgress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// The longest time to wait for processing before giving up
    /// ([`Error::ProcessingTimeout`]).
    pub fn max_processing_wait(mut self, wait: Duration) -> Self {
        self.max_processing_wait = wait;
        self
    }

    pub(crate) fn report(&self, p: UploadProgress) {
        if let Some(f) = &self.progress {
            f(p);
        }
    }
}

/// An uploaded media object, ready to attach to one message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadedMedia {
    /// The id to attach (`attachments[0].media_id`).
    pub media_id: MediaId,
    /// The key the sent event will list in `attachments.media_keys`, when the API gave it.
    pub media_key: Option<MediaKey>,
    /// The category it was uploaded with (`dm_image`, `dm_gif` or `dm_video`).
    pub category: MediaCategory,
    /// The file's type, from its first bytes.
    pub media_type: MediaMimeType,
    /// The file's size in bytes.
    pub size: u64,
    /// Until when it may be attached (by the client's clock), when the API said.
    pub expires_at: Option<SystemTime>,
}

impl UploadedMedia {
    /// A message carrying only this media.
    pub fn message(&self) -> MessageRequest {
        MessageRequest::media(self.media_id.clone())
    }

    /// A message with `text` and this media.
    ///
    /// # Errors
    ///
    /// [`dm_model::BodyError`] for empty or too long text.
    pub fn message_with_text(
        &self,
        text: impl Into<String>,
    ) -> Result<MessageRequest, dm_model::BodyError> {
        MessageRequest::with_media(text, self.media_id.clone())
    }
}

/// What a client remembers of the media it uploaded, to refuse an expired attachment before
/// sending and to explain a refusal.
#[derive(Clone, Debug)]
pub(crate) struct Registered {
    /// Unix time after which it may not be attached.
    pub(crate) expires_at: Option<Duration>,
}

/// The client's uploads (pruned of expired entries as new ones come).
#[derive(Debug, Default)]
pub(crate) struct Registry {
    media: HashMap<MediaId, Registered>,
}

impl Registry {
    pub(crate) fn insert(&mut self, id: MediaId, entry: Registered, now: Duration) {
        self.media.retain(|_, r| {
            r.expires_at
                .is_none_or(|at| at + Duration::from_secs(86_400) > now)
        });
        self.media.insert(id, entry);
    }

    pub(crate) fn get(&self, id: &MediaId) -> Option<&Registered> {
        self.media.get(id)
    }
}

fn unix_to_system(d: Duration) -> SystemTime {
    UNIX_EPOCH + d
}

impl Client {
    /// Uploads a photo, GIF or video for a DM and returns its media id once it is ready to
    /// attach (`POST /2/media/upload`, or `/initialize`, `/{id}/append` × N, `/{id}/finalize`
    /// and `GET /2/media/upload?command=STATUS`).
    ///
    /// The type comes from the file's first bytes (JPEG, PNG, WebP, GIF, MP4, MOV), never its
    /// name, and always gives a DM category (`dm_image`, `dm_gif`, `dm_video`): media
    /// uploaded with a Post category cannot be attached to a DM. The documented limits (5 MiB
    /// for an image, 15 MiB for an animated GIF, 512 MiB for a video) are checked before
    /// anything is sent. An image goes in one request; a GIF or video in chunks read from the
    /// source one at a time, each retried on transient errors (a segment sent again at its
    /// index replaces itself), then processing is awaited, polling when the API's
    /// `check_after_secs` says. Needs a user token with `media.write` (OAuth 2.0) or OAuth
    /// 1.0a, and must be made with the sender's token.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use dm_stream::{Client, MediaKind, UploadSource};
    ///
    /// let sandbox = dm_fake::FakeServer::builder().start().await?;
    /// let client = Client::builder()
    ///     .base_url(sandbox.base_url())
    ///     .bearer_token(sandbox.token())
    ///     .build()?;
    /// // A (tiny) PNG: its first bytes say so.
    /// let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89".to_vec();
    /// let media = client.upload_media(UploadSource::bytes(png), MediaKind::Auto).await?;
    /// assert_eq!(media.category, dm_model::MediaCategory::DmImage);
    ///
    /// // Attach it to a message (one attachment per message).
    /// let to = sandbox.dataset().users()[1]["id"].as_str().unwrap().parse()?;
    /// let sent = client.send_to_user(to, media.message_with_text("Look!")?).await?;
    /// # let _ = sent;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// Before sending anything: [`Error::UnsupportedMedia`] (not a JPEG, PNG, WebP, GIF, MP4
    /// or MOV, or not of `kind`), [`Error::MediaTooLarge`], [`Error::MissingScope`] (the
    /// token's known scopes lack `media.write`), [`Error::Io`] (the file cannot be read).
    /// Then: [`Error::MissingScope`] for a 403 on the upload, [`Error::ProcessingFailed`],
    /// [`Error::ProcessingTimeout`], [`Error::Io`] when the source ends early or runs long,
    /// and the transport's errors.
    pub async fn upload_media(
        &self,
        source: impl Into<UploadSource>,
        kind: MediaKind,
    ) -> Result<UploadedMedia, Error> {
        self.upload_media_with(source, kind, UploadOptions::default())
            .await
    }

    /// [`Client::upload_media`] with options (chunk size, a progress callback, the longest
    /// processing wait).
    ///
    /// # Errors
    ///
    /// As [`Client::upload_media`].
    pub async fn upload_media_with(
        &self,
        source: impl Into<UploadSource>,
        kind: MediaKind,
        options: UploadOptions,
    ) -> Result<UploadedMedia, Error> {
        let media = run::upload(self, source.into(), kind, &options).await?;
        let now = self.inner.clock.now_unix();
        let expires_at = media
            .expires_at
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok());
        if let Ok(mut registry) = self.inner.uploads.lock() {
            registry.insert(media.media_id.clone(), Registered { expires_at }, now);
        }
        Ok(media)
    }

    /// Whether this client uploaded `media_id` and it has expired by the client's clock
    /// (then the time it expired).
    pub(crate) fn expired_upload(&self, media_id: &MediaId) -> Option<SystemTime> {
        let registry = self.inner.uploads.lock().ok()?;
        let at = registry.get(media_id)?.expires_at?;
        (self.inner.clock.now_unix() >= at).then(|| unix_to_system(at))
    }

    /// Whether this client uploaded `media_id`.
    pub(crate) fn uploaded_here(&self, media_id: &MediaId) -> bool {
        self.inner
            .uploads
            .lock()
            .is_ok_and(|r| r.get(media_id).is_some())
    }
}
