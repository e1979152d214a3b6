//! Where accepted events go: the [`Sink`] trait, the [`JsonlSink`], and [`drain`], which
//! hands every event to a sink exactly once, in order.

use std::io::Write;
use std::time::Duration;

use async_trait::async_trait;
use dm_model::record::RecordWriter;

use crate::event::WebhookEvent;
use crate::stream::Events;

/// Why a sink could not take an event.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SinkError {
    /// Writing failed.
    #[error("cannot write the event: {0}")]
    Io(#[from] std::io::Error),
    /// A message did not convert to a v2 event.
    #[error(transparent)]
    Convert(#[from] dm_model::activity::ConvertError),
    /// The sink's own failure (a store, a queue).
    #[error("{0}")]
    Other(String),
}

/// Takes accepted events, one at a time. [`drain`] calls [`Sink::deliver`] once per event
/// (again only after a failure) and [`Sink::flush`] whenever no event is waiting.
///
/// Implement it to write events into a store: de-duplication happened before, so each
/// event arrives once; a store that also ignores an event id it already has stays exact
/// across restarts and replays.
#[async_trait]
pub trait Sink: Send {
    /// Takes one event.
    ///
    /// # Errors
    ///
    /// [`SinkError`]; [`drain`] retries a few times, then stops with it.
    async fn deliver(&mut self, event: &WebhookEvent) -> Result<(), SinkError>;

    /// Makes what was delivered durable or visible (flush buffers).
    ///
    /// # Errors
    ///
    /// [`SinkError`].
    async fn flush(&mut self) -> Result<(), SinkError> {
        Ok(())
    }
}

/// Writes events as JSON lines.
///
/// By default, each DM as the record `xdm events --format jsonl` prints (the v2 event with
/// its users under `includes`, [`RecordWriter`]), and nothing for other events. With
/// [`JsonlSink::raw`], every event as it was delivered (one Account Activity event per line).
pub struct JsonlSink<W> {
    out: W,
    raw: bool,
    writer: RecordWriter,
    line: Vec<u8>,
    written: u64,
}

impl<W> std::fmt::Debug for JsonlSink<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonlSink")
            .field("raw", &self.raw)
            .field("written", &self.written)
            .finish_non_exhaustive()
    }
}

impl<W: Write + Send> JsonlSink<W> {
    /// DM records to `out`.
    pub fn new(out: W) -> Self {
        JsonlSink {
            out,
            raw: false,
            writer: RecordWriter::new(),
            line: Vec::new(),
            written: 0,
        }
    }

    /// Every event as delivered, instead of DM records.
    pub fn raw(mut self, raw: bool) -> Self {
        self.raw = raw;
        self
    }

    /// Lines written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// The writer.
    pub fn into_inner(self) -> W {
        self.out
    }
}

#[async_trait]
impl<W: Write + Send> Sink for JsonlSink<W> {
    async fn deliver(&mut self, event: &WebhookEvent) -> Result<(), SinkError> {
        self.line.clear();
        if self.raw {
            self.line.extend_from_slice(&event.to_json());
            self.line.push(b'\n');
            self.written += 1;
        } else {
            for m in event.messages()? {
                self.writer.write(&m.event, &m.includes, &mut self.line);
                self.line.push(b'\n');
                self.written += 1;
            }
        }
        self.out.write_all(&self.line)?;
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        self.out.flush()?;
        Ok(())
    }
}

/// What [`drain`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DrainStats {
    /// Events delivered to the sink.
    pub delivered: u64,
    /// Failed attempts that were retried.
    pub retries: u64,
}

/// Hands every event of `events` to `sink`, in order, each once; flushes whenever no event
/// is waiting. A failed delivery is retried (3 times, 100 ms apart) before `drain` stops
/// with the error; the events still queued then are not delivered: run a replay
/// (`xdm webhook replay`) for the window after a restart, which de-duplication makes safe.
/// Returns when the receiver is gone.
///
/// # Errors
///
/// The sink's [`SinkError`] after the retries.
pub async fn drain(mut events: Events, sink: &mut dyn Sink) -> Result<DrainStats, SinkError> {
    let mut stats = DrainStats::default();
    loop {
        let event = match events.try_recv() {
            Some(e) => e,
            None => {
                sink.flush().await?;
                match events.recv().await {
                    Some(e) => e,
                    None => return Ok(stats),
                }
            }
        };
        let mut attempt = 0;
        loop {
            match sink.deliver(&event).await {
                Ok(()) => break,
                Err(e) if attempt < 3 => {
                    attempt += 1;
                    stats.retries += 1;
                    tracing::warn!(error = %e, attempt, "webhook sink failed; retrying");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => return Err(e),
            }
        }
        stats.delivered += 1;
    }
}
