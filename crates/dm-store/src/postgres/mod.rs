//! The shared backend: PostgreSQL through tokio-postgres.
//!
//! Readers use a small pool. A [`PgWriter`] opens its own connection and holds a session-level
//! advisory lock keyed by the account (`pg_try_advisory_lock(xdm, account id)`) for as long as
//! it lives: one writer per account, writers of different accounts in parallel. The server
//! releases the lock when the connection ends, including when the writing process is killed.
//! Each batch also takes the account's transaction-level lock (`pg_advisory_xact_lock`), which
//! still holds behind a transaction-pooling proxy such as PgBouncer.
//! Connections are made without TLS (see the crate docs).

mod migrate;
#[cfg(feature = "test-hooks")]
pub(crate) use migrate::apply_step;
mod read;
mod write;

use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use dm_model::{DmConversationId, User};
use futures::stream::BoxStream;
use serde_json::Value;
use tokio_postgres::{Client, Config, NoTls};

use crate::account::Account;
use crate::batch::{Applied, Batch};
use crate::conversation::Conversation;
use crate::error::Error;
use crate::page::{EventPage, Page};
use crate::schema::postgres::LOCK_SPACE;
use crate::search::{SearchHit, SearchQuery};
use crate::url::{PostgresUrl, one_line};
use crate::{AccountInfo, StoredEvent};

/// Connections kept for readers.
const POOL_SIZE: usize = 8;
/// How long connecting may take when the URL does not say (`connect_timeout`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How often a waiting writer tries the lock again.
const POLL: Duration = Duration::from_millis(25);

/// An open PostgreSQL store.
pub(crate) struct PgStore {
    url: PostgresUrl,
    config: Config,
    pool: Pool,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").field("url", &self.url).finish()
    }
}

impl PgStore {
    /// Connects, migrates, and sets up the reader pool.
    pub(crate) async fn open(url: PostgresUrl) -> Result<Arc<Self>, Error> {
        let mut config = Config::from_str(url.expose()).map_err(|e| Error::InvalidUrl {
            url: url.redacted().to_owned(),
            reason: one_line(&e),
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("xdm");
        }
        let store = PgStore {
            pool: Pool::builder(Manager::from_config(
                config.clone(),
                NoTls,
                ManagerConfig {
                    recycling_method: RecyclingMethod::Fast,
                },
            ))
            .max_size(POOL_SIZE)
            .build()
            .map_err(|e| Error::Connect {
                url: url.redacted().to_owned(),
                reason: one_line(&e),
            })?,
            config,
            url,
        };
        let mut client = store.connect().await?;
        migrate::migrate(&mut client, store.url.redacted()).await?;
        Ok(Arc::new(store))
    }

    /// A new connection of its own (not pooled).
    async fn connect(&self) -> Result<Client, Error> {
        let (client, connection) =
            self.config
                .connect(NoTls)
                .await
                .map_err(|e| Error::Connect {
                    url: self.url.redacted().to_owned(),
                    reason: one_line(&e),
                })?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "PostgreSQL connection ended");
            }
        });
        Ok(client)
    }

    async fn pooled(&self) -> Result<Object, Error> {
        self.pool.get().await.map_err(|e| Error::Connect {
            url: self.url.redacted().to_owned(),
            reason: one_line(&e),
        })
    }

    pub(crate) async fn writer(
        &self,
        account: &Account,
        wait: Duration,
    ) -> Result<PgWriter, Error> {
        let client = self.connect().await?;
        let doing = format!("creating account {account}");
        client
            .execute(
                "INSERT INTO xdm_accounts (name) VALUES ($1) ON CONFLICT (name) DO NOTHING",
                &[&account.as_str()],
            )
            .await
            .map_err(|e| Error::db(&doing, &e))?;
        let id: i32 = client
            .query_one(
                "SELECT id FROM xdm_accounts WHERE name = $1",
                &[&account.as_str()],
            )
            .await
            .map_err(|e| Error::db(&doing, &e))?
            .get(0);
        let started = Instant::now();
        loop {
            let locked: bool = client
                .query_one("SELECT pg_try_advisory_lock($1, $2)", &[&LOCK_SPACE, &id])
                .await
                .map_err(|e| Error::db("taking the writer lease", &e))?
                .get(0);
            if locked {
                break;
            }
            let waited = started.elapsed();
            if waited >= wait {
                return Err(Error::Busy {
                    account: account.to_string(),
                    waited,
                });
            }
            tokio::time::sleep(POLL.min(wait - waited)).await;
        }
        Ok(PgWriter {
            client,
            account: id,
        })
    }

    pub(crate) async fn accounts(&self) -> Result<Vec<AccountInfo>, Error> {
        read::accounts(&self.pooled().await?).await
    }

    pub(crate) async fn cursor(
        &self,
        account: &Account,
        name: &str,
    ) -> Result<Option<Value>, Error> {
        read::cursor(&self.pooled().await?, account, name).await
    }

    pub(crate) async fn conversations(
        &self,
        account: &Account,
    ) -> Result<Vec<Conversation>, Error> {
        read::conversations(&self.pooled().await?, account).await
    }

    pub(crate) async fn conversation_events(
        &self,
        account: &Account,
        conversation: &DmConversationId,
        page: &Page,
    ) -> Result<EventPage, Error> {
        read::conversation_events(&self.pooled().await?, account, conversation, page).await
    }

    pub(crate) async fn search(
        &self,
        account: &Account,
        query: &SearchQuery,
    ) -> Result<Vec<SearchHit>, Error> {
        read::search(&self.pooled().await?, account, query).await
    }

    pub(crate) async fn find_user(
        &self,
        account: &Account,
        username: &str,
    ) -> Result<Option<User>, Error> {
        read::find_user(&self.pooled().await?, account, username).await
    }

    pub(crate) async fn media_files(
        &self,
        account: &Account,
        wanted_only: bool,
    ) -> Result<Vec<(crate::MediaFile, Option<dm_model::Media>)>, Error> {
        read::media_files(&self.pooled().await?, account, wanted_only).await
    }

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
                let c = this.pooled().await?;
                read::events_after(&c, &account, after, chunk).await
            }
        })
    }
}

/// A writer holding an account's advisory lock on its own connection; dropping it closes the
/// connection, which releases the lock.
pub(crate) struct PgWriter {
    client: Client,
    account: i32,
}

impl PgWriter {
    pub(crate) async fn cursor(&self, name: &str) -> Result<Option<Value>, Error> {
        read::cursor_by_id(&self.client, self.account, name).await
    }

    pub(crate) async fn apply(&mut self, batch: Batch) -> Result<Applied, Error> {
        let tx = self
            .client
            .transaction()
            .await
            .map_err(|e| Error::db("starting a batch", &e))?;
        // The account's transaction lock as well: it still serializes writers where the
        // session lock cannot (a pooler that hands transactions to other server sessions).
        tx.execute(
            "SELECT pg_advisory_xact_lock($1, $2)",
            &[&LOCK_SPACE, &self.account],
        )
        .await
        .map_err(|e| Error::db("locking the account", &e))?;
        let applied = write::apply(&tx, self.account, &batch).await?;
        #[cfg(feature = "test-hooks")]
        if let Some(marker) = &batch.pause_before_commit {
            crate::testing::pause(marker).await?;
        }
        tx.commit()
            .await
            .map_err(|e| Error::db("committing a batch", &e))?;
        Ok(applied)
    }
}
