//! Conversation keys: 32 random bytes and a version, wrapped (ECIES) to each participant.

use std::fmt;

use aes_gcm::aead::consts::U16;
use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::aes::Aes128;
use aes_gcm::{AesGcm, Nonce, Tag};
use p256::ecdh::diffie_hellman;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{NonZeroScalar, SecretKey};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::keys::{PrivateKeys, PublicKey};
use crate::{ChatError, KeyVersion, b64};

/// AES-128-GCM with the SDK's 16-byte nonce.
type Aes128Gcm16 = AesGcm<Aes128, U16>;

/// Bytes of an uncompressed SEC1 point.
const POINT: usize = 65;
/// Bytes of a GCM tag.
const TAG: usize = 16;

/// A conversation key and its version. The key is wiped when dropped and never shown.
#[derive(Clone)]
pub struct ConversationKey {
    key: Zeroizing<[u8; 32]>,
    version: KeyVersion,
}

impl ConversationKey {
    /// A fresh random key, versioned with the current time in milliseconds.
    pub fn generate() -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(key.as_mut());
        ConversationKey {
            key,
            version: KeyVersion::now(),
        }
    }

    /// A key from its bytes and version.
    pub fn new(key: [u8; 32], version: KeyVersion) -> Self {
        ConversationKey {
            key: Zeroizing::new(key),
            version,
        }
    }

    /// The key bytes.
    pub fn bytes(&self) -> &[u8; 32] {
        &self.key
    }

    /// Its version.
    pub fn version(&self) -> &KeyVersion {
        &self.version
    }

    /// Wraps the key to a recipient's identity key (ECIES): standard base64 of
    /// `eph_pub(65) ‖ AES-128-GCM(ct) ‖ tag(16)`.
    pub fn wrap(&self, recipient: &PublicKey) -> String {
        wrap_with(&SecretKey::random(&mut OsRng), recipient, self.key.as_ref())
    }
}

impl fmt::Debug for ConversationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConversationKey")
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// ANSI X9.63 KDF with SHA-256, one block: `SHA256(Z ‖ be32(1) ‖ eph_pub)` → AES key ‖ IV.
fn kdf(shared_x: &[u8], eph_pub: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut h = Sha256::new();
    h.update(shared_x);
    h.update(1u32.to_be_bytes());
    h.update(eph_pub);
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(&h.finalize());
    out
}

/// ECIES with a given ephemeral key (tests pin it; [`ConversationKey::wrap`] draws one).
pub(crate) fn wrap_with(ephemeral: &SecretKey, recipient: &PublicKey, plaintext: &[u8]) -> String {
    let eph_pub = ephemeral.public_key().to_encoded_point(false);
    let shared = diffie_hellman(ephemeral.to_nonzero_scalar(), recipient.inner().as_affine());
    let okm = kdf(shared.raw_secret_bytes(), eph_pub.as_bytes());
    let cipher = Aes128Gcm16::new_from_slice(&okm[..16]).expect("16-byte AES-128 key");
    let mut buf = plaintext.to_vec();
    let tag = cipher
        .encrypt_in_place_detached(Nonce::<U16>::from_slice(&okm[16..]), b"", &mut buf)
        .expect("AES-GCM encrypts any length this crate wraps");
    let mut out = Vec::with_capacity(POINT + buf.len() + TAG);
    out.extend_from_slice(eph_pub.as_bytes());
    out.extend_from_slice(&buf);
    out.extend_from_slice(&tag);
    b64::encode(&out)
}

/// Unwraps an ECIES-wrapped conversation key with our identity key.
///
/// # Errors
/// [`ChatError::Base64`], [`ChatError::Key`] (bad ephemeral point), [`ChatError::Decrypt`]
/// (wrong key or tampered), or [`ChatError::Invalid`] when the key is not 32 bytes.
pub fn unwrap_key(
    keys: &PrivateKeys,
    wrapped: &str,
    version: KeyVersion,
) -> Result<ConversationKey, ChatError> {
    let plain = unwrap_bytes(keys.identity_secret().to_nonzero_scalar(), wrapped)?;
    let key: [u8; 32] = plain.as_slice().try_into().map_err(|_| {
        ChatError::invalid(
            "conversation key",
            format!("unwrapped to {} bytes, not 32", plain.len()),
        )
    })?;
    Ok(ConversationKey::new(key, version))
}

fn unwrap_bytes(identity: NonZeroScalar, wrapped: &str) -> Result<Zeroizing<Vec<u8>>, ChatError> {
    let data = b64::decode(wrapped, "wrapped conversation key")?;
    if data.len() < POINT + TAG {
        return Err(ChatError::Decrypt("a wrapped key (too short)"));
    }
    let eph = PublicKey::from_sec1(&data[..POINT])?;
    let shared = diffie_hellman(identity, eph.inner().as_affine());
    let okm = kdf(shared.raw_secret_bytes(), &data[..POINT]);
    let cipher = Aes128Gcm16::new_from_slice(&okm[..16]).expect("16-byte AES-128 key");
    let body = &data[POINT..data.len() - TAG];
    let tag = Tag::<U16>::from_slice(&data[data.len() - TAG..]);
    let mut buf = Zeroizing::new(body.to_vec());
    cipher
        .decrypt_in_place_detached(Nonce::<U16>::from_slice(&okm[16..]), b"", &mut buf, tag)
        .map_err(|_| ChatError::Decrypt("a wrapped conversation key"))?;
    Ok(buf)
}
