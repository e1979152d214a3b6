//! [`PageStream`] and [`EventStream`]: lazy `futures::Stream`s over a [`Pager`], with
//! prefetch.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures::stream::{BoxStream, Stream, StreamExt};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::error::StreamError;
use crate::page::{Page, ResolvedEvent};
use crate::pager::Pager;

/// A lazy stream of [`Page`]s; see [`EventsRequest::pages`](crate::EventsRequest::pages).
///
/// With prefetch on, a background task (spawned on the first poll, stopped when the stream
/// is dropped) fetches up to `prefetch` pages ahead while the consumer handles the current
/// one. Needs a Tokio runtime.
pub struct PageStream {
    inner: BoxStream<'static, Result<Page, StreamError>>,
}

impl std::fmt::Debug for PageStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageStream").finish_non_exhaustive()
    }
}

impl PageStream {
    pub(crate) fn new(pager: Pager, prefetch: usize) -> Self {
        let inner = if prefetch == 0 {
            sequential(pager)
        } else {
            futures::stream::once(async move { Prefetched::spawn(pager, prefetch) })
                .flatten()
                .boxed()
        };
        PageStream { inner }
    }
}

/// Pages one after the other, each fetched when asked for.
fn sequential(pager: Pager) -> BoxStream<'static, Result<Page, StreamError>> {
    futures::stream::unfold(pager, |mut pager| async move {
        pager.next().await.map(|item| (item, pager))
    })
    .boxed()
}

impl Stream for PageStream {
    type Item = Result<Page, StreamError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

/// Pages fetched by a task ahead of the consumer, through a bounded channel.
struct Prefetched {
    rx: mpsc::Receiver<Result<Page, StreamError>>,
    task: JoinHandle<()>,
}

impl Prefetched {
    fn spawn(mut pager: Pager, depth: usize) -> Self {
        let (tx, rx) = mpsc::channel(depth.max(1));
        let task = tokio::spawn(async move {
            while let Some(item) = pager.next().await {
                let last = item.is_err();
                if tx.send(item).await.is_err() || last {
                    break;
                }
            }
        });
        Prefetched { rx, task }
    }
}

impl Stream for Prefetched {
    type Item = Result<Page, StreamError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}

impl Drop for Prefetched {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A lazy stream of [`ResolvedEvent`]s; see [`EventsRequest::events`](crate::EventsRequest::events).
pub struct EventStream {
    inner: BoxStream<'static, Result<ResolvedEvent, StreamError>>,
}

impl std::fmt::Debug for EventStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream").finish_non_exhaustive()
    }
}

impl EventStream {
    pub(crate) fn new(pages: PageStream) -> Self {
        let inner = pages
            .flat_map(|page| match page {
                Ok(page) => {
                    let events: Vec<_> = page.events().map(Ok).collect();
                    futures::stream::iter(events).left_stream()
                }
                Err(e) => futures::stream::iter(vec![Err(e)]).right_stream(),
            })
            .boxed();
        EventStream { inner }
    }

    pub(crate) fn from_boxed(
        inner: BoxStream<'static, Result<ResolvedEvent, StreamError>>,
    ) -> Self {
        EventStream { inner }
    }
}

impl Stream for EventStream {
    type Item = Result<ResolvedEvent, StreamError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}
