//! X Chat (encrypted DMs) in pure Rust, interoperable with the official Chat XDK.
//!
//! No I/O: keys, wire formats and the receive rules; `dm-stream`'s `ChatClient` does the
//! HTTP. Every primitive is a RustCrypto crate:
//!
//! | what | how |
//! |---|---|
//! | identity and signing keys | P-256; SPKI DER (base64) on the API; the 64-byte blob `identity_d ‖ signing_d` as backup ([`PrivateKeys`]) |
//! | key binding | ECDSA(signing, identity SPKI DER); fingerprint = base64url(SHA-256(identity SPKI DER)) |
//! | conversation keys | 32 random bytes, a millisecond version compared numerically ([`KeyVersion`]), ECIES-wrapped to each participant (X9.63 KDF SHA-256, AES-128-GCM, 16-byte nonce) |
//! | messages | XSalsa20-Poly1305 secretbox, `nonce ‖ tag ‖ ct`, of a Thrift `MessageEntryHolder` ([`secretbox`], [`thrift`]) |
//! | media | secretstream XChaCha20-Poly1305, 1024-byte chunks ([`media`]) |
//! | signatures | ECDSA P-256 SHA-256, raw `r ‖ s`, RFC 6979, over comma-joined payloads ([`sign`]) |
//!
//! Secrets ([`PrivateKeys`], [`ConversationKey`], decrypted plaintext) are wiped when
//! dropped and never appear in `Debug` output or errors. Verification fails closed.
//!
//! ```
//! use dm_chat::*;
//!
//! // Two users, their keys registered and fetched (the binding checked on fetch).
//! let (alice, bob) = (PrivateKeys::generate(), PrivateKeys::generate());
//! let alice_pub = VerifiedKeys::own("783214", "1".parse()?, &alice);
//! let reg = bob.registration();
//! let bob_pub = KeyRecord::new("2244994945", "1", reg.public_key, reg.signing_public_key,
//!     reg.identity_public_key_signature).verify()?;
//!
//! // Alice opens the conversation: a key wrapped to both of them, and a message.
//! let conv = ChatConversationId::parse("783214-2244994945", None)?;
//! let change = prepare_key_change(&alice, &alice_pub, &conv, &[alice_pub.clone(), bob_pub.clone()])?;
//! let sent = encrypt_message(&alice, &alice_pub, &conv, &change.key,
//!     &thrift::MessageEntryHolder::text("hi Bob"), &MessageOptions::default())?;
//!
//! // The server relays both as MessageEvents; Bob applies the key change, then reads.
//! let key_event = change.relayed("1", "783214", &conv);
//! let message_event = sent.relayed("2", "783214", &conv);
//! let mut directory = KeyDirectory::new();
//! directory.insert(alice_pub);
//! let mut keys = ConversationKeys::new();
//! keys.apply_key_change(&key_event, "2244994945", &bob, &directory)?;
//! let got = keys.open_message(&message_event, "2244994945", &directory)?;
//! assert_eq!(got.text(), Some("hi Bob"));
//! # Ok::<(), ChatError>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod b64;
mod ckey;
mod conversation;
mod error;
mod keys;
pub mod media;
mod outgoing;
mod receive;
pub mod secretbox;
pub mod sign;
pub mod thrift;
mod version;

pub use ckey::{ConversationKey, unwrap_key};
pub use conversation::ChatConversationId;
pub use error::ChatError;
pub use keys::{
    KeyRecord, KeyRegistration, PrivateKeys, PublicKey, PublicKeys, VerifiedKeys, fingerprint,
    verify_key_binding,
};
pub use outgoing::{
    ActionSignature, GroupAction, GroupState, KeyChange, MessageOptions, OutgoingMessage,
    encrypt_message, new_message_id, prepare_group_create, prepare_group_members_add,
    prepare_key_change, sign_group_change,
};
pub use receive::{
    COMPATIBILITY_GATE_SEQUENCE_ID, ConversationKeys, KeyChangeOutcome, KeyDirectory,
    ReceivedMessage, parse_event,
};
pub use sign::Signature;
pub use version::KeyVersion;

/// The crate README's examples, compiled as doc tests so they never rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct CrateReadmeDoctests;
