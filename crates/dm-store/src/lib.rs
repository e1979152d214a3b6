//! A local archive of X Direct Messages that outlives the API's 30-day window: exactly-once
//! storage of [`DmEvent`](dm_model::DmEvent)s with the users, media and Posts they reference,
//! derived conversations, full-text search, and export — over SQLite (embedded, one file) or
//! PostgreSQL (many writers, many machines), chosen by URL.
//!
//! - [`Store::open`] takes `sqlite:PATH` (also `sqlite://PATH`, or a plain path ending in
//!   `.sqlite`, `.sqlite3` or `.db`) or `postgres://...` / `postgresql://...` (see
//!   [`StoreUrl`]); PostgreSQL needs the `postgres` feature (without it such a URL is refused,
//!   naming the feature). The schema is migrated on open; a store written by a newer xdm, a foreign
//!   file or database, a wrong scheme or an unreachable server is refused with a one-line
//!   [`Error`] and nothing is written.
//! - One store holds several [`Account`]s; everything is per account.
//! - Writing goes through a [`Writer`]: a per-account lease ([`Store::writer`]) that waits for
//!   another holder (another sync of the same account, in this process or another) and fails
//!   with [`Error::Busy`] ("another sync is running for account NAME") after the wait.
//!   [`Writer::apply`] commits one [`Batch`] — events, the objects they reference, and an
//!   optional named cursor (the caller's sync state) — in one transaction. Every event is
//!   stored once per account (applying a batch again changes nothing), losslessly (its JSON
//!   as [`dm_model`] re-encodes it) with indexed columns; users, media and Posts are upserted
//!   (latest wins); conversations are derived.
//! - Reading: [`Store::conversations`], [`Store::conversation_events`] (keyset pages, oldest
//!   first), [`Store::search`] (words, `"phrases"`, filters; ranked; snippets with marked
//!   matches), [`Store::export`] (every event, oldest first, as a stream). Each event comes
//!   back as a [`StoredEvent`]: the `DmEvent` and an `Includes` holding exactly the objects it
//!   references, so it renders with the same code as an event from the API.
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//!
//! use dm_model::{DmEventsPage, decode};
//! use dm_store::{Account, Batch, Page, SearchQuery, Store};
//! use futures::TryStreamExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let url = format!("sqlite:{}", dir.path().join("dms.sqlite").display());
//! let store = Store::open(&url).await?;
//! let account = Account::default();
//!
//! // A page from the API (decoded here from JSON).
//! let page: DmEventsPage = decode(r#"{
//!   "data": [
//!     {"id": "1582838499983564806", "event_type": "MessageCreate", "text": "Un café demain ☕ ?",
//!      "sender_id": "944480690", "dm_conversation_id": "944480690-906948460078698496",
//!      "created_at": "2022-10-19T20:58:00.000Z"},
//!     {"id": "1582838535115067392", "event_type": "MessageCreate", "text": "Oui !",
//!      "sender_id": "906948460078698496", "dm_conversation_id": "944480690-906948460078698496",
//!      "created_at": "2022-10-19T20:59:00.000Z"}
//!   ],
//!   "includes": {"users": [{"id": "944480690", "name": "API Demos", "username": "FloodSocial"}]}
//! }"#.as_bytes())?;
//!
//! // Commit it with the sync state, in one transaction, under the account's writer lease.
//! let mut writer = store.writer(&account, Duration::from_secs(5)).await?;
//! let mut batch = Batch::new();
//! for event in &page.data {
//!     batch.push(event, &page.includes)?;
//! }
//! batch.cursor("sync", &serde_json::json!({"newest": "1582838535115067392"}))?;
//! assert_eq!(writer.apply(batch.clone()).await?.new_events, 2);
//! assert_eq!(writer.apply(batch).await?.new_events, 0); // exactly once
//! drop(writer); // releases the lease
//! assert!(store.cursor(&account, "sync").await?.is_some());
//!
//! // Search ignores case and diacritics, and finds emoji.
//! let hits = store.search(&account, &SearchQuery::new("CAFE ☕")).await?;
//! assert_eq!(hits[0].snippet.marked("[", "]"), "Un [café] demain [☕] ?");
//! assert_eq!(hits[0].stored.includes.users[0].username.as_deref(), Some("FloodSocial"));
//!
//! // Conversations are derived; events come back oldest first, JSON as received.
//! let conversations = store.conversations(&account).await?;
//! assert_eq!(conversations[0].messages, 2);
//! let first = store
//!     .conversation_events(&account, &conversations[0].id, &Page::first(100))
//!     .await?;
//! assert_eq!(first.events[0].event, page.data[0]);
//! let all: Vec<_> = store.export(&account).try_collect().await?;
//! assert_eq!(all.len(), 2);
//! # Ok(()) }
//! ```
//!
//! # Concurrency and crashes
//!
//! - SQLite: the lease is an OS advisory lock (`flock`) on `<db>-<account>.lock` beside the
//!   database (the file stays; it holds the last holder's pid); each batch is one
//!   `BEGIN IMMEDIATE` transaction in WAL mode, waiting up to a minute for another account's
//!   writer. Writers of different accounts take turns per transaction.
//! - PostgreSQL: the lease is a session advisory lock keyed by the account's id, held on the
//!   writer's own connection; writers of different accounts run in parallel.
//! - Either way a killed writer (`kill -9` included) loses its lease with its process and its
//!   open transaction is rolled back: the store keeps the previous batch, cursor included.
//!
//! # Limits
//!
//! - PostgreSQL connections are made without TLS (`sslmode=require` is refused by the
//!   driver); use a local server, a socket, or a TLS tunnel.
//! - Search splits words on Unicode letters/digits: scripts written without spaces (Chinese,
//!   Japanese, Thai) match whole runs only.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod account;
mod batch;
mod conversation;
mod error;
mod export;
pub mod import;
mod media_dir;
mod media_files;
mod page;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(not(feature = "postgres"))]
#[path = "postgres_off.rs"]
mod postgres;
pub mod schema;
mod search;
mod sqlite;
mod stored;
pub mod synthetic;
#[cfg(feature = "test-hooks")]
#[doc(hidden)]
pub mod testing;
mod url;

use std::sync::Arc;
use std::time::Duration;

use dm_model::{DmConversationId, Media, User};
use futures::stream::BoxStream;
use serde_json::Value;

pub use account::Account;
pub use batch::{ARCHIVE, Applied, Batch, REALTIME};
pub use conversation::{Conversation, Participant};
pub use error::{Error, Result};
pub use media_dir::{MediaDir, MediaWriter, StoredFile};
pub use media_files::{MediaFile, MediaStatus};
pub use page::{DEFAULT_PAGE, EventPage, MAX_PAGE, Page};
pub use search::{DEFAULT_LIMIT, MAX_LIMIT, RANKED_MATCHES, SearchHit, SearchQuery, Snippet};
pub use stored::StoredEvent;
pub use url::{PostgresUrl, StoreUrl};

/// How long [`Store::apply`] waits for the account's lease.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(30);

/// An archive of DMs (cheap to clone; clones share connections).
#[derive(Clone, Debug)]
pub struct Store {
    url: StoreUrl,
    backend: Backend,
}

#[derive(Clone, Debug)]
enum Backend {
    Sqlite(Arc<sqlite::SqliteStore>),
    Postgres(Arc<postgres::PgStore>),
}

/// Which database a store uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BackendKind {
    /// An SQLite file.
    Sqlite,
    /// A PostgreSQL database.
    Postgres,
}

/// An account of a store and how many events it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccountInfo {
    /// The account.
    pub account: Account,
    /// Events stored for it.
    pub events: u64,
}

impl Store {
    /// Opens the store at `url` (see [`StoreUrl`]), creating an SQLite file when missing, and
    /// applies the missing schema migrations.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUrl`], [`Error::Open`], [`Error::NotADatabase`],
    /// [`Error::ForeignDatabase`], [`Error::NewerSchema`] (nothing written in each case),
    /// [`Error::Connect`] for an unreachable PostgreSQL, or a database error while migrating
    /// (rolled back).
    pub async fn open(url: &str) -> Result<Store> {
        Store::open_url(StoreUrl::parse(url)?).await
    }

    /// [`Store::open`] with a parsed URL.
    ///
    /// # Errors
    ///
    /// As [`Store::open`].
    pub async fn open_url(url: StoreUrl) -> Result<Store> {
        let backend = match &url {
            StoreUrl::Sqlite(path) => {
                Backend::Sqlite(sqlite::SqliteStore::open(path.clone()).await?)
            }
            StoreUrl::Postgres(pg) => Backend::Postgres(postgres::PgStore::open(pg.clone()).await?),
        };
        Ok(Store { url, backend })
    }

    /// Where the store is (PostgreSQL password hidden when displayed).
    pub fn url(&self) -> &StoreUrl {
        &self.url
    }

    /// The backend in use.
    pub fn backend(&self) -> BackendKind {
        match self.backend {
            Backend::Sqlite(_) => BackendKind::Sqlite,
            Backend::Postgres(_) => BackendKind::Postgres,
        }
    }

    /// Takes the writer lease of `account` (creating the account when new), waiting up to
    /// `wait` for another writer of the same account to finish. Hold it for a whole sync;
    /// drop it to release.
    ///
    /// # Errors
    ///
    /// [`Error::Busy`] ("another sync is running for account NAME") after `wait`;
    /// [`Error::Connect`] or a database error.
    pub async fn writer(&self, account: &Account, wait: Duration) -> Result<Writer> {
        let inner = match &self.backend {
            Backend::Sqlite(s) => WriterInner::Sqlite(s.writer(account, wait).await?),
            Backend::Postgres(p) => WriterInner::Postgres(p.writer(account, wait).await?),
        };
        Ok(Writer {
            account: account.clone(),
            inner,
        })
    }

    /// Applies one batch under a lease taken for it alone (waiting up to [`DEFAULT_WAIT`]).
    ///
    /// # Errors
    ///
    /// As [`Store::writer`] and [`Writer::apply`].
    pub async fn apply(&self, account: &Account, batch: Batch) -> Result<Applied> {
        self.writer(account, DEFAULT_WAIT).await?.apply(batch).await
    }

    /// The cursor `name` of `account` as last committed ([`Batch::cursor`]); `None` when there
    /// is none (or the account is new).
    ///
    /// # Errors
    ///
    /// A database error, or [`Error::Corrupt`].
    pub async fn cursor(&self, account: &Account, name: &str) -> Result<Option<Value>> {
        match &self.backend {
            Backend::Sqlite(s) => s.cursor(account, name).await,
            Backend::Postgres(p) => p.cursor(account, name).await,
        }
    }

    /// The accounts the store holds, by name, with their event counts.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn accounts(&self) -> Result<Vec<AccountInfo>> {
        match &self.backend {
            Backend::Sqlite(s) => s.accounts().await,
            Backend::Postgres(p) => p.accounts().await,
        }
    }

    /// The conversations of `account`, the most recently active first, with participants
    /// (stored users joined), counts, first and last times, and the last message.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownAccount`], a database error, or [`Error::Corrupt`].
    pub async fn conversations(&self, account: &Account) -> Result<Vec<Conversation>> {
        match &self.backend {
            Backend::Sqlite(s) => s.conversations(account).await,
            Backend::Postgres(p) => p.conversations(account).await,
        }
    }

    /// One page of the events of `conversation`, oldest first, each with its references.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownAccount`], a database error, or [`Error::Corrupt`].
    pub async fn conversation_events(
        &self,
        account: &Account,
        conversation: &DmConversationId,
        page: &Page,
    ) -> Result<EventPage> {
        match &self.backend {
            Backend::Sqlite(s) => s.conversation_events(account, conversation, page).await,
            Backend::Postgres(p) => p.conversation_events(account, conversation, page).await,
        }
    }

    /// Full-text search over the messages of `account`, best first. A query with nothing
    /// searchable (only punctuation) finds nothing.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownAccount`], a database error, or [`Error::Corrupt`]; never the query's
    /// text (it is escaped).
    pub async fn search(&self, account: &Account, query: &SearchQuery) -> Result<Vec<SearchHit>> {
        match &self.backend {
            Backend::Sqlite(s) => s.search(account, query).await,
            Backend::Postgres(p) => p.search(account, query).await,
        }
    }

    /// The stored user with handle `username` (without `@`, case-insensitive): for
    /// `--from @name`.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownAccount`], a database error, or [`Error::Corrupt`].
    pub async fn find_user(&self, account: &Account, username: &str) -> Result<Option<User>> {
        let username = username.strip_prefix('@').unwrap_or(username);
        match &self.backend {
            Backend::Sqlite(s) => s.find_user(account, username).await,
            Backend::Postgres(p) => p.find_user(account, username).await,
        }
    }

    /// Every stored event of `account`, oldest first, each with its references; read in
    /// chunks, so memory stays bounded. An unknown account yields one
    /// [`Error::UnknownAccount`].
    pub fn export(&self, account: &Account) -> BoxStream<'static, Result<StoredEvent>> {
        match &self.backend {
            Backend::Sqlite(s) => s.export(account, export::CHUNK),
            Backend::Postgres(p) => p.export(account, export::CHUNK),
        }
    }

    /// Every medium of `account`'s events and what became of it (see [`MediaFile`]), with
    /// the stored media object of each, by key.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownAccount`], a database error, or [`Error::Corrupt`].
    pub async fn media_files(&self, account: &Account) -> Result<Vec<(MediaFile, Option<Media>)>> {
        match &self.backend {
            Backend::Sqlite(s) => s.media_files(account, false).await,
            Backend::Postgres(p) => p.media_files(account, false).await,
        }
    }

    /// The media `xdm sync --media` should fetch ([`MediaFile::wanted`]: pending, failed, or
    /// missing from the archive), with the stored media object of each.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownAccount`], a database error, or [`Error::Corrupt`].
    pub async fn wanted_media(&self, account: &Account) -> Result<Vec<(MediaFile, Option<Media>)>> {
        match &self.backend {
            Backend::Sqlite(s) => s.media_files(account, true).await,
            Backend::Postgres(p) => p.media_files(account, true).await,
        }
    }

    /// The default media folder of this store: `<file>-media` beside an SQLite file; `None`
    /// for PostgreSQL (say where with `--media-dir`).
    pub fn default_media_dir(&self) -> Option<std::path::PathBuf> {
        match &self.backend {
            Backend::Sqlite(s) => Some(MediaDir::beside(s.path())),
            Backend::Postgres(_) => None,
        }
    }

    /// The lock file of `account`'s writer lease (SQLite only).
    pub fn lock_file(&self, account: &Account) -> Option<std::path::PathBuf> {
        match &self.backend {
            Backend::Sqlite(s) => Some(sqlite::lock_path(s.path(), account)),
            Backend::Postgres(_) => None,
        }
    }
}

/// The writer lease of one account: while it lives, no other writer (in any process) writes
/// to the account. Dropping it releases the lease.
pub struct Writer {
    account: Account,
    inner: WriterInner,
}

enum WriterInner {
    Sqlite(sqlite::SqliteWriter),
    Postgres(postgres::PgWriter),
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

impl Writer {
    /// The account this writer holds.
    pub fn account(&self) -> &Account {
        &self.account
    }

    /// The account's cursor `name` as last committed, read on the writer's own connection:
    /// read it after taking the lease, so no other sync can move it meanwhile.
    ///
    /// # Errors
    ///
    /// A database error, or [`Error::Corrupt`].
    pub async fn cursor(&self, name: &str) -> Result<Option<Value>> {
        match &self.inner {
            WriterInner::Sqlite(w) => w.cursor(name).await,
            WriterInner::Postgres(w) => w.cursor(name).await,
        }
    }

    /// Commits `batch` in one transaction: the events not stored yet (with their indexed
    /// columns, full-text index and conversation updates), the objects (upserted), and the
    /// cursor. All or nothing.
    ///
    /// # Errors
    ///
    /// A database error (nothing of the batch is stored then).
    pub async fn apply(&mut self, batch: Batch) -> Result<Applied> {
        match &mut self.inner {
            WriterInner::Sqlite(w) => w.apply(batch).await,
            WriterInner::Postgres(w) => w.apply(batch).await,
        }
    }
}
