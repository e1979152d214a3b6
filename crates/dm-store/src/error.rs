//! [`Error`]: every way a store operation fails, each on one line.

use std::time::Duration;

/// Why a store operation failed. Every message is one line and never shows a password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The store URL is malformed or names an unsupported backend.
    #[error("invalid store URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL as given (password hidden).
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The SQLite file could not be opened or read (missing directory, permissions, a
    /// directory instead of a file, ...).
    #[error("cannot open {path}: {reason}")]
    Open {
        /// The file.
        path: String,
        /// Why, as the OS or SQLite put it.
        reason: String,
    },
    /// The file exists but is not an SQLite database.
    #[error("{path} is not an SQLite database (nothing was written to it)")]
    NotADatabase {
        /// The file.
        path: String,
    },
    /// The database holds tables but is not an xdm store.
    #[error(
        "{location} is not an xdm store: it already holds other tables ({tables}); \
         nothing was written to it"
    )]
    ForeignDatabase {
        /// The file or database.
        location: String,
        /// Some of the tables found.
        tables: String,
    },
    /// The store was written by a newer xdm; it is left untouched.
    #[error(
        "{location} was written by a newer xdm (store schema version {found}; this xdm \
         reads up to {supported}); upgrade xdm. Nothing was changed"
    )]
    NewerSchema {
        /// The file or database.
        location: String,
        /// The schema version found.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// The PostgreSQL server could not be reached or refused the login.
    #[error("cannot connect to PostgreSQL at {url}: {reason}")]
    Connect {
        /// The URL (password hidden).
        url: String,
        /// Why.
        reason: String,
    },
    /// Another writer holds the account's lease (a sync is running).
    #[error("another sync is running for account {account} (waited {waited:?}); try again later")]
    Busy {
        /// The account.
        account: String,
        /// How long this writer waited.
        waited: Duration,
    },
    /// An account name that is not allowed.
    #[error("invalid account name `{name}`: use 1 to 64 of A-Z a-z 0-9 _ . @ -")]
    InvalidAccount {
        /// The name given (truncated).
        name: String,
    },
    /// A read named an account the store does not hold.
    #[error("no account `{name}` in this store (accounts: {known})")]
    UnknownAccount {
        /// The account asked for.
        name: String,
        /// The accounts the store holds, comma-separated (`none` when empty).
        known: String,
    },
    /// A batch or cursor could not be encoded as JSON.
    #[error("cannot encode {what} as JSON: {reason}")]
    Encode {
        /// What was being encoded.
        what: String,
        /// Why.
        reason: String,
    },
    /// A stored row could not be read back (the database was changed outside xdm).
    #[error("the store holds an unreadable {what}: {reason}")]
    Corrupt {
        /// What could not be read (e.g. `event 1582838499983564806`).
        what: String,
        /// Why.
        reason: String,
    },
    /// The database failed a statement (disk full, connection lost, ...).
    #[error("database error while {doing}: {reason}")]
    Database {
        /// What the store was doing.
        doing: String,
        /// The database's message.
        reason: String,
    },
}

impl Error {
    pub(crate) fn db(doing: impl Into<String>, e: &dyn std::error::Error) -> Error {
        Error::Database {
            doing: doing.into(),
            reason: crate::url::one_line(e),
        }
    }

    pub(crate) fn corrupt(what: impl Into<String>, reason: impl std::fmt::Display) -> Error {
        Error::Corrupt {
            what: what.into(),
            reason: reason
                .to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        }
    }

    /// Whether the error is [`Error::Busy`] (another writer holds the account).
    pub fn is_busy(&self) -> bool {
        matches!(self, Error::Busy { .. })
    }
}

/// A result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
