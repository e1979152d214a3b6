//! Writing to SQLite: accounts, and one batch in one `BEGIN IMMEDIATE` transaction.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::batch::{Applied, Batch, EventRow, Objects, is_derived, now_ms};
use crate::conversation::{Delta, deltas};
use crate::error::Error;

/// The id of `account`, creating it when missing.
pub(crate) fn ensure_account(conn: &mut Connection, account: &str) -> Result<i64, Error> {
    let doing = || format!("creating account {account}");
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| Error::db(doing(), &e))?;
    tx.execute(
        "INSERT INTO accounts (name, created_ms) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
        (account, now_ms()),
    )
    .map_err(|e| Error::db(doing(), &e))?;
    let id = tx
        .query_row("SELECT id FROM accounts WHERE name = ?1", [account], |r| {
            r.get(0)
        })
        .optional()
        .map_err(|e| Error::db(doing(), &e))?
        .ok_or_else(|| Error::corrupt(format!("account {account}"), "missing after insert"))?;
    tx.commit().map_err(|e| Error::db(doing(), &e))?;
    Ok(id)
}

/// Commits `batch` for account `account` in one transaction.
pub(crate) fn apply(conn: &mut Connection, account: i64, batch: &Batch) -> Result<Applied, Error> {
    let doing = "writing a batch";
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| Error::db(doing, &e))?;
    let now = now_ms();
    let mut applied = Applied::default();
    let new =
        insert_events(&tx, account, batch, now, &mut applied).map_err(|e| Error::db(doing, &e))?;
    applied.new_events = new.len() as u64;
    applied.existing_events = batch.events.len() as u64 - new.len() as u64 + batch.duplicates;
    media_files(&tx, account, batch, &new, now).map_err(|e| Error::db(doing, &e))?;
    for d in deltas(new.iter().map(|&i| &batch.events[i])) {
        upsert_conversation(&tx, account, &d).map_err(|e| Error::db(doing, &e))?;
    }
    applied.objects_written =
        upsert_objects(&tx, account, batch, now).map_err(|e| Error::db(doing, &e))?;
    if let Some((name, value)) = &batch.cursor {
        tx.execute(
            "INSERT INTO cursors (account, name, value, updated_ms) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (account, name) DO UPDATE SET value = excluded.value,
                 updated_ms = excluded.updated_ms",
            params![account, name, value, now],
        )
        .map_err(|e| Error::db(doing, &e))?;
        applied.cursor_saved = true;
    }
    #[cfg(feature = "test-hooks")]
    if let Some(marker) = &batch.pause_before_commit {
        crate::testing::pause_blocking(marker)?;
    }
    tx.commit()
        .map_err(|e| Error::db("committing a batch", &e))?;
    Ok(applied)
}

/// Inserts the events not stored yet (returns their indexes in `batch.events`); merges the
/// others (see `Batch::push_sourced`).
fn insert_events(
    tx: &Connection,
    account: i64,
    batch: &Batch,
    now: i64,
    applied: &mut Applied,
) -> rusqlite::Result<Vec<usize>> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO events (account, id, seq, conversation, sender, event_type, time_ms, text,
             json, posts_spelling, first_seen_ms, source, archive)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (account, id) DO NOTHING",
    )?;
    let mut index = tx.prepare_cached("INSERT INTO events_fts (rowid, doc) VALUES (?1, ?2)")?;
    // The API's JSON replaces JSON made from the archive or a real-time delivery (its archive record stays).
    let mut replace = tx.prepare_cached(
        "UPDATE events SET conversation = ?3, sender = ?4, event_type = ?5, time_ms = ?6,
             text = ?7, json = ?8, posts_spelling = ?9, source = ?10,
             archive = coalesce(archive, ?11)
         WHERE account = ?1 AND id = ?2 AND source IN ('archive', 'realtime')
         RETURNING pk",
    )?;
    let mut unindex = tx.prepare_cached("DELETE FROM events_fts WHERE rowid = ?1")?;
    let mut add_archive = tx.prepare_cached(
        "UPDATE events SET archive = ?3 WHERE account = ?1 AND id = ?2 AND archive IS NULL",
    )?;
    let mut new = Vec::new();
    for (i, e) in batch.events.iter().enumerate() {
        let EventRow {
            id,
            seq,
            conversation,
            sender,
            event_type,
            time_ms,
            text,
            json,
            posts_spelling,
            tokens,
            archive,
            ..
        } = e;
        let source = e.source(batch);
        let inserted = insert.execute(params![
            account,
            id,
            seq,
            conversation,
            sender,
            event_type,
            time_ms,
            text,
            json,
            posts_spelling,
            now,
            source,
            archive
        ])?;
        if inserted == 1 {
            if !tokens.is_empty() {
                let key = fts_key(tx.last_insert_rowid(), *seq)?;
                index.execute(params![key, tokens.join(" ")])?;
            }
            new.push(i);
            continue;
        }
        if !is_derived(source) {
            let replaced: Option<i64> = replace
                .query_row(
                    params![
                        account,
                        id,
                        conversation,
                        sender,
                        event_type,
                        time_ms,
                        text,
                        json,
                        posts_spelling,
                        source,
                        archive
                    ],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(pk) = replaced {
                // The same id, so the same order key: the same full-text row.
                let key = fts_key(pk, *seq)?;
                unindex.execute([key])?;
                if !tokens.is_empty() {
                    index.execute(params![key, tokens.join(" ")])?;
                }
                applied.replaced_archive += 1;
                continue;
            }
        }
        if archive.is_some() && add_archive.execute(params![account, id, archive])? == 1 {
            applied.archive_added += 1;
        }
    }
    Ok(new)
}

/// Bits of an event's `pk` in its full-text key (stores of up to 2^31 events).
const FTS_PK_BITS: u32 = 31;

/// The full-text rowid of the event `pk` with order key `seq` (schema step 4): the second of
/// the order key's snowflake time (from X's epoch) above the `pk`. Unique because `pk` is;
/// ordered by event time to the second. Ids from before snowflakes (and made-up small ids)
/// count as second 0, the oldest.
pub(crate) fn fts_key(pk: i64, seq: i64) -> rusqlite::Result<i64> {
    let pk = u64::try_from(pk)
        .ok()
        .filter(|pk| *pk < 1 << FTS_PK_BITS)
        .ok_or_else(|| {
            rusqlite::Error::ToSqlConversionFailure(
                format!("event number {pk} is past the 2^31 events search keys hold").into(),
            )
        })?;
    let snowflake_ms = (seq ^ i64::MIN) as u64 >> 22;
    let second = (snowflake_ms / 1000).min(u64::from(u32::MAX));
    Ok(((second << FTS_PK_BITS) | pk) as i64)
}

/// Records the media of the new events as pending, then the batch's media reports (a better
/// report replaces a worse one: see `MediaFile`).
fn media_files(
    tx: &Connection,
    account: i64,
    batch: &Batch,
    new: &[usize],
    now: i64,
) -> rusqlite::Result<()> {
    let mut upsert = tx.prepare_cached(
        "INSERT INTO media_files (account, media_key, event_id, status, rank, source, sha256,
             size, content_type, file, url, error, updated_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (account, media_key) DO UPDATE SET
             event_id = coalesce(excluded.event_id, event_id), status = excluded.status,
             rank = excluded.rank, source = excluded.source, sha256 = excluded.sha256,
             size = excluded.size, content_type = excluded.content_type, file = excluded.file,
             url = coalesce(excluded.url, url), error = excluded.error,
             updated_ms = excluded.updated_ms
         WHERE excluded.rank > rank OR (excluded.rank = 1 AND rank = 1)",
    )?;
    let pending = new.iter().flat_map(|&i| {
        let e = &batch.events[i];
        e.media_keys.iter().map(move |k| {
            crate::MediaFile::pending(k.clone(), dm_model::DmEventId::parse(&e.id).ok())
        })
    });
    for f in pending.chain(batch.media_files.iter().cloned()) {
        upsert.execute(params![
            account,
            f.key,
            f.event_id.as_ref().map(|i| i.as_str()),
            f.status.as_str(),
            f.rank(),
            f.source,
            f.sha256,
            f.size.map(|s| s as i64),
            f.content_type,
            f.file,
            f.url,
            f.error,
            now
        ])?;
    }
    Ok(())
}

fn upsert_conversation(tx: &Connection, account: i64, d: &Delta) -> rusqlite::Result<()> {
    let mut upsert = tx.prepare_cached(
        "INSERT INTO conversations (account, id, is_group, first_seq, last_seq, first_time_ms,
             last_time_ms, events, messages, last_message_seq, last_message_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (account, id) DO UPDATE SET
             first_seq = min(first_seq, excluded.first_seq),
             last_seq = max(last_seq, excluded.last_seq),
             first_time_ms = coalesce(min(first_time_ms, excluded.first_time_ms),
                                      first_time_ms, excluded.first_time_ms),
             last_time_ms = coalesce(max(last_time_ms, excluded.last_time_ms),
                                     last_time_ms, excluded.last_time_ms),
             events = events + excluded.events,
             messages = messages + excluded.messages,
             last_message_id = CASE
                 WHEN excluded.last_message_seq > coalesce(last_message_seq, -9223372036854775808)
                 THEN excluded.last_message_id ELSE last_message_id END,
             last_message_seq = CASE
                 WHEN excluded.last_message_seq > coalesce(last_message_seq, -9223372036854775808)
                 THEN excluded.last_message_seq ELSE last_message_seq END",
    )?;
    let (last_seq, last_id) = match &d.last_message {
        Some((s, id)) => (Some(*s), Some(id.as_str())),
        None => (None, None),
    };
    upsert.execute(params![
        account,
        d.id,
        d.is_group,
        d.first_seq,
        d.last_seq,
        d.first_time_ms,
        d.last_time_ms,
        d.events,
        d.messages,
        last_seq,
        last_id
    ])?;
    let mut member = tx.prepare_cached(
        "INSERT INTO conversation_participants (account, conversation, user_id)
         VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
    )?;
    for user in &d.participants {
        member.execute(params![account, d.id, user])?;
    }
    Ok(())
}

/// Upserts users, media and Posts (only rows whose JSON changed are written); returns how
/// many were written.
fn upsert_objects(tx: &Connection, account: i64, batch: &Batch, now: i64) -> rusqlite::Result<u64> {
    let mut written = 0;
    let mut users = tx.prepare_cached(
        "INSERT INTO users (account, id, name, username, json, updated_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (account, id) DO UPDATE SET name = excluded.name,
             username = excluded.username, json = excluded.json, updated_ms = excluded.updated_ms
         WHERE json IS NOT excluded.json AND NOT ?7",
    )?;
    for u in &batch.users.rows {
        written += users.execute(params![
            account, u.key, u.name, u.username, u.json, now, u.weak
        ])?;
    }
    for (table, key, objects) in [
        ("media", "media_key", &batch.media),
        ("tweets", "id", &batch.tweets),
    ] {
        written += upsert_plain(tx, table, key, account, objects, now)?;
    }
    Ok(written as u64)
}

fn upsert_plain(
    tx: &Connection,
    table: &str,
    key: &str,
    account: i64,
    objects: &Objects,
    now: i64,
) -> rusqlite::Result<usize> {
    let mut stmt = tx.prepare_cached(&format!(
        "INSERT INTO {table} (account, {key}, json, updated_ms) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (account, {key}) DO UPDATE SET json = excluded.json,
             updated_ms = excluded.updated_ms
         WHERE json IS NOT excluded.json AND NOT ?5"
    ))?;
    let mut written = 0;
    for o in &objects.rows {
        written += stmt.execute(params![account, o.key, o.json, now, o.weak])?;
    }
    Ok(written)
}
