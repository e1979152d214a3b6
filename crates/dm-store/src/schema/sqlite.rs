//! SQLite DDL, one constant per migration step. Never edit a released step: add a new one.

/// `PRAGMA application_id` of an xdm store (`xdms`): tells our files from other databases.
pub(crate) const APPLICATION_ID: i32 = 0x7864_6d73;

/// The tokenizer of the full-text table. Documents and queries are tokenized and folded by
/// `search::tokenize` before they get here (tokens separated by single spaces), so `unicode61`
/// is told to treat every character but spaces and controls as part of a token (`Cn` too, in
/// case a character is newer than SQLite's Unicode tables); it still folds case and diacritics
/// itself, as the folded tokens already are.
pub(crate) const FTS_TOKENIZE: &str =
    "unicode61 remove_diacritics 2 categories 'L* N* M* P* S* Co Cn'";

/// Step 1: base tables.
pub(crate) const V1: &str = "
CREATE TABLE schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_ms INTEGER NOT NULL
);
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_ms INTEGER NOT NULL
);
CREATE TABLE events (
    pk INTEGER PRIMARY KEY,
    account INTEGER NOT NULL REFERENCES accounts (id),
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    conversation TEXT,
    sender TEXT,
    event_type TEXT NOT NULL,
    time_ms INTEGER,
    text TEXT,
    json TEXT NOT NULL,
    posts_spelling INTEGER NOT NULL DEFAULT 0,
    first_seen_ms INTEGER NOT NULL,
    source TEXT NOT NULL DEFAULT 'api',
    UNIQUE (account, id)
);
CREATE TABLE users (
    account INTEGER NOT NULL,
    id TEXT NOT NULL,
    name TEXT,
    username TEXT,
    json TEXT NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (account, id)
) WITHOUT ROWID;
CREATE TABLE media (
    account INTEGER NOT NULL,
    media_key TEXT NOT NULL,
    json TEXT NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (account, media_key)
) WITHOUT ROWID;
CREATE TABLE tweets (
    account INTEGER NOT NULL,
    id TEXT NOT NULL,
    json TEXT NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (account, id)
) WITHOUT ROWID;
CREATE TABLE conversations (
    account INTEGER NOT NULL,
    id TEXT NOT NULL,
    is_group INTEGER NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    first_time_ms INTEGER,
    last_time_ms INTEGER,
    events INTEGER NOT NULL,
    messages INTEGER NOT NULL,
    last_message_seq INTEGER,
    last_message_id TEXT,
    PRIMARY KEY (account, id)
) WITHOUT ROWID;
CREATE TABLE conversation_participants (
    account INTEGER NOT NULL,
    conversation TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (account, conversation, user_id)
) WITHOUT ROWID;
CREATE TABLE cursors (
    account INTEGER NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (account, name)
) WITHOUT ROWID;
";

/// Step 2: read indexes and the full-text table (then filled from `events.text` in Rust).
pub(crate) fn v2() -> String {
    format!(
        "
CREATE INDEX events_by_seq ON events (account, seq);
CREATE INDEX events_by_conversation ON events (account, conversation, seq);
CREATE INDEX users_by_username ON users (account, username COLLATE NOCASE);
CREATE VIRTUAL TABLE events_fts USING fts5 (
    doc,
    content = '',
    contentless_delete = 1,
    tokenize = \"{FTS_TOKENIZE}\"
);
"
    )
}

/// Step 3: the archive's record of an event beside its JSON, and the media files.
/// (Then, in Rust: the order keys of archive-made ids are recomputed and the media of the
/// stored events are recorded as pending.)
pub(crate) const V3: &str = "
ALTER TABLE events ADD COLUMN archive TEXT;
CREATE TABLE media_files (
    account INTEGER NOT NULL,
    media_key TEXT NOT NULL,
    event_id TEXT,
    status TEXT NOT NULL,
    rank INTEGER NOT NULL,
    source TEXT NOT NULL,
    sha256 TEXT,
    size INTEGER,
    content_type TEXT,
    file TEXT,
    url TEXT,
    error TEXT,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (account, media_key)
) WITHOUT ROWID;
CREATE INDEX media_files_by_rank ON media_files (account, rank);
";

// Step 4 (in Rust, no DDL): the full-text table is rebuilt with each event's row keyed by its
// time, `fts_key` in `sqlite::write`: the second of the event's order key (its snowflake) in
// the high bits, the event's `pk` in the low 31. Matches then come out of FTS5 in time
// order, so a search can rank the newest matches of a frequent word without ranking all of
// them, and the key leads back to the event without another index.
