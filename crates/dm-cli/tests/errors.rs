//! Bad input and refusals: one or two plain lines that say what to do, and the documented
//! exit code (2 usage, 3 auth, 4 API, 5 network).

mod common;

use std::time::Duration;

use common::*;
use dm_fake::{FakeServer, RateLimitConfig, Scope};

#[tokio::test(flavor = "multi_thread")]
async fn invalid_ids_fields_and_values_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["send", "--to", "@jack", "hi"], "^[0-9]{1,19}$"),
        (&["events", "--conversation", "abc"], "invalid"),
        (
            &["events", "--fields", "id,colour"],
            "expected one of: attachments, created_at",
        ),
        (&["events", "--expand", "sender"], "expected one of:"),
        (&["events", "--types", "Message"], "MessageCreate"),
        (&["events", "--max-results", "500"], "1..=100"),
        (&["delete", "12x"], "invalid"),
        (&["frobnicate"], "unrecognized subcommand"),
    ];
    for (args, needle) in cases {
        let mut cmd = xdm(dir.path());
        cmd.args(*args);
        let out = run(cmd).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_or_wrong_credentials_are_auth_errors() {
    let server = FakeServer::builder()
        .seed(2)
        .events(20)
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();

    let mut cmd = xdm(dir.path());
    cmd.args(["events", "--base-url", server.base_url()]);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("xdm auth login") && stderr(&out).contains("XDM_ACCESS_TOKEN"));
    assert!(stderr(&out).lines().count() <= 2, "{}", stderr(&out));

    let mut cmd = xdm(dir.path());
    cmd.args(["events", "--base-url", server.base_url()])
        .env("XDM_ACCESS_TOKEN", server.app_only_token());
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("user"),
        "says DMs need a user token: {}",
        stderr(&out)
    );
    assert!(
        !stderr(&out).contains(server.app_only_token()),
        "the token is never printed"
    );

    let mut cmd = xdm(dir.path());
    cmd.args(["events", "--base-url", server.base_url()])
        .env("XDM_ACCESS_TOKEN", "not-a-real-token");
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(!stderr(&out).contains("not-a-real-token"));

    let mut cmd = xdm(dir.path());
    cmd.args(["events", "--base-url", server.base_url()])
        .env("XDM_OAUTH1_CONSUMER_KEY", "k");
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("XDM_OAUTH1_ACCESS_TOKEN_SECRET"),
        "names what is missing"
    );

    let mut cmd = xdm(dir.path());
    cmd.args(["auth", "login", "--base-url", server.base_url()]);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("XDM_CLIENT_ID"));
}

#[tokio::test(flavor = "multi_thread")]
async fn oauth1_user_context_works() {
    let server = FakeServer::builder()
        .seed(2)
        .events(20)
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let c = server.oauth1().unwrap().clone();
    let mut cmd = xdm(dir.path());
    cmd.args(["events", "--base-url", server.base_url()])
        .env("XDM_OAUTH1_CONSUMER_KEY", &c.consumer_key)
        .env("XDM_OAUTH1_CONSUMER_SECRET", &c.consumer_secret)
        .env("XDM_OAUTH1_ACCESS_TOKEN", &c.token)
        .env("XDM_OAUTH1_ACCESS_TOKEN_SECRET", &c.token_secret);
    let out = run(cmd).await;
    ok(&out);
    assert_eq!(
        jsonl(&stdout(&out)).len(),
        server.dataset().event_ids(&Scope::All).len()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_cap_not_found_and_network_failures() {
    let server = FakeServer::builder()
        .seed(2)
        .events(20)
        .rate_limit(RateLimitConfig::unlimited().usage_capped(true))
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = run({
        let mut c = xdm_at(&server, dir.path());
        c.arg("events");
        c
    })
    .await;
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("usage cap"), "{}", stderr(&out));

    server.set_usage_capped(false);
    let out = run({
        let mut c = xdm_at(&server, dir.path());
        c.args(["event", "1234567890123456789"]);
        c
    })
    .await;
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("1234567890123456789"),
        "names the event: {}",
        stderr(&out)
    );

    // Nothing listens on a port just released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = xdm(dir.path());
    cmd.args(["events", "--base-url", &format!("http://127.0.0.1:{port}")])
        .env("XDM_ACCESS_TOKEN", "t");
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(stderr(&out).contains("connect"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_spent_rate_limit_is_waited_out_not_an_error() {
    let server = FakeServer::builder()
        .seed(6)
        .events(60)
        .rate_limit(RateLimitConfig::new(3, Duration::from_secs(1)))
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = xdm_at(&server, dir.path());
    cmd.args(["events", "--max-results", "10"]);
    let out = run(cmd).await;
    ok(&out);
    let ids: Vec<String> = jsonl(&stdout(&out))
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, server.dataset().event_ids(&Scope::All));
    assert!(
        stderr(&out).contains("waiting until"),
        "the wait is shown: {}",
        stderr(&out)
    );
}

#[test]
fn every_command_has_help_with_an_example_and_global_options_go_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let commands: &[&[&str]] = &[
        &[],
        &["demo"],
        &["events"],
        &["sync"],
        &["follow"],
        &["send"],
        &["group", "create"],
        &["event"],
        &["delete"],
        &["block"],
        &["unblock"],
        &["auth", "login"],
        &["auth", "status"],
        &["auth", "logout"],
    ];
    for c in commands {
        let out = xdm(dir.path()).args(*c).arg("--help").output().unwrap();
        assert!(out.status.success(), "{c:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Example"),
            "{c:?} --help has an example:\n{text}"
        );
    }
    let top = xdm(dir.path()).arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&top.stdout);
    for code in [
        "2  usage error",
        "3  authentication error",
        "4  API error",
        "5  network error",
    ] {
        assert!(text.contains(code), "--help documents exit code `{code}`");
    }
    // `--sandbox` after the subcommand works the same as before it.
    for args in [
        &["--sandbox", "events", "--limit", "2"][..],
        &["events", "--limit", "2", "--sandbox"][..],
    ] {
        let out = xdm(dir.path()).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_without_dm_scopes_is_an_auth_error_naming_the_scopes() {
    use dm_transport::auth::OAuth2Endpoints;
    use dm_transport::{HyperTransport, OAuth2Client};

    let server = FakeServer::builder()
        .seed(2)
        .events(20)
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // A user token granted only `tweet.read users.read`, through the sandbox's OAuth 2.0 flow.
    let oauth = OAuth2Client::new(
        server.oauth2().client_id.clone(),
        "http://127.0.0.1:9/callback",
        std::sync::Arc::new(HyperTransport::new().unwrap()),
    )
    .endpoints(OAuth2Endpoints::with_base(server.base_url()));
    let request = oauth.authorize_url(&["tweet.read", "users.read"]);
    let url = request.url.clone();
    let (status, headers, _) = tokio::task::spawn_blocking(move || http_get(&url))
        .await
        .unwrap();
    assert_eq!(status, 302);
    let location = headers
        .iter()
        .find(|(k, _)| k == "location")
        .unwrap()
        .1
        .clone();
    let code = location
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let tokens = oauth.exchange_code(&code, &request.verifier).await.unwrap();

    let mut cmd = xdm(dir.path());
    cmd.args(["events", "--base-url", server.base_url()])
        .env("XDM_ACCESS_TOKEN", tokens.access_token.expose());
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("dm.read"),
        "names the scopes DMs need: {}",
        stderr(&out)
    );
}
