//! Media download: the bytes of a legacy DM's attachment, streamed.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use dm_model::{DmEventId, DmResourceId, MediaId};
use dm_query::{ApiRequest, DownloadMedia};
use dm_transport::{BodyStream, Transport};
use futures::{Stream, StreamExt};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::client::Client;
use crate::error::Error;

/// A media download in progress: the body arrives as a stream of chunks, never held in
/// memory whole. Made by [`Client::download_media`].
pub struct MediaDownload {
    content_type: Option<String>,
    content_length: Option<u64>,
    body: BodyStream,
}

impl std::fmt::Debug for MediaDownload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaDownload")
            .field("content_type", &self.content_type)
            .field("content_length", &self.content_length)
            .finish_non_exhaustive()
    }
}

impl MediaDownload {
    /// The `content-type` the server sent.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The length the server announced, when it did.
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }

    /// Writes every chunk to `out` as it arrives; returns the number of bytes written.
    ///
    /// # Errors
    ///
    /// A transport error mid-body, or [`Error::Io`] when writing fails.
    pub async fn write_to<W: AsyncWrite + Unpin>(mut self, out: &mut W) -> Result<u64, Error> {
        let mut written = 0u64;
        while let Some(chunk) = self.next().await {
            let chunk = chunk?;
            out.write_all(&chunk).await?;
            written += chunk.len() as u64;
        }
        out.flush().await?;
        Ok(written)
    }
}

impl Stream for MediaDownload {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.body
            .poll_next_unpin(cx)
            .map(|chunk| chunk.map(|r| r.map_err(Error::from)))
    }
}

impl Client {
    /// Downloads the media attached to a legacy DM
    /// (`GET /2/dm_conversations/media/{dm_id}/{media_id}/{resource_id}`), streamed.
    ///
    /// ```no_run
    /// # async fn run(client: dm_stream::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let download = client
    ///     .download_media("1582838499983564806".parse()?, "1583157113245011970".parse()?, "tJg5kUG5RKPi3jNi.jpg".parse()?)
    ///     .await?;
    /// let mut file = tokio::fs::File::create("photo.jpg").await?;
    /// let bytes = download.write_to(&mut file).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// The API's problems (e.g. not found) as [`Error::Transport`], before any byte of the
    /// body; chunk errors come from the stream. [`Error::UnsupportedAuth`] before sending
    /// when the client signs with OAuth 1.0a (the spec lists an OAuth 2.0 user token only).
    pub async fn download_media(
        &self,
        dm_id: DmEventId,
        media_id: MediaId,
        resource_id: DmResourceId,
    ) -> Result<MediaDownload, Error> {
        let operation = dm_query::Operation::DownloadMedia;
        if self.inner.oauth1 && !operation.supports_oauth1() {
            return Err(Error::UnsupportedAuth {
                operation: operation.operation_id(),
                auth: "OAuth 1.0a",
            });
        }
        let request = DownloadMedia {
            dm_id,
            media_id,
            resource_id,
        }
        .to_request(&self.inner.base)?;
        let response = self.inner.stack.send_streaming(request).await?;
        let header = |name: http::header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header(http::header::CONTENT_TYPE);
        let content_length = header(http::header::CONTENT_LENGTH).and_then(|v| v.parse().ok());
        Ok(MediaDownload {
            content_type,
            content_length,
            body: response.into_body(),
        })
    }
}
