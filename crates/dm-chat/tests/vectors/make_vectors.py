#!/usr/bin/env python3
"""Golden vectors for dm-chat, made with the official Python bindings of the Chat XDK.

    python3 -m venv /tmp/chatxdk && /tmp/chatxdk/bin/pip install chatxdk==0.5.2
    /tmp/chatxdk/bin/python crates/dm-chat/tests/vectors/make_vectors.py > crates/dm-chat/tests/vectors/chatxdk-0.5.2.json

Everything here comes from `chat_xdk` itself, except the MessageEvent envelope a server would
wrap around what a sender posts (a few lines of Thrift below); the bindings then decrypt and
verify those envelopes (`decrypt_events` must say `verified: True`) before they are written.
Keys are deterministic (identity d=1, signing d=2 for Alice; d=3, d=4 for Bob), so the RFC 6979
signatures are reproducible; conversation keys, nonces and ephemeral keys are random, so a rerun
gives other (equally valid) vectors.
"""

import base64
import importlib.metadata
import json
import struct
import sys

import chat_xdk as cx

ALICE, BOB = "783214", "2244994945"
CONV = f"{ALICE}-{BOB}"  # the URL form; the bindings accept it as input
# The form inside a MessageEvent: `decrypt_event` verifies with the event's conversation id
# as it is, and fails on `A-B` (ECDSA mismatch), so a server writes the canonical `min:max`.
EVENT_CONV = f"{ALICE}:{BOB}"
SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d030107034200")


def d(i):
    return bytes(31) + bytes([i])


def b64(b):
    return base64.b64encode(bytes(b)).decode()


def spki_b64(sec1_b64):
    return b64(SPKI_PREFIX + base64.b64decode(sec1_b64))


# --- a minimal TBinaryProtocol writer, for the server's MessageEvent envelope only ---
def t_string(fid, s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack(">bhi", 11, fid, len(b)) + b


def t_struct(fid, body):
    return struct.pack(">bh", 12, fid) + body


def message_event(seq, msg_id, sender, conv, created, detail_bytes, sig_struct_bytes):
    return (
        t_string(1, seq)
        + t_string(2, msg_id)
        + t_string(3, sender)
        + t_string(4, conv)
        + t_string(6, created)
        + t_struct(7, detail_bytes)
        + t_struct(9, sig_struct_bytes)
        + b"\x00"
    )


def sig_struct(signature, pkv, version):
    return t_string(1, signature) + t_string(2, pkv) + t_string(3, version) + b"\x00"


def user(blob, uid, version):
    c = cx.Chat()
    c.import_keys(blob, version)
    c.set_identity(uid, version)
    pub = c.get_public_keys()
    identity_spki = spki_b64(pub.identity)
    signing_spki = spki_b64(pub.signing)
    binding = b64(c.sign(base64.b64decode(identity_spki)))
    record = {
        "user_id": uid,
        "public_key_version": version,
        "public_key": signing_spki,
        "identity_public_key": identity_spki,
        "identity_public_key_signature": binding,
    }
    return c, record


def main():
    out = {"chatxdk": importlib.metadata.version("chatxdk"), "alice": ALICE, "bob": BOB}
    alice_blob, bob_blob = d(1) + d(2), d(3) + d(4)
    alice, alice_rec = user(alice_blob, ALICE, "1")
    bob, bob_rec = user(bob_blob, BOB, "2")
    out["keys"] = [
        {
            "blob": b64(blob),
            "identity_sec1": c.get_public_keys().identity,
            "signing_sec1": c.get_public_keys().signing,
            "fingerprint": c.get_public_key_fingerprint(),
            "record": rec,
            "binding_verifies": c.verify_key_binding(
                rec["identity_public_key"], rec["public_key"], rec["identity_public_key_signature"]
            ),
        }
        for c, rec, blob in [(alice, alice_rec, alice_blob), (bob, bob_rec, bob_blob)]
    ]

    # A registration payload the bindings generated, with the blob it exported.
    gen = cx.Chat()
    reg = gen.generate_keypairs()
    pk = reg.public_key
    out["registration"] = {
        "blob": b64(gen.export_keys()),
        "identity_public_key_signature": pk.identity_public_key_signature,
        "public_key": pk.public_key,
        "public_key_fingerprint": pk.public_key_fingerprint,
        "registration_method": pk.registration_method,
        "signing_public_key": pk.signing_public_key,
        "signing_public_key_signature": pk.signing_public_key_signature,
    }

    # RFC 6979: sign() is deterministic, so Rust must produce the same bytes.
    out["signatures"] = [
        {"data": b64(m), "signature": b64(alice.sign(m))}
        for m in [b"", b"hello", b"MessageCreateEvent,a,b,c,d,e", bytes(range(256))]
    ]

    # A conversation key made by Alice, wrapped to both; Bob's copy unwraps to the same key.
    change = alice.prepare_conversation_key_change(
        [
            {"user_id": BOB, "public_key": bob.get_public_keys().identity, "key_version": "2"},
            {"user_id": ALICE, "public_key": alice.get_public_keys().identity, "key_version": "1"},
        ],
        conversation_id=CONV,
    )
    ckey, ckey_version = change["conversation_key"], change["conversation_key_version"]
    wrapped = {p["user_id"]: p["encrypted_key"] for p in change["participant_keys"]}
    assert bob.decrypt_conversation_key(wrapped[BOB]) == ckey
    action = change["action_signatures"][0]
    out["key_change"] = {
        "conversation_id": change["conversation_id"],
        "conversation_key": b64(ckey),
        "conversation_key_version": ckey_version,
        "participant_keys": change["participant_keys"],
        "action_signature": action,
    }

    # Messages from Alice: text, text with a URL entity, text with a media attachment.
    messages = []
    cases = [
        ("hello bob", {}),
        ("see https://x.com now", {"entities": [(4, 17, "url")]}),
        (
            "a picture",
            {
                "attachments": [
                    {
                        "attachment_type": "media",
                        "media_hash_key": "abc123",
                        "width": 640,
                        "height": 480,
                        "filesize_bytes": 12345,
                        "filename": "cat.png",
                    }
                ]
            },
        ),
    ]
    kc_event = message_event(
        "2080000000000000001",
        action["message_id"],
        ALICE,
        EVENT_CONV,
        "1796130000000",
        base64.b64decode(action["encoded_message_event_detail"]),
        sig_struct(action["signature"], action["public_key_version"], action["signature_version"]),
    )
    events = [b64(kc_event)]
    for i, (text, extra) in enumerate(cases):
        p = alice.encrypt_message(
            CONV, text, conversation_key=ckey, conversation_key_version=ckey_version, **extra
        )
        create = base64.b64decode(p.encrypted_content)
        ev = message_event(
            str(2080000000000000002 + i),
            p.message_id,
            ALICE,
            EVENT_CONV,
            str(1796130000001 + i),
            t_struct(1, create) + b"\x00",
            base64.b64decode(p.encoded_event_signature),
        )
        events.append(b64(ev))
        single = bob.decrypt_event(b64(ev), {ckey_version: ckey}, [alice_rec])
        assert single["verified"] is True and single["content"]["text"] == text, single
        messages.append(
            {
                "text": text,
                "message_id": p.message_id,
                "encoded_message_create_event": p.encrypted_content,
                "encoded_message_event_signature": p.encoded_event_signature,
                "signature": p.signature,
                "encoded_event": b64(ev),
                **({"entities": extra["entities"]} if "entities" in extra else {}),
                **({"attachments": extra["attachments"]} if "attachments" in extra else {}),
            }
        )
    batch = bob.decrypt_events(events, [alice_rec])
    assert not batch["errors"], batch["errors"]
    # The key change comes back first, then the messages, all verified.
    assert [m["event"]["type"] for m in batch["messages"]] == ["KeyChange"] + ["Message"] * len(cases)
    assert all(m["event"]["verified"] is True for m in batch["messages"]), batch
    out["messages"] = messages
    out["key_change"]["encoded_event"] = events[0]

    # Media: secretstream under the conversation key, at chunk boundaries.
    out["media"] = []
    for n in [0, 1, 1023, 1024, 1025, 3000]:
        plain = bytes((7 * i + n) % 251 for i in range(n))
        enc = alice.encrypt_stream(plain, ckey)
        assert len(enc) == cx.encrypted_stream_size(n)
        out["media"].append({"plaintext": b64(plain), "stream": b64(enc)})

    # The generic encrypt (group titles): secretbox of UTF-8.
    out["text_box"] = {"plaintext": "Weekend plans ✨", "encrypted": alice.encrypt("Weekend plans ✨", ckey)}

    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
