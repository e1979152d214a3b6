//! The project's own JSONL (`xdm events`, `xdm sync --archive`, `xdm export`): one record per
//! line, the event's members with the objects it references under `includes`, and for events
//! an account archive had, `xdm_archive` (the archive's record) and `xdm_source: "archive"`
//! (when the event's JSON was made from it).

use std::io::BufRead;

use dm_model::{DmEvent, Includes};
use serde_json::{Map, Value};

use super::ImportError;

/// The member holding the account archive's record of an event.
pub const ARCHIVE_MEMBER: &str = "xdm_archive";
/// The member saying where the event's JSON came from (`archive`; absent: the API).
pub const SOURCE_MEMBER: &str = "xdm_source";

/// One record.
#[derive(Debug)]
pub(crate) struct Record {
    pub event: DmEvent,
    pub includes: Includes,
    pub source: String,
    pub archive: Option<Value>,
}

/// Reads the record on line `line` of `file`.
pub(crate) fn record(file: &str, line: usize, text: &str) -> Result<Record, ImportError> {
    let bad = |column: usize, reason: String| ImportError::Malformed {
        file: file.to_owned(),
        line,
        column,
        reason,
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let mut object: Map<String, Value> = serde::Deserialize::deserialize(&mut de).map_err(|e| {
        let reason = e.to_string();
        let reason = reason
            .rsplit_once(" at line ")
            .map_or(reason.as_str(), |(r, _)| r)
            .to_owned();
        bad(e.column(), reason)
    })?;
    de.end()
        .map_err(|e| bad(e.column(), "text after the record".into()))?;
    let includes = match object.remove("includes") {
        Some(v) => serde_path_to_error(v, "includes").map_err(|r| bad(1, r))?,
        None => Includes::default(),
    };
    let archive = object.remove(ARCHIVE_MEMBER);
    let source = match object.remove(SOURCE_MEMBER) {
        None => "api".to_owned(),
        Some(Value::String(s)) if crate::batch::is_derived(&s) => s,
        Some(other) => {
            return Err(bad(
                1,
                format!(
                    "`{SOURCE_MEMBER}` is {other}; only \"archive\" and \"realtime\" are known"
                ),
            ));
        }
    };
    let event: DmEvent = serde_path_to_error(Value::Object(object), "").map_err(|r| bad(1, r))?;
    Ok(Record {
        event,
        includes,
        source,
        archive,
    })
}

/// Decodes `v` as `T`, naming the member that failed.
fn serde_path_to_error<T: serde::de::DeserializeOwned>(v: Value, at: &str) -> Result<T, String> {
    T::deserialize(v).map_err(|e| {
        if at.is_empty() {
            format!("not a DM event: {e}")
        } else {
            format!("`{at}`: {e}")
        }
    })
}

/// Reads every line of `reader`, calling `each` with each record (blank lines skipped);
/// `progress` gets the bytes read so far.
pub(crate) fn read_all(
    file: &str,
    reader: impl BufRead,
    mut each: impl FnMut(Record) -> Result<(), ImportError>,
    mut progress: impl FnMut(u64),
) -> Result<u64, ImportError> {
    let mut bytes = 0u64;
    let mut count = 0u64;
    for (i, line) in reader.split(b'\n').enumerate() {
        let line = line.map_err(|e| ImportError::io(std::path::Path::new(file), e))?;
        bytes += line.len() as u64 + 1;
        let text = std::str::from_utf8(&line).map_err(|e| ImportError::Malformed {
            file: file.to_owned(),
            line: i + 1,
            column: e.valid_up_to() + 1,
            reason: "not UTF-8 text".into(),
        })?;
        let text = text.trim_end_matches('\r');
        if text.trim().is_empty() {
            continue;
        }
        each(record(file, i + 1, text)?)?;
        count += 1;
        if count.is_multiple_of(1000) {
            progress(bytes);
        }
    }
    progress(bytes);
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_and_their_members() {
        let r = record(
            "a.jsonl",
            1,
            r#"{"id":"5","event_type":"MessageCreate","text":"hi","includes":{"users":[{"id":"7","username":"seven"}]},"xdm_archive":{"messageCreate":{"id":"5"}},"xdm_source":"archive"}"#,
        )
        .unwrap();
        assert_eq!(r.event.id.as_str(), "5");
        assert_eq!(r.includes.users.len(), 1);
        assert_eq!(r.source, "archive");
        assert!(r.archive.is_some());
        assert!(r.event.extra.is_empty(), "{:?}", r.event.extra);
        let e = record("a.jsonl", 3, r#"{"id": "x"}"#).unwrap_err();
        assert!(e.to_string().contains("a.jsonl line 3"), "{e}");
        let e = record(
            "a.jsonl",
            4,
            r#"{"id": "1", "event_type": "MessageCreate"} x"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("line 4"), "{e}");
        let e = record("a.jsonl", 5, "[1]").unwrap_err();
        assert!(e.to_string().contains("line 5"), "{e}");
    }
}
