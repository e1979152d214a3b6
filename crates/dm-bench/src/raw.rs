//! The raw baseline: the bare hyper client (pooled HTTP/1.1 over loopback) plus serde_json
//! into [`MinimalPage`], paging with `next_token`. No auth layer, no rate limiter, no retry,
//! no typed model: the limit of this stack. With [`PageDecode::Typed`] the same loop decodes
//! into `dm_model::DmEventsPage` instead, which isolates what the client's layers cost.

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::BenchError;
use crate::lookup;
use crate::minimal::MinimalPage;

/// What the baseline decodes each page into.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum PageDecode {
    /// [`MinimalPage`] with `serde_json`: the floor.
    #[default]
    Minimal,
    /// `dm_model::DmEventsPage` with `dm_model::decode`, as the client decodes it.
    Typed,
}

impl PageDecode {
    /// The number of events and the `next_token` of `body`.
    fn read(self, body: &[u8]) -> Result<(usize, Option<String>), BenchError> {
        Ok(match self {
            PageDecode::Minimal => {
                let page: MinimalPage = serde_json::from_slice(body)?;
                (page.data.len(), page.meta.next_token)
            }
            PageDecode::Typed => {
                let page: dm_model::DmEventsPage = dm_model::decode(body)?;
                (page.data.len(), page.meta.next_token)
            }
        })
    }
}

/// What a run through every page saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RawRun {
    /// Events decoded.
    pub events: u64,
    /// Requests sent (pages, including a trailing empty one).
    pub requests: u64,
    /// Body bytes received.
    pub bytes: u64,
}

/// A bare hyper client with a bearer token, for `http://` loopback servers.
#[derive(Clone)]
pub struct RawClient {
    client: Client<HttpConnector, Empty<Bytes>>,
    base: String,
    authorization: String,
}

impl std::fmt::Debug for RawClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is never printed.
        f.debug_struct("RawClient")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl RawClient {
    /// A client for `base` (`http://127.0.0.1:port`) sending `Authorization: Bearer {token}`.
    pub fn new(base: impl Into<String>, token: &str) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        RawClient {
            client: Client::builder(TokioExecutor::new()).build(connector),
            base: base.into().trim_end_matches('/').to_owned(),
            authorization: format!("Bearer {token}"),
        }
    }

    /// `GET {base}{path_and_query}`: the body of a 200.
    ///
    /// # Errors
    /// [`BenchError::Http`] when the exchange fails, [`BenchError::Status`] for any status
    /// but 200.
    pub async fn get(&self, path_and_query: &str) -> Result<Bytes, BenchError> {
        let request = http::Request::get(format!("{}{path_and_query}", self.base))
            .header(http::header::AUTHORIZATION, &self.authorization)
            .header(http::header::ACCEPT, "application/json")
            .body(Empty::new())
            .map_err(|e| BenchError::Request(e.to_string()))?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| BenchError::Http(e.to_string()))?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| BenchError::Http(e.to_string()))?
            .to_bytes();
        if status != 200 {
            return Err(BenchError::Status {
                status,
                path_and_query: path_and_query.to_owned(),
            });
        }
        Ok(body)
    }

    /// Pages through the benchmarked lookup ([`lookup::first_page_path_and_query`]) with
    /// `next_token` until there is none, or until `limit` events were decoded, decoding each
    /// page as `decode` says.
    ///
    /// # Errors
    /// The first failed request or undecodable body.
    pub async fn run(&self, limit: Option<u64>, decode: PageDecode) -> Result<RawRun, BenchError> {
        let first = lookup::first_page_path_and_query()?;
        // `/2/dm_events?max_results=100&<fields>`: the token goes right after `max_results`,
        // where the client puts it.
        let (head, fields) = first
            .split_once("max_results=100&")
            .ok_or_else(|| BenchError::Request(format!("unexpected lookup `{first}`")))?;
        let mut run = RawRun::default();
        let mut token: Option<String> = None;
        loop {
            let pq = match &token {
                None => first.clone(),
                Some(t) => format!("{head}max_results=100&pagination_token={t}&{fields}"),
            };
            let body = self.get(&pq).await?;
            run.requests += 1;
            run.bytes += body.len() as u64;
            let (events, next_token) = decode.read(&body)?;
            run.events += events as u64;
            if limit.is_some_and(|l| run.events >= l) {
                return Ok(run);
            }
            match next_token {
                Some(t) if Some(&t) != token.as_ref() => token = Some(t),
                _ => return Ok(run),
            }
        }
    }
}
