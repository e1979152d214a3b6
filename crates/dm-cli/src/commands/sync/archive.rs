//! `xdm sync --archive FILE`: append only new events to a JSONL archive, a page at a time,
//! crash-safe.
//!
//! Beside `FILE` live `FILE.state` (the committed byte lengths of the archive and of the
//! staging file, and the sync progress) and, while a sync is under way, `FILE.staged`. A
//! sync walks newest first: each page's new records are appended to `FILE.staged`, fsynced,
//! then the state is replaced atomically with the page's progress. When the walk completes,
//! the staged records are appended to `FILE` oldest first, fsynced, and the state records the
//! new length. A run first truncates both files to their committed lengths (dropping what a
//! killed run wrote without committing) and finishes a completed walk that was not yet
//! appended. Killed at any point, the next run neither loses nor doubles an event, and goes
//! on from the last committed page.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use dm_model::record::RecordWriter;
use dm_stream::{SyncProgress, SyncState};
use serde::{Deserialize, Serialize};

use crate::atomic::{read_json, write_atomic};
use crate::cli::{GlobalOpts, SyncArgs};
use crate::commands::lookup;
use crate::context::Context;
use crate::error::CliError;
use crate::progress::Progress;

/// What the state file holds.
#[derive(Debug, Serialize, Deserialize)]
struct ArchiveState {
    version: u32,
    /// The archive's length after the last completed sync; bytes past it are uncommitted.
    committed_len: u64,
    /// Events in the archive.
    events: u64,
    /// The sync state of the last completed sync (version 1 files have only this).
    #[serde(default)]
    sync: Option<SyncState>,
    /// The sync progress (version 2): where a walk in progress goes on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    progress: Option<SyncProgress>,
    /// Committed length of `FILE.staged` (records of the walk in progress, newest first).
    #[serde(default)]
    staged_len: u64,
    /// Records in `FILE.staged`.
    #[serde(default)]
    staged_events: u64,
}

impl ArchiveState {
    const VERSION: u32 = 2;

    fn fresh() -> Self {
        ArchiveState {
            version: Self::VERSION,
            committed_len: 0,
            events: 0,
            sync: None,
            progress: None,
            staged_len: 0,
            staged_events: 0,
        }
    }

    /// The progress to go on from (a version 1 state has only the completed sync).
    fn progress(&self) -> Option<SyncProgress> {
        self.progress
            .clone()
            .or_else(|| self.sync.clone().map(|s| SyncProgress::from_state(Some(s))))
    }
}

/// `FILE` + `suffix` beside `FILE`.
fn beside(archive: &Path, suffix: &str) -> PathBuf {
    let mut name = archive.as_os_str().to_owned();
    name.push(suffix);
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

/// Opens `path` for appending at `committed` bytes, dropping a longer uncommitted tail.
fn open_at(path: &Path, committed: u64) -> Result<File, CliError> {
    let io = |e| CliError::io(path.display(), e);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    if len < committed {
        return Err(CliError::Local(format!(
            "{} is shorter ({len} bytes) than its state says ({committed} bytes): it was changed \
             outside xdm; restore it or start a new archive",
            path.display()
        )));
    }
    if len > committed {
        tracing::info!(
            file = %path.display(),
            dropped = len - committed,
            "dropping the uncommitted tail of an interrupted run"
        );
        file.set_len(committed).map_err(io)?;
        file.sync_all().map_err(io)?;
    }
    file.seek(SeekFrom::Start(committed)).map_err(io)?;
    Ok(file)
}

/// Appends `bytes` at the end of `file` and makes them durable.
fn append(file: &mut File, path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    file.write_all(bytes)
        .and_then(|()| file.sync_data())
        .map_err(|e| CliError::io(path.display(), e))
}

/// The archive, its state, and the staging file of a walk.
struct Archive {
    path: PathBuf,
    state_path: PathBuf,
    staged_path: PathBuf,
    file: File,
    state: ArchiveState,
}

impl Archive {
    fn open(path: &Path) -> Result<Archive, CliError> {
        let state_path = beside(path, ".state");
        let staged_path = beside(path, ".staged");
        let exists_with_data = std::fs::metadata(path).is_ok_and(|m| m.len() > 0);
        let state = match load_state(&state_path)? {
            Some(s) => s,
            None if exists_with_data => {
                return Err(CliError::Local(format!(
                    "{} is not empty and has no state file {}: it was not made by `xdm sync`; \
                     choose another archive file",
                    path.display(),
                    state_path.display()
                )));
            }
            None => {
                let fresh = ArchiveState::fresh();
                save_state(&state_path, &fresh)?;
                fresh
            }
        };
        let file = open_at(path, state.committed_len)?;
        Ok(Archive {
            path: path.to_owned(),
            state_path,
            staged_path,
            file,
            state,
        })
    }

    /// Appends the staged records (newest first) to the archive, oldest first, and commits.
    fn finish_staged(&mut self) -> Result<(), CliError> {
        let mut staged = Vec::new();
        if self.state.staged_len > 0 {
            let io = |e| CliError::io(self.staged_path.display(), e);
            let mut f = File::open(&self.staged_path).map_err(io)?;
            Read::by_ref(&mut f)
                .take(self.state.staged_len)
                .read_to_end(&mut staged)
                .map_err(io)?;
        }
        let mut bytes = Vec::with_capacity(staged.len());
        for line in staged
            .split(|&b| b == b'\n')
            .rev()
            .filter(|l| !l.is_empty())
        {
            bytes.extend_from_slice(line);
            bytes.push(b'\n');
        }
        append(&mut self.file, &self.path, &bytes)?;
        self.state.committed_len += bytes.len() as u64;
        self.state.events += self.state.staged_events;
        self.state.staged_len = 0;
        self.state.staged_events = 0;
        self.state.sync = self
            .state
            .progress
            .as_ref()
            .and_then(|p| p.state().cloned());
        self.state.version = ArchiveState::VERSION;
        save_state(&self.state_path, &self.state)?;
        let _ = std::fs::remove_file(&self.staged_path);
        Ok(())
    }
}

/// Runs `xdm sync --archive FILE`.
pub(crate) async fn run(global: &GlobalOpts, args: &SyncArgs, path: &Path) -> Result<(), CliError> {
    let mut archive = Archive::open(path)?;
    let in_progress = archive
        .state
        .progress
        .as_ref()
        .is_some_and(SyncProgress::in_progress);
    if !in_progress && archive.state.staged_len > 0 {
        // A completed walk whose records were not appended yet.
        archive.finish_staged()?;
    }
    let mut staged = open_at(&archive.staged_path, archive.state.staged_len)?;

    let ctx = Context::new(global, args.query.max_results).await?;
    let request = lookup(&ctx.client, &args.scope, &args.query);
    let progress = archive.state.progress();
    let mut walk = request.sync_walk(progress.as_ref())?;
    if in_progress && !global.quiet {
        eprintln!("xdm: going on with the sync interrupted earlier");
    }
    let bar = Progress::new(&ctx.client, &ctx.policy, None, global.quiet);
    let mut records = RecordWriter::new();
    let mut bytes = Vec::new();
    let mut added = 0u64;
    loop {
        let page = tokio::select! {
            page = walk.next() => page,
            () = crate::interrupt::interrupted() => {
                bar.finish();
                if !global.quiet {
                    eprintln!("xdm: interrupted; the pages fetched so far are kept (run again to go on)");
                }
                return Err(CliError::Interrupted);
            }
        };
        let Some(page) = page? else {
            break;
        };
        bytes.clear();
        for event in &page.events {
            records.write(event.event(), event.includes(), &mut bytes);
            bytes.push(b'\n');
        }
        append(&mut staged, &archive.staged_path, &bytes)?;
        archive.state.staged_len += bytes.len() as u64;
        archive.state.staged_events += page.events.len() as u64;
        archive.state.progress = Some(page.progress);
        archive.state.version = ArchiveState::VERSION;
        added += page.events.len() as u64;
        bar.inc(page.events.len() as u64);
        if page.complete {
            // Committed as staged first, so a kill during the append finishes it next time.
            save_state(&archive.state_path, &archive.state)?;
            archive.finish_staged()?;
            break;
        }
        save_state(&archive.state_path, &archive.state)?;
    }
    bar.finish();
    if !global.quiet {
        let requests = walk.requests();
        eprintln!(
            "xdm: {added} new event{} appended to {} ({} in total, {requests} request{})",
            if added == 1 { "" } else { "s" },
            path.display(),
            archive.state.events,
            if requests == 1 { "" } else { "s" },
        );
    }
    Ok(())
}
