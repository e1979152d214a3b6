//! Writing to PostgreSQL: one batch in one transaction, with array (`UNNEST`) statements.
//!
//! PostgreSQL `text` cannot hold U+0000: the indexed columns (`text`, `event_type`, `name`,
//! `username`), the source and cursor names drop it (the JSON, which escapes it, keeps it).

use std::collections::BTreeSet;

use tokio_postgres::Transaction;

use crate::batch::{Applied, Batch, Objects, is_derived, now_ms};
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
    posts_spelling, first_seen_ms, source, search, archive)
SELECT $1, u.id, u.seq, u.conversation, u.sender, u.event_type, u.time_ms, u.text, u.json,
    u.posts, $11, u.source, u.search::tsvector, u.archive
FROM UNNEST($2::text[], $3::int8[], $4::text[], $5::text[], $6::text[], $7::int8[], $8::text[],
    $9::text[], $10::bool[], $13::text[], $12::text[], $14::text[])
    AS u (id, seq, conversation, sender, event_type, time_ms, text, json, posts, search, source,
          archive)
ON CONFLICT (account, id) DO NOTHING
RETURNING id";

/// The API's JSON replaces JSON made from the archive or a real-time delivery or a real-time delivery (its archive record stays).
const REPLACE_ARCHIVE_EVENTS: &str = "
UPDATE xdm_events e SET conversation = u.conversation, sender = u.sender,
    event_type = u.event_type, time_ms = u.time_ms, text = u.text, json = u.json,
    posts_spelling = u.posts, source = u.source, search = u.search::tsvector,
    archive = coalesce(e.archive, u.archive)
FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::int8[], $7::text[], $8::text[],
    $9::bool[], $10::text[], $11::text[], $12::text[])
    AS u (id, conversation, sender, event_type, time_ms, text, json, posts, search, source, archive)
WHERE e.account = $1 AND e.id = u.id AND e.source IN ('archive', 'realtime')
RETURNING e.id";

/// The archive's record is added to a stored event that has none.
const ADD_ARCHIVE: &str = "
UPDATE xdm_events e SET archive = u.archive
FROM UNNEST($2::text[], $3::text[]) AS u (id, archive)
WHERE e.account = $1 AND e.id = u.id AND e.archive IS NULL
RETURNING e.id";

const UPSERT_MEDIA_FILES: &str = "
INSERT INTO xdm_media_files AS m (account, media_key, event_id, status, rank, source, sha256, size,
    content_type, file, url, error, updated_ms)
SELECT $1, u.k, u.event_id, u.status, u.rank, u.source, u.sha256, u.size, u.content_type, u.file,
    u.url, u.error, $13
FROM UNNEST($2::text[], $3::text[], $4::text[], $5::int8[], $6::text[], $7::text[], $8::int8[],
    $9::text[], $10::text[], $11::text[], $12::text[])
    AS u (k, event_id, status, rank, source, sha256, size, content_type, file, url, error)
ON CONFLICT (account, media_key) DO UPDATE SET
    event_id = coalesce(EXCLUDED.event_id, m.event_id), status = EXCLUDED.status,
    rank = EXCLUDED.rank, source = EXCLUDED.source, sha256 = EXCLUDED.sha256,
    size = EXCLUDED.size, content_type = EXCLUDED.content_type, file = EXCLUDED.file,
    url = coalesce(EXCLUDED.url, m.url), error = EXCLUDED.error, updated_ms = EXCLUDED.updated_ms
WHERE EXCLUDED.rank > m.rank OR (EXCLUDED.rank = 1 AND m.rank = 1)";

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
WHERE t.json IS DISTINCT FROM EXCLUDED.json AND NOT $7";

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
    let sources: Vec<String> = events.iter().map(|e| strip_nul(e.source(batch))).collect();
    let archives: Vec<Option<&str>> = events.iter().map(|e| e.archive.as_deref()).collect();
    let mut new_ids: BTreeSet<String> = BTreeSet::new();
    let mut applied = Applied::default();
    if !events.is_empty() {
        let rows = tx
            .query(
                INSERT_EVENTS,
                &[
                    &account, &ids, &seqs, &convs, &senders, &types, &times, &texts, &jsons,
                    &posts, &now, &sources, &search, &archives,
                ],
            )
            .await
            .map_err(db)?;
        new_ids = rows.iter().map(|r| r.get::<_, String>(0)).collect();
        // Merge the others (see `Batch::push_sourced`).
        let old: Vec<usize> = (0..events.len())
            .filter(|&i| !new_ids.contains(&events[i].id))
            .collect();
        let (api, _): (Vec<usize>, Vec<usize>) =
            old.iter().partition(|&&i| !is_derived(&sources[i]));
        let mut replaced: BTreeSet<String> = BTreeSet::new();
        if !api.is_empty() {
            let pick = |v: &dyn Fn(usize) -> Option<String>| -> Vec<Option<String>> {
                api.iter().map(|&i| v(i)).collect()
            };
            let rows = tx
                .query(
                    REPLACE_ARCHIVE_EVENTS,
                    &[
                        &account,
                        &pick(&|i| Some(ids[i].to_owned())),
                        &pick(&|i| convs[i].map(str::to_owned)),
                        &pick(&|i| senders[i].map(str::to_owned)),
                        &pick(&|i| Some(types[i].clone())),
                        &api.iter().map(|&i| times[i]).collect::<Vec<_>>(),
                        &pick(&|i| texts[i].clone()),
                        &pick(&|i| Some(jsons[i].to_owned())),
                        &api.iter().map(|&i| posts[i]).collect::<Vec<_>>(),
                        &pick(&|i| search[i].clone()),
                        &pick(&|i| Some(sources[i].clone())),
                        &pick(&|i| archives[i].map(str::to_owned)),
                    ],
                )
                .await
                .map_err(db)?;
            replaced = rows.iter().map(|r| r.get::<_, String>(0)).collect();
            applied.replaced_archive = replaced.len() as u64;
        }
        let (add_ids, add_archives): (Vec<&str>, Vec<&str>) = old
            .iter()
            .filter(|&&i| !replaced.contains(&events[i].id))
            .filter_map(|&i| archives[i].map(|a| (ids[i], a)))
            .unzip();
        if !add_ids.is_empty() {
            let rows = tx
                .query(ADD_ARCHIVE, &[&account, &add_ids, &add_archives])
                .await
                .map_err(db)?;
            applied.archive_added = rows.len() as u64;
        }
    }
    media_files(tx, account, batch, &new_ids, now)
        .await
        .map_err(db)?;
    let new_rows = events.iter().filter(|e| new_ids.contains(&e.id));
    for d in deltas(new_rows) {
        upsert_conversation(tx, account, &d).await.map_err(db)?;
    }
    applied.new_events = new_ids.len() as u64;
    applied.existing_events = (events.len() - new_ids.len()) as u64 + batch.duplicates;
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
    for weak in [false, true] {
        let users: Vec<_> = batch.users.rows.iter().filter(|u| u.weak == weak).collect();
        if users.is_empty() {
            continue;
        }
        let ids: Vec<&str> = users.iter().map(|u| u.key.as_str()).collect();
        let names: Vec<Option<String>> = users.iter().map(|u| no_nul(&u.name)).collect();
        let handles: Vec<Option<String>> = users.iter().map(|u| no_nul(&u.username)).collect();
        let jsons: Vec<&str> = users.iter().map(|u| u.json.as_str()).collect();
        written += tx
            .execute(
                UPSERT_USERS,
                &[&account, &ids, &names, &handles, &jsons, &now, &weak],
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
    let mut written = 0;
    for weak in [false, true] {
        let rows: Vec<_> = objects.rows.iter().filter(|o| o.weak == weak).collect();
        if rows.is_empty() {
            continue;
        }
        let keys: Vec<&str> = rows.iter().map(|o| o.key.as_str()).collect();
        let jsons: Vec<&str> = rows.iter().map(|o| o.json.as_str()).collect();
        let sql = format!(
            "INSERT INTO {table} AS t (account, {key}, json, updated_ms)
             SELECT $1, u.k, u.json, $4 FROM UNNEST($2::text[], $3::text[]) AS u (k, json)
             ON CONFLICT (account, {key}) DO UPDATE SET json = EXCLUDED.json,
                 updated_ms = EXCLUDED.updated_ms
             WHERE t.json IS DISTINCT FROM EXCLUDED.json AND NOT $5"
        );
        written += tx
            .execute(&sql, &[&account, &keys, &jsons, &now, &weak])
            .await?;
    }
    Ok(written)
}

/// Records the media of the new events as pending, then the batch's media reports.
async fn media_files(
    tx: &Transaction<'_>,
    account: i32,
    batch: &Batch,
    new_ids: &BTreeSet<String>,
    now: i64,
) -> Result<(), tokio_postgres::Error> {
    let pending = batch
        .events
        .iter()
        .filter(|e| new_ids.contains(&e.id))
        .flat_map(|e| {
            e.media_keys.iter().map(move |k| {
                crate::MediaFile::pending(k.clone(), dm_model::DmEventId::parse(&e.id).ok())
            })
        });
    // One report per key per statement (ON CONFLICT cannot touch a row twice): the best.
    let mut best: std::collections::BTreeMap<String, crate::MediaFile> = Default::default();
    for f in pending.chain(batch.media_files.iter().cloned()) {
        match best.get(&f.key) {
            Some(b) if b.rank() >= f.rank() && !(f.rank() == 1 && b.rank() == 1) => {}
            _ => {
                best.insert(f.key.clone(), f);
            }
        }
    }
    if best.is_empty() {
        return Ok(());
    }
    let files: Vec<_> = best.into_values().collect();
    let col = |f: &dyn Fn(&crate::MediaFile) -> Option<String>| -> Vec<Option<String>> {
        files.iter().map(f).collect()
    };
    tx.execute(
        UPSERT_MEDIA_FILES,
        &[
            &account,
            &col(&|f| Some(strip_nul(&f.key))),
            &col(&|f| f.event_id.as_ref().map(|i| i.to_string())),
            &col(&|f| Some(f.status.as_str().to_owned())),
            &files.iter().map(|f| f.rank()).collect::<Vec<i64>>(),
            &col(&|f| Some(strip_nul(&f.source))),
            &col(&|f| f.sha256.clone()),
            &files
                .iter()
                .map(|f| f.size.map(|s| s as i64))
                .collect::<Vec<Option<i64>>>(),
            &col(&|f| f.content_type.as_deref().map(strip_nul)),
            &col(&|f| f.file.clone()),
            &col(&|f| f.url.as_deref().map(strip_nul)),
            &col(&|f| f.error.as_deref().map(strip_nul)),
            &now,
        ],
    )
    .await?;
    Ok(())
}
