//! [`BodyStream`]: a response body delivered in chunks as they arrive, for downloads that
//! should not be held in memory whole (DM media).

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures::stream::{Stream, StreamExt as _};

use crate::Error;

/// A response body as a stream of chunks.
///
/// Made by [`Transport::send_streaming`](crate::Transport::send_streaming); a chunk error
/// is an [`Error::AfterSend`] (connection lost mid-body) or an [`Error::Timeout`] (no chunk
/// within the transport's request timeout).
pub struct BodyStream {
    inner: Pin<Box<dyn Stream<Item = Result<Bytes, Error>> + Send>>,
}

impl std::fmt::Debug for BodyStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodyStream").finish_non_exhaustive()
    }
}

impl BodyStream {
    /// A body from any stream of chunks.
    pub fn new(stream: impl Stream<Item = Result<Bytes, Error>> + Send + 'static) -> Self {
        BodyStream {
            inner: Box::pin(stream),
        }
    }

    /// A body that is already in memory (one chunk; none when empty).
    pub fn from_bytes(bytes: Bytes) -> Self {
        let chunk = (!bytes.is_empty()).then_some(Ok(bytes));
        Self::new(futures::stream::iter(chunk))
    }

    /// Reads the whole body, refusing more than `limit` bytes.
    ///
    /// # Errors
    ///
    /// The first chunk error, or [`Error::BodyTooLarge`].
    pub async fn collect(mut self, limit: u64) -> Result<Bytes, Error> {
        let mut out = BytesMut::new();
        while let Some(chunk) = self.inner.next().await {
            let chunk = chunk?;
            if (out.len() + chunk.len()) as u64 > limit {
                return Err(Error::BodyTooLarge { limit });
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out.freeze())
    }
}

impl Stream for BodyStream {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}
