//! [`WebhookServer`] and [`serve`]: a ready HTTP server for a [`Receiver`], the webhook at one
//! path (default `/webhook`).

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpListener;

use crate::receiver::Receiver;

/// The default path of the webhook.
pub const DEFAULT_PATH: &str = "/webhook";

/// A bound server for a [`Receiver`]: HTTP/1.1 and HTTP/2 (cleartext; put it behind a
/// TLS-terminating proxy or tunnel, X requires `https://`), the webhook at one path,
/// 404 elsewhere, 10 s to send the request head.
#[derive(Debug)]
pub struct WebhookServer {
    listener: TcpListener,
    receiver: Receiver,
    path: String,
}

impl WebhookServer {
    /// Binds `addr`.
    ///
    /// # Errors
    ///
    /// The I/O error of binding.
    pub async fn bind(addr: SocketAddr, receiver: Receiver) -> std::io::Result<Self> {
        Ok(WebhookServer {
            listener: TcpListener::bind(addr).await?,
            receiver,
            path: DEFAULT_PATH.to_owned(),
        })
    }

    /// Serves the webhook at `path` instead of `/webhook`.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// The bound address (with the port picked for port 0).
    ///
    /// # Errors
    ///
    /// The I/O error of the socket.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes (open connections finish on their own).
    ///
    /// # Errors
    ///
    /// Never, today: accept errors (e.g. too many open files) are logged and retried.
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) -> std::io::Result<()> {
        let WebhookServer {
            listener,
            receiver,
            path,
        } = self;
        tokio::pin!(shutdown);
        loop {
            let (stream, _) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        tracing::warn!(error = %e, "webhook server: accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut shutdown => return Ok(()),
            };
            let _ = stream.set_nodelay(true);
            let receiver = receiver.clone();
            let path = path.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request: http::Request<hyper::body::Incoming>| {
                    let receiver = receiver.clone();
                    let at_path = request.uri().path() == path;
                    async move {
                        if at_path {
                            Ok::<_, Infallible>(receiver.handle(request).await)
                        } else {
                            let mut r = http::Response::new(Full::new(Bytes::new()));
                            *r.status_mut() = http::StatusCode::NOT_FOUND;
                            Ok(r)
                        }
                    }
                });
                let mut builder =
                    hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                builder
                    .http1()
                    .timer(TokioTimer::new())
                    .header_read_timeout(Duration::from_secs(10));
                let _ = builder
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    }

    /// Serves forever.
    ///
    /// # Errors
    ///
    /// As [`WebhookServer::run_until`].
    pub async fn run(self) -> std::io::Result<()> {
        self.run_until(std::future::pending()).await
    }
}

/// Serves `receiver` at `addr`, the webhook at `/webhook`, forever.
///
/// # Errors
///
/// The I/O error of binding.
pub async fn serve(addr: SocketAddr, receiver: Receiver) -> std::io::Result<()> {
    WebhookServer::bind(addr, receiver).await?.run().await
}
