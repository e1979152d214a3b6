//! The embedded backend: one SQLite file (WAL, FTS5), run on tokio's blocking pool.
//!
//! Readers share a few pooled connections; a [`SqliteWriter`] holds the account's file lease
//! and its own connection, and commits each batch in a `BEGIN IMMEDIATE` transaction (which
//! waits up to a minute for another account's writer to commit).

mod lock;
pub(crate) mod open;
mod read;
mod write;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dm_model::{DmConversationId, User};
use futures::stream::BoxStream;
use rusqlite::Connection;
use serde_json::Value;

use crate::account::Account;
use crate::batch::{Applied, Batch};
use crate::conversation::Conversation;
use crate::error::Error;
use crate::page::{EventPage, Page};
use crate::search::{SearchHit, SearchQuery};
use crate::{AccountInfo, StoredEvent};

pub(crate) use lock::lock_path;

/// Idle reader connections kept.
const IDLE: usize = 4;

/// An open SQLite store.
pub(crate) struct SqliteStore {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish()
    }
}

/// Runs `f` on the blocking pool.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::db("running an SQLite call", &e))?
}

impl SqliteStore {
    /// Opens (creating and migrating) the store at `path`.
    pub(crate) async fn open(path: PathBuf) -> Result<Arc<Self>, Error> {
        let p = path.clone();
        let conn = blocking(move || open::open_and_migrate(&p)).await?;
        Ok(Arc::new(SqliteStore {
            path,
            idle: Mutex::new(vec![conn]),
        }))
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    fn checkout(&self) -> Result<Connection, Error> {
        let pooled = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        match pooled {
            Some(c) => Ok(c),
            None => open::connect(&self.path),
        }
    }

    fn checkin(&self, conn: Connection) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < IDLE
        {
            idle.push(conn);
        }
    }

    /// Runs a read on a pooled connection, on the blocking pool.
    async fn read<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Connection) -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        let this = Arc::clone(self);
        blocking(move || {
            let conn = this.checkout()?;
            let result = f(&conn);
            this.checkin(conn);
            result
        })
        .await
    }

    pub(crate) async fn writer(
        self: &Arc<Self>,
        account: &Account,
        wait: Duration,
    ) -> Result<SqliteWriter, Error> {
        let lease = lock::acquire(&self.path, account, wait).await?;
        let path = self.path.clone();
        let name = account.to_string();
        let (conn, id) = blocking(move || {
            let mut conn = open::connect(&path)?;
            let id = write::ensure_account(&mut conn, &name)?;
            Ok((conn, id))
        })
        .await?;
        Ok(SqliteWriter {
            conn: Arc::new(Mutex::new(conn)),
            account: id,
            lease: Arc::new(lease),
        })
    }

    pub(crate) async fn accounts(self: &Arc<Self>) -> Result<Vec<AccountInfo>, Error> {
        self.read(read::accounts).await
    }

    pub(crate) async fn cursor(
        self: &Arc<Self>,
        account: &Account,
        name: &str,
    ) -> Result<Option<Value>, Error> {
        let (account, name) = (account.clone(), name.to_owned());
        self.read(move |c| read::cursor(c, &account, &name)).await
    }

    pub(crate) async fn conversations(
        self: &Arc<Self>,
        account: &Account,
    ) -> Result<Vec<Conversation>, Error> {
        let account = account.clone();
        self.read(move |c| read::conversations(c, &account)).await
    }

    pub(crate) async fn conversation_events(
        self: &Arc<Self>,
        account: &Account,
        conversation: &DmConversationId,
        page: &Page,
    ) -> Result<EventPage, Error> {
        let (account, conversation, page) = (account.clone(), conversation.clone(), page.clone());
        self.read(move |c| read::conversation_events(c, &account, &conversation, &page))
            .await
    }

    pub(crate) async fn search(
        self: &Arc<Self>,
        account: &Account,
        query: &SearchQuery,
    ) -> Result<Vec<SearchHit>, Error> {
        let (account, query) = (account.clone(), query.clone());
        self.read(move |c| read::search(c, &account, &query)).await
    }

    pub(crate) async fn find_user(
        self: &Arc<Self>,
        account: &Account,
        username: &str,
    ) -> Result<Option<User>, Error> {
        let (account, username) = (account.clone(), username.to_owned());
        self.read(move |c| read::find_user(c, &account, &username))
            .await
    }

    pub(crate) async fn media_files(
        self: &Arc<Self>,
        account: &Account,
        wanted_only: bool,
    ) -> Result<Vec<(crate::MediaFile, Option<dm_model::Media>)>, Error> {
        let account = account.clone();
        self.read(move |c| read::media_files(c, &account, wanted_only))
            .await
    }

    /// Every event of `account`, oldest first, read in chunks of `chunk`.
    pub(crate) fn export(
        self: &Arc<Self>,
        account: &Account,
        chunk: i64,
    ) -> BoxStream<'static, Result<StoredEvent, Error>> {
        let this = Arc::clone(self);
        let account = account.clone();
        crate::export::chunked(move |after| {
            let this = Arc::clone(&this);
            let account = account.clone();
            async move {
                this.read(move |c| {
                    let acc = read::require_account(c, &account)?;
                    read::events_after(c, acc, after, chunk)
                })
                .await
            }
        })
    }
}

/// A writer holding an account's lease.
pub(crate) struct SqliteWriter {
    conn: Arc<Mutex<Connection>>,
    account: i64,
    /// Shared with a running apply, so a cancelled apply keeps the lease until it ends.
    lease: Arc<lock::FileLease>,
}

impl SqliteWriter {
    pub(crate) async fn cursor(&self, name: &str) -> Result<Option<Value>, Error> {
        let (conn, account, name) = (Arc::clone(&self.conn), self.account, name.to_owned());
        blocking(move || {
            let conn = conn
                .lock()
                .map_err(|_| Error::corrupt("writer connection", "poisoned by a panic"))?;
            read::cursor_by_id(&conn, account, &name)
        })
        .await
    }

    pub(crate) async fn apply(&mut self, batch: Batch) -> Result<Applied, Error> {
        let conn = Arc::clone(&self.conn);
        let account = self.account;
        let lease = Arc::clone(&self.lease);
        blocking(move || {
            let _lease = lease;
            let mut conn = conn
                .lock()
                .map_err(|_| Error::corrupt("writer connection", "poisoned by a panic"))?;
            write::apply(&mut conn, account, &batch)
        })
        .await
    }
}
