//! The `dm-fake` binary prints its base URL first and serves.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn binary_prints_base_url_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dm-fake"))
        .args([
            "--seed",
            "3",
            "--events",
            "25",
            "--token",
            "bin-token",
            "--rate-limit",
            "15",
            "--rate-window-ms",
            "2000",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line.trim().to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    let r = common::get(&base, "/2/dm_events?max_results=5", "bin-token").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-rate-limit-limit"), Some("15"));
    assert_eq!(r.json()["data"].as_array().unwrap().len(), 5);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test]
async fn binary_fault_flags() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dm-fake"))
        .args([
            "--events",
            "5",
            "--fault-rate",
            "100",
            "--fault-kinds",
            "5xx",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let r = common::get(line.trim(), "/2/dm_events", "dm-fake-user-token").await;
    assert_eq!(r.status, 503);
    child.kill().unwrap();
    child.wait().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_dm-fake"))
        .args(["--fault-kinds", "nope"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}
