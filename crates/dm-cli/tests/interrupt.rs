//! Ctrl-C: a real SIGINT sent to the built `xdm` mid-command. Each long command stops with
//! exit code 130; a sync keeps exactly the pages it committed (whole pages, the newest first)
//! and the next run goes on from there; a follow prints its summary.

#![cfg(unix)]

mod common;

use std::io::Read;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use dm_fake::{Endpoint, FakeServer, FaultConfig, Scope};

const PAGE: usize = 10;

async fn sandbox(events: usize, latency_ms: u64) -> FakeServer {
    FakeServer::builder()
        .seed(23)
        .events(events)
        .faults(FaultConfig::none().with_base_latency(Duration::from_millis(latency_ms)))
        .start()
        .await
        .unwrap()
}

fn lookups(server: &FakeServer) -> u64 {
    server.stats().endpoint(Endpoint::GetDmEvents)
}

/// The built binary against `server`, with stdout and stderr collected as they come.
struct Running {
    child: Child,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
}

fn collect(mut from: impl Read + Send + 'static) -> Arc<Mutex<Vec<u8>>> {
    let buf = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&buf);
    std::thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(n) = from.read(&mut chunk) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&chunk[..n]);
        }
    });
    buf
}

fn start(server: &FakeServer, dir: &Path, args: &[&str]) -> Running {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("xdm"));
    cmd.env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .env("XDM_BASE_URL", server.base_url())
        .env("XDM_ACCESS_TOKEN", server.token())
        .env("XDM_CONFIG_DIR", dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("xdm starts");
    let stdout = collect(child.stdout.take().unwrap());
    let stderr = collect(child.stderr.take().unwrap());
    Running {
        child,
        stdout,
        stderr,
    }
}

impl Running {
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().unwrap()).into_owned()
    }

    /// Sends a real SIGINT (what Ctrl-C sends) and waits for the exit code.
    async fn interrupt(mut self) -> (Option<i32>, String, String) {
        let pid = self.child.id().to_string();
        let status = std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap();
        assert!(status.success(), "kill -INT {pid}");
        let code = tokio::task::spawn_blocking(move || {
            let status = self.child.wait().unwrap();
            // Let the reader threads drain the pipes.
            std::thread::sleep(Duration::from_millis(100));
            (status.code(), self.stdout, self.stderr)
        })
        .await
        .unwrap();
        let text =
            |b: &Arc<Mutex<Vec<u8>>>| String::from_utf8_lossy(&b.lock().unwrap()).into_owned();
        (code.0, text(&code.1), text(&code.2))
    }
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn db_url(dir: &Path) -> String {
    format!("sqlite:{}", dir.join("dms.sqlite").display())
}

async fn stored_ids(server: &FakeServer, dir: &Path) -> Vec<String> {
    let mut cmd = xdm_at(server, dir);
    cmd.args(["export", "--db", &db_url(dir)]);
    let out = run(cmd).await;
    ok(&out);
    jsonl(&stdout(&out))
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn sigint_mid_sync_into_a_store_keeps_whole_pages_and_the_rerun_goes_on() {
    let server = sandbox(400, 80).await;
    let dir = tempfile::tempdir().unwrap();
    let url = db_url(dir.path());
    let running = start(
        &server,
        dir.path(),
        &["sync", "--max-results", &PAGE.to_string(), "--db", &url],
    );
    wait_until("five pages fetched", || lookups(&server) >= 5).await;
    let (code, _, stderr) = running.interrupt().await;
    assert_eq!(code, Some(130), "exit code 130 on Ctrl-C; stderr: {stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");

    // The store holds whole pages: the newest events, a multiple of the page size.
    let truth = server.dataset().event_ids(&Scope::All); // newest first
    let mut stored = stored_ids(&server, dir.path()).await; // oldest first
    stored.reverse();
    assert!(
        stored.len() >= PAGE,
        "pages were committed before the interrupt"
    );
    assert!(stored.len() < truth.len(), "interrupted before the end");
    assert_eq!(stored.len() % PAGE, 0, "only whole pages: {}", stored.len());
    assert_eq!(
        stored[..],
        truth[..stored.len()],
        "the newest events, each once"
    );

    // Run again: it goes on where it stopped; every event once.
    let before = lookups(&server);
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["sync", "--max-results", &PAGE.to_string(), "--db", &url]);
    let out = run(cmd).await;
    ok(&out);
    let mut all = stored_ids(&server, dir.path()).await;
    all.reverse();
    assert_eq!(all, truth);
    let pages_left = (truth.len() - stored.len()).div_ceil(PAGE) as u64;
    assert!(
        lookups(&server) - before <= pages_left + 2,
        "the rerun fetched {} pages for {pages_left} left",
        lookups(&server) - before
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sigint_mid_sync_into_an_archive_keeps_whole_lines_and_the_rerun_goes_on() {
    let server = sandbox(300, 80).await;
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("dms.jsonl");
    let archive_arg = archive.display().to_string();
    let args = [
        "sync",
        "--max-results",
        "10",
        "--archive",
        archive_arg.as_str(),
    ];
    let running = start(&server, dir.path(), &args);
    wait_until("four pages fetched", || lookups(&server) >= 4).await;
    let (code, _, stderr) = running.interrupt().await;
    assert_eq!(code, Some(130), "stderr: {stderr}");

    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(args);
    ok(&run(cmd).await);
    let text = std::fs::read_to_string(&archive).unwrap();
    assert!(text.ends_with('\n'));
    let mut ids: Vec<String> = jsonl(&text)
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect();
    ids.reverse();
    assert_eq!(
        ids,
        server.dataset().event_ids(&Scope::All),
        "every event once"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sigint_stops_a_follow_with_its_summary() {
    let server = sandbox(40, 0).await;
    let dir = tempfile::tempdir().unwrap();
    let running = start(
        &server,
        dir.path(),
        &[
            "follow",
            "--format",
            "jsonl",
            "--min-interval",
            "0.1",
            "--max-interval",
            "0.2",
        ],
    );
    wait_until("the follow to start", || {
        running.stderr().contains("following")
    })
    .await;
    // Wait for the first poll, then a new message arrives and is printed.
    wait_until("a poll", || lookups(&server) >= 2).await;
    let (conv, other) = one_to_one(&server);
    let id = server
        .inject_message(&conv, &other, "are you there?")
        .unwrap();
    wait_until("the new message printed", || running.stdout().contains(&id)).await;
    let (code, stdout, stderr) = running.interrupt().await;
    assert_eq!(code, Some(130), "stderr: {stderr}");
    assert_eq!(jsonl(&stdout).len(), 1, "{stdout}");
    assert!(stderr.contains("stopped; 1 new events printed"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn sigint_stops_a_command_that_does_not_watch_for_it_with_130() {
    // `events` with a slow sandbox watches for it; `demo` does not and is stopped by main.
    let server = sandbox(10, 0).await;
    let dir = tempfile::tempdir().unwrap();
    let running = start(&server, dir.path(), &["demo"]);
    wait_until("the demo to start", || {
        running.stderr().contains("xdm demo")
    })
    .await;
    let (code, _, stderr) = running.interrupt().await;
    assert_eq!(code, Some(130), "stderr: {stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn sigint_during_a_send_warns_that_it_may_have_been_sent() {
    // Every response takes 3 s: the SIGINT lands while the message is in flight.
    let server = sandbox(20, 3000).await;
    let dir = tempfile::tempdir().unwrap();
    let (_, to) = one_to_one(&server);
    let running = start(
        &server,
        dir.path(),
        &["send", "--to", &to, "are you there?"],
    );
    let started = Instant::now();
    wait_until("the send to reach the sandbox", || {
        server.stats().requests >= 1 || started.elapsed() > Duration::from_millis(1500)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (code, _, stderr) = running.interrupt().await;
    assert_eq!(code, Some(130), "stderr: {stderr}");
    assert!(stderr.contains("may have been sent"), "{stderr}");
}
