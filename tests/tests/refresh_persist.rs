//! A refreshed OAuth 2.0 token pair is persisted before the new access token is used: every
//! request that carries a new access token finds it, and the rotated refresh token, already
//! in the login file (the CLI's `FileTokenStore`). So a process killed at any point after a
//! refresh keeps the rotated refresh token. Over loopback against the sandbox, with a slow
//! store and concurrent requests, so a request that raced ahead of the save would be seen.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use bytes::Bytes;
use dm_cli::FileTokenStore;
use dm_fake::FakeServer;
use dm_stream::{Client, Scope};
use dm_transport::auth::OAuth2Endpoints;
use dm_transport::{
    Auth, BoxError, Error, HyperTransport, OAuth2Client, RefreshingToken, TokenSet, TokenStore,
    Transport,
};
use futures::TryStreamExt;

/// What the login file held when a request left, and the bearer token the request carried.
#[derive(Debug, Clone)]
struct Seen {
    bearer: String,
    file_access: Option<String>,
    file_refresh: Option<String>,
}

/// Sends through hyper, noting for each API request the login file's tokens at that moment.
struct Watching {
    inner: HyperTransport,
    login: PathBuf,
    seen: Mutex<Vec<Seen>>,
}

fn file_tokens(path: &PathBuf) -> (Option<String>, Option<String>) {
    let Ok(text) = std::fs::read_to_string(path) else {
        return (None, None);
    };
    let v: serde_json::Value = serde_json::from_str(&text).expect("the login file is whole JSON");
    let get = |k: &str| v.get(k).and_then(|s| s.as_str()).map(str::to_owned);
    (get("access_token"), get("refresh_token"))
}

#[async_trait]
impl Transport for Watching {
    async fn send(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, Error> {
        if request.uri().path().starts_with("/2/dm_") {
            let bearer = request.headers()["authorization"]
                .to_str()
                .unwrap()
                .trim_start_matches("Bearer ")
                .to_owned();
            let (file_access, file_refresh) = file_tokens(&self.login);
            self.seen.lock().unwrap().push(Seen {
                bearer,
                file_access,
                file_refresh,
            });
        }
        self.inner.send(request).await
    }
}

/// Delays every save, so a request that did not wait for it would leave first.
struct SlowStore(FileTokenStore);

#[async_trait]
impl TokenStore for SlowStore {
    async fn save(&self, tokens: &TokenSet) -> Result<(), BoxError> {
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.0.save(tokens).await
    }
}

#[tokio::test]
async fn the_rotated_pair_is_on_disk_before_the_new_access_token_is_sent() {
    let fake = FakeServer::builder()
        .seed(5)
        .events(120)
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let login = dir.path().join("login.json");
    let transport = Arc::new(Watching {
        inner: HyperTransport::new().unwrap(),
        login: login.clone(),
        seen: Mutex::new(Vec::new()),
    });
    let oauth = OAuth2Client::new(
        &fake.oauth2().client_id,
        "http://127.0.0.1:9/cb",
        transport.clone(),
    )
    .endpoints(OAuth2Endpoints::with_base(fake.base_url()));

    // A real login: authorize (the sandbox approves at once), exchange the code.
    let authorize = oauth.authorize_url(&["dm.read", "tweet.read", "users.read", "offline.access"]);
    let response = transport
        .send(
            http::Request::get(&authorize.url)
                .body(Bytes::new())
                .unwrap(),
        )
        .await
        .unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let code = location
        .split_once("code=")
        .unwrap()
        .1
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let first = oauth
        .exchange_code(&code, &authorize.verifier)
        .await
        .unwrap();
    let first_refresh = first
        .refresh_token
        .as_ref()
        .expect("offline.access gives a refresh token")
        .expose()
        .to_owned();
    let store = FileTokenStore::new(login.clone(), &fake.oauth2().client_id, fake.base_url());
    store.save(&first).await.unwrap();

    // The access token expires in 1.5 s and is refreshed 1 s ahead: a first request goes out
    // with it (so the rate budget is known and requests run concurrently), then the token is
    // due for a refresh.
    let expiring = first
        .clone()
        .with_expires_at(SystemTime::now() + Duration::from_millis(1500));
    let refreshing = Arc::new(
        RefreshingToken::new(oauth, expiring, Arc::new(SlowStore(store)))
            .refresh_margin(Duration::from_secs(1)),
    );
    let client = Client::builder()
        .base_url(fake.base_url())
        .auth(Auth::OAuth2(refreshing.clone()))
        .transport(transport.clone())
        .build()
        .unwrap();
    let warm_up = client
        .events(Scope::All)
        .max_results(5)
        .pages()
        .try_next()
        .await
        .unwrap();
    assert!(warm_up.is_some());
    let before_refresh = transport.seen.lock().unwrap().len();
    assert_eq!(refreshing.refreshes(), 0);
    tokio::time::sleep(Duration::from_millis(600)).await;

    // Several lookups at once, and more starting while the refresh is being saved (the slow
    // store takes 300 ms): all of them need the new token, none may send it before it is
    // on disk.
    let runs = (0..12u64).map(|i| {
        let c = client.clone();
        async move {
            if i >= 4 {
                tokio::time::sleep(Duration::from_millis(40 * (i - 3))).await;
            }
            c.events(Scope::All)
                .max_results(50)
                .events()
                .try_collect::<Vec<_>>()
                .await
        }
    });
    for result in futures::future::join_all(runs).await {
        assert!(!result.unwrap().is_empty());
    }

    assert_eq!(
        refreshing.refreshes(),
        1,
        "one refresh shared by the concurrent requests"
    );
    let seen = transport.seen.lock().unwrap()[before_refresh..].to_vec();
    assert!(seen.len() >= 12, "{seen:?}");
    let (disk_access, disk_refresh) = file_tokens(&login);
    let disk_refresh = disk_refresh.expect("the rotated refresh token is stored");
    assert_ne!(
        disk_refresh, first_refresh,
        "the sandbox rotates refresh tokens"
    );
    for s in &seen {
        assert_ne!(
            s.bearer,
            first.access_token.expose(),
            "no request used the expired token"
        );
        assert_eq!(
            s.file_access.as_deref(),
            Some(s.bearer.as_str()),
            "the access token a request carries is already in the login file"
        );
        assert_eq!(s.file_refresh.as_deref(), Some(disk_refresh.as_str()));
    }
    assert_eq!(disk_access.as_deref(), Some(seen[0].bearer.as_str()));
}
