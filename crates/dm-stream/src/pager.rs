//! The page walker behind every stream: fetch, filter what was already delivered, follow
//! the token, stop on a repeat.

use std::collections::HashSet;
use std::sync::Arc;

use dm_model::DmEventId;
use dm_query::{EventsQuery, ListEvents, Scope};

use crate::checkpoint::{Checkpoint, Direction, LookupKey};
use crate::client::Client;
use crate::error::{Error, StreamError};
use crate::page::{Page, PageInner};
use crate::request::EventsRequest;

pub(crate) struct Pager {
    client: Client,
    scope: Scope,
    query: EventsQuery,
    direction: Direction,
    state: State,
    /// The last event delivered (what a checkpoint records).
    after: Option<DmEventId>,
    /// Whether the next page is filtered by id against `after` (ids grow with time): after
    /// a resume until a page delivers something, and every page after a restart from the
    /// head. Other pages are only checked against the ids of the page before, so a server
    /// whose ids do not follow time loses nothing in an ordinary walk.
    filter_by_id: bool,
    /// The ids of the last page with events (all delivered, now or before): a repeated or
    /// overlapping page skips them.
    last_page_ids: HashSet<u64>,
    seen_tokens: HashSet<String>,
    /// Whether the stream already fell back to the head once after an expired token.
    restarted: bool,
    /// Pages fetched again because the API answered with a page token already followed.
    refetches: u32,
    lookup: Option<LookupKey>,
    requests: u32,
}

enum State {
    /// Set up on the first poll (validation errors surface as the first item).
    Start(Option<Checkpoint>, Option<String>),
    /// Fetch the page this token names (`None`: the head).
    Fetch(Option<String>),
    /// Yield this error, then end.
    Fail(Box<StreamError>),
    Done,
}

impl Pager {
    pub(crate) fn new(request: EventsRequest) -> Self {
        Pager {
            client: request.client,
            scope: request.scope,
            query: request.query.without_pagination_token(),
            direction: request.direction,
            state: State::Start(request.resume, request.start_token),
            after: None,
            filter_by_id: false,
            last_page_ids: HashSet::new(),
            seen_tokens: HashSet::new(),
            restarted: false,
            refetches: 0,
            lookup: None,
            requests: 0,
        }
    }

    /// Requests sent so far.
    pub(crate) fn requests(&self) -> u32 {
        self.requests
    }

    fn start(
        &mut self,
        resume: Option<Checkpoint>,
        start_token: Option<String>,
    ) -> Result<(), Error> {
        let lookup = LookupKey::new(&self.scope, &self.query)?;
        if let Some(t) = &start_token {
            // A token the caller passed in is checked like any parameter (tokens the
            // API hands back during the walk are followed as they are).
            self.query.clone().pagination_token(t.clone()).validate()?;
        }
        let mut token = start_token;
        if let Some(cp) = resume {
            if cp.lookup != lookup {
                return Err(Error::CheckpointMismatch {
                    expected: lookup.to_string(),
                    found: cp.lookup.to_string(),
                });
            }
            // The direction is the request's: `resume` sets it from the checkpoint, and a
            // later `direction(..)` may turn the walk around from the same position.
            self.filter_by_id = cp.after.is_some();
            self.after = cp.after;
            if cp.done {
                self.lookup = Some(lookup);
                self.state = State::Done;
                return Ok(());
            }
            token = cp.token;
        }
        if let Some(t) = &token {
            self.seen_tokens.insert(t.clone());
        }
        self.lookup = Some(lookup);
        self.state = State::Fetch(token);
        Ok(())
    }

    fn checkpoint(&self, token: Option<String>, done: bool) -> Checkpoint {
        Checkpoint {
            version: Checkpoint::VERSION,
            lookup: self.lookup.clone().unwrap_or_else(|| LookupKey {
                scope: (&self.scope).into(),
                query: String::new(),
            }),
            direction: self.direction,
            token,
            after: self.after.clone(),
            done,
        }
    }

    /// The next page, or `None` when the walk is over.
    pub(crate) async fn next(&mut self) -> Option<Result<Page, StreamError>> {
        loop {
            let token = match std::mem::replace(&mut self.state, State::Done) {
                State::Done => return None,
                State::Fail(e) => return Some(Err(*e)),
                State::Start(resume, start_token) => {
                    if let Err(e) = self.start(resume, start_token) {
                        return Some(Err(StreamError::new(e, None)));
                    }
                    continue;
                }
                State::Fetch(token) => token,
            };
            let mut query = self.query.clone();
            if let Some(t) = &token {
                query = query.pagination_token_from_api(t.clone());
            }
            let request = ListEvents::new(self.scope.clone(), query);
            self.requests += 1;
            match self.client.fetch_page(&request).await {
                Ok(fetched) => return Some(Ok(self.accept(token, fetched))),
                Err(e) => {
                    if token.is_some()
                        && self.after.is_some()
                        && self.direction == Direction::Older
                        && !self.restarted
                        && is_expired_token(&e)
                    {
                        // The token expired: walk again from the head, skipping what was
                        // delivered (event ids grow with time).
                        tracing::warn!("pagination token refused; resuming from the newest page");
                        self.restarted = true;
                        self.filter_by_id = true;
                        // The new walk meets the same tokens again: they are not repeats.
                        self.seen_tokens.clear();
                        self.state = State::Fetch(None);
                        continue;
                    }
                    let cp = self.checkpoint(token, false);
                    return Some(Err(StreamError::new(e, Some(cp))));
                }
            }
        }
    }

    fn accept(&mut self, token: Option<String>, fetched: crate::client::Fetched) -> Page {
        let body = fetched.page;
        let after = self
            .after
            .as_ref()
            .filter(|_| self.filter_by_id)
            .map(DmEventId::as_u64);
        let last_page = &self.last_page_ids;
        let mut visible: Vec<u32> = body
            .data
            .iter()
            .enumerate()
            .filter(|(_, e)| !last_page.contains(&e.id.as_u64()))
            .filter(|(_, e)| match (after, self.direction) {
                (None, _) => true,
                (Some(a), Direction::Older) => e.id.as_u64() < a,
                (Some(a), Direction::Newer) => e.id.as_u64() > a,
            })
            .map(|(i, _)| i as u32)
            .collect();
        // After a resume, pages are filtered until one delivers something (the position is
        // found again: a refetched page may be wholly delivered already); a restart filters
        // to the end.
        self.filter_by_id = self.restarted || (self.filter_by_id && visible.is_empty());
        if !body.data.is_empty() {
            // Every event of this page is delivered now or was before (skipped): a refetch
            // of it, or a next page that overlaps it, skips them all.
            self.last_page_ids.clear();
            self.last_page_ids
                .extend(body.data.iter().map(|e| e.id.as_u64()));
        }
        if self.direction == Direction::Newer {
            visible.reverse();
        }
        if let Some(&last) = visible.last() {
            self.after = Some(body.data[last as usize].id.clone());
        }
        let next = match self.direction {
            Direction::Older => body.meta.next_token.clone(),
            Direction::Newer => body.meta.previous_token.clone(),
        }
        .filter(|t| !t.is_empty());
        let checkpoint = match next {
            Some(t) if self.seen_tokens.insert(t.clone()) => {
                self.refetches = 0;
                self.state = State::Fetch(Some(t.clone()));
                self.checkpoint(Some(t), false)
            }
            Some(t) if self.refetches < self.client.inner.decode_retries => {
                // A token already followed: a glitch or a loop. Fetch this page again (what
                // was delivered is skipped) rather than follow it or silently end the walk.
                self.refetches += 1;
                tracing::warn!(token = %t, attempt = self.refetches, "the API repeated a page token; fetching the page again");
                self.state = State::Fetch(token.clone());
                self.checkpoint(token.clone(), false)
            }
            Some(t) => {
                // Still looping: end with an error (never loop, never end as if complete);
                // resuming from its checkpoint fetches this page again.
                tracing::warn!(token = %t, "the API keeps repeating a page token; ending the walk");
                let checkpoint = self.checkpoint(token.clone(), false);
                let error = Error::Unexpected(format!(
                    "the API keeps answering with page token `{t}`, which was already followed; \
                     the walk stopped (resume from the checkpoint to try again)"
                ));
                self.state =
                    State::Fail(Box::new(StreamError::new(error, Some(checkpoint.clone()))));
                checkpoint
            }
            None => {
                self.state = State::Done;
                self.checkpoint(token.clone(), true)
            }
        };
        Page {
            inner: Arc::new(PageInner {
                body,
                visible,
                token,
                checkpoint,
                rate_limit: fetched.rate_limit,
            }),
        }
    }
}

/// Whether the API refused the request's `pagination_token` (expired or unknown).
fn is_expired_token(error: &Error) -> bool {
    let Some(api) = error.transport().and_then(|e| e.as_api()) else {
        return false;
    };
    api.status.as_u16() == 400
        && api.problems.iter().any(|p| {
            serde_json::to_string(p)
                .map(|s| s.contains("pagination_token"))
                .unwrap_or(false)
        })
}
