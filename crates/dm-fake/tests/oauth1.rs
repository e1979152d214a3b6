//! OAuth 1.0a user context: signatures verified, replays and stale timestamps refused, and the
//! endpoint that takes OAuth 2.0 only (media download) refusing it with the right problem.

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use common::request;
use dm_fake::{FakeServer, oauth1_base_string, oauth1_percent_encode, sign_hmac_sha1};
use dm_model::ProblemKind;

async fn server() -> FakeServer {
    common::sandbox(5, 60).await
}

/// Wall-clock Unix seconds, what a client signs with.
fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn oauth_header(
    method: &str,
    url: &str,
    query: &[(&str, &str)],
    nonce: &str,
    creds: &dm_fake::OAuth1Config,
    secret: &str,
    timestamp: u64,
) -> String {
    let timestamp = timestamp.to_string();
    let mut params: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect();
    let oauth = [
        ("oauth_consumer_key", creds.consumer_key.as_str()),
        ("oauth_nonce", nonce),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", timestamp.as_str()),
        ("oauth_token", creds.token.as_str()),
        ("oauth_version", "1.0"),
    ];
    params.extend(
        oauth
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let sig = sign_hmac_sha1(
        &oauth1_base_string(method, url, &params),
        secret,
        &creds.token_secret,
    );
    let mut parts: Vec<String> = oauth
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", oauth1_percent_encode(v)))
        .collect();
    parts.push(format!(
        "oauth_signature=\"{}\"",
        oauth1_percent_encode(&sig)
    ));
    format!("OAuth {}", parts.join(", "))
}

#[tokio::test]
async fn oauth1_signatures_are_verified() {
    let s = server().await;
    let creds = s.oauth1().unwrap().clone();
    let url = format!("{}/2/dm_events", s.base_url());
    let q = [("max_results", "3"), ("dm_event.fields", "id,text")];
    let h = oauth_header(
        "GET",
        &url,
        &q,
        "nonce-1",
        &creds,
        &creds.consumer_secret,
        now(),
    );
    let path = "/2/dm_events?max_results=3&dm_event.fields=id%2Ctext";
    let r = request(s.base_url(), "GET", path, &[("authorization", &h)], None)
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["data"].as_array().unwrap().len(), 3);
    // Replay of the same nonce, a wrong secret, and a tampered query are refused.
    let r = request(s.base_url(), "GET", path, &[("authorization", &h)], None)
        .await
        .unwrap();
    assert_eq!(r.status, 401);
    let bad = oauth_header("GET", &url, &q, "nonce-2", &creds, "wrong-secret", now());
    assert_eq!(
        request(s.base_url(), "GET", path, &[("authorization", &bad)], None)
            .await
            .unwrap()
            .status,
        401
    );
    let h3 = oauth_header(
        "GET",
        &url,
        &q,
        "nonce-3",
        &creds,
        &creds.consumer_secret,
        now(),
    );
    assert_eq!(
        request(
            s.base_url(),
            "GET",
            "/2/dm_events?max_results=4&dm_event.fields=id%2Ctext",
            &[("authorization", &h3)],
            None
        )
        .await
        .unwrap()
        .status,
        401
    );
    // A POST with a JSON body: the body is not signed.
    let participant = s.dataset().users()[1]["id"].as_str().unwrap().to_owned();
    let url = format!(
        "{}/2/dm_conversations/with/{participant}/messages",
        s.base_url()
    );
    let h = oauth_header(
        "POST",
        &url,
        &[],
        "nonce-4",
        &creds,
        &creds.consumer_secret,
        now(),
    );
    let r = request(
        s.base_url(),
        "POST",
        &format!("/2/dm_conversations/with/{participant}/messages"),
        &[("authorization", &h), ("content-type", "application/json")],
        Some(r#"{"text":"signed ✍️"}"#),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    assert!(
        format!("{creds:?}").contains("<redacted>")
            && !format!("{creds:?}").contains(&creds.consumer_secret)
    );
}

#[tokio::test]
async fn timestamps_more_than_five_minutes_off_are_401() {
    let s = server().await;
    let creds = s.oauth1().unwrap().clone();
    let url = format!("{}/2/dm_events", s.base_url());
    let secret = creds.consumer_secret.clone();
    let send = |h: String| {
        let base = s.base_url().to_owned();
        async move {
            request(&base, "GET", "/2/dm_events", &[("authorization", &h)], None)
                .await
                .unwrap()
        }
    };
    for (nonce, ts) in [
        ("stale-6min", now() - 360),
        ("stale-1day", now() - 86_400),
        ("future-6min", now() + 360),
        ("ancient", 1_318_622_958),
    ] {
        let r = send(oauth_header("GET", &url, &[], nonce, &creds, &secret, ts)).await;
        assert_eq!(r.status, 401, "{nonce}");
        // The same shape as every other OAuth 1.0a failure.
        assert_eq!(
            r.json(),
            serde_json::json!({"title": "Unauthorized", "detail": "Unauthorized", "type": "about:blank", "status": 401}),
            "{nonce}"
        );
    }
    // Within the window either way is fine (client clocks drift a little).
    for (nonce, ts) in [("past-4min", now() - 240), ("future-4min", now() + 240)] {
        let r = send(oauth_header("GET", &url, &[], nonce, &creds, &secret, ts)).await;
        assert_eq!(
            r.status,
            200,
            "{nonce}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
}

#[tokio::test]
async fn media_download_refuses_oauth1_naming_oauth2_user_context_only() {
    let s = server().await;
    let creds = s.oauth1().unwrap().clone();
    let path = "/2/dm_conversations/media/1/2/photo.jpg";
    let url = format!("{}{path}", s.base_url());
    let h = oauth_header(
        "GET",
        &url,
        &[],
        "media-1",
        &creds,
        &creds.consumer_secret,
        now(),
    );
    let r = request(s.base_url(), "GET", path, &[("authorization", &h)], None)
        .await
        .unwrap();
    assert_eq!(r.status, 403);
    assert_eq!(
        dm_model::parse_error_body(&r.body)[0].kind(),
        ProblemKind::UnsupportedAuthentication
    );
    let v = r.json();
    assert_eq!(v["title"], "Unsupported Authentication");
    assert_eq!(
        v["detail"],
        "Authenticating with OAuth 1.0a User Context is forbidden for this endpoint.  Supported authentication types are [OAuth 2.0 User Context]."
    );
    // App-only tokens keep their own wording (both user contexts supported on DM lookups).
    let r = common::get(s.base_url(), "/2/dm_events", s.app_only_token()).await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json()["detail"],
        "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context]."
    );
}
