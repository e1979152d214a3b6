//! Group actions against golden vectors written by the official Python bindings
//! (`chatxdk` 0.5.2, `tests/vectors/make_group_vectors.py`): from the same inputs, message id
//! and key version, dm-chat writes the same `encoded_message_event_detail`, signs the same
//! payload and produces the same RFC 6979 signature, byte for byte.

use dm_chat::thrift::{EventDetail, GroupChange, GroupCreate, GroupMemberAdd, ThriftStruct};
use dm_chat::*;
use serde_json::Value;

fn vectors() -> Value {
    serde_json::from_str(include_str!("vectors/chatxdk-0.5.2-groups.json")).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

fn opt(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned)
}

fn signer() -> (PrivateKeys, VerifiedKeys) {
    let mut blob = [0u8; 64];
    blob[31] = 1;
    blob[63] = 2;
    let keys = PrivateKeys::from_blob(&blob).unwrap();
    let own = VerifiedKeys::own("783214", "1".parse().unwrap(), &keys);
    (keys, own)
}

fn check(v: &Value, change: GroupChange) {
    let (keys, own) = signer();
    let conv = ChatConversationId::parse(v["conversation_id"].as_str().unwrap(), None).unwrap();
    let message_id = v["message_id"].as_str().unwrap();
    assert_eq!(
        sign::group_change_payload(message_id, "783214", &conv, &change).unwrap(),
        v["signature_payload"].as_str().unwrap()
    );
    let a = sign_group_change(&keys, &own, &conv, message_id, &change).unwrap();
    assert_eq!(
        a.encoded_message_event_detail,
        v["encoded_message_event_detail"].as_str().unwrap()
    );
    assert_eq!(a.signature, v["signature"].as_str().unwrap());
    assert_eq!(
        a.signature_version,
        v["signature_version"].as_str().unwrap()
    );
    // The bindings' detail decodes to the same change.
    let theirs = b64::decode(
        v["encoded_message_event_detail"].as_str().unwrap(),
        "detail",
    )
    .unwrap();
    let Ok(EventDetail::GroupChange(g)) = EventDetail::decode(&theirs) else {
        panic!("not a group change")
    };
    assert_eq!(g.change, Some(change));
    // And their signature verifies over our payload with the signer's key.
    let payload = v["signature_payload"].as_str().unwrap();
    let sig = Signature::from_base64(v["signature"].as_str().unwrap()).unwrap();
    sign::verify(&own.keys().signing, payload.as_bytes(), &sig).unwrap();
}

#[test]
fn group_creation_is_reproduced_byte_for_byte() {
    let v = vectors();
    let creates = v["creates"].as_array().unwrap();
    assert_eq!(creates.len(), 2);
    for c in creates {
        let change = GroupChange::Create(GroupCreate {
            member_ids: strings(&c["members"]),
            admin_ids: strings(&c["admins"]),
            title: opt(&c["title"]),
            avatar_url: opt(&c["avatar_url"]),
            conversation_key_version: opt(&c["conversation_key_version"]),
            ttl_msec: c["ttl_msec"].as_i64(),
        });
        check(c, change);
    }
}

#[test]
fn member_additions_are_reproduced_byte_for_byte() {
    let v = vectors();
    let adds = v["member_adds"].as_array().unwrap();
    assert_eq!(adds.len(), 2);
    for m in adds {
        let change = GroupChange::MemberAdd(GroupMemberAdd {
            new_member_ids: strings(&m["new_members"]),
            current_member_ids: strings(&m["current_members"]),
            admin_ids: strings(&m["admins"]),
            title: opt(&m["title"]),
            avatar_url: opt(&m["avatar_url"]),
            conversation_key_version: opt(&m["conversation_key_version"]),
            ttl_msec: m["ttl_msec"].as_i64(),
            pending_member_ids: strings(&m["pending_members"]),
            screen_capture_blocking: m["screen_capture_blocking"].as_bool(),
        });
        check(m, change);
    }
}

#[test]
fn a_signed_group_change_does_not_verify_for_other_members() {
    let v = vectors();
    let c = &v["creates"][0];
    let (_, own) = signer();
    let mut payload = c["signature_payload"].as_str().unwrap().to_string();
    payload = payload.replace(",12,", ",13,");
    let sig = Signature::from_base64(c["signature"].as_str().unwrap()).unwrap();
    assert!(sign::verify(&own.keys().signing, payload.as_bytes(), &sig).is_err());
}

#[test]
fn a_comma_in_a_group_component_is_refused() {
    let conv = ChatConversationId::parse("g1", None).unwrap();
    let change = GroupChange::Create(GroupCreate {
        member_ids: vec!["1".into()],
        title: Some("a,b".into()),
        conversation_key_version: Some("1".into()),
        ..GroupCreate::default()
    });
    assert!(sign::group_change_payload("m", "1", &conv, &change).is_err());
}
