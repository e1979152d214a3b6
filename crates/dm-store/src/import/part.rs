//! One data file of the archive: `window.YTD.<name>.partN = ` followed by a JSON value.
//!
//! The text is split at the **first** `=` only (a DM can contain the prefix text), the left
//! side must be `window.YTD.<name>.part<N>` (or `window.__THAR_CONFIG` for the manifest),
//! and the right side is read as JSON (a trailing `;` and whitespace are allowed). Errors
//! name the file and the line and column in it.

use serde::de::DeserializeOwned;

use super::ImportError;

/// The JSON value of a data file, as `T`; `file` names it in errors.
pub(crate) fn parse<T: DeserializeOwned>(file: &str, bytes: &[u8]) -> Result<T, ImportError> {
    let malformed = |line: usize, column: usize, reason: String| ImportError::Malformed {
        file: file.to_owned(),
        line,
        column,
        reason,
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = position(bytes, e.valid_up_to());
        malformed(line, column, "not UTF-8 text".into())
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(eq) = text.find('=') else {
        return Err(malformed(
            1,
            1,
            "no `window.YTD.<name>.partN = ` prefix: not a data file of X's archive".into(),
        ));
    };
    let prefix = text[..eq].trim();
    let known = prefix
        .strip_prefix("window.YTD.")
        .and_then(|rest| rest.rsplit_once(".part"))
        .is_some_and(|(name, n)| {
            !name.is_empty()
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !n.is_empty()
                && n.bytes().all(|b| b.is_ascii_digit())
        })
        || prefix == "window.__THAR_CONFIG";
    if !known {
        return Err(malformed(
            1,
            1,
            format!(
                "the prefix `{}` is not `window.YTD.<name>.partN`: not a data file of X's archive",
                prefix.chars().take(60).collect::<String>()
            ),
        ));
    }
    let body = &text[eq + 1..];
    let body = body.trim_end();
    let body = body.strip_suffix(';').unwrap_or(body);
    serde_json::from_str(body).map_err(|e| {
        // serde_json counts lines and columns in the body; the body starts on the prefix's
        // line, after it.
        let (pre_line, pre_col) = position(text.as_bytes(), eq + 1);
        let line = pre_line + e.line().saturating_sub(1);
        let column = if e.line() <= 1 {
            pre_col + e.column().saturating_sub(1)
        } else {
            e.column()
        };
        let reason = e.to_string();
        // serde_json appends " at line L column C": ours replaces it.
        let reason = reason
            .rsplit_once(" at line ")
            .map_or(reason.as_str(), |(r, _)| r)
            .to_owned();
        malformed(line, column, reason)
    })
}

/// The 1-based line and column (in characters) of byte `at`.
fn position(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = &bytes[..at.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn splits_at_the_first_equals_only() {
        let text = r#"window.YTD.direct_messages.part0 = [ {"text" : "window.YTD.direct_messages.part0 = x = y"} ]"#;
        let v: Value = parse("f.js", text.as_bytes()).unwrap();
        assert_eq!(v[0]["text"], "window.YTD.direct_messages.part0 = x = y");
        let v: Value = parse("f.js", b"window.YTD.x.part12 = [ ];\n").unwrap();
        assert_eq!(v, serde_json::json!([]));
        let v: Value = parse("f.js", "\u{feff}window.YTD.x.part0 =\n[\n  1\n]".as_bytes()).unwrap();
        assert_eq!(v, serde_json::json!([1]));
    }

    #[test]
    fn errors_name_the_file_and_position() {
        let e = parse::<Value>(
            "data/direct-messages.js",
            b"window.YTD.direct_messages.part0 = [\n  {\n    \"a\" : 1,\n  }\n]",
        )
        .unwrap_err();
        let ImportError::Malformed { file, line, .. } = &e else {
            panic!("{e}")
        };
        assert_eq!((file.as_str(), *line), ("data/direct-messages.js", 4));
        assert!(
            e.to_string().contains("data/direct-messages.js line 4"),
            "{e}"
        );
        let e = parse::<Value>("f.js", b"window.YTD.x.part0 = [ {").unwrap_err();
        assert!(matches!(e, ImportError::Malformed { line: 1, .. }), "{e}");
        let e = parse::<Value>("f.js", b"var x = [1]").unwrap_err();
        assert!(e.to_string().contains("not a data file"), "{e}");
        let e = parse::<Value>("f.js", b"no prefix at all").unwrap_err();
        assert!(e.to_string().contains("prefix"), "{e}");
        let e = parse::<Value>("f.js", b"window.YTD.x.part0 = [\"\xff\"]").unwrap_err();
        assert!(e.to_string().contains("UTF-8"), "{e}");
    }
}
