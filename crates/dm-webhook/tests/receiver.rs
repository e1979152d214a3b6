//! The receiver over loopback: CRC, signatures (valid, forged, missing), body limits, paths;
//! and end to end with the sandbox: a real CRC check at registration, signed deliveries
//! with duplicates and retries, X Activity API and Account Activity deliveries of the same
//! messages, and a replay — every message reaches the sink exactly once.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use dm_fake::{ActivityConfig, FakeServer};
use dm_model::activity::{ActivityEventType, CreateSubscriptionRequest, ReplayTime};
use dm_webhook::{
    ConsumerSecret, JsonlSink, Receiver, ReceiverConfig, WebhookEvent, WebhookServer, drain,
};
use http_body_util::{BodyExt, Empty, Full};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

async fn start(secret: &str, config: ReceiverConfig) -> (SocketAddr, Receiver, dm_webhook::Events) {
    let (receiver, events) = Receiver::new(ConsumerSecret::new(secret), config);
    let server = WebhookServer::bind("127.0.0.1:0".parse().unwrap(), receiver.clone())
        .await
        .unwrap();
    let addr = server.local_addr().unwrap();
    tokio::spawn(server.run());
    (addr, receiver, events)
}

/// Sends one request on a fresh connection; returns the status and body.
async fn send(addr: SocketAddr, request: http::Request<Full<Bytes>>) -> (u16, Bytes) {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let response = sender.send_request(request).await.unwrap();
    let status = response.status().as_u16();
    (
        status,
        response.into_body().collect().await.unwrap().to_bytes(),
    )
}

fn post(
    addr: SocketAddr,
    path: &str,
    body: &[u8],
    signature: Option<&str>,
) -> http::Request<Full<Bytes>> {
    let mut b = http::Request::post(path)
        .header("host", addr.to_string())
        .header("content-type", "application/json");
    if let Some(s) = signature {
        b = b.header("X-Twitter-Webhooks-Signature", s);
    }
    b.body(Full::new(Bytes::copy_from_slice(body))).unwrap()
}

const AAA: &str = r#"{"for_user_id":"4337869213","direct_message_events":[
 {"type":"message_create","id":"954491830116155396","created_timestamp":"1516403560557","message_create":{"target":{"recipient_id":"4337869213"},"sender_id":"3001969357","message_data":{"text":"one"}}},
 {"type":"message_create","id":"954491830116155397","created_timestamp":"1516403560558","message_create":{"target":{"recipient_id":"4337869213"},"sender_id":"3001969357","message_data":{"text":"two"}}}],
 "users":{"3001969357":{"id":"3001969357","screen_name":"furiouscamper","name":"Jordan Brinks"}}}"#;

#[tokio::test]
async fn crc_and_signatures_are_checked_before_anything_is_delivered() {
    let (addr, receiver, mut events) =
        start("secret", ReceiverConfig::default().max_body_bytes(4096)).await;
    // The reference's CRC vector, answered at the webhook path only.
    let crc = http::Request::get("/webhook?crc_token=challenge_string")
        .header("host", addr.to_string())
        .body(Full::new(Bytes::new()))
        .unwrap();
    let (status, body) = send(addr, crc).await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        v,
        json!({"response_token": "sha256=KVLX9CEwUdVdeJfmJAnltj/knkdCqwZJlA1u97xbErw="})
    );
    let elsewhere = http::Request::get("/other?crc_token=x")
        .header("host", addr.to_string())
        .body(Full::new(Bytes::new()))
        .unwrap();
    assert_eq!(send(addr, elsewhere).await.0, 404);
    let no_token = http::Request::get("/webhook")
        .header("host", addr.to_string())
        .body(Full::new(Bytes::new()))
        .unwrap();
    assert_eq!(send(addr, no_token).await.0, 400);

    // The reference's signature vector.
    let body = br#"{"for_user_id":"2244994945"}"#;
    let good = "sha256=r2p8DS1BxgWdVwvrFFfY2v2MPTnOGigs38KbBiZ2j3Y=";
    let forged = ConsumerSecret::new("not-the-secret").sign(body);
    assert_eq!(
        send(addr, post(addr, "/webhook", body, Some(&forged)))
            .await
            .0,
        401
    );
    assert_eq!(send(addr, post(addr, "/webhook", body, None)).await.0, 401);
    assert_eq!(
        send(
            addr,
            post(
                addr,
                "/webhook",
                b"{\"for_user_id\":\"2244994946\"}",
                Some(good)
            )
        )
        .await
        .0,
        401,
        "signed over other bytes"
    );
    assert_eq!(
        send(addr, post(addr, "/webhook", body, Some(good))).await.0,
        200
    );
    // Oversized: refused whether the length is announced or not.
    let big = format!(r#"{{"pad":"{}"}}"#, "x".repeat(5000));
    let sig = ConsumerSecret::new("secret").sign(big.as_bytes());
    assert_eq!(
        send(addr, post(addr, "/webhook", big.as_bytes(), Some(&sig)))
            .await
            .0,
        413
    );
    let chunked = {
        let stream = futures::stream::iter(vec![Ok::<_, std::convert::Infallible>(
            hyper::body::Frame::data(Bytes::from(big.clone())),
        )]);
        http::Request::post("/webhook")
            .header("x-twitter-webhooks-signature", sig.as_str())
            .body(http_body_util::StreamBody::new(stream))
            .unwrap()
    };
    assert_eq!(receiver.handle(chunked).await.status(), 413);
    // A signed body that is not JSON.
    let junk = b"not json";
    let sig = ConsumerSecret::new("secret").sign(junk);
    assert_eq!(
        send(addr, post(addr, "/webhook", junk, Some(&sig))).await.0,
        400
    );
    let put = http::Request::put("/webhook")
        .body(Empty::<Bytes>::new())
        .unwrap();
    assert_eq!(receiver.handle(put).await.status(), 405);

    let stats = receiver.stats();
    assert_eq!(
        (stats.unauthorized, stats.too_large, stats.malformed),
        (3, 2, 1),
        "{stats:?}"
    );
    assert_eq!(stats.events, 1, "only the genuine body: {stats:?}");
    let only = events.recv().await.unwrap();
    assert!(matches!(only, WebhookEvent::AccountActivity(_)));
    assert!(
        tokio::time::timeout(Duration::from_millis(100), events.recv())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn account_activity_bodies_are_split_and_each_event_deduplicated() {
    let secret = ConsumerSecret::new("s");
    let (receiver, mut events) = Receiver::new(secret.clone(), ReceiverConfig::default());
    let req = |body: &str| {
        http::Request::post("/webhook")
            .header("x-twitter-webhooks-signature", secret.sign(body.as_bytes()))
            .body(Full::new(Bytes::from(body.to_owned())))
            .unwrap()
    };
    assert_eq!(receiver.handle(req(AAA)).await.status(), 200);
    // A redelivery of the second message alone, and the whole body again.
    let v: Value = serde_json::from_str(AAA).unwrap();
    let mut second = v.clone();
    second["direct_message_events"] = json!([v["direct_message_events"][1]]);
    assert_eq!(
        receiver.handle(req(&second.to_string())).await.status(),
        200
    );
    assert_eq!(receiver.handle(req(AAA)).await.status(), 200);
    let mut texts = Vec::new();
    while let Ok(Some(e)) = tokio::time::timeout(Duration::from_millis(100), events.recv()).await {
        let WebhookEvent::AccountActivity(p) = &e else {
            panic!()
        };
        assert_eq!(p.direct_message_events.len(), 1, "one event per item");
        assert!(p.users.is_some(), "each keeps the users");
        for m in e.messages().unwrap() {
            texts.push(m.event.text.unwrap());
        }
    }
    assert_eq!(texts, ["one", "two"]);
    assert_eq!(receiver.stats().duplicates, 3);
}

#[tokio::test]
async fn a_full_queue_is_503_and_the_retry_is_not_taken_for_a_duplicate() {
    let secret = ConsumerSecret::new("s");
    let (receiver, mut events) = Receiver::new(secret.clone(), ReceiverConfig::default().queue(1));
    let req = |body: &str| {
        http::Request::post("/webhook")
            .header("x-twitter-webhooks-signature", secret.sign(body.as_bytes()))
            .body(Full::new(Bytes::from(body.to_owned())))
            .unwrap()
    };
    // Two events, room for one: refused whole.
    assert_eq!(receiver.handle(req(AAA)).await.status(), 503);
    assert_eq!(receiver.stats().overloaded, 1);
    let v: Value = serde_json::from_str(AAA).unwrap();
    let mut first = v.clone();
    first["direct_message_events"] = json!([v["direct_message_events"][0]]);
    assert_eq!(receiver.handle(req(&first.to_string())).await.status(), 200);
    assert_eq!(
        events.recv().await.unwrap().messages().unwrap()[0]
            .event
            .text
            .as_deref(),
        Some("one")
    );
    // X redelivers the refused body: the new event goes through, the other was had.
    assert_eq!(receiver.handle(req(AAA)).await.status(), 200);
    assert_eq!(
        events.recv().await.unwrap().messages().unwrap()[0]
            .event
            .text
            .as_deref(),
        Some("two")
    );
}

/// A `Write` into shared memory.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_message_reaches_the_sink_exactly_once_through_duplicates_both_apis_and_a_replay() {
    let fake = FakeServer::builder()
        .seed(9)
        .events(40)
        .activity(
            ActivityConfig::new()
                .duplicate_deliveries(true)
                .retry_delays(vec![Duration::from_millis(20); 3]),
        )
        .start()
        .await
        .unwrap();
    let (addr, receiver, events) = start(fake.consumer_secret(), ReceiverConfig::default()).await;
    let out = Shared::default();
    let sink_out = out.clone();
    let drained = tokio::spawn(async move {
        let mut sink = JsonlSink::new(sink_out);
        drain(events, &mut sink).await
    });
    let client = dm_stream::Client::builder()
        .base_url(fake.base_url())
        .bearer_token(fake.token())
        .app_bearer_token(fake.app_token())
        .build()
        .unwrap();
    // Registration runs a real CRC check against the receiver.
    let hook = client
        .register_webhook(&format!("http://{addr}/webhook"))
        .await
        .unwrap();
    assert_eq!(hook.valid, Some(true));
    assert_eq!(receiver.stats().crc_challenges, 1);
    let id = hook.id.unwrap();
    client
        .create_subscription(
            CreateSubscriptionRequest::for_user(ActivityEventType::DmReceived, fake.me())
                .webhook(id.clone()),
        )
        .await
        .unwrap();
    assert!(client.subscribe_account_activity(id.clone()).await.unwrap());
    assert!(
        client
            .account_activity_subscribed(id.clone())
            .await
            .unwrap()
    );
    let mut ids = Vec::new();
    for i in 0..20 {
        ids.push(
            fake.inject_incoming("2222222222222222222", format!("hook {i}"))
                .unwrap(),
        );
    }
    // Each message: an X Activity API event and an Account Activity body, each posted twice.
    let wait_for = |n: u64| {
        let receiver = receiver.clone();
        async move {
            for _ in 0..500 {
                if receiver.stats().deliveries >= n {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            panic!("deliveries: {:?}", receiver.stats());
        }
    };
    wait_for(80).await;
    // A replay of the last minutes redelivers them all again (with new uuids), then says so.
    let now = time::OffsetDateTime::from_unix_timestamp(fake.now_ms() / 1000).unwrap();
    let from = ReplayTime::from_datetime(now - time::Duration::minutes(5));
    let to = ReplayTime::from_datetime(now + time::Duration::minutes(1));
    let job = client.replay_webhook(id.clone(), from, to).await.unwrap();
    assert!(job.job_id.is_some());
    wait_for(80 + 80 + 2).await;
    let stats = receiver.stats();
    assert_eq!(
        stats.events, 21,
        "20 messages and one replay completion: {stats:?}"
    );
    assert_eq!(stats.duplicates, 80 + 80 + 2 - 21, "{stats:?}");
    assert_eq!(stats.unauthorized, 0);
    // The sink holds each message once, as `xdm events` prints it.
    for _ in 0..100 {
        if out
            .0
            .lock()
            .unwrap()
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            >= 20
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let got: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(got, ids.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(lines[0]["event_type"], "MessageCreate");
    assert_eq!(lines[0]["text"], "hook 0");
    assert_eq!(
        lines[0]["includes"]["users"][0]["id"],
        "2222222222222222222"
    );
    drop(receiver);
    drained.abort();
}
