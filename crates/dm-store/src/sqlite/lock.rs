//! The per-account writer lease of an SQLite store: an exclusive OS advisory lock (`flock`) on
//! the file `<db>-<account>.lock` beside the database. The kernel releases it when the holder
//! closes it or dies (`kill -9` included). The holder's process id is written into the file so
//! a waiting writer can say who holds it. The file stays (removing a lock file races).

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fs4::{FileExt, TryLockError};

use crate::account::Account;
use crate::error::Error;

/// How often a waiting writer tries again.
const POLL: Duration = Duration::from_millis(25);

/// A held lease; dropping it releases the lock.
#[derive(Debug)]
pub(crate) struct FileLease {
    _file: File,
}

/// The lock file of `account` beside `db`.
pub(crate) fn lock_path(db: &Path, account: &Account) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_owned();
    name.push(format!("-{account}.lock"));
    db.with_file_name(name)
}

/// Takes the lease of `account`, waiting up to `wait` for another holder.
///
/// # Errors
///
/// [`Error::Busy`] after `wait`; [`Error::Open`] when the lock file cannot be opened.
pub(crate) async fn acquire(
    db: &Path,
    account: &Account,
    wait: Duration,
) -> Result<FileLease, Error> {
    let path = lock_path(db, account);
    let open_err = |e: &dyn std::error::Error| Error::Open {
        path: path.display().to_string(),
        reason: crate::url::one_line(e),
    };
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| open_err(&e))?;
    let started = Instant::now();
    loop {
        match FileExt::try_lock(&file) {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(e)) => return Err(open_err(&e)),
        }
        let waited = started.elapsed();
        if waited >= wait {
            tracing::debug!(holder = ?holder(&mut file), "writer lease busy");
            return Err(Error::Busy {
                account: account.to_string(),
                waited,
            });
        }
        tokio::time::sleep(POLL.min(wait - waited)).await;
    }
    // Best effort: the pid only helps a human; the lock is what counts.
    let _ = file
        .set_len(0)
        .and_then(|()| file.seek(SeekFrom::Start(0)))
        .and_then(|_| writeln!(file, "{}", std::process::id()));
    Ok(FileLease { _file: file })
}

/// The process id written by the current holder, if readable.
fn holder(file: &mut File) -> Option<u32> {
    let mut s = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.take(32).read_to_string(&mut s).ok()?;
    s.trim().parse().ok()
}
