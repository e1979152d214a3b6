//! The segments of one upload: each segment's length and SHA-256, the whole file's SHA-256
//! computed as the segments arrive in order, and the bytes only while they are needed (a
//! segment ahead of a missing one) or while the upload is small enough to keep.

use std::collections::BTreeMap;

use bytes::{Bytes, BytesMut};
use sha2::{Digest, Sha256};

#[derive(Debug)]
struct Segment {
    len: u64,
    digest: [u8; 32],
    bytes: Option<Bytes>,
}

/// Why the segments do not make a file.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Incomplete {
    /// No segment at all.
    Empty,
    /// Segment `n` is missing (a later one arrived).
    Missing(u32),
    /// Segment `n` was replaced by different bytes after later segments were hashed, and
    /// its first bytes were not kept: the sandbox cannot tell what the file is.
    Replaced(u32),
}

#[derive(Debug)]
pub(crate) struct Segments {
    keep: bool,
    map: BTreeMap<u32, Segment>,
    hasher: Sha256,
    /// Segments `0..folded` are in `hasher`.
    folded: u32,
    /// A folded segment was replaced by different bytes: the hash must be recomputed.
    dirty: Option<u32>,
}

impl Segments {
    /// `keep`: keep every segment's bytes (a small upload).
    pub(crate) fn new(keep: bool) -> Self {
        Segments {
            keep,
            map: BTreeMap::new(),
            hasher: Sha256::new(),
            folded: 0,
            dirty: None,
        }
    }

    /// Stores segment `index` (replacing an earlier one at that index).
    pub(crate) fn put(&mut self, index: u32, data: Bytes) {
        let digest: [u8; 32] = Sha256::digest(&data).into();
        if index < self.folded {
            let same = self.map.get(&index).is_some_and(|s| s.digest == digest);
            if same {
                return; // the same segment again: nothing changes
            }
            self.dirty = Some(self.dirty.map_or(index, |d| d.min(index)));
        }
        self.map.insert(
            index,
            Segment {
                len: data.len() as u64,
                digest,
                bytes: Some(data),
            },
        );
        self.fold();
    }

    fn fold(&mut self) {
        if self.dirty.is_some() {
            return;
        }
        while let Some(seg) = self.map.get_mut(&self.folded) {
            match &seg.bytes {
                Some(b) => self.hasher.update(b),
                None => return,
            }
            if !self.keep {
                seg.bytes = None;
            }
            self.folded += 1;
        }
    }

    /// Bytes received over all segments.
    pub(crate) fn received(&self) -> u64 {
        self.map.values().map(|s| s.len).sum()
    }

    /// Segments received.
    pub(crate) fn count(&self) -> u32 {
        self.map.len() as u32
    }

    /// The file's SHA-256 and (when kept) bytes, once the segments are `0..n` without a gap.
    pub(crate) fn finish(&mut self) -> Result<([u8; 32], Option<Bytes>), Incomplete> {
        let n = self.map.len() as u32;
        if n == 0 {
            return Err(Incomplete::Empty);
        }
        if let Some(missing) = (0..n).find(|i| !self.map.contains_key(i)) {
            return Err(Incomplete::Missing(missing));
        }
        if let Some(at) = self.dirty {
            // Recompute from the bytes, when every one was kept.
            if self.map.values().any(|s| s.bytes.is_none()) {
                return Err(Incomplete::Replaced(at));
            }
            self.hasher = Sha256::new();
            for s in self.map.values() {
                if let Some(b) = &s.bytes {
                    self.hasher.update(b);
                }
            }
            self.folded = n;
            self.dirty = None;
        }
        let digest: [u8; 32] = self.hasher.clone().finalize().into();
        let bytes = self.keep.then(|| {
            let mut out = BytesMut::with_capacity(self.received() as usize);
            for s in self.map.values() {
                if let Some(b) = &s.bytes {
                    out.extend_from_slice(b);
                }
            }
            out.freeze()
        });
        Ok((digest, bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(data: &[u8]) -> [u8; 32] {
        Sha256::digest(data).into()
    }

    #[test]
    fn hashes_in_order_and_out_of_order() {
        for keep in [false, true] {
            let mut s = Segments::new(keep);
            s.put(1, Bytes::from_static(b"world"));
            s.put(0, Bytes::from_static(b"hello "));
            s.put(0, Bytes::from_static(b"hello ")); // a retried segment
            let (d, bytes) = s.finish().unwrap();
            assert_eq!(d, sha(b"hello world"));
            assert_eq!(bytes.as_deref(), keep.then_some(&b"hello world"[..]));
            assert_eq!(s.received(), 11);
        }
    }

    #[test]
    fn gaps_and_replacements() {
        let mut s = Segments::new(false);
        s.put(1, Bytes::from_static(b"b"));
        assert_eq!(s.finish(), Err(Incomplete::Missing(0)));
        s.put(0, Bytes::from_static(b"a"));
        s.put(0, Bytes::from_static(b"A"));
        assert_eq!(s.finish(), Err(Incomplete::Replaced(0)));
        let mut kept = Segments::new(true);
        kept.put(0, Bytes::from_static(b"a"));
        kept.put(1, Bytes::from_static(b"b"));
        kept.put(0, Bytes::from_static(b"A"));
        assert_eq!(kept.finish().unwrap().0, sha(b"Ab"));
        assert_eq!(Segments::new(true).finish(), Err(Incomplete::Empty));
    }
}
