//! [`Context`]: what every API command needs: the client (with its credentials), the
//! rate-limit policy (to show waits), and the in-process sandbox when `--sandbox` is on.

use std::sync::Arc;
use std::time::Duration;

use dm_fake::{FakeServer, FaultConfig, RateLimitConfig};
use dm_stream::Client;
use dm_transport::auth::OAuth2Endpoints;
use dm_transport::{
    Auth, HyperTransport, OAuth1Credentials, OAuth2Client, RateLimitPolicy, RefreshingToken,
    Transport,
};

use crate::cli::GlobalOpts;
use crate::error::CliError;
use crate::login::{FileTokenStore, StoredLogin, config_dir, token_path};

/// The default API base URL.
pub(crate) const DEFAULT_BASE_URL: &str = "https://api.x.com";

/// The OAuth 1.0a variables, in the order they are documented.
pub(crate) const OAUTH1_VARS: [&str; 4] = [
    "XDM_OAUTH1_CONSUMER_KEY",
    "XDM_OAUTH1_CONSUMER_SECRET",
    "XDM_OAUTH1_ACCESS_TOKEN",
    "XDM_OAUTH1_ACCESS_TOKEN_SECRET",
];

/// The variable holding the app's bearer token (the activity stream, webhook management).
pub(crate) const APP_TOKEN_VAR: &str = "XDM_APP_BEARER_TOKEN";

/// A running command's client and environment.
pub(crate) struct Context {
    pub(crate) client: Client,
    /// Whether the client has the app's bearer token.
    pub(crate) has_app_token: bool,
    pub(crate) policy: RateLimitPolicy,
    /// Kept alive for the command's lifetime with `--sandbox`.
    pub(crate) _sandbox: Option<FakeServer>,
}

/// The sandbox `--sandbox` and `demo` run against.
pub(crate) async fn start_sandbox(
    seed: u64,
    events: usize,
    demo: bool,
) -> Result<FakeServer, CliError> {
    let mut builder = FakeServer::builder().seed(seed).events(events);
    if demo {
        // A compressed rate-limit window and a little latency, so the demo shows real paging
        // and a real rate-limit wait without taking long.
        builder = builder
            .rate_limit(RateLimitConfig::new(10, Duration::from_secs(2)))
            .faults(FaultConfig::none().with_base_latency(Duration::from_millis(25)));
    }
    builder
        .start()
        .await
        .map_err(|e| CliError::Local(format!("cannot start the sandbox: {e}")))
}

/// The transport under every stack.
pub(crate) fn transport() -> Result<Arc<dyn Transport>, CliError> {
    HyperTransport::builder()
        .connect_timeout(Duration::from_secs(10))
        .request_timeout(Duration::from_secs(60))
        .build()
        .map(|t| Arc::new(t) as Arc<dyn Transport>)
        .map_err(|e| CliError::Local(format!("cannot set up HTTPS: {e}")))
}

/// The OAuth 2.0 endpoints for an API base URL: X's for the default, the base's own
/// (`{base}/i/oauth2/authorize`, `{base}/2/oauth2/token`) for a sandbox.
pub(crate) fn oauth2_endpoints(base_url: &str) -> OAuth2Endpoints {
    if base_url.trim_end_matches('/') == DEFAULT_BASE_URL {
        OAuth2Endpoints::default()
    } else {
        OAuth2Endpoints::with_base(base_url)
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The credentials: `XDM_ACCESS_TOKEN`, the four `XDM_OAUTH1_*`, or the stored login.
async fn credentials(global: &GlobalOpts, base_url: &str) -> Result<Auth, CliError> {
    if let Some(token) = env("XDM_ACCESS_TOKEN") {
        return Ok(Auth::bearer(token));
    }
    let oauth1: Vec<Option<String>> = OAUTH1_VARS.iter().map(|v| env(v)).collect();
    if oauth1.iter().any(Option::is_some) {
        let missing: Vec<&str> = OAUTH1_VARS
            .iter()
            .zip(&oauth1)
            .filter(|(_, v)| v.is_none())
            .map(|(n, _)| *n)
            .collect();
        if let [Some(ck), Some(cs), Some(t), Some(ts)] = oauth1.as_slice() {
            return Ok(Auth::oauth1(OAuth1Credentials::new(
                ck.clone(),
                cs.clone(),
                t.clone(),
                ts.clone(),
            )));
        }
        return Err(CliError::Auth(format!(
            "incomplete OAuth 1.0a credentials: also set {}",
            missing.join(", ")
        )));
    }
    let dir = config_dir(global.config_dir.as_deref())?;
    let path = token_path(&dir);
    let Some(login) = StoredLogin::load(&path)? else {
        return Err(CliError::no_credentials());
    };
    if login.base_url.trim_end_matches('/') != base_url.trim_end_matches('/') {
        return Err(CliError::Auth(format!(
            "the stored login is for {}, not {base_url}: run `xdm auth login` for this API",
            login.base_url
        )));
    }
    let client_id = global
        .client_id
        .clone()
        .unwrap_or_else(|| login.client_id.clone());
    let mut oauth = OAuth2Client::new(client_id.clone(), "http://127.0.0.1/callback", transport()?)
        .endpoints(oauth2_endpoints(base_url));
    if let Some(secret) = env("XDM_CLIENT_SECRET") {
        oauth = oauth.client_secret(secret);
    }
    let store = Arc::new(FileTokenStore::new(path, client_id, base_url));
    let token = Arc::new(RefreshingToken::new(oauth, login.tokens(), store));
    crate::interrupt::track(Arc::clone(&token));
    Ok(Auth::OAuth2(token))
}

impl Context {
    /// Builds the client for `global`, starting the sandbox with `--sandbox`. The app's
    /// bearer token (`XDM_APP_BEARER_TOKEN`) comes along when it is set.
    pub(crate) async fn new(global: &GlobalOpts, page_size: u32) -> Result<Context, CliError> {
        let (base_url, auth, app, sandbox) = if global.sandbox {
            let server = start_sandbox(42, 1500, false).await?;
            let auth = Auth::bearer(server.token().to_owned());
            let app = server.app_token().to_owned();
            (server.base_url().to_owned(), auth, Some(app), Some(server))
        } else {
            let base = global.base_url.clone();
            let auth = credentials(global, &base).await?;
            (base, auth, env(APP_TOKEN_VAR), None)
        };
        Self::with_app(base_url, Some(auth), app, sandbox, page_size)
    }

    /// Builds a client for the commands the app's bearer token is enough for (webhooks,
    /// listing and deleting subscriptions): the app token is required, user credentials
    /// come along when there are some.
    pub(crate) async fn for_app(global: &GlobalOpts) -> Result<Context, CliError> {
        if global.sandbox {
            return Self::new(global, 100).await;
        }
        let Some(app) = env(APP_TOKEN_VAR) else {
            return Err(CliError::Auth(format!(
                "this command takes the app's bearer token: set {APP_TOKEN_VAR} \
                 (developer portal, your app, Keys and tokens, Bearer Token)"
            )));
        };
        let base = global.base_url.clone();
        // User credentials are optional here: the app's token is what these commands need.
        let auth = credentials(global, &base).await.ok();
        Self::with_app(base, auth, Some(app), None, 100)
    }

    /// Builds the client for `base_url` with `auth`.
    pub(crate) fn with_auth(
        base_url: String,
        auth: Auth,
        sandbox: Option<FakeServer>,
        page_size: u32,
    ) -> Result<Context, CliError> {
        Self::with_app(base_url, Some(auth), None, sandbox, page_size)
    }

    /// Builds the client for `base_url` with user credentials and/or the app's token.
    pub(crate) fn with_app(
        base_url: String,
        auth: Option<Auth>,
        app: Option<String>,
        sandbox: Option<FakeServer>,
        page_size: u32,
    ) -> Result<Context, CliError> {
        let policy = RateLimitPolicy::new();
        let mut builder = Client::builder()
            .base_url(base_url)
            .transport(transport()?)
            .rate_limit(policy.clone())
            .page_size(page_size);
        if let Some(auth) = auth {
            builder = builder.auth(auth);
        }
        let has_app_token = app.is_some();
        if let Some(app) = app {
            builder = builder.app_bearer_token(app);
        }
        let client = builder
            .build()
            .map_err(|e| CliError::Usage(format!("{e} (check --base-url)")))?;
        Ok(Context {
            client,
            has_app_token,
            policy,
            _sandbox: sandbox,
        })
    }

    /// The sandbox of `--sandbox`, when it runs.
    pub(crate) fn sandbox(&self) -> Option<&FakeServer> {
        self._sandbox.as_ref()
    }
}
