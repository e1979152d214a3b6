//! `xdm follow --realtime`, `subscribe` / `subscriptions` / `unsubscribe` and `webhook ...`
//! run as the built binary against a sandbox over loopback.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::Duration;

use common::*;
use dm_fake::{ActivityConfig, Endpoint, FakeServer};
use serde_json::Value;

const OTHER: &str = "2222222222222222222";

async fn sandbox(config: ActivityConfig) -> FakeServer {
    FakeServer::builder()
        .seed(4)
        .events(40)
        .activity(config)
        .start()
        .await
        .unwrap()
}

/// `xdm` with the sandbox's user and app tokens.
fn spawn(server: &FakeServer, dir: &std::path::Path, app: bool, args: &[&str]) -> Child {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("xdm"));
    cmd.env_remove("XDM_APP_BEARER_TOKEN")
        .env_remove("XDM_USER_ID")
        .env_remove("XDM_CONSUMER_SECRET")
        .env_remove("XDM_CHAT_KEYS")
        .env("XDM_BASE_URL", server.base_url())
        .env("XDM_ACCESS_TOKEN", server.token())
        .env("XDM_CONFIG_DIR", dir)
        .env("NO_COLOR", "1")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if app {
        cmd.env("XDM_APP_BEARER_TOKEN", server.app_token());
    }
    cmd.spawn().unwrap()
}

/// Waits for `child` and returns its stdout lines and stderr.
async fn finish(mut child: Child) -> (Vec<String>, String, bool) {
    let stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    tokio::time::timeout(
        Duration::from_secs(60),
        tokio::task::spawn_blocking(move || {
            let lines: Vec<String> = BufReader::new(stdout).lines().map(Result::unwrap).collect();
            let mut err = String::new();
            std::io::Read::read_to_string(&mut stderr, &mut err).unwrap();
            let ok = child.wait().unwrap().success();
            (lines, err, ok)
        }),
    )
    .await
    .expect("xdm finishes")
    .unwrap()
}

/// A loopback address with a port nobody listens on (for a receiver started by a process).
fn free_addr() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("127.0.0.1:{port}")
}

async fn until(mut cond: impl FnMut() -> bool) {
    for _ in 0..1500 {
        if cond() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting");
}

#[tokio::test(flavor = "multi_thread")]
async fn follow_realtime_prints_incoming_dms_as_event_records() {
    let server = sandbox(ActivityConfig::new().keepalive(Duration::from_millis(200))).await;
    let dir = tempfile::tempdir().unwrap();
    let me = server.me().to_string();
    let child = spawn(
        &server,
        dir.path(),
        true,
        &[
            "follow",
            "--realtime",
            "--user",
            &me,
            "--format",
            "jsonl",
            "--limit",
            "2",
        ],
    );
    until(|| server.activity_stream_connections() > 0).await;
    let a = server
        .inject_incoming(OTHER, "first in real time #rust")
        .unwrap();
    let b = server.inject_incoming("3333", "second").unwrap();
    let (lines, err, success) = finish(child).await;
    assert!(success, "{err}");
    assert!(err.contains("in real time"), "{err}");
    assert_eq!(lines.len(), 2, "{lines:?}");
    let records: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records[0]["id"], a.as_str());
    assert_eq!(records[1]["id"], b.as_str());
    // The same record shape as `xdm events`: the v2 event with its users embedded.
    let r = &records[0];
    assert_eq!(r["event_type"], "MessageCreate");
    assert_eq!(r["text"], "first in real time #rust");
    assert_eq!(r["sender_id"], OTHER);
    assert_eq!(r["entities"]["hashtags"][0]["tag"], "rust");
    assert_eq!(r["includes"]["users"][0]["id"], OTHER);
    let events = run({
        let mut c = xdm_at(&server, dir.path());
        c.args([
            "events", "--with", OTHER, "--format", "jsonl", "--limit", "1",
        ]);
        c
    })
    .await;
    ok(&events);
    let looked: Value = serde_json::from_str(stdout(&events).lines().next().unwrap()).unwrap();
    for key in [
        "id",
        "text",
        "sender_id",
        "dm_conversation_id",
        "created_at",
        "event_type",
    ] {
        assert_eq!(r[key], looked[key], "{key}");
    }
}

/// `xdm follow --realtime --limit 1` (with the app token or not) against `config`, polling
/// fast: once it polls, one incoming DM; its lines and stderr. It must succeed.
async fn follow_falls_back(config: ActivityConfig, app: bool) -> (Vec<String>, String, String) {
    let server = sandbox(config).await;
    let dir = tempfile::tempdir().unwrap();
    let me = server.me().to_string();
    let child = spawn(
        &server,
        dir.path(),
        app,
        &[
            "follow",
            "--realtime",
            "--user",
            &me,
            "--format",
            "jsonl",
            "--limit",
            "1",
            "--min-interval",
            "0.1",
            "--max-interval",
            "0.2",
        ],
    );
    until(|| server.stats().endpoint(Endpoint::GetDmEvents) > 0).await;
    let id = server.inject_incoming(OTHER, "polled").unwrap();
    let (lines, err, ok) = finish(child).await;
    assert!(ok, "{err}");
    (lines, err, id)
}

#[tokio::test(flavor = "multi_thread")]
async fn follow_realtime_falls_back_to_polling_without_the_app_token() {
    let (lines, err, id) = follow_falls_back(ActivityConfig::new(), false).await;
    assert!(
        err.contains("XDM_APP_BEARER_TOKEN") && err.contains("polling instead"),
        "{err}"
    );
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(serde_json::from_str::<Value>(&lines[0]).unwrap()["id"], id);
}

#[tokio::test(flavor = "multi_thread")]
async fn follow_realtime_falls_back_when_the_app_has_no_access() {
    let (lines, err, id) = follow_falls_back(ActivityConfig::new().enabled(false), true).await;
    assert!(
        err.contains("403") && err.contains("polling instead"),
        "{err}"
    );
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(serde_json::from_str::<Value>(&lines[0]).unwrap()["id"], id);
}

#[tokio::test(flavor = "multi_thread")]
async fn subscriptions_are_managed_from_the_command_line() {
    let server = sandbox(ActivityConfig::new()).await;
    let dir = tempfile::tempdir().unwrap();
    let me = server.me().to_string();
    let with_app = |args: &[&str]| {
        let mut c = xdm_at(&server, dir.path());
        c.env("XDM_APP_BEARER_TOKEN", server.app_token()).args(args);
        c
    };
    let first = run(with_app(&["subscribe", "--user", &me])).await;
    ok(&first);
    let sub: Value = serde_json::from_str(stdout(&first).trim()).unwrap();
    assert_eq!(sub["event_type"], "dm.received");
    assert!(stderr(&first).contains("created"));
    let again = run(with_app(&["subscribe", "--user", &me])).await;
    ok(&again);
    assert!(stderr(&again).contains("already there"));
    assert_eq!(
        serde_json::from_str::<Value>(stdout(&again).trim()).unwrap()["subscription_id"],
        sub["subscription_id"]
    );
    let list = run(with_app(&["subscriptions"])).await;
    ok(&list);
    assert_eq!(jsonl(&stdout(&list)).len(), 1);
    let id = sub["subscription_id"].as_str().unwrap();
    let del = run(with_app(&["unsubscribe", id])).await;
    ok(&del);
    assert_eq!(jsonl(&stdout(&del))[0]["deleted"], true);
    assert!(jsonl(&stdout(&run(with_app(&["subscriptions"])).await)).is_empty());
    // Without the app token: a clear authentication error.
    let mut no_app = xdm_at(&server, dir.path());
    no_app
        .env_remove("XDM_APP_BEARER_TOKEN")
        .args(["subscriptions"]);
    let o = run(no_app).await;
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("XDM_APP_BEARER_TOKEN"),
        "{}",
        stderr(&o)
    );
    // A bad event type is a usage error.
    let o = run(with_app(&[
        "subscribe",
        "--user",
        &me,
        "--type",
        "dm.bogus",
    ]))
    .await;
    assert_eq!(o.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn webhook_serve_receives_registers_replays_and_deletes() {
    let server = sandbox(ActivityConfig::new().duplicate_deliveries(true)).await;
    let dir = tempfile::tempdir().unwrap();
    let addr = free_addr();
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("xdm"));
    let serve = cmd
        .env_remove("XDM_APP_BEARER_TOKEN")
        .env("XDM_CONSUMER_SECRET", server.consumer_secret())
        .env("XDM_CONFIG_DIR", dir.path())
        .args(["webhook", "serve", "--addr", &addr, "--limit", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    until(|| std::net::TcpStream::connect(&addr).is_ok()).await;
    let with_app = |args: &[&str]| {
        let mut c = xdm_at(&server, dir.path());
        c.env("XDM_APP_BEARER_TOKEN", server.app_token()).args(args);
        c
    };
    let url = format!("http://{addr}/webhook");
    let reg = run(with_app(&["webhook", "register", &url])).await;
    ok(&reg);
    let hook: Value = serde_json::from_str(stdout(&reg).trim()).unwrap();
    assert_eq!(hook["valid"], true, "the CRC check passed");
    let id = hook["id"].as_str().unwrap().to_owned();
    let me = server.me().to_string();
    ok(&run(with_app(&["subscribe", "--user", &me, "--webhook", &id])).await);
    let a = server.inject_incoming(OTHER, "to the webhook").unwrap();
    let b = server.inject_incoming(OTHER, "again").unwrap();
    let (lines, err, ok_) = finish(serve).await;
    assert!(ok_, "{err}");
    let ids: Vec<String> = lines
        .iter()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        ids,
        [a, b],
        "each once, though every delivery was posted twice"
    );
    assert!(err.contains("duplicates dropped"), "{err}");
    let list = run(with_app(&["webhook", "list"])).await;
    ok(&list);
    assert_eq!(jsonl(&stdout(&list))[0]["id"], id.as_str());
    let now = time::OffsetDateTime::from_unix_timestamp(server.now_ms() / 1000).unwrap();
    let fmt = time::format_description::well_known::Rfc3339;
    let from = (now - time::Duration::minutes(10)).format(&fmt).unwrap();
    let replay = run(with_app(&[
        "webhook",
        "replay",
        &id,
        "--from",
        &from,
        "--to",
        &now.format(&fmt).unwrap(),
    ]))
    .await;
    ok(&replay);
    assert!(jsonl(&stdout(&replay))[0]["job_id"].is_string());
    let del = run(with_app(&["webhook", "delete", &id])).await;
    ok(&del);
    assert_eq!(jsonl(&stdout(&del))[0]["deleted"], true);
}

#[tokio::test]
async fn webhook_serve_needs_the_secret_and_refuses_raw_with_db() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = xdm(dir.path());
    c.env_remove("XDM_CONSUMER_SECRET")
        .args(["webhook", "serve", "--addr", "127.0.0.1:0"]);
    let o = run(c).await;
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("XDM_CONSUMER_SECRET"), "{}", stderr(&o));
    let db = dir.path().join("dms.sqlite");
    let db = db.to_str().unwrap();
    for args in [
        &["--db", db, "--raw"][..],
        &["--account", "work"][..],
        &["--db", "mysql://x"][..],
    ] {
        let mut c = xdm(dir.path());
        c.env("XDM_CONSUMER_SECRET", "s")
            .args(["webhook", "serve", "--addr", "127.0.0.1:0"])
            .args(args);
        let o = run(c).await;
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
    assert!(!dir.path().join("dms.sqlite").exists(), "nothing created");
}

/// Starts `xdm webhook serve --db` at `addr`, stopping after `limit` messages.
fn serve_into(server: &FakeServer, dir: &std::path::Path, addr: &str, db: &str) -> Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("xdm"))
        .env_remove("XDM_APP_BEARER_TOKEN")
        .env("XDM_CONSUMER_SECRET", server.consumer_secret())
        .env("XDM_CONFIG_DIR", dir)
        .args([
            "webhook", "serve", "--addr", addr, "--db", db, "--limit", "2",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Records by id from JSONL output.
fn by_id(out: &str) -> Vec<(String, Value)> {
    jsonl(out)
        .into_iter()
        .map(|v| (v["id"].as_str().unwrap().to_owned(), v))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn webhook_serve_writes_each_dm_into_the_store_once() {
    let server = sandbox(ActivityConfig::new().duplicate_deliveries(true)).await;
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("dms.sqlite").display());
    let addr = free_addr();
    let first = serve_into(&server, dir.path(), &addr, &db);
    until(|| std::net::TcpStream::connect(&addr).is_ok()).await;
    let with_app = |args: &[&str]| {
        let mut c = xdm_at(&server, dir.path());
        c.env("XDM_APP_BEARER_TOKEN", server.app_token()).args(args);
        c
    };
    let reg = run(with_app(&[
        "webhook",
        "register",
        &format!("http://{addr}/webhook"),
    ]))
    .await;
    ok(&reg);
    let id = jsonl(&stdout(&reg))[0]["id"].as_str().unwrap().to_owned();
    let me = server.me().to_string();
    ok(&run(with_app(&["subscribe", "--user", &me, "--webhook", &id])).await);
    let a = server.inject_incoming(OTHER, "kept once").unwrap();
    let b = server.inject_incoming(OTHER, "and this too").unwrap();
    let (lines, err, ok_) = finish(first).await;
    assert!(ok_, "{err}");
    assert!(lines.is_empty(), "with --db nothing is printed: {lines:?}");
    assert!(
        err.contains("2 messages stored (2 new to the store)"),
        "every delivery was posted twice, each message is handed over once: {err}"
    );

    // A new receiver (its de-duplication memory empty) gets the same messages replayed: the
    // store keeps each once.
    let second = serve_into(&server, dir.path(), &addr, &db);
    until(|| std::net::TcpStream::connect(&addr).is_ok()).await;
    let now = time::OffsetDateTime::from_unix_timestamp(server.now_ms() / 1000).unwrap();
    let fmt = time::format_description::well_known::Rfc3339;
    let from = (now - time::Duration::minutes(10)).format(&fmt).unwrap();
    let to = now.format(&fmt).unwrap();
    ok(&run(with_app(&[
        "webhook", "replay", &id, "--from", &from, "--to", &to,
    ]))
    .await);
    let (_, err, ok_) = finish(second).await;
    assert!(ok_, "{err}");
    assert!(
        err.contains("2 messages stored (0 new to the store)"),
        "{err}"
    );

    let export = |c: &mut assert_cmd::Command| {
        c.args(["export", "--db", &db, "--format", "jsonl"]);
    };
    let mut c = xdm_at(&server, dir.path());
    export(&mut c);
    let o = run(c).await;
    ok(&o);
    let stored = by_id(&stdout(&o));
    let ids: Vec<&str> = stored.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, [a.as_str(), b.as_str()]);
    assert_eq!(stored[0].1["text"], "kept once");
    assert_eq!(stored[0].1["sender_id"], OTHER);

    // A sync brings the API's own JSON of the same messages: still each once, and equal to
    // what `xdm events` prints.
    let mut c = xdm_at(&server, dir.path());
    c.args(["sync", "--db", &db]);
    ok(&run(c).await);
    let mut c = xdm_at(&server, dir.path());
    c.args(["events", "--format", "jsonl"]);
    let o = run(c).await;
    ok(&o);
    let mut api = by_id(&stdout(&o));
    let mut c = xdm_at(&server, dir.path());
    export(&mut c);
    let o = run(c).await;
    ok(&o);
    let mut stored = by_id(&stdout(&o));
    api.sort_by(|x, y| x.0.cmp(&y.0));
    stored.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(stored.len(), api.len(), "each event once");
    for ((id, s), (_, e)) in stored.iter().zip(&api) {
        if id == &a || id == &b {
            assert_eq!(s, e, "the API's JSON replaced the converted one for {id}");
        }
    }
    assert!(stored.iter().any(|(id, _)| id == &a));
}

#[tokio::test(flavor = "multi_thread")]
async fn follow_realtime_shows_incoming_chat_messages_decrypted_beside_dms() {
    use dm_chat::thrift::{EventDetail, ThriftStruct};
    let server = FakeServer::builder()
        .seed(4)
        .events(40)
        .other_user("bob-token")
        .activity(ActivityConfig::new().keepalive(Duration::from_millis(200)))
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let me = server.me().to_string();
    // Alice's X Chat keys, in the config directory (found without --keys).
    let mut init = xdm_at(&server, dir.path());
    init.args(["chat", "keys", "init"]);
    ok(&run(init).await);
    let stored: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("chat-keys.json")).unwrap()).unwrap();
    let secret = stored["private_keys"].as_str().unwrap().to_owned();
    let bob_client = dm_stream::Client::builder()
        .base_url(server.base_url())
        .bearer_token("bob-token")
        .build()
        .unwrap();
    let bob = dm_stream::ChatClient::register(bob_client, dm_chat::PrivateKeys::generate())
        .await
        .unwrap();

    let child = spawn(
        &server,
        dir.path(),
        true,
        &[
            "follow",
            "--realtime",
            "--user",
            &me,
            "--format",
            "jsonl",
            "--limit",
            "3",
        ],
    );
    until(|| server.activity_stream_connections() > 0).await;
    let conv = dm_chat::ChatConversationId::parse(&me, Some(bob.user_id())).unwrap();
    bob.send_text(&conv, "sealed hello 🔐").await.unwrap();
    let legacy = server.inject_incoming(OTHER, "a legacy DM").unwrap();
    // A server gone wrong relays a tampered copy of Bob's message.
    let page = bob
        .client()
        .chat_events_page(conv.path().parse().unwrap(), None, None)
        .await
        .unwrap();
    let mut ev = dm_chat::parse_event(page.data[0].encoded_event.as_deref().unwrap()).unwrap();
    if let Some(EventDetail::MessageCreate(c)) = &mut ev.detail {
        c.contents.as_mut().unwrap()[45] ^= 1;
    }
    server
        .chat_relay_unchecked(
            &conv.path(),
            bob.user_id(),
            dm_chat::b64::encode(&ev.encode()),
        )
        .unwrap();

    let mut child = child;
    let stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let (lines, err, code) = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::task::spawn_blocking(move || {
            let lines: Vec<String> = BufReader::new(stdout).lines().map(Result::unwrap).collect();
            let mut err = String::new();
            std::io::Read::read_to_string(&mut stderr, &mut err).unwrap();
            (lines, err, child.wait().unwrap().code())
        }),
    )
    .await
    .expect("xdm finishes")
    .unwrap();
    // The forged message is reported, and the exit code says so.
    assert_eq!(code, Some(6), "{err}");
    assert!(err.contains("chat.received subscription"), "{err}");
    assert!(err.contains("does not verify"), "{err}");
    let records: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 3, "{lines:?}");
    let chat: Vec<&Value> = records.iter().filter(|r| r["source"] == "x_chat").collect();
    assert_eq!(chat.len(), 2, "{lines:?}");
    let good = chat.iter().find(|r| r["verified"] == true).unwrap();
    assert_eq!(good["text"], "sealed hello 🔐");
    assert_eq!(good["sender_id"], bob.user_id());
    assert_eq!(good["conversation_id"], conv.path().as_str());
    let bad = chat.iter().find(|r| r["verified"] == false).unwrap();
    assert!(bad.get("text").is_none(), "{bad}");
    let dm = records
        .iter()
        .find(|r| r["event_type"] == "MessageCreate")
        .unwrap();
    assert_eq!(dm["id"], legacy.as_str());
    assert_eq!(dm["text"], "a legacy DM");
    assert!(!lines.concat().contains(&secret) && !err.contains(&secret));
}
