//! The fake OAuth 2.0 server: authorize → token (PKCE) → DM call → refresh (rotation) → revoke.

mod common;

use std::time::Duration;

use base64::Engine as _;
use common::{get, request};
use dm_fake::{FakeServer, OAuth2Config};
use sha2::Digest as _;

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

fn challenge(v: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(v.as_bytes()))
}

async fn authorize(s: &FakeServer, scope: &str) -> String {
    let q = form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", &s.oauth2().client_id)
        .append_pair("redirect_uri", "http://127.0.0.1:9/callback")
        .append_pair("scope", scope)
        .append_pair("state", "st@te 1")
        .append_pair("code_challenge", &challenge(VERIFIER))
        .append_pair("code_challenge_method", "S256")
        .finish();
    let r = request(
        s.base_url(),
        "GET",
        &format!("/i/oauth2/authorize?{q}"),
        &[],
        None,
    )
    .await
    .unwrap();
    assert_eq!(r.status, 302);
    let loc = r.header("location").unwrap().to_owned();
    let (base, query) = loc.split_once('?').unwrap();
    assert_eq!(base, "http://127.0.0.1:9/callback");
    let params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    assert!(params.contains(&("state".into(), "st@te 1".into())));
    params.into_iter().find(|(k, _)| k == "code").unwrap().1
}

async fn token(s: &FakeServer, form: &[(&str, &str)], basic: Option<&str>) -> common::Resp {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let mut headers = vec![("content-type", "application/x-www-form-urlencoded")];
    let auth;
    if let Some(b) = basic {
        auth = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(b)
        );
        headers.push(("authorization", &auth));
    }
    request(
        s.base_url(),
        "POST",
        "/2/oauth2/token",
        &headers,
        Some(&body),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn pkce_login_refresh_rotation_expiry_and_revoke() {
    let s = FakeServer::builder()
        .events(20)
        .oauth2(OAuth2Config::public("cli-app").access_token_lifetime(Duration::from_millis(300)))
        .start()
        .await
        .unwrap();
    let code = authorize(&s, "dm.read dm.write tweet.read users.read offline.access").await;
    // Wrong verifier fails and spends nothing useful; then a fresh code with the right one works.
    let bad = token(
        &s,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", "cli-app"),
            ("redirect_uri", "http://127.0.0.1:9/callback"),
            ("code_verifier", "x".repeat(43).as_str()),
        ],
        None,
    )
    .await;
    assert_eq!(bad.status, 400);
    let code = authorize(&s, "dm.read dm.write tweet.read users.read offline.access").await;
    let r = token(
        &s,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", "cli-app"),
            ("redirect_uri", "http://127.0.0.1:9/callback"),
            ("code_verifier", VERIFIER),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let t = r.json();
    assert_eq!(t["token_type"], "bearer");
    assert_eq!(t["expires_in"], 1);
    let access = t["access_token"].as_str().unwrap().to_owned();
    let refresh = t["refresh_token"].as_str().unwrap().to_owned();
    // A code is single-use.
    let again = token(
        &s,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", "cli-app"),
            ("redirect_uri", "http://127.0.0.1:9/callback"),
            ("code_verifier", VERIFIER),
        ],
        None,
    )
    .await;
    assert_eq!(again.status, 400);
    assert_eq!(get(s.base_url(), "/2/dm_events", &access).await.status, 200);
    // Expiry: wait until the token is past its lifetime (polling, no timing assertion).
    let mut expired = false;
    for _ in 0..50 {
        if get(s.base_url(), "/2/dm_events", &access).await.status == 401 {
            expired = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(expired);
    let r = token(
        &s,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", "cli-app"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    let t2 = r.json();
    let access2 = t2["access_token"].as_str().unwrap().to_owned();
    assert_ne!(t2["refresh_token"].as_str().unwrap(), refresh, "rotated");
    assert_eq!(
        get(s.base_url(), "/2/dm_events", &access2).await.status,
        200
    );
    let reuse = token(
        &s,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", "cli-app"),
        ],
        None,
    )
    .await;
    assert_eq!(reuse.status, 400, "an old refresh token is spent");
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("token", &access2)
        .append_pair("client_id", "cli-app")
        .finish();
    let r = request(
        s.base_url(),
        "POST",
        "/2/oauth2/revoke",
        &[("content-type", "application/x-www-form-urlencoded")],
        Some(&body),
    )
    .await
    .unwrap();
    assert_eq!(r.json(), serde_json::json!({"revoked": true}));
    assert_eq!(
        get(s.base_url(), "/2/dm_events", &access2).await.status,
        401
    );
}

#[tokio::test]
async fn confidential_clients_need_basic_auth_and_scopes_are_enforced() {
    let s = FakeServer::builder()
        .events(5)
        .oauth2(OAuth2Config::confidential("web-app", "s3cret"))
        .start()
        .await
        .unwrap();
    let code = authorize(&s, "dm.read tweet.read users.read").await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", "http://127.0.0.1:9/callback"),
        ("code_verifier", VERIFIER),
    ];
    assert_eq!(token(&s, &form, None).await.status, 401);
    assert_eq!(token(&s, &form, Some("web-app:wrong")).await.status, 401);
    let code = authorize(&s, "dm.read tweet.read users.read").await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", "http://127.0.0.1:9/callback"),
        ("code_verifier", VERIFIER),
    ];
    let r = token(&s, &form, Some("web-app:s3cret")).await;
    assert_eq!(r.status, 200);
    let t = r.json();
    assert!(
        t.get("refresh_token").is_none(),
        "no offline.access, no refresh token"
    );
    let access = t["access_token"].as_str().unwrap();
    assert_eq!(get(s.base_url(), "/2/dm_events", access).await.status, 200);
    // No dm.write: sending is forbidden.
    let r = common::post(
        s.base_url(),
        "/2/dm_conversations/with/1/messages",
        access,
        r#"{"text":"x"}"#,
    )
    .await;
    assert_eq!(r.status, 403);
    assert!(!format!("{:?}", s.oauth2()).contains("s3cret"));
}
