//! Reading from PostgreSQL (on a pooled connection).

use std::collections::HashMap;

use deadpool_postgres::Object;
use dm_model::{DmConversationId, Media, User};
use serde_json::Value;
use tokio_postgres::Row;

use crate::account::Account;
use crate::conversation::{self, Conversation, ConversationRow};
use crate::error::Error;
use crate::media_files::{MediaFile, MediaRow, WANTED_RANK};
use crate::page::{EventPage, Page};
use crate::search::query::Terms;
use crate::search::{SearchHit, SearchQuery, hits};
use crate::stored::{EventJson, Found, Wanted, assemble, decode_events};
use crate::{AccountInfo, StoredEvent};

fn db(doing: &str) -> impl Fn(tokio_postgres::Error) -> Error + '_ {
    move |e| Error::db(doing, &e)
}

async fn query(
    c: &Object,
    doing: &str,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Vec<Row>, Error> {
    let stmt = c.prepare_cached(sql).await.map_err(db(doing))?;
    c.query(&stmt, params).await.map_err(db(doing))
}

/// The id of `account`, when the store holds it.
pub(crate) async fn account_id(c: &Object, account: &Account) -> Result<Option<i32>, Error> {
    let rows = query(
        c,
        "looking up the account",
        "SELECT id FROM xdm_accounts WHERE name = $1",
        &[&account.as_str()],
    )
    .await?;
    Ok(rows.first().map(|r| r.get(0)))
}

/// The id of `account`, or [`Error::UnknownAccount`].
pub(crate) async fn require_account(c: &Object, account: &Account) -> Result<i32, Error> {
    if let Some(id) = account_id(c, account).await? {
        return Ok(id);
    }
    let names: Vec<String> = query(
        c,
        "listing accounts",
        "SELECT name FROM xdm_accounts ORDER BY name",
        &[],
    )
    .await?
    .iter()
    .map(|r| r.get(0))
    .collect();
    Err(Error::UnknownAccount {
        name: account.to_string(),
        known: if names.is_empty() {
            "none".into()
        } else {
            names.join(", ")
        },
    })
}

/// Every account with its event count.
pub(crate) async fn accounts(c: &Object) -> Result<Vec<AccountInfo>, Error> {
    let rows = query(
        c,
        "listing accounts",
        "SELECT a.name, (SELECT count(*) FROM xdm_events e WHERE e.account = a.id)
         FROM xdm_accounts a ORDER BY a.name",
        &[],
    )
    .await?;
    rows.iter()
        .map(|r| {
            let name: String = r.get(0);
            let events: i64 = r.get(1);
            Ok(AccountInfo {
                account: Account::new(&name)
                    .map_err(|e| Error::corrupt(format!("account {name}"), e))?,
                events: events.max(0) as u64,
            })
        })
        .collect()
}

/// Cursor `name` of `account`.
pub(crate) async fn cursor(
    c: &Object,
    account: &Account,
    name: &str,
) -> Result<Option<Value>, Error> {
    match account_id(c, account).await? {
        Some(id) => cursor_by_id(c, id, name).await,
        None => Ok(None),
    }
}

/// Cursor `name` of the account with id `id`.
pub(crate) async fn cursor_by_id(
    c: &tokio_postgres::Client,
    id: i32,
    name: &str,
) -> Result<Option<Value>, Error> {
    let rows = c
        .query(
            "SELECT value FROM xdm_cursors WHERE account = $1 AND name = $2",
            &[&id, &name.replace('\0', "")],
        )
        .await
        .map_err(db("reading a cursor"))?;
    rows.first()
        .map(|r| {
            serde_json::from_str(r.get::<_, &str>(0))
                .map_err(|e| Error::corrupt(format!("cursor {name}"), e))
        })
        .transpose()
}

async fn fetch_objects(c: &Object, account: i32, wanted: &Wanted) -> Result<Found, Error> {
    let mut found = Found::default();
    for (kind, table, key, ids, map) in [
        ("user", "xdm_users", "id", &wanted.users, &mut found.users),
        (
            "media",
            "xdm_media",
            "media_key",
            &wanted.media,
            &mut found.media,
        ),
        (
            "post",
            "xdm_tweets",
            "id",
            &wanted.tweets,
            &mut found.tweets,
        ),
    ] {
        if ids.is_empty() {
            continue;
        }
        let list: Vec<&str> = ids.iter().map(String::as_str).collect();
        let sql = format!("SELECT {key}, json FROM {table} WHERE account = $1 AND {key} = ANY($2)");
        for row in query(c, "reading stored objects", &sql, &[&account, &list]).await? {
            Found::insert(map, kind, row.get(0), row.get(1))?;
        }
    }
    Ok(found)
}

/// Events with the objects they reference.
async fn hydrate(
    c: &Object,
    account: i32,
    rows: Vec<EventJson>,
) -> Result<Vec<StoredEvent>, Error> {
    let events = decode_events(&rows)?;
    let found = fetch_objects(c, account, &Wanted::of(&events)).await?;
    events
        .into_iter()
        .zip(rows)
        .map(|(event, row)| assemble(event, &row, &found))
        .collect()
}

fn event_json(r: &Row) -> EventJson {
    EventJson {
        id: r.get(0),
        json: r.get(1),
        posts_spelling: r.get(2),
        source: r.get(3),
        archive: r.get(4),
    }
}

/// Events of `account` with order key above `after`, oldest first.
pub(crate) async fn events_after(
    c: &Object,
    account: &Account,
    after: Option<crate::export::After>,
    limit: i64,
) -> Result<crate::export::Chunk, Error> {
    let acc = require_account(c, account).await?;
    let (key, id) = after.unwrap_or((i64::MIN, String::new()));
    let rows = query(
        c,
        "exporting events",
        "SELECT id, json, posts_spelling, source, archive, seq FROM xdm_events
         WHERE account = $1 AND seq >= $2 AND (seq > $2 OR id COLLATE \"C\" > $3)
         ORDER BY seq, id COLLATE \"C\" LIMIT $4",
        &[&acc, &key, &id, &limit],
    )
    .await?;
    let seqs: Vec<(i64, String)> = rows.iter().map(|r| (r.get(5), r.get(0))).collect();
    let events = hydrate(c, acc, rows.iter().map(event_json).collect()).await?;
    Ok(seqs.into_iter().zip(events).collect())
}

/// One page of a conversation's events.
pub(crate) async fn conversation_events(
    c: &Object,
    account: &Account,
    conversation: &DmConversationId,
    page: &Page,
) -> Result<EventPage, Error> {
    let acc = require_account(c, account).await?;
    let rows = query(
        c,
        "reading a conversation",
        "SELECT id, json, posts_spelling, source, archive FROM xdm_events
         WHERE account = $1 AND conversation = $2 AND seq >= $3 AND (seq > $3 OR id COLLATE \"C\" > $4)
         ORDER BY seq, id COLLATE \"C\" LIMIT $5",
        &[
            &acc,
            &conversation.as_str(),
            &page.after_key().0,
            &page.after_key().1,
            &i64::from(page.limit()),
        ],
    )
    .await?;
    let events = hydrate(c, acc, rows.iter().map(event_json).collect()).await?;
    Ok(EventPage::new(events, page))
}

/// The conversations of `account`, most recent first.
pub(crate) async fn conversations(
    c: &Object,
    account: &Account,
) -> Result<Vec<Conversation>, Error> {
    let acc = require_account(c, account).await?;
    let rows: Vec<ConversationRow> = query(
        c,
        "reading conversations",
        "SELECT id, events, messages, first_time_ms, last_time_ms, last_message_id
         FROM xdm_conversations WHERE account = $1 ORDER BY last_seq DESC, id",
        &[&acc],
    )
    .await?
    .iter()
    .map(|r| ConversationRow {
        id: r.get(0),
        events: r.get(1),
        messages: r.get(2),
        first_time_ms: r.get(3),
        last_time_ms: r.get(4),
        last_message_id: r.get(5),
    })
    .collect();
    let members: Vec<(String, String)> = query(
        c,
        "reading conversation participants",
        "SELECT conversation, user_id FROM xdm_conversation_participants WHERE account = $1",
        &[&acc],
    )
    .await?
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    let wanted = Wanted {
        users: conversation::participant_ids(&rows, &members),
        ..Wanted::default()
    };
    let users = fetch_objects(c, acc, &wanted).await?.users;
    let last_ids: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.last_message_id.as_deref())
        .collect();
    let mut last = HashMap::new();
    if !last_ids.is_empty() {
        let found = query(
            c,
            "reading last messages",
            "SELECT id, json, posts_spelling, source, archive FROM xdm_events
             WHERE account = $1 AND id = ANY($2)",
            &[&acc, &last_ids],
        )
        .await?;
        for s in hydrate(c, acc, found.iter().map(event_json).collect()).await? {
            last.insert(s.event.id.to_string(), s);
        }
    }
    conversation::build(rows, members, &users, last)
}

/// Full-text search.
pub(crate) async fn search(
    c: &Object,
    account: &Account,
    q: &SearchQuery,
) -> Result<Vec<SearchHit>, Error> {
    let acc = require_account(c, account).await?;
    let terms = Terms::parse(q.text());
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let rows = query(
        c,
        "searching",
        "SELECT e.id, e.json, e.posts_spelling, e.source, e.archive,
                ts_rank(e.search, q)::float8 AS score
         FROM xdm_events e, CAST($1::text AS tsquery) AS q
         WHERE e.account = $2 AND e.search @@ q
           AND ($3::text IS NULL OR e.sender = $3)
           AND ($4::text IS NULL OR e.conversation = $4)
           AND ($5::int8 IS NULL OR e.time_ms >= $5)
           AND ($6::int8 IS NULL OR e.time_ms < $6)
         ORDER BY score DESC, e.seq DESC LIMIT $7",
        &[
            &terms.tsquery(),
            &acc,
            &q.sender.as_ref().map(|s| s.as_str()),
            &q.conversation.as_ref().map(|c| c.as_str()),
            &q.since_ms(),
            &q.until_ms(),
            &q.effective_limit(),
        ],
    )
    .await?;
    let scores: Vec<f64> = rows.iter().map(|r| r.get(5)).collect();
    let events = hydrate(c, acc, rows.iter().map(event_json).collect()).await?;
    Ok(hits(events, scores, &terms))
}

/// The stored user with handle `username` (case-insensitive).
pub(crate) async fn find_user(
    c: &Object,
    account: &Account,
    username: &str,
) -> Result<Option<User>, Error> {
    let acc = require_account(c, account).await?;
    if username.contains('\0') {
        // No stored handle holds U+0000 (PostgreSQL text cannot).
        return Ok(None);
    }
    let rows = query(
        c,
        "looking up a user",
        "SELECT json FROM xdm_users WHERE account = $1 AND lower(username) = lower($2)
         ORDER BY updated_ms DESC LIMIT 1",
        &[&acc, &username],
    )
    .await?;
    rows.first()
        .map(|r| {
            serde_json::from_str(r.get::<_, &str>(0))
                .map_err(|e| Error::corrupt(format!("user @{username}"), e))
        })
        .transpose()
}

/// The media files of `account` (all, or only those `sync --media` wants), with the stored
/// media object of each.
pub(crate) async fn media_files(
    c: &Object,
    account: &Account,
    wanted_only: bool,
) -> Result<Vec<(MediaFile, Option<Media>)>, Error> {
    let acc = require_account(c, account).await?;
    let max_rank = if wanted_only { WANTED_RANK } else { i64::MAX };
    let rows = query(
        c,
        "reading media files",
        "SELECT f.media_key, f.event_id, f.status, f.source, f.sha256, f.size,
                f.content_type, f.file, f.url, f.error, m.json
         FROM xdm_media_files f LEFT JOIN xdm_media m
           ON m.account = f.account AND m.media_key = f.media_key
         WHERE f.account = $1 AND f.rank <= $2 ORDER BY f.media_key COLLATE \"C\"",
        &[&acc, &max_rank],
    )
    .await?;
    rows.iter()
        .map(|r| {
            let row = MediaRow {
                key: r.get(0),
                event_id: r.get(1),
                status: r.get(2),
                source: r.get(3),
                sha256: r.get(4),
                size: r.get(5),
                content_type: r.get(6),
                file: r.get(7),
                url: r.get(8),
                error: r.get(9),
            };
            let media = r
                .get::<_, Option<&str>>(10)
                .map(|j| {
                    serde_json::from_str(j)
                        .map_err(|e| Error::corrupt(format!("media {}", row.key), e))
                })
                .transpose()?;
            Ok((row.into_file(), media))
        })
        .collect()
}
