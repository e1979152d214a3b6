//! The store scenarios (`dm-bench-store`, the `store` group of `cargo xtask bench`): ingest
//! into SQLite with full-text search against a floor of plain inserts of the same JSON with
//! the same driver, search latency over a large store, the store's size against the JSONL
//! archive, and PostgreSQL with several writers.
//!
//! The events come from the sandbox (`dm-fake`), paged in-process through the real client
//! with every field and expansion, 100 per page: a batch is one page, as `xdm sync --db`
//! applies them.

use std::path::Path;
use std::time::{Duration, Instant};

use dm_fake::FakeServer;
use dm_model::record::RecordWriter;
use dm_model::{DmEvent, Includes};
use dm_store::{Account, Batch, SearchQuery, Store};
use dm_stream::{Client, Page};
use futures::TryStreamExt;

use crate::error::BenchError;

/// One page of events, as the store gets it.
pub struct PageData {
    /// The events, with their JSON text (for the floor).
    pub events: Vec<(DmEvent, String)>,
    /// The page's includes.
    pub includes: Includes,
}

fn err(e: impl std::fmt::Display) -> BenchError {
    BenchError::Request(e.to_string())
}

/// A sandbox with `events` events (seed `seed`) and a client for it.
pub async fn sandbox(seed: u64, events: usize) -> Result<(FakeServer, Client), BenchError> {
    let server = FakeServer::builder()
        .seed(seed)
        .events(events)
        .start()
        .await
        .map_err(err)?;
    let client = Client::builder()
        .base_url(server.base_url())
        .bearer_token(server.token())
        .page_size(crate::lookup::PAGE_SIZE)
        .build()
        .map_err(err)?;
    Ok((server, client))
}

fn page_data(page: &Page) -> Result<PageData, BenchError> {
    let events = page
        .events()
        .map(|e| {
            let event = e.event().clone();
            serde_json::to_string(&event)
                .map(|json| (event, json))
                .map_err(err)
        })
        .collect::<Result<_, _>>()?;
    Ok(PageData {
        events,
        includes: page.includes().clone(),
    })
}

/// Every page of the all-events lookup of `client`'s sandbox, in memory.
pub async fn pages(client: &Client) -> Result<Vec<PageData>, BenchError> {
    let mut stream = client.all_events().all_fields().pages();
    let mut out = Vec::new();
    while let Some(page) = stream.try_next().await.map_err(err)? {
        out.push(page_data(&page)?);
    }
    Ok(out)
}

fn batch(page: &PageData) -> Result<Batch, BenchError> {
    let mut batch = Batch::new();
    for (event, _) in &page.events {
        batch.push(event, &page.includes).map_err(err)?;
    }
    Ok(batch)
}

/// Applies every page to `store` (one writer, one batch per page): the time it took.
pub async fn ingest(
    store: &Store,
    account: &Account,
    pages: &[PageData],
) -> Result<Duration, BenchError> {
    let start = Instant::now();
    let mut writer = store
        .writer(account, Duration::from_secs(30))
        .await
        .map_err(err)?;
    for page in pages {
        writer.apply(batch(page)?).await.map_err(err)?;
    }
    Ok(start.elapsed())
}

/// The floor: the same events' JSON text inserted into one plain table of a new SQLite file
/// (WAL, `synchronous = NORMAL`, as the store), one transaction per page, with the same
/// driver: the time it took.
pub fn floor(path: &Path, pages: &[PageData]) -> Result<Duration, BenchError> {
    let mut conn = rusqlite::Connection::open(path).map_err(err)?;
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))
        .map_err(err)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(err)?;
    conn.execute_batch("CREATE TABLE events (pk INTEGER PRIMARY KEY, json TEXT NOT NULL)")
        .map_err(err)?;
    let start = Instant::now();
    for page in pages {
        let tx = conn.transaction().map_err(err)?;
        {
            let mut insert = tx
                .prepare_cached("INSERT INTO events (json) VALUES (?1)")
                .map_err(err)?;
            for (_, json) in &page.events {
                insert.execute([json]).map_err(err)?;
            }
        }
        tx.commit().map_err(err)?;
    }
    Ok(start.elapsed())
}

/// Bytes per event of the JSONL archive `xdm` writes for these pages (a record per line).
pub fn jsonl_bytes(pages: &[PageData]) -> u64 {
    let mut records = RecordWriter::new();
    let mut line = Vec::new();
    let mut total = 0u64;
    for page in pages {
        for (event, _) in &page.events {
            line.clear();
            records.write(event, &page.includes, &mut line);
            total += line.len() as u64 + 1;
        }
    }
    total
}

/// The size of an SQLite store on disk, after a checkpoint folded its WAL in.
pub fn sqlite_bytes(path: &Path) -> Result<u64, BenchError> {
    let conn = rusqlite::Connection::open(path).map_err(err)?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .map_err(err)?;
    drop(conn);
    let mut total = std::fs::metadata(path).map_err(err)?.len();
    for suffix in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        total += std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
    }
    Ok(total)
}

/// Streams every page of `client`'s lookup into `store` (a batch per page) without keeping
/// them: events applied and the time it took.
pub async fn stream_into(
    client: &Client,
    store: &Store,
    account: &Account,
) -> Result<(u64, Duration), BenchError> {
    let start = Instant::now();
    let mut writer = store
        .writer(account, Duration::from_secs(30))
        .await
        .map_err(err)?;
    let mut stream = client.all_events().all_fields().pages();
    let mut n = 0u64;
    while let Some(page) = stream.try_next().await.map_err(err)? {
        let mut batch = Batch::new();
        for e in page.events() {
            batch.push(e.event(), e.includes()).map_err(err)?;
        }
        n += writer.apply(batch).await.map_err(err)?.new_events;
    }
    Ok((n, start.elapsed()))
}

/// Twenty varied searches over the sandbox's texts: frequent and rare words, phrases,
/// numbers, emoji, other scripts, diacritics, filters, and one that finds nothing.
pub async fn queries(
    store: &Store,
    account: &Account,
) -> Result<Vec<(String, SearchQuery)>, BenchError> {
    // A sender, a conversation and a day from the store itself, for the filters.
    let conversations = store.conversations(account).await.map_err(err)?;
    let busiest = conversations
        .iter()
        .max_by_key(|c| c.events)
        .ok_or_else(|| err("an empty store"))?;
    let conversation = busiest.id.clone();
    let sender = busiest
        .last_message
        .as_ref()
        .and_then(|m| m.event.sender_id.clone())
        .ok_or_else(|| err("no sender"))?;
    let last = busiest
        .last_at
        .as_ref()
        .map(|t| t.datetime())
        .ok_or_else(|| err("no time"))?;
    let week_before = last - time::Duration::days(7);
    let day_before = last - time::Duration::days(1);
    let q = |s: &str| SearchQuery::new(s);
    Ok(vec![
        ("café".into(), q("café")),
        ("\"ship it\"".into(), q("\"ship it\"")),
        ("meetup thursday".into(), q("meetup thursday")),
        ("#rustlang".into(), q("rustlang")),
        ("14:30".into(), q("14:30")),
        ("ticket 4242".into(), q("ticket 4242")),
        ("lorem ipsum".into(), q("lorem ipsum")),
        ("здравствуйте".into(), q("здравствуйте")),
        ("日本語のメッセージです".into(), q("日本語のメッセージです")),
        ("🚀".into(), q("🚀")),
        ("☕ --from".into(), q("☕").sender(sender.clone())),
        ("github pull 12345".into(), q("github pull 12345")),
        ("docs x com".into(), q("docs x com")),
        ("\"curly quotes\"".into(), q("\"curly quotes\"")),
        (
            "guillemets --conversation".into(),
            q("guillemets").conversation(conversation.clone()),
        ),
        ("combining (é)".into(), q("combining e")),
        (
            "hello --since --until".into(),
            q("hello").since(week_before).until(day_before),
        ),
        ("family emoji".into(), q("family emoji")),
        (
            "backslash html ampersand".into(),
            q("backslash html ampersand"),
        ),
        ("zzqxw (no match)".into(), q("zzqxw")),
    ])
}

/// Runs each query `rounds` times: every latency in seconds, and the hits of each query.
pub async fn search_latencies(
    store: &Store,
    account: &Account,
    queries: &[(String, SearchQuery)],
    rounds: usize,
) -> Result<(Vec<f64>, Vec<usize>), BenchError> {
    let mut latencies = Vec::new();
    let mut hits = vec![0; queries.len()];
    for _ in 0..rounds {
        for (i, (_, query)) in queries.iter().enumerate() {
            let start = Instant::now();
            let found = store.search(account, query).await.map_err(err)?;
            latencies.push(start.elapsed().as_secs_f64());
            hits[i] = found.len();
        }
    }
    Ok((latencies, hits))
}
