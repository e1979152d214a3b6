//! Security: secrets never leak; credentials only go to the configured origin; plain http
//! off loopback is refused; responses are size-limited; token files are private and
//! replaced atomically; OAuth 1.0a nonces are unique.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use dm_fake::{FakeServer, OAuth1Config, OAuth2Config};
use dm_stream::{Client, Scope};
use dm_transport::{
    Auth, HyperTransport, MemoryTokenStore, OAuth1Credentials, OAuth2Client, RefreshingToken,
    RetryPolicy, Stack, TokenSet, TokenStore as _, Transport,
};
use futures::TryStreamExt as _;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;
use xdm_tests::capture::LogCapture;

// ---------------------------------------------------------------- helpers

/// Forwards to a [`HyperTransport`] and remembers every `Authorization` header sent.
#[derive(Debug)]
struct Recording {
    inner: HyperTransport,
    seen: Mutex<Vec<String>>,
}

impl Recording {
    fn new() -> Arc<Self> {
        Arc::new(Recording {
            inner: HyperTransport::new().unwrap(),
            seen: Mutex::new(Vec::new()),
        })
    }

    fn headers(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

#[async_trait::async_trait]
impl Transport for Recording {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, dm_transport::Error> {
        if let Some(v) = request.headers().get(http::header::AUTHORIZATION) {
            self.seen
                .lock()
                .unwrap()
                .push(v.to_str().unwrap_or_default().to_string());
        }
        self.inner.send(request).await
    }
}

/// A raw loopback server: answers each connection with `reply(request_head)` and records
/// every request head it reads.
struct RawServer {
    addr: SocketAddr,
    heads: Arc<Mutex<Vec<String>>>,
}

impl RawServer {
    async fn start(reply: impl Fn(&str) -> Vec<u8> + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let heads = Arc::new(Mutex::new(Vec::new()));
        let log = heads.clone();
        let reply = Arc::new(reply);
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let log = log.clone();
                let reply = reply.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 16 * 1024];
                    let mut got = Vec::new();
                    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => got.extend_from_slice(&buf[..n]),
                        }
                    }
                    let head = String::from_utf8_lossy(&got).into_owned();
                    log.lock().unwrap().push(head.clone());
                    let _ = socket.write_all(&reply(&head)).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        RawServer { addr, heads }
    }

    fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

fn response(status: &str, headers: &[(&str, String)], body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

fn assert_hidden(haystack: &str, secrets: &[&str], what: &str) {
    for s in secrets {
        assert!(
            !haystack.contains(s),
            "{what} shows a secret ({s}):\n{haystack}"
        );
    }
}

const ACCESS: &str = "SECRET-access-token-7f3a9c";
const REFRESH: &str = "SECRET-refresh-token-91bd2e";
const CLIENT_SECRET: &str = "SECRET-client-secret-c0ffee";
const CONSUMER_SECRET: &str = "SECRET-consumer-secret-4242";
const TOKEN_SECRET: &str = "SECRET-token-secret-5151";

// ---------------------------------------------------------------- secrets

#[tokio::test]
async fn no_secret_reaches_debug_display_errors_or_logs_for_any_auth_kind() {
    // Global, so the capture holds every test's logs in this binary: none may show a secret.
    let logs = LogCapture::new();
    logs.install_global();
    let fake = FakeServer::builder()
        .seed(3)
        .events(60)
        .token(ACCESS)
        .oauth1(Some(OAuth1Config::new(
            "consumer-key",
            CONSUMER_SECRET,
            "1-user-token",
            TOKEN_SECRET,
        )))
        .oauth2(OAuth2Config::confidential("client-id", CLIENT_SECRET))
        .start()
        .await
        .unwrap();
    let recording = Recording::new();
    let mut shown = Vec::new();
    let mut sent_headers = Vec::new();

    // 1. Bearer: a good token streams; a wrong one fails (401) and the error is shown.
    for token in [ACCESS, "SECRET-wrong-token-000"] {
        let auth = Auth::bearer(token);
        shown.push(format!("{auth:?}"));
        let client = Client::builder()
            .base_url(fake.base_url())
            .auth(auth)
            .transport(recording.clone())
            .build()
            .unwrap();
        shown.push(format!("{client:?}"));
        let result: Result<Vec<_>, _> = client.events(Scope::All).events().try_collect().await;
        match result {
            Ok(events) => assert!(!events.is_empty()),
            Err(e) => {
                shown.push(format!("{e}"));
                shown.push(format!("{e:?}"));
                shown.push(format!("{}", e.error()));
            }
        }
    }

    // 2. OAuth 1.0a: signed requests succeed; a wrong secret fails and is shown.
    for secret in [TOKEN_SECRET, "SECRET-wrong-token-secret"] {
        let creds = OAuth1Credentials::new("consumer-key", CONSUMER_SECRET, "1-user-token", secret);
        shown.push(format!("{creds:?}"));
        let auth = Auth::oauth1(creds);
        shown.push(format!("{auth:?}"));
        let client = Client::builder()
            .base_url(fake.base_url())
            .auth(auth)
            .transport(recording.clone())
            .build()
            .unwrap();
        let result: Result<Vec<_>, _> = client.events(Scope::All).events().try_collect().await;
        if let Err(e) = result {
            shown.push(format!("{e} {e:?}"));
        }
    }

    // 3. OAuth 2.0 refreshing token: expired, and the refresh token is refused.
    let oauth = OAuth2Client::new("client-id", "http://127.0.0.1/cb", recording.clone())
        .client_secret(CLIENT_SECRET)
        .endpoints(dm_transport::auth::OAuth2Endpoints::with_base(
            fake.base_url(),
        ));
    shown.push(format!("{oauth:?}"));
    let tokens = TokenSet::new(ACCESS)
        .with_refresh_token(REFRESH)
        .with_expires_at(SystemTime::now() - Duration::from_secs(60));
    shown.push(format!("{tokens:?}"));
    let store = Arc::new(MemoryTokenStore::new());
    let refreshing = RefreshingToken::new(oauth.clone(), tokens, store);
    shown.push(format!("{refreshing:?}"));
    let auth = Auth::oauth2(refreshing);
    let client = Client::builder()
        .base_url(fake.base_url())
        .auth(auth.clone())
        .transport(recording.clone())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    shown.push(format!("{auth:?}"));
    let err = client
        .events(Scope::All)
        .events()
        .try_collect::<Vec<_>>()
        .await
        .expect_err("the refresh token is refused");
    shown.push(format!("{err} {err:?}"));
    let err = oauth
        .refresh(&dm_transport::Secret::new(REFRESH))
        .await
        .expect_err("refused");
    shown.push(format!("{err} {err:?}"));
    let stack = Stack::builder(recording.clone()).auth(auth).build();
    shown.push(format!("{stack:?}"));

    sent_headers.extend(recording.headers());
    assert!(sent_headers.iter().any(|h| h.starts_with("Bearer ")));
    let signatures: Vec<String> = sent_headers
        .iter()
        .filter(|h| h.starts_with("OAuth "))
        .filter_map(|h| {
            h.split(", ")
                .find_map(|p| p.strip_prefix("oauth_signature=\""))
                .map(|s| s.trim_end_matches('"').to_string())
        })
        .collect();
    assert!(signatures.len() >= 2, "OAuth 1.0a requests were signed");

    let mut secrets: Vec<&str> = vec![
        ACCESS,
        REFRESH,
        CLIENT_SECRET,
        CONSUMER_SECRET,
        TOKEN_SECRET,
    ];
    secrets.push("SECRET-wrong");
    secrets.extend(signatures.iter().map(String::as_str));
    let logged = logs.contents();
    assert!(
        logged.contains("xdm.request"),
        "the capture saw the client's spans"
    );
    assert_hidden(&logged, &secrets, "tracing output");
    assert_hidden(&shown.join("\n"), &secrets, "Debug/Display/error output");
    // The sandbox's request log never holds credentials either.
    assert_hidden(
        &format!("{:?}", fake.requests()),
        &secrets,
        "the sandbox's log",
    );
}

// ---------------------------------------------------------------- where credentials go

#[tokio::test]
async fn a_redirect_is_not_followed_so_credentials_never_reach_its_target() {
    let target = RawServer::start(|_| response("200 OK", &[], b"{}")).await;
    let location = format!("{}/steal", target.base());
    let origin =
        RawServer::start(move |_| response("302 Found", &[("location", location.clone())], b""))
            .await;
    let client = Client::builder()
        .base_url(origin.base())
        .bearer_token(ACCESS)
        .build()
        .unwrap();
    let err = client
        .events(Scope::All)
        .events()
        .try_collect::<Vec<_>>()
        .await
        .expect_err("a 3xx is an error");
    assert!(err.to_string().contains("302"), "{err}");
    assert!(
        target.heads().is_empty(),
        "the redirect target got a request"
    );
    assert!(
        origin.heads()[0].contains(ACCESS),
        "the origin itself got the token"
    );
}

#[tokio::test]
async fn credentials_are_never_sent_to_another_origin_by_absolute_url() {
    let other = RawServer::start(|_| response("200 OK", &[], b"{}")).await;
    let base = RawServer::start(|_| response("200 OK", &[], b"{}")).await;
    for auth in [
        Auth::bearer(ACCESS),
        Auth::oauth1(OAuth1Credentials::new(
            "k",
            CONSUMER_SECRET,
            "t",
            TOKEN_SECRET,
        )),
    ] {
        let stack = Stack::builder(Arc::new(HyperTransport::new().unwrap()))
            .auth(auth)
            .base_url(&base.base())
            .unwrap()
            .build();
        for url in [
            format!("{}/2/dm_events", other.base()),
            format!("http://localhost:{}/2/dm_events", base.addr.port()),
            format!("https://{}/2/dm_events", base.addr),
        ] {
            let request = http::Request::get(url.as_str()).body(Bytes::new()).unwrap();
            let err = stack.send(request).await.expect_err("refused");
            assert!(
                matches!(err, dm_transport::Error::Build { .. }),
                "{url}: {err}"
            );
            assert!(!err.may_have_been_sent(), "{url}");
        }
        // The configured origin itself works.
        let ok = http::Request::get(format!("{}/2/dm_events", base.base()))
            .body(Bytes::new())
            .unwrap();
        stack.send(ok).await.unwrap();
    }
    assert!(other.heads().is_empty(), "another origin got a request");
    assert_eq!(base.heads().len(), 2);
}

#[tokio::test]
async fn plain_http_is_refused_off_loopback_unless_explicitly_allowed() {
    for url in [
        "http://api.x.com",
        "http://10.0.0.1:4010",
        "http://localhost.example.com",
    ] {
        let client = Client::builder()
            .base_url(url)
            .bearer_token(ACCESS)
            .build()
            .unwrap();
        let err = client
            .events(Scope::All)
            .events()
            .try_collect::<Vec<_>>()
            .await
            .expect_err("refused");
        let shown = err.to_string();
        assert!(shown.contains("plain http"), "{url}: {shown}");
        assert!(!err.error().may_have_been_sent(), "{url}: nothing was sent");
        assert_hidden(&format!("{shown} {err:?}"), &[ACCESS], "the refusal");
    }
    // Explicitly allowed: the scheme check passes and the request really is attempted
    // (192.0.2.0/24 is TEST-NET-1: the connection cannot succeed).
    let transport = HyperTransport::builder()
        .allow_plain_http_to_any_host(true)
        .connect_timeout(Duration::from_millis(200))
        .request_timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let request = http::Request::get("http://192.0.2.1:9/2/dm_events")
        .body(Bytes::new())
        .unwrap();
    let err = transport.send(request).await.expect_err("unreachable");
    assert!(!matches!(err, dm_transport::Error::Build { .. }), "{err}");
}

#[tokio::test]
async fn the_response_size_limit_holds_for_plain_and_compressed_bodies() {
    use std::io::Write as _;
    let limit = 64 * 1024;
    let big = vec![b' '; 4 * limit];
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![b' '; 64 * limit]).unwrap();
    let bomb = gz.finish().unwrap();
    assert!(bomb.len() < limit, "the compressed body itself is small");
    let plain = RawServer::start(move |_| response("200 OK", &[], &big)).await;
    let bomb_server = RawServer::start(move |_| {
        response("200 OK", &[("content-encoding", "gzip".to_string())], &bomb)
    })
    .await;
    for (server, what) in [(&plain, "plain"), (&bomb_server, "gzip bomb")] {
        let transport = Arc::new(
            HyperTransport::builder()
                .max_response_bytes(limit as u64)
                .build()
                .unwrap(),
        );
        let client = Client::builder()
            .base_url(server.base())
            .bearer_token(ACCESS)
            .transport(transport)
            .retry(RetryPolicy::none())
            .build()
            .unwrap();
        let err = client
            .events(Scope::All)
            .events()
            .try_collect::<Vec<_>>()
            .await
            .expect_err("too large");
        let inner = err.error().transport().expect("a transport error");
        assert!(
            matches!(inner, dm_transport::Error::BodyTooLarge { .. }),
            "{what}: {inner:?}"
        );
    }
}

// ---------------------------------------------------------------- token files

#[cfg(unix)]
#[tokio::test]
async fn token_files_are_private_and_replaced_atomically() {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("login.json");
    // A file left world-readable by something else, with an old token.
    std::fs::write(&path, b"{\"old\": true}").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut before = std::fs::metadata(&path).unwrap().ino();

    let store = dm_cli::FileTokenStore::new(path.clone(), "client-id", "https://api.x.com");
    assert_hidden(
        &format!("{store:?}"),
        &[ACCESS, REFRESH],
        "the store's Debug",
    );
    for round in 0..3 {
        let access = format!("{ACCESS}-{round}");
        let tokens = TokenSet::new(access.as_str()).with_refresh_token(REFRESH);
        store.save(&tokens).await.unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600, "round {round}");
        // The previous file was alive while the new one was written: a new inode means the
        // file was replaced by a rename, not rewritten in place.
        assert_ne!(
            meta.ino(),
            before,
            "replaced by rename, not rewritten in place"
        );
        before = meta.ino();
        let text = std::fs::read_to_string(&path).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).expect("complete JSON");
        assert!(text.contains(&access), "the newest token is stored: {json}");
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            vec!["login.json".to_string()],
            "no temp file left behind"
        );
    }
}

// ---------------------------------------------------------------- OAuth 1.0a nonces

#[tokio::test]
async fn oauth1_nonces_are_unique_and_every_attempt_is_freshly_signed() {
    let creds = OAuth1Credentials::new("k", CONSUMER_SECRET, "t", TOKEN_SECRET);
    let uri: http::Uri = "https://api.x.com/2/dm_events?max_results=5"
        .parse()
        .unwrap();
    let nonce_of = |header: &str| {
        header
            .split(", ")
            .find_map(|p| {
                p.split_once("oauth_nonce=\"")
                    .map(|(_, v)| v.trim_end_matches('"').to_string())
            })
            .expect("a nonce")
    };
    let mut nonces = HashSet::new();
    for _ in 0..20_000 {
        let header = creds.authorization_header("GET", &uri, None);
        let nonce = nonce_of(header.expose());
        assert!(nonce.len() >= 32, "nonce {nonce} is long enough");
        assert!(nonces.insert(nonce), "a nonce repeated");
    }
    // Through the stack: a 503 retried twice gives three distinct signatures and nonces.
    let capture = Arc::new(dm_transport::test_util::CaptureTransport::new());
    for _ in 0..2 {
        capture.push_json(503, r#"{"title":"Service Unavailable"}"#);
    }
    capture.push_json(200, r#"{"meta":{"result_count":0}}"#);
    let stack = Stack::builder(capture.clone())
        .auth(Auth::oauth1(creds))
        .retry(
            RetryPolicy::new()
                .base_delay(Duration::from_millis(1))
                .max_delay(Duration::from_millis(2)),
        )
        .build();
    stack
        .send(http::Request::get(uri).body(Bytes::new()).unwrap())
        .await
        .unwrap();
    let sent: Vec<String> = capture
        .requests()
        .iter()
        .map(|r| {
            r.headers[http::header::AUTHORIZATION]
                .to_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(sent.len(), 3);
    let distinct: HashSet<String> = sent.iter().map(|h| nonce_of(h)).collect();
    assert_eq!(distinct.len(), 3, "each attempt has its own nonce");
}
