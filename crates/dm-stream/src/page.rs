//! [`Page`] and [`ResolvedEvent`]: what the streams yield.
//!
//! A page is decoded once and shared (`Arc`); an event is a handle into its page, so
//! resolving a sender, media or a referenced Post from `includes` copies nothing.

use std::sync::Arc;

use dm_model::{DmEvent, DmEventsPage, Includes, Media, Problem, Tweet, User};
use dm_transport::RateLimit;

use crate::checkpoint::{Checkpoint, Direction};

/// One page as the API sent it, with the events this stream delivers from it.
#[derive(Clone, Debug)]
pub struct Page {
    pub(crate) inner: Arc<PageInner>,
}

#[derive(Debug)]
pub(crate) struct PageInner {
    pub(crate) body: DmEventsPage,
    /// Indices into `body.data` of the events delivered, in delivery order.
    pub(crate) visible: Vec<u32>,
    /// The token this page was fetched with (`None`: the head).
    pub(crate) token: Option<String>,
    /// Where the stream stands after this page.
    pub(crate) checkpoint: Checkpoint,
    pub(crate) rate_limit: Option<RateLimit>,
}

impl Page {
    /// The decoded body: `data`, `includes`, `meta` and partial `errors`, as sent.
    pub fn body(&self) -> &DmEventsPage {
        &self.inner.body
    }

    /// The events this stream delivers from this page, in delivery order, each with its
    /// references resolved. Events already delivered (before a resume, or repeated by a
    /// shifting page) are left out.
    pub fn events(&self) -> impl ExactSizeIterator<Item = ResolvedEvent> + '_ {
        (0..self.inner.visible.len()).map(move |pos| ResolvedEvent {
            page: Arc::clone(&self.inner),
            pos: pos as u32,
        })
    }

    /// How many events [`Page::events`] yields.
    pub fn len(&self) -> usize {
        self.inner.visible.len()
    }

    /// Whether this page delivers no event (an empty page, or one holding only events
    /// already delivered).
    pub fn is_empty(&self) -> bool {
        self.inner.visible.is_empty()
    }

    /// The objects the page's events reference.
    pub fn includes(&self) -> &Includes {
        &self.inner.body.includes
    }

    /// The partial errors beside the data (e.g. a referenced Post that is unavailable).
    pub fn errors(&self) -> &[Problem] {
        &self.inner.body.errors
    }

    /// The pagination token this page was fetched with (`None`: the newest page).
    pub fn token(&self) -> Option<&str> {
        self.inner.token.as_deref()
    }

    /// Where the stream stands after this page: resuming from it continues with the next.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.inner.checkpoint
    }

    /// The rate-limit state the response reported.
    pub fn rate_limit(&self) -> Option<&RateLimit> {
        self.inner.rate_limit.as_ref()
    }
}

/// A DM event with what it references resolved from its page's `includes`.
///
/// Cheap to clone (a shared handle to the page). [`ResolvedEvent::checkpoint`] resumes a
/// stream exactly after this event.
#[derive(Clone)]
pub struct ResolvedEvent {
    page: Arc<PageInner>,
    pos: u32,
}

impl std::fmt::Debug for ResolvedEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResolvedEvent")
            .field("event", self.event())
            .finish_non_exhaustive()
    }
}

impl ResolvedEvent {
    fn index(&self) -> usize {
        self.page.visible[self.pos as usize] as usize
    }

    /// The event as the API sent it (every field, unknown ones included).
    pub fn event(&self) -> &DmEvent {
        &self.page.body.data[self.index()]
    }

    /// The sender of a message, or who invited the participants of a join (needs
    /// `expansions=sender_id`).
    pub fn sender(&self) -> Option<&User> {
        let id = self.event().sender_id.as_ref()?;
        self.page.body.includes.user(id)
    }

    /// The users who joined or left (needs `expansions=participant_ids`); ids without a
    /// user object in `includes` are skipped.
    pub fn participants(&self) -> impl Iterator<Item = &User> + '_ {
        let includes = &self.page.body.includes;
        self.event()
            .participant_ids
            .iter()
            .filter_map(move |id| includes.user(id))
    }

    /// The attached media (needs `expansions=attachments.media_keys`).
    pub fn media(&self) -> impl Iterator<Item = &Media> + '_ {
        let includes = &self.page.body.includes;
        self.event()
            .media_keys()
            .iter()
            .filter_map(move |key| includes.media(key))
    }

    /// The Posts shared in the message (needs `expansions=referenced_tweets.id`); a Post the
    /// API could not return is absent here and described in [`ResolvedEvent::page_errors`].
    pub fn referenced_tweets(&self) -> impl Iterator<Item = &Tweet> + '_ {
        let includes = &self.page.body.includes;
        self.event()
            .referenced_tweets
            .iter()
            .filter_map(move |r| includes.tweet(&r.id))
    }

    /// The page's `includes`, for anything else.
    pub fn includes(&self) -> &Includes {
        &self.page.body.includes
    }

    /// The partial errors of this event's page.
    pub fn page_errors(&self) -> &[Problem] {
        &self.page.body.errors
    }

    /// The page this event came from.
    pub fn page(&self) -> Page {
        Page {
            inner: Arc::clone(&self.page),
        }
    }

    /// A checkpoint from which a new stream resumes exactly after this event.
    pub fn checkpoint(&self) -> Checkpoint {
        if self.pos as usize + 1 == self.page.visible.len() {
            // The last event of its page: resume with the next page.
            let mut cp = self.page.checkpoint.clone();
            cp.after = Some(self.event().id.clone());
            return cp;
        }
        Checkpoint {
            version: Checkpoint::VERSION,
            lookup: self.page.checkpoint.lookup.clone(),
            direction: self.page.checkpoint.direction,
            token: self.page.token.clone(),
            after: Some(self.event().id.clone()),
            done: false,
        }
    }

    /// Whether this stream walks towards older events (the default) or newer ones.
    pub fn direction(&self) -> Direction {
        self.page.checkpoint.direction
    }
}
