//! `xdm auth login | status | logout` against the sandbox's OAuth 2.0 server, with a
//! scripted browser: the test reads the authorize URL the CLI prints, GETs it on the
//! sandbox, and follows the redirect to the CLI's loopback callback.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use common::*;
use dm_fake::{FakeServer, OAuth2Config};
use serde_json::Value;

fn read_login(dir: &std::path::Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("login.json")).expect("login stored")).unwrap()
}

/// Runs `xdm auth login` and plays the browser. Returns the CLI's stderr.
async fn login(server: &FakeServer, dir: &std::path::Path) -> String {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("xdm"))
        .env_remove("XDM_ACCESS_TOKEN")
        .env("XDM_CONFIG_DIR", dir)
        .env("XDM_CLIENT_ID", &server.oauth2().client_id)
        .args([
            "auth",
            "login",
            "--port",
            "0",
            "--no-browser",
            "--timeout",
            "60",
            "--base-url",
            server.base_url(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("xdm starts");
    let stderr = child.stderr.take().unwrap();
    tokio::task::spawn_blocking(move || {
        let mut reader = BufReader::new(stderr);
        let mut seen = String::new();
        let mut line = String::new();
        let url = loop {
            line.clear();
            assert!(
                reader.read_line(&mut line).unwrap() > 0,
                "no authorize URL printed: {seen}"
            );
            seen.push_str(&line);
            if line.starts_with("http") {
                break line.trim().to_owned();
            }
        };
        assert!(
            url.contains("code_challenge_method=S256") && url.contains("dm.read"),
            "{url}"
        );
        let (status, headers, _) = http_get(&url);
        assert_eq!(status, 302, "the sandbox approves and redirects");
        let location = headers
            .iter()
            .find(|(k, _)| k == "location")
            .map(|(_, v)| v.clone())
            .unwrap();
        assert!(location.starts_with("http://127.0.0.1:"), "{location}");
        let (status, _, body) = http_get(&location);
        assert_eq!(status, 200);
        assert!(body.contains("authorized"));
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut reader, &mut rest).unwrap();
        seen.push_str(&rest);
        let status = child.wait().unwrap();
        assert!(status.success(), "login failed: {seen}");
        seen
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn login_stores_tokens_that_work_and_logout_revokes_them() {
    let server = FakeServer::builder()
        .seed(4)
        .events(50)
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let said = login(&server, dir.path()).await;
    assert!(said.contains("Logged in"), "{said}");

    let stored = read_login(dir.path());
    let access = stored["access_token"].as_str().unwrap().to_owned();
    assert!(!said.contains(&access), "the token is never printed");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("login.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "only the owner can read the tokens");
    }

    // The stored login authenticates commands (no XDM_ACCESS_TOKEN).
    let mut cmd = xdm(dir.path());
    cmd.args(["events", "--limit", "2", "--base-url", server.base_url()]);
    let out = run(cmd).await;
    ok(&out);
    assert_eq!(jsonl(&stdout(&out)).len(), 2);

    let mut cmd = xdm(dir.path());
    cmd.args(["auth", "status"]);
    let out = run(cmd).await;
    ok(&out);
    let status = stdout(&out);
    assert!(
        status.contains("dm.read") && status.contains(server.oauth2().client_id.as_str()),
        "{status}"
    );
    assert!(!status.contains(&access));

    let mut cmd = xdm(dir.path());
    cmd.args(["auth", "logout"]);
    ok(&run(cmd).await);
    assert!(!dir.path().join("login.json").exists());

    // The revoked token no longer works, and without a login the error says what to do.
    let mut cmd = xdm(dir.path());
    cmd.args(["events", "--limit", "1", "--base-url", server.base_url()])
        .env("XDM_ACCESS_TOKEN", &access);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let mut cmd = xdm(dir.path());
    cmd.args(["events", "--base-url", server.base_url()]);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("xdm auth login"));
}

#[tokio::test(flavor = "multi_thread")]
async fn expired_tokens_are_refreshed_and_the_rotated_refresh_token_saved() {
    let server = FakeServer::builder()
        .seed(4)
        .events(30)
        .oauth2(OAuth2Config::public("cli-test-client"))
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    login(&server, dir.path()).await;
    let first = read_login(dir.path());
    for _ in 0..2 {
        // Mark the stored access token as expiring now: the run refreshes before its request.
        let mut before = read_login(dir.path());
        before["expires_at"] = Value::from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs(),
        );
        std::fs::write(
            dir.path().join("login.json"),
            serde_json::to_vec(&before).unwrap(),
        )
        .unwrap();
        let mut cmd = xdm(dir.path());
        cmd.args(["events", "--limit", "1", "--base-url", server.base_url()]);
        let out = run(cmd).await;
        ok(&out);
        let after = read_login(dir.path());
        // The sandbox spends the old refresh token: the second run only works if the
        // rotated one was saved.
        assert_ne!(
            after["refresh_token"], before["refresh_token"],
            "rotated refresh token saved"
        );
        assert!(
            after["expires_at"].as_u64().unwrap() > before["expires_at"].as_u64().unwrap() + 3600
        );
    }
    assert_ne!(
        read_login(dir.path())["access_token"],
        first["access_token"]
    );
}

#[tokio::test]
async fn a_corrupt_login_file_is_reported_without_quoting_its_values() {
    let server = FakeServer::builder()
        .seed(1)
        .events(10)
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("login.json"),
        r#"{"access_token": 987654321987, "refresh_token": "r"}"#,
    )
    .unwrap();
    let mut cmd = xdm(dir.path());
    cmd.env("XDM_BASE_URL", server.base_url())
        .args(["events", "--limit", "1"]);
    let out = run(cmd).await;
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("login"), "{err}");
    assert!(err.contains("access_token"), "names where: {err}");
    assert!(!err.contains("987654321987"), "never the value: {err}");
}
