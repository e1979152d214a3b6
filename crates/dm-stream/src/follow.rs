//! Follow: a never-ending stream of new events, polled at an interval that adapts to
//! activity and stays within the rate budget.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::future::BoxFuture;
use futures::{FutureExt, Stream};

use crate::error::{Error, StreamError};
use crate::page::ResolvedEvent;
use crate::request::EventsRequest;
use crate::sync::{SyncBatch, SyncState};

/// How often [`follow`](EventsRequest::follow) polls.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct FollowOptions {
    /// The shortest pause between polls, used right after new events arrived.
    pub min_interval: Duration,
    /// The longest pause, reached by doubling while nothing arrives.
    pub max_interval: Duration,
}

impl Default for FollowOptions {
    fn default() -> Self {
        FollowOptions {
            min_interval: Duration::from_secs(5),
            max_interval: Duration::from_secs(120),
        }
    }
}

impl FollowOptions {
    /// Polls between `min` and `max` apart.
    pub fn new(min: Duration, max: Duration) -> Self {
        FollowOptions {
            min_interval: min,
            max_interval: max.max(min),
        }
    }
}

/// The stream [`EventsRequest::follow`] returns: new events, oldest first, each once.
///
/// [`FollowStream::state`] is the sync state after the last event delivered: persist it
/// and pass it to [`EventsRequest::follow_from`] to go on after a restart without a gap.
/// A final error is yielded once and ends the stream (retries, rate-limit waits and token
/// refreshes happen inside).
pub struct FollowStream {
    request: EventsRequest,
    options: FollowOptions,
    state: Option<SyncState>,
    pending: VecDeque<ResolvedEvent>,
    interval: Duration,
    fut: Option<BoxFuture<'static, Result<(SyncBatch, bool), Error>>>,
    polls: u64,
    done: bool,
}

impl std::fmt::Debug for FollowStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FollowStream")
            .field("state", &self.state)
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

impl FollowStream {
    /// The sync state after the last event delivered (`None` until the first poll knew it).
    pub fn state(&self) -> Option<&SyncState> {
        self.state.as_ref()
    }

    /// Polls sent so far.
    pub fn polls(&self) -> u64 {
        self.polls
    }

    /// The current pause between polls.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    fn start_poll(&mut self) {
        let request = self.request.clone();
        let state = self.state.clone();
        let delay = if self.polls == 0 {
            Duration::ZERO
        } else {
            self.interval
        };
        self.polls += 1;
        self.fut = Some(
            async move {
                tokio::time::sleep(delay).await;
                match state {
                    // First poll without a state: only learn where "now" is.
                    None => {
                        let state = request.sync_state_now().await?;
                        let batch = SyncBatch {
                            events: Vec::new(),
                            state,
                            requests: 1,
                            rate_limit: None,
                        };
                        Ok((batch, true))
                    }
                    Some(state) => Ok((request.sync(Some(&state)).await?, false)),
                }
            }
            .boxed(),
        );
    }

    fn adapt(&mut self, batch: &SyncBatch) {
        self.interval = if batch.events.is_empty() {
            (self.interval * 2).min(self.options.max_interval)
        } else {
            self.options.min_interval
        };
        // Spread what is left of the budget over the rest of the window.
        if let Some(rl) = &batch.rate_limit {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            let window_left = Duration::from_secs(rl.reset.saturating_sub(now));
            let spacing =
                window_left / (rl.remaining.saturating_add(1)).min(u32::MAX as u64) as u32;
            self.interval = self.interval.max(spacing);
        }
    }
}

impl Stream for FollowStream {
    type Item = Result<ResolvedEvent, StreamError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(event) = this.pending.pop_front() {
                // Events only arrive from a sync that started from a state.
                if let Some(base) = &this.state {
                    this.state = Some(base.advanced_to(&event.event().id));
                }
                return Poll::Ready(Some(Ok(event)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            if this.fut.is_none() {
                this.start_poll();
            }
            let Some(fut) = this.fut.as_mut() else {
                continue;
            };
            match fut.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(result) => {
                    this.fut = None;
                    match result {
                        Ok((batch, primed)) => {
                            this.adapt(&batch);
                            if primed || this.state.is_none() {
                                this.state = Some(batch.state.clone());
                            }
                            this.pending.extend(batch.events);
                        }
                        Err(e) => {
                            this.done = true;
                            return Poll::Ready(Some(Err(StreamError::new(e, None))));
                        }
                    }
                }
            }
        }
    }
}

impl EventsRequest {
    /// New events as they arrive, forever: polls with [`sync`](EventsRequest::sync) at an
    /// interval that shortens after activity, doubles while idle, and never spends the
    /// rate budget faster than it refills. Starts from now (one request to learn the newest
    /// event); use [`follow_from`](EventsRequest::follow_from) to continue from a saved state.
    pub fn follow(self, options: FollowOptions) -> FollowStream {
        self.follow_inner(options, None)
    }

    /// Like [`follow`](EventsRequest::follow), starting after `state` (from an earlier
    /// sync or [`FollowStream::state`]): events that arrived meanwhile come first.
    pub fn follow_from(self, state: SyncState, options: FollowOptions) -> FollowStream {
        self.follow_inner(options, Some(state))
    }

    fn follow_inner(self, options: FollowOptions, state: Option<SyncState>) -> FollowStream {
        FollowStream {
            request: self,
            interval: options.min_interval,
            options,
            state,
            pending: VecDeque::new(),
            fut: None,
            polls: 0,
            done: false,
        }
    }
}
