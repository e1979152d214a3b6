//! Several OS processes on one store, against both backends: writers of one account take
//! turns and store every event once; writers of different accounts do not wait for each
//! other; a writer killed with SIGKILL inside its transaction leaves the previous batch and
//! cursor, and its lease is free again.
//!
//! The writer processes are this test binary run again with `XDM_STORE_CHILD` set: the test
//! `child_entry` then plays the role it names (and does nothing in a normal run).

mod common;

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::Fixture;
use common::data::{batch, includes, msg, user};
use dm_model::DmEvent;
use dm_store::{Account, Batch, SearchQuery, Store};
use futures::TryStreamExt;
use serde_json::json;

both_backends!(
    two_processes_on_one_account_store_each_event_once,
    processes_on_different_accounts_do_not_wait_for_each_other,
    a_writer_killed_inside_its_transaction_leaves_the_previous_state,
);

const AB: &str = "1000-2000";

fn events(from: u64, to: u64) -> Vec<DmEvent> {
    (from..to)
        .map(|i| {
            let sender = if i % 2 == 0 { "1000" } else { "2000" };
            msg(1_000 + i, AB, sender, &format!("word{i} shared"), i as i64)
        })
        .collect()
}

fn people() -> dm_model::Includes {
    includes(&[user("1000", "Alice", "alice"), user("2000", "Bob", "bob")])
}

/// The child's roles. `writer`: events `[FROM, TO)` in overlapping windows of 10, each with
/// the cursor `sync`, under one lease waited for up to `WAIT_MS`. `pause`: events 0..10
/// committed, then 10..20 paused inside the transaction (the marker file says when).
#[test]
fn child_entry() {
    let Ok(role) = std::env::var("XDM_STORE_CHILD") else {
        return;
    };
    let var = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("{k}"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = Store::open(&var("XDM_STORE_URL")).await.unwrap();
        let account = Account::new(&var("XDM_STORE_ACCOUNT")).unwrap();
        let wait = Duration::from_millis(var("WAIT_MS").parse().unwrap());
        let mut writer = match store.writer(&account, wait).await {
            Ok(w) => w,
            Err(e) => {
                eprintln!("ERROR {e}");
                std::process::exit(3);
            }
        };
        match role.as_str() {
            "writer" => {
                let (from, to): (u64, u64) =
                    (var("FROM").parse().unwrap(), var("TO").parse().unwrap());
                let mut new = 0;
                let mut start = from;
                while start < to {
                    let end = (start + 10).min(to);
                    let all = events(start.saturating_sub(5).max(from), end);
                    let mut b = batch(&all, &people());
                    b.cursor("sync", &json!({"newest": end - 1})).unwrap();
                    new += writer.apply(b).await.unwrap().new_events;
                    start = end;
                    tokio::task::yield_now().await;
                }
                println!("RESULT new={new}");
            }
            "pause" => {
                let mut first = batch(&events(0, 10), &people());
                first.cursor("sync", &json!({"newest": 9})).unwrap();
                writer.apply(first).await.unwrap();
                let mut second = batch(&events(10, 20), &people());
                second.cursor("sync", &json!({"newest": 19})).unwrap();
                second.pause_before_commit(var("MARKER"));
                let r = writer.apply(second).await;
                panic!("the pause returned: {r:?}");
            }
            other => panic!("unknown role {other}"),
        }
    });
}

fn spawn(f: &Fixture, role: &str, account: &str, env: &[(&str, String)]) -> Child {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args([
        "--exact",
        "child_entry",
        "--nocapture",
        "--test-threads",
        "1",
    ])
    .env("XDM_STORE_CHILD", role)
    .env("XDM_STORE_URL", &f.url)
    .env("XDM_STORE_ACCOUNT", account)
    .env("WAIT_MS", "60000")
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    for (k, v) in env {
        c.env(k, v);
    }
    c.spawn().expect("spawn the child")
}

async fn finish(child: Child) -> Output {
    tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap()
}

fn new_events(out: &Output) -> u64 {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // libtest prints `test child_entry ... ` before the child's own output.
    stdout
        .split_once("RESULT new=")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no result in {stdout}"))
        .parse()
        .unwrap()
}

async fn ids(store: &Store, account: &Account) -> Vec<u64> {
    let all: Vec<_> = store.export(account).try_collect().await.unwrap();
    all.iter().map(|s| s.event.id.as_u64()).collect()
}

async fn two_processes_on_one_account_store_each_event_once(f: Fixture) {
    let a = spawn(
        &f,
        "writer",
        "shared",
        &[("FROM", "0".into()), ("TO", "60".into())],
    );
    let b = spawn(
        &f,
        "writer",
        "shared",
        &[("FROM", "30".into()), ("TO", "90".into())],
    );
    let (a, b) = (finish(a).await, finish(b).await);
    assert_eq!(
        new_events(&a) + new_events(&b),
        90,
        "each event is new exactly once"
    );
    let account = Account::new("shared").unwrap();
    assert_eq!(
        ids(&f.store, &account).await,
        (1_000..1_090).collect::<Vec<_>>()
    );
    let convs = f.store.conversations(&account).await.unwrap();
    assert_eq!(
        (convs.len(), convs[0].events, convs[0].messages),
        (1, 90, 90)
    );
    let hits = f
        .store
        .search(&account, &SearchQuery::new("shared").limit(500))
        .await
        .unwrap();
    assert_eq!(hits.len(), 90);
}

async fn processes_on_different_accounts_do_not_wait_for_each_other(f: Fixture) {
    // This process holds account `held`: a child writing `free` is not held up, one writing
    // `held` gives up after its wait with the typed message.
    let held = f
        .store
        .writer(&Account::new("held").unwrap(), Duration::ZERO)
        .await
        .unwrap();
    let free = spawn(
        &f,
        "writer",
        "free",
        &[
            ("FROM", "0".into()),
            ("TO", "30".into()),
            ("WAIT_MS", "0".into()),
        ],
    );
    let blocked = spawn(
        &f,
        "writer",
        "held",
        &[
            ("FROM", "0".into()),
            ("TO", "30".into()),
            ("WAIT_MS", "300".into()),
        ],
    );
    let (free, blocked) = (finish(free).await, finish(blocked).await);
    assert_eq!(new_events(&free), 30);
    assert_eq!(blocked.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&blocked.stderr);
    assert!(
        stderr.contains("ERROR another sync is running for account held"),
        "{stderr}"
    );
    drop(held);
    // Released: the same child now gets through.
    let again = spawn(
        &f,
        "writer",
        "held",
        &[
            ("FROM", "0".into()),
            ("TO", "30".into()),
            ("WAIT_MS", "10000".into()),
        ],
    );
    assert_eq!(new_events(&finish(again).await), 30);
    assert_eq!(
        ids(&f.store, &Account::new("held").unwrap()).await.len(),
        30
    );
}

async fn wait_for(path: &Path, child: &mut Child) {
    let started = Instant::now();
    while !path.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the child exited before pausing: {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the child never paused"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn a_writer_killed_inside_its_transaction_leaves_the_previous_state(f: Fixture) {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("paused");
    let mut child = spawn(
        &f,
        "pause",
        "default",
        &[("MARKER", marker.display().to_string())],
    );
    wait_for(&marker, &mut child).await;
    child.kill().unwrap(); // SIGKILL
    let out = finish(child).await;
    assert!(!out.status.success());
    let account = Account::default();
    // A fresh handle, as the next run would open it.
    let store = f.reopen().await;
    assert_eq!(
        ids(&store, &account).await,
        (1_000..1_010).collect::<Vec<_>>()
    );
    assert_eq!(
        store.cursor(&account, "sync").await.unwrap(),
        Some(json!({"newest": 9}))
    );
    let convs = store.conversations(&account).await.unwrap();
    assert_eq!((convs[0].events, convs[0].messages), (10, 10));
    assert!(
        store
            .search(&account, &SearchQuery::new("word15"))
            .await
            .unwrap()
            .is_empty()
    );
    // The lease died with the process; the next run redoes the batch.
    let mut w = store
        .writer(&account, Duration::from_secs(20))
        .await
        .unwrap();
    let mut second: Batch = batch(&events(10, 20), &people());
    second.cursor("sync", &json!({"newest": 19})).unwrap();
    assert_eq!(w.apply(second).await.unwrap().new_events, 10);
    assert_eq!(
        ids(&store, &account).await,
        (1_000..1_020).collect::<Vec<_>>()
    );
    assert_eq!(
        store
            .search(&account, &SearchQuery::new("word15"))
            .await
            .unwrap()
            .len(),
        1
    );
}
