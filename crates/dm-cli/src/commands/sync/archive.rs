//! `xdm sync --archive FILE`: append only new events to a JSONL archive, a page at a time,
//! crash-safe.
//!
//! Beside `FILE` live `FILE.state` (the committed byte length of the archive, its event count
//! and the last completed sync) and, while a sync is under way, the walk's files
//! `FILE.staged` and `FILE.progress` (see [`super::walk`]). A sync walks newest first: each
//! page's new records are staged and recorded. When the walk completes, the staged pages are
//! appended to `FILE` oldest first, `FILE` is fsynced, and `FILE.state` records the new
//! length (fsynced); then the walk's files are removed. A run first truncates the files to
//! their committed lengths (dropping what a killed run wrote without committing) and
//! finishes a completed walk that was not yet appended. Killed at any point, the next run
//! neither loses nor doubles an event, and goes on from the last committed page.
//!
//! Only the archive and its state wait for the disk (once per sync): a walk's pages are
//! written without an fsync each (they cost more system time than the rest of the sync). A
//! killed process loses nothing of them; a power loss may: the walk goes on from the newest
//! page its files agree on, or starts over from the last completed sync, which neither loses
//! nor doubles an event either.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use dm_model::record::RecordWriter;
use dm_stream::{SyncProgress, SyncState};
use serde::{Deserialize, Serialize};

use super::walk::{Loaded, Record, Walk, WalkPaths, crc_of, open_rw};
use crate::atomic::{read_json, write_atomic};
use crate::cli::{GlobalOpts, SyncArgs};
use crate::commands::{earlier_default, lookup};
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
    /// A walk in progress, as earlier xdm versions kept it here (now in `FILE.progress`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    progress: Option<SyncProgress>,
    /// Committed length of `FILE.staged` (earlier versions; now in `FILE.progress`).
    #[serde(default)]
    staged_len: u64,
    /// Records in `FILE.staged` (earlier versions; now in `FILE.progress`).
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

    /// The walk an earlier xdm version kept in the state file, taken out of it (its
    /// staged records are newest first; its checksum is filled in by the caller).
    fn take_walk(&mut self) -> Option<Record> {
        let progress = self.progress.take()?;
        let record = Record {
            version: Record::LEGACY,
            base_len: self.committed_len,
            progress,
            staged_len: std::mem::take(&mut self.staged_len),
            staged_events: std::mem::take(&mut self.staged_events),
            staged_crc: 0,
        };
        // A completed walk already appended is only where the next one starts.
        (record.progress.in_progress() || record.staged_len > 0).then_some(record)
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

/// Opens the archive at `path` with the exclusive lock of a sync into it (an advisory lock
/// on the file itself, which is never replaced; held until the handle is dropped or the
/// process ends): refused at once when another sync holds it.
fn lock(path: &Path) -> Result<File, CliError> {
    let io = |e| CliError::io(path.display(), e);
    let file = open_rw(path).map_err(io)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(CliError::Local(format!(
            "another `xdm sync` is running into {}; try again when it has finished",
            path.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(io(e)),
    }
}

/// Opens `path` for appending at `committed` bytes, dropping a longer uncommitted tail.
fn open_at(path: &Path, committed: u64) -> Result<File, CliError> {
    let file = open_rw(path).map_err(|e| CliError::io(path.display(), e))?;
    at_committed(file, path, committed)
}

/// Positions `file` (at `path`) for appending at `committed` bytes, dropping a longer
/// uncommitted tail.
fn at_committed(mut file: File, path: &Path, committed: u64) -> Result<File, CliError> {
    let io = |e| CliError::io(path.display(), e);
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

/// Appends `bytes` at the end of `file`; with `durable`, waits until they are on disk.
fn append(file: &mut File, path: &Path, bytes: &[u8], durable: bool) -> Result<(), CliError> {
    file.write_all(bytes)
        .and_then(|()| if durable { file.sync_data() } else { Ok(()) })
        .map_err(|e| CliError::io(path.display(), e))
}

/// The archive, its state, and the files of a walk.
struct Archive {
    path: PathBuf,
    state_path: PathBuf,
    walk_paths: WalkPaths,
    /// `FILE`, holding the exclusive lock of this sync (two syncs appending to one archive
    /// would double events).
    file: File,
    state: ArchiveState,
    walk: Option<Walk>,
}

impl Archive {
    fn open(path: &Path, quiet: bool) -> Result<Archive, CliError> {
        let state_path = beside(path, ".state");
        let walk_paths = WalkPaths {
            staged: beside(path, ".staged"),
            log: beside(path, ".progress"),
        };
        let exists_with_data = std::fs::metadata(path).is_ok_and(|m| m.len() > 0);
        // Locked before anything is read or changed: a second sync waits for nothing and
        // changes nothing.
        let lock = lock(path)?;
        let mut state = match load_state(&state_path)? {
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
        let file = at_committed(lock, path, state.committed_len)?;
        let had_legacy = state.progress.is_some();
        let legacy = state.take_walk();
        let mut archive = Archive {
            path: path.to_owned(),
            state_path,
            walk_paths,
            file,
            state,
            walk: None,
        };
        let warn = |what: &str| {
            if !quiet {
                eprintln!("xdm: warning: {what}");
            }
        };
        archive.walk = match Walk::load(&archive.walk_paths, archive.state.committed_len) {
            Ok(Some(Loaded { walk, warning })) => {
                if let Some(w) = warning {
                    warn(&w);
                }
                Some(walk)
            }
            Ok(None) => match legacy {
                // From a state file an earlier xdm wrote mid-walk (its pages were fsynced):
                // the walk moves to its own files (the state is rewritten without it below).
                Some(mut record) => {
                    let staged = &archive.walk_paths.staged;
                    let io = |e| CliError::io(staged.display(), e);
                    record.staged_crc =
                        crc_of(staged, record.staged_len)
                            .map_err(io)?
                            .ok_or_else(|| {
                                CliError::Local(format!(
                                    "{} is shorter than {} says: it was changed outside xdm",
                                    staged.display(),
                                    archive.state_path.display()
                                ))
                            })?;
                    Some(Walk::from_legacy(&archive.walk_paths, record).map_err(io)?)
                }
                None => None,
            },
            Err(why) => {
                warn(&format!(
                    "{why}: the interrupted sync starts over from the last completed one \
                     (nothing is lost or doubled)"
                ));
                archive.drop_walk();
                None
            }
        };
        if had_legacy {
            save_state(&archive.state_path, &archive.state)?;
        }
        Ok(archive)
    }

    /// Forgets the walk in progress and its files.
    fn drop_walk(&mut self) {
        self.walk = None;
        let _ = std::fs::remove_file(&self.walk_paths.log);
        let _ = std::fs::remove_file(&self.walk_paths.staged);
    }

    /// Appends the staged pages to the archive, oldest first, and commits.
    fn finish_staged(&mut self) -> Result<(), CliError> {
        let Some(walk) = self.walk.take() else {
            return Ok(());
        };
        let shown = self.path.display();
        let appended = walk
            .copy_to(&self.walk_paths.staged, &mut self.file)
            .and_then(|n| self.file.sync_data().map(|()| n))
            .map_err(|e| CliError::io(&shown, e))?;
        self.state.committed_len += appended;
        self.state.events += walk.last.staged_events;
        self.state.sync = walk.last.progress.state().cloned();
        self.state.version = ArchiveState::VERSION;
        save_state(&self.state_path, &self.state)?;
        self.drop_walk();
        Ok(())
    }
}

/// Runs `xdm sync --archive FILE`.
pub(crate) async fn run(global: &GlobalOpts, args: &SyncArgs, path: &Path) -> Result<(), CliError> {
    let mut archive = Archive::open(path, global.quiet)?;
    let in_progress = archive.walk.as_ref().is_some_and(Walk::in_progress);
    if !in_progress && archive.walk.is_some() {
        // A completed walk whose records were not appended yet.
        archive.finish_staged()?;
    }
    let staged_len = archive.walk.as_ref().map_or(0, |w| w.last.staged_len);
    let mut staged = open_at(&archive.walk_paths.staged, staged_len)?;

    let ctx = Context::new(global, args.query.max_results).await?;
    let progress = match &archive.walk {
        Some(w) => w.last.progress.clone(),
        None => SyncProgress::from_state(archive.state.sync.clone()),
    };
    let walk = lookup(&ctx.client, &args.scope, &args.query).sync_walk(Some(&progress));
    let mut walk = match (walk, earlier_default(&args.query)) {
        // An archive made with an earlier xdm's default lookup goes on with it.
        (Err(dm_stream::Error::CheckpointMismatch { .. }), Some(all)) => {
            let walk = lookup(&ctx.client, &args.scope, &all).sync_walk(Some(&progress));
            if walk.is_ok() && !global.quiet {
                eprintln!(
                    "xdm: this archive asks for every field (--all-fields), as xdm did by \
                     default when it was made: going on with that"
                );
            }
            walk.or_else(|_| {
                lookup(&ctx.client, &args.scope, &args.query).sync_walk(Some(&progress))
            })?
        }
        (walk, _) => walk?,
    };
    if in_progress && !global.quiet {
        eprintln!("xdm: going on with the sync interrupted earlier");
    }
    let base_len = archive.state.committed_len;
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
        // The page's records oldest first: the archive gets the pages in reverse.
        bytes.clear();
        let mut events = page.events.iter().rev().peekable();
        while let Some(&first) = events.peek() {
            // The events of one fetched page share its includes: looked up once for them all.
            let includes = first.includes();
            let mut page_records = records.page(includes);
            while let Some(event) = events.next_if(|e| std::ptr::eq(e.includes(), includes)) {
                page_records.write(event.event(), &mut bytes);
                bytes.push(b'\n');
            }
        }
        append(&mut staged, &archive.walk_paths.staged, &bytes, false)?;
        let staged_walk = archive
            .walk
            .get_or_insert_with(|| Walk::new(base_len, page.progress.clone()));
        // Recorded after its records, so a kill between the two drops the page's records.
        staged_walk
            .record_page(
                &archive.walk_paths,
                &bytes,
                page.events.len() as u64,
                page.progress,
            )
            .map_err(|e| CliError::io(archive.walk_paths.log.display(), e))?;
        added += page.events.len() as u64;
        bar.inc(page.events.len() as u64);
        if page.complete {
            archive.finish_staged()?;
            break;
        }
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
