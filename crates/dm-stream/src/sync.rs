//! Incremental sync: only what is new since the last run.
//!
//! The API has no `since_id` for DMs. A sync walks newest-first from the head and stops at
//! the first event at or below the newest one already seen (event ids grow with time), so
//! it costs at most ⌈new events / page size⌉ + 1 requests.

use dm_model::DmEventId;
use dm_transport::RateLimit;
use serde::{Deserialize, Serialize};

use crate::checkpoint::{Direction, LookupKey};
use crate::error::Error;
use crate::page::ResolvedEvent;
use crate::pager::Pager;
use crate::request::EventsRequest;
use crate::resumable::SyncProgress;

/// What a sync has seen: the newest event of its lookup. Serializable; keep it beside the
/// data it describes and pass it to the next sync.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    #[serde(rename = "v")]
    version: u32,
    pub(crate) lookup: LookupKey,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    newest: Option<DmEventId>,
}

impl SyncState {
    pub(crate) fn new(lookup: LookupKey, newest: Option<DmEventId>) -> Self {
        SyncState {
            version: 1,
            lookup,
            newest,
        }
    }

    /// The newest event seen so far (`None`: nothing yet).
    pub fn newest(&self) -> Option<&DmEventId> {
        self.newest.as_ref()
    }

    /// The state after also seeing `id` (keeps the newer of the two).
    pub(crate) fn advanced_to(&self, id: &DmEventId) -> SyncState {
        let newest = match &self.newest {
            Some(n) if n.as_u64() >= id.as_u64() => n.clone(),
            _ => id.clone(),
        };
        SyncState::new(self.lookup.clone(), Some(newest))
    }
}

/// The result of one sync.
#[derive(Debug)]
#[non_exhaustive]
pub struct SyncBatch {
    /// The new events, oldest first, each with its references resolved.
    pub events: Vec<ResolvedEvent>,
    /// The state to pass to the next sync.
    pub state: SyncState,
    /// Requests this sync sent.
    pub requests: u32,
    /// The rate-limit state of the last response.
    pub rate_limit: Option<RateLimit>,
}

impl EventsRequest {
    fn sync_lookup(&self, state: Option<&SyncState>) -> Result<LookupKey, Error> {
        let lookup = LookupKey::new(&self.scope, &self.query)?;
        if let Some(s) = state.filter(|s| s.lookup != lookup) {
            return Err(Error::CheckpointMismatch {
                expected: lookup.to_string(),
                found: s.lookup.to_string(),
            });
        }
        Ok(lookup)
    }

    /// Fetches what is new since `state` (everything, with `None`), oldest first, and the
    /// state for the next call. Pages newest-first only until the newest event already
    /// seen: at most ⌈new events / page size⌉ + 1 requests.
    ///
    /// Nothing is remembered between calls: a sync that is interrupted or fails leaves the
    /// old state valid, and running it again delivers every new event exactly once.
    ///
    /// # Errors
    ///
    /// A final transport or decode error, or [`Error::CheckpointMismatch`] when `state`
    /// belongs to another lookup.
    pub async fn sync(&self, state: Option<&SyncState>) -> Result<SyncBatch, Error> {
        let progress = SyncProgress::from_state(state.cloned());
        let mut walk = self.sync_walk(Some(&progress))?;
        let mut events = Vec::new();
        let mut rate_limit = None;
        let mut state = state.cloned();
        while let Some(page) = walk.next().await? {
            rate_limit = page.rate_limit.or(rate_limit);
            events.extend(page.events);
            if page.complete {
                state = page.progress.state().cloned();
            }
        }
        let lookup = self.sync_lookup(None)?;
        let state = state.unwrap_or_else(|| SyncState::new(lookup, None));
        events.reverse();
        Ok(SyncBatch {
            events,
            state,
            requests: walk.requests(),
            rate_limit,
        })
    }

    /// The state as of now, without fetching the backlog: one request for the newest page
    /// (more only when the newest pages are empty but name a next one).
    /// Start a [`follow`](EventsRequest::follow) or a sync from it to get only what comes next.
    ///
    /// # Errors
    ///
    /// A final transport or decode error.
    pub async fn sync_state_now(&self) -> Result<SyncState, Error> {
        let lookup = self.sync_lookup(None)?;
        let mut request = self.clone();
        request.resume = None;
        request.start_token = None;
        request.direction = Direction::Older;
        let mut pager = Pager::new(request);
        // An empty page may still carry a `next_token` ("fewer results than max_results,
        // more may still exist"): follow it to the first page that holds events.
        let mut newest = None;
        while let Some(page) = pager.next().await {
            let page = page.map_err(crate::StreamError::into_error)?;
            newest = page
                .body()
                .data
                .iter()
                .map(|e| e.id.clone())
                .max_by_key(DmEventId::as_u64);
            if newest.is_some() {
                break;
            }
        }
        Ok(SyncState::new(lookup, newest))
    }
}
