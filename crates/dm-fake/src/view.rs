//! Ground truth for assertions: what the API would return, with every field.

use std::sync::Arc;

use serde_json::Value;

use crate::dataset::{Cursor, Scope};
use crate::dispatch::Shared;

/// One conversation of the dataset.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConversationInfo {
    /// The conversation id (`{low}-{high}` for 1-1, digits for groups).
    pub id: String,
    /// Whether it is a group.
    pub is_group: bool,
    /// Current participants' user ids (the authenticated user included).
    pub participants: Vec<String>,
    /// Live events in it.
    pub events: usize,
}

/// A live view of the server's dataset (each call reads the current state).
#[derive(Clone, Debug)]
pub struct DatasetView {
    shared: Arc<Shared>,
}

impl DatasetView {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }

    fn read<R>(&self, f: impl FnOnce(&crate::dataset::Store) -> R) -> R {
        let guard = self.shared.store.read().unwrap_or_else(|p| p.into_inner());
        f(&guard)
    }

    /// The authenticated user's id.
    pub fn me(&self) -> String {
        self.read(|s| s.me_id().to_string())
    }

    /// Every event of a scope, newest first, as JSON with every field
    /// (`All` covers the last 30 days; unknown scopes are empty).
    pub fn events(&self, scope: &Scope) -> Vec<Value> {
        self.read(|s| {
            let Some(conv) = s.scope_conv(scope) else {
                return Vec::new();
            };
            let page = s.page(conv, Cursor::Head, usize::MAX, 7);
            page.events
                .iter()
                .filter_map(|i| s.events.get(*i as usize))
                .map(|e| Value::Object(s.event_full(e)))
                .collect()
        })
    }

    /// The ids of [`DatasetView::events`], newest first.
    pub fn event_ids(&self, scope: &Scope) -> Vec<String> {
        self.read(|s| {
            let Some(conv) = s.scope_conv(scope) else {
                return Vec::new();
            };
            s.page(conv, Cursor::Head, usize::MAX, 7)
                .events
                .iter()
                .filter_map(|i| s.events.get(*i as usize))
                .map(|e| e.id.to_string())
                .collect()
        })
    }

    /// One event by id with every field, if it exists (and was not deleted).
    pub fn event(&self, id: &str) -> Option<Value> {
        let id: u64 = id.parse().ok()?;
        self.read(|s| {
            s.event_index(id)
                .and_then(|i| s.events.get(i as usize))
                .map(|e| Value::Object(s.event_full(e)))
        })
    }

    /// The conversations.
    pub fn conversations(&self) -> Vec<ConversationInfo> {
        self.read(|s| {
            s.convs
                .iter()
                .map(|c| ConversationInfo {
                    id: c.id.clone(),
                    is_group: c.group,
                    participants: c
                        .members
                        .iter()
                        .map(|m| s.user_id(*m).to_string())
                        .collect(),
                    events: c
                        .events
                        .iter()
                        .filter(|i| s.events.get(**i as usize).is_some_and(|e| !e.deleted))
                        .count(),
                })
                .collect()
        })
    }

    /// Every user profile with every field.
    pub fn users(&self) -> Vec<Value> {
        self.read(|s| {
            s.users
                .iter()
                .map(|u| Value::Object(u.profile.clone()))
                .collect()
        })
    }

    /// Ids of the Posts that render as a resource-not-found partial error.
    pub fn unavailable_tweets(&self) -> Vec<String> {
        self.read(|s| {
            s.tweets
                .iter()
                .filter(|t| !t.available)
                .map(|t| t.id.to_string())
                .collect()
        })
    }

    /// Number of live events (all history).
    pub fn len(&self) -> usize {
        self.read(|s| s.live_events())
    }

    /// Whether there are no live events.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Users whose DMs are blocked.
    pub fn blocked(&self) -> Vec<String> {
        self.read(|s| {
            let mut v: Vec<String> = s.blocked.iter().map(u64::to_string).collect();
            v.sort();
            v
        })
    }

    /// The whole dataset in the loadable JSON format.
    pub fn to_json(&self) -> Value {
        self.read(|s| s.export())
    }
}
