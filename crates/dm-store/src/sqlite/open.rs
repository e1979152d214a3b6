//! Opening an SQLite store: refuse what is not ours before writing anything, then migrate.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};

use crate::batch::now_ms;
use crate::error::Error;
use crate::schema::{self, VERSION, sqlite as ddl};

/// How long a statement waits for another connection's write lock.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

const HEADER: &[u8; 16] = b"SQLite format 3\0";

/// WAL pages (of 4 KiB) between automatic checkpoints.
const WAL_AUTOCHECKPOINT_PAGES: i64 = 10_000;

/// How much of the file SQLite reads through a memory map (SQLite caps it at its compile-time
/// maximum). A search ranks its matches and looks each one up in `events`: with `read()` per
/// page that was 2.5x slower on a 300,000-event store (68 ms vs 26 ms for a word in 11,000
/// messages; docs/benchmarks.md).
const MMAP_SIZE: i64 = 1 << 32;

fn open_error(path: &Path, e: &dyn std::error::Error) -> Error {
    Error::Open {
        path: path.display().to_string(),
        reason: crate::url::one_line(e),
    }
}

/// A read-write connection with the store's settings (WAL is set once, at open).
pub(crate) fn connect(path: &Path) -> Result<Connection, Error> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| open_error(path, &e))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| open_error(path, &e))?;
    // WAL with NORMAL: a committed transaction survives a killed process; a power loss may
    // lose the last commits, never consistency (a cursor is committed with its events).
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(|e| open_error(path, &e))?;
    // Checkpoint the WAL every ~40 MB rather than every 4 MB: a batch dirties pages all over
    // the indexes (each conversation's), and checkpointing rarely writes each page once
    // instead of many times (measured: commits ~2.5x cheaper). The WAL file is cut back to
    // 64 MB after a checkpoint.
    conn.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES)
        .and_then(|()| conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024))
        .and_then(|()| conn.pragma_update(None, "mmap_size", MMAP_SIZE))
        .map_err(|e| open_error(path, &e))?;
    Ok(conn)
}

/// What the file holds, found without writing to it.
enum Found {
    /// Missing, empty, or an SQLite database without tables: ours to create.
    Fresh,
    /// An xdm store at this version.
    Store(i64),
}

/// Opens (creating when missing) and migrates the store at `path`; returns a connection.
///
/// # Errors
///
/// `Open`, `NotADatabase`, `ForeignDatabase`, `NewerSchema` (nothing written), or a
/// database error while migrating (rolled back).
pub(crate) fn open_and_migrate(path: &Path) -> Result<Connection, Error> {
    if let Found::Store(v) = inspect(path)?
        && v == VERSION
    {
        return connect(path);
    }
    let mut conn = connect(path)?;
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .map_err(|e| open_error(path, &e))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(
            mode,
            "SQLite did not switch to WAL; concurrent readers will wait"
        );
    }
    migrate(&mut conn, path)?;
    Ok(conn)
}

/// Looks at the file without changing it: its header, then (read-only) its schema.
fn inspect(path: &Path) -> Result<Found, Error> {
    let location = path.display().to_string();
    let mut head = Vec::with_capacity(16);
    match std::fs::File::open(path) {
        Ok(f) => {
            if f.metadata().map(|m| m.is_dir()).unwrap_or(false) {
                return Err(Error::Open {
                    path: location,
                    reason: "is a directory".into(),
                });
            }
            f.take(16)
                .read_to_end(&mut head)
                .map_err(|e| open_error(path, &e))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
                && !dir.is_dir()
            {
                return Err(Error::Open {
                    path: location,
                    reason: format!("directory {} does not exist", dir.display()),
                });
            }
            return Ok(Found::Fresh);
        }
        Err(e) => return Err(open_error(path, &e)),
    }
    if head.is_empty() {
        return Ok(Found::Fresh);
    }
    if head.as_slice() != HEADER {
        return Err(Error::NotADatabase { path: location });
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| open_error(path, &e))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| open_error(path, &e))?;
    match schema_version(&conn, &location)? {
        0 => Ok(Found::Fresh),
        v if v > VERSION => Err(Error::NewerSchema {
            location,
            found: v,
            supported: VERSION,
        }),
        v => Ok(Found::Store(v)),
    }
}

/// The schema version of an xdm store (0 for a database without tables).
///
/// # Errors
///
/// `ForeignDatabase` when it has tables but is not ours; `NotADatabase` when SQLite cannot
/// read it.
fn schema_version(conn: &Connection, location: &str) -> Result<i64, Error> {
    let not_db = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => Error::NotADatabase {
            path: location.to_owned(),
        },
        _ => Error::db(format!("reading the schema of {location}"), &e),
    };
    let app_id: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(not_db)?;
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name LIMIT 6")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(not_db)?;
    if app_id != ddl::APPLICATION_ID {
        if tables.is_empty() && app_id == 0 {
            return Ok(0);
        }
        let mut list = tables
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if tables.len() > 5 {
            list.push_str(", ...");
        }
        if list.is_empty() {
            list = format!("application id {app_id:#x}");
        }
        return Err(Error::ForeignDatabase {
            location: location.to_owned(),
            tables: list,
        });
    }
    let version: Option<i64> = conn
        .query_row("SELECT max(version) FROM schema_migrations", [], |r| {
            r.get(0)
        })
        .optional()
        .map_err(|e| Error::corrupt(format!("schema of {location}"), e))?
        .flatten();
    version.ok_or_else(|| Error::corrupt(format!("schema of {location}"), "no migrations recorded"))
}

/// Applies the missing steps in one `BEGIN IMMEDIATE` transaction (re-checking the version
/// inside it, so two processes opening a new file at once migrate it once).
fn migrate(conn: &mut Connection, path: &Path) -> Result<(), Error> {
    let location = path.display().to_string();
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| Error::db(format!("migrating {location}"), &e))?;
    let current = schema_version(&tx, &location)?;
    if current > VERSION {
        return Err(Error::NewerSchema {
            location,
            found: current,
            supported: VERSION,
        });
    }
    if (1..VERSION).contains(&current) {
        // Steps can rebuild the full-text index: say so before a pause of a minute or so.
        let events: bool = tx
            .query_row("SELECT EXISTS (SELECT 1 FROM events)", [], |r| r.get(0))
            .map_err(|e| Error::db(format!("migrating {location}"), &e))?;
        if events {
            tracing::warn!(
                "upgrading {location} from schema version {current} to {VERSION} (once; \
                 about half a minute per million stored events)"
            );
        }
    }
    for version in current + 1..=VERSION {
        let doing = format!(
            "migrating {location} to version {version} ({})",
            schema::step_name(version)
        );
        tracing::info!("{doing}");
        apply_step(&tx, version).map_err(|e| Error::db(&doing, &e))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?1, ?2, ?3)",
            (version, schema::step_name(version), now_ms()),
        )
        .map_err(|e| Error::db(&doing, &e))?;
    }
    if current < VERSION {
        tx.pragma_update(None, "application_id", ddl::APPLICATION_ID)
            .and_then(|()| tx.pragma_update(None, "user_version", VERSION))
            .and_then(|()| tx.commit())
            .map_err(|e| Error::db(format!("migrating {location}"), &e))?;
    }
    Ok(())
}

/// Runs step `version`.
pub(crate) fn apply_step(conn: &Connection, version: i64) -> rusqlite::Result<()> {
    match version {
        1 => conn.execute_batch(ddl::V1),
        2 => {
            conn.execute_batch(&ddl::v2())?;
            fill_fts(conn, false)
        }
        3 => {
            conn.execute_batch(ddl::V3)?;
            reorder_made_ids(conn)?;
            record_pending_media(conn)
        }
        4 => {
            conn.execute(
                "INSERT INTO events_fts (events_fts) VALUES ('delete-all')",
                [],
            )?;
            fill_fts(conn, true)
        }
        _ => Ok(()),
    }
}

/// Recomputes the order key of ids at or above 2^63 (step 3: the archive's made ids sort by
/// their time, see `crate::synthetic`). Older versions keyed them by the id itself.
fn reorder_made_ids(conn: &Connection) -> rusqlite::Result<()> {
    let rows: Vec<(i64, String)> = conn
        .prepare("SELECT pk, id FROM events WHERE seq >= 0")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut update = conn.prepare("UPDATE events SET seq = ?2 WHERE pk = ?1")?;
    for (pk, id) in rows {
        if let Ok(id) = dm_model::DmEventId::parse(&id) {
            update.execute((pk, crate::synthetic::order_key(&id)))?;
        }
    }
    Ok(())
}

/// Records the media of the stored events as pending (step 3).
fn record_pending_media(conn: &Connection) -> rusqlite::Result<()> {
    let mut read = conn
        .prepare("SELECT account, id, json FROM events WHERE instr(json, '\"media_keys\"') > 0")?;
    let mut insert = conn.prepare(
        "INSERT INTO media_files (account, media_key, event_id, status, rank, source, updated_ms)
         VALUES (?1, ?2, ?3, 'pending', 0, 'api', ?4) ON CONFLICT DO NOTHING",
    )?;
    let mut rows = read.query([])?;
    while let Some(row) = rows.next()? {
        let (account, id, json): (i64, String, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
        let Ok(event) = serde_json::from_str::<dm_model::DmEvent>(&json) else {
            continue;
        };
        for key in event.media_keys() {
            insert.execute((account, key.as_str(), &id, now_ms()))?;
        }
    }
    Ok(())
}

/// Indexes the text of every stored event: under its `pk` in step 2 on a store that already
/// has events, under its time key (`fts_key`) when step 4 rebuilds the table (`timed`).
fn fill_fts(conn: &Connection, timed: bool) -> rusqlite::Result<()> {
    let mut read = conn.prepare("SELECT pk, seq, text FROM events WHERE text IS NOT NULL")?;
    let mut write = conn.prepare("INSERT INTO events_fts (rowid, doc) VALUES (?1, ?2)")?;
    let mut rows = read.query([])?;
    while let Some(row) = rows.next()? {
        let pk: i64 = row.get(0)?;
        let text: String = row.get(2)?;
        let key = if timed {
            crate::sqlite::write::fts_key(pk, row.get(1)?)?
        } else {
            pk
        };
        let doc = crate::search::tokenize::indexed_tokens(&text).join(" ");
        if !doc.is_empty() {
            write.execute((key, doc))?;
        }
    }
    Ok(())
}
