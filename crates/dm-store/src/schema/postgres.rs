//! PostgreSQL DDL, one constant per migration step. Never edit a released step: add a new one.
//!
//! Every table is prefixed `xdm_`, so a store can share a database with other applications.

/// The advisory lock key space of xdm (`xdm` in ASCII): the first half of every two-key
/// advisory lock the store takes.
pub(crate) const LOCK_SPACE: i32 = 0x0078_646d;

/// The second key of the migration lock (account leases use the account's id, which is ≥ 1).
pub(crate) const MIGRATION_LOCK: i32 = 0;

/// Step 1: base tables.
pub(crate) const V1: &str = "
CREATE TABLE xdm_schema_migrations (
    version BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE xdm_accounts (
    id SERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE xdm_events (
    account INTEGER NOT NULL REFERENCES xdm_accounts (id),
    id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    conversation TEXT,
    sender TEXT,
    event_type TEXT NOT NULL,
    time_ms BIGINT,
    text TEXT,
    json TEXT NOT NULL,
    posts_spelling BOOLEAN NOT NULL DEFAULT false,
    first_seen_ms BIGINT NOT NULL,
    source TEXT NOT NULL DEFAULT 'api',
    PRIMARY KEY (account, id)
);
CREATE TABLE xdm_users (
    account INTEGER NOT NULL,
    id TEXT NOT NULL,
    name TEXT,
    username TEXT,
    json TEXT NOT NULL,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (account, id)
);
CREATE TABLE xdm_media (
    account INTEGER NOT NULL,
    media_key TEXT NOT NULL,
    json TEXT NOT NULL,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (account, media_key)
);
CREATE TABLE xdm_tweets (
    account INTEGER NOT NULL,
    id TEXT NOT NULL,
    json TEXT NOT NULL,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (account, id)
);
CREATE TABLE xdm_conversations (
    account INTEGER NOT NULL,
    id TEXT NOT NULL,
    is_group BOOLEAN NOT NULL,
    first_seq BIGINT NOT NULL,
    last_seq BIGINT NOT NULL,
    first_time_ms BIGINT,
    last_time_ms BIGINT,
    events BIGINT NOT NULL,
    messages BIGINT NOT NULL,
    last_message_seq BIGINT,
    last_message_id TEXT,
    PRIMARY KEY (account, id)
);
CREATE TABLE xdm_conversation_participants (
    account INTEGER NOT NULL,
    conversation TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (account, conversation, user_id)
);
CREATE TABLE xdm_cursors (
    account INTEGER NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (account, name)
);
";

/// Step 2, before the search column is filled (in Rust, from `text`).
pub(crate) const V2_COLUMN: &str = "ALTER TABLE xdm_events ADD COLUMN search tsvector;";

/// Step 2, after: the read indexes and the full-text index.
pub(crate) const V2_INDEXES: &str = "
CREATE INDEX xdm_events_by_seq ON xdm_events (account, seq);
CREATE INDEX xdm_events_by_conversation ON xdm_events (account, conversation, seq);
CREATE INDEX xdm_users_by_username ON xdm_users (account, lower(username));
CREATE INDEX xdm_events_search ON xdm_events USING GIN (search);
";

/// Step 3: the archive's record of an event beside its JSON, and the media files (then, in
/// Rust, as for SQLite).
pub(crate) const V3: &str = "
ALTER TABLE xdm_events ADD COLUMN archive TEXT;
CREATE TABLE xdm_media_files (
    account INTEGER NOT NULL,
    media_key TEXT NOT NULL,
    event_id TEXT,
    status TEXT NOT NULL,
    rank BIGINT NOT NULL,
    source TEXT NOT NULL,
    sha256 TEXT,
    size BIGINT,
    content_type TEXT,
    file TEXT,
    url TEXT,
    error TEXT,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (account, media_key)
);
CREATE INDEX xdm_media_files_by_rank ON xdm_media_files (account, rank);
";
