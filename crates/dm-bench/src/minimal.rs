//! Minimal hand-written structs: only what a consumer of a page needs (the floor for typed
//! decode, and what the raw baseline decodes into). Everything else is skipped by serde.

use serde::Deserialize;

/// A page: the events and the token of the next page.
#[derive(Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct MinimalPage {
    /// The events (absent on an empty page).
    #[serde(default)]
    pub data: Vec<MinimalEvent>,
    /// Pagination.
    #[serde(default)]
    pub meta: MinimalMeta,
}

/// An event: its id, type, text, sender, conversation and time, as plain strings.
#[derive(Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct MinimalEvent {
    /// The event id.
    pub id: String,
    /// `MessageCreate`, `ParticipantsJoin`, `ParticipantsLeave`, ...
    pub event_type: String,
    /// The message text.
    #[serde(default)]
    pub text: Option<String>,
    /// The sender's user id.
    #[serde(default)]
    pub sender_id: Option<String>,
    /// The conversation id.
    #[serde(default)]
    pub dm_conversation_id: Option<String>,
    /// RFC 3339 creation time.
    #[serde(default)]
    pub created_at: Option<String>,
}

/// Pagination.
#[derive(Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct MinimalMeta {
    /// Events on this page.
    #[serde(default)]
    pub result_count: u64,
    /// The token of the next page.
    #[serde(default)]
    pub next_token: Option<String>,
}
