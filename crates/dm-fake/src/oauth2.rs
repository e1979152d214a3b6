//! A fake OAuth 2.0 authorization server: authorize (auto-approve), token (PKCE S256/plain,
//! refresh with rotation, Basic auth for confidential clients) and revoke.

use std::collections::HashMap;
use std::time::Instant;

use base64::Engine as _;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::clock::mix;
use crate::config::OAuth2Config;
use crate::reply::Reply;

const B64URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

struct CodeGrant {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    method: String,
    scope: String,
    issued: Instant,
}

/// Issued codes and tokens.
pub(crate) struct OAuth2Server {
    config: OAuth2Config,
    seed: u64,
    counter: u64,
    codes: HashMap<String, CodeGrant>,
    access: HashMap<String, (Vec<String>, Instant)>,
    refresh: HashMap<String, String>,
}

impl std::fmt::Debug for OAuth2Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuth2Server")
            .field("config", &self.config)
            .field("live_access_tokens", &self.access.len())
            .finish_non_exhaustive()
    }
}

fn oauth_error(status: u16, error: &str, description: &str) -> Reply {
    Reply::json(
        status,
        &json!({"error": error, "error_description": description}),
    )
}

fn form(body: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

impl OAuth2Server {
    pub(crate) fn new(config: OAuth2Config, seed: u64) -> Self {
        Self {
            config,
            seed,
            counter: 0,
            codes: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
        }
    }

    fn mint(&mut self, prefix: &str) -> String {
        self.counter += 1;
        let mut bytes = Vec::with_capacity(32);
        for i in 0..4u64 {
            bytes.extend_from_slice(&mix(self.seed ^ mix(self.counter * 8 + i)).to_le_bytes());
        }
        format!("{prefix}{}", B64URL.encode(bytes))
    }

    /// The scopes of a live access token, `None` if unknown or expired.
    pub(crate) fn check_access(&self, token: &str) -> Option<Vec<String>> {
        let (scopes, expires) = self.access.get(token)?;
        (Instant::now() < *expires).then(|| scopes.clone())
    }

    /// `GET /i/oauth2/authorize`: approves at once with a 302 to `redirect_uri?code=..&state=..`.
    pub(crate) fn authorize(&mut self, query: &str) -> Reply {
        let q = form(query.as_bytes());
        let get = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
        if get("response_type") != "code" {
            return oauth_error(400, "invalid_request", "response_type must be code");
        }
        if get("client_id") != self.config.client_id {
            return oauth_error(400, "invalid_client", "unknown client_id");
        }
        let redirect = get("redirect_uri").to_owned();
        if !(redirect.starts_with("http://") || redirect.starts_with("https://")) {
            return oauth_error(400, "invalid_request", "redirect_uri is required");
        }
        let method = if get("code_challenge_method").is_empty() {
            "plain"
        } else {
            get("code_challenge_method")
        };
        if get("code_challenge").is_empty() || !(method == "S256" || method == "plain") {
            return oauth_error(
                400,
                "invalid_request",
                "code_challenge and code_challenge_method (S256 or plain) are required",
            );
        }
        if get("state").is_empty() || get("state").len() > 500 {
            return oauth_error(
                400,
                "invalid_request",
                "state is required (up to 500 characters)",
            );
        }
        let code = self.mint("code-");
        self.codes.insert(
            code.clone(),
            CodeGrant {
                client_id: get("client_id").to_owned(),
                redirect_uri: redirect.clone(),
                challenge: get("code_challenge").to_owned(),
                method: method.to_owned(),
                scope: get("scope").to_owned(),
                issued: Instant::now(),
            },
        );
        let sep = if redirect.contains('?') { '&' } else { '?' };
        let location = format!(
            "{redirect}{sep}{}",
            form_urlencoded::Serializer::new(String::new())
                .append_pair("state", get("state"))
                .append_pair("code", &code)
                .finish()
        );
        Reply::raw(302, "text/html", bytes::Bytes::new()).header("location", location)
    }

    /// Checks client authentication; returns the client id.
    fn client(
        &self,
        authorization: Option<&str>,
        body: &HashMap<String, String>,
    ) -> Result<String, Reply> {
        if let Some(secret) = &self.config.client_secret {
            let Some(basic) = authorization.and_then(|a| a.strip_prefix("Basic ")) else {
                return Err(oauth_error(
                    401,
                    "invalid_client",
                    "confidential clients must use HTTP Basic authentication",
                ));
            };
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(basic.trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok());
            let expected = format!("{}:{}", self.config.client_id, secret);
            if decoded.as_deref() != Some(expected.as_str()) {
                return Err(oauth_error(
                    401,
                    "invalid_client",
                    "client authentication failed",
                ));
            }
            return Ok(self.config.client_id.clone());
        }
        match body.get("client_id") {
            Some(id) if *id == self.config.client_id => Ok(id.clone()),
            _ => Err(oauth_error(
                400,
                "invalid_request",
                "Missing required parameter [client_id].",
            )),
        }
    }

    fn issue(&mut self, scope: &str) -> Reply {
        let access = self.mint("at-");
        let scopes: Vec<String> = scope.split_whitespace().map(str::to_owned).collect();
        let lifetime = self.config.access_token_lifetime;
        self.access
            .insert(access.clone(), (scopes.clone(), Instant::now() + lifetime));
        let mut body = json!({
            "token_type": "bearer",
            "expires_in": lifetime.as_secs_f64().ceil() as u64,
            "access_token": access,
            "scope": scope,
        });
        if scopes.iter().any(|s| s == "offline.access") {
            let refresh = self.mint("rt-");
            self.refresh.insert(refresh.clone(), scope.to_owned());
            body["refresh_token"] = json!(refresh);
        }
        Reply::json(200, &body)
    }

    /// `POST /2/oauth2/token`.
    pub(crate) fn token(&mut self, authorization: Option<&str>, body: &[u8]) -> Reply {
        let f = form(body);
        if let Err(r) = self.client(authorization, &f) {
            return r;
        }
        match f.get("grant_type").map(String::as_str) {
            Some("authorization_code") => {
                let Some(grant) = f.get("code").and_then(|c| self.codes.remove(c)) else {
                    return oauth_error(
                        400,
                        "invalid_request",
                        "Value passed for the authorization code was invalid.",
                    );
                };
                if grant.issued.elapsed().as_secs() > 30 {
                    return oauth_error(
                        400,
                        "invalid_request",
                        "Value passed for the authorization code was invalid.",
                    );
                }
                if f.get("redirect_uri") != Some(&grant.redirect_uri)
                    || grant.client_id != self.config.client_id
                {
                    return oauth_error(
                        400,
                        "invalid_request",
                        "Value passed for the redirect uri did not match the uri of the authorization code.",
                    );
                }
                let verifier = f.get("code_verifier").map(String::as_str).unwrap_or("");
                let computed = if grant.method == "S256" {
                    B64URL.encode(Sha256::digest(verifier.as_bytes()))
                } else {
                    verifier.to_owned()
                };
                if verifier.len() < 43 && grant.method == "S256" || computed != grant.challenge {
                    return oauth_error(
                        400,
                        "invalid_request",
                        "Value passed for the code verifier did not match the code challenge.",
                    );
                }
                self.issue(&grant.scope)
            }
            Some("refresh_token") => {
                // Rotation: the old refresh token is spent.
                let Some(scope) = f.get("refresh_token").and_then(|r| self.refresh.remove(r))
                else {
                    return oauth_error(
                        400,
                        "invalid_request",
                        "Value passed for the token was invalid.",
                    );
                };
                self.issue(&scope)
            }
            _ => oauth_error(
                400,
                "unsupported_grant_type",
                "grant_type must be authorization_code or refresh_token",
            ),
        }
    }

    /// `POST /2/oauth2/revoke`.
    pub(crate) fn revoke(&mut self, authorization: Option<&str>, body: &[u8]) -> Reply {
        let f = form(body);
        if let Err(r) = self.client(authorization, &f) {
            return r;
        }
        let Some(token) = f.get("token") else {
            return oauth_error(
                400,
                "invalid_request",
                "Missing required parameter [token].",
            );
        };
        let revoked = self.access.remove(token).is_some() | self.refresh.remove(token).is_some();
        Reply::json(200, &json!({"revoked": revoked}))
    }
}
