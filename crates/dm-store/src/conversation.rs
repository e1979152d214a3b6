//! Conversations, derived from the stored events: [`Conversation`] for readers, and the
//! per-batch [`Delta`] writers fold into the `conversations` table.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Deserialize;

use dm_model::{ConversationKind, DmConversationId, Timestamp, User, UserId};

use crate::error::Error;

use crate::StoredEvent;
use crate::batch::EventRow;

/// A conversation as the store knows it (from its stored events).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Conversation {
    /// Its id.
    pub id: DmConversationId,
    /// Everyone seen in it: both users of a one-to-one id, senders, and users who joined or
    /// left; ordered by id, with the stored user where there is one.
    pub participants: Vec<Participant>,
    /// Stored events of any type.
    pub events: u64,
    /// Stored messages (`MessageCreate`).
    pub messages: u64,
    /// The time of its earliest stored event that has one.
    pub first_at: Option<Timestamp>,
    /// The time of its latest stored event that has one.
    pub last_at: Option<Timestamp>,
    /// Its latest stored message, with its references.
    pub last_message: Option<StoredEvent>,
}

/// A user seen in a conversation.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Participant {
    /// The user id.
    pub id: UserId,
    /// The stored user (name, username, ...), when the store has it.
    pub user: Option<User>,
}

impl Participant {
    /// The handle (without `@`), when known.
    pub fn username(&self) -> Option<&str> {
        self.user.as_ref().and_then(|u| u.username.as_deref())
    }

    /// The display name, when known.
    pub fn name(&self) -> Option<&str> {
        self.user.as_ref().and_then(|u| u.name.as_deref())
    }
}

/// What a batch's new events add to one conversation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Delta {
    pub id: String,
    pub is_group: bool,
    pub first_seq: i64,
    pub last_seq: i64,
    pub first_time_ms: Option<i64>,
    pub last_time_ms: Option<i64>,
    pub events: i64,
    pub messages: i64,
    /// `(seq, id)` of the latest new message.
    pub last_message: Option<(i64, String)>,
    /// Participants the id does not already name (a one-to-one id names both users, so
    /// usually none there: nothing to write).
    pub participants: BTreeSet<String>,
    /// The users the id names.
    pub implied: Vec<String>,
}

/// The users a conversation id names: both users of a one-to-one id, none for a group.
pub(crate) fn implied_participants(conversation: &str) -> Vec<String> {
    match DmConversationId::parse(conversation).map(|c| c.kind()) {
        Ok(ConversationKind::OneToOne { low, high }) => vec![low.to_string(), high.to_string()],
        _ => Vec::new(),
    }
}

/// Folds newly stored events into one delta per conversation (events without a conversation
/// id belong to none).
pub(crate) fn deltas<'a>(new_events: impl IntoIterator<Item = &'a EventRow>) -> Vec<Delta> {
    let mut by_id: BTreeMap<&str, Delta> = BTreeMap::new();
    for e in new_events {
        let Some(conv) = e.conversation.as_deref() else {
            continue;
        };
        let d = by_id.entry(conv).or_insert_with(|| {
            let implied = implied_participants(conv);
            Delta {
                id: conv.to_owned(),
                is_group: implied.is_empty(),
                first_seq: e.seq,
                last_seq: e.seq,
                first_time_ms: None,
                last_time_ms: None,
                events: 0,
                messages: 0,
                last_message: None,
                participants: BTreeSet::new(),
                implied,
            }
        });
        d.first_seq = d.first_seq.min(e.seq);
        d.last_seq = d.last_seq.max(e.seq);
        if let Some(t) = e.time_ms {
            d.first_time_ms = Some(d.first_time_ms.map_or(t, |f| f.min(t)));
            d.last_time_ms = Some(d.last_time_ms.map_or(t, |l| l.max(t)));
        }
        d.events += 1;
        if e.is_message {
            d.messages += 1;
            if d.last_message.as_ref().is_none_or(|(s, _)| e.seq > *s) {
                d.last_message = Some((e.seq, e.id.clone()));
            }
        }
        for p in &e.people {
            if !d.implied.contains(p) {
                d.participants.insert(p.clone());
            }
        }
    }
    by_id.into_values().collect()
}

/// A time in milliseconds as a timestamp.
pub(crate) fn timestamp(ms: Option<i64>) -> Option<Timestamp> {
    let nanos = i128::from(ms?) * 1_000_000;
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .map(Timestamp::from_datetime)
}

/// A participant from its id and stored user JSON.
fn participant(user_id: &str, json: Option<&serde_json::Value>) -> Result<Participant, Error> {
    let id =
        UserId::parse(user_id).map_err(|e| Error::corrupt(format!("participant {user_id}"), e))?;
    let user = json
        .map(|j| User::deserialize(j).map_err(|e| Error::corrupt(format!("user {user_id}"), e)))
        .transpose()?;
    Ok(Participant { id, user })
}

/// A stored conversation row.
pub(crate) struct ConversationRow {
    pub id: String,
    pub events: i64,
    pub messages: i64,
    pub first_time_ms: Option<i64>,
    pub last_time_ms: Option<i64>,
    pub last_message_id: Option<String>,
}

/// The user ids the conversations of `rows` and the stored `members` (`(conversation, user
/// id)`) name, for fetching their users.
pub(crate) fn participant_ids(
    rows: &[ConversationRow],
    members: &[(String, String)],
) -> BTreeSet<String> {
    let mut ids: BTreeSet<String> = members.iter().map(|(_, u)| u.clone()).collect();
    for r in rows {
        ids.extend(implied_participants(&r.id));
    }
    ids
}

/// Conversations from their rows (in order), the stored participants `(conversation, user
/// id)` beyond those the ids name, the stored users (JSON by id) and the last messages by
/// event id.
pub(crate) fn build(
    rows: Vec<ConversationRow>,
    members: Vec<(String, String)>,
    users: &HashMap<String, serde_json::Value>,
    mut last: HashMap<String, StoredEvent>,
) -> Result<Vec<Conversation>, Error> {
    let mut by_conv: HashMap<String, BTreeSet<String>> = HashMap::new();
    for (conv, user_id) in members {
        by_conv.entry(conv).or_default().insert(user_id);
    }
    rows.into_iter()
        .map(|r| {
            let id = DmConversationId::parse(&r.id)
                .map_err(|e| Error::corrupt(format!("conversation {}", r.id), e))?;
            let mut ids = by_conv.remove(&r.id).unwrap_or_default();
            ids.extend(implied_participants(&r.id));
            let mut participants = ids
                .iter()
                .map(|u| participant(u, users.get(u)))
                .collect::<Result<Vec<_>, Error>>()?;
            participants.sort_by(|a, b| a.id.cmp(&b.id));
            Ok(Conversation {
                id,
                participants,
                events: r.events.max(0) as u64,
                messages: r.messages.max(0) as u64,
                first_at: timestamp(r.first_time_ms),
                last_at: timestamp(r.last_time_ms),
                last_message: r.last_message_id.and_then(|m| last.remove(&m)),
            })
        })
        .collect()
}
