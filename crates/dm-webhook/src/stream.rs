//! [`Events`]: the events a [`Receiver`](crate::Receiver) accepted, as a `Stream`.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;
use tokio::sync::mpsc;

use crate::event::WebhookEvent;

/// The accepted events, each once, in the order they were accepted. Ends when every clone
/// of the [`Receiver`](crate::Receiver) is dropped.
#[derive(Debug)]
pub struct Events {
    rx: mpsc::Receiver<WebhookEvent>,
}

impl Events {
    pub(crate) fn new(rx: mpsc::Receiver<WebhookEvent>) -> Self {
        Events { rx }
    }

    /// An event already waiting, if any (never waits): take every waiting event before
    /// writing them out together.
    pub fn try_recv(&mut self) -> Option<WebhookEvent> {
        self.rx.try_recv().ok()
    }

    /// The next event (`None` once the receiver is gone).
    pub async fn recv(&mut self) -> Option<WebhookEvent> {
        self.rx.recv().await
    }
}

impl Stream for Events {
    type Item = WebhookEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<WebhookEvent>> {
        self.rx.poll_recv(cx)
    }
}
