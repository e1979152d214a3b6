//! Media: libsodium `crypto_secretstream_xchacha20poly1305` under the conversation key,
//! a 24-byte header then 1024-byte plaintext chunks (1041 bytes on the wire), the last one
//! tagged FINAL.
//!
//! ```
//! use dm_chat::{ConversationKey, media};
//!
//! let key = ConversationKey::generate();
//! let file = vec![7u8; 3000];
//! let wire = media::encrypt(&key, &file);
//! assert_eq!(wire.len() as u64, media::encrypted_size(3000));
//! assert_eq!(media::decrypt(&key, &wire)?, file);
//! // Cut the final chunk off: refused.
//! assert!(media::decrypt(&key, &wire[..24 + 1041]).is_err());
//! # Ok::<(), dm_chat::ChatError>(())
//! ```

use crypto_secretstream::{Header, Key, PullStream, PushStream, Tag};
use rand_core::OsRng;

use crate::{ChatError, ConversationKey};

/// Plaintext bytes per chunk.
pub const CHUNK: usize = 1024;
/// Bytes a chunk adds on the wire (tag byte and MAC).
pub const OVERHEAD: usize = 17;
/// Bytes of the stream header.
pub const HEADER: usize = 24;

/// Wire size of `n` plaintext bytes (empty input is the header alone).
pub fn encrypted_size(n: u64) -> u64 {
    let chunks = n.div_ceil(CHUNK as u64);
    HEADER as u64 + n + chunks * OVERHEAD as u64
}

fn stream_key(key: &ConversationKey) -> Key {
    Key::from(*key.bytes())
}

/// Encrypts incrementally: feed plaintext with [`MediaEncryptor::push`], end with
/// [`MediaEncryptor::finish`]; the outputs concatenated are the stream.
pub struct MediaEncryptor {
    stream: PushStream,
    header: Option<[u8; HEADER]>,
    pending: Vec<u8>,
}

impl std::fmt::Debug for MediaEncryptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaEncryptor").finish_non_exhaustive()
    }
}

impl MediaEncryptor {
    /// A stream under `key`, with a random header.
    pub fn new(key: &ConversationKey) -> Self {
        let (header, stream) = PushStream::init(OsRng, &stream_key(key));
        MediaEncryptor {
            stream,
            header: Some(*header.as_ref()),
            pending: Vec::new(),
        }
    }

    fn chunk(&mut self, plain: &[u8], tag: Tag, out: &mut Vec<u8>) {
        let mut buf = plain.to_vec();
        self.stream
            .push(&mut buf, &[], tag)
            .expect("a 1024-byte chunk always encrypts");
        out.extend_from_slice(&buf);
    }

    /// Encrypts what completes a chunk; keeps the rest (the last chunk waits for `finish`).
    pub fn push(&mut self, plaintext: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        if let Some(h) = self.header.take() {
            out.extend_from_slice(&h);
        }
        self.pending.extend_from_slice(plaintext);
        // Keep at least one byte back: the final chunk is only known at `finish`.
        while self.pending.len() > CHUNK {
            let rest = self.pending.split_off(CHUNK);
            let chunk = std::mem::replace(&mut self.pending, rest);
            self.chunk(&chunk, Tag::Message, &mut out);
        }
        out
    }

    /// Encrypts the last chunk, tagged FINAL (nothing when the input was empty).
    pub fn finish(mut self) -> Vec<u8> {
        let mut out = Vec::new();
        if let Some(h) = self.header.take() {
            out.extend_from_slice(&h);
        }
        if !self.pending.is_empty() {
            let last = std::mem::take(&mut self.pending);
            self.chunk(&last, Tag::Final, &mut out);
        }
        out
    }
}

/// Decrypts incrementally; plaintext from [`MediaDecryptor::push`] is not complete until
/// [`MediaDecryptor::finish`] succeeds (a stream cut before its FINAL chunk is refused).
pub struct MediaDecryptor {
    key: Key,
    stream: Option<PullStream>,
    buf: Vec<u8>,
    chunks: u64,
    done: bool,
}

impl std::fmt::Debug for MediaDecryptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaDecryptor")
            .field("chunks", &self.chunks)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl MediaDecryptor {
    /// A decryptor under `key`.
    pub fn new(key: &ConversationKey) -> Self {
        MediaDecryptor {
            key: stream_key(key),
            stream: None,
            buf: Vec::new(),
            chunks: 0,
            done: false,
        }
    }

    fn pull(&mut self, len: usize, out: &mut Vec<u8>) -> Result<(), ChatError> {
        if self.done {
            return Err(ChatError::Stream("data after the final chunk"));
        }
        let rest = self.buf.split_off(len);
        let mut chunk = std::mem::replace(&mut self.buf, rest);
        let stream = self.stream.as_mut().ok_or(ChatError::Stream("no header"))?;
        let tag = stream
            .pull(&mut chunk, &[])
            .map_err(|_| ChatError::Decrypt("a media chunk"))?;
        self.chunks += 1;
        match tag {
            Tag::Message => {}
            Tag::Final => self.done = true,
            Tag::Push | Tag::Rekey => return Err(ChatError::Stream("unsupported chunk tag")),
        }
        out.extend_from_slice(&chunk);
        Ok(())
    }

    /// Decrypts every complete chunk received so far.
    ///
    /// # Errors
    /// [`ChatError::Decrypt`] (wrong key, tampered chunk) or [`ChatError::Stream`] (data
    /// after the final chunk).
    pub fn push(&mut self, ciphertext: &[u8]) -> Result<Vec<u8>, ChatError> {
        self.buf.extend_from_slice(ciphertext);
        let mut out = Vec::new();
        if self.stream.is_none() {
            if self.buf.len() < HEADER {
                return Ok(out);
            }
            let rest = self.buf.split_off(HEADER);
            let header = Header::try_from(self.buf.as_slice())
                .map_err(|_| ChatError::Stream("bad header"))?;
            self.stream = Some(PullStream::init(header, &self.key));
            self.buf = rest;
        }
        while !self.buf.is_empty() && (self.done || self.buf.len() >= CHUNK + OVERHEAD) {
            self.pull(CHUNK + OVERHEAD, &mut out)?;
        }
        Ok(out)
    }

    /// Decrypts the last, short chunk and checks the stream ended with FINAL.
    ///
    /// A header with no chunk at all is the empty file (the SDK encrypts empty input so).
    ///
    /// # Errors
    /// [`ChatError::Stream`] when the stream was cut (no header, or no FINAL chunk),
    /// [`ChatError::Decrypt`] when the last chunk does not authenticate.
    pub fn finish(mut self) -> Result<Vec<u8>, ChatError> {
        let mut out = Vec::new();
        if self.stream.is_none() {
            return Err(ChatError::Stream("shorter than its header"));
        }
        if !self.buf.is_empty() {
            let n = self.buf.len();
            self.pull(n, &mut out)?;
        }
        if !self.done && self.chunks > 0 {
            return Err(ChatError::Stream("truncated: ended before the final chunk"));
        }
        Ok(out)
    }
}

/// Encrypts a whole file.
pub fn encrypt(key: &ConversationKey, plaintext: &[u8]) -> Vec<u8> {
    let mut enc = MediaEncryptor::new(key);
    let mut out = enc.push(plaintext);
    out.extend(enc.finish());
    out
}

/// Decrypts a whole stream.
///
/// # Errors
/// As [`MediaDecryptor::push`] and [`MediaDecryptor::finish`].
pub fn decrypt(key: &ConversationKey, stream: &[u8]) -> Result<Vec<u8>, ChatError> {
    let mut dec = MediaDecryptor::new(key);
    let mut out = dec.push(stream)?;
    out.extend(dec.finish()?);
    Ok(out)
}
