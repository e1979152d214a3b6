//! A custom `Transport`: every exchange goes through the built-in hyper transport and is
//! recorded to a JSONL file (method, path, status, body size, duration), for an audit trail
//! or a bug report. Credentials never reach the file: the `Authorization` header is not
//! recorded, and neither are bodies.
//!
//! ```text
//! XDM_ACCESS_TOKEN=...
//! cargo run -p dm-stream --example recording_transport -- exchanges.jsonl
//! ```
//!
//! Any HTTP stack plugs in the same way (`ClientBuilder::transport`); the `Stack` above it
//! keeps doing retries, rate limits and auth. `tests/examples.rs` runs this file against the
//! sandbox.

use std::error::Error as StdError;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use async_trait::async_trait;
use bytes::Bytes;
use dm_stream::Client;
use dm_transport::{Error, HyperTransport, Transport};
use futures::TryStreamExt;

/// Sends through `inner` and appends one JSON line per exchange to a file.
pub struct RecordingTransport {
    inner: Arc<dyn Transport>,
    file: Mutex<std::io::BufWriter<std::fs::File>>,
}

impl RecordingTransport {
    /// Records the exchanges of `inner` to `path` (appended).
    ///
    /// # Errors
    ///
    /// The file cannot be opened.
    pub fn new(inner: Arc<dyn Transport>, path: &Path) -> std::io::Result<Self> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        Ok(RecordingTransport {
            inner,
            file: Mutex::new(std::io::BufWriter::new(file)),
        })
    }

    fn record(&self, line: &serde_json::Value) {
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        // A failed write must not fail the request: the recording is a side effect.
        let _ = writeln!(file, "{line}").and_then(|()| file.flush());
    }
}

#[async_trait]
impl Transport for RecordingTransport {
    async fn send(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, Error> {
        let method = request.method().to_string();
        // The path and query only: no host, and never a header (the token is in one).
        let target = request
            .uri()
            .path_and_query()
            .map(ToString::to_string)
            .unwrap_or_default();
        let sent_bytes = request.body().len();
        let started = Instant::now();
        let result = self.inner.send(request).await;
        let mut line = serde_json::json!({
            "method": method,
            "target": target,
            "request_bytes": sent_bytes,
            "millis": started.elapsed().as_millis() as u64,
        });
        match &result {
            Ok(response) => {
                line["status"] = response.status().as_u16().into();
                line["response_bytes"] = response.body().len().into();
            }
            Err(e) => line["error"] = e.to_string().into(),
        }
        self.record(&line);
        result
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn StdError>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "exchanges.jsonl".to_owned());
    let transport = RecordingTransport::new(Arc::new(HyperTransport::new()?), Path::new(&path))?;
    let client = Client::builder()
        .base_url(std::env::var("XDM_BASE_URL").unwrap_or_else(|_| "https://api.x.com".into()))
        .bearer_token(std::env::var("XDM_ACCESS_TOKEN").map_err(|_| "set XDM_ACCESS_TOKEN")?)
        .transport(Arc::new(transport))
        .build()?;
    let events: Vec<_> = client
        .all_events()
        .public_fields()
        .events()
        .try_collect()
        .await?;
    eprintln!(
        "recording_transport: {} events; exchanges in {path}",
        events.len()
    );
    Ok(())
}
