//! A response before it is written: status, headers, body, and how to deliver it.

use bytes::Bytes;
use serde_json::Value;

/// A response the handlers produce.
#[derive(Clone, Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Bytes,
}

impl Reply {
    pub(crate) fn json(status: u16, v: &Value) -> Self {
        Self::raw(
            status,
            "application/json; charset=utf-8",
            Bytes::from(serde_json::to_vec(v).unwrap_or_default()),
        )
    }

    pub(crate) fn problem(status: u16, v: &Value) -> Self {
        Self::raw(
            status,
            "application/problem+json",
            Bytes::from(serde_json::to_vec(v).unwrap_or_default()),
        )
    }

    pub(crate) fn raw(status: u16, content_type: &str, body: Bytes) -> Self {
        Self {
            status,
            headers: vec![("content-type", content_type.to_owned())],
            body,
        }
    }

    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}
