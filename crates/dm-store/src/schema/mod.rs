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
//!
//! Room is left for issue 14 (`events.source`, `first_seen_ms`; a `media_files` table will be
//! step 3).

pub(crate) mod postgres;
pub(crate) mod sqlite;

/// The newest schema version this build reads and writes.
pub const VERSION: i64 = 2;

/// The name of each step, by version (index 0 is version 1).
pub(crate) const STEP_NAMES: [&str; VERSION as usize] =
    ["base tables", "full-text search and read indexes"];

/// The name of step `version`.
pub(crate) fn step_name(version: i64) -> &'static str {
    usize::try_from(version - 1)
        .ok()
        .and_then(|i| STEP_NAMES.get(i))
        .copied()
        .unwrap_or("unknown")
}
