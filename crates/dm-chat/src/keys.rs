//! Identity and signing keys (both NIST P-256), the 64-byte key blob, public keys in SPKI
//! DER (the API) and SEC1 (inside the SDK), key binding signatures and fingerprints.

use std::fmt;

use p256::ecdsa::SigningKey;
use p256::pkcs8::{DecodePublicKey, EncodePublicKey};
use p256::{PublicKey as P256Public, SecretKey};
use rand_core::OsRng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::sign::{Signature, verify};
use crate::{ChatError, KeyVersion, b64};

/// A P-256 public key (identity or signing).
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey(P256Public);

impl PublicKey {
    /// From SPKI DER (91 bytes, what the API carries).
    ///
    /// # Errors
    /// [`ChatError::Key`] when it is not a P-256 SPKI.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, ChatError> {
        P256Public::from_public_key_der(der)
            .map(PublicKey)
            .map_err(|_| ChatError::Key("not a P-256 SubjectPublicKeyInfo".into()))
    }

    /// From SEC1 (65 bytes uncompressed or 33 compressed, what the SDK shows).
    ///
    /// # Errors
    /// [`ChatError::Key`] when it is not a point of the curve.
    pub fn from_sec1(bytes: &[u8]) -> Result<Self, ChatError> {
        P256Public::from_sec1_bytes(bytes)
            .map(PublicKey)
            .map_err(|_| ChatError::Key("not a P-256 SEC1 point".into()))
    }

    /// From base64 of SPKI DER or of SEC1 (told apart by their first byte), padded or not.
    ///
    /// # Errors
    /// [`ChatError::Base64`] or [`ChatError::Key`].
    pub fn from_base64(text: &str) -> Result<Self, ChatError> {
        let bytes = b64::decode(text, "public key")?;
        match bytes.first() {
            Some(0x30) => Self::from_spki_der(&bytes),
            _ => Self::from_sec1(&bytes),
        }
    }

    /// SPKI DER.
    pub fn to_spki_der(&self) -> Vec<u8> {
        self.0
            .to_public_key_der()
            .map(|d| d.as_bytes().to_vec())
            // Encoding a valid P-256 key cannot fail; an empty key never verifies anything.
            .unwrap_or_default()
    }

    /// Standard base64 of SPKI DER (the API's `public_key`, `signing_public_key`).
    pub fn to_spki_base64(&self) -> String {
        b64::encode(&self.to_spki_der())
    }

    /// SEC1 uncompressed (`0x04 ‖ x ‖ y`, 65 bytes).
    pub fn to_sec1(&self) -> Vec<u8> {
        p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&self.0, false)
            .as_bytes()
            .to_vec()
    }

    pub(crate) fn inner(&self) -> &P256Public {
        &self.0
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_spki_base64())
    }
}

/// The two public keys of a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKeys {
    /// The identity key: conversation keys are wrapped to it (ECDH).
    pub identity: PublicKey,
    /// The signing key: messages and key changes are signed with it (ECDSA).
    pub signing: PublicKey,
}

impl PublicKeys {
    /// base64url-no-pad(SHA-256(identity SPKI DER)), 43 characters.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.identity)
    }
}

/// A public key's fingerprint: base64url-no-pad(SHA-256(SPKI DER)).
pub fn fingerprint(key: &PublicKey) -> String {
    b64::encode_url(&Sha256::digest(key.to_spki_der()))
}

/// The registration body's `public_key` object (`POST /2/users/{id}/public_keys`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct KeyRegistration {
    /// ECDSA(signing key, identity SPKI DER), raw r‖s, standard base64.
    pub identity_public_key_signature: String,
    /// The identity key, SPKI DER, standard base64.
    pub public_key: String,
    /// The identity key's fingerprint.
    pub public_key_fingerprint: String,
    /// `"CustomPin"`, as the SDK registers.
    pub registration_method: String,
    /// The signing key, SPKI DER, standard base64.
    pub signing_public_key: String,
    /// ECDSA(identity key, signing SPKI DER): the reverse binding.
    pub signing_public_key_signature: String,
}

/// A user's private keys: the identity key (ECDH) and the signing key (ECDSA).
///
/// Both are wiped from memory when dropped, and never shown by `Debug`. The supported
/// backup is the 64-byte blob of [`PrivateKeys::to_blob`] (`identity_d ‖ signing_d`, what
/// the SDK's `export_keys` returns and `import_keys` accepts).
///
/// ```
/// use dm_chat::PrivateKeys;
///
/// let keys = PrivateKeys::generate();
/// let again = PrivateKeys::from_blob(&keys.to_blob())?;
/// assert_eq!(keys.public_keys(), again.public_keys());
/// assert!(!format!("{keys:?}").contains(&format!("{:?}", &keys.to_blob()[..4])));
/// let reg = keys.registration();
/// let public = keys.public_keys();
/// assert!(dm_chat::verify_key_binding(&public.identity, &public.signing, &reg.identity_public_key_signature).is_ok());
/// # Ok::<(), dm_chat::ChatError>(())
/// ```
pub struct PrivateKeys {
    identity: SecretKey,
    signing: SecretKey,
}

impl PrivateKeys {
    /// Two fresh keys from the operating system's CSPRNG.
    pub fn generate() -> Self {
        PrivateKeys {
            identity: SecretKey::random(&mut OsRng),
            signing: SecretKey::random(&mut OsRng),
        }
    }

    /// From the 64-byte blob `identity_d(32) ‖ signing_d(32)`.
    ///
    /// # Errors
    /// [`ChatError::Key`] when the blob is not 64 bytes or a scalar is zero or too large
    /// (the message never contains the bytes).
    pub fn from_blob(blob: &[u8]) -> Result<Self, ChatError> {
        if blob.len() != 64 {
            return Err(ChatError::Key(format!(
                "a key blob is 64 bytes (identity ‖ signing), got {}",
                blob.len()
            )));
        }
        let scalar = |b: &[u8], which: &str| {
            SecretKey::from_slice(b)
                .map_err(|_| ChatError::Key(format!("the {which} scalar is not a valid P-256 key")))
        };
        Ok(PrivateKeys {
            identity: scalar(&blob[..32], "identity")?,
            signing: scalar(&blob[32..], "signing")?,
        })
    }

    /// The 64-byte blob (`identity_d ‖ signing_d`), wiped when dropped. Treat it as the
    /// account's chat password: whoever holds it reads every conversation.
    pub fn to_blob(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(64));
        out.extend_from_slice(&self.identity.to_bytes());
        out.extend_from_slice(&self.signing.to_bytes());
        out
    }

    /// The matching public keys.
    pub fn public_keys(&self) -> PublicKeys {
        PublicKeys {
            identity: PublicKey(self.identity.public_key()),
            signing: PublicKey(self.signing.public_key()),
        }
    }

    /// Signs `data` with the signing key (ECDSA P-256 SHA-256, RFC 6979, raw r‖s, not
    /// low-S normalized: byte-identical to the SDK's `sign`).
    pub fn sign(&self, data: &[u8]) -> Signature {
        Signature::create(&SigningKey::from(&self.signing), data)
    }

    /// Signs with the identity key (only the reverse key binding does this).
    fn sign_with_identity(&self, data: &[u8]) -> Signature {
        Signature::create(&SigningKey::from(&self.identity), data)
    }

    /// The registration payload: both SPKIs, both binding signatures, the fingerprint.
    pub fn registration(&self) -> KeyRegistration {
        let public = self.public_keys();
        let identity_der = public.identity.to_spki_der();
        let signing_der = public.signing.to_spki_der();
        KeyRegistration {
            identity_public_key_signature: b64::encode(self.sign(&identity_der).as_bytes()),
            public_key: b64::encode(&identity_der),
            public_key_fingerprint: public.fingerprint(),
            registration_method: "CustomPin".into(),
            signing_public_key: b64::encode(&signing_der),
            signing_public_key_signature: b64::encode(
                self.sign_with_identity(&signing_der).as_bytes(),
            ),
        }
    }

    pub(crate) fn identity_secret(&self) -> &SecretKey {
        &self.identity
    }
}

impl fmt::Debug for PrivateKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKeys")
            .field("fingerprint", &self.public_keys().fingerprint())
            .finish_non_exhaustive()
    }
}

/// Checks that `signature` (standard base64, padded or not, of raw r‖s) is the signing
/// key's ECDSA signature over the identity key's SPKI DER: the check to make before
/// wrapping a conversation key to a fetched record.
///
/// # Errors
/// [`ChatError::Signature`] when it does not verify (fails closed on any malformed input).
pub fn verify_key_binding(
    identity: &PublicKey,
    signing: &PublicKey,
    signature: &str,
) -> Result<(), ChatError> {
    let sig = Signature::from_base64(signature)?;
    verify(signing, &identity.to_spki_der(), &sig)
        .map_err(|_| ChatError::Signature("the key binding signature does not verify".into()))
}

/// A user's public-key record as the API returns it (`GET /2/users/{id}/public_keys`),
/// before its binding is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyRecord {
    /// Whose keys.
    pub user_id: String,
    /// `public_key_version`.
    pub version: String,
    /// `public_key` (identity, SPKI base64).
    pub identity: String,
    /// `signing_public_key` (SPKI base64).
    pub signing: String,
    /// `identity_public_key_signature`.
    pub identity_signature: String,
}

impl KeyRecord {
    /// A record from its API fields.
    pub fn new(
        user_id: impl Into<String>,
        version: impl Into<String>,
        identity: impl Into<String>,
        signing: impl Into<String>,
        identity_signature: impl Into<String>,
    ) -> Self {
        KeyRecord {
            user_id: user_id.into(),
            version: version.into(),
            identity: identity.into(),
            signing: signing.into(),
            identity_signature: identity_signature.into(),
        }
    }

    /// Parses the keys and checks the binding signature.
    ///
    /// # Errors
    /// [`ChatError::Key`], [`ChatError::Invalid`] or [`ChatError::Signature`]: the record
    /// cannot be used (nothing is wrapped to it, nothing signed by it is trusted).
    pub fn verify(&self) -> Result<VerifiedKeys, ChatError> {
        let version: KeyVersion = self.version.parse()?;
        let identity = PublicKey::from_base64(&self.identity)?;
        let signing = PublicKey::from_base64(&self.signing)?;
        verify_key_binding(&identity, &signing, &self.identity_signature)?;
        Ok(VerifiedKeys {
            user_id: self.user_id.clone(),
            version,
            keys: PublicKeys { identity, signing },
        })
    }
}

/// A user's public keys whose binding signature verified: the only keys conversation keys
/// are wrapped to and signatures are checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedKeys {
    user_id: String,
    version: KeyVersion,
    keys: PublicKeys,
}

impl VerifiedKeys {
    /// Our own keys (verified by construction).
    pub fn own(user_id: impl Into<String>, version: KeyVersion, keys: &PrivateKeys) -> Self {
        VerifiedKeys {
            user_id: user_id.into(),
            version,
            keys: keys.public_keys(),
        }
    }

    /// Whose keys.
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// The public key version.
    pub fn version(&self) -> &KeyVersion {
        &self.version
    }

    /// The keys.
    pub fn keys(&self) -> &PublicKeys {
        &self.keys
    }
}
