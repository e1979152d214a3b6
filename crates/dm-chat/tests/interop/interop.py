#!/usr/bin/env python3
"""Interoperability of dm-chat with the official Chat XDK bindings (chatxdk 0.5.2).

    python interop.py PATH/TO/chat-interop

drives the Rust example `chat-interop` (JSON lines over stdin/stdout) against `chat_xdk`, in
both directions: key import, conversation keys, messages, media streams; and the refusals
(tampered ciphertext, wrong key version, forged signature) on both sides. Ends with the line
`N passed, N failed` and exits non-zero on any failure. Run by `.ci/run`.
"""

import base64
import json
import os
import subprocess
import sys
import traceback

import chat_xdk as cx

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vectors"))
from make_vectors import message_event, sig_struct, spki_b64, t_struct  # noqa: E402

ALICE, BOB = "783214", "2244994945"  # Alice is Rust, Bob is the bindings
CONV = f"{ALICE}-{BOB}"
EVENT_CONV = f"{ALICE}:{BOB}"


def b64(b):
    return base64.b64encode(bytes(b)).decode()


def unb64(s):
    return base64.b64decode(s + "=" * (-len(s) % 4))


class Rust:
    def __init__(self, exe):
        self.p = subprocess.Popen([exe], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def __call__(self, op, **kw):
        self.p.stdin.write(json.dumps({"op": op, **kw}) + "\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError("chat-interop exited")
        return json.loads(line)

    def ok(self, op, **kw):
        r = self(op, **kw)
        if "error" in r:
            raise AssertionError(f"{op}: {r['error']}")
        return r

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=10)


def py_user(uid, version):
    c = cx.Chat()
    c.generate_keypairs()
    blob = bytes(c.export_keys())
    c.import_keys(blob, version)
    c.set_identity(uid, version)
    pub = c.get_public_keys()
    identity = spki_b64(pub.identity)
    rec = {
        "user_id": uid,
        "public_key_version": version,
        "public_key": spki_b64(pub.signing),
        "identity_public_key": identity,
        "identity_public_key_signature": b64(c.sign(base64.b64decode(identity))),
    }
    return c, rec


class World:
    def __init__(self, rust):
        self.rust = rust
        self.alice_blob = rust.ok("generate")["blob"]
        self.alice = rust.ok("public", blob=self.alice_blob, user_id=ALICE, version="1")
        self.alice_rec = self.alice["record"]
        self.bob, self.bob_rec = py_user(BOB, "4")
        self.rust_args = dict(blob=self.alice_blob, user_id=ALICE, version="1", conversation_id=CONV)

    def rust_key_change(self, seq="2080000000000000001"):
        return self.rust.ok("key_change", participants=[self.bob_rec], sequence_id=seq, **self.rust_args)

    def rust_message(self, key, key_version, text, seq="2080000000000000002"):
        return self.rust.ok("encrypt", key=key, key_version=key_version, text=text, sequence_id=seq, **self.rust_args)

    def py_key_change(self):
        ch = self.bob.prepare_conversation_key_change(
            [
                {"user_id": ALICE, "public_key": self.alice["identity_sec1"], "key_version": "1"},
                {"user_id": BOB, "public_key": self.bob.get_public_keys().identity, "key_version": "4"},
            ],
            conversation_id=CONV,
        )
        a = ch["action_signatures"][0]
        ev = message_event(
            "2080000000000000011", a["message_id"], BOB, EVENT_CONV, "1796130000000",
            base64.b64decode(a["encoded_message_event_detail"]),
            sig_struct(a["signature"], a["public_key_version"], a["signature_version"]),
        )
        return ch, b64(ev)

    def py_message(self, ch, text, seq="2080000000000000012"):
        p = self.bob.encrypt_message(
            CONV, text, conversation_key=ch["conversation_key"], conversation_key_version=ch["conversation_key_version"]
        )
        ev = message_event(
            seq, p.message_id, BOB, EVENT_CONV, "1796130000001",
            t_struct(1, base64.b64decode(p.encrypted_content)) + b"\x00",
            base64.b64decode(p.encoded_event_signature),
        )
        return p, ev

    def rust_decrypt(self, events, records=None):
        return self.rust.ok(
            "decrypt", blob=self.alice_blob, user_id=ALICE, events=events,
            records=records if records is not None else [self.bob_rec, self.alice_rec],
        )["results"]


def raises(f, *a, **kw):
    try:
        f(*a, **kw)
    except Exception as e:  # the bindings raise ValueError on every refusal
        return str(e)
    raise AssertionError("accepted, should have been refused")


# ----------------------------------------------------------------- Rust -> bindings

def test_rust_keys_import_into_the_bindings(w):
    c = cx.Chat()
    c.import_keys(base64.b64decode(w.alice_blob), "1")
    pub = c.get_public_keys()
    assert pub.identity == w.alice["identity_sec1"] and pub.signing == w.alice["signing_sec1"]
    assert c.get_public_key_fingerprint() == w.alice["fingerprint"]
    reg = w.alice["registration"]
    assert c.verify_key_binding(reg["public_key"], reg["signing_public_key"], reg["identity_public_key_signature"])
    assert not c.verify_key_binding(reg["signing_public_key"], reg["public_key"], reg["identity_public_key_signature"])
    # RFC 6979: both sign the same bytes identically.
    c.set_identity(ALICE, "1")
    assert b64(c.sign(b"interop")) == w.rust.ok("sign", blob=w.alice_blob, data=b64(b"interop"))["signature"]


def test_rust_conversation_key_unwraps_in_the_bindings(w):
    kc = w.rust_key_change()
    mine = [p for p in kc["participant_keys"] if p["user_id"] == BOB][0]
    assert w.bob.decrypt_conversation_key(mine["encrypted_key"]) == unb64(kc["key"])
    other, _ = py_user("5", "1")
    raises(other.decrypt_conversation_key, mine["encrypted_key"])


def test_rust_messages_verify_in_the_bindings(w):
    kc = w.rust_key_change()
    texts = ["hello from Rust", "émoji ✨ and ünïcode", "x" * 5000]
    events = [kc["encoded_event"]] + [
        w.rust_message(kc["key"], kc["key_version"], t, seq=str(2080000000000000002 + i))["encoded_event"]
        for i, t in enumerate(texts)
    ]
    out = w.bob.decrypt_events(events, [w.alice_rec])
    assert not out["errors"], out["errors"]
    got = out["messages"]
    assert got[0]["event"]["type"] == "KeyChange" and got[0]["event"]["verified"] is True
    assert [m["event"]["content"]["text"] for m in got[1:]] == texts
    assert all(m["event"]["verified"] is True for m in got)
    assert out["conversation_keys"]["latest_version"] == kc["key_version"]


def test_rust_media_streams_decrypt_in_the_bindings(w):
    key = b64(os.urandom(32))
    for n in [0, 1, 1024, 1025, 5000]:
        data = os.urandom(n)
        stream = w.rust.ok("media_encrypt", key=key, key_version="1", data=b64(data))["stream"]
        assert cx.Chat().decrypt_stream(unb64(stream), unb64(key)) == data
        if n > 1024:
            raises(cx.Chat().decrypt_stream, unb64(stream)[: 24 + 1041], unb64(key))


def _tampered(w, kind):
    kc = w.rust_key_change()
    key, ver = kc["key"], kc["key_version"]
    if kind == "wrong_version":
        m = w.rust_message(key, str(int(ver) + 1), "wrong version")
        return w.bob.decrypt_event(m["encoded_event"], {ver: unb64(key)}, [w.alice_rec])
    if kind == "forged":
        mallory = w.rust.ok("generate")["blob"]
        m = w.rust.ok("encrypt", key=key, key_version=ver, text="forged", sequence_id="9",
                      blob=mallory, user_id=ALICE, version="1", conversation_id=CONV)
        return w.bob.decrypt_event(m["encoded_event"], {ver: unb64(key)}, [w.alice_rec])
    m = w.rust_message(key, ver, "tampered")
    ev = bytearray(unb64(m["encoded_event"]))
    create = unb64(m["encoded_message_create_event"])
    at = bytes(ev).index(create) + 7 + 30  # inside the ciphertext (after the 0x0b 0x0064 header and length)
    ev[at] ^= 1
    return w.bob.decrypt_event(b64(ev), {ver: unb64(key)}, [w.alice_rec])


def test_the_bindings_refuse_tampered_rust_ciphertext(w):
    # The signature covers the ciphertext, so the change is caught before decryption.
    assert "mismatch" in raises(_tampered, w, "tampered").lower()


def test_the_bindings_refuse_a_rust_message_under_a_wrong_key_version(w):
    raises(_tampered, w, "wrong_version")


def test_the_bindings_refuse_a_forged_rust_signature(w):
    assert "mismatch" in raises(_tampered, w, "forged").lower()


# ----------------------------------------------------------------- bindings -> Rust

def test_binding_keys_import_into_rust(w):
    c = cx.Chat()
    reg = c.generate_keypairs().public_key
    blob = b64(c.export_keys())
    pub = w.rust.ok("public", blob=blob, user_id="9", version="1")
    assert pub["fingerprint"] == reg.public_key_fingerprint == c.get_public_key_fingerprint()
    for f in ["public_key", "signing_public_key", "identity_public_key_signature", "signing_public_key_signature", "public_key_fingerprint"]:
        assert pub["registration"][f] == getattr(reg, f), f
    assert w.rust.ok("verify_binding", identity=reg.public_key, signing=reg.signing_public_key,
                     signature=reg.identity_public_key_signature)["ok"] is True
    assert w.rust.ok("verify_binding", identity=reg.signing_public_key, signing=reg.public_key,
                     signature=reg.identity_public_key_signature)["ok"] is False


def test_binding_conversation_key_unwraps_in_rust(w):
    ch, _ = w.py_key_change()
    mine = [p for p in ch["participant_keys"] if p["user_id"] == ALICE][0]
    got = w.rust.ok("unwrap", blob=w.alice_blob, wrapped=mine["encrypted_key"], key_version=ch["conversation_key_version"])
    assert unb64(got["key"]) == ch["conversation_key"]
    theirs = [p for p in ch["participant_keys"] if p["user_id"] == BOB][0]
    assert "error" in w.rust("unwrap", blob=w.alice_blob, wrapped=theirs["encrypted_key"], key_version="1")


def test_binding_messages_verify_in_rust(w):
    ch, kc_event = w.py_key_change()
    texts = ["hello from Python", "✨ ünïcode", ""]
    events = [kc_event] + [b64(w.py_message(ch, t, seq=str(2080000000000000012 + i))[1]) for i, t in enumerate(texts)]
    res = w.rust_decrypt(events)
    assert res[0]["type"] == "KeyChange" and "Verified" in res[0]["outcome"], res[0]
    assert [r.get("text") for r in res[1:]] == texts, res
    assert all(r["verified"] is True for r in res[1:])


def test_binding_media_streams_decrypt_in_rust(w):
    key = os.urandom(32)
    for n in [0, 1, 1023, 1024, 2048, 5000]:
        data = os.urandom(n)
        stream = cx.Chat().encrypt_stream(data, key)
        got = w.rust.ok("media_decrypt", key=b64(key), key_version="1", stream=b64(stream))
        assert unb64(got["data"]) == data
        if n > 1024:
            assert "error" in w.rust("media_decrypt", key=b64(key), key_version="1", stream=b64(stream[: 24 + 1041]))
        if n:
            bad = bytearray(stream)
            bad[-1] ^= 1
            assert "error" in w.rust("media_decrypt", key=b64(key), key_version="1", stream=b64(bad))


def test_rust_refuses_tampered_binding_ciphertext(w):
    ch, kc_event = w.py_key_change()
    p, ev = w.py_message(ch, "tampered")
    create = base64.b64decode(p.encrypted_content)
    ev = bytearray(ev)
    ev[bytes(ev).index(create) + 7 + 30] ^= 1
    res = w.rust_decrypt([kc_event, b64(ev)])
    assert res[1]["verified"] is False and "text" not in res[1], res[1]


def test_rust_refuses_a_binding_message_under_a_wrong_key_version(w):
    ch, kc_event = w.py_key_change()
    p = w.bob.encrypt_message(CONV, "wrong version", conversation_key=ch["conversation_key"],
                              conversation_key_version=str(int(ch["conversation_key_version"]) + 1))
    ev = message_event("2080000000000000013", p.message_id, BOB, EVENT_CONV, "1796130000001",
                       t_struct(1, base64.b64decode(p.encrypted_content)) + b"\x00",
                       base64.b64decode(p.encoded_event_signature))
    res = w.rust_decrypt([kc_event, b64(ev)])
    assert res[1]["verified"] is False and "no conversation key" in res[1]["error"], res[1]


def test_rust_refuses_a_forged_binding_signature(w):
    ch, kc_event = w.py_key_change()
    # Mallory (another bindings user) signs as Bob, claiming Bob's key version.
    mallory, _ = py_user(BOB, "4")
    p = mallory.encrypt_message(CONV, "forged", conversation_key=ch["conversation_key"],
                                conversation_key_version=ch["conversation_key_version"])
    ev = message_event("2080000000000000014", p.message_id, BOB, EVENT_CONV, "1796130000001",
                       t_struct(1, base64.b64decode(p.encrypted_content)) + b"\x00",
                       base64.b64decode(p.encoded_event_signature))
    res = w.rust_decrypt([kc_event, b64(ev)])
    assert res[0]["type"] == "KeyChange"
    assert res[1]["verified"] is False and "ECDSA mismatch" in res[1]["error"], res[1]
    # A key change signed by Mallory is refused too (above the compatibility gate).
    forged_kc = mallory.prepare_conversation_key_change(
        [{"user_id": ALICE, "public_key": w.alice["identity_sec1"], "key_version": "1"}], conversation_id=CONV)
    a = forged_kc["action_signatures"][0]
    ev = message_event("2080000000000000015", a["message_id"], BOB, EVENT_CONV, "1796130000000",
                       base64.b64decode(a["encoded_message_event_detail"]),
                       sig_struct(a["signature"], "4", a["signature_version"]))
    res = w.rust_decrypt([b64(ev)])
    assert res[0]["verified"] is False and "mismatch" in res[0]["error"], res[0]


def main():
    exe = sys.argv[1]
    rust = Rust(exe)
    w = World(rust)
    tests = [(n, f) for n, f in sorted(globals().items()) if n.startswith("test_")]
    passed = failed = 0
    for name, f in tests:
        try:
            f(w)
            passed += 1
            print(f"ok   {name}")
        except Exception:
            failed += 1
            print(f"FAIL {name}")
            traceback.print_exc()
    rust.close()
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
