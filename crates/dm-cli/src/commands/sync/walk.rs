//! A `sync --archive` walk in progress: `FILE.staged` and `FILE.progress`.
//!
//! The walk goes newest first, a page at a time. Each page's new records are appended to
//! `FILE.staged` oldest first, then a [`Record`] of the walk so far is appended to
//! `FILE.progress` as one JSON line. So `FILE.staged` holds the pages newest first, each in
//! archive order, and the records say where each page ends: the archive gets the pages in
//! reverse, each copied whole by the kernel (`copy_file_range` through [`std::io::copy`]),
//! without reading the records back into memory.
//!
//! Neither file is fsynced. A killed process loses nothing written; after a power loss the
//! files may disagree, so each record carries the CRC-32 of the staged bytes up to its page,
//! and the walk goes on from the newest record the staged bytes agree with (or starts over
//! when none does). Earlier xdm versions wrote one record (version 1) whose staged records
//! were newest first, one by one: such a walk is rewritten into this layout first.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use dm_stream::SyncProgress;
use serde::{Deserialize, Serialize};

use crate::atomic::write_atomic_unsynced;

/// One line of `FILE.progress`: the walk after a page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Record {
    pub(super) version: u32,
    /// The archive's committed length when the walk started: a walk over another committed
    /// archive is stale.
    pub(super) base_len: u64,
    /// Where the walk goes on (complete: the records wait to be appended).
    pub(super) progress: SyncProgress,
    /// Length of `FILE.staged` after this page.
    pub(super) staged_len: u64,
    /// Records in `FILE.staged` after this page.
    pub(super) staged_events: u64,
    /// CRC-32 of the first `staged_len` bytes of `FILE.staged`.
    pub(super) staged_crc: u32,
}

impl Record {
    /// Pages oldest first in `FILE.staged`, a record per page in `FILE.progress`.
    pub(super) const VERSION: u32 = 2;
    /// Earlier xdm versions: records one by one newest first, one record in the file.
    pub(super) const LEGACY: u32 = 1;
}

/// The files of a walk, beside the archive.
pub(super) struct WalkPaths {
    pub(super) staged: PathBuf,
    pub(super) log: PathBuf,
}

/// A walk in progress: its newest record and where each of its pages ends.
pub(super) struct Walk {
    pub(super) last: Record,
    /// `staged_len` of each record kept, in walk order.
    ends: Vec<u64>,
    /// The length of `FILE.progress` holding the records kept.
    log_len: u64,
    /// `FILE.progress`, once this run appends to it.
    log: Option<File>,
}

/// A walk read back from its files, and what the user should hear about it.
pub(super) struct Loaded {
    pub(super) walk: Walk,
    /// Set when the newest records were dropped (the staged bytes do not agree with them).
    pub(super) warning: Option<String>,
}

impl Walk {
    /// A walk starting at `progress` over an archive of `base_len` committed bytes.
    pub(super) fn new(base_len: u64, progress: SyncProgress) -> Walk {
        Walk {
            last: Record {
                version: Record::VERSION,
                base_len,
                progress,
                staged_len: 0,
                staged_events: 0,
                staged_crc: crc32fast::hash(b""),
            },
            ends: Vec::new(),
            log_len: 0,
            log: None,
        }
    }

    /// Reads the walk in `paths` over an archive of `base_len` committed bytes: `Ok(None)`
    /// when there is none, `Err(why)` when it cannot go on (its files are dropped, the sync
    /// starts over from the last completed one).
    pub(super) fn load(paths: &WalkPaths, base_len: u64) -> Result<Option<Loaded>, String> {
        let shown = paths.log.display();
        let bytes = match std::fs::read(&paths.log) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{shown} is unreadable ({e})")),
        };
        // Complete records up to the first that is not (a power loss can cut the last one).
        let mut records: Vec<(Record, u64)> = Vec::new();
        let mut at = 0u64;
        for line in bytes.split_inclusive(|&b| b == b'\n') {
            let Ok(record) = serde_json::from_slice::<Record>(line) else {
                break;
            };
            if records
                .last()
                .is_some_and(|(r, _)| r.staged_len > record.staged_len)
            {
                break;
            }
            at += line.len() as u64;
            records.push((record, at));
        }
        let Some((first, _)) = records.first() else {
            return Err(format!(
                "{shown} is unreadable (it holds no complete record)"
            ));
        };
        let version = first.version;
        if records.iter().any(|(r, _)| r.version != version)
            || !(version == Record::VERSION || version == Record::LEGACY && records.len() == 1)
        {
            return Err(format!("{shown} is of version {version}"));
        }
        if records.iter().any(|(r, _)| r.base_len != base_len) {
            return Err(format!("{shown} belongs to another state of the archive"));
        }
        let staged = paths.staged.display();
        let agree = last_agreeing(&paths.staged, &records)
            .map_err(|e| format!("{staged} is unreadable ({e})"))?;
        let newest = &records[records.len() - 1].0;
        let staged_len = std::fs::metadata(&paths.staged).map_or(0, |m| m.len());
        let why = if staged_len < newest.staged_len {
            format!(
                "{staged} is shorter than {shown} says ({} bytes)",
                newest.staged_len
            )
        } else {
            format!("{staged} does not hold what {shown} says")
        };
        let Some(kept) = agree else {
            return Err(why);
        };
        let dropped = records.len() - 1 - kept;
        records.truncate(kept + 1);
        let (last, log_len) = records[kept].clone();
        let warning = (dropped > 0).then(|| {
            format!(
                "{why}: going on from the last page it holds ({dropped} page{} to fetch again; \
                 nothing is lost or doubled)",
                if dropped == 1 { "" } else { "s" }
            )
        });
        let walk = if version == Record::LEGACY {
            Walk::from_legacy(paths, last)
                .map_err(|e| format!("cannot rewrite {staged} of an earlier xdm ({e})"))?
        } else {
            Walk {
                last,
                ends: records.iter().map(|(r, _)| r.staged_len).collect(),
                log_len,
                log: None,
            }
        };
        Ok(Some(Loaded { walk, warning }))
    }

    /// Rewrites the walk of an earlier xdm (`record`, version 1: the first `staged_len` bytes
    /// of `FILE.staged` are records newest first) into this layout: one page, oldest first.
    pub(super) fn from_legacy(paths: &WalkPaths, record: Record) -> std::io::Result<Walk> {
        let mut staged = Vec::new();
        File::open(&paths.staged)?
            .take(record.staged_len)
            .read_to_end(&mut staged)?;
        if staged.len() as u64 != record.staged_len {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("{} is shorter than its walk says", paths.staged.display()),
            ));
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
        let last = Record {
            version: Record::VERSION,
            staged_len: bytes.len() as u64,
            staged_crc: crc32fast::hash(&bytes),
            ..record
        };
        let line = record_line(&last)?;
        // A kill between the two leaves files that disagree: the walk starts over.
        write_atomic_unsynced(&paths.staged, &bytes)?;
        write_atomic_unsynced(&paths.log, &line)?;
        Ok(Walk {
            ends: vec![last.staged_len],
            last,
            log_len: line.len() as u64,
            log: None,
        })
    }

    /// Whether the walk has pages left to fetch (otherwise its records wait to be appended).
    pub(super) fn in_progress(&self) -> bool {
        self.last.progress.in_progress()
    }

    /// Records a page whose records (oldest first) were just appended to `FILE.staged`.
    pub(super) fn record_page(
        &mut self,
        paths: &WalkPaths,
        records: &[u8],
        events: u64,
        progress: SyncProgress,
    ) -> std::io::Result<()> {
        let mut crc = crc32fast::Hasher::new_with_initial(self.last.staged_crc);
        crc.update(records);
        self.last.staged_crc = crc.finalize();
        self.last.staged_len += records.len() as u64;
        self.last.staged_events += events;
        self.last.progress = progress;
        self.ends.push(self.last.staged_len);
        let line = record_line(&self.last)?;
        let log = match &mut self.log {
            Some(log) => log,
            None => {
                // Past the records kept, the file may hold records dropped on loading.
                let mut f = open_rw(&paths.log)?;
                f.set_len(self.log_len)?;
                f.seek(SeekFrom::Start(self.log_len))?;
                self.log.insert(f)
            }
        };
        log.write_all(&line)?;
        self.log_len += line.len() as u64;
        Ok(())
    }

    /// Appends the staged pages to `out` in archive order (oldest page first); returns the
    /// bytes appended.
    pub(super) fn copy_to(&self, staged: &Path, out: &mut File) -> std::io::Result<u64> {
        if self.last.staged_len == 0 {
            return Ok(0);
        }
        let mut from = File::open(staged)?;
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        let pages: Vec<(u64, u64)> = starts.zip(self.ends.iter().copied()).collect();
        let mut copied = 0;
        for &(start, end) in pages.iter().rev().filter(|(s, e)| e > s) {
            from.seek(SeekFrom::Start(start))?;
            let n = std::io::copy(&mut Read::by_ref(&mut from).take(end - start), out)?;
            if n != end - start {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    format!("{} ended inside a page", staged.display()),
                ));
            }
            copied += n;
        }
        Ok(copied)
    }
}

/// Opens `path` to read and write, created if missing, its content kept.
pub(super) fn open_rw(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
}

/// A record as its line in `FILE.progress`.
fn record_line(record: &Record) -> std::io::Result<Vec<u8>> {
    let mut line = serde_json::to_vec(record)?;
    line.push(b'\n');
    Ok(line)
}

/// The index of the newest record whose CRC agrees with the staged bytes up to its page
/// (one pass over `staged`).
fn last_agreeing(staged: &Path, records: &[(Record, u64)]) -> std::io::Result<Option<usize>> {
    let mut file = match File::open(staged) {
        Ok(f) => Some(f),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let mut crc = crc32fast::Hasher::new();
    let mut at = 0u64;
    let mut buf = vec![0u8; 1 << 16];
    let mut agreeing = None;
    for (i, (record, _)) in records.iter().enumerate() {
        while at < record.staged_len {
            let want = (record.staged_len - at).min(buf.len() as u64) as usize;
            let n = match &mut file {
                Some(f) => f.read(&mut buf[..want])?,
                None => 0,
            };
            if n == 0 {
                return Ok(agreeing);
            }
            crc.update(&buf[..n]);
            at += n as u64;
        }
        if crc.clone().finalize() == record.staged_crc {
            agreeing = Some(i);
        }
    }
    Ok(agreeing)
}

/// The CRC-32 of the first `len` bytes of `path`; `None` when it is shorter.
pub(super) fn crc_of(path: &Path, len: u64) -> std::io::Result<Option<u32>> {
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
