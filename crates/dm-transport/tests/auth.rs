//! Auth layers over real sockets: refresh (shared, after 401), PKCE flows, OAuth 1.0a
//! re-signing, and secrets never leaking into logs or Debug output.

mod support;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use dm_transport::auth::{OAuth2Endpoints, PkceVerifier, TokenTypeHint};
use dm_transport::test_util::CaptureTransport;
use dm_transport::{
    Advice, Auth, AuthError, Error, HyperTransport, MemoryTokenStore, OAuth1Credentials,
    OAuth2Client, RateLimitPolicy, RefreshingToken, RetryPolicy, Stack, TokenSet, Transport,
};
use support::{LogBuffer, Reply, Seen, TestServer};

const TOKEN_REPLY: &str = r#"{"token_type":"bearer","expires_in":7200,"access_token":"fresh-access-SECRET","scope":"dm.read dm.write tweet.read users.read offline.access","refresh_token":"rotated-refresh-SECRET"}"#;

/// A server with a token endpoint (counting refreshes) and a DM endpoint that only
/// accepts `Bearer fresh-access-SECRET`.
async fn api_server(
    token_calls: Arc<AtomicU64>,
    token_bodies: Arc<Mutex<Vec<Seen>>>,
) -> TestServer {
    TestServer::start(Arc::new(move |req: &Seen| {
        if req.uri.starts_with("/2/oauth2/token") {
            token_calls.fetch_add(1, Ordering::SeqCst);
            token_bodies.lock().unwrap().push(req.clone());
            return Reply::json(200, TOKEN_REPLY).delay(Duration::from_millis(100));
        }
        match req.headers.get("authorization").and_then(|v| v.to_str().ok()) {
            Some("Bearer fresh-access-SECRET") => Reply::json(200, r#"{"meta":{"result_count":0}}"#),
            _ => Reply::json(401, r#"{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}"#),
        }
    }))
    .await
}

fn client(server: &TestServer) -> OAuth2Client {
    OAuth2Client::new(
        "client-id",
        "http://127.0.0.1/cb",
        Arc::new(HyperTransport::new().unwrap()),
    )
    .endpoints(OAuth2Endpoints::with_base(&server.base()))
}

fn get(url: String) -> http::Request<Bytes> {
    http::Request::get(url).body(Bytes::new()).unwrap()
}

#[tokio::test]
async fn concurrent_requests_with_an_expiring_token_cause_exactly_one_refresh() {
    let calls = Arc::new(AtomicU64::new(0));
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let server = api_server(calls.clone(), bodies.clone()).await;
    let store = Arc::new(MemoryTokenStore::new());
    let tokens = TokenSet::new("old-access-SECRET")
        .with_refresh_token("old-refresh-SECRET")
        .expiring_in(Duration::from_secs(5));
    let token = RefreshingToken::new(
        client(&server).client_secret("client-SECRET"),
        tokens,
        store.clone(),
    );
    let stack = Stack::builder(Arc::new(HyperTransport::new().unwrap()))
        .auth(Auth::oauth2(token))
        .rate_limit(RateLimitPolicy::disabled())
        .build();
    let requests = (0..10).map(|_| {
        let stack = stack.clone();
        let url = server.url("/2/dm_events");
        tokio::spawn(async move { stack.send(get(url)).await })
    });
    for r in futures::future::join_all(requests).await {
        assert_eq!(r.unwrap().unwrap().status(), 200);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(stack.stats().refreshes, 1);
    let saved = store.latest().unwrap();
    assert_eq!(
        saved.refresh_token.as_ref().unwrap().expose(),
        "rotated-refresh-SECRET"
    );
    assert_eq!(saved.access_token.expose(), "fresh-access-SECRET");
    assert!(saved.has_scope("dm.read"));
    let seen = &bodies.lock().unwrap()[0];
    let form: Vec<(String, String)> = form_urlencoded::parse(&seen.body).into_owned().collect();
    assert!(form.contains(&("grant_type".into(), "refresh_token".into())));
    assert!(form.contains(&("refresh_token".into(), "old-refresh-SECRET".into())));
    assert!(form.contains(&("client_id".into(), "client-id".into())));
    assert_eq!(
        seen.headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    // Basic base64("client-id:client-SECRET")
    assert_eq!(
        seen.headers["authorization"],
        "Basic Y2xpZW50LWlkOmNsaWVudC1TRUNSRVQ="
    );
}

#[tokio::test]
async fn a_confidential_client_sends_its_raw_id_and_secret_in_basic_auth() {
    // Reference §8.2: `Authorization: Basic base64(client_id:client_secret)`, characters
    // that form-encoding would change included.
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let server = api_server(Arc::default(), bodies.clone()).await;
    let oauth = client(&server).client_secret("s3cr~t/with+chars=-SECRET");
    oauth
        .refresh(&dm_transport::Secret::new("old-refresh-SECRET"))
        .await
        .unwrap();
    let seen = &bodies.lock().unwrap()[0];
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("client-id:s3cr~t/with+chars=-SECRET")
    );
    assert_eq!(seen.headers["authorization"], expected.as_str());
}

#[tokio::test]
async fn a_401_refreshes_once_and_resends() {
    let calls = Arc::new(AtomicU64::new(0));
    let server = api_server(calls.clone(), Arc::default()).await;
    let tokens = TokenSet::new("old-access-SECRET")
        .with_refresh_token("old-refresh-SECRET")
        .expiring_in(Duration::from_secs(3600));
    let token = RefreshingToken::new(client(&server), tokens, Arc::new(MemoryTokenStore::new()));
    let stack = Stack::builder(Arc::new(HyperTransport::new().unwrap()))
        .auth(Auth::oauth2(token))
        .build();
    let response = stack.send(get(server.url("/2/dm_events"))).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(stack.stats().requests_sent, 2);
}

#[tokio::test]
async fn a_401_without_a_refresh_token_says_to_reauthenticate() {
    let server = api_server(Arc::default(), Arc::default()).await;
    let stack = Stack::builder(Arc::new(HyperTransport::new().unwrap()))
        .auth(Auth::bearer("stale-SECRET"))
        .build();
    let err = stack
        .send(get(server.url("/2/dm_events")))
        .await
        .unwrap_err();
    assert_eq!(err.as_api().unwrap().advice(), Some(Advice::Reauthenticate));
    assert_eq!(stack.stats().requests_sent, 1);
}

#[tokio::test]
async fn pkce_code_exchange_and_revoke_hit_the_configured_endpoints() {
    let server = TestServer::start(Arc::new(|req: &Seen| {
        let form: Vec<(String, String)> = form_urlencoded::parse(&req.body).into_owned().collect();
        let has = |k: &str, v: &str| form.contains(&(k.to_owned(), v.to_owned()));
        if req.uri == "/2/oauth2/revoke" && has("token", "fresh-access-SECRET") && has("token_type_hint", "access_token") {
            return Reply::json(200, r#"{"revoked":true}"#);
        }
        if req.uri == "/2/oauth2/token"
            && has("grant_type", "authorization_code")
            && has("code", "the-code")
            && has("code_verifier", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
            && has("redirect_uri", "http://127.0.0.1/cb")
            && has("client_id", "client-id")
        {
            return Reply::json(200, TOKEN_REPLY);
        }
        Reply::json(400, r#"{"error":"invalid_grant","error_description":"Value passed for the authorization code was invalid."}"#)
    }))
    .await;
    let client = client(&server);
    let auth = client.authorize_url(&["dm.read", "offline.access"]);
    assert!(auth.url.starts_with(&format!(
        "{}/i/oauth2/authorize?response_type=code",
        server.base()
    )));
    assert!(
        auth.url
            .contains(&format!("code_challenge={}", auth.verifier.challenge()))
    );
    let verifier = PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    let tokens = client.exchange_code("the-code", &verifier).await.unwrap();
    assert_eq!(tokens.access_token.expose(), "fresh-access-SECRET");
    assert!(tokens.expires_at.is_some());
    client
        .revoke(&tokens.access_token, TokenTypeHint::AccessToken)
        .await
        .unwrap();

    let err = client
        .exchange_code("wrong-code", &verifier)
        .await
        .unwrap_err();
    match err {
        Error::Auth(AuthError::TokenEndpoint {
            status, ref error, ..
        }) => {
            assert_eq!(status, 400);
            assert_eq!(error, "invalid_grant");
        }
        other => panic!("{other}"),
    }
    assert!(!err.to_string().contains("SECRET"));
}

#[tokio::test]
async fn a_malformed_token_response_names_the_json_path_but_not_the_value() {
    let server =
        TestServer::scripted(vec![Reply::json(200, r#"{"access_token":424242424242}"#)]).await;
    let err = client(&server)
        .refresh(&"r-SECRET".into())
        .await
        .unwrap_err();
    let text = err.to_string();
    match err {
        Error::Auth(AuthError::InvalidTokenResponse { ref message }) => {
            assert!(message.contains("`access_token`"), "{message}");
        }
        other => panic!("{other}"),
    }
    assert!(
        !text.contains("424242424242"),
        "the value is not quoted: {text}"
    );
}

#[tokio::test]
async fn every_oauth1_attempt_is_freshly_signed_over_its_query() {
    let capture = Arc::new(CaptureTransport::new());
    capture.push_json(
        503,
        r#"{"title":"Service Unavailable","type":"about:blank"}"#,
    );
    capture.push_json(
        503,
        r#"{"title":"Service Unavailable","type":"about:blank"}"#,
    );
    let creds = OAuth1Credentials::new("ck", "cs-SECRET", "tok", "ts-SECRET");
    let stack = Stack::builder(capture.clone())
        .auth(Auth::oauth1(creds.clone()))
        .retry(RetryPolicy::default().base_delay(Duration::from_millis(1)))
        .build();
    let url = "https://api.x.com/2/dm_events?dm_event.fields=id,text&max_results=5";
    stack.send(get(url.into())).await.unwrap();
    let requests = capture.requests();
    assert_eq!(requests.len(), 3);
    let mut nonces = Vec::new();
    for r in &requests {
        let header = r.headers["authorization"].to_str().unwrap().to_owned();
        let param = |name: &str| {
            let start = header.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            let end = start + header[start..].find('"').unwrap();
            percent_encoding::percent_decode_str(&header[start..end])
                .decode_utf8()
                .unwrap()
                .into_owned()
        };
        let (nonce, ts) = (
            param("oauth_nonce"),
            param("oauth_timestamp").parse().unwrap(),
        );
        let expected =
            creds.authorization_header_with("GET", &url.parse().unwrap(), None, &nonce, ts);
        assert_eq!(
            header,
            expected.expose(),
            "signature covers the query parameters"
        );
        nonces.push(nonce);
    }
    nonces.sort();
    nonces.dedup();
    assert_eq!(nonces.len(), 3, "a fresh nonce per attempt");
}

#[test]
fn tokens_never_appear_in_logs_or_debug_output() {
    let logs = LogBuffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(logs.clone())
        .with_ansi(false)
        .finish();
    // Global, not `set_default`: a thread-scoped subscriber can miss spans whose callsite
    // another test's thread hit first (tracing caches interest per callsite). This also
    // puts every test of this binary under the same no-secret check.
    tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let debug_output = rt.block_on(async {
        let calls = Arc::new(AtomicU64::new(0));
        let server = api_server(calls, Arc::default()).await;
        let tokens = TokenSet::new("old-access-SECRET")
            .with_refresh_token("old-refresh-SECRET")
            .expiring_in(Duration::from_secs(1));
        let auth = Auth::oauth2(RefreshingToken::new(
            client(&server).client_secret("client-SECRET"),
            tokens,
            Arc::new(MemoryTokenStore::new()),
        ));
        let stack = Stack::builder(Arc::new(HyperTransport::new().unwrap()))
            .auth(auth.clone())
            .build();
        stack.send(get(server.url("/2/dm_events"))).await.unwrap();
        let bad = Stack::builder(Arc::new(HyperTransport::new().unwrap()))
            .auth(Auth::bearer("bearer-SECRET"))
            .build();
        let err = bad.send(get(server.url("/2/dm_events"))).await.unwrap_err();
        let oauth1 = Auth::oauth1(OAuth1Credentials::new(
            "ck-SECRET",
            "cs-SECRET",
            "tok-SECRET",
            "ts-SECRET",
        ));
        let capture = Arc::new(CaptureTransport::new());
        let signed = Stack::builder(capture.clone()).auth(oauth1.clone()).build();
        signed
            .send(get("https://api.x.com/2/dm_events".into()))
            .await
            .unwrap();
        let captured = capture.requests();
        format!("{stack:?} {auth:?} {bad:?} {err:?} {err} {oauth1:?} {signed:?} {captured:?}")
    });
    let logged = logs.contents();
    assert!(
        logged.contains("xdm.request"),
        "the subscriber captured the request spans:\n{logged}"
    );
    for haystack in [&logged, &debug_output] {
        assert!(!haystack.contains("SECRET"), "a secret leaked:\n{haystack}");
    }
}

#[tokio::test]
async fn a_refresh_cancelled_mid_way_still_saves_the_rotated_token() {
    let calls = Arc::new(AtomicU64::new(0));
    let bodies = Arc::new(Mutex::new(Vec::new()));
    // The token endpoint answers after 100 ms.
    let server = api_server(calls.clone(), bodies.clone()).await;
    let store = Arc::new(MemoryTokenStore::new());
    let tokens = TokenSet::new("old-access-SECRET")
        .with_refresh_token("old-refresh-SECRET")
        .expiring_in(Duration::from_secs(5));
    let token = RefreshingToken::new(client(&server), tokens, store.clone());
    // The caller gives up while the refresh is in flight...
    let gave_up = tokio::time::timeout(Duration::from_millis(30), token.access_token()).await;
    assert!(
        gave_up.is_err(),
        "cancelled before the token endpoint answered"
    );
    // ...but the refresh completes and the rotated refresh token is saved.
    for _ in 0..100 {
        if store.saves() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(store.saves(), 1, "the rotated tokens were saved");
    assert_eq!(token.refreshes(), 1);
    assert_eq!(token.tokens().access_token.expose(), "fresh-access-SECRET");
}
