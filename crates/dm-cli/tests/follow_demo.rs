//! `xdm follow` prints what arrives; `xdm demo` runs end to end.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use common::*;
use dm_fake::{Endpoint, FakeServer};

#[tokio::test(flavor = "multi_thread")]
async fn follow_prints_new_events_as_they_arrive() {
    let server = FakeServer::builder()
        .seed(8)
        .events(40)
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut child = xdm_process(&server, dir.path())
        .args([
            "follow",
            "--min-interval",
            "0.1",
            "--max-interval",
            "0.3",
            "--limit",
            "2",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until follow has learnt where "now" is (its first lookup), then send two messages.
    while server.stats().endpoint(Endpoint::GetDmEvents) == 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let conv = server
        .dataset()
        .conversations()
        .into_iter()
        .find(|c| c.is_group)
        .unwrap();
    let sender = conv.participants[0].clone();
    let first = server
        .inject_message(&conv.id, &sender, "first live message")
        .unwrap();
    let second = server
        .inject_message(&conv.id, &sender, "second live message")
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let lines = tokio::task::spawn_blocking(move || {
        let lines: Vec<String> = BufReader::new(stdout).lines().map(Result::unwrap).collect();
        assert!(child.wait().unwrap().success());
        lines
    })
    .await
    .unwrap();
    let records = jsonl(&lines.join("\n"));
    let ids: Vec<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [first.as_str(), second.as_str()],
        "oldest first, each once, nothing older"
    );
    assert_eq!(records[0]["text"], "first live message");
}

#[test]
fn demo_runs_the_client_against_the_sandbox() {
    let dir = tempfile::tempdir().unwrap();
    let out = xdm(dir.path())
        .args(["demo", "--events", "400", "--per-conversation", "3"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("━━ "), "conversation headers: {text}");
    assert!(text.contains(" @"), "senders by @username");
    assert!(
        text.contains("Summary")
            && text.contains("requests:")
            && text.contains("rate-limit waits:")
    );
    let events: usize = text
        .split("events: ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(
        events > 300,
        "every event of the last 30 days was paged: {events}"
    );
}
