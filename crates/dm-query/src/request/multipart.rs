//! `multipart/form-data` bodies (RFC 7578) for the media upload: text fields and one binary
//! part, with a boundary that never occurs in the content.

use bytes::{BufMut, Bytes, BytesMut};

/// A form being built: text fields, then at most one file part.
pub(crate) struct Form<'a> {
    fields: Vec<(&'static str, String)>,
    file: Option<(&'static str, &'a [u8])>,
}

impl<'a> Form<'a> {
    pub(crate) fn new() -> Self {
        Form {
            fields: Vec::new(),
            file: None,
        }
    }

    /// A text part `name` = `value`.
    pub(crate) fn text(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.fields.push((name, value.into()));
        self
    }

    /// The binary part `name` (raw bytes, `application/octet-stream`).
    pub(crate) fn file(mut self, name: &'static str, bytes: &'a [u8]) -> Self {
        self.file = Some((name, bytes));
        self
    }

    /// The `content-type` value and the body.
    pub(crate) fn encode(self) -> (String, Bytes) {
        let boundary = self.boundary();
        let mut size = 64;
        for (name, value) in &self.fields {
            size += boundary.len() + name.len() + value.len() + 64;
        }
        if let Some((name, bytes)) = self.file {
            size += boundary.len() + name.len() + bytes.len() + 128;
        }
        let mut out = BytesMut::with_capacity(size);
        for (name, value) in &self.fields {
            out.put_slice(b"--");
            out.put_slice(boundary.as_bytes());
            out.put_slice(b"\r\nContent-Disposition: form-data; name=\"");
            out.put_slice(name.as_bytes());
            out.put_slice(b"\"\r\n\r\n");
            out.put_slice(value.as_bytes());
            out.put_slice(b"\r\n");
        }
        if let Some((name, bytes)) = self.file {
            out.put_slice(b"--");
            out.put_slice(boundary.as_bytes());
            out.put_slice(b"\r\nContent-Disposition: form-data; name=\"");
            out.put_slice(name.as_bytes());
            out.put_slice(b"\"; filename=\"");
            out.put_slice(name.as_bytes());
            out.put_slice(b"\"\r\nContent-Type: application/octet-stream\r\n\r\n");
            out.put_slice(bytes);
            out.put_slice(b"\r\n");
        }
        out.put_slice(b"--");
        out.put_slice(boundary.as_bytes());
        out.put_slice(b"--\r\n");
        (
            format!("multipart/form-data; boundary={boundary}"),
            out.freeze(),
        )
    }

    /// `xdm-` and 16 hex digits derived from the content (so a body is reproducible), changed
    /// until no part contains it.
    fn boundary(&self) -> String {
        let mut seed = 0xcbf2_9ce4_8422_2325u64 ^ self.file.map_or(0, |(_, b)| b.len() as u64);
        loop {
            seed = seed.wrapping_mul(0x0100_0000_01b3).rotate_left(29) ^ 0x9e37_79b9;
            let boundary = format!("xdm-{seed:016x}");
            let needle = boundary.as_bytes();
            let in_file = self
                .file
                .is_some_and(|(_, b)| memchr::memmem::find(b, needle).is_some());
            let in_text = self.fields.iter().any(|(_, v)| v.contains(&boundary));
            if !in_file && !in_text {
                return boundary;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_fields_then_the_file() {
        let (ct, body) = Form::new()
            .text("segment_index", "3")
            .file("media", b"\x00\x01abc")
            .encode();
        let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
        assert!(boundary.starts_with("xdm-") && boundary.len() == 20);
        let expected = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"segment_index\"\r\n\r\n3\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"media\"; filename=\"media\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n\x00\x01abc\r\n--{boundary}--\r\n"
        );
        assert_eq!(body, expected.as_bytes());
    }

    #[test]
    fn the_boundary_never_occurs_in_the_content() {
        // The first pick depends only on the content's length: put it in a file of that
        // length, and another is chosen.
        let zeros = [0u8; 20];
        let first = Form::new().file("media", &zeros).boundary();
        assert_eq!(first.len(), 20);
        let evil = first.as_bytes().to_vec();
        let second = Form::new().file("media", &evil).boundary();
        assert_ne!(second, first);
        assert!(memchr::memmem::find(&evil, second.as_bytes()).is_none());
        let plain = Form::new().boundary();
        let text = Form::new().text("media_category", plain.clone()).boundary();
        assert_ne!(text, plain);
    }
}
