//! [`Error`]: what can go wrong crossing the transport, and whether the request may have
//! been sent.

use std::fmt;

use http::StatusCode;

use crate::{ApiError, RateLimit};

/// A boxed error source (from hyper, rustls, the OS, a user transport...).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Which deadline expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// Connecting (TCP + TLS): the request was not sent.
    Connect,
    /// The whole request, including reading the response body.
    Request,
    /// Waiting for the next chunk of a streamed body.
    BodyIdle,
}

impl fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "connect",
            Self::Request => "request",
            Self::BodyIdle => "waiting for the next body chunk",
        })
    }
}

/// An error from a [`Transport`](crate::Transport) or a layer of the [`Stack`](crate::Stack).
///
/// Every variant says whether the request may have reached the server:
/// see [`Error::may_have_been_sent`]. A send (`POST`) that may have been sent must not be
/// retried blindly: it could post the message twice.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be built or is not allowed (bad URL, plain `http://` to a
    /// non-loopback host, no TLS roots...). Not sent.
    #[error("could not build the request: {message}")]
    Build {
        /// What was wrong.
        message: String,
    },
    /// A deadline expired.
    #[error("{phase} timed out after {after:?}{}", sent_note(*may_have_been_sent))]
    Timeout {
        /// Which deadline.
        phase: TimeoutPhase,
        /// The deadline that expired.
        after: std::time::Duration,
        /// Whether any byte of the request may have reached the server.
        may_have_been_sent: bool,
    },
    /// Could not connect (DNS, TCP, TLS). The request was not sent.
    #[error("could not connect (the request was not sent): {source}")]
    Connect {
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// The connection failed after the request was (perhaps partly) written: reset, closed
    /// early, or a truncated response body. The server may have processed the request.
    #[error("connection failed after the request was sent{}: {source}", if *truncated_body { " (truncated response body)" } else { "" })]
    AfterSend {
        /// The underlying error.
        #[source]
        source: BoxError,
        /// Whether the response had started and its body was cut short.
        truncated_body: bool,
    },
    /// The response body exceeded the configured limit (after decompression too).
    #[error("response body exceeds the {limit}-byte limit")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The response could not be decoded (corrupt compression, unsupported encoding).
    #[error("undecodable response body: {message}")]
    Encoding {
        /// What was wrong.
        message: String,
    },
    /// A JSON body did not decode; the error names the JSON path.
    #[error(transparent)]
    Decode(#[from] dm_model::DecodeError),
    /// The API answered with a non-success status.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The rate limit is spent until `reset` and waiting would exceed the policy's
    /// `max_wait` (e.g. a spent 24-hour window). Not sent.
    #[error(
        "rate limit for {family} spent until {reset} (Unix seconds): waiting {wait:?} exceeds the maximum wait"
    )]
    RateLimitWait {
        /// The endpoint family.
        family: crate::EndpointFamily,
        /// When the budget resets, in Unix seconds.
        reset: u64,
        /// How long the wait would be.
        wait: std::time::Duration,
    },
    /// Authentication failed locally or at the token endpoint.
    #[error(transparent)]
    Auth(#[from] crate::AuthError),
}

fn sent_note(may_have_been_sent: bool) -> &'static str {
    if may_have_been_sent {
        " (the request may have been sent)"
    } else {
        " (the request was not sent)"
    }
}

impl Error {
    /// Builds an [`Error::Build`].
    pub fn build(message: impl Into<String>) -> Self {
        Self::Build {
            message: message.into(),
        }
    }

    /// Builds an [`Error::Connect`].
    pub fn connect(source: impl Into<BoxError>) -> Self {
        Self::Connect {
            source: source.into(),
        }
    }

    /// Builds an [`Error::AfterSend`].
    pub fn after_send(source: impl Into<BoxError>, truncated_body: bool) -> Self {
        Self::AfterSend {
            source: source.into(),
            truncated_body,
        }
    }

    /// Whether the server may have received (and acted on) the request.
    pub fn may_have_been_sent(&self) -> bool {
        match self {
            Self::Build { .. } | Self::Connect { .. } | Self::RateLimitWait { .. } => false,
            Self::Timeout {
                may_have_been_sent, ..
            } => *may_have_been_sent,
            Self::Auth(e) => e.may_have_been_sent(),
            Self::AfterSend { .. }
            | Self::BodyTooLarge { .. }
            | Self::Encoding { .. }
            | Self::Decode(_)
            | Self::Api(_) => true,
        }
    }

    /// The rate-limit state the response carried, if there was a response with the headers.
    pub fn rate_limit(&self) -> Option<&RateLimit> {
        match self {
            Self::Api(api) => api.rate_limit.as_ref(),
            _ => None,
        }
    }

    /// The HTTP status, for [`Error::Api`].
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api(api) => Some(api.status),
            _ => None,
        }
    }

    /// The API error, for [`Error::Api`].
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Self::Api(api) => Some(api),
            _ => None,
        }
    }

    /// Whether retrying the same request could succeed: connect failures, timeouts, resets,
    /// truncated bodies and 500/502/503/504. Whether it is *safe* to retry also depends on
    /// the request being idempotent or certainly not sent; the retry layer checks both.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Connect { .. } | Self::Timeout { .. } | Self::AfterSend { .. } => true,
            Self::Api(api) => matches!(api.status.as_u16(), 500 | 502 | 503 | 504),
            Self::Decode(e) => e.is_eof(),
            _ => false,
        }
    }
}

impl From<ApiError> for Error {
    fn from(value: ApiError) -> Self {
        Self::Api(Box::new(value))
    }
}
