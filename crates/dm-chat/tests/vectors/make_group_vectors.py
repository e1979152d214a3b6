#!/usr/bin/env python3
"""Golden vectors for dm-chat's group actions, made with the official Python bindings.

    /tmp/chatxdk/bin/python crates/dm-chat/tests/vectors/make_group_vectors.py > crates/dm-chat/tests/vectors/chatxdk-0.5.2-groups.json

`prepare_group_create` and `prepare_group_members_change` of `chat_xdk` 0.5.2 each return two
action signatures: the conversation key change and the group action. For the group action this
keeps the inputs, the message id and key version the bindings chose, the payload they signed,
`encoded_message_event_detail` and the signature. The signer's keys are deterministic (identity
d=1, signing d=2), so dm-chat must reproduce the detail, the payload and the RFC 6979
signature byte for byte from the same inputs.
"""

import importlib.metadata
import json

import chat_xdk as cx


def d(i):
    return bytes(31) + bytes([i])


USERS = {"783214": (1, 2), "2244994945": (3, 4), "12": (5, 6), "99": (7, 8)}
chats = {}
for uid, (a, b) in USERS.items():
    c = cx.Chat()
    c.import_keys(d(a) + d(b), "1")
    c.set_identity(uid, "1")
    chats[uid] = c
keys = [{"user_id": u, "public_key": chats[u].get_public_keys().identity, "key_version": "1"} for u in USERS]
alice = chats["783214"]


def group_action(result):
    a = result["action_signatures"][1]
    return {
        "message_id": a["message_id"],
        "conversation_key_version": result["conversation_key_version"],
        "signature_payload": a["signature_payload"],
        "encoded_message_event_detail": a["encoded_message_event_detail"],
        "signature": a["signature"],
        "public_key_version": a["public_key_version"],
        "signature_version": a["signature_version"],
    }


out = {"chatxdk": importlib.metadata.version("chatxdk"), "signer": "783214", "signer_blob_d": [1, 2], "creates": [], "member_adds": []}
for members, admins, title, avatar, ttl in [
    (["783214", "2244994945", "12"], ["783214"], None, None, None),
    (["783214", "2244994945", "12"], [], "Team", "https://x.example/a.png", 86400000),
]:
    r = alice.prepare_group_create(keys[:3], "g1234567890", members, admins, title=title, avatar_url=avatar, ttl_msec=ttl)
    out["creates"].append({"conversation_id": "g1234567890", "members": members, "admins": admins, "title": title,
                           "avatar_url": avatar, "ttl_msec": ttl, **group_action(r)})
for new, current, admins, pending, title, avatar, ttl, scb in [
    (["99"], ["783214", "2244994945", "12"], ["783214"], [], None, None, None, None),
    (["99"], ["783214", "2244994945"], ["783214"], ["12"], "Team", "https://x.example/a.png", 3600000, True),
]:
    r = alice.prepare_group_members_change(keys, "g1234567890", new, current, admins, pending, current_title=title,
                                           current_avatar_url=avatar, current_ttl_msec=ttl,
                                           current_screen_capture_blocking_enabled=scb)
    out["member_adds"].append({"conversation_id": "g1234567890", "new_members": new, "current_members": current,
                               "admins": admins, "pending_members": pending, "title": title, "avatar_url": avatar,
                               "ttl_msec": ttl, "screen_capture_blocking": scb, **group_action(r)})
print(json.dumps(out, indent=1))
