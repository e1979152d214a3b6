//! [`decode`]: JSON bytes to a typed value, with errors that name the JSON path that failed.

use std::fmt;

use serde::de::DeserializeOwned;

/// What kind of failure a [`DecodeError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The input is not valid JSON.
    Syntax,
    /// The input ended early (truncated body).
    Eof,
    /// Valid JSON that does not fit the expected type (wrong type, invalid id, missing field).
    Data,
}

/// A body that could not be decoded.
///
/// `Display` reads like ``invalid JSON at `data[3].created_at`: <reason> (line 1, column 80)``.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid JSON at `{path}`: {message} (line {line}, column {column})")]
pub struct DecodeError {
    path: String,
    message: String,
    line: usize,
    column: usize,
    kind: DecodeErrorKind,
}

impl DecodeError {
    /// The JSON path that failed, e.g. `data[3].created_at`; `.` for the root.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The reason, without the path or position.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The 1-based line of the failure (0 when unknown).
    pub fn line(&self) -> usize {
        self.line
    }

    /// The 1-based column of the failure (0 when unknown).
    pub fn column(&self) -> usize {
        self.column
    }

    /// The kind of failure.
    pub fn kind(&self) -> DecodeErrorKind {
        self.kind
    }

    /// Whether the input ended early (a truncated body).
    pub fn is_eof(&self) -> bool {
        self.kind == DecodeErrorKind::Eof
    }
}

/// Decodes a JSON body into `T`.
///
/// # Errors
///
/// [`DecodeError`] naming the JSON path that failed when `bytes` is not valid JSON, is
/// truncated, has trailing characters, or does not fit `T`. A leading UTF-8 byte order mark
/// is ignored.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    // RFC 8259 §8.1 lets a parser ignore a leading byte order mark.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // Fast path: plain serde_json. Tracking the path costs about a third of the decode
    // time, and decoding is deterministic, so the path is only computed for a body that
    // fails (by decoding it again, tracked). The body's UTF-8 is checked once, up front:
    // decoding from a `str` then skips the check serde_json makes on every string of a
    // byte slice (a seventh of the decode's instructions on a page with every field).
    if let Ok(text) = std::str::from_utf8(bytes)
        && let Ok(value) = serde_json::from_str(text)
    {
        return Ok(value);
    }
    decode_tracked(bytes)
}

/// [`decode`] tracking the JSON path of every value, to name the one that failed.
fn decode_tracked<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = match serde_path_to_error::deserialize(&mut de) {
        Ok(v) => v,
        Err(e) => {
            let path = e.path().to_string();
            return Err(from_json(path, e.into_inner()));
        }
    };
    de.end().map_err(|e| from_json(".".to_owned(), e))?;
    Ok(value)
}

/// Decodes an already parsed JSON value into `T`; a failure names its path under `prefix`
/// (line and column are 0: there is no text).
pub(crate) fn decode_value<T: DeserializeOwned>(
    value: &serde_json::Value,
    prefix: &str,
) -> Result<T, DecodeError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = e.path().to_string();
        let path = match (prefix, inner.as_str()) {
            ("", p) => p.to_owned(),
            (pre, ".") => pre.to_owned(),
            (pre, p) => format!("{pre}.{p}"),
        };
        from_json(path, e.into_inner())
    })
}

fn from_json(path: String, e: serde_json::Error) -> DecodeError {
    use serde_json::error::Category;
    let kind = match e.classify() {
        Category::Eof => DecodeErrorKind::Eof,
        Category::Syntax | Category::Io => DecodeErrorKind::Syntax,
        Category::Data => DecodeErrorKind::Data,
    };
    let (line, column) = (e.line(), e.column());
    // serde_json appends " at line L column C"; we report the position separately.
    let mut message = e.to_string();
    let suffix = format!(" at line {line} column {column}");
    if let Some(stripped) = message.strip_suffix(&suffix) {
        message = stripped.to_owned();
    }
    DecodeError {
        path,
        message,
        line,
        column,
        kind,
    }
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DecodeErrorKind::Syntax => "syntax",
            DecodeErrorKind::Eof => "eof",
            DecodeErrorKind::Data => "data",
        })
    }
}
