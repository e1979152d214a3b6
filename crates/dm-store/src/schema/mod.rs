//! The store's schema: its version, the migration steps, and the DDL of each backend.
//!
//! Every backend records the steps applied in a migrations table (`schema_migrations` in
//! SQLite, `xdm_schema_migrations` in PostgreSQL). Opening a store applies the missing steps
//! in one transaction; a store at a higher version than [`VERSION`] was written by a newer xdm
//! and is refused without being changed.
//!
//! | version | step |
//! |---|---|
//! | 1 | base tables: accounts, events (JSON as received + indexed columns), users, media, Posts, conversations and their participants, cursors |
//! | 2 | full-text search (FTS5 / `tsvector` + GIN, filled from the stored text) and the read indexes |
//! | 3 | X's account archive: `events.archive` (the archive's own record of an event, kept beside the event's JSON), the order keys of archive-made ids, and `media_files` (which media are kept, where, verified by SHA-256) filled with the media of the stored events as pending |
//! | 4 | SQLite: the full-text table rebuilt with rows keyed by event time (the second of the event's order key, then its `pk`), so a search can rank the newest matches first; PostgreSQL: nothing |

#[cfg(feature = "postgres")]
pub(crate) mod postgres;
pub(crate) mod sqlite;

/// The newest schema version this build reads and writes.
pub const VERSION: i64 = 4;

/// The name of each step, by version (index 0 is version 1).
pub(crate) const STEP_NAMES: [&str; VERSION as usize] = [
    "base tables",
    "full-text search and read indexes",
    "account archive records and media files",
    "search order keys",
];

/// The name of step `version`.
pub(crate) fn step_name(version: i64) -> &'static str {
    usize::try_from(version - 1)
        .ok()
        .and_then(|i| STEP_NAMES.get(i))
        .copied()
        .unwrap_or("unknown")
}
