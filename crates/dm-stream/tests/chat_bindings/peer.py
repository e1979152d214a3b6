#!/usr/bin/env python3
"""An X Chat user driven by the official bindings (chatxdk 0.5.2), talking HTTP to the sandbox.

    python peer.py BASE_URL TOKEN

reads JSON commands on stdin, one a line, and answers each with one JSON line:

    {"op": "register"}                      -> {"user_id", "public_key_version"}
    {"op": "start", "peer": ID}             -> {"conversation_key_version"}  (creates and posts a key)
    {"op": "send", "peer": ID, "text": T}   -> {"message_id"}
    {"op": "read", "peer": ID}              -> {"messages": [{"sender_id", "text", "verified"}], "errors": [...]}

Errors come back as {"error": "..."}. The crypto is the bindings' own; only HTTP and JSON are
written here (urllib, no other dependency). Driven by crates/dm-stream/tests/chat_bindings.rs.
"""

import base64
import json
import sys
import urllib.error
import urllib.request

import chat_xdk as cx

BASE, TOKEN = sys.argv[1].rstrip("/"), sys.argv[2]


def http(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + TOKEN)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as e:
        raise RuntimeError(f"{method} {path}: HTTP {e.code}: {e.read().decode(errors='replace')}")


def sec1_of_spki(spki_b64):
    # A P-256 SPKI DER is a 26-byte header and the 65-byte SEC1 point.
    return base64.b64encode(base64.b64decode(spki_b64)[-65:]).decode()


class Peer:
    def __init__(self):
        self.chat = cx.Chat()
        self.me = None
        self.version = None
        self.ckeys = {}  # peer -> (key bytes, version)

    def register(self):
        self.me = http("GET", "/2/users/me")["data"]["id"]
        payload = self.chat.generate_keypairs()
        pk = payload.public_key
        body = {
            "public_key": {
                "identity_public_key_signature": pk.identity_public_key_signature,
                "public_key": pk.public_key,
                "public_key_fingerprint": pk.public_key_fingerprint,
                "registration_method": pk.registration_method,
                "signing_public_key": pk.signing_public_key,
                "signing_public_key_signature": pk.signing_public_key_signature,
            },
            "version": payload.version,
            "generate_version": payload.generate_version,
        }
        answer = http("POST", f"/2/users/{self.me}/public_keys", body)["data"]
        self.version = answer["public_key_version"]
        blob = bytes(self.chat.export_keys())
        self.chat.import_keys(blob, self.version)
        self.chat.set_identity(self.me, self.version)
        return {"user_id": self.me, "public_key_version": self.version}

    def records(self, user):
        data = http("GET", f"/2/users/{user}/public_keys")["data"]
        return [
            {
                "user_id": user,
                "public_key_version": r["public_key_version"],
                "public_key": r["signing_public_key"],
                "identity_public_key": r["public_key"],
                "identity_public_key_signature": r["identity_public_key_signature"],
                "_identity_spki": r["public_key"],
            }
            for r in data
            if self.chat.verify_key_binding(
                r["public_key"], r["signing_public_key"], r["identity_public_key_signature"]
            )
        ]

    def conv(self, peer):
        return f"{min(int(self.me), int(peer))}-{max(int(self.me), int(peer))}"

    def start(self, peer):
        theirs = max(self.records(peer), key=lambda r: int(r["public_key_version"]))
        mine = self.chat.get_public_keys()
        ch = self.chat.prepare_conversation_key_change(
            [
                {"user_id": self.me, "public_key": mine.identity, "key_version": self.version},
                {
                    "user_id": peer,
                    "public_key": sec1_of_spki(theirs["_identity_spki"]),
                    "key_version": theirs["public_key_version"],
                },
            ],
            conversation_id=self.conv(peer),
        )
        body = {
            "conversation_key_version": ch["conversation_key_version"],
            "conversation_participant_keys": [
                {
                    "user_id": p["user_id"],
                    "encrypted_conversation_key": p["encrypted_key"],
                    "public_key_version": p["public_key_version"],
                }
                for p in ch["participant_keys"]
            ],
            "action_signatures": [
                {
                    "message_id": a["message_id"],
                    "encoded_message_event_detail": a["encoded_message_event_detail"],
                    "message_event_signature": {
                        "signature": a["signature"],
                        "public_key_version": a["public_key_version"],
                        "signature_version": a["signature_version"],
                    },
                }
                for a in ch["action_signatures"]
            ],
        }
        http("POST", f"/2/chat/conversations/{peer}/keys", body)
        self.ckeys[peer] = (bytes(ch["conversation_key"]), ch["conversation_key_version"])
        return {"conversation_key_version": ch["conversation_key_version"]}

    def read(self, peer):
        events, key_events, token = [], [], None
        while True:
            q = "?max_results=100" + (f"&pagination_token={token}" if token else "")
            page = http("GET", f"/2/chat/conversations/{peer}/events{q}")
            key_events = page.get("meta", {}).get("conversation_key_events", []) or key_events
            events += [e["encoded_event"] for e in page.get("data", [])]
            token = page.get("meta", {}).get("next_token")
            if not token:
                break
        signing = []
        for user in {peer, self.me}:
            for r in self.records(user):
                signing.append({k: v for k, v in r.items() if not k.startswith("_")})
        out = self.chat.decrypt_events(key_events + list(reversed(events)), signing)
        keys = out["conversation_keys"]
        latest = keys.get("latest_version")
        if latest is not None:
            self.ckeys[peer] = (bytes(keys["keys"][latest]), str(latest))
        messages = [
            {
                "sender_id": str(m["event"].get("sender_id")),
                "text": (m["event"].get("content") or {}).get("text"),
                "verified": m["event"].get("verified"),
            }
            for m in out["messages"]
            if m["event"].get("type") == "Message"
        ]
        return {"messages": messages, "errors": [str(e) for e in out.get("errors", [])]}

    def send(self, peer, text):
        if peer not in self.ckeys:
            self.read(peer)
        key, version = self.ckeys[peer]
        p = self.chat.encrypt_message(
            self.conv(peer), text, conversation_key=key, conversation_key_version=version
        )
        http(
            "POST",
            f"/2/chat/conversations/{peer}/messages",
            {
                "message_id": p.message_id,
                "encoded_message_create_event": p.encrypted_content,
                "encoded_message_event_signature": p.encoded_event_signature,
            },
        )
        return {"message_id": p.message_id}


def main():
    peer = Peer()
    for line in sys.stdin:
        cmd = json.loads(line)
        try:
            op = cmd.pop("op")
            answer = getattr(peer, op)(**cmd)
        except Exception as e:  # reported to the driving test, which fails on it
            answer = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
