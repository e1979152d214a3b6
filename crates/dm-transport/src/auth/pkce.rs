//! OAuth 2.0 Authorization Code with PKCE: authorize URL, code exchange, refresh, revoke.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};

use super::{AuthError, TokenSet};
use crate::{Error, Secret, Transport};

/// The scopes a DM client needs: read, send, and a refresh token.
pub const DM_SCOPES: &[&str] = &[
    "dm.read",
    "dm.write",
    "tweet.read",
    "users.read",
    "offline.access",
];

/// A PKCE code verifier (RFC 7636). `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct PkceVerifier(Secret);

impl fmt::Debug for PkceVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PkceVerifier([redacted])")
    }
}

impl PkceVerifier {
    /// A fresh verifier: base64url of 32 random bytes (43 characters).
    pub fn random() -> Self {
        Self(Secret::new(random_token()))
    }

    /// A verifier from a known value (e.g. restored after the redirect).
    pub fn new(value: impl Into<Secret>) -> Self {
        Self(value.into())
    }

    /// The verifier sent with the code exchange.
    pub fn secret(&self) -> &Secret {
        &self.0
    }

    /// The S256 challenge: `base64url(SHA-256(verifier))` without padding.
    ///
    /// ```
    /// use dm_transport::auth::PkceVerifier;
    /// let v = PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    /// assert_eq!(v.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    /// ```
    pub fn challenge(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.0.expose().as_bytes()))
    }
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The OAuth 2.0 endpoints (reference §8.2). Point them at 127.0.0.1 for tests.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OAuth2Endpoints {
    /// Browser authorization URL (default `https://x.com/i/oauth2/authorize`).
    pub authorize: String,
    /// Token URL (default `https://api.x.com/2/oauth2/token`).
    pub token: String,
    /// Revocation URL (default `https://api.x.com/2/oauth2/revoke`).
    pub revoke: String,
}

impl Default for OAuth2Endpoints {
    fn default() -> Self {
        Self {
            authorize: "https://x.com/i/oauth2/authorize".into(),
            token: "https://api.x.com/2/oauth2/token".into(),
            revoke: "https://api.x.com/2/oauth2/revoke".into(),
        }
    }
}

impl OAuth2Endpoints {
    /// All three endpoints under one base (`{base}/i/oauth2/authorize`,
    /// `{base}/2/oauth2/token`, `{base}/2/oauth2/revoke`), e.g. a local test server.
    pub fn with_base(base: &str) -> Self {
        let base = base.trim_end_matches('/');
        Self {
            authorize: format!("{base}/i/oauth2/authorize"),
            token: format!("{base}/2/oauth2/token"),
            revoke: format!("{base}/2/oauth2/revoke"),
        }
    }
}

/// What to send the user's browser to, and what to keep until the redirect comes back.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AuthorizationRequest {
    /// The URL to open in the browser.
    pub url: String,
    /// The `state` sent; the callback must return the same value.
    pub state: String,
    /// The PKCE verifier to send with the code exchange.
    pub verifier: PkceVerifier,
}

impl AuthorizationRequest {
    /// Checks the `state` the redirect URI received.
    ///
    /// # Errors
    ///
    /// [`AuthError::StateMismatch`] when it differs.
    pub fn verify_state(&self, returned: &str) -> Result<(), AuthError> {
        // Constant-time enough for a random, single-use value; compare all bytes anyway.
        let a = self.state.as_bytes();
        let b = returned.as_bytes();
        let same =
            a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0;
        if same {
            Ok(())
        } else {
            Err(AuthError::StateMismatch)
        }
    }
}

/// Which token [`OAuth2Client::revoke`] revokes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenTypeHint {
    /// An access token.
    AccessToken,
    /// A refresh token.
    RefreshToken,
}

/// An OAuth 2.0 client (public, or confidential with a client secret) for the
/// Authorization Code flow with PKCE.
#[derive(Clone)]
pub struct OAuth2Client {
    client_id: String,
    client_secret: Option<Secret>,
    redirect_uri: String,
    endpoints: OAuth2Endpoints,
    transport: Arc<dyn Transport>,
}

impl fmt::Debug for OAuth2Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth2Client")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("redirect_uri", &self.redirect_uri)
            .field("endpoints", &self.endpoints)
            .finish_non_exhaustive()
    }
}

#[derive(serde::Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    token_type: Option<String>,
}

#[derive(serde::Deserialize)]
struct TokenErrorBody {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

impl OAuth2Client {
    /// A public client. `transport` carries the token-endpoint calls (a
    /// [`HyperTransport`](crate::HyperTransport) in production).
    pub fn new(
        client_id: impl Into<String>,
        redirect_uri: impl Into<String>,
        transport: Arc<dyn Transport>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: None,
            redirect_uri: redirect_uri.into(),
            endpoints: OAuth2Endpoints::default(),
            transport,
        }
    }

    /// A confidential client: token calls use HTTP Basic auth with this secret.
    #[must_use]
    pub fn client_secret(mut self, secret: impl Into<Secret>) -> Self {
        self.client_secret = Some(secret.into());
        self
    }

    /// Uses other endpoints (a sandbox, a local test server).
    #[must_use]
    pub fn endpoints(mut self, endpoints: OAuth2Endpoints) -> Self {
        self.endpoints = endpoints;
        self
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Builds the authorize URL with a fresh `state` and an S256 PKCE challenge.
    pub fn authorize_url(&self, scopes: &[&str]) -> AuthorizationRequest {
        self.authorize_url_with(scopes, random_token(), PkceVerifier::random())
    }

    /// Like [`authorize_url`](Self::authorize_url) with a given state and verifier.
    pub fn authorize_url_with(
        &self,
        scopes: &[&str],
        state: String,
        verifier: PkceVerifier,
    ) -> AuthorizationRequest {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.client_id)
            .append_pair("redirect_uri", &self.redirect_uri)
            .append_pair("scope", &scopes.join(" "))
            .append_pair("state", &state)
            .append_pair("code_challenge", &verifier.challenge())
            .append_pair("code_challenge_method", "S256")
            .finish()
            .replace('+', "%20");
        let sep = if self.endpoints.authorize.contains('?') {
            '&'
        } else {
            '?'
        };
        AuthorizationRequest {
            url: format!("{}{sep}{query}", self.endpoints.authorize),
            state,
            verifier,
        }
    }

    /// Exchanges the authorization code (valid for 30 seconds) for tokens.
    ///
    /// # Errors
    ///
    /// Transport errors, [`AuthError::TokenEndpoint`] when refused,
    /// [`Error::Decode`] when the answer is not a token response.
    pub async fn exchange_code(
        &self,
        code: &str,
        verifier: &PkceVerifier,
    ) -> Result<TokenSet, Error> {
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("code", code)
            .append_pair("grant_type", "authorization_code")
            .append_pair("client_id", &self.client_id)
            .append_pair("redirect_uri", &self.redirect_uri)
            .append_pair("code_verifier", verifier.secret().expose())
            .finish();
        self.token_request(form, None).await
    }

    /// Exchanges a refresh token for new tokens (the response carries a rotated refresh
    /// token; when it does not, the old one is kept).
    ///
    /// # Errors
    ///
    /// As for [`exchange_code`](Self::exchange_code).
    pub async fn refresh(&self, refresh_token: &Secret) -> Result<TokenSet, Error> {
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "refresh_token")
            .append_pair("refresh_token", refresh_token.expose())
            .append_pair("client_id", &self.client_id)
            .finish();
        self.token_request(form, Some(refresh_token)).await
    }

    /// Revokes a token.
    ///
    /// # Errors
    ///
    /// Transport errors and [`AuthError::TokenEndpoint`] when refused.
    pub async fn revoke(&self, token: &Secret, hint: TokenTypeHint) -> Result<(), Error> {
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("token", token.expose())
            .append_pair("client_id", &self.client_id)
            .append_pair(
                "token_type_hint",
                match hint {
                    TokenTypeHint::AccessToken => "access_token",
                    TokenTypeHint::RefreshToken => "refresh_token",
                },
            )
            .finish();
        let response = self.post_form(&self.endpoints.revoke, form).await?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(token_endpoint_error(&response).into())
        }
    }

    async fn token_request(
        &self,
        form: String,
        old_refresh: Option<&Secret>,
    ) -> Result<TokenSet, Error> {
        let response = self.post_form(&self.endpoints.token, form).await?;
        if !response.status().is_success() {
            return Err(token_endpoint_error(&response).into());
        }
        // serde's messages can quote the offending value, which here may be a secret:
        // report only where the response went wrong.
        let body: TokenResponse =
            dm_model::decode(response.body()).map_err(|e| AuthError::InvalidTokenResponse {
                message: format!(
                    "the token response did not decode at `{}` (line {}, column {})",
                    e.path(),
                    e.line(),
                    e.column()
                ),
            })?;
        if body.access_token.is_empty() {
            return Err(AuthError::InvalidTokenResponse {
                message: "empty access_token".into(),
            }
            .into());
        }
        Ok(TokenSet {
            access_token: Secret::new(body.access_token),
            refresh_token: body
                .refresh_token
                .map(Secret::new)
                .or_else(|| old_refresh.cloned()),
            expires_at: body
                .expires_in
                .map(|s| SystemTime::now() + Duration::from_secs(s)),
            scope: body.scope,
            token_type: body.token_type,
        })
    }

    async fn post_form(&self, url: &str, form: String) -> Result<http::Response<Bytes>, Error> {
        let mut request = http::Request::post(url)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(ACCEPT, "application/json")
            .body(Bytes::from(form))
            .map_err(|e| Error::build(format!("token endpoint URL `{url}`: {e}")))?;
        if let Some(secret) = &self.client_secret {
            // `base64(client_id:client_secret)` as X documents it (reference §8.2), not the
            // form-encoded pair of RFC 6749 §2.3.1: the two differ for secrets with `~`,
            // `/`, `+` or `=`, and X's token endpoint expects the raw pair.
            let (id, pw) = (&self.client_id, secret.expose());
            let mut value =
                HeaderValue::try_from(format!("Basic {}", STANDARD.encode(format!("{id}:{pw}"))))
                    .map_err(|_| AuthError::InvalidCredential)?;
            value.set_sensitive(true);
            request.headers_mut().insert(AUTHORIZATION, value);
        }
        self.transport.send(request).await
    }
}

fn token_endpoint_error(response: &http::Response<Bytes>) -> AuthError {
    let status = response.status();
    match serde_json::from_slice::<TokenErrorBody>(response.body()) {
        Ok(body) => AuthError::TokenEndpoint {
            status,
            error: body.error,
            description: body.error_description,
        },
        Err(_) => AuthError::TokenEndpoint {
            status,
            error: String::from_utf8_lossy(response.body())
                .chars()
                .take(200)
                .collect(),
            description: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Unused;

    #[async_trait::async_trait]
    impl Transport for Unused {
        async fn send(&self, _: http::Request<Bytes>) -> Result<http::Response<Bytes>, Error> {
            Err(Error::build("unused"))
        }
    }

    #[test]
    fn rfc7636_appendix_b_vector() {
        let v = PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(v.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn random_verifiers_are_43_url_safe_chars() {
        let v = PkceVerifier::random();
        assert_eq!(v.secret().expose().len(), 43);
        assert!(
            v.secret()
                .expose()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(v, PkceVerifier::random());
        assert_eq!(format!("{v:?}"), "PkceVerifier([redacted])");
    }

    #[test]
    fn authorize_url_has_every_parameter() {
        let client = OAuth2Client::new("my-client", "https://example.com/cb", Arc::new(Unused));
        let req = client.authorize_url_with(
            &["dm.read", "tweet.read"],
            "st4te".into(),
            PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
        );
        assert_eq!(
            req.url,
            "https://x.com/i/oauth2/authorize?response_type=code&client_id=my-client&redirect_uri=https%3A%2F%2Fexample.com%2Fcb&scope=dm.read%20tweet.read&state=st4te&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
        );
        assert!(req.verify_state("st4te").is_ok());
        assert!(matches!(
            req.verify_state("other"),
            Err(AuthError::StateMismatch)
        ));
        let fresh = client.authorize_url(DM_SCOPES);
        assert_ne!(fresh.state, client.authorize_url(DM_SCOPES).state);
        assert!(fresh.url.contains("offline.access"));
    }
}
