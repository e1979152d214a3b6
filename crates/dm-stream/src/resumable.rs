//! A sync that survives interruption: [`EventsRequest::sync_walk`] yields the new events a
//! page at a time, each with the [`SyncProgress`] to commit together with them.
//!
//! Under the live rate limit (15 lookups per 15 minutes) the first sync of a busy account
//! takes hours. [`EventsRequest::sync`] is all-or-nothing per call; a walk is not: persist
//! each page's events and its progress in one transaction, and a rerun from the last
//! progress continues where the interrupted walk stopped, spending at most the one request
//! whose page was not committed again. When the walk reaches the previous sync point, the
//! progress becomes a plain sync point again ([`SyncProgress::state`]).

use dm_model::DmEventId;
use dm_transport::RateLimit;
use serde::{Deserialize, Serialize};

use crate::checkpoint::{Checkpoint, Direction, LookupKey};
use crate::error::Error;
use crate::page::ResolvedEvent;
use crate::pager::Pager;
use crate::request::EventsRequest;
use crate::sync::SyncState;

/// Where a sync stands: the last completed sync point and, while a walk towards it is in
/// progress, where that walk goes on. Serializable; keep it with the data it describes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncProgress {
    #[serde(rename = "v")]
    version: u32,
    /// The last completed sync (`None` before the first one completed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    state: Option<SyncState>,
    /// The walk in progress (`None` between syncs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    walk: Option<WalkState>,
}

/// An interrupted walk: where it goes on, and the newest event it delivered (the next sync
/// point once it completes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct WalkState {
    checkpoint: Checkpoint,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    newest: Option<DmEventId>,
}

impl SyncProgress {
    const VERSION: u32 = 1;

    /// Progress that starts from a completed sync point (`None`: from nothing).
    pub fn from_state(state: Option<SyncState>) -> Self {
        SyncProgress {
            version: Self::VERSION,
            state,
            walk: None,
        }
    }

    /// The last completed sync point.
    pub fn state(&self) -> Option<&SyncState> {
        self.state.as_ref()
    }

    /// Whether a walk is in progress (an interrupted sync to continue).
    pub fn in_progress(&self) -> bool {
        self.walk.is_some()
    }
}

/// The new events of one page of a [`SyncWalk`], and the progress to commit with them.
#[derive(Debug)]
#[non_exhaustive]
pub struct SyncPage {
    /// The page's new events, newest first (the API's order), each with its references
    /// resolved. May be empty (a page holding only events delivered before).
    pub events: Vec<ResolvedEvent>,
    /// The progress after this page: commit it together with `events`, never without them.
    pub progress: SyncProgress,
    /// Whether the walk is complete (`progress` is a sync point again; no page follows).
    pub complete: bool,
    /// Requests this walk has sent so far.
    pub requests: u32,
    /// The rate-limit state of this page's response.
    pub rate_limit: Option<RateLimit>,
}

/// A sync, a page at a time; see [`EventsRequest::sync_walk`].
pub struct SyncWalk {
    pager: Pager,
    lookup: LookupKey,
    /// The completed sync point the walk ends at.
    known: Option<SyncState>,
    /// The newest event delivered by this walk (over its interruptions).
    newest: Option<DmEventId>,
    done: bool,
}

impl std::fmt::Debug for SyncWalk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncWalk")
            .field("known", &self.known)
            .field("newest", &self.newest)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl EventsRequest {
    /// A sync that commits as it goes: pages newest first from the head (or from where
    /// `progress`'s interrupted walk stopped) down to the last completed sync point, each
    /// [`SyncPage`] holding that page's new events and the progress to store with them.
    ///
    /// Store every page's events and progress in one transaction; after an interruption,
    /// pass the last stored progress to go on: nothing is lost or delivered twice, and at
    /// most one request is spent again. A walk whose page token expired goes on from the
    /// head, skipping what it delivered (event ids grow with time).
    ///
    /// # Errors
    ///
    /// [`Error::CheckpointMismatch`] when `progress` belongs to another lookup, or a
    /// validation error of the query.
    pub fn sync_walk(&self, progress: Option<&SyncProgress>) -> Result<SyncWalk, Error> {
        let lookup = LookupKey::new(&self.scope, &self.query)?;
        let known = progress.and_then(|p| p.state.clone());
        if let Some(s) = known.as_ref().filter(|s| s.lookup != lookup) {
            return Err(Error::CheckpointMismatch {
                expected: lookup.to_string(),
                found: s.lookup.to_string(),
            });
        }
        let mut request = self.clone();
        request.start_token = None;
        request.direction = Direction::Older;
        request.resume = None;
        let mut newest = None;
        if let Some(walk) = progress.and_then(|p| p.walk.as_ref()) {
            if walk.checkpoint.lookup != lookup {
                return Err(Error::CheckpointMismatch {
                    expected: lookup.to_string(),
                    found: walk.checkpoint.lookup.to_string(),
                });
            }
            request.resume = Some(walk.checkpoint.clone());
            newest = walk.newest.clone();
        }
        Ok(SyncWalk {
            pager: Pager::new(request),
            lookup,
            known,
            newest,
            done: false,
        })
    }
}

impl SyncWalk {
    /// The next page, or `None` once the walk is complete.
    ///
    /// # Errors
    ///
    /// A final transport or decode error; the walk ends, and the last progress yielded is
    /// where to go on.
    pub async fn next(&mut self) -> Result<Option<SyncPage>, Error> {
        if self.done {
            return Ok(None);
        }
        let known_num = self
            .known
            .as_ref()
            .and_then(|s| s.newest())
            .map(DmEventId::as_u64);
        let Some(page) = self.pager.next().await else {
            // A resumed walk whose checkpoint said it was finished: complete it.
            self.done = true;
            return Ok(Some(self.page(Vec::new(), None, None)));
        };
        let page = match page {
            Ok(page) => page,
            Err(e) => {
                self.done = true;
                return Err(e.into_error());
            }
        };
        let mut events = Vec::with_capacity(page.len());
        let mut reached = false;
        for event in page.events() {
            if known_num.is_some_and(|k| event.event().id.as_u64() <= k) {
                reached = true;
                break;
            }
            events.push(event);
        }
        if let Some(first) = events.first() {
            let id = &first.event().id;
            if self
                .newest
                .as_ref()
                .is_none_or(|n| id.as_u64() > n.as_u64())
            {
                self.newest = Some(id.clone());
            }
        }
        let complete = reached || page.checkpoint().is_done();
        let checkpoint = (!complete).then(|| page.checkpoint().clone());
        self.done = complete;
        Ok(Some(self.page(
            events,
            checkpoint,
            page.rate_limit().cloned(),
        )))
    }

    /// A page of the walk: in progress at `checkpoint`, or complete without one.
    fn page(
        &self,
        events: Vec<ResolvedEvent>,
        checkpoint: Option<Checkpoint>,
        rate_limit: Option<RateLimit>,
    ) -> SyncPage {
        let known = self.known.clone();
        let progress = match checkpoint {
            Some(checkpoint) => SyncProgress {
                version: SyncProgress::VERSION,
                state: known,
                walk: Some(WalkState {
                    checkpoint,
                    newest: self.newest.clone(),
                }),
            },
            None => {
                let base = known.unwrap_or_else(|| SyncState::new(self.lookup.clone(), None));
                let state = match &self.newest {
                    Some(id) => base.advanced_to(id),
                    None => base,
                };
                SyncProgress::from_state(Some(state))
            }
        };
        SyncPage {
            events,
            progress,
            complete: self.done,
            requests: self.pager.requests(),
            rate_limit,
        }
    }

    /// Requests sent so far.
    pub fn requests(&self) -> u32 {
        self.pager.requests()
    }
}
