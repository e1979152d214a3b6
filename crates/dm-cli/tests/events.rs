//! `xdm events` against the sandbox: every lookup and every format equals the dataset.

mod common;

use common::*;
use dm_fake::{FakeServer, Scope};
use serde_json::Value;

async fn server() -> FakeServer {
    FakeServer::builder()
        .seed(11)
        .events(260)
        .start()
        .await
        .expect("sandbox starts")
}

/// A group conversation and a one-to-one partner from the dataset.
fn lookups(server: &FakeServer) -> Vec<(Vec<String>, Scope)> {
    let convs = server.dataset().conversations();
    let group = convs
        .iter()
        .filter(|c| c.is_group)
        .max_by_key(|c| c.events)
        .expect("a group");
    let me = server.me().to_string();
    let one = convs
        .iter()
        .filter(|c| !c.is_group)
        .max_by_key(|c| c.events)
        .expect("a 1-1");
    let other = one
        .participants
        .iter()
        .find(|p| **p != me)
        .expect("a partner")
        .clone();
    vec![
        (vec![], Scope::All),
        (
            vec!["--conversation".into(), group.id.clone()],
            Scope::Conversation(group.id.clone()),
        ),
        (
            vec!["--with".into(), other.clone()],
            Scope::WithParticipant(other),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn jsonl_is_every_event_as_sent_with_its_includes() {
    let server = server().await;
    let dir = tempfile::tempdir().unwrap();
    for (args, scope) in lookups(&server) {
        let mut cmd = xdm_at(&server, dir.path());
        cmd.arg("events").args(&args);
        let out = run(cmd).await;
        ok(&out);
        let records = jsonl(&stdout(&out));
        let truth = server.dataset().events(&scope);
        assert!(!truth.is_empty(), "{scope:?} has events");
        let events: Vec<Value> = records.iter().cloned().map(without_includes).collect();
        assert_eq!(
            events, truth,
            "{scope:?}: JSONL (default off a terminal) equals the dataset"
        );
        // Each record embeds the sender it references, as the dataset has it.
        let users = server.dataset().users();
        for r in &records {
            if let Some(sender) = r.get("sender_id") {
                let embedded = r["includes"]["users"].as_array().expect("users included");
                let profile = users
                    .iter()
                    .find(|u| &u["id"] == sender)
                    .expect("sender exists");
                assert!(
                    embedded.contains(profile),
                    "sender {sender} embedded with every field"
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn json_csv_and_pretty_formats_hold_the_same_events() {
    let server = server().await;
    let dir = tempfile::tempdir().unwrap();
    for (args, scope) in lookups(&server) {
        let truth = server.dataset().events(&scope);

        let mut cmd = xdm_at(&server, dir.path());
        cmd.args(["events", "--format", "json"]).args(&args);
        let out = run(cmd).await;
        ok(&out);
        let array: Vec<Value> = serde_json::from_slice(&out.stdout).expect("one JSON array");
        assert_eq!(
            array.into_iter().map(without_includes).collect::<Vec<_>>(),
            truth,
            "{scope:?} json"
        );

        let mut cmd = xdm_at(&server, dir.path());
        cmd.args(["events", "--format", "csv"]).args(&args);
        let out = run(cmd).await;
        ok(&out);
        let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
        let header = reader.headers().unwrap().clone();
        assert_eq!(&header[0], "id");
        assert_eq!(&header[7], "text");
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), truth.len(), "{scope:?} csv rows");
        for (row, event) in rows.iter().zip(&truth) {
            assert_eq!(row[0], *event["id"].as_str().unwrap());
            assert_eq!(row[2], *event["event_type"].as_str().unwrap());
            assert_eq!(
                row[7],
                *event["text"].as_str().unwrap_or(""),
                "text survives CSV quoting"
            );
        }

        let mut cmd = xdm_at(&server, dir.path());
        cmd.args(["events", "--format", "pretty", "--limit", "5"])
            .args(&args);
        let out = run(cmd).await;
        ok(&out);
        let text = stdout(&out);
        let users = server.dataset().users();
        let first_message = truth
            .iter()
            .take(5)
            .find(|e| e["event_type"] == "MessageCreate");
        if let Some(m) = first_message {
            let sender = users.iter().find(|u| u["id"] == m["sender_id"]).unwrap();
            let handle = format!("@{}", sender["username"].as_str().unwrap());
            assert!(text.contains(&handle), "pretty shows {handle}: {text}");
            let first_line = m["text"]
                .as_str()
                .unwrap()
                .trim_end()
                .lines()
                .next()
                .unwrap_or("");
            assert!(text.contains(first_line), "pretty shows the text");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn limit_out_types_and_fields_shape_the_request() {
    let server = server().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.jsonl");
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["events", "--limit", "7", "--max-results", "3", "--out"])
        .arg(&file);
    let out = run(cmd).await;
    ok(&out);
    assert!(out.stdout.is_empty(), "--out keeps stdout empty");
    let records = jsonl(&std::fs::read_to_string(&file).unwrap());
    let truth = server.dataset().events(&Scope::All);
    assert_eq!(
        records
            .into_iter()
            .map(without_includes)
            .collect::<Vec<_>>(),
        truth[..7].to_vec()
    );

    let mut cmd = xdm_at(&server, dir.path());
    cmd.args([
        "events",
        "--types",
        "MessageCreate",
        "--fields",
        "id,text,sender_id",
        "--expand",
        "sender_id",
        "--user-fields",
        "username",
    ]);
    let out = run(cmd).await;
    ok(&out);
    let records = jsonl(&stdout(&out));
    let messages: Vec<&Value> = truth
        .iter()
        .filter(|e| e["event_type"] == "MessageCreate")
        .collect();
    assert_eq!(records.len(), messages.len());
    for (r, m) in records.iter().zip(messages) {
        assert_eq!(r["id"], m["id"]);
        assert_eq!(r["text"], m["text"]);
        assert!(r.get("created_at").is_none(), "only the fields asked for");
        let user = &r["includes"]["users"][0];
        assert_eq!(user["id"], m["sender_id"]);
        assert!(user.get("username").is_some() && user.get("location").is_none());
    }
}
