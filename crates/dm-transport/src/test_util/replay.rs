//! [`ReplayTransport`]: answers from recorded exchanges.

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http::header::{CONTENT_ENCODING, CONTENT_LENGTH};
use http::{HeaderName, HeaderValue};

use super::{Exchange, Fault};
use crate::{Error, TimeoutPhase, Transport};

/// Answers each request with the first unused exchange of the same method and path+query
/// (scheme and host are ignored, so `api.twitter.com` recordings replay against
/// `api.x.com` or `127.0.0.1`). Bodies are served decoded, as a [`HyperTransport`](crate::HyperTransport)
/// returns them, and the response-size limit applies the same way.
#[derive(Debug)]
pub struct ReplayTransport {
    exchanges: Mutex<Vec<(Exchange, bool)>>,
    max_response_bytes: u64,
}

impl ReplayTransport {
    /// Replays these exchanges.
    pub fn new(exchanges: impl IntoIterator<Item = Exchange>) -> Self {
        Self {
            exchanges: Mutex::new(exchanges.into_iter().map(|e| (e, false)).collect()),
            max_response_bytes: crate::DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// Replays the exchanges in a JSON file.
    ///
    /// # Errors
    ///
    /// As for [`Exchange::load`].
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Self, Error> {
        Ok(Self::new(Exchange::load(path)?))
    }

    /// Sets the response-size limit (default 16 MiB).
    #[must_use]
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// How many exchanges were not played yet.
    pub fn remaining(&self) -> usize {
        self.lock().iter().filter(|(_, used)| !used).count()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(Exchange, bool)>> {
        match self.exchanges.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    fn take(&self, method: &str, target: &str) -> Option<Exchange> {
        let mut all = self.lock();
        let (exchange, used) = all.iter_mut().find(|(e, used)| {
            !used && e.method.eq_ignore_ascii_case(method) && path_and_query(&e.uri) == target
        })?;
        *used = true;
        Some(exchange.clone())
    }
}

fn path_and_query(uri: &str) -> String {
    match uri.parse::<http::Uri>() {
        Ok(u) => u
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into()),
        Err(_) => uri.to_owned(),
    }
}

#[async_trait]
impl Transport for ReplayTransport {
    async fn send(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, Error> {
        let target = request
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into());
        let Some(exchange) = self.take(request.method().as_str(), &target) else {
            return Err(Error::build(format!(
                "replay: no unused recorded exchange for {} {target}",
                request.method()
            )));
        };
        match exchange.fault {
            Some(Fault::Timeout) => {
                return Err(Error::Timeout {
                    phase: TimeoutPhase::Request,
                    after: Duration::ZERO,
                    may_have_been_sent: true,
                });
            }
            Some(Fault::Reset) => {
                return Err(Error::after_send(
                    std::io::Error::from(std::io::ErrorKind::ConnectionReset),
                    false,
                ));
            }
            Some(Fault::ConnectRefused) => {
                return Err(Error::connect(std::io::Error::from(
                    std::io::ErrorKind::ConnectionRefused,
                )));
            }
            None => {}
        }
        let body = exchange.body_bytes();
        if body.len() as u64 > self.max_response_bytes {
            return Err(Error::BodyTooLarge {
                limit: self.max_response_bytes,
            });
        }
        let mut response = http::Response::new(body);
        *response.status_mut() = http::StatusCode::from_u16(exchange.status)
            .map_err(|e| Error::build(format!("replay: status {}: {e}", exchange.status)))?;
        for (name, value) in &exchange.headers {
            let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) else {
                continue;
            };
            if name == CONTENT_ENCODING || name == CONTENT_LENGTH {
                continue; // the body is stored decoded
            }
            response.headers_mut().append(name, value);
        }
        Ok(response)
    }
}
