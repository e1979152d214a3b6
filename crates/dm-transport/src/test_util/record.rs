//! [`RecordingTransport`]: records real exchanges in the replay shape.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bytes::Bytes;

use super::Exchange;
use super::exchange::body_value;
use crate::{Error, Transport};

/// Wraps a transport and records every exchange that got a response. Request headers
/// (and so credentials) are never recorded; `set-cookie` response headers are dropped.
#[derive(Debug)]
pub struct RecordingTransport<T> {
    inner: T,
    cassette: Option<String>,
    log: Arc<Mutex<Vec<Exchange>>>,
}

impl<T: Transport> RecordingTransport<T> {
    /// Records what goes through `inner`.
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            cassette: None,
            log: Arc::default(),
        }
    }

    /// Names the recording (the `cassette` member).
    #[must_use]
    pub fn cassette(mut self, name: impl Into<String>) -> Self {
        self.cassette = Some(name.into());
        self
    }

    /// The exchanges so far.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.log.lock().map(|g| g.clone()).unwrap_or_default()
    }

    /// The exchanges as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.exchanges()).unwrap_or_else(|_| "[]".into())
    }

    /// Writes the exchanges to a file.
    ///
    /// # Errors
    ///
    /// [`Error::Build`] when the file cannot be written.
    pub fn save(&self, path: impl AsRef<std::path::Path>) -> Result<(), Error> {
        let path = path.as_ref();
        std::fs::write(path, self.to_json())
            .map_err(|e| Error::build(format!("writing {}: {e}", path.display())))
    }
}

#[async_trait]
impl<T: Transport> Transport for RecordingTransport<T> {
    async fn send(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, Error> {
        let method = request.method().to_string();
        let uri = request.uri().to_string();
        let request_body = body_value(request.body());
        let response = self.inner.send(request).await?;
        let mut exchange = Exchange::new(
            &method,
            &uri,
            response.status().as_u16(),
            body_value(response.body()),
        );
        exchange.cassette = self.cassette.clone();
        exchange.request_body = request_body;
        for (name, value) in response.headers() {
            if name == http::header::SET_COOKIE {
                continue;
            }
            exchange.headers.insert(
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            );
        }
        if let Ok(mut log) = self.log.lock() {
            log.push(exchange);
        }
        Ok(response)
    }
}
