//! Our small JSON files (sync state, login): read them, and replace them atomically (write a
//! temp file in the same directory (created `0600`), fsync it, rename it over the target,
//! fsync the directory).

use std::io::Write;
use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::CliError;

/// Why a JSON file could not be read as the type asked for: where, and serde's reason
/// (which may quote the offending value: leave it out for files that hold secrets).
pub(crate) struct InvalidJson {
    pub(crate) at: String,
    pub(crate) reason: String,
}

/// Reads the JSON file at `path`: `None` when it does not exist; `invalid` turns a file that
/// does not decode into the error to report.
pub(crate) fn read_json<T: DeserializeOwned>(
    path: &Path,
    invalid: impl FnOnce(InvalidJson) -> CliError,
) -> Result<Option<T>, CliError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(CliError::io(path.display(), e)),
    };
    let mut de = serde_json::Deserializer::from_slice(&bytes);
    serde_path_to_error::deserialize(&mut de)
        .map(Some)
        .map_err(|e| {
            invalid(InvalidJson {
                at: e.path().to_string(),
                reason: e.inner().to_string(),
            })
        })
}

/// Replaces `path` with `bytes` atomically: a reader sees the old or the new content, never a
/// mix, even if the process is killed. The file is readable by its owner only.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    replace(path, bytes, true)
}

/// Replaces `path` with `bytes` atomically against a killed process (a reader sees the old
/// or the new content), without waiting for the disk: after a power loss the file may hold
/// the old content, or (on file systems that do not order a rename after the data) be empty
/// or short. For files a reader can check and do without, like a sync's walk in progress.
pub(crate) fn write_atomic_unsynced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    replace(path, bytes, false)
}

/// A temp file beside `path` (`0600`), renamed over it; with `durable`, the file and the
/// rename are fsynced.
fn replace(path: &Path, bytes: &[u8], durable: bool) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".xdm-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    if durable {
        tmp.as_file().sync_all()?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    if durable {
        sync_dir(dir);
    }
    Ok(())
}

/// Makes a rename in `dir` durable (best effort: not every platform can open a directory).
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}
