//! [`CliError`]: every way a command fails, each with a short message that says what to do
//! and an [`exit code`](CliError::exit_code).

use dm_transport::Advice;

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: a local failure (a file could not be read or written, a corrupt archive).
pub const EXIT_LOCAL: u8 = 1;
/// Exit code: bad command-line input (unknown option, invalid id, field or value).
pub const EXIT_USAGE: u8 = 2;
/// Exit code: authentication (no credentials, app-only token, missing scopes, refused token).
pub const EXIT_AUTH: u8 = 3;
/// Exit code: the API refused the request (not found, invalid request, rate limit, usage cap).
pub const EXIT_API: u8 = 4;
/// Exit code: the network failed (could not connect, timeout, connection reset).
pub const EXIT_NETWORK: u8 = 5;
/// Exit code: an X Chat event did not verify (it was reported, never shown as a message).
pub const EXIT_UNVERIFIED: u8 = 6;
/// Exit code: interrupted (Ctrl-C) before the command finished.
pub const EXIT_INTERRUPTED: u8 = 130;

/// The exit codes, as shown in `--help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  local failure (file I/O, corrupt archive or state file)
  2  usage error (bad option, invalid id, field or value)
  3  authentication error (no credentials, app-only token, missing scopes, refused token)
  4  API error (not found, invalid request, rate limit, usage cap)
  5  network error (cannot connect, timeout, connection reset)
  6  an X Chat event did not verify (reported, not shown as a message)
  130  interrupted (Ctrl-C)";

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// Bad input on the command line.
    #[error("{0}")]
    Usage(String),
    /// No usable credentials, or the API refused them.
    #[error("{0}")]
    Auth(String),
    /// The API refused the request.
    #[error("{0}")]
    Api(String),
    /// The network failed.
    #[error("{0}")]
    Network(String),
    /// A local file could not be read or written.
    #[error("{0}")]
    Local(String),
    /// Ctrl-C.
    #[error("interrupted")]
    Interrupted,
    /// X Chat events that did not verify were reported (and not shown as messages).
    #[error("{0}")]
    Unverified(String),
}

impl CliError {
    /// The process exit code for this error (see [`EXIT_CODES_HELP`]).
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => EXIT_USAGE,
            CliError::Auth(_) => EXIT_AUTH,
            CliError::Api(_) => EXIT_API,
            CliError::Network(_) => EXIT_NETWORK,
            CliError::Local(_) => EXIT_LOCAL,
            CliError::Interrupted => EXIT_INTERRUPTED,
            CliError::Unverified(_) => EXIT_UNVERIFIED,
        }
    }

    /// A local I/O failure on `what` (a path or a description).
    pub fn io(what: impl std::fmt::Display, e: std::io::Error) -> Self {
        CliError::Local(format!("{what}: {e}"))
    }

    /// No credentials were found.
    pub fn no_credentials() -> Self {
        CliError::Auth(
            "no credentials: run `xdm auth login` (OAuth 2.0, needs --client-id or XDM_CLIENT_ID), \
             or set XDM_ACCESS_TOKEN (an OAuth 2.0 user token), or the four XDM_OAUTH1_* variables"
                .into(),
        )
    }
}

impl From<dm_stream::Error> for CliError {
    fn from(e: dm_stream::Error) -> Self {
        use dm_stream::Error as E;
        // Matched by reference first: the upload errors keep their own message.
        if matches!(
            e,
            E::UnsupportedMedia { .. }
                | E::MediaTooLarge { .. }
                | E::Io(_)
                | E::MissingScope { .. }
        ) {
            return match e {
                E::Io(_) => CliError::Local(e.to_string()),
                E::MissingScope { .. } => CliError::Auth(e.to_string()),
                _ => CliError::Usage(e.to_string()),
            };
        }
        match e {
            E::Query(q) => CliError::Usage(q.to_string()),
            E::Body(b) => CliError::Usage(b.to_string()),
            E::Config(c) => CliError::Usage(c),
            E::Transport(t) => t.into(),
            E::MaybeSent { target, source } => CliError::Network(format!(
                "the message to {target} may have been sent ({source}).\n\
                 It was not retried: check with `xdm events` before sending it again"
            )),
            E::MissingCredentials { .. } => CliError::Auth(e.to_string()),
            E::Chat(dm_chat::ChatError::Signature(why)) => {
                CliError::Unverified(format!("X Chat: {why}"))
            }
            E::CheckpointMismatch { expected, found } => CliError::Usage(format!(
                "the saved state belongs to another lookup ({found}), not this one ({expected}): \
                 use the same options as the run that created it, or another archive file"
            )),
            other => CliError::Api(other.to_string()),
        }
    }
}

impl From<dm_store::Error> for CliError {
    fn from(e: dm_store::Error) -> Self {
        use dm_store::Error as S;
        match e {
            S::InvalidUrl { .. } | S::InvalidAccount { .. } | S::UnknownAccount { .. } => {
                CliError::Usage(e.to_string())
            }
            S::Connect { .. } => CliError::Network(e.to_string()),
            _ => CliError::Local(e.to_string()),
        }
    }
}

impl From<dm_stream::StreamError> for CliError {
    fn from(e: dm_stream::StreamError) -> Self {
        e.into_error().into()
    }
}

fn format_reset(reset: u64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(i64::try_from(reset).unwrap_or(i64::MAX))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let f = time::macros::format_description!("[hour]:[minute]:[second] UTC");
    t.format(&f).unwrap_or_else(|_| reset.to_string())
}

impl From<dm_transport::Error> for CliError {
    fn from(e: dm_transport::Error) -> Self {
        use dm_transport::Error as T;
        match &e {
            T::Api(api) => {
                let problem = api
                    .problems
                    .first()
                    .map(|p| {
                        let detail = p.detail.as_deref().or(p.title.as_deref()).unwrap_or("");
                        format!(": {detail}")
                    })
                    .unwrap_or_default();
                let head = format!("the API answered HTTP {}{problem}", api.status.as_u16());
                match api.advice() {
                    Some(
                        a @ (Advice::UseUserContextToken
                        | Advice::CheckDmScopes
                        | Advice::GrantDmPermission
                        | Advice::EnrollClient),
                    ) => CliError::Auth(format!("{head}\n{}", a.message())),
                    Some(Advice::Reauthenticate) => CliError::Auth(format!(
                        "{head}\nthe credentials are missing, invalid or expired: run `xdm auth login` \
                         again or check XDM_ACCESS_TOKEN"
                    )),
                    Some(Advice::UsageCapped) => CliError::Api(format!(
                        "usage cap reached: the app's monthly post cap is spent, and waiting for the \
                         rate-limit window will not clear it (HTTP {})",
                        api.status.as_u16()
                    )),
                    Some(Advice::WaitForReset) | None if api.is_rate_limited() => {
                        let until = api
                            .rate_limit
                            .as_ref()
                            .map(|r| format!(" until {}", format_reset(r.reset)))
                            .unwrap_or_default();
                        CliError::Api(format!(
                            "rate limited: the budget is spent{until}; run the command again later"
                        ))
                    }
                    _ => CliError::Api(head),
                }
            }
            T::Auth(a) => CliError::Auth(format!("{a}\nrun `xdm auth login` to authorize again")),
            T::RateLimitWait { reset, .. } => CliError::Api(format!(
                "rate limited until {}: longer than the longest wait; run the command again then",
                format_reset(*reset)
            )),
            T::Connect { .. } | T::Timeout { .. } | T::AfterSend { .. } => {
                CliError::Network(format!("{e}\ncheck the network and --base-url"))
            }
            T::Build { .. } => CliError::Usage(e.to_string()),
            _ => CliError::Api(e.to_string()),
        }
    }
}
