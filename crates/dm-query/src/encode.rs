//! RFC 3986 percent-encoding for path segments and query values.
//!
//! Everything but the unreserved characters (`A-Z a-z 0-9 - . _ ~`) is encoded, so an encoded
//! value can never introduce a `/`, `?`, `#`, `&`, `=`, `,` or `+` of its own.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, PercentEncode, utf8_percent_encode};

/// The characters encoded in a path segment or query value: all but the unreserved ones.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes `s` for use as one path segment.
pub(crate) fn encode_path_segment(s: &str) -> PercentEncode<'_> {
    utf8_percent_encode(s, NOT_UNRESERVED)
}

/// Percent-encodes `s` for use as one query value.
pub(crate) fn encode_query_value(s: &str) -> PercentEncode<'_> {
    utf8_percent_encode(s, NOT_UNRESERVED)
}

/// Truncates untrusted input for use in an error message.
pub(crate) fn truncate(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => format!("{}…", s.get(..i).unwrap_or_default()),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_everything_but_unreserved() {
        assert_eq!(encode_path_segment("a-b_c.d~e").to_string(), "a-b_c.d~e");
        assert_eq!(encode_path_segment("a/b?c#d").to_string(), "a%2Fb%3Fc%23d");
        assert_eq!(
            encode_query_value("x+y=z&w,v %").to_string(),
            "x%2By%3Dz%26w%2Cv%20%25"
        );
        assert_eq!(encode_query_value("☃").to_string(), "%E2%98%83");
    }

    #[test]
    fn truncates_on_char_boundaries() {
        assert_eq!(truncate("héllo", 2), "hé…");
        assert_eq!(truncate("hi", 2), "hi");
    }
}
