//! What can go wrong; no variant ever carries key material.

use crate::thrift::ThriftError;

/// An X Chat operation that failed. Messages name what was wrong, never a key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChatError {
    /// A key, key blob or key record that cannot be used.
    #[error("bad key: {0}")]
    Key(String),
    /// Base64 that does not decode.
    #[error("{what} is not valid base64")]
    Base64 {
        /// What was being decoded.
        what: &'static str,
    },
    /// A Thrift struct that does not decode.
    #[error("malformed {what}: {source}")]
    Thrift {
        /// What was being decoded.
        what: &'static str,
        /// Where and why.
        #[source]
        source: ThriftError,
    },
    /// Authenticated decryption failed: wrong key or tampered data.
    #[error("cannot decrypt {0}: wrong key or tampered data")]
    Decrypt(&'static str),
    /// A signature that does not verify, or that cannot be checked.
    #[error("signature not verified: {0}")]
    Signature(String),
    /// A signed component that would make the comma-joined payload ambiguous, or a bad id.
    #[error("invalid {what}: {why}")]
    Invalid {
        /// Which value.
        what: &'static str,
        /// Why.
        why: String,
    },
    /// A media stream that ended early or carried data after its end.
    #[error("media stream: {0}")]
    Stream(&'static str),
    /// The event lacks a field the operation needs.
    #[error("the event has no {0}")]
    Missing(&'static str),
    /// No conversation key of that version is known.
    #[error("no conversation key of version {0}")]
    UnknownKeyVersion(String),
}

impl ChatError {
    /// A conversation that cannot be used as asked.
    pub fn invalid_conversation(why: impl Into<String>) -> Self {
        ChatError::invalid("conversation", why)
    }

    pub(crate) fn invalid(what: &'static str, why: impl Into<String>) -> Self {
        ChatError::Invalid {
            what,
            why: why.into(),
        }
    }
}
