//! Authentication: OAuth 2.0 user tokens (static or refreshing), OAuth 1.0a signing, PKCE.

mod error;
pub mod oauth1;
mod pkce;
mod refreshing;
mod tokens;

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};

pub use error::AuthError;
pub use oauth1::OAuth1Credentials;
pub use pkce::{
    AuthorizationRequest, DM_SCOPES, OAuth2Client, OAuth2Endpoints, PkceVerifier, TokenTypeHint,
};
pub use refreshing::RefreshingToken;
pub use tokens::{MemoryTokenStore, TokenSet, TokenStore};

use crate::{Error, Secret};

/// How requests are authenticated. Cheap to clone (shared state).
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Auth {
    /// No `Authorization` header (the caller adds one, or a test server needs none).
    #[default]
    None,
    /// A fixed OAuth 2.0 user access token.
    Bearer(Secret),
    /// An OAuth 2.0 user access token that refreshes itself.
    OAuth2(Arc<RefreshingToken>),
    /// OAuth 1.0a user context: every request (and every retry) freshly signed.
    OAuth1(Arc<OAuth1Credentials>),
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("Auth::None"),
            Self::Bearer(_) => f.write_str("Auth::Bearer([redacted])"),
            Self::OAuth2(t) => f.debug_tuple("Auth::OAuth2").field(t).finish(),
            Self::OAuth1(c) => f.debug_tuple("Auth::OAuth1").field(c).finish(),
        }
    }
}

impl Auth {
    /// A fixed OAuth 2.0 user access token (`Authorization: Bearer ...`).
    pub fn bearer(token: impl Into<Secret>) -> Self {
        Self::Bearer(token.into())
    }

    /// A refreshing OAuth 2.0 user token.
    pub fn oauth2(token: RefreshingToken) -> Self {
        Self::OAuth2(Arc::new(token))
    }

    /// OAuth 1.0a user context.
    pub fn oauth1(credentials: OAuth1Credentials) -> Self {
        Self::OAuth1(Arc::new(credentials))
    }

    /// Sets the `Authorization` header (marked sensitive). Returns the OAuth 2.0 token
    /// generation used, for [`Auth::refresh_after_unauthorized`].
    pub(crate) async fn authorize(
        &self,
        request: &mut http::Request<Bytes>,
    ) -> Result<Option<u64>, Error> {
        let (value, generation) = match self {
            Self::None => return Ok(None),
            Self::Bearer(token) => (format!("Bearer {}", token.expose()), None),
            Self::OAuth2(refreshing) => {
                let (token, generation) = refreshing.access_token().await?;
                (format!("Bearer {}", token.expose()), Some(generation))
            }
            Self::OAuth1(credentials) => {
                let is_form = request
                    .headers()
                    .get(CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
                let form = is_form.then(|| request.body().as_ref());
                let header = credentials.authorization_header(
                    request.method().as_str(),
                    request.uri(),
                    form,
                );
                (header.expose().to_owned(), None)
            }
        };
        let mut value = HeaderValue::try_from(value).map_err(|_| AuthError::InvalidCredential)?;
        value.set_sensitive(true);
        request.headers_mut().insert(AUTHORIZATION, value);
        Ok(generation)
    }

    /// After a 401: refreshes the OAuth 2.0 token (once, shared) when possible. Returns
    /// whether the request is worth sending again.
    pub(crate) async fn refresh_after_unauthorized(
        &self,
        generation: Option<u64>,
    ) -> Result<bool, Error> {
        match (self, generation) {
            (Self::OAuth2(refreshing), Some(generation)) => {
                refreshing.refresh_after(generation).await
            }
            _ => Ok(false),
        }
    }

    /// How many token refreshes happened.
    pub(crate) fn refreshes(&self) -> u64 {
        match self {
            Self::OAuth2(r) => r.refreshes(),
            _ => 0,
        }
    }
}
