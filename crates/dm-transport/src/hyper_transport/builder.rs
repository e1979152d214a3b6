//! [`HyperTransportBuilder`].

use std::time::Duration;

use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use super::{Config, HyperTransport, tls};
use crate::{DEFAULT_MAX_RESPONSE_BYTES, Error};

/// Configures a [`HyperTransport`].
#[derive(Debug)]
#[must_use]
pub struct HyperTransportBuilder {
    config: Config,
    pool_idle_timeout: Duration,
    pool_max_idle_per_host: usize,
    tls: Option<rustls::ClientConfig>,
}

impl Default for HyperTransportBuilder {
    fn default() -> Self {
        Self {
            config: Config {
                connect_timeout: Duration::from_secs(10),
                request_timeout: Duration::from_secs(30),
                max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
                allow_plain_http_to_any_host: false,
                gzip: true,
            },
            pool_idle_timeout: Duration::from_secs(60),
            pool_max_idle_per_host: 8,
            tls: None,
        }
    }
}

impl HyperTransportBuilder {
    /// Deadline for TCP connect (default 10 s). Failing it means the request was not sent.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = timeout;
        self
    }

    /// Deadline for the whole request, including reading the response body (default 30 s).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.config.request_timeout = timeout;
        self
    }

    /// Largest accepted response body, compressed or decompressed (default 16 MiB).
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.config.max_response_bytes = bytes;
        self
    }

    /// Allows plain `http://` to non-loopback hosts (off by default: tokens would travel in
    /// clear text).
    pub fn allow_plain_http_to_any_host(mut self, allow: bool) -> Self {
        self.config.allow_plain_http_to_any_host = allow;
        self
    }

    /// Sends `Accept-Encoding: gzip` and decompresses (default on).
    pub fn gzip(mut self, enabled: bool) -> Self {
        self.config.gzip = enabled;
        self
    }

    /// How long an idle pooled connection is kept (default 60 s).
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// How many idle connections per host are kept (default 8).
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.pool_max_idle_per_host = max;
        self
    }

    /// Uses this rustls configuration (custom roots, client certificates, another provider)
    /// instead of the default one. ALPN is set by the transport.
    pub fn tls_config(mut self, config: rustls::ClientConfig) -> Self {
        self.tls = Some(config);
        self
    }

    /// Builds the transport.
    ///
    /// # Errors
    ///
    /// [`Error::Build`] when no crypto provider or TLS roots are available.
    pub fn build(self) -> Result<HyperTransport, Error> {
        let tls = match self.tls {
            Some(tls) => tls,
            None => tls::default_client_config()?,
        };
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(self.config.connect_timeout));
        http.set_nodelay(true);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_all_versions()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(self.pool_idle_timeout)
            .pool_max_idle_per_host(self.pool_max_idle_per_host)
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(https);
        Ok(HyperTransport {
            client,
            config: self.config,
        })
    }
}
