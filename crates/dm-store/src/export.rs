//! Export: every stored event of an account, oldest first, as a stream read in chunks.
//!
//! Chunks are keyset pages (by event order), each read on its own: memory stays bounded
//! however large the store, and writers are never blocked by a long read. Events committed
//! while an export runs are included when they sort after the chunk being read.

use std::future::Future;

use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};

use crate::StoredEvent;
use crate::error::Error;

/// Where an export chunk ends: the last event's (order key, id).
pub(crate) type After = (i64, String);

/// A chunk of an export: each event with its position.
pub(crate) type Chunk = Vec<(After, StoredEvent)>;

/// Events per chunk.
pub(crate) const CHUNK: i64 = 500;

/// A stream over `read(after)`, which returns the next chunk of `((order key, id), event)`
/// after `after` (`None`: from the start); an empty chunk ends it.
pub(crate) fn chunked<F, Fut>(read: F) -> BoxStream<'static, Result<StoredEvent, Error>>
where
    F: Fn(Option<After>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Chunk, Error>> + Send + 'static,
{
    stream::try_unfold((read, None, false), |(read, after, done)| async move {
        if done {
            return Ok(None);
        }
        let chunk = read(after).await?;
        let next_after = chunk.last().map(|(key, _)| key.clone());
        let done = next_after.is_none();
        let events: Vec<Result<StoredEvent, Error>> =
            chunk.into_iter().map(|(_, e)| Ok(e)).collect();
        Ok(Some((stream::iter(events), (read, next_after, done))))
    })
    .try_flatten()
    .boxed()
}
