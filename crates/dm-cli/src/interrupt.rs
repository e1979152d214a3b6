//! Ctrl-C: one process-wide handler, installed before any command runs, so a SIGINT is never
//! lost between two waits and never kills the process half-way through a write. Commands that
//! have something to finish (a page to commit, a summary to print) wait on [`interrupted`]
//! themselves; the others are stopped by [`main`](crate::main) at their next await point.
//! Either way the exit code is 130.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dm_transport::RefreshingToken;
use tokio::sync::Notify;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static NOTIFY: Notify = Notify::const_new();
/// The refreshing tokens of this run, waited on before exiting.
static TOKENS: Mutex<Vec<Arc<RefreshingToken>>> = Mutex::new(Vec::new());

/// Installs the handler (on the current Tokio runtime). Until it runs, SIGINT has its default
/// action.
pub(crate) fn install() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        // Registered now, not at the task's first poll: from here on SIGINT is ours.
        if let Ok(mut sigint) = signal(SignalKind::interrupt()) {
            tokio::spawn(async move {
                while sigint.recv().await.is_some() {
                    note();
                }
            });
        }
    }
    #[cfg(not(unix))]
    tokio::spawn(async {
        while tokio::signal::ctrl_c().await.is_ok() {
            note();
        }
    });
}

fn note() {
    INTERRUPTED.store(true, Ordering::SeqCst);
    NOTIFY.notify_waiters();
}

/// Whether Ctrl-C was pressed.
pub(crate) fn is_interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Resolves once Ctrl-C was pressed (at once if it already was).
pub(crate) async fn interrupted() {
    loop {
        let notified = NOTIFY.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if is_interrupted() {
            return;
        }
        notified.await;
    }
}

/// Keeps `token` to wait for its refreshes before the process exits.
pub(crate) fn track(token: Arc<RefreshingToken>) {
    TOKENS.lock().unwrap_or_else(|p| p.into_inner()).push(token);
}

/// Waits (a bounded time) for token refreshes still under way, so that a rotated refresh
/// token the server has issued is saved before the process exits.
pub(crate) async fn settle_refreshes() {
    let tokens: Vec<_> = TOKENS.lock().unwrap_or_else(|p| p.into_inner()).clone();
    for token in tokens {
        let _ = tokio::time::timeout(Duration::from_secs(30), token.settled()).await;
    }
}
