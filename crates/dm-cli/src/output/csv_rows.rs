//! CSV rows: one event per row, a fixed set of columns.

use dm_model::{DmEvent, Includes};

/// The header row.
pub(crate) const HEADER: [&str; 10] = [
    "id",
    "created_at",
    "event_type",
    "dm_conversation_id",
    "sender_id",
    "sender_username",
    "participant_ids",
    "text",
    "media_keys",
    "referenced_tweet_ids",
];

/// The row of one event; lists are space-separated.
pub(crate) fn row(e: &DmEvent, includes: &Includes) -> [String; 10] {
    let join = |items: Vec<String>| items.join(" ");
    [
        e.id.to_string(),
        e.created_at
            .as_ref()
            .map(|t| t.as_str().to_owned())
            .unwrap_or_default(),
        e.event_type.to_string(),
        e.dm_conversation_id
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        e.sender_id
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        includes
            .sender_of(e)
            .and_then(|u| u.username.clone())
            .unwrap_or_default(),
        join(e.participant_ids.iter().map(ToString::to_string).collect()),
        e.text.clone().unwrap_or_default(),
        join(e.media_keys().iter().map(ToString::to_string).collect()),
        join(
            e.referenced_tweets
                .iter()
                .map(|r| r.id.to_string())
                .collect(),
        ),
    ]
}
