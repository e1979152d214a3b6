//! Where an archive's files come from: the downloaded `.zip` or its unpacked folder.
//!
//! Every name is checked before anything is read: a zip entry whose name would land outside
//! the archive when unpacked (an absolute path, `..`, a drive prefix: "zip slip") makes the
//! whole archive refused, naming the entry; in a folder, a file that resolves (through a
//! symbolic link) outside the folder is refused the same way.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Component, Path, PathBuf};

use super::ImportError;

/// An archive's files, by their path inside it (`data/direct-messages.js`, `/`-separated).
pub(crate) enum Source {
    Zip {
        path: PathBuf,
        zip: zip::ZipArchive<BufReader<File>>,
        names: Vec<String>,
        /// Entry names as stored, by `/`-separated name.
        stored: std::collections::HashMap<String, String>,
    },
    Dir {
        root: PathBuf,
        names: Vec<String>,
    },
}

/// Whether a zip entry name stays inside the folder it is unpacked into.
fn enclosed(name: &str) -> bool {
    if name.starts_with('/') || name.starts_with('\\') || name.contains('\0') {
        return false;
    }
    let normalized = name.replace('\\', "/");
    let mut depth = 0i32;
    for part in normalized.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            p if p.len() >= 2 && p.as_bytes()[1] == b':' => return false, // C:
            _ => depth += 1,
        }
    }
    true
}

impl Source {
    /// Opens a zip file.
    pub(crate) fn zip(path: &Path) -> Result<Source, ImportError> {
        let file = File::open(path).map_err(|e| ImportError::io(path, e))?;
        let zip = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| ImportError::BadZip {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let mut names = Vec::with_capacity(zip.len());
        let mut stored = std::collections::HashMap::new();
        for name in zip.file_names() {
            let name = name.map_err(|e| ImportError::BadZip {
                path: path.display().to_string(),
                reason: e.to_string(),
            })?;
            if !enclosed(&name) {
                return Err(ImportError::ZipSlip {
                    path: path.display().to_string(),
                    entry: name.into_owned(),
                });
            }
            if name.ends_with('/') {
                continue; // a folder
            }
            let normalized = name.replace('\\', "/");
            stored.insert(normalized.clone(), name.into_owned());
            names.push(normalized);
        }
        names.sort();
        Ok(Source::Zip {
            path: path.to_owned(),
            zip,
            names,
            stored,
        })
    }

    /// Opens an unpacked archive folder (every file under it, symbolic links checked).
    pub(crate) fn dir(root: &Path) -> Result<Source, ImportError> {
        let canonical = root.canonicalize().map_err(|e| ImportError::io(root, e))?;
        let mut names = Vec::new();
        let mut stack = vec![canonical.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).map_err(|e| ImportError::io(&dir, e))? {
                let entry = entry.map_err(|e| ImportError::io(&dir, e))?;
                let path = entry.path();
                let real = path.canonicalize().map_err(|e| ImportError::io(&path, e))?;
                let rel = path.strip_prefix(&canonical).unwrap_or(&path);
                let name = rel
                    .components()
                    .filter_map(|c| match c {
                        Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                        _ => None,
                    })
                    .collect::<Vec<_>>()
                    .join("/");
                if !real.starts_with(&canonical) {
                    return Err(ImportError::ZipSlip {
                        path: root.display().to_string(),
                        entry: name,
                    });
                }
                if real.is_dir() {
                    if !entry.file_type().is_ok_and(|t| t.is_symlink()) {
                        stack.push(path);
                    }
                } else {
                    names.push(name);
                }
            }
        }
        names.sort();
        Ok(Source::Dir {
            root: canonical,
            names,
        })
    }

    /// Every file name, sorted.
    pub(crate) fn names(&self) -> &[String] {
        match self {
            Source::Zip { names, .. } | Source::Dir { names, .. } => names,
        }
    }

    /// Whether the archive holds `name`.
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.names()
            .binary_search_by(|n| n.as_str().cmp(name))
            .is_ok()
    }

    /// How the archive is named in messages.
    pub(crate) fn display(&self) -> String {
        match self {
            Source::Zip { path, .. } => path.display().to_string(),
            Source::Dir { root, .. } => root.display().to_string(),
        }
    }

    /// The size of `name` when known.
    pub(crate) fn size(&mut self, name: &str) -> Option<u64> {
        match self {
            Source::Zip { zip, stored, .. } => stored
                .get(name)
                .and_then(|n| zip.by_name(n).ok())
                .map(|f| f.size()),
            Source::Dir { root, .. } => std::fs::metadata(root.join(name)).ok().map(|m| m.len()),
        }
    }

    /// Reads all of `name`.
    pub(crate) fn read(&mut self, name: &str) -> Result<Vec<u8>, ImportError> {
        let mut out = Vec::new();
        self.with_reader(name, |r| {
            r.read_to_end(&mut out)?;
            Ok(())
        })?;
        Ok(out)
    }

    /// Runs `f` over a reader of `name` (a damaged zip entry fails while read: named).
    pub(crate) fn with_reader<T>(
        &mut self,
        name: &str,
        f: impl FnOnce(&mut dyn Read) -> std::io::Result<T>,
    ) -> Result<T, ImportError> {
        let display = self.display();
        let entry_err = |e: std::io::Error| ImportError::BadEntry {
            path: display.clone(),
            entry: name.to_owned(),
            reason: e.to_string(),
        };
        match self {
            Source::Zip { zip, stored, .. } => {
                let stored_name = stored.get(name).map_or(name, String::as_str);
                let mut file = zip
                    .by_name(stored_name)
                    .map_err(|e| ImportError::BadEntry {
                        path: display.clone(),
                        entry: name.to_owned(),
                        reason: e.to_string(),
                    })?;
                f(&mut file).map_err(entry_err)
            }
            Source::Dir { root, .. } => {
                let mut file = File::open(root.join(name)).map_err(entry_err)?;
                f(&mut file).map_err(entry_err)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::enclosed;

    #[test]
    fn names_that_escape_are_caught() {
        for ok in [
            "data/direct-messages.js",
            "a/../data/x.js",
            "./data/x",
            "data/direct_messages_media/1-x.jpg",
        ] {
            assert!(enclosed(ok), "{ok}");
        }
        for bad in [
            "../evil.js",
            "data/../../evil",
            "/etc/passwd",
            "\\windows\\x",
            "C:/x",
            "data\\..\\..\\x",
            "a\0b",
        ] {
            assert!(!enclosed(bad), "{bad}");
        }
    }
}
