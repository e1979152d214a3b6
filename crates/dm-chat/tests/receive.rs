//! The receive rules: what verifies is shown, everything else is refused.

use dm_chat::thrift::{EventDetail, MessageEntryHolder, MessageEvent};
use dm_chat::*;

const ALICE: &str = "783214";
const BOB: &str = "2244994945";

struct World {
    alice: PrivateKeys,
    bob: PrivateKeys,
    alice_pub: VerifiedKeys,
    bob_pub: VerifiedKeys,
    conv: ChatConversationId,
    dir: KeyDirectory,
}

fn world() -> World {
    let alice = PrivateKeys::generate();
    let bob = PrivateKeys::generate();
    let alice_pub = VerifiedKeys::own(ALICE, "1".parse().unwrap(), &alice);
    let bob_pub = VerifiedKeys::own(BOB, "3".parse().unwrap(), &bob);
    let mut dir = KeyDirectory::new();
    dir.insert(alice_pub.clone());
    dir.insert(bob_pub.clone());
    World {
        conv: ChatConversationId::parse(&format!("{BOB}-{ALICE}"), None).unwrap(),
        alice,
        bob,
        alice_pub,
        bob_pub,
        dir,
    }
}

fn key_change(w: &World, seq: &str) -> (KeyChange, MessageEvent) {
    let c = prepare_key_change(
        &w.alice,
        &w.alice_pub,
        &w.conv,
        &[w.alice_pub.clone(), w.bob_pub.clone()],
    )
    .unwrap();
    let e = c.relayed(seq, ALICE, &w.conv);
    (c, e)
}

fn send(w: &World, key: &ConversationKey, text: &str) -> MessageEvent {
    encrypt_message(
        &w.alice,
        &w.alice_pub,
        &w.conv,
        key,
        &MessageEntryHolder::text(text),
        &MessageOptions::default(),
    )
    .unwrap()
    .relayed("5", ALICE, &w.conv)
}

#[test]
fn a_verified_key_change_and_message_read_as_text() {
    let w = world();
    let (change, ev) = key_change(&w, "2080000000000000000");
    let mut keys = ConversationKeys::new();
    let out = keys.apply_key_change(&ev, BOB, &w.bob, &w.dir).unwrap();
    assert_eq!(
        out,
        KeyChangeOutcome::Verified(change.key.version().clone())
    );
    assert_eq!(keys.sending_key().unwrap().bytes(), change.key.bytes());
    let m = keys
        .open_message(&send(&w, &change.key, "hello"), BOB, &w.dir)
        .unwrap();
    assert_eq!(m.text(), Some("hello"));
    assert_eq!(m.sender_id, ALICE);
    assert!(m.key_verified);
    // A participant not in the change gets nothing.
    let eve = PrivateKeys::generate();
    assert_eq!(
        ConversationKeys::new()
            .apply_key_change(&ev, "1", &eve, &w.dir)
            .unwrap(),
        KeyChangeOutcome::NotForUs
    );
}

#[test]
fn tampered_ciphertext_is_refused() {
    let w = world();
    let (change, ev) = key_change(&w, "2080000000000000000");
    let mut keys = ConversationKeys::new();
    keys.apply_key_change(&ev, BOB, &w.bob, &w.dir).unwrap();
    let mut m = send(&w, &change.key, "hello");
    if let Some(EventDetail::MessageCreate(c)) = &mut m.detail {
        let contents = c.contents.as_mut().unwrap();
        let last = contents.len() - 1;
        contents[last] ^= 1;
    }
    let e = keys.open_message(&m, BOB, &w.dir).unwrap_err();
    assert!(matches!(e, ChatError::Signature(_)), "{e}");
}

#[test]
fn a_forged_signature_is_refused() {
    let w = world();
    let (change, ev) = key_change(&w, "2080000000000000000");
    let mut keys = ConversationKeys::new();
    keys.apply_key_change(&ev, BOB, &w.bob, &w.dir).unwrap();
    // Mallory re-signs Alice's message with her own key, claiming Alice's key version.
    let mallory = PrivateKeys::generate();
    let forged_sender = VerifiedKeys::own(ALICE, "1".parse().unwrap(), &mallory);
    let m = encrypt_message(
        &mallory,
        &forged_sender,
        &w.conv,
        &change.key,
        &MessageEntryHolder::text("pay me"),
        &MessageOptions::default(),
    )
    .unwrap()
    .relayed("6", ALICE, &w.conv);
    let e = keys.open_message(&m, BOB, &w.dir).unwrap_err();
    assert!(matches!(e, ChatError::Signature(_)), "{e}");
    // Claiming a sender whose keys we never verified fails too.
    let mut other = send(&w, &change.key, "x");
    other.sender_id = Some("42".into());
    assert!(keys.open_message(&other, BOB, &w.dir).is_err());
}

#[test]
fn a_wrong_key_version_is_refused() {
    let w = world();
    let (change, ev) = key_change(&w, "2080000000000000000");
    let mut keys = ConversationKeys::new();
    keys.apply_key_change(&ev, BOB, &w.bob, &w.dir).unwrap();
    // Encrypted under a key of a version Bob never received.
    let other = ConversationKey::new([9; 32], "99999999999999".parse().unwrap());
    let e = keys
        .open_message(&send(&w, &other, "x"), BOB, &w.dir)
        .unwrap_err();
    assert!(matches!(e, ChatError::UnknownKeyVersion(_)), "{e}");
    // Labelled with Bob's version but encrypted under another key.
    let liar = ConversationKey::new([9; 32], change.key.version().clone());
    let e = keys
        .open_message(&send(&w, &liar, "x"), BOB, &w.dir)
        .unwrap_err();
    assert!(matches!(e, ChatError::Decrypt(_)), "{e}");
}

#[test]
fn an_unverifiable_key_change_is_refused_above_the_gate_and_decrypt_only_below() {
    let w = world();
    let (good, good_ev) = key_change(&w, "2080000000000000000");
    let mut keys = ConversationKeys::new();
    keys.apply_key_change(&good_ev, BOB, &w.bob, &w.dir)
        .unwrap();

    // A newer key change whose signature is broken.
    std::thread::sleep(std::time::Duration::from_millis(3));
    let (bad, mut bad_ev) = key_change(&w, "2080000000000000001");
    bad_ev.signature.as_mut().unwrap().signature = Some(good.action_signature.signature.clone());
    assert!(bad.key.version() > good.key.version());
    let e = keys
        .apply_key_change(&bad_ev, BOB, &w.bob, &w.dir)
        .unwrap_err();
    assert!(matches!(e, ChatError::Signature(_)), "{e}");
    assert!(keys.get(bad.key.version()).is_none());

    // Below the gate: adopted for decryption, but never for sending.
    bad_ev.sequence_id = Some((COMPATIBILITY_GATE_SEQUENCE_ID - 1).to_string());
    let out = keys.apply_key_change(&bad_ev, BOB, &w.bob, &w.dir).unwrap();
    assert!(
        matches!(out, KeyChangeOutcome::AdoptedUnverified { .. }),
        "{out:?}"
    );
    assert_eq!(keys.sending_key().unwrap().version(), good.key.version());
    let m = keys
        .open_message(&send(&w, &bad.key, "old"), BOB, &w.dir)
        .unwrap();
    assert_eq!(m.text(), Some("old"));
    assert!(!m.key_verified);
}

#[test]
fn the_sending_version_is_the_numerically_newest_verified_key() {
    let w = world();
    let mut keys = ConversationKeys::new();
    keys.insert_own(ConversationKey::new([1; 32], "999".parse().unwrap()));
    keys.insert_own(ConversationKey::new(
        [2; 32],
        "1796109113705".parse().unwrap(),
    ));
    keys.insert_own(ConversationKey::new([3; 32], "1000".parse().unwrap()));
    assert_eq!(keys.sending_key().unwrap().bytes(), &[2; 32]);
    let _ = w;
}

#[test]
fn a_comma_in_a_signed_component_is_refused() {
    let w = world();
    let key = ConversationKey::generate();
    let mut opts = MessageOptions::default();
    opts.message_id = Some("a,b".into());
    let e = encrypt_message(
        &w.alice,
        &w.alice_pub,
        &w.conv,
        &key,
        &MessageEntryHolder::text("x"),
        &opts,
    )
    .unwrap_err();
    assert!(e.to_string().contains("','"), "{e}");
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let keys = PrivateKeys::from_blob(&[0x11; 64]).unwrap();
    let shown = format!("{keys:?}");
    assert!(
        !shown.contains("11, 17") && !shown.contains("1111"),
        "{shown}"
    );
    let key = ConversationKey::new([0xAB; 32], "1".parse().unwrap());
    let shown = format!("{key:?}");
    assert!(
        !shown.contains("171") && !shown.to_lowercase().contains("abab"),
        "{shown}"
    );
    // Errors never echo the blob.
    let e = PrivateKeys::from_blob(&[0xFF; 64]).unwrap_err().to_string();
    assert!(
        !e.contains("255") && !e.to_lowercase().contains("ff"),
        "{e}"
    );
}
