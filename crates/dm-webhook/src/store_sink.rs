//! [`StoreSink`]: received DMs into a dm-store event store (feature `store`; what
//! `xdm webhook serve --db URL` runs).

use std::time::Duration;

use crate::{Sink, SinkError, WebhookEvent};
use async_trait::async_trait;
use dm_store::{Account, Batch, REALTIME, Store};

/// How often a batch is tried before the receiver stops with the error.
const ATTEMPTS: u32 = 3;

/// Writes each DM of the received events into a store, as an event of source
/// [`REALTIME`]: the store keys events by id, so a redelivery the receiver did not catch (after
/// a restart, a replay) is not stored twice, and a later sync replaces the converted JSON with
/// the API's own.
///
/// Events are gathered by [`Sink::deliver`] and committed by [`Sink::flush`] ([`drain`]
/// calls it whenever no event is waiting), each batch in one transaction under the account's
/// writer lease, taken for that batch alone so that a sync of the same account runs between
/// two batches. A failed commit is tried three times, a second apart; after that `flush`
/// fails and the batch stays, to be tried again by the next `flush`.
///
/// [`drain`]: crate::drain
///
/// ```
/// use dm_store::{Account, Store};
/// use dm_webhook::{ConsumerSecret, Receiver, ReceiverConfig, StoreSink, drain};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("dms.sqlite");
/// let store = Store::open(&format!("sqlite:{}", path.display())).await?;
/// let (receiver, events) = Receiver::new(ConsumerSecret::new("secret"), ReceiverConfig::default());
/// let mut sink = StoreSink::new(store, Account::default());
/// drop(receiver); // here: no deliveries, so `drain` returns at once
/// drain(events, &mut sink).await?;
/// assert_eq!(sink.messages(), 0);
/// # Ok(())
/// # }
/// ```
pub struct StoreSink {
    store: Store,
    account: Account,
    batch: Batch,
    messages: u64,
    stored: u64,
}

impl std::fmt::Debug for StoreSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreSink")
            .field("store", &self.store.url().to_string())
            .field("account", &self.account)
            .field("pending", &self.batch.len())
            .field("messages", &self.messages)
            .field("stored", &self.stored)
            .finish()
    }
}

impl StoreSink {
    /// Writes into `account` of `store`.
    pub fn new(store: Store, account: Account) -> Self {
        StoreSink {
            store,
            account,
            batch: Batch::new(),
            messages: 0,
            stored: 0,
        }
    }

    /// Messages handed to the sink so far.
    pub fn messages(&self) -> u64 {
        self.messages
    }

    /// Messages that were new to the store (committed so far).
    pub fn stored(&self) -> u64 {
        self.stored
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }
}

#[async_trait]
impl Sink for StoreSink {
    async fn deliver(&mut self, event: &WebhookEvent) -> Result<(), SinkError> {
        let messages = event.messages()?;
        for m in &messages {
            self.batch
                .push_sourced(&m.event, &m.includes, REALTIME, None)
                .map_err(|e| SinkError::Other(e.to_string()))?;
        }
        self.messages += messages.len() as u64;
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let mut attempt = 1;
        loop {
            match self.store.apply(&self.account, self.batch.clone()).await {
                Ok(applied) => {
                    self.stored += applied.new_events;
                    self.batch = Batch::new();
                    return Ok(());
                }
                Err(e) if attempt < ATTEMPTS => {
                    tracing::warn!(error = %e, attempt, "cannot store the received events; retrying");
                    attempt += 1;
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                // The batch stays: a later flush tries it again.
                Err(e) => return Err(SinkError::Other(format!("cannot store the events: {e}"))),
            }
        }
    }
}
