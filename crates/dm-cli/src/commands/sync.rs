//! `xdm sync --archive FILE`: append only new events to a JSONL archive, crash-safe.
//!
//! The state file (`FILE.state`) records the library's sync state and the archive's
//! committed byte length. A run truncates the archive to that length (dropping a tail a
//! killed run appended without committing), fetches what is new (all-or-nothing), appends
//! it, fsyncs, then atomically replaces the state file. Killed at any point, the next run
//! neither loses nor doubles an event.

use std::fs::OpenOptions;
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use dm_model::record::RecordWriter;
use dm_stream::SyncState;
use serde::{Deserialize, Serialize};

use super::lookup;
use crate::atomic::{read_json, write_atomic};
use crate::cli::{GlobalOpts, SyncArgs};
use crate::context::Context;
use crate::error::CliError;
use crate::progress::Progress;

/// What the state file holds.
#[derive(Debug, Serialize, Deserialize)]
struct ArchiveState {
    version: u32,
    /// The archive's length after the last committed run; bytes past it are uncommitted.
    committed_len: u64,
    /// Events committed so far.
    events: u64,
    /// The library's sync state (`None` before the first committed batch).
    #[serde(default)]
    sync: Option<SyncState>,
}

/// `FILE.state` beside `FILE`.
fn state_path(archive: &Path) -> PathBuf {
    let mut name = archive.as_os_str().to_owned();
    name.push(".state");
    PathBuf::from(name)
}

fn load_state(path: &Path) -> Result<Option<ArchiveState>, CliError> {
    read_json(path, |e| {
        CliError::Local(format!(
            "{} is not an xdm sync state ({} at `{}`)",
            path.display(),
            e.reason,
            e.at
        ))
    })
}

fn save_state(path: &Path, state: &ArchiveState) -> Result<(), CliError> {
    let json = serde_json::to_vec_pretty(state).map_err(|e| CliError::Local(e.to_string()))?;
    write_atomic(path, &json).map_err(|e| CliError::io(path.display(), e))
}

/// Runs `xdm sync`.
pub(crate) async fn run(global: &GlobalOpts, args: &SyncArgs) -> Result<(), CliError> {
    let archive = &args.archive;
    let state_file = state_path(archive);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(archive)
        .map_err(|e| CliError::io(archive.display(), e))?;
    let len = file
        .metadata()
        .map_err(|e| CliError::io(archive.display(), e))?
        .len();
    let state = match load_state(&state_file)? {
        Some(s) => s,
        None if len > 0 => {
            return Err(CliError::Local(format!(
                "{} is not empty and has no state file {}: it was not made by `xdm sync`; \
                 choose another archive file",
                archive.display(),
                state_file.display()
            )));
        }
        None => {
            let fresh = ArchiveState {
                version: 1,
                committed_len: 0,
                events: 0,
                sync: None,
            };
            save_state(&state_file, &fresh)?;
            fresh
        }
    };
    if len < state.committed_len {
        return Err(CliError::Local(format!(
            "{} is shorter ({len} bytes) than its state says ({} bytes): it was changed outside \
             xdm; restore it or start a new archive",
            archive.display(),
            state.committed_len
        )));
    }
    if len > state.committed_len {
        tracing::info!(
            dropped = len - state.committed_len,
            "dropping the uncommitted tail of an interrupted run"
        );
        file.set_len(state.committed_len)
            .map_err(|e| CliError::io(archive.display(), e))?;
        file.sync_all()
            .map_err(|e| CliError::io(archive.display(), e))?;
    }

    let ctx = Context::new(global, args.query.max_results).await?;
    let request = lookup(&ctx.client, &args.scope, &args.query);
    let progress = Progress::new(&ctx.client, &ctx.policy, None, global.quiet);
    let batch = request.sync(state.sync.as_ref()).await;
    progress.finish();
    let batch = batch?;

    let mut bytes = Vec::new();
    let mut records = RecordWriter::new();
    for event in &batch.events {
        records.write(event.event(), event.includes(), &mut bytes);
        bytes.push(b'\n');
    }
    let new_len = state.committed_len + bytes.len() as u64;
    if !bytes.is_empty() {
        file.seek(SeekFrom::Start(state.committed_len))
            .and_then(|_| file.write_all(&bytes))
            .and_then(|()| file.sync_all())
            .map_err(|e| CliError::io(archive.display(), e))?;
    }
    let added = batch.events.len() as u64;
    let committed = ArchiveState {
        version: 1,
        committed_len: new_len,
        events: state.events + added,
        sync: Some(batch.state),
    };
    save_state(&state_file, &committed)?;
    if !global.quiet {
        eprintln!(
            "xdm: {added} new event{} appended to {} ({} in total, {} request{})",
            if added == 1 { "" } else { "s" },
            archive.display(),
            committed.events,
            batch.requests,
            if batch.requests == 1 { "" } else { "s" },
        );
    }
    Ok(())
}
