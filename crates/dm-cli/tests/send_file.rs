//! `send --file` and `group create --file` against the sandbox: uploads for DMs, sends, and
//! exits with the documented codes when the file cannot be sent.

mod common;

use common::*;
use dm_fake::{Endpoint, FakeServer, UploadConfig};
use serde_json::Value;
use sha2::Digest as _;

fn sha(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn gif(len: usize) -> Vec<u8> {
    let mut v = b"GIF89a\x10\0\x10\0\xf0\0\0".to_vec();
    v.extend((0..len).map(|i| (i * 31 % 251) as u8));
    v.truncate(len);
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn send_file_uploads_for_dms_and_sends_the_attachment() {
    let server = FakeServer::builder()
        .seed(21)
        .events(80)
        .uploads(UploadConfig::instant())
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let other = server.dataset().users()[1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = dir.path().join("party.gif");
    let bytes = gif(300_000);
    std::fs::write(&path, &bytes).unwrap();

    let mut cmd = xdm_at(&server, dir.path());
    cmd.args([
        "send",
        "--to",
        &other,
        "--file",
        path.to_str().unwrap(),
        "look at this",
    ]);
    let out = run(cmd).await;
    ok(&out);
    let sent: Value = serde_json::from_slice(&out.stdout).expect("one JSON object off a terminal");
    let media_id = sent["media_id"].as_str().unwrap();
    assert_eq!(sent["media_key"], format!("16_{media_id}").as_str());
    let stored = server.uploaded_media(media_id).unwrap();
    assert_eq!(stored.category, "dm_gif");
    assert_eq!(stored.sha256, Some(sha(&bytes)));
    assert!(
        stderr(&out).is_empty(),
        "no bar off a terminal: {}",
        stderr(&out)
    );

    // The event carries the media key, and the lookup resolves it.
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["events", "--with", &other, "--limit", "1"]);
    let out = run(cmd).await;
    ok(&out);
    let newest = &jsonl(&stdout(&out))[0];
    assert_eq!(newest["id"], sent["dm_event_id"]);
    assert_eq!(newest["text"], "look at this");
    assert_eq!(newest["attachments"]["media_keys"][0], sent["media_key"]);
    assert_eq!(newest["includes"]["media"][0]["type"], "animated_gif");

    // Without text, to a conversation; then a group with a photo.
    let mut cmd = xdm_at(&server, dir.path());
    let conv = sent["dm_conversation_id"].as_str().unwrap().to_owned();
    cmd.args([
        "send",
        "--conversation",
        &conv,
        "--file",
        path.to_str().unwrap(),
    ]);
    ok(&run(cmd).await);
    let png = dir.path().join("team.png");
    std::fs::write(
        &png,
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0",
    )
    .unwrap();
    let users = server.dataset().users();
    let with = format!(
        "{},{}",
        users[1]["id"].as_str().unwrap(),
        users[2]["id"].as_str().unwrap()
    );
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args([
        "group",
        "create",
        "--with",
        &with,
        "--file",
        png.to_str().unwrap(),
        "welcome",
    ]);
    let out = run(cmd).await;
    ok(&out);
    let group: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(group["media_id"].is_string());
    assert_eq!(server.stats().endpoint(Endpoint::CreateGroup), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn files_that_cannot_be_sent_exit_with_the_documented_codes() {
    let server = FakeServer::builder()
        .seed(3)
        .events(20)
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let other = server.dataset().users()[1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let too_big = dir.path().join("huge.jpg");
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
    jpeg.resize(5 * 1024 * 1024 + 1, 7);
    std::fs::write(&too_big, &jpeg).unwrap();
    let text = dir.path().join("notes.jpg");
    std::fs::write(&text, "not an image at all").unwrap();
    for (file, code, says) in [
        (too_big.to_str().unwrap(), 2, "5242880"),
        (
            text.to_str().unwrap(),
            2,
            "JPEG, PNG, WebP, GIF, MP4 and MOV",
        ),
        ("/nonexistent/x.png", 1, "/nonexistent/x.png"),
    ] {
        let mut cmd = xdm_at(&server, dir.path());
        cmd.args(["send", "--to", &other, "--file", file, "hi"]);
        let out = run(cmd).await;
        assert_eq!(out.status.code(), Some(code), "{file}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{file}: {}", stderr(&out));
    }
    // Neither text nor a file: a usage error from the parser.
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["send", "--to", &other]);
    assert_eq!(run(cmd).await.status.code(), Some(2));
    assert!(server.requests().is_empty(), "nothing was uploaded or sent");
}
