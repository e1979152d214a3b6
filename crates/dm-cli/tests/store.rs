//! `xdm sync --db` and the commands that read a store, against the sandbox: killed and
//! rerun, the store equals the dataset for one request more at most; `conversations`,
//! `show`, `search` and `export` agree with the dataset; bad stores are refused in one line.

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use common::*;
use dm_fake::{Endpoint, FakeServer, FaultConfig, Scope};
use serde_json::Value;

async fn sandbox(seed: u64, events: usize, latency_ms: u64) -> FakeServer {
    FakeServer::builder()
        .seed(seed)
        .events(events)
        .faults(FaultConfig::none().with_base_latency(Duration::from_millis(latency_ms)))
        .start()
        .await
        .unwrap()
}

fn db_url(dir: &Path) -> String {
    format!("sqlite:{}", dir.join("dms.sqlite").display())
}

fn sync_cmd(server: &FakeServer, dir: &Path) -> assert_cmd::Command {
    let mut cmd = xdm_at(server, dir);
    cmd.args(["sync", "--max-results", "20", "--db", &db_url(dir)]);
    cmd
}

fn lookups(server: &FakeServer) -> u64 {
    server.stats().endpoint(Endpoint::GetDmEvents)
}

/// `xdm export --db` of `dir`'s store as JSONL lines.
async fn export_lines(server: &FakeServer, dir: &Path) -> Vec<String> {
    let mut cmd = xdm_at(server, dir);
    cmd.args(["export", "--db", &db_url(dir)]);
    let out = run(cmd).await;
    ok(&out);
    stdout(&out).lines().map(str::to_owned).collect()
}

/// What `xdm events --format jsonl` writes for the same lookup, oldest first.
async fn events_lines(server: &FakeServer, dir: &Path) -> Vec<String> {
    let mut cmd = xdm_at(server, dir);
    cmd.args(["events", "--format", "jsonl"]);
    let out = run(cmd).await;
    ok(&out);
    let mut lines: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
    lines.reverse();
    lines
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_db_killed_and_rerun_equals_the_dataset_for_one_request_more_at_most() {
    // The cost of one uninterrupted sync of this dataset.
    let whole = sandbox(31, 600, 0).await;
    let dir = tempfile::tempdir().unwrap();
    ok(&run(sync_cmd(&whole, dir.path())).await);
    let uninterrupted = lookups(&whole);
    assert!(
        uninterrupted >= 10,
        "{uninterrupted} pages: enough to kill mid-walk"
    );

    // The same dataset, slower: killed (SIGKILL) mid-walk, then run again.
    let server = sandbox(31, 600, 40).await;
    let dir = tempfile::tempdir().unwrap();
    let mut child = xdm_process(&server, dir.path())
        .args(["sync", "--max-results", "20", "--db", &db_url(dir.path())])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill once a few pages went by (the walk is at most half way).
    while lookups(&server) < 4 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let _ = child.kill();
    let _ = tokio::task::spawn_blocking(move || child.wait()).await;
    let killed = lookups(&server);
    assert!(
        killed < uninterrupted,
        "killed mid-walk ({killed} of {uninterrupted})"
    );

    let out = run(sync_cmd(&server, dir.path())).await;
    ok(&out);
    assert!(
        stderr(&out).contains("going on with the sync interrupted earlier"),
        "{}",
        stderr(&out)
    );
    let total = lookups(&server);
    assert!(
        total <= uninterrupted + 1,
        "killed + rerun sent {total} lookups; one uninterrupted sync sends {uninterrupted}"
    );

    // The store holds the dataset, each event once, as `xdm events` writes it.
    let exported = export_lines(&server, dir.path()).await;
    let ids: Vec<String> = exported
        .iter()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let mut truth = server.dataset().event_ids(&Scope::All);
    truth.reverse();
    assert_eq!(ids, truth, "every event once, oldest first");
    assert_eq!(exported, events_lines(&server, dir.path()).await);

    // Nothing new: one request, nothing stored.
    let before = lookups(&server);
    let out = run(sync_cmd(&server, dir.path())).await;
    ok(&out);
    assert_eq!(lookups(&server) - before, 1);
    assert!(stderr(&out).contains("0 new events"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn conversations_show_search_and_export_agree_with_the_dataset() {
    let server = sandbox(17, 500, 0).await;
    let dir = tempfile::tempdir().unwrap();
    ok(&run(sync_cmd(&server, dir.path())).await);
    let db = db_url(dir.path());
    let dataset = server.dataset();

    // conversations: one line each, with the dataset's counts.
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["conversations", "--db", &db, "--format", "jsonl"]);
    let out = run(cmd).await;
    ok(&out);
    let listed = jsonl(&stdout(&out));
    // What the sync stored: the all-events lookup (the last 30 days), by conversation.
    let all = dataset.events(&Scope::All);
    let of = |id: &str| -> Vec<Value> {
        all.iter()
            .filter(|e| e["dm_conversation_id"] == id)
            .cloned()
            .collect()
    };
    let convs = dataset.conversations();
    let with_events: Vec<_> = convs.iter().filter(|c| !of(&c.id).is_empty()).collect();
    assert_eq!(listed.len(), with_events.len());
    for c in &with_events {
        let row = listed
            .iter()
            .find(|r| r["dm_conversation_id"] == c.id.as_str())
            .unwrap_or_else(|| panic!("conversation {} listed", c.id));
        let events = of(&c.id);
        let messages = events
            .iter()
            .filter(|e| e["event_type"] == "MessageCreate")
            .count();
        assert_eq!(row["events"], events.len(), "{}", c.id);
        assert_eq!(row["messages"], messages, "{}", c.id);
        let newest_message = events.iter().find(|e| e["event_type"] == "MessageCreate");
        if let Some(m) = newest_message {
            assert_eq!(row["last_message"]["id"], m["id"], "{}", c.id);
        }
    }
    // The table and CSV have the same conversations.
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["conversations", "--db", &db, "--format", "csv"]);
    let out = run(cmd).await;
    ok(&out);
    let rows = csv::Reader::from_reader(out.stdout.as_slice())
        .records()
        .count();
    assert_eq!(rows, with_events.len());
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["conversations", "--db", &db, "--format", "pretty"]);
    let out = run(cmd).await;
    ok(&out);
    for c in &with_events {
        assert!(stdout(&out).contains(&c.id), "{} in the table", c.id);
    }

    // show: the conversation's events, oldest first, as `xdm events` writes them.
    let busiest = with_events.iter().max_by_key(|c| of(&c.id).len()).unwrap();
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["show", &busiest.id, "--db", &db, "--format", "jsonl"]);
    let out = run(cmd).await;
    ok(&out);
    let shown: Vec<Value> = jsonl(&stdout(&out));
    let mut truth = of(&busiest.id);
    truth.reverse();
    let shown_events: Vec<Value> = shown.into_iter().map(without_includes).collect();
    assert_eq!(shown_events, truth);
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["show", &busiest.id, "--db", &db, "--format", "pretty"]);
    let out = run(cmd).await;
    ok(&out);
    assert!(stdout(&out).lines().count() >= truth.len());

    // search: a message's distinctive words find it; filters hold.
    let target = all
        .iter()
        .find(|e| {
            e["text"]
                .as_str()
                .is_some_and(|t| t.split_whitespace().count() >= 3 && t.is_ascii())
        })
        .expect("a message with words");
    let text = target["text"].as_str().unwrap();
    let phrase = format!(
        "\"{}\"",
        text.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args([
        "search", &phrase, "--db", &db, "--format", "jsonl", "--limit", "1000",
    ]);
    let out = run(cmd).await;
    ok(&out);
    let hits = jsonl(&stdout(&out));
    assert!(
        hits.iter().any(|h| h["id"] == target["id"]),
        "{phrase} finds {}",
        target["id"]
    );
    let sender = target["sender_id"].as_str().unwrap();
    let conversation = target["dm_conversation_id"].as_str().unwrap();
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args([
        "search",
        &phrase,
        "--db",
        &db,
        "--format",
        "jsonl",
        "--from",
        sender,
        "--conversation",
        conversation,
        "--limit",
        "1000",
    ]);
    let out = run(cmd).await;
    ok(&out);
    let filtered = jsonl(&stdout(&out));
    assert!(filtered.iter().any(|h| h["id"] == target["id"]));
    for h in &filtered {
        assert_eq!(h["sender_id"], sender);
        assert_eq!(h["dm_conversation_id"], conversation);
    }
    // A date range that ends before the message leaves it out.
    let day = &target["created_at"].as_str().unwrap()[..10];
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args([
        "search", &phrase, "--db", &db, "--format", "jsonl", "--until", day,
    ]);
    let out = run(cmd).await;
    ok(&out);
    assert!(!jsonl(&stdout(&out)).iter().any(|h| h["id"] == target["id"]));
    // @username resolves through the stored users; pretty marks the matches.
    let username = target["includes"]["users"][0]["username"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| {
            hits.iter()
                .find(|h| h["id"] == target["id"])
                .and_then(|h| h["includes"]["users"][0]["username"].as_str())
                .map(str::to_owned)
        })
        .expect("the sender has a username");
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["search", &phrase, "--db", &db, "--format", "pretty"]);
    cmd.args(["--from", &format!("@{username}")]);
    let out = run(cmd).await;
    ok(&out);
    assert!(stdout(&out).contains('«'), "{}", stdout(&out));

    // export: every event once, oldest first; CSV has a row per event.
    let exported = export_lines(&server, dir.path()).await;
    let ids: HashSet<String> = exported
        .iter()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids.len(), exported.len());
    assert_eq!(ids.len(), all.len());
    let file = dir.path().join("all.csv");
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["export", "--db", &db, "--format", "csv", "--out"])
        .arg(&file);
    ok(&run(cmd).await);
    let rows = csv::Reader::from_path(&file).unwrap().records().count();
    assert_eq!(rows, all.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_stores_are_refused_in_one_line_and_nothing_is_written() {
    let server = sandbox(3, 60, 0).await;
    let dir = tempfile::tempdir().unwrap();
    let code = |out: &std::process::Output| out.status.code();

    // A file that is not a database.
    let notes = dir.path().join("notes.db");
    std::fs::write(&notes, "my notes\n").unwrap();
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["sync", "--db"]).arg(&notes);
    let out = run(cmd).await;
    assert_eq!(code(&out), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not an SQLite database"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my notes\n");

    // A wrong scheme: a usage error.
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["sync", "--db", "mysql://localhost/dms"]);
    let out = run(cmd).await;
    assert_eq!(code(&out), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("scheme"), "{}", stderr(&out));

    // An unreachable PostgreSQL: a network error, the password never shown.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://xdm:s3cret-pw@127.0.0.1:{port}/dms");
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["sync", "--db", &url]);
    let out = run(cmd).await;
    assert_eq!(code(&out), Some(5), "{}", stderr(&out));
    assert!(!stderr(&out).contains("s3cret-pw"), "{}", stderr(&out));

    // Reading a store that does not exist creates nothing.
    let missing = dir.path().join("missing.sqlite");
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["conversations", "--db"]).arg(&missing);
    let out = run(cmd).await;
    assert_eq!(code(&out), Some(2), "{}", stderr(&out));
    assert!(!missing.exists());

    // No credentials: nothing is created either.
    let fresh = dir.path().join("fresh.sqlite");
    let mut cmd = xdm(dir.path());
    cmd.args(["sync", "--db"]).arg(&fresh);
    let out = run(cmd).await;
    assert_eq!(code(&out), Some(3), "{}", stderr(&out));
    assert!(
        !fresh.exists(),
        "a store is made only for a sync that can run"
    );

    // A store written by a newer xdm: refused, unchanged.
    let newer = dir.path().join("newer.sqlite");
    rusqlite_like_newer(&newer).await;
    let before = std::fs::read(&newer).unwrap();
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["sync", "--db"]).arg(&newer);
    let out = run(cmd).await;
    assert_eq!(code(&out), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("newer"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&newer).unwrap(), before);
}

/// A store at a schema version above this xdm's: made by this xdm, then its version raised
/// as a newer xdm would.
async fn rusqlite_like_newer(path: &Path) {
    let url = format!("sqlite:{}", path.display());
    drop(dm_store::Store::open(&url).await.unwrap());
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "INSERT INTO schema_migrations VALUES (99, 'from the future', 0);
         PRAGMA user_version = 99; PRAGMA journal_mode = DELETE;",
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_older_store_is_upgraded_with_a_word_first() {
    // A store as version 1 wrote it, with events: the upgrade rebuilds the search index,
    // which takes a while on a large store, so xdm says so first.
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../dm-store/tests/data/store-v1.sqlite"
    );
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.sqlite");
    std::fs::copy(fixture, &old).unwrap();
    let mut cmd = xdm(dir.path());
    cmd.args(["search", "cafe", "--format", "jsonl", "--db"])
        .arg(&old);
    let out = run(cmd).await;
    ok(&out);
    assert!(
        stderr(&out).contains("upgrading") && stderr(&out).contains("from schema version 1"),
        "{}",
        stderr(&out)
    );
    assert_eq!(jsonl(&stdout(&out)).len(), 1);
    // Once: the next run says nothing.
    let mut cmd = xdm(dir.path());
    cmd.args(["search", "cafe", "--format", "jsonl", "--db"])
        .arg(&old);
    let out = run(cmd).await;
    ok(&out);
    assert!(!stderr(&out).contains("upgrading"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_store_synced_with_every_field_goes_on_without_the_option() {
    // Stores synced before the public fields became the default asked for every field.
    let server = sandbox(21, 60, 0).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = sync_cmd(&server, dir.path());
    cmd.arg("--all-fields");
    ok(&run(cmd).await);
    let whole = lookups(&server);
    assert!(whole >= 3, "{whole} requests for the first sync");
    let conv = server.dataset().conversations().into_iter().next().unwrap();
    let new = server
        .inject_message(&conv.id, &conv.participants[0], "after the upgrade")
        .unwrap();
    let out = run(sync_cmd(&server, dir.path())).await;
    ok(&out);
    let err = stderr(&out);
    assert!(err.contains("synced with every field"), "{err}");
    assert!(err.contains("1 new event stored"), "{err}");
    // Incremental: the new page, not the whole window again under another lookup.
    let again = lookups(&server) - whole;
    assert!(
        again <= 2,
        "{again} requests to go on (the first sync took {whole})"
    );
    let exported = export_lines(&server, dir.path()).await;
    let last: Value = serde_json::from_str(exported.last().unwrap()).unwrap();
    assert_eq!(last["id"], new.to_string());
    // A sync with no earlier state for either lookup still starts with the default fields.
    let fresh = tempfile::tempdir().unwrap();
    let out = run(sync_cmd(&server, fresh.path())).await;
    ok(&out);
    assert!(!stderr(&out).contains("every field"), "{}", stderr(&out));
}
