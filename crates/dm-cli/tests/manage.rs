//! `send`, `group create`, `event`, `delete`, `block`, `unblock` against the sandbox.

mod common;

use common::*;
use dm_fake::{FakeServer, Scope};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn send_then_events_shows_the_message() {
    let server = FakeServer::builder()
        .seed(21)
        .events(120)
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let me = server.me().to_string();
    let (conv, other) = one_to_one(&server);

    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["send", "--to", &other, "Hello from the CLI 👋"]);
    let out = run(cmd).await;
    ok(&out);
    let sent: Value = serde_json::from_slice(&out.stdout).expect("one JSON object off a terminal");
    let event_id = sent["dm_event_id"].as_str().unwrap().to_owned();
    assert_eq!(sent["dm_conversation_id"], conv.as_str());

    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["events", "--with", &other, "--limit", "1"]);
    let out = run(cmd).await;
    ok(&out);
    let newest = &jsonl(&stdout(&out))[0];
    assert_eq!(newest["id"], event_id.as_str());
    assert_eq!(newest["text"], "Hello from the CLI 👋");
    assert_eq!(newest["sender_id"], me.as_str());
    assert_eq!(
        without_includes(newest.clone()),
        server
            .dataset()
            .events(&Scope::WithParticipant(other.clone()))[0]
    );

    // To a conversation, then look the event up by id and delete it.
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["send", "--conversation", &conv, "second"]);
    let out = run(cmd).await;
    ok(&out);
    let second: Value = serde_json::from_slice(&out.stdout).unwrap();
    let second_id = second["dm_event_id"].as_str().unwrap().to_owned();

    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["event", &second_id]);
    let out = run(cmd).await;
    ok(&out);
    let record = &jsonl(&stdout(&out))[0];
    assert_eq!(
        without_includes(record.clone()),
        server.dataset().event(&second_id).unwrap()
    );

    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["delete", &second_id]);
    ok(&run(cmd).await);
    assert!(
        server.dataset().event(&second_id).is_none(),
        "deleted in the sandbox"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn group_create_block_and_unblock() {
    let server = FakeServer::builder()
        .seed(22)
        .events(60)
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let me = server.me().to_string();
    let users: Vec<String> = server
        .dataset()
        .users()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .filter(|id| *id != me)
        .take(2)
        .collect();
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args([
        "group",
        "create",
        "--with",
        &users.join(","),
        "Welcome, both of you",
    ]);
    let out = run(cmd).await;
    ok(&out);
    let created: Value = serde_json::from_slice(&out.stdout).unwrap();
    let conv = created["dm_conversation_id"].as_str().unwrap().to_owned();
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["events", "--conversation", &conv]);
    let out = run(cmd).await;
    ok(&out);
    let texts: Vec<Value> = jsonl(&stdout(&out))
        .iter()
        .map(|e| e["text"].clone())
        .collect();
    assert!(
        texts.contains(&Value::from("Welcome, both of you")),
        "{texts:?}"
    );

    // One participant is a usage error, before anything is sent.
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["group", "create", "--with", &users[0], "hi"]);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));

    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["block", &users[0]]);
    ok(&run(cmd).await);
    assert!(server.dataset().blocked().contains(&users[0]));
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["unblock", &users[0]]);
    ok(&run(cmd).await);
    assert!(!server.dataset().blocked().contains(&users[0]));
}
