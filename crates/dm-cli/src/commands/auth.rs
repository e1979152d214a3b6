//! `xdm auth login | status | logout`: OAuth 2.0 Authorization Code with PKCE over a
//! loopback callback; tokens stored in the config directory (mode 0600, atomic).

use std::collections::HashMap;
use std::convert::Infallible;
use std::io::IsTerminal;
use std::time::Duration;

use bytes::Bytes;
use dm_transport::auth::TokenTypeHint;

/// What `xdm auth login` asks for: the DM scopes and `media.write`, so `send --file` can
/// upload (the upload must be made with the sender's token).
pub(crate) const LOGIN_SCOPES: &[&str] = &[
    "dm.read",
    "dm.write",
    "tweet.read",
    "users.read",
    "media.write",
    "offline.access",
];

use dm_transport::{OAuth2Client, Secret};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::cli::{GlobalOpts, LoginArgs};
use crate::context::{oauth2_endpoints, start_sandbox, transport};
use crate::error::CliError;
use crate::login::{StoredLogin, config_dir, token_path};

const DONE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>xdm</title>\
<body style=\"font-family:sans-serif\"><h1>xdm is authorized</h1><p>You can close this window.</p>";
const DENIED_PAGE: &str = "<!doctype html><meta charset=utf-8><title>xdm</title>\
<body style=\"font-family:sans-serif\"><h1>Authorization failed</h1><p>See the terminal.</p>";

fn oauth_client(client_id: &str, redirect: &str, base_url: &str) -> Result<OAuth2Client, CliError> {
    let mut client =
        OAuth2Client::new(client_id, redirect, transport()?).endpoints(oauth2_endpoints(base_url));
    if let Some(secret) = std::env::var("XDM_CLIENT_SECRET")
        .ok()
        .filter(|s| !s.is_empty())
    {
        client = client.client_secret(secret);
    }
    Ok(client)
}

/// Serves `GET /callback` on `listener`, sending each callback's query parameters to `tx`.
async fn serve_callbacks(listener: TcpListener, tx: mpsc::Sender<HashMap<String, String>>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let tx = tx.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req: Request<Incoming>| {
                let tx = tx.clone();
                async move {
                    if req.uri().path() != "/callback" {
                        let mut r = Response::new(Full::new(Bytes::from_static(b"not found")));
                        *r.status_mut() = StatusCode::NOT_FOUND;
                        return Ok::<_, Infallible>(r);
                    }
                    let params: HashMap<String, String> =
                        form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
                            .into_owned()
                            .collect();
                    let page = if params.contains_key("code") {
                        DONE_PAGE
                    } else {
                        DENIED_PAGE
                    };
                    let _ = tx.send(params).await;
                    let mut r = Response::new(Full::new(Bytes::from_static(page.as_bytes())));
                    r.headers_mut().insert(
                        http::header::CONTENT_TYPE,
                        http::HeaderValue::from_static("text/html; charset=utf-8"),
                    );
                    Ok(r)
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let _ = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}

/// `xdm auth login`.
pub(crate) async fn login(global: &GlobalOpts, args: &LoginArgs) -> Result<(), CliError> {
    let sandbox = if global.sandbox {
        Some(start_sandbox(42, 1500, false).await?)
    } else {
        None
    };
    let base_url = sandbox
        .as_ref()
        .map_or_else(|| global.base_url.clone(), |s| s.base_url().to_owned());
    let client_id = match (&global.client_id, &sandbox) {
        (Some(id), _) => id.clone(),
        (None, Some(s)) => s.oauth2().client_id.clone(),
        (None, None) => {
            return Err(CliError::Usage(
                "no OAuth 2.0 client id: pass --client-id or set XDM_CLIENT_ID (the Client ID in your \
                 app's \"Keys and tokens\" page; add XDM_CLIENT_SECRET for a confidential client)"
                    .into(),
            ));
        }
    };
    let path = token_path(&config_dir(global.config_dir.as_deref())?);
    let listener = TcpListener::bind(("127.0.0.1", args.port))
        .await
        .map_err(|e| {
            CliError::Local(format!(
                "cannot listen on 127.0.0.1:{} for the callback: {e} (try --port)",
                args.port
            ))
        })?;
    let port = listener
        .local_addr()
        .map_err(|e| CliError::io("callback listener", e))?
        .port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let oauth = oauth_client(&client_id, &redirect, &base_url)?;
    let request = oauth.authorize_url(LOGIN_SCOPES);

    eprintln!(
        "Open this URL in a browser to authorize xdm:\n\n{}\n",
        request.url
    );
    eprintln!("Waiting for the callback on {redirect} ...");
    if !args.no_browser && std::io::stderr().is_terminal() {
        open_browser(&request.url);
    }

    let (tx, mut rx) = mpsc::channel(4);
    let server = tokio::spawn(serve_callbacks(listener, tx));
    let params = tokio::time::timeout(Duration::from_secs(args.timeout), rx.recv()).await;
    server.abort();
    let params = match params {
        Ok(Some(p)) => p,
        _ => {
            return Err(CliError::Auth(format!(
                "no callback within {} s: run `xdm auth login` again and approve in the browser",
                args.timeout
            )));
        }
    };
    if let Some(error) = params.get("error") {
        let description = params
            .get("error_description")
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        return Err(CliError::Auth(format!(
            "authorization was refused: {error}{description}"
        )));
    }
    let returned = params.get("state").map(String::as_str).unwrap_or("");
    request
        .verify_state(returned)
        .map_err(|e| CliError::Auth(e.to_string()))?;
    let Some(code) = params.get("code") else {
        return Err(CliError::Auth(
            "the callback carried no authorization code".into(),
        ));
    };
    let tokens = oauth.exchange_code(code, &request.verifier).await?;
    let login = StoredLogin::new(&client_id, &base_url, &tokens);
    login
        .save(&path)
        .map_err(|e| CliError::io(path.display(), e))?;
    if !global.quiet {
        eprintln!(
            "Logged in. Scopes: {}. Tokens stored in {}",
            tokens.scope.as_deref().unwrap_or("(not reported)"),
            path.display()
        );
    }
    Ok(())
}

/// `xdm auth status`.
pub(crate) fn status(global: &GlobalOpts) -> Result<(), CliError> {
    let path = token_path(&config_dir(global.config_dir.as_deref())?);
    let Some(login) = StoredLogin::load(&path)? else {
        return Err(CliError::Auth(format!(
            "not logged in (no {}): run `xdm auth login`",
            path.display()
        )));
    };
    let expiry = match login.expires_in() {
        Some(s) if s > 0 => format!("expires in {} min", s / 60),
        Some(_) => "expired".to_owned(),
        None => "no expiry reported".to_owned(),
    };
    let refresh = if login.refresh_token.is_some() {
        "yes (refreshed automatically)"
    } else {
        "no"
    };
    println!(
        "logged in to {} as OAuth 2.0 client {}",
        login.base_url, login.client_id
    );
    println!(
        "scopes: {}",
        login.scope.as_deref().unwrap_or("(not reported)")
    );
    println!("access token: {expiry}; refresh token: {refresh}");
    println!("stored in {}", path.display());
    Ok(())
}

/// `xdm auth logout`.
pub(crate) async fn logout(global: &GlobalOpts) -> Result<(), CliError> {
    let path = token_path(&config_dir(global.config_dir.as_deref())?);
    let Some(login) = StoredLogin::load(&path)? else {
        if !global.quiet {
            eprintln!("not logged in: nothing to do");
        }
        return Ok(());
    };
    let client_id = global
        .client_id
        .clone()
        .unwrap_or_else(|| login.client_id.clone());
    let oauth = oauth_client(&client_id, "http://127.0.0.1/callback", &login.base_url)?;
    let mut failures = Vec::new();
    if let Some(refresh) = &login.refresh_token
        && let Err(e) = oauth
            .revoke(&Secret::new(refresh.clone()), TokenTypeHint::RefreshToken)
            .await
    {
        failures.push(e.to_string());
    }
    if let Err(e) = oauth
        .revoke(
            &Secret::new(login.access_token.clone()),
            TokenTypeHint::AccessToken,
        )
        .await
    {
        failures.push(e.to_string());
    }
    std::fs::remove_file(&path).map_err(|e| CliError::io(path.display(), e))?;
    crate::atomic::sync_dir(path.parent().unwrap_or(std::path::Path::new(".")));
    if !failures.is_empty() {
        eprintln!(
            "xdm: the stored tokens were deleted, but revoking them failed: {}",
            failures.join("; ")
        );
    } else if !global.quiet {
        eprintln!("Logged out: tokens revoked and deleted.");
    }
    Ok(())
}

#[cfg(test)]
mod scope_tests {
    #[test]
    fn login_asks_for_every_dm_scope_and_media_write() {
        for s in dm_transport::auth::DM_SCOPES {
            assert!(super::LOGIN_SCOPES.contains(s), "{s}");
        }
        assert!(super::LOGIN_SCOPES.contains(&"media.write"));
    }
}
