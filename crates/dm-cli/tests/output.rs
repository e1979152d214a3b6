//! The output path: JSONL and JSON records are byte-for-byte the record's definition
//! (`dm_model::record::record_value`, the `serde_json::Value` rendering xdm always wrote),
//! and `follow` shows each event before it polls again.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use common::*;
use dm_fake::{Endpoint, FakeServer};
use dm_model::record::record_value;
use dm_stream::Client;
use futures::TryStreamExt;

/// The lines the definition gives for every event of the all-events lookup with every field
/// and expansion, computed through the library from the same sandbox.
async fn expected_lines(server: &FakeServer) -> Vec<String> {
    let client = Client::builder()
        .base_url(server.base_url())
        .bearer_token(server.token())
        .build()
        .unwrap();
    let events: Vec<_> = client
        .all_events()
        .all_fields()
        .events()
        .try_collect()
        .await
        .unwrap();
    events
        .iter()
        .map(|e| record_value(e.event(), e.includes()).to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn jsonl_and_json_are_the_record_definition_byte_for_byte() {
    // Several pages, every kind of event, media, shared Posts and partial errors.
    let server = FakeServer::builder()
        .seed(23)
        .events(900)
        .start()
        .await
        .unwrap();
    let expected = expected_lines(&server).await;
    assert!(expected.len() > 300, "a dataset of several pages");
    let dir = tempfile::tempdir().unwrap();

    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["events", "--format", "jsonl"]);
    let out = run(cmd).await;
    ok(&out);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), expected.len());
    for (got, want) in lines.iter().zip(&expected) {
        assert_eq!(*got, want.as_str());
    }
    assert!(text.ends_with('\n'));

    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["events", "--format", "json"]);
    let out = run(cmd).await;
    ok(&out);
    assert_eq!(stdout(&out), format!("[\n{}\n]\n", expected.join(",\n")));

    // Into a file, a page at a time: the same bytes.
    let file = dir.path().join("out.jsonl");
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["events", "--max-results", "7", "--out"])
        .arg(&file);
    ok(&run(cmd).await);
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(written, format!("{}\n", expected.join("\n")));
}

#[tokio::test(flavor = "multi_thread")]
async fn follow_shows_an_event_before_it_polls_again() {
    let server = FakeServer::builder()
        .seed(8)
        .events(40)
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Polls 4 s apart; `--limit 2` with one message keeps it running, so only a flush
    // before the wait can show the line.
    let mut child = xdm_process(&server, dir.path())
        .args([
            "follow",
            "--format",
            "jsonl",
            "--min-interval",
            "4",
            "--max-interval",
            "4",
            "--limit",
            "2",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    while server.stats().endpoint(Endpoint::GetDmEvents) == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let conv = server
        .dataset()
        .conversations()
        .into_iter()
        .find(|c| c.is_group)
        .unwrap();
    let sender = conv.participants[0].clone();
    let id = server
        .inject_message(&conv.id, &sender, "shown at once")
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    // A guard against a hang only: the line comes right after the second poll.
    let line = tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(60)))
        .await
        .unwrap();
    let polls = server.stats().endpoint(Endpoint::GetDmEvents);
    let _ = child.kill();
    let _ = child.wait();
    let line = line.expect("the event was printed while follow kept running");
    let record: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(record["id"], id.as_str());
    assert_eq!(
        polls, 2,
        "the line showed after the poll that fetched it (2nd request), before the next one"
    );
}

/// A pipe on stdout is given a 1 MiB buffer (Linux), so a page of records goes out without
/// waiting for the reader; the output is the same.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread")]
async fn a_pipe_on_stdout_gets_a_larger_buffer() {
    let server = FakeServer::builder()
        .seed(8)
        .events(30)
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut child = xdm_process(&server, dir.path())
        .args(["events", "--format", "jsonl", "--all-fields"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let (out, lines) = tokio::task::spawn_blocking(move || {
        let mut reader = BufReader::new(out);
        let lines = (&mut reader).lines().count();
        (reader.into_inner(), lines)
    })
    .await
    .unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(
        lines,
        server.dataset().event_ids(&dm_fake::Scope::All).len()
    );
    let size = nix::fcntl::fcntl(&out, nix::fcntl::FcntlArg::F_GETPIPE_SZ).unwrap();
    assert_eq!(size, 1 << 20);
}
