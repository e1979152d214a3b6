//! [`HyperTransport`]: hyper 1 + hyper-util's pooled client + rustls.

mod body;
mod builder;
mod classify;
mod tls;

use std::net::IpAddr;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http::header::{ACCEPT_ENCODING, HeaderValue};
use http_body_util::Full;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;

pub use builder::HyperTransportBuilder;

use crate::{Error, TimeoutPhase, Transport};

/// The production transport: hyper 1 over hyper-util's pooled legacy client with rustls.
///
/// * TLS through one explicitly chosen crypto provider (ring by default), HTTP/1.1 and
///   HTTP/2 negotiated by ALPN, pooled keep-alive connections.
/// * A connect timeout and a whole-request timeout that also covers reading the body.
/// * `Accept-Encoding: gzip` with transparent decompression; a response-size limit
///   (default 16 MiB) applied to the decompressed size too.
/// * Plain `http://` only to loopback addresses unless explicitly allowed.
/// * Redirects are never followed: a 3xx comes back as it is, so credentials never travel
///   to another host.
/// * An idempotent request that fails on a pooled connection before any response is
///   retried once (on another connection).
///
/// ```
/// use std::time::Duration;
/// use dm_transport::HyperTransport;
/// let transport = HyperTransport::builder()
///     .connect_timeout(Duration::from_secs(5))
///     .request_timeout(Duration::from_secs(30))
///     .max_response_bytes(4 * 1024 * 1024)
///     .build()?;
/// # Ok::<(), dm_transport::Error>(())
/// ```
#[derive(Clone)]
pub struct HyperTransport {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    config: Config,
}

#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) connect_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) max_response_bytes: u64,
    pub(crate) allow_plain_http_to_any_host: bool,
    pub(crate) gzip: bool,
}

impl std::fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HyperTransport")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl HyperTransport {
    /// A builder with the defaults (10 s connect, 30 s request, 16 MiB, gzip on).
    pub fn builder() -> HyperTransportBuilder {
        HyperTransportBuilder::default()
    }

    /// A transport with the defaults.
    ///
    /// # Errors
    ///
    /// [`Error::Build`] when no crypto provider or TLS roots are compiled in.
    pub fn new() -> Result<Self, Error> {
        Self::builder().build()
    }

    /// The response-size limit in bytes.
    pub fn max_response_bytes(&self) -> u64 {
        self.config.max_response_bytes
    }

    fn check_scheme(&self, uri: &http::Uri) -> Result<(), Error> {
        match uri.scheme_str() {
            Some("https") => Ok(()),
            Some("http") if self.config.allow_plain_http_to_any_host || is_loopback(uri) => Ok(()),
            Some("http") => Err(Error::build(format!(
                "refusing plain http:// to non-loopback host `{}`: use https:// (or allow_plain_http_to_any_host)",
                uri.host().unwrap_or_default()
            ))),
            _ => Err(Error::build(format!(
                "the request URI must be absolute http(s), got `{}`",
                uri.path()
            ))),
        }
    }

    /// Sends the request and waits for the response head.
    async fn request_head(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<hyper::body::Incoming>, Error> {
        let idempotent = is_idempotent_method(request.method());
        let retry_copy = idempotent.then(|| crate::stack::copy_request_head(&request));
        let response = match self.client.request(request.map(Full::new)).await {
            Ok(response) => response,
            Err(e) => match (classify::is_stale_connection(&e), retry_copy) {
                // A pooled connection died before any response: once more, on another one.
                (true, Some(copy)) => {
                    tracing::debug!("pooled connection closed before a response; retrying once");
                    self.client
                        .request(copy.map(Full::new))
                        .await
                        .map_err(|e| classify::client_error(e, self.config.connect_timeout))?
                }
                _ => return Err(classify::client_error(e, self.config.connect_timeout)),
            },
        };
        Ok(response)
    }

    async fn send_inner(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, Error> {
        let response = self.request_head(request).await?;
        let (mut parts, incoming) = response.into_parts();
        let limit = self.config.max_response_bytes;
        let raw = body::read_limited(incoming, &parts.headers, limit).await?;
        let body = body::decode_content(&mut parts.headers, raw, limit)?;
        Ok(http::Response::from_parts(parts, body))
    }
}

#[async_trait]
impl Transport for HyperTransport {
    async fn send(
        &self,
        mut request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, Error> {
        self.check_scheme(request.uri())?;
        if self.config.gzip && !request.headers().contains_key(ACCEPT_ENCODING) {
            request
                .headers_mut()
                .insert(ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
        }
        let timeout = self.config.request_timeout;
        match tokio::time::timeout(timeout, self.send_inner(request)).await {
            Ok(result) => result,
            Err(_) => Err(Error::Timeout {
                phase: TimeoutPhase::Request,
                after: timeout,
                may_have_been_sent: true,
            }),
        }
    }

    /// Streams the body: the response comes back when its head arrives (within the
    /// request timeout), then each chunk as it arrives (each within the request timeout).
    /// Asks for the identity encoding; a body the server encodes anyway is decoded in
    /// memory within the size limit.
    async fn send_streaming(
        &self,
        mut request: http::Request<Bytes>,
    ) -> Result<http::Response<crate::BodyStream>, Error> {
        self.check_scheme(request.uri())?;
        if !request.headers().contains_key(ACCEPT_ENCODING) {
            request
                .headers_mut()
                .insert(ACCEPT_ENCODING, HeaderValue::from_static("identity"));
        }
        let timeout = self.config.request_timeout;
        let response = match tokio::time::timeout(timeout, self.request_head(request)).await {
            Ok(result) => result?,
            Err(_) => {
                return Err(Error::Timeout {
                    phase: TimeoutPhase::Request,
                    after: timeout,
                    may_have_been_sent: true,
                });
            }
        };
        let (mut parts, incoming) = response.into_parts();
        let encoded = parts
            .headers
            .get(http::header::CONTENT_ENCODING)
            .is_some_and(|v| !v.as_bytes().eq_ignore_ascii_case(b"identity"));
        if encoded {
            let limit = self.config.max_response_bytes;
            let raw = body::read_limited(incoming, &parts.headers, limit).await?;
            let decoded = body::decode_content(&mut parts.headers, raw, limit)?;
            return Ok(http::Response::from_parts(
                parts,
                crate::BodyStream::from_bytes(decoded),
            ));
        }
        Ok(http::Response::from_parts(
            parts,
            body::chunks(incoming, timeout),
        ))
    }
}

/// GET, HEAD, OPTIONS, TRACE, PUT and DELETE (RFC 9110 §9.2.2).
pub(crate) fn is_idempotent_method(method: &http::Method) -> bool {
    method.is_idempotent()
}

/// `localhost`, `127.0.0.0/8`, `::1`.
pub(crate) fn is_loopback(uri: &http::Uri) -> bool {
    let Some(host) = uri.host() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_detection() {
        for ok in [
            "http://127.0.0.1:1/",
            "http://localhost/",
            "http://[::1]:80/",
            "http://127.9.9.9/",
        ] {
            assert!(is_loopback(&ok.parse().unwrap()), "{ok}");
        }
        for no in [
            "http://10.0.0.1/",
            "http://api.x.com/",
            "http://localhost.evil.com/",
        ] {
            assert!(!is_loopback(&no.parse().unwrap()), "{no}");
        }
    }

    #[tokio::test]
    async fn plain_http_to_a_remote_host_is_refused_before_connecting() {
        let t = HyperTransport::new().unwrap();
        let req = http::Request::get("http://api.x.com/2/dm_events")
            .body(Bytes::new())
            .unwrap();
        let err = t.send(req).await.unwrap_err();
        assert!(matches!(err, Error::Build { .. }), "{err}");
        assert!(!err.may_have_been_sent());
        let req = http::Request::get("/2/dm_events")
            .body(Bytes::new())
            .unwrap();
        assert!(matches!(
            t.send(req).await.unwrap_err(),
            Error::Build { .. }
        ));
    }
}
