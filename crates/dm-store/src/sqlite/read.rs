//! Reading from SQLite (blocking; called on the blocking pool).

use std::collections::HashMap;

use dm_model::{DmConversationId, Media, User};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use crate::account::Account;
use crate::conversation::{self, Conversation, ConversationRow};
use crate::error::Error;
use crate::media_files::{MediaFile, MediaRow, WANTED_RANK};
use crate::page::{EventPage, Page};
use crate::search::query::Terms;
use crate::search::{SearchHit, SearchQuery, hits};
use crate::stored::{EventJson, Found, Wanted, assemble, decode_events};
use crate::{AccountInfo, StoredEvent};

fn db(doing: &str) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |e| Error::db(doing, &e)
}

/// The id of `account`, when the store holds it.
pub(crate) fn account_id(conn: &Connection, account: &Account) -> Result<Option<i64>, Error> {
    conn.prepare_cached("SELECT id FROM accounts WHERE name = ?1")
        .and_then(|mut s| s.query_row([account.as_str()], |r| r.get(0)).optional())
        .map_err(db("looking up the account"))
}

/// The id of `account`, or [`Error::UnknownAccount`].
pub(crate) fn require_account(conn: &Connection, account: &Account) -> Result<i64, Error> {
    match account_id(conn, account)? {
        Some(id) => Ok(id),
        None => Err(Error::UnknownAccount {
            name: account.to_string(),
            known: known_accounts(conn)?,
        }),
    }
}

fn known_accounts(conn: &Connection) -> Result<String, Error> {
    let names: Vec<String> = conn
        .prepare("SELECT name FROM accounts ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(db("listing accounts"))?;
    Ok(if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    })
}

/// Every account with its event count.
pub(crate) fn accounts(conn: &Connection) -> Result<Vec<AccountInfo>, Error> {
    let rows: Vec<(String, i64)> = conn
        .prepare(
            "SELECT a.name, (SELECT count(*) FROM events e WHERE e.account = a.id)
             FROM accounts a ORDER BY a.name",
        )
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .map_err(db("listing accounts"))?;
    rows.into_iter()
        .map(|(name, events)| {
            Ok(AccountInfo {
                account: Account::new(&name)
                    .map_err(|e| Error::corrupt(format!("account {name}"), e))?,
                events: events.max(0) as u64,
            })
        })
        .collect()
}

/// Cursor `name` of `account`.
pub(crate) fn cursor(
    conn: &Connection,
    account: &Account,
    name: &str,
) -> Result<Option<Value>, Error> {
    match account_id(conn, account)? {
        Some(id) => cursor_by_id(conn, id, name),
        None => Ok(None),
    }
}

/// Cursor `name` of the account with id `id`.
pub(crate) fn cursor_by_id(conn: &Connection, id: i64, name: &str) -> Result<Option<Value>, Error> {
    let json: Option<String> = conn
        .prepare_cached("SELECT value FROM cursors WHERE account = ?1 AND name = ?2")
        .and_then(|mut s| s.query_row(params![id, name], |r| r.get(0)).optional())
        .map_err(db("reading a cursor"))?;
    json.map(|j| serde_json::from_str(&j).map_err(|e| Error::corrupt(format!("cursor {name}"), e)))
        .transpose()
}

/// Stored users, media and Posts among `wanted`.
fn fetch_objects(conn: &Connection, account: i64, wanted: &Wanted) -> Result<Found, Error> {
    let mut found = Found::default();
    for (kind, table, key, ids, map) in [
        ("user", "users", "id", &wanted.users, &mut found.users),
        (
            "media",
            "media",
            "media_key",
            &wanted.media,
            &mut found.media,
        ),
        ("post", "tweets", "id", &wanted.tweets, &mut found.tweets),
    ] {
        if ids.is_empty() {
            continue;
        }
        let list = serde_json::to_string(ids).map_err(|e| Error::Encode {
            what: "an id list".into(),
            reason: e.to_string(),
        })?;
        let sql = format!(
            "SELECT {key}, json FROM {table}
             WHERE account = ?1 AND {key} IN (SELECT value FROM json_each(?2))"
        );
        let rows: Vec<(String, String)> = conn
            .prepare_cached(&sql)
            .and_then(|mut s| {
                s.query_map(params![account, list], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect()
            })
            .map_err(db("reading stored objects"))?;
        for (id, json) in rows {
            Found::insert(map, kind, id, &json)?;
        }
    }
    Ok(found)
}

/// Events with the objects they reference.
pub(crate) fn hydrate(
    conn: &Connection,
    account: i64,
    rows: Vec<EventJson>,
) -> Result<Vec<StoredEvent>, Error> {
    let events = decode_events(&rows)?;
    let found = fetch_objects(conn, account, &Wanted::of(&events))?;
    events
        .into_iter()
        .zip(rows)
        .map(|(event, row)| assemble(event, &row, &found))
        .collect()
}

fn event_json(r: &rusqlite::Row<'_>) -> rusqlite::Result<EventJson> {
    Ok(EventJson {
        id: r.get(0)?,
        json: r.get(1)?,
        posts_spelling: r.get(2)?,
        source: r.get(3)?,
        archive: r.get(4)?,
    })
}

/// Events of `account` after `after` (order key, id), oldest first (the export's chunks).
pub(crate) fn events_after(
    conn: &Connection,
    account: i64,
    after: Option<crate::export::After>,
    limit: i64,
) -> Result<crate::export::Chunk, Error> {
    let (key, id) = after.unwrap_or((i64::MIN, String::new()));
    let rows: Vec<((i64, String), EventJson)> = conn
        .prepare_cached(
            "SELECT id, json, posts_spelling, source, archive, seq FROM events
             WHERE account = ?1 AND seq >= ?2 AND (seq > ?2 OR id > ?3)
             ORDER BY seq, id LIMIT ?4",
        )
        .and_then(|mut s| {
            s.query_map(params![account, key, id, limit], |r| {
                Ok(((r.get(5)?, r.get(0)?), event_json(r)?))
            })?
            .collect()
        })
        .map_err(db("exporting events"))?;
    let (seqs, rows): (Vec<(i64, String)>, Vec<EventJson>) = rows.into_iter().unzip();
    Ok(seqs
        .into_iter()
        .zip(hydrate(conn, account, rows)?)
        .collect())
}

/// One page of a conversation's events.
pub(crate) fn conversation_events(
    conn: &Connection,
    account: &Account,
    conversation: &DmConversationId,
    page: &Page,
) -> Result<EventPage, Error> {
    let acc = require_account(conn, account)?;
    let rows: Vec<EventJson> = conn
        .prepare_cached(
            "SELECT id, json, posts_spelling, source, archive FROM events
             WHERE account = ?1 AND conversation = ?2 AND seq >= ?3 AND (seq > ?3 OR id > ?4)
             ORDER BY seq, id LIMIT ?5",
        )
        .and_then(|mut s| {
            let (key, id) = page.after_key();
            s.query_map(
                params![acc, conversation.as_str(), key, id, i64::from(page.limit())],
                event_json,
            )?
            .collect()
        })
        .map_err(db("reading a conversation"))?;
    Ok(EventPage::new(hydrate(conn, acc, rows)?, page))
}

/// The conversations of `account`, most recent first.
pub(crate) fn conversations(
    conn: &Connection,
    account: &Account,
) -> Result<Vec<Conversation>, Error> {
    let acc = require_account(conn, account)?;
    let rows: Vec<ConversationRow> = conn
        .prepare_cached(
            "SELECT id, events, messages, first_time_ms, last_time_ms, last_message_id
             FROM conversations WHERE account = ?1 ORDER BY last_seq DESC, id",
        )
        .and_then(|mut s| {
            s.query_map([acc], |r| {
                Ok(ConversationRow {
                    id: r.get(0)?,
                    events: r.get(1)?,
                    messages: r.get(2)?,
                    first_time_ms: r.get(3)?,
                    last_time_ms: r.get(4)?,
                    last_message_id: r.get(5)?,
                })
            })?
            .collect()
        })
        .map_err(db("reading conversations"))?;
    let members: Vec<(String, String)> = conn
        .prepare_cached(
            "SELECT conversation, user_id FROM conversation_participants WHERE account = ?1",
        )
        .and_then(|mut s| {
            s.query_map([acc], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        })
        .map_err(db("reading conversation participants"))?;
    let wanted = Wanted {
        users: conversation::participant_ids(&rows, &members),
        ..Wanted::default()
    };
    let users = fetch_objects(conn, acc, &wanted)?.users;
    let last_ids: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.last_message_id.as_deref())
        .collect();
    let last = last_messages(conn, acc, &last_ids)?;
    conversation::build(rows, members, &users, last)
}

fn last_messages(
    conn: &Connection,
    acc: i64,
    ids: &[&str],
) -> Result<HashMap<String, StoredEvent>, Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let list = serde_json::to_string(ids).map_err(|e| Error::Encode {
        what: "an id list".into(),
        reason: e.to_string(),
    })?;
    let rows: Vec<EventJson> = conn
        .prepare_cached(
            "SELECT id, json, posts_spelling, source, archive FROM events
             WHERE account = ?1 AND id IN (SELECT value FROM json_each(?2))",
        )
        .and_then(|mut s| s.query_map(params![acc, list], event_json)?.collect())
        .map_err(db("reading last messages"))?;
    Ok(hydrate(conn, acc, rows)?
        .into_iter()
        .map(|s| (s.event.id.to_string(), s))
        .collect())
}

/// Full-text search.
pub(crate) fn search(
    conn: &Connection,
    account: &Account,
    query: &SearchQuery,
) -> Result<Vec<SearchHit>, Error> {
    let acc = require_account(conn, account)?;
    let terms = Terms::parse(query.text());
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let fts5 = terms.fts5();
    let limit = query.effective_limit();
    // The newest `window` matches are ranked (full-text rows are keyed by event time, see
    // `write::fts_key`: theirs are at or above `floor`); while the filters leave fewer hits
    // than the limit and older matches exist, the window widens, up to every match.
    let mut window = query.rank_window.map(i64::from);
    let rows = loop {
        let floor = match window {
            Some(n) => conn
                .prepare_cached(
                    "SELECT rowid FROM events_fts WHERE events_fts MATCH ?1
                     ORDER BY rowid DESC LIMIT 1 OFFSET ?2",
                )
                .and_then(|mut s| {
                    s.query_row(params![fts5, n.max(1) - 1], |r| r.get(0))
                        .optional()
                })
                .map_err(db("searching"))?,
            None => None,
        };
        let rows = ranked(conn, acc, query, &fts5, floor.unwrap_or(i64::MIN), limit)?;
        if floor.is_none() || rows.len() as i64 >= limit {
            break rows;
        }
        window = window.map(|n| n.saturating_mul(WIDEN));
    };
    // bm25 is lower-is-better (negative); flip it so higher is better.
    let (events, scores): (Vec<EventJson>, Vec<f64>) =
        rows.into_iter().map(|(e, rank)| (e, -rank)).unzip();
    Ok(hits(hydrate(conn, acc, events)?, scores, &terms))
}

/// How much the ranked window of a search grows when its filters leave too few hits.
const WIDEN: i64 = 8;

/// The best `limit` matches of `fts5` among those with a full-text key at or above `floor`,
/// filtered, with their bm25 (lower is better). The key's low 31 bits are the event's `pk`.
fn ranked(
    conn: &Connection,
    acc: i64,
    query: &SearchQuery,
    fts5: &str,
    floor: i64,
    limit: i64,
) -> Result<Vec<(EventJson, f64)>, Error> {
    conn.prepare_cached(
        "SELECT e.id, e.json, e.posts_spelling, e.source, e.archive, bm25(events_fts) AS rank
         FROM events_fts JOIN events e ON e.pk = (events_fts.rowid & 2147483647)
         WHERE events_fts MATCH ?1 AND events_fts.rowid >= ?7 AND e.account = ?2
           AND (?3 IS NULL OR e.sender = ?3)
           AND (?4 IS NULL OR e.conversation = ?4)
           AND (?5 IS NULL OR e.time_ms >= ?5)
           AND (?6 IS NULL OR e.time_ms < ?6)
         ORDER BY rank, e.seq DESC LIMIT ?8",
    )
    .and_then(|mut s| {
        s.query_map(
            params![
                fts5,
                acc,
                query.sender.as_ref().map(|s| s.as_str()),
                query.conversation.as_ref().map(|c| c.as_str()),
                query.since_ms(),
                query.until_ms(),
                floor,
                limit
            ],
            |r| Ok((event_json(r)?, r.get(5)?)),
        )?
        .collect()
    })
    .map_err(db("searching"))
}

/// The stored user with handle `username` (case-insensitive, without `@`).
pub(crate) fn find_user(
    conn: &Connection,
    account: &Account,
    username: &str,
) -> Result<Option<User>, Error> {
    let acc = require_account(conn, account)?;
    let json: Option<String> = conn
        .prepare_cached(
            "SELECT json FROM users WHERE account = ?1 AND username = ?2 COLLATE NOCASE
             ORDER BY updated_ms DESC LIMIT 1",
        )
        .and_then(|mut s| s.query_row(params![acc, username], |r| r.get(0)).optional())
        .map_err(db("looking up a user"))?;
    json.map(|j| {
        serde_json::from_str(&j).map_err(|e| Error::corrupt(format!("user @{username}"), e))
    })
    .transpose()
}

fn media_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MediaRow> {
    Ok(MediaRow {
        key: r.get(0)?,
        event_id: r.get(1)?,
        status: r.get(2)?,
        source: r.get(3)?,
        sha256: r.get(4)?,
        size: r.get(5)?,
        content_type: r.get(6)?,
        file: r.get(7)?,
        url: r.get(8)?,
        error: r.get(9)?,
    })
}

/// The media files of `account` (all, or only those `sync --media` wants), with the stored
/// media object of each.
pub(crate) fn media_files(
    conn: &Connection,
    account: &Account,
    wanted_only: bool,
) -> Result<Vec<(MediaFile, Option<Media>)>, Error> {
    let acc = require_account(conn, account)?;
    let rows: Vec<(MediaRow, Option<String>)> = conn
        .prepare_cached(
            "SELECT f.media_key, f.event_id, f.status, f.source, f.sha256, f.size,
                    f.content_type, f.file, f.url, f.error, m.json
             FROM media_files f LEFT JOIN media m
               ON m.account = f.account AND m.media_key = f.media_key
             WHERE f.account = ?1 AND f.rank <= ?2 ORDER BY f.media_key",
        )
        .and_then(|mut s| {
            let max_rank = if wanted_only { WANTED_RANK } else { i64::MAX };
            s.query_map(params![acc, max_rank], |r| Ok((media_row(r)?, r.get(10)?)))?
                .collect()
        })
        .map_err(db("reading media files"))?;
    rows.into_iter()
        .map(|(row, json)| {
            let media = json
                .map(|j| {
                    serde_json::from_str(&j)
                        .map_err(|e| Error::corrupt(format!("media {}", row.key), e))
                })
                .transpose()?;
            Ok((row.into_file(), media))
        })
        .collect()
}
