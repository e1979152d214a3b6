//! [`Page`] and [`EventPage`]: keyset paging over a conversation's events, oldest first.

use dm_model::DmEventId;

use crate::StoredEvent;
use crate::batch::order_key;

/// The default page size.
pub const DEFAULT_PAGE: u32 = 100;
/// The largest page.
pub const MAX_PAGE: u32 = 10_000;

/// Which events to read: up to `limit`, oldest first, after an event (exclusive).
///
/// ```
/// use dm_store::Page;
/// let first = Page::first(50);
/// assert_eq!(first.limit(), 50);
/// assert!(Page::first(0).limit() > 0);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    after: Option<DmEventId>,
    limit: u32,
}

impl Default for Page {
    fn default() -> Self {
        Page::first(DEFAULT_PAGE)
    }
}

impl Page {
    /// The oldest `limit` events (0 means [`DEFAULT_PAGE`]; capped at [`MAX_PAGE`]).
    pub fn first(limit: u32) -> Self {
        Page { after: None, limit }
    }

    /// The `limit` events after event `id` (in id order, which is time order).
    pub fn after(id: DmEventId, limit: u32) -> Self {
        Page {
            after: Some(id),
            limit,
        }
    }

    /// The page size.
    pub fn limit(&self) -> u32 {
        match self.limit {
            0 => DEFAULT_PAGE,
            n => n.min(MAX_PAGE),
        }
    }

    /// The event the page starts after.
    pub fn after_id(&self) -> Option<&DmEventId> {
        self.after.as_ref()
    }

    /// The (order key, id) to start after (`(i64::MIN, "")`: from the start).
    pub(crate) fn after_key(&self) -> (i64, String) {
        match &self.after {
            Some(id) => (order_key(id), id.to_string()),
            None => (i64::MIN, String::new()),
        }
    }
}

/// One page of events and how to ask for the next.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct EventPage {
    /// The events, oldest first, with their references.
    pub events: Vec<StoredEvent>,
    /// The next page, when this one was full (it may turn out empty).
    pub next: Option<Page>,
}

impl EventPage {
    pub(crate) fn new(events: Vec<StoredEvent>, page: &Page) -> Self {
        let next = match events.last() {
            Some(last) if events.len() >= page.limit() as usize => {
                Some(Page::after(last.event.id.clone(), page.limit))
            }
            _ => None,
        };
        EventPage { events, next }
    }
}
