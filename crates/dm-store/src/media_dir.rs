//! [`MediaDir`]: a content-addressed folder of media files.
//!
//! A file is written to a temporary `.partial-*` file in the folder while its SHA-256 is
//! computed, made durable, then renamed to `HH/HASH.EXT` (`HH` the hash's first two hex
//! digits, `EXT` from the bytes' own signature). The name is the hash of the content, so a
//! file is stored once however often it arrives, a rename never replaces different bytes, and
//! a killed copy leaves only a `.partial-*` file (removed by the next run after a day).
//! Reading a file back and hashing it again checks it ([`MediaDir::verify`]).

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

/// A media folder: content-addressed files named `HH/HASH.EXT` by their SHA-256, written
/// through a temporary `.partial-*` file and renamed once durable, so a file is stored once and
/// a killed copy leaves only a `.partial-*` file. [`MediaDir::verify`] hashes a file again.
#[derive(Clone, Debug)]
pub struct MediaDir {
    root: PathBuf,
}

/// A file kept in a [`MediaDir`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredFile {
    /// SHA-256 of the content, lowercase hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Content type, from the bytes' signature (else the one declared, else
    /// `application/octet-stream`).
    pub content_type: String,
    /// Where it is, relative to the folder (`ab/abcdef….jpg`).
    pub file: String,
}

/// Leftover temporary files older than this are removed when a folder is opened.
const STALE: Duration = Duration::from_secs(24 * 3600);

/// Bytes kept from the start of a file to recognise its type.
const HEAD: usize = 8192;

impl MediaDir {
    /// The folder at `root`, created when missing; leftover temporary files older than a day
    /// are removed.
    ///
    /// # Errors
    ///
    /// The folder cannot be created.
    pub fn open(root: impl Into<PathBuf>) -> io::Result<MediaDir> {
        let root = root.into();
        std::fs::create_dir_all(&root)?;
        if let Ok(entries) = std::fs::read_dir(&root) {
            for e in entries.flatten() {
                let name = e.file_name();
                let old = e
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| SystemTime::now().duration_since(t).ok())
                    .is_some_and(|age| age > STALE);
                if name.to_string_lossy().starts_with(".partial-") && old {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        Ok(MediaDir { root })
    }

    /// The default media folder of an SQLite store: `<file>-media` beside it
    /// (`dms.sqlite` → `dms.sqlite-media`).
    pub fn beside(db: &Path) -> PathBuf {
        let mut name = db.file_name().unwrap_or_default().to_owned();
        name.push("-media");
        db.with_file_name(name)
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The full path of a stored file (`file` as in [`StoredFile::file`]). `None` for a name
    /// that is not one this folder makes (so a corrupt row cannot point outside it).
    pub fn path_of(&self, file: &str) -> Option<PathBuf> {
        let (dir, name) = file.split_once('/')?;
        let ok = dir.len() == 2
            && dir.bytes().all(|b| b.is_ascii_hexdigit())
            && name.len() > 64
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
            && name.starts_with(dir);
        ok.then(|| self.root.join(dir).join(name))
    }

    /// A writer for a new file.
    ///
    /// # Errors
    ///
    /// The temporary file cannot be created.
    pub fn writer(&self) -> io::Result<MediaWriter> {
        let tmp = tempfile::Builder::new()
            .prefix(".partial-")
            .tempfile_in(&self.root)?;
        Ok(MediaWriter {
            root: self.root.clone(),
            tmp,
            hasher: Sha256::new(),
            size: 0,
            head: Vec::with_capacity(HEAD),
        })
    }

    /// Copies everything `reader` yields into the folder.
    ///
    /// # Errors
    ///
    /// Reading or writing fails.
    pub fn store_reader(&self, mut reader: impl Read) -> io::Result<StoredFile> {
        let mut w = self.writer()?;
        io::copy(&mut reader, &mut w)?;
        w.finish(None, None)
    }

    /// Whether the file of `stored` is there with its size and hash.
    pub fn verify(&self, file: &str, sha256: &str) -> bool {
        let Some(path) = self.path_of(file) else {
            return false;
        };
        let Ok(mut f) = File::open(path) else {
            return false;
        };
        let mut h = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match f.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => h.update(&buf[..n]),
                Err(_) => return false,
            }
        }
        hex(&h.finalize()) == sha256
    }
}

/// Writes one file into a [`MediaDir`]; [`MediaWriter::finish`] keeps it, dropping it
/// discards it.
pub struct MediaWriter {
    root: PathBuf,
    tmp: tempfile::NamedTempFile,
    hasher: Sha256,
    size: u64,
    head: Vec<u8>,
}

impl std::fmt::Debug for MediaWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaWriter")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

impl Write for MediaWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.tmp.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        if self.head.len() < HEAD {
            let take = (HEAD - self.head.len()).min(n);
            self.head.extend_from_slice(&buf[..take]);
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tmp.flush()
    }
}

impl MediaWriter {
    /// Bytes written so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Keeps the file: checks its length against `expected_len` (the announced length, when
    /// there was one), makes it durable and renames it to its content's name.
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::UnexpectedEof`] when fewer (or more) bytes arrived than announced;
    /// writing or renaming fails.
    pub fn finish(
        mut self,
        declared_type: Option<&str>,
        expected_len: Option<u64>,
    ) -> io::Result<StoredFile> {
        if let Some(want) = expected_len
            && want != self.size
        {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("received {} bytes of {want} announced", self.size),
            ));
        }
        self.tmp.flush()?;
        self.tmp.as_file().sync_all()?;
        let sha256 = hex(&self.hasher.finalize());
        let (content_type, ext) = match infer::get(&self.head) {
            Some(t) => (t.mime_type().to_owned(), t.extension().to_owned()),
            None => match declared_type
                .map(str::trim)
                .filter(|t| !t.is_empty() && !t.eq_ignore_ascii_case("application/octet-stream"))
            {
                Some(t) => (t.to_owned(), "bin".to_owned()),
                None => ("application/octet-stream".to_owned(), "bin".to_owned()),
            },
        };
        let dir = &sha256[..2];
        let file = format!("{dir}/{sha256}.{ext}");
        let target_dir = self.root.join(dir);
        std::fs::create_dir_all(&target_dir)?;
        let target = target_dir.join(format!("{sha256}.{ext}"));
        if target
            .metadata()
            .is_ok_and(|m| m.is_file() && m.len() == self.size)
        {
            // The same content is there already; the temporary file goes.
            drop(self.tmp);
        } else {
            self.tmp.persist(&target).map_err(|e| e.error)?;
            if let Ok(d) = File::open(&target_dir) {
                let _ = d.sync_all();
            }
        }
        Ok(StoredFile {
            sha256,
            size: self.size,
            content_type,
            file,
        })
    }
}

/// Lowercase hex.
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_named_by_content_and_kept_once() {
        let dir = tempfile::tempdir().unwrap();
        let media = MediaDir::open(dir.path().join("m")).unwrap();
        let png = [
            0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R',
        ];
        let a = media.store_reader(&png[..]).unwrap();
        let b = media.store_reader(&png[..]).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.content_type, "image/png");
        assert!(a.file.ends_with(".png") && a.file.starts_with(&a.sha256[..2]));
        assert_eq!(a.size, png.len() as u64);
        assert!(media.verify(&a.file, &a.sha256));
        std::fs::write(media.path_of(&a.file).unwrap(), b"changed").unwrap();
        assert!(!media.verify(&a.file, &a.sha256));
        // Only the two-level layout: no leftover temporary files.
        let left: Vec<_> = std::fs::read_dir(media.root())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, vec![a.sha256[..2].to_owned()]);
    }

    #[test]
    fn a_short_body_is_refused_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let media = MediaDir::open(dir.path()).unwrap();
        let mut w = media.writer().unwrap();
        w.write_all(b"abc").unwrap();
        let e = w.finish(None, Some(10)).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let s = media
            .store_reader(&b"plain"[..])
            .and_then(|_| {
                let mut w = media.writer()?;
                w.write_all(b"x")?;
                w.finish(Some("text/plain"), Some(1))
            })
            .unwrap();
        assert_eq!(s.content_type, "text/plain");
    }

    #[test]
    fn names_outside_the_layout_are_refused() {
        let media = MediaDir {
            root: PathBuf::from("/m"),
        };
        let h = "ab".to_owned() + &"0".repeat(62);
        assert!(media.path_of(&format!("ab/{h}.jpg")).is_some());
        for bad in [
            "../etc/passwd".to_owned(),
            format!("ab/../{h}.jpg"),
            format!("cd/{h}.jpg"),
            format!("ab/{h}/x"),
            "ab".to_owned(),
        ] {
            assert!(media.path_of(&bad).is_none(), "{bad}");
        }
    }
}
