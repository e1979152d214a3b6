//! `xdm sync --archive FILE`: append only new events to a JSONL archive, a page at a time,
//! crash-safe.
//!
//! Beside `FILE` live `FILE.state` (the committed byte length of the archive, its event count
//! and the last completed sync) and, while a sync is under way, `FILE.staged` (the walk's
//! records, newest first) and `FILE.progress` (the walk: where it goes on, how much of
//! `FILE.staged` is committed, and the archive length it started from). A sync walks newest
//! first: each page's new records are appended to `FILE.staged`, then `FILE.progress` is
//! replaced atomically with the page's progress. When the walk completes, the staged records
//! are appended to `FILE` oldest first, `FILE` is fsynced, and `FILE.state` records the new
//! length (fsynced); then the walk's files are removed. A run first truncates the files to
//! their committed lengths (dropping what a killed run wrote without committing) and
//! finishes a completed walk that was not yet appended. Killed at any point, the next run
//! neither loses nor doubles an event, and goes on from the last committed page.
//!
//! Only the archive and its state wait for the disk (once per sync): a walk's pages are
//! written without an fsync each (they cost more system time than the rest of the sync). A
//! killed process loses nothing of them; a power loss may: a walk whose files do not agree
//! with each other or with the archive is dropped with a warning and walked again from the
//! last completed sync, which neither loses nor doubles an event either.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use dm_model::record::RecordWriter;
use dm_stream::{SyncProgress, SyncState};
use serde::{Deserialize, Serialize};

use crate::atomic::{read_json, write_atomic, write_atomic_unsynced};
use crate::cli::{GlobalOpts, QueryArgs, SyncArgs};
use crate::commands::{default_fields, lookup};
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

    /// The walk an earlier xdm version kept in the state file, taken out of it.
    fn take_walk(&mut self) -> Option<Walk> {
        let progress = self.progress.take()?;
        let walk = Walk {
            version: Walk::VERSION,
            base_len: self.committed_len,
            progress,
            staged_len: std::mem::take(&mut self.staged_len),
            staged_events: std::mem::take(&mut self.staged_events),
            staged_crc: 0,
        };
        // A completed walk already appended is only where the next one starts.
        (walk.progress.in_progress() || walk.staged_len > 0).then_some(walk)
    }
}

/// What `FILE.progress` holds: the walk in progress.
#[derive(Debug, Serialize, Deserialize)]
struct Walk {
    version: u32,
    /// The archive's committed length when the walk started: a walk over another committed
    /// archive is stale.
    base_len: u64,
    /// Where the walk goes on (complete: the records wait to be appended).
    progress: SyncProgress,
    /// Committed length of `FILE.staged`.
    staged_len: u64,
    /// Records in `FILE.staged`.
    staged_events: u64,
    /// CRC-32 of the committed part of `FILE.staged`.
    staged_crc: u32,
}

impl Walk {
    const VERSION: u32 = 1;
}

/// The CRC-32 of the first `len` bytes of `path`; `None` when it is shorter.
fn crc_of(path: &Path, len: u64) -> std::io::Result<Option<u32>> {
    let f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((len == 0).then(|| crc32fast::hash(b"")));
        }
        Err(e) => return Err(e),
    };
    let mut bytes = Vec::new();
    f.take(len).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 == len).then(|| crc32fast::hash(&bytes)))
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

fn save_walk(path: &Path, walk: &Walk) -> Result<(), CliError> {
    let json = serde_json::to_vec(walk).map_err(|e| CliError::Local(e.to_string()))?;
    write_atomic_unsynced(path, &json).map_err(|e| CliError::io(path.display(), e))
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
    staged_path: PathBuf,
    walk_path: PathBuf,
    file: File,
    state: ArchiveState,
    walk: Option<Walk>,
}

impl Archive {
    fn open(path: &Path, quiet: bool) -> Result<Archive, CliError> {
        let state_path = beside(path, ".state");
        let staged_path = beside(path, ".staged");
        let walk_path = beside(path, ".progress");
        let exists_with_data = std::fs::metadata(path).is_ok_and(|m| m.len() > 0);
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
        let file = open_at(path, state.committed_len)?;
        let had_legacy = state.progress.is_some();
        let legacy = state.take_walk();
        let mut archive = Archive {
            path: path.to_owned(),
            state_path,
            staged_path,
            walk_path,
            file,
            state,
            walk: None,
        };
        archive.walk = match archive.load_walk() {
            Ok(Some(walk)) => Some(walk),
            Ok(None) => match legacy {
                // From a state file an earlier xdm wrote mid-walk (its pages were fsynced):
                // the walk moves to its own file (the state is rewritten without it below).
                Some(mut walk) => {
                    let io = |e| CliError::io(archive.staged_path.display(), e);
                    walk.staged_crc = crc_of(&archive.staged_path, walk.staged_len)
                        .map_err(io)?
                        .ok_or_else(|| {
                            CliError::Local(format!(
                                "{} is shorter than {} says: it was changed outside xdm",
                                archive.staged_path.display(),
                                archive.state_path.display()
                            ))
                        })?;
                    save_walk(&archive.walk_path, &walk)?;
                    Some(walk)
                }
                None => None,
            },
            Err(why) => {
                if !quiet {
                    eprintln!(
                        "xdm: warning: {why}: the interrupted sync starts over from the last \
                         completed one (nothing is lost or doubled)"
                    );
                }
                archive.drop_walk();
                None
            }
        };
        if had_legacy {
            save_state(&archive.state_path, &archive.state)?;
        }
        Ok(archive)
    }

    /// The walk in `FILE.progress`, checked against the archive and `FILE.staged` (they can
    /// disagree after a power loss: see the module docs).
    fn load_walk(&self) -> Result<Option<Walk>, String> {
        let shown = self.walk_path.display();
        let walk: Option<Walk> = read_json(&self.walk_path, |e| {
            CliError::Local(format!("{} at `{}`", e.reason, e.at))
        })
        .map_err(|e| format!("{shown} is unreadable ({e})"))?;
        let Some(walk) = walk else {
            return Ok(None);
        };
        if walk.version != Walk::VERSION {
            return Err(format!("{shown} is of version {}", walk.version));
        }
        if walk.base_len != self.state.committed_len {
            return Err(format!("{shown} belongs to another state of the archive"));
        }
        let staged = self.staged_path.display();
        match crc_of(&self.staged_path, walk.staged_len) {
            Ok(Some(crc)) if crc == walk.staged_crc => Ok(Some(walk)),
            Ok(Some(_)) => Err(format!("{staged} does not hold what {shown} says")),
            Ok(None) => Err(format!(
                "{staged} is shorter than {shown} says ({} bytes)",
                walk.staged_len
            )),
            Err(e) => Err(format!("{staged} is unreadable ({e})")),
        }
    }

    /// Forgets the walk in progress and its files.
    fn drop_walk(&mut self) {
        self.walk = None;
        let _ = std::fs::remove_file(&self.walk_path);
        let _ = std::fs::remove_file(&self.staged_path);
    }

    /// Appends the staged records (newest first) to the archive, oldest first, and commits.
    fn finish_staged(&mut self) -> Result<(), CliError> {
        let Some(walk) = self.walk.take() else {
            return Ok(());
        };
        let mut staged = Vec::new();
        if walk.staged_len > 0 {
            let io = |e| CliError::io(self.staged_path.display(), e);
            let mut f = File::open(&self.staged_path).map_err(io)?;
            Read::by_ref(&mut f)
                .take(walk.staged_len)
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
        append(&mut self.file, &self.path, &bytes, true)?;
        self.state.committed_len += bytes.len() as u64;
        self.state.events += walk.staged_events;
        self.state.sync = walk.progress.state().cloned();
        self.state.version = ArchiveState::VERSION;
        save_state(&self.state_path, &self.state)?;
        self.drop_walk();
        Ok(())
    }
}

/// Runs `xdm sync --archive FILE`.
pub(crate) async fn run(global: &GlobalOpts, args: &SyncArgs, path: &Path) -> Result<(), CliError> {
    let mut archive = Archive::open(path, global.quiet)?;
    let in_progress = archive
        .walk
        .as_ref()
        .is_some_and(|w| w.progress.in_progress());
    if !in_progress && archive.walk.is_some() {
        // A completed walk whose records were not appended yet.
        archive.finish_staged()?;
    }
    let staged_len = archive.walk.as_ref().map_or(0, |w| w.staged_len);
    let mut staged = open_at(&archive.staged_path, staged_len)?;

    let ctx = Context::new(global, args.query.max_results).await?;
    let progress = match &archive.walk {
        Some(w) => w.progress.clone(),
        None => SyncProgress::from_state(archive.state.sync.clone()),
    };
    let mut walk = match lookup(&ctx.client, &args.scope, &args.query).sync_walk(Some(&progress)) {
        // Archives made before `public_fields()` became the default asked for every field:
        // without field options, such an archive goes on with its own lookup.
        Err(dm_stream::Error::CheckpointMismatch { .. }) if default_fields(&args.query) => {
            let all = QueryArgs {
                all_fields: true,
                ..args.query.clone()
            };
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
        walk => walk?,
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
        bytes.clear();
        for event in &page.events {
            records.write(event.event(), event.includes(), &mut bytes);
            bytes.push(b'\n');
        }
        append(&mut staged, &archive.staged_path, &bytes, false)?;
        let w = archive.walk.get_or_insert_with(|| Walk {
            version: Walk::VERSION,
            base_len,
            progress: page.progress.clone(),
            staged_len: 0,
            staged_events: 0,
            staged_crc: crc32fast::hash(b""),
        });
        let mut crc = crc32fast::Hasher::new_with_initial(w.staged_crc);
        crc.update(&bytes);
        w.staged_crc = crc.finalize();
        w.staged_len += bytes.len() as u64;
        w.staged_events += page.events.len() as u64;
        w.progress = page.progress;
        // Committed as staged first, so a kill during the append finishes it next time.
        save_walk(&archive.walk_path, w)?;
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_staged_checksum_chains_page_by_page() {
        let pages: [&[u8]; 3] = [
            b"{\"id\":\"3\"}\n",
            b"",
            b"{\"id\":\"2\"}\n{\"id\":\"1\"}\n",
        ];
        let mut crc = crc32fast::hash(b"");
        for page in pages {
            let mut h = crc32fast::Hasher::new_with_initial(crc);
            h.update(page);
            crc = h.finalize();
        }
        assert_eq!(crc, crc32fast::hash(&pages.concat()));
    }
}
