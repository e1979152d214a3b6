//! `xdm chat group create|add`, `xdm chat events` over every conversation, `xdm chat
//! download`: users each with their own key file, through the sandbox.

mod common;

use common::*;
use dm_fake::FakeServer;
use serde_json::Value;

struct User {
    dir: tempfile::TempDir,
    token: String,
    id: String,
}

impl User {
    fn cmd(&self, server: &FakeServer, args: &[&str]) -> assert_cmd::Command {
        let mut cmd = xdm(self.dir.path());
        cmd.env("XDM_BASE_URL", server.base_url())
            .env("XDM_ACCESS_TOKEN", &self.token)
            .args(args);
        cmd
    }

    async fn json(&self, server: &FakeServer, args: &[&str]) -> Value {
        let out = run(self.cmd(server, args)).await;
        ok(&out);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", stdout(&out)))
    }

    /// (sender, text) of every verified line; panics on an unverified one.
    async fn read(&self, server: &FakeServer, args: &[&str]) -> Vec<(String, String)> {
        let mut all = vec!["chat", "events", "--format", "jsonl"];
        all.extend_from_slice(args);
        let out = run(self.cmd(server, &all)).await;
        ok(&out);
        jsonl(&stdout(&out))
            .iter()
            .map(|l| {
                assert_eq!(l["verified"], true, "{l}");
                (
                    l["sender_id"].as_str().unwrap().to_owned(),
                    l["text"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }
}

async fn user(server: &FakeServer, token: &str) -> User {
    let mut u = User {
        dir: tempfile::tempdir().unwrap(),
        token: token.to_owned(),
        id: String::new(),
    };
    let keys = u.json(server, &["chat", "keys", "init"]).await;
    u.id = keys["user_id"].as_str().unwrap().to_owned();
    u
}

fn said(u: &User, text: &str) -> (String, String) {
    (u.id.clone(), text.to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_group_through_the_cli_and_events_over_every_conversation() {
    let server = FakeServer::builder()
        .other_user("bob-token")
        .other_user("carol-token")
        .other_user("dave-token")
        .start()
        .await
        .unwrap();
    let alice = user(&server, server.token()).await;
    let bob = user(&server, "bob-token").await;
    let carol = user(&server, "carol-token").await;
    let dave = user(&server, "dave-token").await;

    alice
        .json(&server, &["chat", "send", "--to", &bob.id, "just us"])
        .await;
    let with = format!("{},{}", bob.id, carol.id);
    let created = alice
        .json(
            &server,
            &["chat", "group", "create", "--with", &with, "welcome"],
        )
        .await;
    let group = created["conversation_id"].as_str().unwrap().to_owned();
    assert!(group.starts_with('g'), "{created}");
    assert!(created["message_id"].as_str().is_some(), "{created}");
    bob.json(
        &server,
        &["chat", "send", "--conversation", &group, "hi group"],
    )
    .await;
    let in_group = vec![said(&bob, "hi group"), said(&alice, "welcome")];
    assert_eq!(
        carol.read(&server, &["--conversation", &group]).await,
        in_group
    );

    // No conversation named: every conversation of the user, each verified.
    let mut everything = alice.read(&server, &[]).await;
    everything.sort();
    let mut want = in_group.clone();
    want.push(said(&alice, "just us"));
    want.sort();
    assert_eq!(everything, want);
    assert_eq!(carol.read(&server, &[]).await, in_group);

    // Only the admin adds; Dave reads from the rotation that added him on.
    let out = run(bob.cmd(
        &server,
        &[
            "chat",
            "group",
            "add",
            "--conversation",
            &group,
            "--with",
            &dave.id,
        ],
    ))
    .await;
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("403"), "{}", stderr(&out));
    let added = alice
        .json(
            &server,
            &[
                "chat",
                "group",
                "add",
                "--conversation",
                &group,
                "--with",
                &dave.id,
            ],
        )
        .await;
    assert_eq!(added["added"][0], dave.id.as_str());
    dave.json(
        &server,
        &["chat", "send", "--conversation", &group, "thanks"],
    )
    .await;
    carol
        .json(
            &server,
            &["chat", "send", "--conversation", &group, "hi Dave"],
        )
        .await;
    let after = vec![said(&carol, "hi Dave"), said(&dave, "thanks")];
    assert_eq!(dave.read(&server, &["--conversation", &group]).await, after);
    let all: Vec<_> = after.iter().chain(&in_group).cloned().collect();
    assert_eq!(bob.read(&server, &["--conversation", &group]).await, all);

    // Adding to a one-to-one conversation is refused before anything is sent.
    let one = format!("{}-{}", alice.id, bob.id);
    let out = run(alice.cmd(
        &server,
        &[
            "chat",
            "group",
            "add",
            "--conversation",
            &one,
            "--with",
            &dave.id,
        ],
    ))
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn chat_download_decrypts_an_attachment_into_a_file() {
    let server = FakeServer::builder()
        .other_user("bob-token")
        .start()
        .await
        .unwrap();
    let alice = user(&server, server.token()).await;
    let bob = user(&server, "bob-token").await;
    let file = bob.dir.path().join("plan.bin");
    let content: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&file, &content).unwrap();
    let sent = bob
        .json(
            &server,
            &[
                "chat",
                "send",
                "--to",
                &alice.id,
                "--file",
                file.to_str().unwrap(),
                "the plan",
            ],
        )
        .await;
    let id = sent["sequence_id"].as_str().unwrap().to_owned();

    // By its id, looked for in every conversation.
    let out_file = alice.dir.path().join("got.bin");
    let got = alice
        .json(
            &server,
            &["chat", "download", &id, "--out", out_file.to_str().unwrap()],
        )
        .await;
    assert_eq!(got["filename"], "plan.bin");
    assert_eq!(got["bytes"], content.len());
    assert_eq!(std::fs::read(&out_file).unwrap(), content);
    // By its message id, in a named conversation.
    let again = alice.dir.path().join("again.bin");
    let conv = sent["conversation_id"].as_str().unwrap();
    alice
        .json(
            &server,
            &[
                "chat",
                "download",
                sent["message_id"].as_str().unwrap(),
                "--conversation",
                conv,
                "--out",
                again.to_str().unwrap(),
            ],
        )
        .await;
    assert_eq!(std::fs::read(&again).unwrap(), content);

    // No such message, no such attachment: refused, nothing written.
    let none = alice.dir.path().join("none.bin");
    for args in [
        vec!["chat", "download", "2099999999999999999", "--out"],
        vec![
            "chat",
            "download",
            id.as_str(),
            "--attachment",
            "1",
            "--out",
        ],
    ] {
        let mut args = args;
        args.push(none.to_str().unwrap());
        let out = run(alice.cmd(&server, &args)).await;
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(!none.exists());
    }
}
