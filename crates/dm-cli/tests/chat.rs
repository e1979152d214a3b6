//! `xdm chat`: two users, each with their own key file, exchange encrypted messages through
//! the sandbox; a forged event is reported, never shown, and the exit code says so.

mod common;

use common::*;
use dm_fake::FakeServer;
use serde_json::Value;

fn as_user(server: &FakeServer, dir: &std::path::Path, token: &str) -> assert_cmd::Command {
    let mut cmd = xdm(dir);
    cmd.env("XDM_BASE_URL", server.base_url())
        .env("XDM_ACCESS_TOKEN", token);
    cmd
}

async fn json_out(mut cmd: assert_cmd::Command, args: &[&str]) -> Value {
    cmd.args(args);
    let out = run(cmd).await;
    ok(&out);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", stdout(&out)))
}

#[tokio::test(flavor = "multi_thread")]
async fn two_users_chat_encrypted_through_the_cli() {
    let server = FakeServer::builder()
        .other_user("bob-token")
        .start()
        .await
        .unwrap();
    let (alice_dir, bob_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let alice = |_: ()| as_user(&server, alice_dir.path(), server.token());
    let bob = |_: ()| as_user(&server, bob_dir.path(), "bob-token");

    // Keys: generated, registered, kept 0600 in the config directory.
    let a = json_out(alice(()), &["chat", "keys", "init"]).await;
    let a_id = a["user_id"].as_str().unwrap().to_owned();
    assert_eq!(a_id, server.me().to_string());
    assert_eq!(a["fingerprint"].as_str().unwrap().len(), 43);
    let key_file = alice_dir.path().join("chat-keys.json");
    let stored: Value = serde_json::from_slice(&std::fs::read(&key_file).unwrap()).unwrap();
    let secret = stored["private_keys"].as_str().unwrap().to_owned();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Not replaced by accident.
    let mut again = alice(());
    again.args(["chat", "keys", "init"]);
    let out = run(again).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let shown = json_out(alice(()), &["chat", "keys", "show"]).await;
    assert_eq!(shown["fingerprint"], a["fingerprint"]);
    assert!(!shown.to_string().contains(&secret));

    // Bob keeps his keys in a file of his choosing (XDM_CHAT_KEYS).
    let bob_keys = bob_dir.path().join("elsewhere").join("bob.json");
    let mut cmd = bob(());
    cmd.env("XDM_CHAT_KEYS", &bob_keys);
    let b = json_out(cmd, &["chat", "keys", "init"]).await;
    let b_id = b["user_id"].as_str().unwrap().to_owned();
    assert!(bob_keys.exists());
    let bob = |_: ()| {
        let mut c = as_user(&server, bob_dir.path(), "bob-token");
        c.env("XDM_CHAT_KEYS", &bob_keys);
        c
    };

    // Alice writes, Bob answers with a file, both read the same verified history.
    let sent = json_out(alice(()), &["chat", "send", "--to", &b_id, "hello Bob 🔐"]).await;
    let conv = sent["conversation_id"].as_str().unwrap().to_owned();
    assert!(sent["message_id"].as_str().unwrap().len() == 36, "{sent}");
    let file = bob_dir.path().join("notes.txt");
    std::fs::write(&file, "the secret notes").unwrap();
    json_out(
        bob(()),
        &[
            "chat",
            "send",
            "--conversation",
            &conv,
            "--file",
            file.to_str().unwrap(),
            "hi Alice, notes attached",
        ],
    )
    .await;
    for (who, with) in [(alice(()), &b_id), (bob(()), &a_id)] {
        let mut cmd = who;
        cmd.args(["chat", "events", "--with", with, "--format", "jsonl"]);
        let out = run(cmd).await;
        ok(&out);
        let lines = jsonl(&stdout(&out));
        let got: Vec<(&str, &str, bool)> = lines
            .iter()
            .map(|l| {
                (
                    l["sender_id"].as_str().unwrap(),
                    l["text"].as_str().unwrap(),
                    l["verified"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (b_id.as_str(), "hi Alice, notes attached", true),
                (a_id.as_str(), "hello Bob 🔐", true),
            ]
        );
        assert!(lines.iter().all(|l| l["conversation_id"] == conv.as_str()
            && l["created_at"].as_str().is_some_and(|t| t.ends_with('Z'))));
    }
    let mut cmd = bob(());
    cmd.args(["chat", "conversations"]);
    let out = run(cmd).await;
    ok(&out);
    assert_eq!(jsonl(&stdout(&out))[0]["id"], conv.as_str());

    // A server gone wrong relays a forged copy of Alice's message: Bob is told, not shown.
    let page = dm_stream::Client::builder()
        .base_url(server.base_url())
        .bearer_token("bob-token")
        .build()
        .unwrap()
        .chat_events_page(conv.parse().unwrap(), None, None)
        .await
        .unwrap();
    let genuine = page.data[1].encoded_event.clone().unwrap();
    let mut ev = dm_chat::parse_event(&genuine).unwrap();
    if let Some(dm_chat::thrift::EventDetail::MessageCreate(c)) = &mut ev.detail {
        c.contents.as_mut().unwrap()[50] ^= 4;
    }
    use dm_chat::thrift::ThriftStruct;
    server
        .chat_relay_unchecked(&conv, &a_id, dm_chat::b64::encode(&ev.encode()))
        .unwrap();
    let mut cmd = bob(());
    cmd.args([
        "chat",
        "events",
        "--conversation",
        &conv,
        "--format",
        "jsonl",
    ]);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    let lines = jsonl(&stdout(&out));
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["verified"], false);
    assert!(lines[0].get("text").is_none(), "{}", lines[0]);
    assert!(stderr(&out).contains("does not verify"), "{}", stderr(&out));
    // Nothing printed anywhere carries the private keys.
    assert!(!stdout(&out).contains(&secret) && !stderr(&out).contains(&secret));
}

#[tokio::test(flavor = "multi_thread")]
async fn chat_without_keys_or_with_a_bad_key_file_is_refused_in_one_line() {
    let server = FakeServer::builder().start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["chat", "send", "--to", "12", "hi"]);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("xdm chat keys init"),
        "{}",
        stderr(&out)
    );

    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"user_id":"1","public_key_version":"1","private_keys":"c2VjcmV0IGJ1dCBzaG9ydA=="}"#,
    )
    .unwrap();
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args([
        "chat",
        "send",
        "--keys",
        bad.to_str().unwrap(),
        "--to",
        "12",
        "hi",
    ]);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("64-byte"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("c2VjcmV0"), "{}", stderr(&out));
}
