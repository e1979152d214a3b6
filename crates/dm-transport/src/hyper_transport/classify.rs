//! Mapping hyper-util client errors to [`Error`] variants that say whether the request may
//! have been sent.

use std::error::Error as StdError;
use std::time::Duration;

use crate::{Error, TimeoutPhase};

fn chain<'a>(
    e: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(e), |e: &&'a (dyn StdError + 'static)| (*e).source())
}

/// A pooled connection that closed before any response (the classic "connection closed
/// before message completed").
pub(super) fn is_stale_connection(e: &hyper_util::client::legacy::Error) -> bool {
    if e.is_connect() {
        return false;
    }
    chain(e).any(|e| {
        e.downcast_ref::<hyper::Error>()
            .is_some_and(|h| h.is_incomplete_message() || h.is_canceled())
    })
}

pub(super) fn client_error(
    e: hyper_util::client::legacy::Error,
    connect_timeout: Duration,
) -> Error {
    if e.is_connect() {
        let timed_out = chain(&e).any(|e| {
            e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
        });
        if timed_out {
            return Error::Timeout {
                phase: TimeoutPhase::Connect,
                after: connect_timeout,
                may_have_been_sent: false,
            };
        }
        return Error::connect(e);
    }
    Error::after_send(e, false)
}
