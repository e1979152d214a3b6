//! Newline-delimited JSON read incrementally: chunks in, complete lines out. An event may
//! span chunks and a chunk may hold many events.

use bytes::{Buf, Bytes, BytesMut};

/// A line longer than the limit (no newline within `max` bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LineTooLong {
    pub max: usize,
}

/// Reassembles lines across chunks.
#[derive(Debug)]
pub(crate) struct Lines {
    buf: BytesMut,
    /// Bytes of `buf` already known to hold no `\n`.
    scanned: usize,
    max: usize,
}

impl Lines {
    pub(crate) fn new(max: usize) -> Self {
        Lines {
            buf: BytesMut::new(),
            scanned: 0,
            max,
        }
    }

    /// Appends a chunk.
    pub(crate) fn push(&mut self, chunk: &[u8]) {
        self.buf.extend_from_slice(chunk);
    }

    /// The next complete line, without its `\n` and surrounding whitespace (`\r`); an empty
    /// line is a keep-alive. `None` until a newline arrives.
    ///
    /// # Errors
    ///
    /// [`LineTooLong`] when `max` bytes arrived without a newline.
    pub(crate) fn next_line(&mut self) -> Result<Option<Bytes>, LineTooLong> {
        match self.buf[self.scanned..].iter().position(|b| *b == b'\n') {
            Some(i) => {
                let end = self.scanned + i;
                let mut line = self.buf.split_to(end + 1).freeze();
                self.scanned = 0;
                line.truncate(end);
                let start = line
                    .iter()
                    .position(|b| !b.is_ascii_whitespace())
                    .unwrap_or(line.len());
                line.advance(start);
                let keep = line
                    .iter()
                    .rposition(|b| !b.is_ascii_whitespace())
                    .map_or(0, |p| p + 1);
                line.truncate(keep);
                Ok(Some(line))
            }
            None => {
                self.scanned = self.buf.len();
                if self.buf.len() > self.max {
                    Err(LineTooLong { max: self.max })
                } else {
                    Ok(None)
                }
            }
        }
    }

    /// Drops a partial line (the connection it came on is gone).
    pub(crate) fn clear(&mut self) {
        self.buf.clear();
        self.scanned = 0;
    }

    /// Whether a partial line is buffered.
    #[cfg(test)]
    pub(crate) fn has_partial(&self) -> bool {
        !self.buf.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(lines: &mut Lines) -> Vec<String> {
        let mut out = Vec::new();
        while let Some(l) = lines.next_line().unwrap() {
            out.push(String::from_utf8(l.to_vec()).unwrap());
        }
        out
    }

    #[test]
    fn lines_are_reassembled_across_any_split() {
        let text = b"{\"a\":1}\r\n\r\n{\"b\":\"x\\ny\"}\n  \n{\"c\":3}\r\n";
        let expected = ["{\"a\":1}", "", "{\"b\":\"x\\ny\"}", "", "{\"c\":3}"];
        for size in 1..text.len() {
            let mut lines = Lines::new(1024);
            let mut out = Vec::new();
            for chunk in text.chunks(size) {
                lines.push(chunk);
                out.extend(all(&mut lines));
            }
            assert_eq!(out, expected, "chunks of {size}");
            assert!(!lines.has_partial());
        }
    }

    #[test]
    fn a_line_without_end_is_bounded_and_a_partial_line_can_be_dropped() {
        let mut lines = Lines::new(8);
        lines.push(b"{\"partial");
        assert_eq!(lines.next_line(), Err(LineTooLong { max: 8 }));
        lines.clear();
        lines.push(b"{}\n");
        assert_eq!(all(&mut lines), ["{}"]);
    }
}
