//! `xdm sync`: keep new events in a store (`--db`) or a JSONL archive (`--archive`).
//!
//! Both commit a page at a time ([`dm_stream::EventsRequest::sync_walk`]): killed at any
//! point (Ctrl-C or `kill -9`) and run again, a sync goes on from the last page it
//! committed, spending at most one request again, and no event is lost or stored twice.

mod archive;
mod store;
mod walk;

use crate::cli::{GlobalOpts, SyncArgs};
use crate::error::CliError;

/// Runs `xdm sync`.
pub(crate) async fn run(global: &GlobalOpts, args: &SyncArgs) -> Result<(), CliError> {
    let env_db = std::env::var("XDM_DB").ok().filter(|v| !v.is_empty());
    match (&args.archive, args.db.as_ref().or(env_db.as_ref())) {
        (Some(archive), _) => archive::run(global, args, archive).await,
        (None, Some(db)) => store::run(global, args, db).await,
        (None, None) => Err(CliError::Usage(
            "say where to keep the events: --db URL (or XDM_DB), e.g. --db dms.sqlite, or \
             --archive FILE for a JSONL archive"
                .into(),
        )),
    }
}
