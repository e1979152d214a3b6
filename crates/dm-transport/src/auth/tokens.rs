//! [`TokenSet`] and [`TokenStore`]: OAuth 2.0 tokens and where rotated ones are saved.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;

use crate::{BoxError, Secret};

/// OAuth 2.0 tokens as returned by the token endpoint. `Debug` never shows the tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenSet {
    /// The user access token (`Authorization: Bearer ...`).
    pub access_token: Secret,
    /// The refresh token (only with the `offline.access` scope). Rotated on every refresh.
    pub refresh_token: Option<Secret>,
    /// When the access token expires, if known.
    pub expires_at: Option<SystemTime>,
    /// The granted scopes, space-separated.
    pub scope: Option<String>,
    /// The token type (`bearer`).
    pub token_type: Option<String>,
}

impl TokenSet {
    /// Tokens with an access token only.
    pub fn new(access_token: impl Into<Secret>) -> Self {
        Self {
            access_token: access_token.into(),
            refresh_token: None,
            expires_at: None,
            scope: None,
            token_type: Some("bearer".into()),
        }
    }

    /// With a refresh token.
    #[must_use]
    pub fn with_refresh_token(mut self, refresh_token: impl Into<Secret>) -> Self {
        self.refresh_token = Some(refresh_token.into());
        self
    }

    /// With an expiry time.
    #[must_use]
    pub fn with_expires_at(mut self, expires_at: SystemTime) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// With an expiry `expires_in` from now.
    #[must_use]
    pub fn expiring_in(self, expires_in: Duration) -> Self {
        self.with_expires_at(SystemTime::now() + expires_in)
    }

    /// Whether the access token expires within `margin` of `now`.
    pub fn expires_within(&self, margin: Duration, now: SystemTime) -> bool {
        self.expires_at.is_some_and(|at| now + margin >= at)
    }

    /// Whether the granted scopes include `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scope
            .as_deref()
            .is_some_and(|s| s.split_whitespace().any(|s| s == scope))
    }
}

/// Where refreshed tokens go. X rotates the refresh token on every refresh: the old one
/// stops working, so the new one must be saved or the user has to authorize again.
#[async_trait]
pub trait TokenStore: Send + Sync {
    /// Saves freshly issued tokens. Called after each refresh and before any request uses
    /// the new access token, so a program that exits at any point after a refresh (even
    /// killed) finds the rotated refresh token in the store.
    ///
    /// # Errors
    ///
    /// Any error from the store; it is reported as [`AuthError::TokenStore`](crate::AuthError::TokenStore).
    async fn save(&self, tokens: &TokenSet) -> Result<(), BoxError>;
}

/// A [`TokenStore`] that keeps the latest tokens in memory (tests, short-lived programs).
#[derive(Debug, Default)]
pub struct MemoryTokenStore {
    latest: Mutex<Option<TokenSet>>,
    saves: Mutex<u64>,
}

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The last saved tokens.
    pub fn latest(&self) -> Option<TokenSet> {
        self.latest.lock().map(|g| g.clone()).unwrap_or_default()
    }

    /// How many times tokens were saved.
    pub fn saves(&self) -> u64 {
        self.saves.lock().map(|g| *g).unwrap_or_default()
    }
}

#[async_trait]
impl TokenStore for MemoryTokenStore {
    async fn save(&self, tokens: &TokenSet) -> Result<(), BoxError> {
        if let Ok(mut latest) = self.latest.lock() {
            *latest = Some(tokens.clone());
        }
        if let Ok(mut saves) = self.saves.lock() {
            *saves += 1;
        }
        Ok(())
    }
}
