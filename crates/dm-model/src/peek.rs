//! [`peek_meta`]: a page's `meta` read from the end of its body, without decoding the rest.
//!
//! A stream needs `meta.next_token` to ask for the next page, and the API sends `meta` after
//! `data` and `includes`. Reading it from the end lets the next request go out while the page
//! is still being decoded.

use crate::Meta;

/// How many bytes from the end the scan looks at before giving up.
const MAX_SCAN: usize = 16 * 1024;

/// Reads the top-level `meta` member of a page body without decoding `data` or `includes`.
///
/// The body is scanned backwards from its end, member by member, until the `meta` member is
/// found; only that member is decoded. `None` when there is no `meta` in the last 16 KiB, when
/// its value is not an object that decodes as [`Meta`], or when the body is not shaped like a
/// JSON object.
///
/// For a valid JSON body, a `Some` is exactly the `meta` that [`decode`](crate::decode) of the
/// whole body yields (the last `meta` member, as serde keeps it). The body is not validated:
/// for a malformed body the result means nothing, so a caller acting on it early must still
/// check it against the full decode.
///
/// ```
/// let body = br#"{"data":[{"id":"1","event_type":"MessageCreate","text":"\"meta\":{}"}],
///                 "meta":{"result_count":1,"next_token":"AAAAAAAAAAAAAAAA"}}"#;
/// let meta = dm_model::peek_meta(body).unwrap();
/// assert_eq!(meta.next_token.as_deref(), Some("AAAAAAAAAAAAAAAA"));
/// ```
pub fn peek_meta(body: &[u8]) -> Option<Meta> {
    let mut scan = Backwards {
        bytes: body,
        pos: body.len(),
        floor: body.len().saturating_sub(MAX_SCAN),
    };
    scan.take(b'}')?;
    if scan.peek()? == b'{' {
        return None;
    }
    loop {
        scan.skip_ws();
        let value_end = scan.pos;
        scan.value()?;
        let value_start = scan.pos;
        scan.take(b':')?;
        let key = scan.string()?;
        let before = scan.peek()?;
        if !matches!(before, b',' | b'{') {
            return None;
        }
        if &body[key] == b"meta" {
            return serde_json::from_slice(&body[value_start..value_end]).ok();
        }
        if before == b'{' {
            // The first member, and no `meta` after it.
            return None;
        }
        scan.pos -= 1;
    }
}

/// A cursor moving from the end of a JSON text towards its start; `pos` is exclusive.
struct Backwards<'a> {
    bytes: &'a [u8],
    pos: usize,
    floor: usize,
}

impl Backwards<'_> {
    fn skip_ws(&mut self) {
        while self.pos > self.floor
            && matches!(self.bytes[self.pos - 1], b' ' | b'\t' | b'\n' | b'\r')
        {
            self.pos -= 1;
        }
    }

    /// The byte before the cursor, after whitespace.
    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        (self.pos > self.floor).then(|| self.bytes[self.pos - 1])
    }

    fn take(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.pos -= 1)
    }

    /// Moves over the string that ends at the cursor; returns the range of its raw content
    /// (escapes left as they are).
    fn string(&mut self) -> Option<std::ops::Range<usize>> {
        self.take(b'"')?;
        let end = self.pos;
        loop {
            let quote = self.bytes[self.floor..self.pos]
                .iter()
                .rposition(|&b| b == b'"')?
                + self.floor;
            let mut run = quote;
            while run > self.floor && self.bytes[run - 1] == b'\\' {
                run -= 1;
            }
            if run == self.floor && self.floor > 0 {
                // The run may go on before the scanned window: its parity is unknown.
                return None;
            }
            self.pos = quote;
            // A quote after an even run of backslashes (usually none) opens the string; after
            // an odd run it is escaped content.
            if (quote - run).is_multiple_of(2) {
                return Some(quote + 1..end);
            }
        }
    }

    /// Moves over the value that ends at the cursor.
    fn value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'}' | b']' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.string()?;
                        }
                        b'}' | b']' => {
                            depth += 1;
                            self.pos -= 1;
                        }
                        b'{' | b'[' => {
                            depth = depth.checked_sub(1)?;
                            self.pos -= 1;
                            if depth == 0 {
                                return Some(());
                            }
                        }
                        _ => self.pos -= 1,
                    }
                }
            }
            _ => {
                // A number, `true`, `false` or `null`.
                let end = self.pos;
                while self.pos > self.floor
                    && matches!(self.bytes[self.pos - 1], b'0'..=b'9' | b'a'..=b'z' | b'+' | b'-' | b'.' | b'E')
                {
                    self.pos -= 1;
                }
                (self.pos < end).then_some(())
            }
        }
    }
}
