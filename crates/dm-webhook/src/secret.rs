//! [`ConsumerSecret`]: the app's API secret, the key of CRC responses and delivery
//! signatures; never printed.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The app's consumer secret (API secret key): X computes CRC challenges and signs every
/// delivery with it (not the bearer token, not an access token).
///
/// Its `Debug` never shows it, and nothing in this crate logs it or puts it in an error.
///
/// ```
/// use dm_webhook::ConsumerSecret;
/// let secret = ConsumerSecret::new("secret");
/// // The reference's test vector (§4.3).
/// assert_eq!(
///     secret.crc_response_token(b"challenge_string"),
///     "sha256=KVLX9CEwUdVdeJfmJAnltj/knkdCqwZJlA1u97xbErw="
/// );
/// assert_eq!(format!("{secret:?}"), "ConsumerSecret([redacted])");
/// ```
#[derive(Clone)]
pub struct ConsumerSecret(Box<[u8]>);

impl ConsumerSecret {
    /// Wraps the secret.
    pub fn new(secret: impl Into<String>) -> Self {
        ConsumerSecret(secret.into().into_bytes().into_boxed_slice())
    }

    fn mac(&self, message: &[u8]) -> HmacSha256 {
        // HMAC takes a key of any length: this cannot fail.
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
        mac.update(message);
        mac
    }

    /// The answer to a CRC challenge: `sha256=` + base64(HMAC-SHA256(secret, token)).
    pub fn crc_response_token(&self, crc_token: &[u8]) -> String {
        format!(
            "sha256={}",
            STANDARD.encode(self.mac(crc_token).finalize().into_bytes())
        )
    }

    /// The `x-twitter-webhooks-signature` X sends with `body` (for tests and senders).
    pub fn sign(&self, body: &[u8]) -> String {
        self.crc_response_token(body)
    }

    /// Whether `header` (`sha256=<base64>`) is the signature of the raw `body`, compared in
    /// constant time (`hmac`'s `verify_slice`).
    pub fn verify(&self, header: &[u8], body: &[u8]) -> bool {
        let Some(encoded) = header.strip_prefix(b"sha256=") else {
            return false;
        };
        let Ok(tag) = STANDARD.decode(encoded.trim_ascii()) else {
            return false;
        };
        self.mac(body).verify_slice(&tag).is_ok()
    }
}

impl fmt::Debug for ConsumerSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ConsumerSecret([redacted])")
    }
}

impl From<String> for ConsumerSecret {
    fn from(s: String) -> Self {
        ConsumerSecret::new(s)
    }
}

impl From<&str> for ConsumerSecret {
    fn from(s: &str) -> Self {
        ConsumerSecret::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_signature_vector_verifies_and_nothing_else_does() {
        let s = ConsumerSecret::new("secret");
        let body = br#"{"for_user_id":"2244994945"}"#;
        let good = b"sha256=r2p8DS1BxgWdVwvrFFfY2v2MPTnOGigs38KbBiZ2j3Y=";
        assert_eq!(s.sign(body).as_bytes(), good);
        assert!(s.verify(good, body));
        assert!(!s.verify(good, br#"{"for_user_id":"2244994946"}"#));
        assert!(!s.verify(b"r2p8DS1BxgWdVwvrFFfY2v2MPTnOGigs38KbBiZ2j3Y=", body));
        assert!(!s.verify(b"sha256=not base64!", body));
        assert!(!s.verify(b"sha256=", body));
        assert!(!ConsumerSecret::new("other").verify(good, body));
    }
}
