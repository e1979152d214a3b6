//! Shared helpers: run the built `xdm` against a sandbox started in the test.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Output;

use dm_fake::FakeServer;
use serde_json::Value;

/// The built binary with a clean environment (no credentials, a private config dir).
pub fn xdm(config_dir: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("xdm").expect("the xdm binary is built");
    for var in [
        "XDM_ACCESS_TOKEN",
        "XDM_BASE_URL",
        "XDM_CLIENT_ID",
        "XDM_CLIENT_SECRET",
        "XDM_OAUTH1_CONSUMER_KEY",
        "XDM_OAUTH1_CONSUMER_SECRET",
        "XDM_OAUTH1_ACCESS_TOKEN",
        "XDM_OAUTH1_ACCESS_TOKEN_SECRET",
        "RUST_LOG",
        "XDM_CHAT_KEYS",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("XDM_CONFIG_DIR", config_dir).env("NO_COLOR", "1");
    cmd
}

/// `xdm` pointed at `server` with its user token.
pub fn xdm_at(server: &FakeServer, config_dir: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = xdm(config_dir);
    cmd.env("XDM_BASE_URL", server.base_url())
        .env("XDM_ACCESS_TOKEN", server.token());
    cmd
}

/// `xdm` as a process to spawn (to kill it, or read its output as it comes), pointed at
/// `server` with its user token.
pub fn xdm_process(server: &FakeServer, config_dir: &std::path::Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("xdm"));
    cmd.env("XDM_BASE_URL", server.base_url())
        .env("XDM_ACCESS_TOKEN", server.token())
        .env("XDM_CONFIG_DIR", config_dir);
    cmd
}

/// A one-to-one conversation of `server`'s dataset and the user at its other end:
/// `(conversation id, user id)`.
pub fn one_to_one(server: &FakeServer) -> (String, String) {
    let me = server.me().to_string();
    let conv = server
        .dataset()
        .conversations()
        .into_iter()
        .find(|c| !c.is_group)
        .expect("the dataset has a one-to-one conversation");
    let other = conv
        .participants
        .into_iter()
        .find(|p| *p != me)
        .expect("a one-to-one conversation has another participant");
    (conv.id, other)
}

/// Runs a command on a blocking thread (the sandbox keeps serving on the runtime).
pub async fn run(mut cmd: assert_cmd::Command) -> Output {
    tokio::task::spawn_blocking(move || cmd.output().expect("xdm runs"))
        .await
        .expect("the blocking task finishes")
}

/// Stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts success, printing stderr otherwise.
pub fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "xdm failed ({:?}): {}",
        o.status.code(),
        stderr(o)
    );
}

/// JSONL lines parsed.
pub fn jsonl(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSONL line {l}: {e}")))
        .collect()
}

/// A record without its embedded `includes`: the event as the API sent it.
pub fn without_includes(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.remove("includes");
    }
    v
}

/// A plain HTTP/1.1 GET over a socket: (status, headers, body).
pub fn http_get(url: &str) -> (u16, Vec<(String, String)>, String) {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let mut stream = TcpStream::connect(authority).expect("connects");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .expect("writes");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).expect("reads");
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}
