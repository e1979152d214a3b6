//! Opaque pagination tokens that encode a position by event id.
//!
//! A token is 24 characters that look like the live API's (`18LAA5FFPEKJA52G0G00ZZZZ`):
//! `1` + a direction (`8` next, `B` previous) + the anchor event id in 13 base32hex digits +
//! a 5-digit checksum bound to the seed and the scope + `ZZZZ`. Because the anchor is an event
//! id, a token stays valid when new events arrive at the head.

use crate::clock::mix;
use crate::dataset::Cursor;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHIJKLMNOPQRSTUV";

fn digit(c: u8) -> Option<u64> {
    ALPHABET.iter().position(|a| *a == c).map(|p| p as u64)
}

fn encode(mut n: u64, len: usize) -> String {
    let mut out = vec![b'0'; len];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET.get((n & 31) as usize).copied().unwrap_or(b'0');
        n >>= 5;
    }
    String::from_utf8(out).unwrap_or_default()
}

fn check(secret: u64, scope: &str, dir: u8, id: u64) -> u64 {
    let mut h = secret ^ u64::from(dir);
    for b in scope.bytes() {
        h = mix(h ^ u64::from(b));
    }
    mix(h ^ id) & ((1 << 25) - 1)
}

/// Encodes a cursor (never `Head`) for a scope key.
pub(crate) fn encode_cursor(secret: u64, scope: &str, cursor: Cursor) -> Option<String> {
    let (dir, id) = match cursor {
        Cursor::Head => return None,
        Cursor::Before(id) => (b'8', id),
        Cursor::After(id) => (b'B', id),
    };
    Some(format!(
        "1{}{}{}ZZZZ",
        dir as char,
        encode(id, 13),
        encode(check(secret, scope, dir, id), 5)
    ))
}

/// Decodes a token; `None` if it was not issued by this server for this scope.
pub(crate) fn decode_cursor(secret: u64, scope: &str, token: &str) -> Option<Cursor> {
    let b = token.as_bytes();
    if b.len() != 24 || b.first() != Some(&b'1') || !token.ends_with("ZZZZ") {
        return None;
    }
    let dir = *b.get(1)?;
    let mut id = 0u64;
    for c in b.get(2..15)? {
        id = id.checked_mul(32)?.checked_add(digit(*c)?)?;
    }
    let mut sum = 0u64;
    for c in b.get(15..20)? {
        sum = sum * 32 + digit(*c)?;
    }
    if sum != check(secret, scope, dir, id) {
        return None;
    }
    match dir {
        b'8' => Some(Cursor::Before(id)),
        b'B' => Some(Cursor::After(id)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let t = encode_cursor(7, "all", Cursor::Before(1_585_800_613_253_812_228)).unwrap();
        assert_eq!(t.len(), 24);
        assert!(t.starts_with("18") && t.ends_with("ZZZZ"));
        assert_eq!(
            decode_cursor(7, "all", &t),
            Some(Cursor::Before(1_585_800_613_253_812_228))
        );
        assert_eq!(decode_cursor(7, "other-scope", &t), None);
        assert_eq!(decode_cursor(8, "all", &t), None);
        let mut bad = t.clone().into_bytes();
        bad[10] = if bad[10] == b'0' { b'1' } else { b'0' };
        assert_eq!(
            decode_cursor(7, "all", &String::from_utf8(bad).unwrap()),
            None
        );
        assert_eq!(decode_cursor(7, "all", "ßßßßßßßßßßßßßßßßßßßßßßßß"), None);
        let p = encode_cursor(7, "all", Cursor::After(u64::MAX)).unwrap();
        assert_eq!(decode_cursor(7, "all", &p), Some(Cursor::After(u64::MAX)));
    }
}
