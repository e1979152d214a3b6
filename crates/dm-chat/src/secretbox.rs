//! Message contents: XSalsa20-Poly1305 (NaCl secretbox) under the conversation key, laid
//! out as libsodium does, `nonce(24) ‖ tag(16) ‖ ciphertext`, with no associated data (the
//! signature authenticates the context).

use crypto_secretbox::aead::{AeadInPlace, KeyInit};
use crypto_secretbox::{Nonce, Tag, XSalsa20Poly1305};
use rand_core::{OsRng, RngCore};
use zeroize::Zeroizing;

use crate::{ChatError, ConversationKey, b64};

const NONCE: usize = 24;
const TAG: usize = 16;

/// Encrypts `plaintext` with a fresh random nonce.
pub fn seal(key: &ConversationKey, plaintext: &[u8]) -> Vec<u8> {
    let mut nonce = [0u8; NONCE];
    OsRng.fill_bytes(&mut nonce);
    seal_with_nonce(key, &nonce, plaintext)
}

pub(crate) fn seal_with_nonce(
    key: &ConversationKey,
    nonce: &[u8; NONCE],
    plaintext: &[u8],
) -> Vec<u8> {
    let cipher = XSalsa20Poly1305::new(key.bytes().into());
    let mut buf = plaintext.to_vec();
    let tag = cipher
        .encrypt_in_place_detached(Nonce::from_slice(nonce), b"", &mut buf)
        .expect("secretbox encrypts any message this crate builds");
    let mut out = Vec::with_capacity(NONCE + TAG + buf.len());
    out.extend_from_slice(nonce);
    out.extend_from_slice(&tag);
    out.extend_from_slice(&buf);
    out
}

/// Decrypts `nonce ‖ tag ‖ ciphertext`; the plaintext is wiped when dropped.
///
/// # Errors
/// [`ChatError::Decrypt`] when it is too short, the key is wrong or the data was changed.
pub fn open(key: &ConversationKey, data: &[u8]) -> Result<Zeroizing<Vec<u8>>, ChatError> {
    if data.len() < NONCE + TAG {
        return Err(ChatError::Decrypt("message contents (too short)"));
    }
    let cipher = XSalsa20Poly1305::new(key.bytes().into());
    let mut buf = Zeroizing::new(data[NONCE + TAG..].to_vec());
    cipher
        .decrypt_in_place_detached(
            Nonce::from_slice(&data[..NONCE]),
            b"",
            &mut buf,
            Tag::from_slice(&data[NONCE..NONCE + TAG]),
        )
        .map_err(|_| ChatError::Decrypt("message contents"))?;
    Ok(buf)
}

/// The SDK's generic `encrypt` (group titles, avatars): secretbox of UTF-8, standard base64.
pub fn encrypt_text(key: &ConversationKey, text: &str) -> String {
    b64::encode(&seal(key, text.as_bytes()))
}

/// The SDK's generic `decrypt`.
///
/// # Errors
/// [`ChatError::Base64`], [`ChatError::Decrypt`], or [`ChatError::Invalid`] for non-UTF-8.
pub fn decrypt_text(key: &ConversationKey, b64_text: &str) -> Result<String, ChatError> {
    let plain = open(key, &b64::decode(b64_text, "encrypted text")?)?;
    String::from_utf8(plain.to_vec()).map_err(|_| ChatError::invalid("decrypted text", "not UTF-8"))
}
