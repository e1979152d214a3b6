//! [`AuthError`]: authentication failures that happen before or beside the API call.

use http::StatusCode;

use crate::BoxError;

/// An authentication failure: token endpoint errors, failed refreshes, a failing token
/// store, a PKCE `state` mismatch. Never carries a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The token endpoint refused the request (`{"error": ..., "error_description": ...}`).
    #[error("token endpoint returned HTTP {status}: {error}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    TokenEndpoint {
        /// The HTTP status.
        status: StatusCode,
        /// The OAuth error code (`invalid_grant`, `invalid_request`...), or the raw body.
        error: String,
        /// The `error_description`, when sent.
        description: Option<String>,
    },
    /// The token endpoint's answer was not a usable token response.
    #[error("invalid token response: {message}")]
    InvalidTokenResponse {
        /// What was wrong.
        message: String,
    },
    /// The access token expired and there is no refresh token to renew it.
    #[error(
        "the access token expired and no refresh token is available: re-authorize the user (request the `offline.access` scope to get a refresh token)"
    )]
    NoRefreshToken,
    /// The refreshed tokens could not be saved; they are in use in memory, but the rotated
    /// refresh token is not persisted.
    #[error("could not save the refreshed tokens: {source}")]
    TokenStore {
        /// The store's error.
        #[source]
        source: BoxError,
    },
    /// The `state` returned to the redirect URI does not match the one sent.
    #[error("OAuth state mismatch: the callback does not belong to this authorization request")]
    StateMismatch,
    /// A credential is not usable in an HTTP header.
    #[error("credential is not a valid header value")]
    InvalidCredential,
}

impl AuthError {
    /// Whether the API request itself may have been sent (never, for auth errors).
    pub fn may_have_been_sent(&self) -> bool {
        false
    }
}
