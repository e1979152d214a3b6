//! [`Deduplicator`]: remembers the most recent deliveries, in bounded memory, so a
//! redelivery, a replay or a stream backfill is recognised and not delivered twice.

use std::collections::{HashSet, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};

use super::delivery::DeliveryKeys;
use crate::{DmEventId, UserId};

/// One identity a delivery can be recognised by.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DeliveryKey {
    /// An X Activity API `event_uuid`.
    Uuid(String),
    /// A DM event, for the user whose subscription delivered it.
    DmEvent {
        /// `filter.user_id` / `for_user_id`.
        for_user: Option<UserId>,
        /// The DM event id.
        id: DmEventId,
    },
    /// A replay job's completion.
    ReplayJob(String),
    /// An item without an id (typing, read): a hash of its kind, user and content.
    Content(u64),
}

impl DeliveryKey {
    /// The key of an item without an id: a hash of `kind`, `for_user` and the item's JSON.
    pub fn content(kind: &str, for_user: &str, item: &impl serde::Serialize) -> Self {
        let mut h = DefaultHasher::new();
        kind.hash(&mut h);
        for_user.hash(&mut h);
        serde_json::to_vec(item).unwrap_or_default().hash(&mut h);
        DeliveryKey::Content(h.finish())
    }
}

/// Remembers the keys of the last `capacity` keys seen (oldest forgotten first).
///
/// [`Deduplicator::first_time`] says whether a delivery is new (see [`DeliveryKeys`] for the
/// rule) and remembers its keys. Size the capacity to cover the longest window a
/// redelivery can come from: the stream backfills at most 5 minutes, webhook retries span
/// minutes, replays up to 24 hours.
///
/// ```
/// use dm_model::activity::{Delivery, Deduplicator};
///
/// let body = br#"{"data": {"event_uuid": "-3577827201104920132", "event_type": "post.create",
///                          "filter": {"user_id": "2244994945"}, "payload": {}}}"#;
/// let mut seen = Deduplicator::new(10_000);
/// let delivery = Delivery::parse(body)?;
/// assert!(seen.first_time(&delivery.keys()));
/// assert!(!seen.first_time(&delivery.keys()), "a redelivery is recognised");
/// # Ok::<(), dm_model::DecodeError>(())
/// ```
#[derive(Debug)]
pub struct Deduplicator {
    capacity: usize,
    order: VecDeque<DeliveryKey>,
    seen: HashSet<DeliveryKey>,
}

impl Deduplicator {
    /// Remembers up to `capacity` keys (at least 1).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Deduplicator {
            capacity,
            order: VecDeque::new(),
            seen: HashSet::new(),
        }
    }

    /// How many keys are remembered.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Whether a delivery with `keys` would be new (nothing is remembered).
    pub fn is_new(&self, keys: &DeliveryKeys) -> bool {
        let uuid_seen = keys.uuid.as_ref().is_some_and(|k| self.seen.contains(k));
        let items_seen = !keys.items.is_empty() && keys.items.iter().all(|k| self.seen.contains(k));
        !(uuid_seen || items_seen)
    }

    /// Whether a delivery with `keys` is new; remembers its keys either way. A delivery
    /// without any key is always new.
    pub fn first_time(&mut self, keys: &DeliveryKeys) -> bool {
        let new = self.is_new(keys);
        self.remember(keys);
        new
    }

    /// Remembers `keys` (forgetting the oldest beyond the capacity).
    pub fn remember(&mut self, keys: &DeliveryKeys) {
        for k in keys.uuid.iter().chain(&keys.items) {
            if self.seen.insert(k.clone()) {
                self.order.push_back(k.clone());
            }
        }
        while self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
    }

    /// Whether `key` is remembered.
    pub fn contains(&self, key: &DeliveryKey) -> bool {
        self.seen.contains(key)
    }
}
