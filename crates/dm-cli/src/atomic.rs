//! Atomic file replacement: write a temp file in the same directory (created `0600`),
//! fsync it, rename it over the target, fsync the directory.

use std::io::Write;
use std::path::Path;

/// Replaces `path` with `bytes` atomically: a reader sees the old or the new content, never a
/// mix, even if the process is killed. The file is readable by its owner only.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".xdm-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir);
    Ok(())
}

/// Makes a rename in `dir` durable (best effort: not every platform can open a directory).
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}
