//! Test support: a scripted HTTP server on 127.0.0.1 (hyper's server), and helpers that
//! run one scenario against both the hyper transport and the replay transport.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::convert::Infallible;
use std::io::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use dm_transport::test_util::{Exchange, Fault, ReplayTransport};
use dm_transport::{HyperTransport, Transport};
use http_body_util::{BodyExt as _, StreamBody};
use hyper::body::Frame;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type ResBody = http_body_util::combinators::BoxBody<Bytes, BoxError>;

/// What the server does with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Answer normally.
    Respond,
    /// Close the connection without answering.
    Reset,
    /// Start the response, then cut the body short.
    Truncate,
    /// Send the head and half the body at once, the rest after `delay`.
    SlowBody,
}

/// A scripted reply.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub gzip: bool,
    pub delay: Duration,
    pub action: Action,
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
            gzip: false,
            delay: Duration::ZERO,
            action: Action::Respond,
        }
    }
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
    pub fn rate_limit(self, limit: u64, remaining: u64, reset: u64) -> Self {
        self.header("x-rate-limit-limit", &limit.to_string())
            .header("x-rate-limit-remaining", &remaining.to_string())
            .header("x-rate-limit-reset", &reset.to_string())
    }
    pub fn gzip(mut self) -> Self {
        self.gzip = true;
        self
    }
    pub fn delay(mut self, d: Duration) -> Self {
        self.delay = d;
        self
    }
    pub fn reset() -> Self {
        Self {
            action: Action::Reset,
            ..Self::json(200, "")
        }
    }
    pub fn slow_body(body: &str, delay: Duration) -> Self {
        Self {
            action: Action::SlowBody,
            delay,
            ..Self::json(200, body)
        }
    }
    pub fn truncated(body: &str) -> Self {
        Self {
            action: Action::Truncate,
            ..Self::json(200, body)
        }
    }

    /// The same reply as a replay exchange (faults scripted, bodies decoded).
    pub fn to_exchange(&self, method: &str, path: &str, timeout: Duration) -> Exchange {
        let body = if self.body.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&self.body).unwrap_or_else(|_| {
                serde_json::Value::String(String::from_utf8_lossy(&self.body).into_owned())
            })
        };
        let mut e = Exchange::new(
            method,
            &format!("https://api.x.com{path}"),
            self.status,
            body,
        );
        for (k, v) in &self.headers {
            e = e.header(k, v);
        }
        if self.gzip {
            e = e.header("content-encoding", "gzip");
        }
        match self.action {
            Action::Reset | Action::Truncate => e = e.fault(Fault::Reset),
            Action::Respond | Action::SlowBody if self.delay >= timeout => {
                e = e.fault(Fault::Timeout)
            }
            Action::Respond | Action::SlowBody => {}
        }
        e
    }
}

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub uri: String,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

pub type Handler = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

/// A loopback HTTP/1.1 server answering with a handler; stops on drop.
pub struct TestServer {
    pub addr: std::net::SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    connections: Arc<Mutex<u64>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestServer {
    pub async fn start(handler: Handler) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let connections: Arc<Mutex<u64>> = Arc::default();
        let (seen2, conns2) = (seen.clone(), connections.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                *conns2.lock().unwrap() += 1;
                let (handler, seen) = (handler.clone(), seen2.clone());
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(
                        move |req: http::Request<hyper::body::Incoming>| {
                            let (handler, seen) = (handler.clone(), seen.clone());
                            async move { serve(req, handler, seen).await }
                        },
                    );
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self {
            addr,
            seen,
            connections,
            task,
        }
    }

    /// Answers with `replies` in order, then 599.
    pub async fn scripted(replies: Vec<Reply>) -> Self {
        let queue = Arc::new(Mutex::new(VecDeque::from(replies)));
        Self::start(Arc::new(move |_| {
            queue
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or_else(|| Reply::json(599, r#"{"title":"script exhausted"}"#))
        }))
        .await
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base())
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn connections(&self) -> u64 {
        *self.connections.lock().unwrap()
    }
}

async fn serve(
    req: http::Request<hyper::body::Incoming>,
    handler: Handler,
    seen: Arc<Mutex<Vec<Seen>>>,
) -> Result<http::Response<ResBody>, std::io::Error> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map_err(std::io::Error::other)?
        .to_bytes();
    let request = Seen {
        method: parts.method.to_string(),
        uri: parts.uri.to_string(),
        headers: parts.headers,
        body,
    };
    seen.lock().unwrap().push(request.clone());
    let reply = handler(&request);
    if !reply.delay.is_zero() && reply.action != Action::SlowBody {
        tokio::time::sleep(reply.delay).await;
    }
    let mut body = reply.body.clone();
    if reply.gzip {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(&body).unwrap();
        body = enc.finish().unwrap();
    }
    let mut builder = http::Response::builder().status(reply.status);
    for (k, v) in &reply.headers {
        builder = builder.header(k, v);
    }
    if reply.gzip {
        builder = builder.header("content-encoding", "gzip");
    }
    match reply.action {
        Action::Reset => Err(std::io::Error::other("scripted reset")),
        Action::Truncate => {
            let half = Bytes::from(body[..body.len() / 2].to_vec());
            use futures::StreamExt as _;
            let first: Result<Frame<Bytes>, BoxError> = Ok(Frame::data(half));
            // Let the head and the first half reach the client before the cut.
            let cut = futures::stream::once(async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Err::<Frame<Bytes>, BoxError>("scripted truncation".into())
            });
            let stream = StreamBody::new(futures::stream::iter([first]).chain(cut));
            Ok(builder
                .header("content-length", body.len().to_string())
                .body(http_body_util::BodyExt::boxed(stream))
                .unwrap())
        }
        Action::SlowBody => {
            use futures::StreamExt as _;
            let (head, tail) = body.split_at(body.len() / 2);
            let first: Result<Frame<Bytes>, BoxError> = Ok(Frame::data(Bytes::from(head.to_vec())));
            let (tail, delay) = (Bytes::from(tail.to_vec()), reply.delay);
            let rest = futures::stream::once(async move {
                tokio::time::sleep(delay).await;
                Ok::<Frame<Bytes>, BoxError>(Frame::data(tail))
            });
            let stream = StreamBody::new(futures::stream::iter([first]).chain(rest));
            Ok(builder
                .header("content-length", body.len().to_string())
                .body(http_body_util::BodyExt::boxed(stream))
                .unwrap())
        }
        Action::Respond => Ok(builder
            .body(
                http_body_util::Full::new(Bytes::from(body))
                    .map_err(|e: Infallible| match e {})
                    .boxed(),
            )
            .unwrap()),
    }
}

/// Which transport a contract scenario runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Hyper,
    Replay,
}

pub const BACKENDS: [Backend; 2] = [Backend::Hyper, Backend::Replay];

/// A transport of the given kind that will answer `method path` with `replies` in order,
/// plus the base URL to send to (and the server, kept alive while it is used).
pub async fn backend(
    kind: Backend,
    method: &str,
    path: &str,
    replies: Vec<Reply>,
    timeout: Duration,
    max_bytes: u64,
) -> (Arc<dyn Transport>, String, Option<TestServer>) {
    match kind {
        Backend::Hyper => {
            let server = TestServer::scripted(replies).await;
            let transport = HyperTransport::builder()
                .request_timeout(timeout)
                .max_response_bytes(max_bytes)
                .build()
                .unwrap();
            (Arc::new(transport), server.base(), Some(server))
        }
        Backend::Replay => {
            let exchanges = replies.iter().map(|r| r.to_exchange(method, path, timeout));
            let transport = ReplayTransport::new(exchanges).max_response_bytes(max_bytes);
            (Arc::new(transport), "https://api.x.com".into(), None)
        }
    }
}

/// A `tracing` writer that appends to a shared buffer.
#[derive(Clone, Default)]
pub struct LogBuffer(pub Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    pub fn contents(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogBuffer {
    type Writer = LogBuffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}
