//! [`CaptureTransport`]: records requests and answers with scripted responses.

use std::collections::VecDeque;
use std::sync::Mutex;

use async_trait::async_trait;
use bytes::Bytes;
use http::{HeaderMap, Method, Uri};

use crate::{Error, Transport};

/// A request as the transport received it (headers included, for assertions).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CapturedRequest {
    /// The method.
    pub method: Method,
    /// The URI.
    pub uri: Uri,
    /// The headers (the `Authorization` value is marked sensitive and redacted in `Debug`).
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

/// Captures every request; answers with queued responses, then with `200 {}`.
#[derive(Debug, Default)]
pub struct CaptureTransport {
    requests: Mutex<Vec<CapturedRequest>>,
    responses: Mutex<VecDeque<Result<http::Response<Bytes>, Error>>>,
}

impl CaptureTransport {
    /// A transport answering `200 {}`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues a response.
    pub fn push_response(&self, response: http::Response<Bytes>) {
        if let Ok(mut q) = self.responses.lock() {
            q.push_back(Ok(response));
        }
    }

    /// Queues a JSON response with a status.
    pub fn push_json(&self, status: u16, body: &str) {
        let mut response = http::Response::new(Bytes::from(body.to_owned()));
        *response.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK);
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        self.push_response(response);
    }

    /// Queues an error.
    pub fn push_error(&self, error: Error) {
        if let Ok(mut q) = self.responses.lock() {
            q.push_back(Err(error));
        }
    }

    /// The requests so far.
    pub fn requests(&self) -> Vec<CapturedRequest> {
        self.requests.lock().map(|g| g.clone()).unwrap_or_default()
    }
}

#[async_trait]
impl Transport for CaptureTransport {
    async fn send(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, Error> {
        let (parts, body) = request.into_parts();
        if let Ok(mut log) = self.requests.lock() {
            log.push(CapturedRequest {
                method: parts.method,
                uri: parts.uri,
                headers: parts.headers,
                body,
            });
        }
        let next = self.responses.lock().ok().and_then(|mut q| q.pop_front());
        next.unwrap_or_else(|| Ok(http::Response::new(Bytes::from_static(b"{}"))))
    }
}
