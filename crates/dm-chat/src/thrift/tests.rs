use super::*;

#[test]
fn message_create_event_matches_the_sdk_layout() {
    // Bytes the SDK 0.5.2 wrote for a MessageCreateEvent (contents shortened).
    let ev = MessageCreateEvent {
        contents: Some(vec![1, 2, 3]),
        conversation_key_version: Some("1796130580455".into()),
        should_notify: Some(true),
        ..MessageCreateEvent::default()
    };
    let mut want = vec![
        0x0b, 0x00, 0x64, 0, 0, 0, 3, 1, 2, 3, 0x0b, 0x00, 0x65, 0, 0, 0, 13,
    ];
    want.extend_from_slice(b"1796130580455");
    want.extend_from_slice(&[0x02, 0x00, 0x66, 0x01, 0x00]);
    assert_eq!(ev.encode(), want);
    assert_eq!(MessageCreateEvent::decode(&want).unwrap(), ev);
}

#[test]
fn unknown_fields_and_mistyped_fields_are_skipped() {
    // field 50 (a list of i32), field 2 as an i32 instead of a string, field 3 a string.
    let mut b = vec![0x0f, 0x00, 0x32, 0x08, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2];
    b.extend_from_slice(&[0x08, 0x00, 0x02, 0, 0, 0, 9]);
    b.extend_from_slice(&[0x0b, 0x00, 0x03, 0, 0, 0, 1, b'7', 0x00]);
    let ev = MessageEvent::decode(&b).unwrap();
    assert_eq!(ev.message_id, None);
    assert_eq!(ev.sender_id.as_deref(), Some("7"));
}

#[test]
fn malformed_input_names_the_field_path() {
    // MessageEvent.7 (detail) → MessageEventDetail.1 → MessageCreateEvent.100 truncated.
    let b = [
        0x0c, 0x00, 0x07, 0x0c, 0x00, 0x01, 0x0b, 0x00, 0x64, 0, 0, 0, 9, 1,
    ];
    let e = MessageEvent::decode(&b).unwrap_err();
    assert_eq!(
        e.path(),
        "MessageEvent.7.MessageEventDetail.1.MessageCreateEvent.100"
    );
    assert!(e.to_string().contains("exceeds"), "{e}");
}

#[test]
fn hostile_lengths_and_depth_are_refused_without_allocation() {
    // A list claiming 2^31-1 structs in 8 bytes.
    let b = [0x0f, 0x00, 0x32, 0x0c, 0x7f, 0xff, 0xff, 0xff];
    assert!(MessageEvent::decode(&b).is_err());
    // Deep nesting of unknown structs.
    let mut deep = Vec::new();
    for _ in 0..10_000 {
        deep.extend_from_slice(&[0x0c, 0x00, 0x63]);
    }
    let e = MessageEvent::decode(&deep).unwrap_err();
    assert!(e.to_string().contains("nested deeper"), "{e}");
    // A negative string length.
    assert!(MessageEvent::decode(&[0x0b, 0x00, 0x01, 0xff, 0xff, 0xff, 0xff]).is_err());
    // Trailing bytes.
    assert!(MessageEvent::decode(&[0x00, 0x00]).is_err());
    // A union with two members.
    assert!(
        EventDetail::decode(&[
            0x08, 0x00, 0x05, 0, 0, 0, 1, 0x08, 0x00, 0x06, 0, 0, 0, 1, 0
        ])
        .is_err()
    );
}

#[test]
fn entry_round_trips() {
    let holder = MessageEntryHolder::message(MessageContents {
        text: Some("see https://x.com".into()),
        entities: vec![RichTextEntity::new(4, 17, EntityKind::Url)],
        attachments: vec![Attachment::Media(MediaAttachment {
            media_hash_key: Some("abc".into()),
            dimensions: Some(MediaDimensions {
                width: Some(2),
                height: Some(3),
            }),
            filesize_bytes: Some(10),
            filename: Some("a.png".into()),
            ..MediaAttachment::default()
        })],
        has_reply_preview: false,
    });
    assert_eq!(
        MessageEntryHolder::decode(&holder.encode()).unwrap(),
        holder
    );
}
