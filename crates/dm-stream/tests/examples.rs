//! The examples users copy, run against the sandbox over loopback: `export_jsonl`,
//! `support_inbox`, `recording_transport` (the `dm_bot` example has `bot_example.rs`).

mod support;

#[allow(dead_code)]
#[path = "../examples/export_jsonl.rs"]
mod export_jsonl;

#[allow(dead_code)]
#[path = "../examples/support_inbox.rs"]
mod support_inbox;

#[allow(dead_code)]
#[path = "../examples/recording_transport.rs"]
mod recording_transport;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use dm_fake::Scope;
use dm_stream::FollowOptions;
use dm_transport::HyperTransport;
use futures::StreamExt;
use serde_json::Value;

#[tokio::test]
async fn export_jsonl_writes_every_event_once_with_its_includes() {
    let fake = support::sandbox(600).await;
    let client = support::client(&fake);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dms.jsonl");
    let written = export_jsonl::export_to(&client, &path).await.unwrap();

    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), written);
    let ids: Vec<String> = lines
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        ids,
        fake.dataset().event_ids(&Scope::All),
        "every event once, newest first"
    );
    assert!(
        !dir.path().join("dms.jsonl.partial").exists(),
        "renamed when complete"
    );
    // Each message carries its sender under `includes`, as the sandbox knows it.
    let users: BTreeMap<String, Value> = fake
        .dataset()
        .users()
        .into_iter()
        .map(|u| (u["id"].as_str().unwrap().to_owned(), u))
        .collect();
    let mut with_sender = 0;
    for line in &lines {
        if let Some(sender) = line["sender_id"].as_str() {
            let included = line["includes"]["users"]
                .as_array()
                .and_then(|us| us.iter().find(|u| u["id"] == sender))
                .unwrap_or_else(|| panic!("sender {sender} included: {line}"));
            assert_eq!(included["username"], users[sender]["username"]);
            with_sender += 1;
        }
    }
    assert!(with_sender > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn support_inbox_prints_the_new_messages_of_the_watched_conversations_only() {
    let fake = support::sandbox(200).await;
    let client = support::client(&fake);
    let me = fake.me().to_string();
    let convs: Vec<_> = fake
        .dataset()
        .conversations()
        .into_iter()
        .filter(|c| !c.is_group)
        .collect();
    assert!(convs.len() >= 3);
    let (watched, unwatched) = (&convs[..2], &convs[2]);
    let ids = watched.iter().map(|c| c.id.parse().unwrap()).collect();
    let options = FollowOptions::new(Duration::from_millis(50), Duration::from_millis(200));
    // The inbox runs on its own, as in the example's `main` (a stream only works when polled).
    let before = fake.stats().requests;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut inbox = support_inbox::inbox(&client, ids, options);
    let driver = tokio::spawn(async move {
        while let Some(item) = inbox.next().await {
            if tx.send(item).is_err() {
                break;
            }
        }
    });
    // Each tail takes its starting point (a few polls), then messages arrive in all three.
    for _ in 0..400 {
        if fake.stats().requests >= before + 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(
        fake.stats().requests >= before + 4,
        "both tails are polling"
    );
    let other =
        |c: &dm_fake::ConversationInfo| c.participants.iter().find(|p| **p != me).unwrap().clone();
    let mut expected = Vec::new();
    for (i, c) in watched.iter().enumerate() {
        for n in 0..2 {
            let text = format!("ticket {i}-{n}");
            fake.inject_message(&c.id, other(c), &text).unwrap();
            expected.push((c.id.clone(), text));
        }
    }
    fake.inject_message(&unwatched.id, other(unwatched), "not for the inbox")
        .unwrap();

    let mut got = Vec::new();
    while got.len() < expected.len() {
        let next = tokio::time::timeout(Duration::from_secs(20), rx.recv())
            .await
            .expect("the messages arrive")
            .unwrap()
            .unwrap();
        let line = next.line();
        assert!(
            line.starts_with(&format!("[{}] @", next.conversation)),
            "{line}"
        );
        got.push((
            next.conversation.to_string(),
            next.event.event().text.clone().unwrap(),
        ));
    }
    // Nothing else arrives (not the unwatched conversation's message, no duplicate).
    assert!(
        tokio::time::timeout(Duration::from_millis(600), rx.recv())
            .await
            .is_err()
    );
    driver.abort();
    // In order within each conversation.
    for c in watched {
        let of = |v: &Vec<(String, String)>| -> Vec<String> {
            v.iter()
                .filter(|(id, _)| *id == c.id)
                .map(|(_, t)| t.clone())
                .collect()
        };
        assert_eq!(of(&got), of(&expected));
    }
}

#[tokio::test]
async fn recording_transport_records_each_exchange_without_credentials() {
    let fake = support::sandbox(300).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("exchanges.jsonl");
    let transport = recording_transport::RecordingTransport::new(
        Arc::new(HyperTransport::new().unwrap()),
        &path,
    )
    .unwrap();
    let client = support::client_builder(&fake)
        .transport(Arc::new(transport))
        .build()
        .unwrap();
    let events = support::collect_all(&client, dm_stream::Scope::All).await;
    assert_eq!(events.len(), fake.dataset().event_ids(&Scope::All).len());

    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let served = fake.requests();
    assert_eq!(lines.len(), served.len(), "one line per exchange");
    for line in &lines {
        assert_eq!(line["method"], "GET");
        assert!(
            line["target"].as_str().unwrap().starts_with("/2/dm_events"),
            "{line}"
        );
        assert_eq!(line["status"], 200);
        assert!(line["response_bytes"].as_u64().unwrap() > 0);
    }
    assert!(!text.contains(fake.token()), "the token is never recorded");
}
