//! [`UploadSource`]: a file, bytes in memory, or an async reader of known length; read once,
//! chunk by chunk.

use std::path::PathBuf;
use std::pin::Pin;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt};

/// What to upload: a file path, bytes in memory, or an async reader with a known length.
/// Read once, from the start, a chunk at a time: a file or a reader is never held in memory
/// whole.
///
/// ```
/// use dm_stream::UploadSource;
/// let from_path = UploadSource::path("holiday.mp4");
/// let from_bytes = UploadSource::bytes(vec![0xFF, 0xD8, 0xFF, 0xE0]);
/// let from_reader = UploadSource::reader(tokio::io::empty(), 0);
/// # let _ = (from_path, from_bytes, from_reader);
/// ```
pub struct UploadSource {
    pub(crate) inner: Inner,
}

pub(crate) enum Inner {
    Path(PathBuf),
    Bytes(Bytes),
    Reader {
        reader: Pin<Box<dyn AsyncRead + Send>>,
        len: u64,
    },
}

impl std::fmt::Debug for UploadSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.inner {
            Inner::Path(p) => f.debug_tuple("UploadSource::Path").field(p).finish(),
            Inner::Bytes(b) => f
                .debug_tuple("UploadSource::Bytes")
                .field(&b.len())
                .finish(),
            Inner::Reader { len, .. } => f
                .debug_struct("UploadSource::Reader")
                .field("len", len)
                .finish(),
        }
    }
}

impl UploadSource {
    /// A file, opened when the upload starts; its length is read from its metadata.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        UploadSource {
            inner: Inner::Path(path.into()),
        }
    }

    /// Bytes already in memory.
    pub fn bytes(bytes: impl Into<Bytes>) -> Self {
        UploadSource {
            inner: Inner::Bytes(bytes.into()),
        }
    }

    /// An async reader that yields exactly `len` bytes (the upload fails if it yields fewer
    /// or more).
    pub fn reader(reader: impl AsyncRead + Send + 'static, len: u64) -> Self {
        UploadSource {
            inner: Inner::Reader {
                reader: Box::pin(reader),
                len,
            },
        }
    }
}

impl From<PathBuf> for UploadSource {
    fn from(p: PathBuf) -> Self {
        UploadSource::path(p)
    }
}

impl From<&std::path::Path> for UploadSource {
    fn from(p: &std::path::Path) -> Self {
        UploadSource::path(p)
    }
}

impl From<Bytes> for UploadSource {
    fn from(b: Bytes) -> Self {
        UploadSource::bytes(b)
    }
}

impl From<Vec<u8>> for UploadSource {
    fn from(b: Vec<u8>) -> Self {
        UploadSource::bytes(b)
    }
}

/// An opened source: its length and a reader positioned at the start.
pub(crate) struct Opened {
    pub(crate) len: u64,
    reader: Pin<Box<dyn AsyncRead + Send>>,
    /// Bytes read ahead (the sniffed header), served before the reader.
    ahead: Bytes,
    read: u64,
    /// A description for errors: the path, or "the reader".
    pub(crate) what: String,
}

impl UploadSource {
    pub(crate) async fn open(self) -> std::io::Result<Opened> {
        let (len, reader, what): (u64, Pin<Box<dyn AsyncRead + Send>>, String) = match self.inner {
            Inner::Path(p) => {
                let file = tokio::fs::File::open(&p).await.map_err(|e| {
                    std::io::Error::new(e.kind(), format!("cannot open {}: {e}", p.display()))
                })?;
                let meta = file.metadata().await?;
                if !meta.is_file() {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidInput,
                        format!("{} is not a file", p.display()),
                    ));
                }
                (meta.len(), Box::pin(file), p.display().to_string())
            }
            Inner::Bytes(b) => {
                let len = b.len() as u64;
                (len, Box::pin(std::io::Cursor::new(b)), "the bytes".into())
            }
            Inner::Reader { reader, len } => (len, reader, "the reader".into()),
        };
        Ok(Opened {
            len,
            reader,
            ahead: Bytes::new(),
            read: 0,
            what,
        })
    }
}

impl Opened {
    /// The first bytes (up to `n`), kept to be read again.
    pub(crate) async fn peek(&mut self, n: usize) -> std::io::Result<Bytes> {
        let want = n.min(usize::try_from(self.len).unwrap_or(usize::MAX));
        let mut buf = BytesMut::with_capacity(want);
        while buf.len() < want {
            if self.reader.read_buf(&mut buf).await? == 0 {
                break;
            }
        }
        self.ahead = buf.freeze();
        Ok(self.ahead.clone())
    }

    /// The next chunk of up to `size` bytes (fewer only at the end). Fails when the source
    /// ends before its announced length, or goes on after it.
    pub(crate) async fn chunk(&mut self, size: usize) -> std::io::Result<Bytes> {
        let remaining = self.len - self.read;
        let want = size.min(usize::try_from(remaining).unwrap_or(usize::MAX));
        let mut buf = BytesMut::with_capacity(want);
        let ahead = std::mem::take(&mut self.ahead);
        if !ahead.is_empty() {
            let take = ahead.len().min(want);
            buf.extend_from_slice(&ahead[..take]);
            self.ahead = ahead.slice(take..);
        }
        while buf.len() < want {
            // `read_buf` may read past `want` into spare capacity: limit the reader.
            let mut limited = (&mut self.reader).take((want - buf.len()) as u64);
            if limited.read_buf(&mut buf).await? == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    format!(
                        "{} ended after {} of its {} bytes",
                        self.what,
                        self.read + buf.len() as u64,
                        self.len
                    ),
                ));
            }
        }
        self.read += buf.len() as u64;
        if self.read == self.len && self.ahead.is_empty() {
            let mut probe = [0u8; 1];
            if self.reader.read(&mut probe).await? != 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "{} is longer than its announced {} bytes",
                        self.what, self.len
                    ),
                ));
            }
        }
        Ok(buf.freeze())
    }
}
