//! `xdm sync`: killed at any moment and run again, the archive holds every event once.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::*;
use dm_fake::{FakeServer, FaultConfig, Scope};
use serde_json::Value;

/// The archive's event ids, in file order.
fn archive_ids(path: &std::path::Path) -> Vec<String> {
    jsonl(&std::fs::read_to_string(path).unwrap_or_default())
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The dataset's ids oldest first (the archive's order).
fn truth_ids(server: &FakeServer) -> Vec<String> {
    let mut ids = server.dataset().event_ids(&Scope::All);
    ids.reverse();
    ids
}

fn sync_cmd(
    server: &FakeServer,
    dir: &std::path::Path,
    archive: &std::path::Path,
) -> assert_cmd::Command {
    let mut cmd = xdm_at(server, dir);
    cmd.args(["sync", "--max-results", "10", "--archive"])
        .arg(archive);
    cmd
}

/// Starts a sync, kills it after `after`, and waits for it to be gone.
async fn sync_killed_after(
    server: &FakeServer,
    dir: &std::path::Path,
    archive: &std::path::Path,
    after: Duration,
) {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("xdm"));
    cmd.env("XDM_BASE_URL", server.base_url())
        .env("XDM_ACCESS_TOKEN", server.token())
        .env("XDM_CONFIG_DIR", dir)
        .args(["sync", "--max-results", "10", "--archive"])
        .arg(archive)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().expect("xdm starts");
    tokio::time::sleep(after).await;
    let _ = child.kill();
    tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_mid_run_then_rerun_yields_every_event_once() {
    // ~30 pages at 60 ms each: the kill lands while pages are being fetched.
    let server = FakeServer::builder()
        .seed(5)
        .events(300)
        .faults(FaultConfig::none().with_base_latency(Duration::from_millis(60)))
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("dms.jsonl");
    sync_killed_after(&server, dir.path(), &archive, Duration::from_millis(700)).await;
    let partial = archive_ids(&archive);
    assert!(
        partial.len() < truth_ids(&server).len(),
        "the kill landed before the end"
    );

    // New messages arrive while nothing runs.
    let conv = server
        .dataset()
        .conversations()
        .into_iter()
        .find(|c| !c.is_group)
        .unwrap();
    let me = server.me().to_string();
    let other = conv
        .participants
        .iter()
        .find(|p| **p != me)
        .unwrap()
        .clone();
    for i in 0..3 {
        server
            .inject_message(&conv.id, &other, format!("while you were away #{i}"))
            .unwrap();
    }

    // The rerun finishes the interrupted sync: everything up to where it started...
    let out = run(sync_cmd(&server, dir.path(), &archive)).await;
    ok(&out);
    let mut at_kill = truth_ids(&server);
    at_kill.truncate(at_kill.len() - 3);
    assert_eq!(
        archive_ids(&archive),
        at_kill,
        "the archive as of the interrupted sync, oldest first, no duplicates"
    );
    // ...and the next sync brings what arrived in the meantime.
    let out = run(sync_cmd(&server, dir.path(), &archive)).await;
    ok(&out);
    assert_eq!(
        archive_ids(&archive),
        truth_ids(&server),
        "full archive, oldest first, no duplicates"
    );

    // Later: only the new events are appended.
    let before = std::fs::read(&archive).unwrap();
    let id = server.inject_message(&conv.id, &other, "one more").unwrap();
    let out = run(sync_cmd(&server, dir.path(), &archive)).await;
    ok(&out);
    let after = std::fs::read(&archive).unwrap();
    assert!(
        after.starts_with(&before),
        "committed bytes are never rewritten"
    );
    let appended = jsonl(std::str::from_utf8(&after[before.len()..]).unwrap());
    assert_eq!(appended.len(), 1);
    assert_eq!(appended[0]["id"], Value::String(id));
    assert_eq!(appended[0]["text"], "one more");
    assert_eq!(archive_ids(&archive), truth_ids(&server));

    // Nothing new: nothing appended.
    let out = run(sync_cmd(&server, dir.path(), &archive)).await;
    ok(&out);
    assert_eq!(std::fs::read(&archive).unwrap(), after);
}

#[tokio::test(flavor = "multi_thread")]
async fn repeated_kills_at_different_moments_never_lose_or_double() {
    let server = FakeServer::builder()
        .seed(9)
        .events(200)
        .faults(FaultConfig::none().with_base_latency(Duration::from_millis(40)))
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("a.jsonl");
    let conv = server
        .dataset()
        .conversations()
        .into_iter()
        .find(|c| c.is_group)
        .unwrap();
    let sender = conv.participants[0].clone();
    for (round, ms) in [150u64, 400, 900, 60].into_iter().enumerate() {
        sync_killed_after(&server, dir.path(), &archive, Duration::from_millis(ms)).await;
        server
            .inject_message(&conv.id, &sender, format!("round {round}"))
            .unwrap();
        let ids = archive_ids(&archive);
        let mut dedup = ids.clone();
        dedup.dedup();
        assert_eq!(ids, dedup, "no duplicates after a kill");
        let truth = truth_ids(&server);
        assert_eq!(
            ids[..],
            truth[..ids.len()],
            "whatever is committed is a prefix of the truth"
        );
    }
    // The first run finishes the interrupted sync, the second brings what came meanwhile.
    for _ in 0..2 {
        let out = run(sync_cmd(&server, dir.path(), &archive)).await;
        ok(&out);
    }
    assert_eq!(archive_ids(&archive), truth_ids(&server));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_uncommitted_tail_is_dropped_and_foreign_files_are_refused() {
    let server = FakeServer::builder()
        .seed(3)
        .events(80)
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("a.jsonl");
    ok(&run(sync_cmd(&server, dir.path(), &archive)).await);
    let committed = std::fs::read(&archive).unwrap();
    // A run killed after appending but before committing leaves a (maybe partial) tail.
    let mut tail = committed.clone();
    tail.extend_from_slice(b"{\"id\":\"999\",\"event_type\":\"MessageCr");
    std::fs::write(&archive, &tail).unwrap();
    ok(&run(sync_cmd(&server, dir.path(), &archive)).await);
    assert_eq!(
        std::fs::read(&archive).unwrap(),
        committed,
        "the tail is gone, nothing doubled"
    );
    assert_eq!(archive_ids(&archive), truth_ids(&server));

    // A file xdm did not make is never truncated.
    let foreign = dir.path().join("notes.txt");
    std::fs::write(&foreign, "my notes\n").unwrap();
    let out = run(sync_cmd(&server, dir.path(), &foreign)).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no state file"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&foreign).unwrap(), "my notes\n");

    // Other lookup options than the archive's: a usage error, nothing written.
    let mut cmd = sync_cmd(&server, dir.path(), &archive);
    cmd.args(["--types", "MessageCreate"]);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("another lookup"));
    assert_eq!(std::fs::read(&archive).unwrap(), committed);
}
