//! Properties over untrusted input: header parsing and OAuth percent-encoding.

use dm_transport::RateLimit;
use dm_transport::oauth1::percent_encode;
use proptest::prelude::*;

proptest! {
    #[test]
    fn percent_encoding_is_rfc3986_and_reversible(s in any::<String>()) {
        let encoded = percent_encode(&s);
        let bytes = encoded.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'%' {
                prop_assert!(i + 2 < bytes.len(), "truncated escape");
                let hex = &encoded[i + 1..i + 3];
                prop_assert!(hex.chars().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()), "{hex}");
                i += 3;
            } else {
                prop_assert!(b.is_ascii_alphanumeric() || b"-._~".contains(&b), "{}", b as char);
                i += 1;
            }
        }
        let decoded = percent_encoding::percent_decode_str(&encoded).decode_utf8().unwrap();
        prop_assert_eq!(decoded, s);
    }

    #[test]
    fn rate_limit_headers_never_panic(limit in "\\PC{0,12}", remaining in "\\PC{0,12}", reset in "\\PC{0,12}") {
        let mut headers = http::HeaderMap::new();
        for (name, value) in [("x-rate-limit-limit", &limit), ("x-rate-limit-remaining", &remaining), ("x-rate-limit-reset", &reset)] {
            if let Ok(v) = http::HeaderValue::from_str(value) {
                headers.insert(name, v);
            }
        }
        let parsed = RateLimit::from_headers(&headers);
        let all = (limit.trim().parse::<u64>(), remaining.trim().parse::<u64>(), reset.trim().parse::<u64>());
        match all {
            (Ok(l), Ok(r), Ok(t)) if headers.len() == 3 => {
                let p = parsed.unwrap();
                prop_assert_eq!((p.limit, p.remaining, p.reset), (l, r, t));
            }
            _ => prop_assert!(parsed.is_none()),
        }
    }
}
