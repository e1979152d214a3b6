//! The activity stream against the sandbox over loopback: a thousand injected messages
//! arrive exactly once and in order while the connection is broken at random points
//! (reconnect + backfill); a stalled connection is detected; final errors end the stream;
//! subscriptions are ensured idempotently.

mod support;

use std::time::Duration;

use dm_fake::{ActivityConfig, FakeServer, StreamBreak};
use dm_model::EventKind;
use dm_model::activity::ActivityEventType;
use dm_query::FieldsQuery;
use dm_stream::{ActivityStreamOptions, Client, Error, ReconnectPolicy};
use futures::{StreamExt, TryStreamExt};

const SENDERS: [&str; 3] = ["2222222222222222222", "3333", "944480690"];

async fn sandbox(config: ActivityConfig) -> FakeServer {
    support::start(FakeServer::builder().seed(11).events(100).activity(config)).await
}

fn client(s: &FakeServer) -> Client {
    support::client_builder(s)
        .app_bearer_token(s.app_token())
        .build()
        .unwrap()
}

fn options() -> ActivityStreamOptions {
    ActivityStreamOptions::default()
        .stall_timeout(Duration::from_millis(800))
        .reconnect(ReconnectPolicy::default().scaled_down(100))
}

/// Polls `stream` until the sandbox sees its connection (the stream connects lazily, and
/// from then on nothing is missed).
async fn connected<S: futures::Stream + Unpin>(s: &FakeServer, stream: &mut S)
where
    S::Item: std::fmt::Debug,
{
    for _ in 0..200 {
        if s.activity_stream_connections() > 0 {
            return;
        }
        if let Ok(item) = tokio::time::timeout(Duration::from_millis(25), stream.next()).await {
            panic!("an item before anything was sent: {item:?}");
        }
    }
    panic!("the stream did not connect");
}

/// A small seeded generator (xorshift64*), so every run breaks at the same points.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_messages_arrive_once_and_in_order_through_random_disconnects() {
    let s = sandbox(ActivityConfig::new().keepalive(Duration::from_millis(200))).await;
    let c = client(&s);
    let ensured = c.ensure_dm_subscription(s.me()).await.unwrap();
    assert!(ensured.created);
    let mut stream = c.activity_stream(options());
    connected(&s, &mut stream).await;
    let first = s.inject_incoming(SENDERS[0], "warm-up").unwrap();
    let warm = tokio::time::timeout(Duration::from_secs(10), stream.try_next())
        .await
        .expect("the stream delivers")
        .unwrap()
        .unwrap();
    assert_eq!(warm.messages().unwrap()[0].event.id.as_str(), first);

    let producer = {
        async {
            let mut rng = Rng(0x5EED_0000_1234_5678);
            let mut breaks = 0;
            for i in 0..1000u64 {
                let sender = SENDERS[rng.below(3) as usize];
                s.inject_incoming(sender, format!("message {i}")).unwrap();
                if rng.below(25) == 0 {
                    let how = match rng.below(3) {
                        0 => StreamBreak::Reset,
                        1 => StreamBreak::CutLine,
                        _ => StreamBreak::OperationalDisconnect,
                    };
                    breaks += s.break_activity_streams(how);
                }
                if rng.below(8) == 0 {
                    tokio::time::sleep(Duration::from_millis(rng.below(15))).await;
                }
            }
            breaks
        }
    };
    let consumer = async {
        let mut texts = Vec::new();
        while texts.len() < 1000 {
            let e = tokio::time::timeout(Duration::from_secs(30), stream.try_next())
                .await
                .expect("no event lost: the stream keeps delivering")
                .unwrap()
                .expect("the stream does not end");
            let m = e.messages().unwrap().remove(0);
            assert!(m.is_incoming());
            texts.push(m.event.text.clone().unwrap());
        }
        // Nothing more: no duplicate comes after the thousandth.
        let extra = tokio::time::timeout(Duration::from_millis(1500), stream.next()).await;
        assert!(extra.is_err(), "nothing after the last message: {extra:?}");
        (texts, stream.stats())
    };
    let (breaks, (texts, stats)) = tokio::join!(producer, consumer);
    let expected: Vec<String> = (0..1000).map(|i| format!("message {i}")).collect();
    assert_eq!(texts, expected, "every message exactly once, in order");
    // Some breaks land on a connection already being broken (a cut waits for the next
    // line) or while the client reconnects: fewer reconnects than breaks.
    assert!(breaks >= 10, "the connection was broken {breaks} times");
    assert!(
        stats.reconnects >= 8,
        "the breaks led to reconnects: {stats:?}"
    );
    assert!(
        stats.duplicates > 0,
        "backfills overlapped and were de-duplicated: {stats:?}"
    );
    assert_eq!(stats.events, 1001, "{stats:?}");
    eprintln!("{breaks} breaks: {stats:?}");
}

#[tokio::test]
async fn the_stream_counts_what_it_did_and_converts_like_a_lookup() {
    let s = sandbox(ActivityConfig::new().keepalive(Duration::from_millis(100))).await;
    let c = client(&s);
    c.ensure_dm_subscription(s.me()).await.unwrap();
    let mut stream = c.activity_stream(options());
    connected(&s, &mut stream).await;
    let id = s
        .inject_incoming(SENDERS[1], "see #rust and @jack at https://t.co/x")
        .unwrap();
    let event = tokio::time::timeout(Duration::from_secs(10), stream.try_next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(event.event_type, ActivityEventType::DmReceived);
    let m = &event.messages().unwrap()[0];
    // The same event a lookup returns: id, text, sender, conversation, time, entities.
    let looked = c
        .get_event(id.parse().unwrap(), FieldsQuery::all_fields())
        .await
        .unwrap();
    let v2 = looked.event();
    assert_eq!(m.event.id, v2.id);
    assert_eq!(m.event.text, v2.text);
    assert_eq!(m.event.sender_id, v2.sender_id);
    assert_eq!(m.event.dm_conversation_id, v2.dm_conversation_id);
    assert_eq!(m.event.created_at, v2.created_at);
    assert_eq!(
        m.event.hashtag_entities()[0].tag,
        v2.hashtag_entities()[0].tag
    );
    assert_eq!(m.event.url_entities()[0].start, v2.url_entities()[0].start);
    assert!(matches!(m.event.kind(), EventKind::Message { .. }));
    tokio::time::sleep(Duration::from_millis(350)).await;
    s.inject_incoming(SENDERS[1], "again").unwrap();
    stream.try_next().await.unwrap().unwrap();
    let stats = stream.stats();
    assert_eq!(stats.events, 2);
    assert_eq!(stats.connections, 1);
    assert!(stats.keepalives >= 2, "{stats:?}");
}

#[tokio::test]
async fn a_stalled_connection_is_detected_and_the_missed_events_backfilled() {
    let s = sandbox(ActivityConfig::new().keepalive(Duration::from_millis(100))).await;
    let c = client(&s);
    c.ensure_dm_subscription(s.me()).await.unwrap();
    let mut stream = c.activity_stream(options());
    connected(&s, &mut stream).await;
    let a = s.inject_incoming(SENDERS[0], "before").unwrap();
    let got = tokio::time::timeout(Duration::from_secs(10), stream.try_next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(got.messages().unwrap()[0].event.id.as_str(), a);
    // The server goes silent (no keep-alive) for a minute, holding the connection open.
    assert_eq!(
        s.break_activity_streams(StreamBreak::Stall(Duration::from_secs(60))),
        1
    );
    let b = s.inject_incoming(SENDERS[0], "during the stall").unwrap();
    let got = tokio::time::timeout(Duration::from_secs(20), stream.try_next())
        .await
        .expect("the stall is noticed long before the server gives up")
        .unwrap()
        .unwrap();
    assert_eq!(got.messages().unwrap()[0].event.id.as_str(), b);
    let stats = stream.stats();
    assert_eq!(stats.stalls, 1, "{stats:?}");
    assert_eq!(stats.reconnects, 1, "{stats:?}");
    assert!(
        stats.duplicates >= 1,
        "the backfill repeated `before`, dropped: {stats:?}"
    );
}

#[tokio::test]
async fn the_first_connection_can_backfill() {
    let s = sandbox(ActivityConfig::new()).await;
    let c = client(&s);
    c.ensure_dm_subscription(s.me()).await.unwrap();
    let id = s
        .inject_incoming(SENDERS[2], "while nobody listened")
        .unwrap();
    let mut stream = c
        .activity_stream(options().backfill_minutes(2))
        .dm_messages();
    let m = tokio::time::timeout(Duration::from_secs(10), stream.try_next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(m.event.id.as_str(), id);
}

#[tokio::test]
async fn final_errors_end_the_stream() {
    // No app token: refused before anything is sent.
    let s = sandbox(ActivityConfig::new()).await;
    let no_app = support::client_builder(&s).build().unwrap();
    let mut stream = no_app.activity_stream(options());
    let err = stream.try_next().await.unwrap_err();
    assert!(matches!(err, Error::MissingCredentials { .. }), "{err}");
    assert!(err.to_string().contains("XDM_APP_BEARER_TOKEN"), "{err}");
    assert!(stream.next().await.is_none());
    assert_eq!(s.stats().requests, 0);
    // A user token where the app's is needed: the API's 403, once.
    let wrong = support::client_builder(&s)
        .app_bearer_token(s.token())
        .build()
        .unwrap();
    let mut stream = wrong.activity_stream(options());
    let err = stream.try_next().await.unwrap_err();
    assert_eq!(
        err.transport()
            .and_then(|t| t.as_api())
            .map(|a| a.status.as_u16()),
        Some(403)
    );
    assert!(stream.next().await.is_none());
    // An app without access.
    let closed = sandbox(ActivityConfig::new().enabled(false)).await;
    let mut stream = client(&closed).activity_stream(options());
    let err = stream.try_next().await.unwrap_err();
    assert!(
        err.problems()
            .iter()
            .any(|p| p.kind() == dm_model::ProblemKind::ClientForbidden),
        "{err}"
    );
}

#[tokio::test]
async fn subscriptions_are_ensured_once_and_managed() {
    let s = sandbox(ActivityConfig::new()).await;
    let c = client(&s);
    let first = c.ensure_dm_subscription(s.me()).await.unwrap();
    let again = c.ensure_dm_subscription(s.me()).await.unwrap();
    assert!(first.created && !again.created);
    assert_eq!(
        first.subscription.subscription_id,
        again.subscription.subscription_id
    );
    let sent = c
        .ensure_subscription(ActivityEventType::DmSent, s.me(), Some("out"), None)
        .await
        .unwrap();
    assert!(sent.created);
    let all = c.subscriptions().await.unwrap();
    assert_eq!(all.len(), 2);
    let id = sent.subscription.subscription_id.clone().unwrap();
    let updated = c
        .update_subscription(
            id.clone(),
            dm_model::activity::UpdateSubscriptionRequest::new(Some("renamed".into()), None)
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(updated.tag.as_deref(), Some("renamed"));
    assert!(c.delete_subscription(id).await.unwrap());
    assert_eq!(c.subscriptions().await.unwrap().len(), 1);
    // Someone else's DMs are not the app's to read.
    let err = c
        .ensure_dm_subscription("1".parse().unwrap())
        .await
        .unwrap_err();
    assert_eq!(
        err.transport()
            .and_then(|t| t.as_api())
            .map(|a| a.status.as_u16()),
        Some(403)
    );
}
