//! Two users through the sandbox over real sockets: Alice is xdm ([`ChatClient`]), Bob and
//! Carol are the official bindings (chatxdk 0.5.2, `tests/chat_bindings/peer.py`) speaking
//! HTTP themselves. Messages go both ways, each side creating a conversation key once, and
//! each reads the other's as verified text.
//!
//! Needs `XDM_CHATXDK_PYTHON`, a Python with `chatxdk==0.5.2` (`.ci/run` makes that venv and
//! sets it); without it the test says so and does nothing.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use dm_chat::{ChatConversationId, PrivateKeys};
use dm_fake::FakeServer;
use dm_stream::{ChatClient, ChatEvent, Client};
use futures::TryStreamExt;
use serde_json::{Value, json};

struct Peer {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Peer {
    fn start(python: &str, base_url: &str, token: &str) -> Peer {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/chat_bindings/peer.py");
        let mut child = Command::new(python)
            .args([script, base_url, token])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the bindings' peer");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Peer {
            child,
            stdin,
            stdout,
        }
    }

    /// One command; the peer's blocking HTTP calls reach the sandbox running on this runtime.
    fn call(&mut self, cmd: Value) -> Value {
        tokio::task::block_in_place(|| {
            writeln!(self.stdin, "{cmd}").unwrap();
            self.stdin.flush().unwrap();
            let mut line = String::new();
            self.stdout.read_line(&mut line).unwrap();
            let v: Value = serde_json::from_str(&line).unwrap_or_else(|_| panic!("{line:?}"));
            assert!(v.get("error").is_none(), "{cmd} -> {v}");
            v
        })
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn texts(c: &ChatClient, conv: &ChatConversationId) -> Vec<(String, String)> {
    let events: Vec<ChatEvent> = c.history(conv).try_collect().await.unwrap();
    let mut out: Vec<(String, String)> = events
        .into_iter()
        .map(|e| match e {
            ChatEvent::Message(m) => (m.sender_id.clone(), m.text().unwrap_or_default().to_owned()),
            other => panic!("not a verified message: {other:?}"),
        })
        .collect();
    out.reverse();
    out
}

fn peer_texts(v: &Value) -> Vec<(String, String)> {
    assert_eq!(v["errors"], json!([]), "{v}");
    v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            assert_eq!(m["verified"], json!(true), "{m}");
            (
                m["sender_id"].as_str().unwrap().to_owned(),
                m["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xdm_and_the_official_bindings_exchange_messages_through_the_sandbox() {
    let Ok(python) = std::env::var("XDM_CHATXDK_PYTHON") else {
        eprintln!("XDM_CHATXDK_PYTHON is not set: the bindings test is not run (.ci/run sets it)");
        return;
    };
    let fake = FakeServer::builder()
        .other_user("bob-token")
        .other_user("carol-token")
        .start()
        .await
        .unwrap();
    let alice = Client::builder()
        .base_url(fake.base_url())
        .bearer_token(fake.token())
        .build()
        .unwrap();
    let alice = ChatClient::register(alice, PrivateKeys::generate())
        .await
        .unwrap();
    let a = alice.user_id().to_owned();

    // xdm opens the conversation with Bob (its key, wrapped to both, signed by xdm).
    let mut bob = Peer::start(&python, fake.base_url(), "bob-token");
    let b = bob.call(json!({"op": "register"}))["user_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let with_bob = ChatConversationId::parse(&b, Some(&a)).unwrap();
    alice
        .send_text(&with_bob, "hello Bob, from xdm")
        .await
        .unwrap();
    let read = bob.call(json!({"op": "read", "peer": a}));
    assert_eq!(
        peer_texts(&read),
        vec![(a.clone(), "hello Bob, from xdm".to_owned())]
    );
    bob.call(json!({"op": "send", "peer": a, "text": "hi Alice ✨ from the bindings"}));
    alice.send_text(&with_bob, "and back again").await.unwrap();
    let want = vec![
        (a.clone(), "hello Bob, from xdm".to_owned()),
        (b.clone(), "hi Alice ✨ from the bindings".to_owned()),
        (a.clone(), "and back again".to_owned()),
    ];
    assert_eq!(texts(&alice, &with_bob).await, want);
    assert_eq!(
        peer_texts(&bob.call(json!({"op": "read", "peer": a}))),
        want
    );

    // The bindings open the conversation with Carol's side (their key, signed by them).
    let mut carol = Peer::start(&python, fake.base_url(), "carol-token");
    let c = carol.call(json!({"op": "register"}))["user_id"]
        .as_str()
        .unwrap()
        .to_owned();
    carol.call(json!({"op": "start", "peer": a}));
    carol.call(json!({"op": "send", "peer": a, "text": "Carol here, key made by the bindings"}));
    let with_carol = ChatConversationId::parse(&c, Some(&a)).unwrap();
    alice
        .send_text(&with_carol, "read you, Carol")
        .await
        .unwrap();
    let want = vec![
        (c.clone(), "Carol here, key made by the bindings".to_owned()),
        (a.clone(), "read you, Carol".to_owned()),
    ];
    assert_eq!(texts(&alice, &with_carol).await, want);
    assert_eq!(
        peer_texts(&carol.call(json!({"op": "read", "peer": a}))),
        want
    );
}
