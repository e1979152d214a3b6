//! The three base64 flavours of X Chat: standard (keys, wrapped keys, Thrift blobs),
//! standard without padding (signatures, signed ciphertext) and URL-safe without padding
//! (fingerprints). Decoders accept padded and unpadded input alike.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};

use crate::ChatError;

/// Standard base64 with padding.
pub fn encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Standard base64 without padding (signatures, signed payload components).
pub fn encode_no_pad(bytes: &[u8]) -> String {
    STANDARD_NO_PAD.encode(bytes)
}

/// URL-safe base64 without padding (fingerprints).
pub fn encode_url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes standard base64, padded or not.
///
/// # Errors
/// [`ChatError::Base64`] naming `what`.
pub fn decode(text: &str, what: &'static str) -> Result<Vec<u8>, ChatError> {
    let trimmed = text.trim_end_matches('=');
    if text.len() - trimmed.len() > 2 {
        return Err(ChatError::Base64 { what });
    }
    STANDARD_NO_PAD
        .decode(trimmed)
        .map_err(|_| ChatError::Base64 { what })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_and_unpadded_decode_alike() {
        assert_eq!(decode("aGk=", "x").unwrap(), b"hi");
        assert_eq!(decode("aGk", "x").unwrap(), b"hi");
        assert!(decode("aGk===", "x").is_err());
        assert!(decode("a", "x").is_err());
        assert!(decode("a-_b", "x").is_err());
    }
}
