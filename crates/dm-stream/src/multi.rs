//! Many conversations at once, with bounded concurrency and one shared rate budget.

use dm_model::DmConversationId;
use futures::StreamExt;

use crate::client::Client;
use crate::request::EventsRequest;
use crate::stream::EventStream;

/// Events of several conversations, streamed concurrently; see [`Client::conversations`].
#[derive(Clone, Debug)]
#[must_use]
pub struct ManyConversations {
    requests: Vec<EventsRequest>,
    concurrency: usize,
}

impl ManyConversations {
    /// How many conversations are paged at the same time (default 4). They share the
    /// client's rate budget, so more concurrency finishes sooner only while budget remains.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Applies `f` to every conversation's request (fields, expansions, event types...).
    pub fn configure(mut self, f: impl Fn(EventsRequest) -> EventsRequest) -> Self {
        self.requests = self.requests.into_iter().map(f).collect();
        self
    }

    /// Every event of every conversation. Each conversation's events come newest first;
    /// conversations interleave. Each item's checkpoint names its conversation.
    pub fn events(self) -> EventStream {
        let concurrency = self.concurrency;
        EventStream::from_boxed(
            futures::stream::iter(self.requests.into_iter().map(EventsRequest::events))
                .flatten_unordered(concurrency)
                .boxed(),
        )
    }
}

impl Client {
    /// The events of many conversations at once, `concurrency` at a time, sharing this
    /// client's rate budget.
    pub fn conversations(
        &self,
        ids: impl IntoIterator<Item = DmConversationId>,
    ) -> ManyConversations {
        ManyConversations {
            requests: ids.into_iter().map(|id| self.conversation(id)).collect(),
            concurrency: 4,
        }
    }
}
