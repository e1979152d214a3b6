//! Writing to PostgreSQL: one batch in one transaction, with array (`UNNEST`) statements.
//!
//! PostgreSQL `text` cannot hold U+0000: the indexed columns (`text`, `event_type`, `name`,
//! `username`), the source and cursor names drop it (the JSON, which escapes it, keeps it).

use std::collections::BTreeSet;

use tokio_postgres::Transaction;

use crate::batch::{Applied, Batch, Objects, now_ms};
use crate::conversation::{Delta, deltas};
use crate::error::Error;
use crate::search::query::tsvector;

fn no_nul(s: &Option<String>) -> Option<String> {
    s.as_deref().map(strip_nul)
}

fn strip_nul(s: &str) -> String {
    s.replace('\0', "")
}

const INSERT_EVENTS: &str = "
INSERT INTO xdm_events (account, id, seq, conversation, sender, event_type, time_ms, text, json,
    posts_spelling, first_seen_ms, source, search)
SELECT $1, u.id, u.seq, u.conversation, u.sender, u.event_type, u.time_ms, u.text, u.json,
    u.posts, $11, $12, u.search::tsvector
FROM UNNEST($2::text[], $3::int8[], $4::text[], $5::text[], $6::text[], $7::int8[], $8::text[],
    $9::text[], $10::bool[], $13::text[])
    AS u (id, seq, conversation, sender, event_type, time_ms, text, json, posts, search)
ON CONFLICT (account, id) DO NOTHING
RETURNING id";

const UPSERT_CONVERSATION: &str = "
INSERT INTO xdm_conversations AS c (account, id, is_group, first_seq, last_seq, first_time_ms,
    last_time_ms, events, messages, last_message_seq, last_message_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (account, id) DO UPDATE SET
    first_seq = LEAST(c.first_seq, EXCLUDED.first_seq),
    last_seq = GREATEST(c.last_seq, EXCLUDED.last_seq),
    first_time_ms = LEAST(c.first_time_ms, EXCLUDED.first_time_ms),
    last_time_ms = GREATEST(c.last_time_ms, EXCLUDED.last_time_ms),
    events = c.events + EXCLUDED.events,
    messages = c.messages + EXCLUDED.messages,
    last_message_id = CASE WHEN EXCLUDED.last_message_seq > coalesce(c.last_message_seq, -9223372036854775808)
        THEN EXCLUDED.last_message_id ELSE c.last_message_id END,
    last_message_seq = CASE WHEN EXCLUDED.last_message_seq > coalesce(c.last_message_seq, -9223372036854775808)
        THEN EXCLUDED.last_message_seq ELSE c.last_message_seq END";

const INSERT_PARTICIPANTS: &str = "
INSERT INTO xdm_conversation_participants (account, conversation, user_id)
SELECT $1, u.conversation, u.user_id FROM UNNEST($2::text[], $3::text[]) AS u (conversation, user_id)
ON CONFLICT DO NOTHING";

const UPSERT_USERS: &str = "
INSERT INTO xdm_users AS t (account, id, name, username, json, updated_ms)
SELECT $1, u.id, u.name, u.username, u.json, $6
FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[]) AS u (id, name, username, json)
ON CONFLICT (account, id) DO UPDATE SET name = EXCLUDED.name, username = EXCLUDED.username,
    json = EXCLUDED.json, updated_ms = EXCLUDED.updated_ms
WHERE t.json IS DISTINCT FROM EXCLUDED.json";

const UPSERT_CURSOR: &str = "
INSERT INTO xdm_cursors (account, name, value, updated_ms) VALUES ($1, $2, $3, $4)
ON CONFLICT (account, name) DO UPDATE SET value = EXCLUDED.value, updated_ms = EXCLUDED.updated_ms";

/// Commits `batch` for account `account` in the transaction `tx` (the caller commits).
pub(crate) async fn apply(
    tx: &Transaction<'_>,
    account: i32,
    batch: &Batch,
) -> Result<Applied, Error> {
    let doing = "writing a batch";
    let db = |e: tokio_postgres::Error| Error::db(doing, &e);
    let now = now_ms();
    let events = &batch.events;
    let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    let convs: Vec<Option<&str>> = events.iter().map(|e| e.conversation.as_deref()).collect();
    let senders: Vec<Option<&str>> = events.iter().map(|e| e.sender.as_deref()).collect();
    let types: Vec<String> = events.iter().map(|e| strip_nul(&e.event_type)).collect();
    let times: Vec<Option<i64>> = events.iter().map(|e| e.time_ms).collect();
    let texts: Vec<Option<String>> = events.iter().map(|e| no_nul(&e.text)).collect();
    let jsons: Vec<&str> = events.iter().map(|e| e.json.as_str()).collect();
    let posts: Vec<bool> = events.iter().map(|e| e.posts_spelling).collect();
    let search: Vec<Option<String>> = events
        .iter()
        .map(|e| (!e.tokens.is_empty()).then(|| tsvector(&e.tokens)))
        .collect();
    let source = strip_nul(batch.source.as_deref().unwrap_or("api"));
    let mut new_ids: BTreeSet<String> = BTreeSet::new();
    if !events.is_empty() {
        let rows = tx
            .query(
                INSERT_EVENTS,
                &[
                    &account, &ids, &seqs, &convs, &senders, &types, &times, &texts, &jsons,
                    &posts, &now, &source, &search,
                ],
            )
            .await
            .map_err(db)?;
        new_ids = rows.iter().map(|r| r.get::<_, String>(0)).collect();
    }
    let new_rows = events.iter().filter(|e| new_ids.contains(&e.id));
    for d in deltas(new_rows) {
        upsert_conversation(tx, account, &d).await.map_err(db)?;
    }
    let mut applied = Applied {
        new_events: new_ids.len() as u64,
        existing_events: (events.len() - new_ids.len()) as u64 + batch.duplicates,
        ..Applied::default()
    };
    applied.objects_written = upsert_objects(tx, account, batch, now).await.map_err(db)?;
    if let Some((name, value)) = &batch.cursor {
        tx.execute(UPSERT_CURSOR, &[&account, &strip_nul(name), value, &now])
            .await
            .map_err(db)?;
        applied.cursor_saved = true;
    }
    Ok(applied)
}

async fn upsert_conversation(
    tx: &Transaction<'_>,
    account: i32,
    d: &Delta,
) -> Result<(), tokio_postgres::Error> {
    let (last_seq, last_id) = match &d.last_message {
        Some((s, id)) => (Some(*s), Some(id.as_str())),
        None => (None, None),
    };
    tx.execute(
        UPSERT_CONVERSATION,
        &[
            &account,
            &d.id,
            &d.is_group,
            &d.first_seq,
            &d.last_seq,
            &d.first_time_ms,
            &d.last_time_ms,
            &d.events,
            &d.messages,
            &last_seq,
            &last_id,
        ],
    )
    .await?;
    let convs: Vec<&str> = d.participants.iter().map(|_| d.id.as_str()).collect();
    let users: Vec<&str> = d.participants.iter().map(String::as_str).collect();
    tx.execute(INSERT_PARTICIPANTS, &[&account, &convs, &users])
        .await?;
    Ok(())
}

async fn upsert_objects(
    tx: &Transaction<'_>,
    account: i32,
    batch: &Batch,
    now: i64,
) -> Result<u64, tokio_postgres::Error> {
    let mut written = 0;
    let users = &batch.users.rows;
    if !users.is_empty() {
        let ids: Vec<&str> = users.iter().map(|u| u.key.as_str()).collect();
        let names: Vec<Option<String>> = users.iter().map(|u| no_nul(&u.name)).collect();
        let handles: Vec<Option<String>> = users.iter().map(|u| no_nul(&u.username)).collect();
        let jsons: Vec<&str> = users.iter().map(|u| u.json.as_str()).collect();
        written += tx
            .execute(
                UPSERT_USERS,
                &[&account, &ids, &names, &handles, &jsons, &now],
            )
            .await?;
    }
    for (table, key, objects) in [
        ("xdm_media", "media_key", &batch.media),
        ("xdm_tweets", "id", &batch.tweets),
    ] {
        written += upsert_plain(tx, table, key, account, objects, now).await?;
    }
    Ok(written)
}

async fn upsert_plain(
    tx: &Transaction<'_>,
    table: &str,
    key: &str,
    account: i32,
    objects: &Objects,
    now: i64,
) -> Result<u64, tokio_postgres::Error> {
    if objects.rows.is_empty() {
        return Ok(0);
    }
    let keys: Vec<&str> = objects.rows.iter().map(|o| o.key.as_str()).collect();
    let jsons: Vec<&str> = objects.rows.iter().map(|o| o.json.as_str()).collect();
    let sql = format!(
        "INSERT INTO {table} AS t (account, {key}, json, updated_ms)
         SELECT $1, u.k, u.json, $4 FROM UNNEST($2::text[], $3::text[]) AS u (k, json)
         ON CONFLICT (account, {key}) DO UPDATE SET json = EXCLUDED.json,
             updated_ms = EXCLUDED.updated_ms
         WHERE t.json IS DISTINCT FROM EXCLUDED.json"
    );
    tx.execute(&sql, &[&account, &keys, &jsons, &now]).await
}
