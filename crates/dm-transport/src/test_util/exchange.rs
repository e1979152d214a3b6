//! [`Exchange`]: one recorded request/response pair.

use std::collections::BTreeMap;
use std::path::Path;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Error;

/// A failure to play instead of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Fault {
    /// The whole-request deadline expires ([`Error::Timeout`], may have been sent).
    Timeout,
    /// The connection resets after the request was sent ([`Error::AfterSend`]).
    Reset,
    /// The connection is refused ([`Error::Connect`], not sent).
    ConnectRefused,
}

/// One request/response pair, in the recorded-exchanges JSON shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Exchange {
    /// Where the exchange was recorded (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cassette: Option<String>,
    /// The request method.
    pub method: String,
    /// The request URI (only path and query are matched on replay).
    pub uri: String,
    /// The request body: a JSON value, a string holding JSON or text, or `null`.
    #[serde(default)]
    pub request_body: Value,
    /// The response status.
    #[serde(default = "default_status")]
    pub status: u16,
    /// The response headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The decoded response body: JSON, a string (sent as is), or `null` (empty).
    #[serde(default)]
    pub body: Value,
    /// A failure to play instead of the response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<Fault>,
}

fn default_status() -> u16 {
    200
}

impl Exchange {
    /// An exchange answering `method uri` with `status` and a JSON `body`.
    pub fn new(method: &str, uri: &str, status: u16, body: Value) -> Self {
        Self {
            cassette: None,
            method: method.to_owned(),
            uri: uri.to_owned(),
            request_body: Value::Null,
            status,
            headers: BTreeMap::new(),
            body,
            fault: None,
        }
    }

    /// Adds a response header.
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers
            .insert(name.to_ascii_lowercase(), value.to_owned());
        self
    }

    /// Plays `fault` instead of the response.
    #[must_use]
    pub fn fault(mut self, fault: Fault) -> Self {
        self.fault = Some(fault);
        self
    }

    /// Parses a JSON array of exchanges.
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] naming the JSON path that failed.
    pub fn parse_all(json: &[u8]) -> Result<Vec<Self>, Error> {
        Ok(dm_model::decode(json)?)
    }

    /// Reads a JSON file of exchanges.
    ///
    /// # Errors
    ///
    /// [`Error::Build`] when the file cannot be read, [`Error::Decode`] when it does not parse.
    pub fn load(path: impl AsRef<Path>) -> Result<Vec<Self>, Error> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)
            .map_err(|e| Error::build(format!("reading {}: {e}", path.display())))?;
        Self::parse_all(&bytes)
    }

    /// The response body bytes.
    pub fn body_bytes(&self) -> Bytes {
        value_bytes(&self.body)
    }

    /// The request body bytes.
    pub fn request_body_bytes(&self) -> Bytes {
        value_bytes(&self.request_body)
    }
}

fn value_bytes(value: &Value) -> Bytes {
    match value {
        Value::Null => Bytes::new(),
        Value::String(s) => Bytes::from(s.clone()),
        other => Bytes::from(serde_json::to_vec(other).unwrap_or_default()),
    }
}

/// A body as an exchange value: JSON when it parses, else a string, `null` when empty.
pub(crate) fn body_value(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}
