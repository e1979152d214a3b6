//! [`RefreshingToken`]: an OAuth 2.0 user token that renews itself.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use super::{AuthError, OAuth2Client, TokenSet, TokenStore};
use crate::{Error, Secret};

/// An OAuth 2.0 user access token with a refresh token: refreshed shortly before it
/// expires and once after a 401. Concurrent requests share a single refresh, and every
/// rotated refresh token is handed to the [`TokenStore`].
///
/// A refresh runs to completion in its own task once started: the token endpoint rotates
/// the refresh token, so a refresh cancelled between that answer and the save would lose
/// the only valid refresh token. Dropping the request that triggered it does not stop it.
pub struct RefreshingToken {
    margin: Duration,
    inner: Arc<Inner>,
}

struct Inner {
    client: OAuth2Client,
    store: Arc<dyn TokenStore>,
    state: std::sync::RwLock<(TokenSet, u64)>,
    refresh_lock: Arc<tokio::sync::Mutex<()>>,
    refreshes: AtomicU64,
}

impl fmt::Debug for RefreshingToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshingToken")
            .field("client", &self.inner.client)
            .field("margin", &self.margin)
            .field("refreshes", &self.refreshes())
            .finish_non_exhaustive()
    }
}

impl RefreshingToken {
    /// Wraps tokens obtained from `client` (refreshed through it), saving new ones to
    /// `store`. Refreshes 60 s before expiry by default.
    pub fn new(client: OAuth2Client, tokens: TokenSet, store: Arc<dyn TokenStore>) -> Self {
        Self {
            margin: Duration::from_secs(60),
            inner: Arc::new(Inner {
                client,
                store,
                state: std::sync::RwLock::new((tokens, 0)),
                refresh_lock: Arc::new(tokio::sync::Mutex::new(())),
                refreshes: AtomicU64::new(0),
            }),
        }
    }

    /// How long before expiry to refresh (default 60 s).
    #[must_use]
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// The current tokens.
    pub fn tokens(&self) -> TokenSet {
        self.snapshot().0
    }

    /// How many refreshes succeeded.
    pub fn refreshes(&self) -> u64 {
        self.inner.refreshes.load(Ordering::Relaxed)
    }

    fn snapshot(&self) -> (TokenSet, u64) {
        self.inner.snapshot()
    }

    /// The access token to use now (refreshing first when it is about to expire) and its
    /// generation (pass it to [`refresh_after`](Self::refresh_after) after a 401).
    ///
    /// # Errors
    ///
    /// A failed refresh; [`AuthError::NoRefreshToken`] if the token expired and cannot be renewed.
    pub async fn access_token(&self) -> Result<(Secret, u64), Error> {
        let (tokens, generation) = self.snapshot();
        if !tokens.expires_within(self.margin, SystemTime::now()) {
            return Ok((tokens.access_token, generation));
        }
        if tokens.refresh_token.is_none() {
            if tokens.expires_within(Duration::ZERO, SystemTime::now()) {
                return Err(AuthError::NoRefreshToken.into());
            }
            return Ok((tokens.access_token, generation));
        }
        self.refresh_after(generation).await?;
        let (tokens, generation) = self.snapshot();
        Ok((tokens.access_token, generation))
    }

    /// Resolves when no refresh is under way: a refresh started earlier (even by a request
    /// that was since cancelled) has saved its tokens or failed. Call it before the program
    /// exits so that a refresh token the server has just rotated is not lost.
    pub async fn settled(&self) {
        drop(Arc::clone(&self.inner.refresh_lock).lock_owned().await);
    }

    /// Refreshes unless another caller already replaced generation `seen` (so concurrent
    /// callers share one refresh). Returns whether a new token is available.
    ///
    /// # Errors
    ///
    /// The token endpoint's error, or [`AuthError::TokenStore`] when the new tokens could
    /// not be saved (they are used anyway).
    pub async fn refresh_after(&self, seen: u64) -> Result<bool, Error> {
        let inner = Arc::clone(&self.inner);
        match tokio::spawn(async move { inner.refresh_after(seen).await }).await {
            Ok(result) => result,
            Err(e) => Err(AuthError::InvalidTokenResponse {
                message: format!("the token refresh task failed: {e}"),
            }
            .into()),
        }
    }
}

impl Inner {
    fn snapshot(&self) -> (TokenSet, u64) {
        match self.state.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The refresh itself: serialized by `refresh_lock`, run in a task of its own.
    async fn refresh_after(&self, seen: u64) -> Result<bool, Error> {
        let _guard = Arc::clone(&self.refresh_lock).lock_owned().await;
        let (tokens, generation) = self.snapshot();
        if generation != seen {
            return Ok(true);
        }
        let Some(refresh_token) = tokens.refresh_token else {
            return Ok(false);
        };
        let fresh = self.client.refresh(&refresh_token).await?;
        // The server has rotated the refresh token: the new pair is stored before any request
        // uses the new access token (callers wait on `refresh_lock`, and this runs in a task
        // of its own, so a cancelled request does not stop it half-way). Whatever happens
        // after this line, the rotated refresh token is on disk.
        let saved = self.store.save(&fresh).await;
        // Kept in memory even when saving failed: the old refresh token is dead now, and this
        // is the only copy of the new one.
        match self.state.write() {
            Ok(mut g) => *g = (fresh.clone(), generation + 1),
            Err(poisoned) => *poisoned.into_inner() = (fresh.clone(), generation + 1),
        }
        self.refreshes.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(
            generation = generation + 1,
            "refreshed the OAuth 2.0 access token"
        );
        saved.map_err(|source| AuthError::TokenStore { source })?;
        Ok(true)
    }
}
