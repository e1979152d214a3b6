//! Golden vectors written by the official Python bindings (`chatxdk` 0.5.2) with
//! `tests/vectors/make_vectors.py`; checked here without Python.

use dm_chat::thrift::{
    Attachment, EntityKind, EventDetail, MessageContents, MessageCreateEvent, MessageEntryHolder,
    MessageEventSignature, ThriftStruct,
};
use dm_chat::*;
use serde_json::Value;

fn vectors() -> Value {
    serde_json::from_str(include_str!("vectors/chatxdk-0.5.2.json")).unwrap()
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_else(|| panic!("{k} missing"))
}

fn bytes(text: &str) -> Vec<u8> {
    b64::decode(text, "vector").unwrap()
}

fn keys_of(v: &Value, i: usize) -> PrivateKeys {
    PrivateKeys::from_blob(&bytes(s(&v["keys"][i], "blob"))).unwrap()
}

fn directory(v: &Value) -> KeyDirectory {
    let mut dir = KeyDirectory::new();
    for k in v["keys"].as_array().unwrap() {
        let r = &k["record"];
        let rec = KeyRecord::new(
            s(r, "user_id"),
            s(r, "public_key_version"),
            s(r, "identity_public_key"),
            s(r, "public_key"),
            s(r, "identity_public_key_signature"),
        );
        dir.insert(rec.verify().unwrap());
    }
    dir
}

#[test]
fn key_blobs_give_the_same_public_keys_fingerprints_and_binding_signatures() {
    let v = vectors();
    for k in v["keys"].as_array().unwrap() {
        let keys = PrivateKeys::from_blob(&bytes(s(k, "blob"))).unwrap();
        let public = keys.public_keys();
        assert_eq!(
            b64::encode(&public.identity.to_sec1()),
            s(k, "identity_sec1")
        );
        assert_eq!(b64::encode(&public.signing.to_sec1()), s(k, "signing_sec1"));
        assert_eq!(public.fingerprint(), s(k, "fingerprint"));
        let r = &k["record"];
        assert_eq!(
            public.identity.to_spki_base64(),
            s(r, "identity_public_key")
        );
        assert_eq!(public.signing.to_spki_base64(), s(r, "public_key"));
        // RFC 6979: the same signature, byte for byte.
        let sig = keys.sign(&public.identity.to_spki_der());
        assert_eq!(
            b64::encode(sig.as_bytes()),
            s(r, "identity_public_key_signature")
        );
        assert!(k["binding_verifies"].as_bool().unwrap());
        verify_key_binding(
            &public.identity,
            &public.signing,
            s(r, "identity_public_key_signature"),
        )
        .unwrap();
        // The binding of another key does not verify.
        let other = PrivateKeys::generate().public_keys();
        assert!(
            verify_key_binding(
                &other.identity,
                &public.signing,
                s(r, "identity_public_key_signature")
            )
            .is_err()
        );
    }
}

#[test]
fn a_registration_from_the_bindings_is_reproduced_exactly_from_its_blob() {
    let v = vectors();
    let reg = &v["registration"];
    let keys = PrivateKeys::from_blob(&bytes(s(reg, "blob"))).unwrap();
    let ours = serde_json::to_value(keys.registration()).unwrap();
    for field in [
        "identity_public_key_signature",
        "public_key",
        "public_key_fingerprint",
        "registration_method",
        "signing_public_key",
        "signing_public_key_signature",
    ] {
        assert_eq!(ours[field], reg[field], "{field}");
    }
}

#[test]
fn signatures_are_byte_identical_rfc6979() {
    let v = vectors();
    let alice = keys_of(&v, 0);
    for case in v["signatures"].as_array().unwrap() {
        let sig = alice.sign(&bytes(s(case, "data")));
        assert_eq!(b64::encode(sig.as_bytes()), s(case, "signature"));
        sign::verify(&alice.public_keys().signing, &bytes(s(case, "data")), &sig).unwrap();
    }
}

#[test]
fn conversation_keys_unwrap_and_the_key_change_verifies() {
    let v = vectors();
    let kc = &v["key_change"];
    let want = bytes(s(kc, "conversation_key"));
    let version: KeyVersion = s(kc, "conversation_key_version").parse().unwrap();
    for (i, uid) in [(0, s(&v, "alice")), (1, s(&v, "bob"))] {
        let keys = keys_of(&v, i);
        let p = kc["participant_keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["user_id"] == uid)
            .unwrap();
        let key = unwrap_key(&keys, s(p, "encrypted_key"), version.clone()).unwrap();
        assert_eq!(key.bytes().as_slice(), want.as_slice());
        // Bob's wrapped key does not open with Alice's identity key.
        let other = keys_of(&v, 1 - i);
        assert!(matches!(
            unwrap_key(&other, s(p, "encrypted_key"), version.clone()),
            Err(ChatError::Decrypt(_))
        ));
    }
    // The action signature signs the plaintext key (layout 7).
    let a = &kc["action_signature"];
    let conv = ChatConversationId::parse(s(kc, "conversation_id"), None).unwrap();
    let key = ConversationKey::new(want.clone().try_into().unwrap(), version.clone());
    let payload = sign::key_change_payload(
        s(a, "message_id"),
        s(&v, "alice"),
        &conv,
        &version,
        key.bytes(),
    )
    .unwrap();
    let alice = keys_of(&v, 0).public_keys();
    sign::verify(
        &alice.signing,
        payload.as_bytes(),
        &Signature::from_base64(s(a, "signature")).unwrap(),
    )
    .unwrap();
    // Our Thrift writer reproduces the bindings' detail byte for byte.
    let detail_bytes = bytes(s(a, "encoded_message_event_detail"));
    let detail = EventDetail::decode(&detail_bytes).unwrap();
    assert_eq!(detail.encode(), detail_bytes);
    // Bob applies the relayed event: verified, and it becomes the sending key.
    let mut keys = ConversationKeys::new();
    let event = parse_event(s(kc, "encoded_event")).unwrap();
    let out = keys
        .apply_key_change(&event, s(&v, "bob"), &keys_of(&v, 1), &directory(&v))
        .unwrap();
    assert_eq!(out, KeyChangeOutcome::Verified(version));
    assert_eq!(
        keys.sending_key().unwrap().bytes().as_slice(),
        want.as_slice()
    );
}

#[test]
fn messages_decrypt_verify_and_reencode_byte_for_byte() {
    let v = vectors();
    let kc = &v["key_change"];
    let key = ConversationKey::new(
        bytes(s(kc, "conversation_key")).try_into().unwrap(),
        s(kc, "conversation_key_version").parse().unwrap(),
    );
    let mut keys = ConversationKeys::new();
    let dir = directory(&v);
    let bob = s(&v, "bob");
    keys.apply_key_change(
        &parse_event(s(kc, "encoded_event")).unwrap(),
        bob,
        &keys_of(&v, 1),
        &dir,
    )
    .unwrap();
    for m in v["messages"].as_array().unwrap() {
        let got = keys
            .open_message(&parse_event(s(m, "encoded_event")).unwrap(), bob, &dir)
            .unwrap();
        assert_eq!(got.text(), Some(s(m, "text")));
        assert_eq!(got.message_id, s(m, "message_id"));
        assert_eq!(got.sender_id, s(&v, "alice"));
        // The posted structs re-encode to the same bytes.
        let create_bytes = bytes(s(m, "encoded_message_create_event"));
        let create = MessageCreateEvent::decode(&create_bytes).unwrap();
        assert_eq!(create.encode(), create_bytes);
        let sig_bytes = bytes(s(m, "encoded_message_event_signature"));
        let sig = MessageEventSignature::decode(&sig_bytes).unwrap();
        assert_eq!(sig.encode(), sig_bytes);
        assert_eq!(sig.signature.as_deref(), Some(s(m, "signature")));
        // The plaintext is exactly what our writer makes of the same message.
        let plain = secretbox::open(&key, create.contents.as_deref().unwrap()).unwrap();
        let mut contents = MessageContents {
            text: Some(s(m, "text").into()),
            ..MessageContents::default()
        };
        if let Some(e) = m.get("entities") {
            let e = &e[0];
            contents.entities = vec![thrift::RichTextEntity::new(
                e[0].as_i64().unwrap() as i32,
                e[1].as_i64().unwrap() as i32,
                EntityKind::Url,
            )];
        }
        if let Some(a) = m.get("attachments") {
            let a = &a[0];
            let mut media = thrift::MediaAttachment {
                media_hash_key: Some(s(a, "media_hash_key").into()),
                dimensions: Some(thrift::MediaDimensions {
                    width: a["width"].as_i64(),
                    height: a["height"].as_i64(),
                }),
                media_type: Some(1),
                filesize_bytes: a["filesize_bytes"].as_i64(),
                filename: Some(s(a, "filename").into()),
                ..thrift::MediaAttachment::default()
            };
            let decoded = got.entry.as_message().unwrap();
            let Attachment::Media(theirs) = &decoded.attachments[0] else {
                panic!("not media")
            };
            media.attachment_id = theirs.attachment_id.clone();
            contents.attachments = vec![Attachment::Media(media)];
        }
        assert_eq!(got.entry.as_message(), Some(&contents));
        assert_eq!(
            MessageEntryHolder::message(contents).encode(),
            plain.to_vec(),
            "{}",
            s(m, "text")
        );
    }
}

#[test]
fn media_streams_decrypt_and_truncation_is_refused() {
    let v = vectors();
    let key = ConversationKey::new(
        bytes(s(&v["key_change"], "conversation_key"))
            .try_into()
            .unwrap(),
        "1".parse().unwrap(),
    );
    for m in v["media"].as_array().unwrap() {
        let plain = bytes(s(m, "plaintext"));
        let stream = bytes(s(m, "stream"));
        assert_eq!(
            stream.len() as u64,
            media::encrypted_size(plain.len() as u64)
        );
        assert_eq!(media::decrypt(&key, &stream).unwrap(), plain);
        // Fed in odd-sized pieces.
        let mut dec = media::MediaDecryptor::new(&key);
        let mut out = Vec::new();
        for piece in stream.chunks(333) {
            out.extend(dec.push(piece).unwrap());
        }
        out.extend(dec.finish().unwrap());
        assert_eq!(out, plain);
        if plain.len() > 1024 {
            assert!(
                media::decrypt(&key, &stream[..24 + 1041]).is_err(),
                "cut after the first chunk"
            );
        }
        if !plain.is_empty() {
            let mut bad = stream.clone();
            let last = bad.len() - 1;
            bad[last] ^= 1;
            assert!(media::decrypt(&key, &bad).is_err());
            assert!(media::decrypt(&key, &stream[..stream.len() - 1]).is_err());
            let other = ConversationKey::new([0; 32], "1".parse().unwrap());
            assert!(media::decrypt(&other, &stream).is_err());
        }
    }
}

#[test]
fn the_generic_text_box_opens() {
    let v = vectors();
    let key = ConversationKey::new(
        bytes(s(&v["key_change"], "conversation_key"))
            .try_into()
            .unwrap(),
        "1".parse().unwrap(),
    );
    let t = &v["text_box"];
    assert_eq!(
        secretbox::decrypt_text(&key, s(t, "encrypted")).unwrap(),
        s(t, "plaintext")
    );
}
