//! The real-time scenarios of `cargo xtask bench --realtime`, in one process (the sandbox,
//! the client and the webhook receiver share one clock): latency from an injected message
//! to the consumer, on the activity stream and through a webhook, and how many events per
//! second one webhook receiver verifies and writes (as JSONL, and into an SQLite store).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use dm_fake::{ActivityConfig, FakeServer};
use dm_model::activity::{ActivityEventType, CreateSubscriptionRequest};
use dm_stream::{ActivityStreamOptions, Client};
use dm_webhook::{
    ConsumerSecret, JsonlSink, Receiver, ReceiverConfig, Sink, SinkError, StoreSink, WebhookEvent,
    WebhookServer, drain,
};
use futures::TryStreamExt;
use http_body_util::Full;
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::rt::TokioExecutor;
use serde_json::json;

use crate::BenchError;

/// The sender of the injected messages.
const SENDER: &str = "2222222222222222222";

/// Latencies of one scenario, in milliseconds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Latencies {
    /// Every sample, sorted.
    pub sorted_ms: Vec<f64>,
}

impl Latencies {
    fn new(mut ms: Vec<f64>) -> Self {
        ms.sort_by(f64::total_cmp);
        Latencies { sorted_ms: ms }
    }

    /// The `q` quantile (0..=1), nearest rank.
    pub fn quantile(&self, q: f64) -> f64 {
        let n = self.sorted_ms.len();
        if n == 0 {
            return f64::NAN;
        }
        let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
        self.sorted_ms[rank - 1]
    }

    /// The median.
    pub fn median(&self) -> f64 {
        self.quantile(0.5)
    }

    /// The 99th percentile.
    pub fn p99(&self) -> f64 {
        self.quantile(0.99)
    }
}

fn err(e: impl std::fmt::Display) -> BenchError {
    BenchError::Other(e.to_string())
}

async fn sandbox() -> Result<FakeServer, BenchError> {
    FakeServer::builder()
        .seed(21)
        .events(100)
        .activity(ActivityConfig::new())
        .start()
        .await
        .map_err(err)
}

fn client(s: &FakeServer) -> Result<Client, BenchError> {
    Client::builder()
        .base_url(s.base_url())
        .bearer_token(s.token())
        .app_bearer_token(s.app_token())
        .build()
        .map_err(err)
}

/// Injects `n` messages one at a time, each after the previous one reached the consumer of
/// the activity stream; the time from injection to arrival of each.
///
/// # Errors
///
/// [`BenchError`] when the stream fails or a message does not arrive within 10 s.
pub async fn stream_latency(n: usize) -> Result<Latencies, BenchError> {
    let s = sandbox().await?;
    let c = client(&s)?;
    c.ensure_dm_subscription(s.me()).await.map_err(err)?;
    let mut stream = c
        .activity_stream(ActivityStreamOptions::default())
        .dm_messages();
    // Connect (the stream is lazy) and warm up with one message.
    let mut samples = Vec::with_capacity(n);
    for i in 0..=n {
        if i == 0 {
            while s.activity_stream_connections() == 0 {
                let _ = tokio::time::timeout(Duration::from_millis(5), stream.try_next()).await;
            }
        }
        let start = Instant::now();
        let id = s.inject_incoming(SENDER, format!("m {i}")).map_err(err)?;
        let m = tokio::time::timeout(Duration::from_secs(10), stream.try_next())
            .await
            .map_err(|_| err("a message did not arrive on the stream within 10 s"))?
            .map_err(err)?
            .ok_or_else(|| err("the stream ended"))?;
        let took = start.elapsed();
        if m.event.id.as_str() != id {
            return Err(err(format!("got {} instead of {id}", m.event.id)));
        }
        if i > 0 {
            samples.push(took.as_secs_f64() * 1e3);
        }
    }
    Ok(Latencies::new(samples))
}

/// Injects `n` messages one at a time, each after the previous one came out of the webhook
/// receiver's event stream (registered with a real CRC check, deliveries signed and
/// verified); the time from injection to arrival of each.
///
/// # Errors
///
/// [`BenchError`] when registration fails or a message does not arrive within 10 s.
pub async fn webhook_latency(n: usize) -> Result<Latencies, BenchError> {
    let s = sandbox().await?;
    let c = client(&s)?;
    let (receiver, mut events) = Receiver::new(
        ConsumerSecret::new(s.consumer_secret()),
        ReceiverConfig::default(),
    );
    let server = WebhookServer::bind("127.0.0.1:0".parse().map_err(err)?, receiver)
        .await
        .map_err(err)?;
    let addr = server.local_addr().map_err(err)?;
    tokio::spawn(server.run());
    let hook = c
        .register_webhook(&format!("http://{addr}/webhook"))
        .await
        .map_err(err)?;
    let id = hook.id.ok_or_else(|| err("no webhook id"))?;
    c.create_subscription(
        CreateSubscriptionRequest::for_user(ActivityEventType::DmReceived, s.me()).webhook(id),
    )
    .await
    .map_err(err)?;
    let mut samples = Vec::with_capacity(n);
    for i in 0..=n {
        let start = Instant::now();
        let id = s.inject_incoming(SENDER, format!("w {i}")).map_err(err)?;
        let event = tokio::time::timeout(Duration::from_secs(10), events.recv())
            .await
            .map_err(|_| err("a message did not arrive through the webhook within 10 s"))?
            .ok_or_else(|| err("the receiver stopped"))?;
        let took = start.elapsed();
        let messages = event.messages().map_err(err)?;
        if messages.first().map(|m| m.event.id.as_str()) != Some(id.as_str()) {
            return Err(err("the webhook delivered another message"));
        }
        if i > 0 {
            samples.push(took.as_secs_f64() * 1e3);
        }
    }
    Ok(Latencies::new(samples))
}

/// `n` signed `dm.received` bodies like the API's (users included), each a distinct event.
pub fn signed_bodies(secret: &ConsumerSecret, n: usize) -> Vec<(Bytes, String)> {
    (0..n)
        .map(|i| {
            let body = json!({"data": {
                "event_uuid": format!("-{}", 3_577_827_201_104_920_132u64 + i as u64),
                "filter": {"user_id": "1111111111111111111"},
                "event_type": "dm.received",
                "tag": "bench",
                "payload": {
                    "direct_message_events": [{
                        "type": "message_create",
                        "id": (2_080_765_901_528_535_096u64 + i as u64).to_string(),
                        "created_timestamp": "1784928224372",
                        "message_create": {
                            "target": {"recipient_id": "1111111111111111111"},
                            "sender_id": SENDER,
                            "message_data": {"text": format!("hello {i}"),
                                "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []}}
                        }
                    }],
                    "users": {
                        SENDER: {"data": {"id": SENDER, "username": "OtherUser", "name": "OtherUser",
                            "protected": false, "verified": false, "verified_type": "none",
                            "created_at": "2026-04-20T19:55:59.000Z", "description": "",
                            "public_metrics": {"followers_count": 97, "followers_count_str": "97",
                                "following_count": 1, "following_count_str": "1",
                                "tweet_count": 50, "tweet_count_str": "50"}}},
                        "1111111111111111111": {"data": {"id": "1111111111111111111",
                            "username": "ExampleUser", "name": "Example User",
                            "location": "San Francisco, CA", "verified": true,
                            "created_at": "2023-10-23T13:44:53.000Z"}}
                    }
                }
            }});
            let bytes = Bytes::from(serde_json::to_vec(&body).unwrap_or_default());
            let signature = secret.sign(&bytes);
            (bytes, signature)
        })
        .collect()
}

/// A sink that counts the events its inner sink has flushed (written, committed).
struct Counting {
    inner: Box<dyn Sink>,
    pending: u64,
    flushed: Arc<AtomicU64>,
}

#[async_trait::async_trait]
impl Sink for Counting {
    async fn deliver(&mut self, event: &WebhookEvent) -> Result<(), SinkError> {
        self.inner.deliver(event).await?;
        self.pending += 1;
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), SinkError> {
        self.inner.flush().await?;
        self.flushed.fetch_add(self.pending, Ordering::Relaxed);
        self.pending = 0;
        Ok(())
    }
}

/// Drains `events` into `inner`; the count of events flushed.
fn counting_drain(
    events: dm_webhook::Events,
    inner: Box<dyn Sink>,
) -> (Arc<AtomicU64>, tokio::task::JoinHandle<()>) {
    let flushed = Arc::new(AtomicU64::new(0));
    let mut sink = Counting {
        inner,
        pending: 0,
        flushed: flushed.clone(),
    };
    let task = tokio::spawn(async move {
        if let Err(e) = drain(events, &mut sink).await {
            eprintln!("dm-bench-realtime: the sink failed: {e}");
        }
    });
    (flushed, task)
}

/// Waits until `count` reaches `n` (60 s at most).
async fn reach(count: &AtomicU64, n: usize) -> Result<(), BenchError> {
    let started = Instant::now();
    while count.load(Ordering::Relaxed) < n as u64 {
        if started.elapsed() > Duration::from_secs(60) {
            return Err(err(format!(
                "the sink got {} of {n} events",
                count.load(Ordering::Relaxed)
            )));
        }
        tokio::task::yield_now().await;
    }
    Ok(())
}

/// What one receiver sustained.
#[derive(Clone, Debug, PartialEq)]
pub struct Throughput {
    /// Events per second, over HTTP from `connections` keep-alive connections, verified,
    /// parsed, de-duplicated and written by the JSONL sink.
    pub http_events_per_sec: f64,
    /// Events per second through the handler alone (no sockets): verify, parse, de-duplicate,
    /// queue, and the sink.
    pub handler_events_per_sec: f64,
    /// Events per second over HTTP as `http_events_per_sec`, written into an SQLite store
    /// instead ([`StoreSink`], what `xdm webhook serve --db` runs): committed, indexed.
    pub stored_events_per_sec: f64,
    /// The body size, in bytes.
    pub body_bytes: usize,
}

/// Posts `n` distinct signed bodies to one receiver over `connections` concurrent loopback
/// connections, the JSONL sink draining; then the same through the handler directly.
///
/// # Errors
///
/// [`BenchError`] when a delivery is refused or not every event reaches the sink.
pub async fn verify_throughput(n: usize, connections: usize) -> Result<Throughput, BenchError> {
    let secret = ConsumerSecret::new("bench-consumer-secret");
    let bodies = Arc::new(signed_bodies(&secret, n));
    let body_bytes = bodies.first().map_or(0, |b| b.0.len());

    // Over HTTP, as JSONL.
    let http_secs = over_http(
        &secret,
        &bodies,
        connections,
        Box::new(JsonlSink::new(std::io::sink())),
    )
    .await?;

    // Over HTTP, into a store.
    let dir = tempfile::tempdir().map_err(err)?;
    let store = dm_store::Store::open(&format!(
        "sqlite:{}",
        dir.path().join("bench.sqlite").display()
    ))
    .await
    .map_err(err)?;
    let store_sink = StoreSink::new(store, dm_store::Account::default());
    let stored_secs = over_http(&secret, &bodies, connections, Box::new(store_sink)).await?;

    // Through the handler alone.
    let (receiver, events) = Receiver::new(secret, ReceiverConfig::default().queue(n.max(1)));
    let (delivered, draining) = counting_drain(events, Box::new(JsonlSink::new(std::io::sink())));
    let started = Instant::now();
    for (body, sig) in bodies.iter() {
        let request = http::Request::post("/webhook")
            .header("x-twitter-webhooks-signature", sig.as_str())
            .body(Full::new(body.clone()))
            .map_err(err)?;
        if receiver.handle(request).await.status() != http::StatusCode::OK {
            return Err(err("the handler refused a delivery"));
        }
    }
    reach(&delivered, n).await?;
    let handler_secs = started.elapsed().as_secs_f64();
    draining.abort();
    Ok(Throughput {
        http_events_per_sec: n as f64 / http_secs.max(1e-9),
        handler_events_per_sec: n as f64 / handler_secs.max(1e-9),
        stored_events_per_sec: n as f64 / stored_secs.max(1e-9),
        body_bytes,
    })
}

/// Posts every body to a new receiver over `connections` keep-alive loopback connections,
/// `sink` draining; the seconds until the sink has flushed every event.
async fn over_http(
    secret: &ConsumerSecret,
    bodies: &Arc<Vec<(Bytes, String)>>,
    connections: usize,
    sink: Box<dyn Sink>,
) -> Result<f64, BenchError> {
    let n = bodies.len();
    let (receiver, events) =
        Receiver::new(secret.clone(), ReceiverConfig::default().queue(n.max(1)));
    let server = WebhookServer::bind("127.0.0.1:0".parse().map_err(err)?, receiver.clone())
        .await
        .map_err(err)?;
    let addr = server.local_addr().map_err(err)?;
    let serving = tokio::spawn(server.run());
    let (delivered, draining) = counting_drain(events, sink);
    let http: HttpClient<_, Full<Bytes>> = HttpClient::builder(TokioExecutor::new())
        .pool_max_idle_per_host(connections)
        .build_http();
    let url: http::Uri = format!("http://{addr}/webhook").parse().map_err(err)?;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for k in 0..connections {
        let (http, url, bodies) = (http.clone(), url.clone(), bodies.clone());
        tasks.push(tokio::spawn(async move {
            for (body, sig) in bodies.iter().skip(k).step_by(connections) {
                let request = http::Request::post(url.clone())
                    .header("content-type", "application/json")
                    .header("x-twitter-webhooks-signature", sig.as_str())
                    .body(Full::new(body.clone()))
                    .map_err(err)?;
                let response = http.request(request).await.map_err(err)?;
                if response.status() != http::StatusCode::OK {
                    return Err(err(format!("the receiver answered {}", response.status())));
                }
            }
            Ok::<_, BenchError>(())
        }));
    }
    for t in tasks {
        t.await.map_err(err)??;
    }
    reach(&delivered, n).await?;
    let secs = started.elapsed().as_secs_f64();
    serving.abort();
    draining.abort();
    Ok(secs)
}
