//! [`ApiError`]: a non-success HTTP response, with its parsed problems, its rate-limit
//! state and advice on what to do.

use std::fmt;

use bytes::Bytes;
use dm_model::{Problem, ProblemKind};
use http::{HeaderMap, StatusCode};

use crate::RateLimit;

/// What the caller should do about an [`ApiError`], when it is clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Advice {
    /// The token is app-only: DMs need a user-context token.
    UseUserContextToken,
    /// A 403 that usually means the user token lacks the DM scopes.
    CheckDmScopes,
    /// The app is not enrolled in a product that includes the endpoint.
    EnrollClient,
    /// The OAuth 1.0a app lacks the "Read, Write, and Direct Messages" permission.
    GrantDmPermission,
    /// The credentials are missing, invalid or expired.
    Reauthenticate,
    /// The usage cap is spent; waiting for the rate-limit reset will not clear it.
    UsageCapped,
    /// The rate limit is spent; wait until the reset.
    WaitForReset,
}

impl Advice {
    /// A sentence saying what to do.
    pub fn message(self) -> &'static str {
        match self {
            Self::UseUserContextToken => {
                "app-only bearer tokens cannot access Direct Messages: use a user-context token (OAuth 2.0 user access token with `dm.read tweet.read users.read`, plus `dm.write` to send, or OAuth 1.0a user context)"
            }
            Self::CheckDmScopes => {
                "the token may lack DM scopes: DMs need a user-context token with `dm.read tweet.read users.read` (plus `dm.write` to send or delete); app-only tokens are refused. It can also mean the recipient does not accept your DMs"
            }
            Self::EnrollClient => {
                "the app is not enrolled in a product that includes this endpoint: check the developer portal"
            }
            Self::GrantDmPermission => {
                "the app needs the \"Read, Write, and Direct Messages\" permission; regenerate the user's access token after changing it"
            }
            Self::Reauthenticate => {
                "the credentials are missing, invalid or expired: refresh or re-authorize the user token"
            }
            Self::UsageCapped => {
                "the usage cap is spent; waiting for the rate-limit window will not clear it"
            }
            Self::WaitForReset => "the rate limit is spent; wait until `x-rate-limit-reset`",
        }
    }
}

/// A non-success response from the API.
#[derive(Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The problems parsed from the body (RFC 7807 or the legacy shape); empty when the body
    /// was something else.
    pub problems: Vec<Problem>,
    /// The rate-limit headers of the response.
    pub rate_limit: Option<RateLimit>,
    /// The response headers.
    pub headers: HeaderMap,
    /// The raw response body.
    pub body: Bytes,
}

impl ApiError {
    /// Builds an API error from a response, parsing its problems and rate-limit headers.
    pub fn from_response(response: &http::Response<Bytes>) -> Self {
        Self {
            status: response.status(),
            problems: dm_model::parse_error_body(response.body()),
            rate_limit: RateLimit::from_headers(response.headers()),
            headers: response.headers().clone(),
            body: response.body().clone(),
        }
    }

    /// Whether any problem has the given kind.
    pub fn has_problem(&self, kind: &ProblemKind) -> bool {
        self.problems.iter().any(|p| &p.kind() == kind)
    }

    /// A 429 with a `usage-capped` problem: waiting for the reset will not clear it.
    pub fn is_usage_capped(&self) -> bool {
        self.has_problem(&ProblemKind::UsageCapped)
    }

    /// A 429 that waiting for the reset will clear.
    pub fn is_rate_limited(&self) -> bool {
        self.status == StatusCode::TOO_MANY_REQUESTS && !self.is_usage_capped()
    }

    /// What to do about this error, when it is clear.
    pub fn advice(&self) -> Option<Advice> {
        let body = String::from_utf8_lossy(&self.body).to_ascii_lowercase();
        if self.has_problem(&ProblemKind::UnsupportedAuthentication)
            || body.contains("application-only")
            || body.contains("app-only")
        {
            return Some(Advice::UseUserContextToken);
        }
        if self.has_problem(&ProblemKind::Legacy { code: 93 }) {
            return Some(Advice::GrantDmPermission);
        }
        if self.has_problem(&ProblemKind::ClientForbidden) {
            return Some(Advice::EnrollClient);
        }
        if self.is_usage_capped() {
            return Some(Advice::UsageCapped);
        }
        match self.status.as_u16() {
            401 => Some(Advice::Reauthenticate),
            403 if self.problems.is_empty() || self.has_problem(&ProblemKind::Generic) => {
                Some(Advice::CheckDmScopes)
            }
            429 => Some(Advice::WaitForReset),
            _ => None,
        }
    }

    fn first_problem_text(&self) -> Option<String> {
        let p = self.problems.first()?;
        Some(p.to_string())
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("problems", &self.problems)
            .field("rate_limit", &self.rate_limit)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "API error: HTTP {}", self.status)?;
        match self.first_problem_text() {
            Some(text) => write!(f, ": {text}")?,
            None if !self.body.is_empty() => {
                let text = String::from_utf8_lossy(&self.body);
                let short: String = text.chars().take(200).collect();
                write!(f, ": {short}")?;
            }
            None => {}
        }
        if self.problems.len() > 1 {
            write!(f, " (+{} more problems)", self.problems.len() - 1)?;
        }
        if let Some(advice) = self.advice() {
            write!(f, ". {}", advice.message())?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}
