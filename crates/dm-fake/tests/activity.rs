//! The sandbox's X Activity API, webhooks and Account Activity API over real sockets:
//! subscriptions, the stream (lines, keep-alives, backfill, breaks, auth), webhook
//! registration with a real CRC check, signed deliveries with retries, replay, and Account
//! Activity bodies.

mod common;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use common::{get, post, request};
use dm_fake::{ActivityConfig, FakeServer, StreamBreak};
use hmac::{Hmac, Mac};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

const OTHER: &str = "2222222222222222222";

fn sign(secret: &str, msg: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(msg);
    format!(
        "sha256={}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

async fn sandbox(config: ActivityConfig) -> FakeServer {
    FakeServer::builder()
        .seed(3)
        .events(50)
        .activity(config)
        .start()
        .await
        .unwrap()
}

fn fast() -> ActivityConfig {
    ActivityConfig::new()
        .keepalive(Duration::from_millis(150))
        .retry_delays(vec![Duration::from_millis(50), Duration::from_millis(50)])
}

async fn subscribe(s: &FakeServer, event_type: &str, webhook: Option<&str>) -> Value {
    let mut body =
        json!({"event_type": event_type, "filter": {"user_id": s.me().to_string()}, "tag": "t"});
    if let Some(w) = webhook {
        body["webhook_id"] = json!(w);
    }
    let r = post(
        s.base_url(),
        "/2/activity/subscriptions",
        s.token(),
        &body.to_string(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

/// A stream response being read line by line.
struct Lines {
    body: Incoming,
    buf: Vec<u8>,
}

impl Lines {
    /// The next `\r\n`-terminated line (without it), or `None` at the end or on an error.
    async fn next(&mut self, within: Duration) -> Option<Result<String, String>> {
        loop {
            if let Some(pos) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line: Vec<u8> = self.buf.drain(..pos + 2).take(pos).collect();
                return Some(Ok(String::from_utf8(line).unwrap()));
            }
            match tokio::time::timeout(within, self.body.frame()).await {
                Err(_) => return Some(Err("timeout".into())),
                Ok(None) => return None,
                Ok(Some(Err(e))) => return Some(Err(e.to_string())),
                Ok(Some(Ok(f))) => {
                    if let Ok(d) = f.into_data() {
                        self.buf.extend_from_slice(&d);
                    }
                }
            }
        }
    }

    /// The next event line, skipping keep-alives.
    async fn event(&mut self) -> Value {
        loop {
            let line = self
                .next(Duration::from_secs(5))
                .await
                .expect("open")
                .expect("a line");
            if !line.is_empty() {
                return serde_json::from_str(&line).unwrap();
            }
        }
    }
}

async fn open_stream(s: &FakeServer, query: &str, token: &str) -> (u16, Lines) {
    let addr = s.base_url().trim_start_matches("http://").to_owned();
    let stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let path = if query.is_empty() {
        "/2/activity/stream".to_owned()
    } else {
        format!("/2/activity/stream?{query}")
    };
    let req = http::Request::get(path)
        .header("host", addr)
        .header("authorization", format!("Bearer {token}"))
        .body(Full::new(Bytes::new()))
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    let status = resp.status().as_u16();
    (
        status,
        Lines {
            body: resp.into_body(),
            buf: Vec::new(),
        },
    )
}

#[tokio::test]
async fn an_injected_message_arrives_on_the_stream_as_dm_received() {
    let s = sandbox(fast()).await;
    let sub = subscribe(&s, "dm.received", None).await;
    let id = sub
        .pointer("/data/subscription/subscription_id")
        .unwrap()
        .as_str()
        .unwrap();
    assert!(id.bytes().all(|b| b.is_ascii_digit()));
    let (status, mut lines) = open_stream(&s, "", s.app_token()).await;
    assert_eq!(status, 200);
    assert_eq!(s.activity_stream_connections(), 1);
    // Idle: keep-alives.
    assert_eq!(
        lines.next(Duration::from_secs(2)).await.unwrap().unwrap(),
        ""
    );
    let event_id = s
        .inject_incoming(OTHER, "hello #rust https://t.co/abc")
        .unwrap();
    let e = lines.event().await;
    let d = &e["data"];
    assert_eq!(d["event_type"], "dm.received");
    assert_eq!(d["tag"], "t");
    assert_eq!(d["filter"]["user_id"], s.me().to_string());
    assert!(d["event_uuid"].as_str().unwrap().parse::<i64>().is_ok());
    let m = &d["payload"]["direct_message_events"][0];
    assert_eq!(m["type"], "message_create");
    assert_eq!(m["id"], event_id);
    assert_eq!(m["message_create"]["sender_id"], OTHER);
    assert_eq!(
        m["message_create"]["target"]["recipient_id"],
        s.me().to_string()
    );
    assert_eq!(
        m["message_create"]["message_data"]["text"],
        "hello #rust https://t.co/abc"
    );
    let ents = &m["message_create"]["message_data"]["entities"];
    assert_eq!(
        ents["hashtags"][0],
        json!({"text": "rust", "indices": [6, 11]})
    );
    assert_eq!(ents["urls"][0]["indices"], json!([12, 28]));
    assert!(
        m["created_timestamp"]
            .as_str()
            .unwrap()
            .parse::<i64>()
            .is_ok()
    );
    // Users as v2 objects wrapped in `data`, with `*_str` twins of the counts.
    let u = &d["payload"]["users"][OTHER]["data"];
    assert_eq!(u["id"], OTHER);
    assert!(u["public_metrics"]["followers_count_str"].is_string());
    // The same event in the lookups.
    let looked = get(s.base_url(), &format!("/2/dm_events/{event_id}"), s.token()).await;
    assert_eq!(looked.status, 200);
    assert_eq!(s.activity_stats().events, 1);
}

#[tokio::test]
async fn sends_through_the_api_are_dm_sent_and_backfill_replays_the_window() {
    let s = sandbox(fast()).await;
    subscribe(&s, "dm.sent", None).await;
    // Sent while no stream is open.
    let r = post(
        s.base_url(),
        &format!("/2/dm_conversations/with/{OTHER}/messages"),
        s.token(),
        r#"{"text":"from me"}"#,
    )
    .await;
    assert_eq!(r.status, 201);
    let sent_id = r.json()["data"]["dm_event_id"].as_str().unwrap().to_owned();
    let (_, mut live) = open_stream(&s, "", s.app_token()).await;
    assert_eq!(
        live.next(Duration::from_secs(2)).await.unwrap().unwrap(),
        "",
        "no backfill: only keep-alives"
    );
    drop(live);
    let (status, mut back) = open_stream(&s, "backfill_minutes=1", s.app_token()).await;
    assert_eq!(status, 200);
    let e = back.event().await;
    assert_eq!(e["data"]["event_type"], "dm.sent");
    assert_eq!(
        e["data"]["payload"]["direct_message_events"][0]["id"],
        sent_id.as_str()
    );
    // A window with an end: the response ends after it.
    let start = dm_fake::format_ms(dm_fake::DEFAULT_NOW_MS - 60_000);
    let (status, mut window) = open_stream(
        &s,
        &format!("start_time={start}&end_time=2030-01-01T00:00:00Z"),
        s.app_token(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(window.event().await["data"]["event_type"], "dm.sent");
    assert!(window.next(Duration::from_secs(2)).await.is_none(), "ends");
}

#[tokio::test]
async fn the_stream_refuses_bad_auth_bad_parameters_and_a_third_connection() {
    let s = sandbox(fast()).await;
    assert_eq!(open_stream(&s, "", s.token()).await.0, 403, "a user token");
    assert_eq!(open_stream(&s, "", "nope").await.0, 401);
    for q in [
        "backfill_minutes=6",
        "backfill_minutes=x",
        "start_time=yesterday",
        "since_id=1",
        "backfill_minutes=1&backfill_minutes=2",
    ] {
        assert_eq!(open_stream(&s, q, s.app_token()).await.0, 400, "{q}");
    }
    let (a, _l1) = open_stream(&s, "", s.app_token()).await;
    let (b, _l2) = open_stream(&s, "", s.app_token()).await;
    let (c, mut l3) = open_stream(&s, "", s.app_token()).await;
    assert_eq!((a, b, c), (200, 200, 429));
    let mut body = Vec::new();
    while let Some(Ok(line)) = l3.next(Duration::from_secs(1)).await {
        body.extend(line.into_bytes());
    }
    let body = String::from_utf8_lossy(&l3.buf).into_owned() + &String::from_utf8_lossy(&body);
    assert!(body.contains("TooManyConnections"), "{body}");
}

#[tokio::test]
async fn breaks_end_the_connection_as_asked() {
    let s = sandbox(fast()).await;
    subscribe(&s, "dm.received", None).await;
    let (_, mut lines) = open_stream(&s, "", s.app_token()).await;
    assert_eq!(
        s.break_activity_streams(StreamBreak::OperationalDisconnect),
        1
    );
    let line = lines.next(Duration::from_secs(2)).await.unwrap().unwrap();
    assert!(line.contains("operational-disconnect"), "{line}");
    assert!(
        lines.next(Duration::from_secs(2)).await.is_none(),
        "closed cleanly"
    );

    let (_, mut lines) = open_stream(&s, "", s.app_token()).await;
    s.break_activity_streams(StreamBreak::CutLine);
    s.inject_incoming(OTHER, "cut").unwrap();
    let mut got_error = false;
    while let Some(item) = lines.next(Duration::from_secs(2)).await {
        match item {
            Ok(l) => assert!(l.is_empty(), "no whole line: {l}"),
            Err(_) => {
                got_error = true;
                break;
            }
        }
    }
    assert!(got_error || !lines.buf.is_empty(), "cut mid-line");
    assert!(!lines.buf.is_empty(), "half a line was sent");

    let (_, mut lines) = open_stream(&s, "", s.app_token()).await;
    s.break_activity_streams(StreamBreak::Stall(Duration::from_secs(1)));
    assert_eq!(
        lines
            .next(Duration::from_millis(600))
            .await
            .unwrap()
            .unwrap_err(),
        "timeout",
        "no keep-alive while stalled"
    );
}

#[tokio::test]
async fn subscriptions_are_validated_listed_updated_and_deleted() {
    let s = sandbox(fast()).await;
    let me = s.me().to_string();
    for (body, status) in [
        (
            json!({"event_type": "dm.bogus", "filter": {"user_id": me}}),
            400,
        ),
        (json!({"event_type": "dm.received"}), 400),
        (
            json!({"event_type": "dm.received", "filter": {"user_id": me}, "extra": 1}),
            400,
        ),
        (
            json!({"event_type": "dm.received", "filter": {"user_id": me}, "tag": ""}),
            400,
        ),
        (
            json!({"event_type": "dm.received", "filter": {"user_id": "1"}}),
            403,
        ),
        (
            json!({"event_type": "dm.received", "filter": {"user_id": me}, "webhook_id": "9"}),
            400,
        ),
    ] {
        let r = post(
            s.base_url(),
            "/2/activity/subscriptions",
            s.token(),
            &body.to_string(),
        )
        .await;
        assert_eq!(
            r.status,
            status,
            "{body}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
    subscribe(&s, "dm.received", None).await;
    let again = post(
        s.base_url(),
        "/2/activity/subscriptions",
        s.token(),
        &json!({"event_type": "dm.received", "filter": {"user_id": me}, "tag": "t"}).to_string(),
    )
    .await;
    assert_eq!(again.status, 409);
    // The alias is answered with the canonical name.
    let alias = post(
        s.base_url(),
        "/2/activity/subscriptions",
        s.app_token(),
        &json!({"event_type": "chat.conversation_join", "filter": {"user_id": me}}).to_string(),
    )
    .await;
    assert_eq!(
        alias.json()["data"]["subscription"]["event_type"],
        "chat.conversation.join"
    );
    let list = get(
        s.base_url(),
        "/2/activity/subscriptions?max_results=1",
        s.app_token(),
    )
    .await
    .json();
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    let token = list["meta"]["next_token"].as_str().unwrap();
    let rest = get(
        s.base_url(),
        &format!("/2/activity/subscriptions?pagination_token={token}"),
        s.app_token(),
    )
    .await
    .json();
    assert_eq!(rest["data"].as_array().unwrap().len(), 1);
    assert!(rest["meta"].get("next_token").is_none());
    let id = list["data"][0]["subscription_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let auth = format!("Bearer {}", s.app_token());
    let put = request(
        s.base_url(),
        "PUT",
        &format!("/2/activity/subscriptions/{id}"),
        &[
            ("authorization", &auth),
            ("content-type", "application/json"),
        ],
        Some(r#"{"tag":"renamed"}"#),
    )
    .await
    .unwrap();
    assert_eq!(put.json()["data"]["subscription"]["tag"], "renamed");
    let user_put = request(
        s.base_url(),
        "PUT",
        &format!("/2/activity/subscriptions/{id}"),
        &[
            ("authorization", &format!("Bearer {}", s.token())),
            ("content-type", "application/json"),
        ],
        Some(r#"{"tag":"x"}"#),
    )
    .await
    .unwrap();
    assert_eq!(user_put.status, 403, "update takes the app token");
    let del = request(
        s.base_url(),
        "DELETE",
        &format!("/2/activity/subscriptions/{id}"),
        &[("authorization", &auth)],
        None,
    )
    .await
    .unwrap();
    assert_eq!(del.json()["data"]["deleted"], true);
    let many = request(
        s.base_url(),
        "DELETE",
        &format!("/2/activity/subscriptions?ids={id},5"),
        &[("authorization", &auth)],
        None,
    )
    .await
    .unwrap();
    let v = many.json();
    assert_eq!(v["errors"].as_array().unwrap().len(), 2, "{v}");
}

/// A loopback webhook receiver: answers CRC with `secret` (or wrongly), fails the first
/// `fail_first` deliveries with 500, reports the others.
async fn receiver(
    secret: &'static str,
    wrong_crc: bool,
    fail_first: usize,
) -> (
    String,
    mpsc::UnboundedReceiver<(String, Bytes)>,
    Arc<AtomicUsize>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    let posts = Arc::new(AtomicUsize::new(0));
    let counter = posts.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let tx = tx.clone();
            let counter = counter.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req: http::Request<Incoming>| {
                    let tx = tx.clone();
                    let counter = counter.clone();
                    async move {
                        let (parts, body) = req.into_parts();
                        let body = body.collect().await.unwrap().to_bytes();
                        let resp = if parts.method == http::Method::GET {
                            let token =
                                form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
                                    .find(|(k, _)| k == "crc_token")
                                    .map(|(_, v)| v.into_owned())
                                    .unwrap_or_default();
                            let key = if wrong_crc { "not-the-secret" } else { secret };
                            let answer = json!({"response_token": sign(key, token.as_bytes())});
                            http::Response::new(Full::new(Bytes::from(answer.to_string())))
                        } else {
                            let n = counter.fetch_add(1, Ordering::SeqCst);
                            if n < fail_first {
                                http::Response::builder()
                                    .status(500)
                                    .body(Full::new(Bytes::new()))
                                    .unwrap()
                            } else {
                                let sig = parts
                                    .headers
                                    .get("x-twitter-webhooks-signature")
                                    .and_then(|v| v.to_str().ok())
                                    .unwrap_or("")
                                    .to_owned();
                                let _ = tx.send((sig, body));
                                http::Response::new(Full::new(Bytes::new()))
                            }
                        };
                        Ok::<_, Infallible>(resp)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    (format!("http://{addr}/webhook"), rx, posts)
}

async fn register(s: &FakeServer, url: &str) -> common::Resp {
    post(
        s.base_url(),
        "/2/webhooks",
        s.app_token(),
        &json!({"url": url}).to_string(),
    )
    .await
}

#[tokio::test]
async fn webhooks_are_crc_checked_and_deliveries_signed_retried_and_replayed() {
    let s = sandbox(fast()).await;
    let secret = "dm-fake-consumer-secret";
    assert_eq!(s.consumer_secret(), secret);
    let (bad_url, _rx, _) = receiver(secret, true, 0).await;
    let r = register(&s, &bad_url).await;
    assert_eq!(r.status, 400);
    assert!(
        r.json()["detail"]
            .as_str()
            .unwrap()
            .starts_with("CrcValidationFailed"),
        "{}",
        r.json()
    );
    let (url, mut rx, posts) = receiver(secret, false, 1).await;
    let r = register(&s, &url).await;
    assert_eq!(r.status, 200, "{}", r.json());
    let hook = r.json()["data"].clone();
    assert_eq!(hook["valid"], true);
    assert_eq!(hook["url"], url.as_str());
    let id = hook["id"].as_str().unwrap().to_owned();
    assert_eq!(register(&s, &url).await.status, 400, "duplicate URL");
    assert_eq!(
        register(&s, "https://example.com/hook").await.status,
        400,
        "the sandbox calls http only"
    );
    subscribe(&s, "dm.received", Some(&id)).await;
    let event_id = s.inject_incoming(OTHER, "via webhook").unwrap();
    let (sig, body) = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sig, sign(secret, &body), "signed over the raw body");
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        v["data"]["payload"]["direct_message_events"][0]["id"],
        event_id.as_str()
    );
    assert_eq!(
        posts.load(Ordering::SeqCst),
        2,
        "the first attempt failed and was retried"
    );
    let first_uuid = v["data"]["event_uuid"].clone();
    // Replay the last minutes: the event again (a new uuid), then the job's completion.
    let now = dm_fake::format_ms(dm_fake::DEFAULT_NOW_MS);
    let minute = |t: &str| t[..16].replace(['-', 'T', ':'], "");
    let from = minute(&dm_fake::format_ms(dm_fake::DEFAULT_NOW_MS - 5 * 60_000));
    let r = post(
        s.base_url(),
        "/2/webhooks/replay",
        s.app_token(),
        &json!({"webhook_id": id, "from_date": from, "to_date": minute(&now)}).to_string(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json());
    let job = r.json()["data"]["job_id"].as_str().unwrap().to_owned();
    let (_, again) = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .unwrap()
        .unwrap();
    let again: Value = serde_json::from_slice(&again).unwrap();
    assert_eq!(again["data"]["payload"], v["data"]["payload"]);
    assert_ne!(again["data"]["event_uuid"], first_uuid);
    let (_, done) = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .unwrap()
        .unwrap();
    let done: Value = serde_json::from_slice(&done).unwrap();
    assert_eq!(done["replay_job_status"]["job_id"], job.as_str());
    assert_eq!(done["replay_job_status"]["job_state"], "Complete");
    // Validate, list, delete.
    let auth = format!("Bearer {}", s.app_token());
    let put = request(
        s.base_url(),
        "PUT",
        &format!("/2/webhooks/{id}"),
        &[("authorization", &auth)],
        None,
    )
    .await
    .unwrap();
    assert_eq!(put.json()["data"]["valid"], true);
    let list = get(
        s.base_url(),
        "/2/webhooks?webhook_config.fields=url",
        s.app_token(),
    )
    .await
    .json();
    assert_eq!(list["data"][0], json!({"id": id, "url": url}));
    let del = request(
        s.base_url(),
        "DELETE",
        &format!("/2/webhooks/{id}"),
        &[("authorization", &auth)],
        None,
    )
    .await
    .unwrap();
    assert_eq!(del.json()["data"]["deleted"], true);
    assert_eq!(
        get(s.base_url(), "/2/webhooks", s.app_token()).await.json(),
        json!({"data": [], "meta": {"result_count": 0}})
    );
}

#[tokio::test]
async fn account_activity_bodies_go_to_subscribed_users_webhooks() {
    let s = sandbox(fast().duplicate_deliveries(true)).await;
    let (url, mut rx, _) = receiver(s.consumer_secret().to_owned().leak(), false, 0).await;
    let id = register(&s, &url).await.json()["data"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/2/account_activity/webhooks/{id}/subscriptions/all");
    assert_eq!(
        post(s.base_url(), &path, s.app_token(), "{}").await.status,
        403,
        "user context only"
    );
    assert_eq!(
        get(s.base_url(), &path, s.token()).await.json()["data"]["subscribed"],
        false
    );
    assert_eq!(
        post(s.base_url(), &path, s.token(), "{}").await.json()["data"]["subscribed"],
        true
    );
    assert_eq!(
        post(s.base_url(), &path, s.token(), "{}").await.status,
        400,
        "duplicate"
    );
    let count = get(
        s.base_url(),
        "/2/account_activity/subscriptions/count",
        s.app_token(),
    )
    .await
    .json();
    assert_eq!(count["data"]["subscriptions_count_all"], "1");
    let list = get(s.base_url(), &format!("{path}/list"), s.app_token())
        .await
        .json();
    assert_eq!(
        list["data"]["subscriptions"][0]["user_id"],
        s.me().to_string()
    );
    let event_id = s.inject_incoming(OTHER, "aaa").unwrap();
    for _ in 0..2 {
        let (sig, body) = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(sig, sign(s.consumer_secret(), &body));
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["for_user_id"], s.me().to_string());
        assert_eq!(v["direct_message_events"][0]["id"], event_id.as_str());
        let user = &v["users"][OTHER];
        assert_eq!(user["id"], OTHER);
        assert!(
            user["screen_name"].is_string() && user.get("data").is_none(),
            "a v1.1 user"
        );
    }
    let auth = format!("Bearer {}", s.app_token());
    let del = request(
        s.base_url(),
        "DELETE",
        &format!(
            "/2/account_activity/webhooks/{id}/subscriptions/{}/all",
            s.me()
        ),
        &[("authorization", &auth)],
        None,
    )
    .await
    .unwrap();
    assert_eq!(del.json()["data"]["subscribed"], false);
}

#[tokio::test]
async fn an_app_without_access_is_refused() {
    let s = sandbox(ActivityConfig::new().enabled(false)).await;
    let r = get(s.base_url(), "/2/activity/subscriptions", s.app_token()).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["reason"], "client-not-enrolled");
    assert_eq!(open_stream(&s, "", s.app_token()).await.0, 403);
}
