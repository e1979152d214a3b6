//! Ids, timestamps and the generated field enums: parsing, display, serde, errors.

use std::str::FromStr;

use dm_model::{
    ActivitySubscriptionId, ConversationKind, DmConversationId, DmEventField, DmResourceId,
    EventType, Expansion, MediaField, MediaKey, Timestamp, TweetField, UserField, UserId,
    WebhookConfigField, WebhookConfigId, decode,
};

#[test]
fn conversation_ids_order_numerically() {
    let small = UserId::from_str("944480690").unwrap();
    let big = UserId::from_str("906948460078698496").unwrap();
    let id = DmConversationId::one_to_one(&big, &small);
    // Numeric order, not string order ("9069..." < "9444..." as strings).
    assert_eq!(id.as_str(), "944480690-906948460078698496");
    assert_eq!(id, DmConversationId::one_to_one(&small, &big));
    assert_eq!(id.other_participant(&small), Some(big.clone()));
    assert!(matches!(id.kind(), ConversationKind::OneToOne { low, .. } if low == small));
    let group = DmConversationId::from_str("1578398451921985538").unwrap();
    assert!(group.is_group());
    assert_eq!(group.kind(), ConversationKind::Group);
    // Plain numeric ids shorter than 15 digits are not conversation ids.
    let err = DmConversationId::from_str("12345").unwrap_err();
    assert_eq!(err.kind, "DmConversationId");
    assert!(
        err.to_string()
            .contains("^([0-9]{1,19}-[0-9]{1,19}|[0-9]{15,19})$")
    );
}

#[test]
fn ids_reject_bad_values_with_a_typed_error() {
    let err = UserId::try_from("12a").unwrap_err();
    assert_eq!(
        (err.kind, err.value.as_str(), err.pattern),
        ("UserId", "12a", "^[0-9]{1,19}$")
    );
    assert!(
        UserId::try_from("12345678901234567890").is_err(),
        "20 digits"
    );
    assert!(UserId::try_from(u64::MAX).is_err());
    assert_eq!(UserId::try_from(42u64).unwrap().as_u64(), 42);
    assert!(MediaKey::try_from("5_").is_err());
    assert!(MediaKey::try_from("3_1136048009270239232").is_ok());
    assert!(DmResourceId::try_from("tJg5kUG5RKPi3jNi.jpg").is_ok());
    assert!(DmResourceId::try_from("../etc/passwd").is_err());
    // Long input is truncated in the error.
    let long = "x".repeat(10_000);
    assert!(UserId::try_from(long.as_str()).unwrap_err().value.len() < 100);
    // Serde: strings only, validated.
    assert!(
        decode::<UserId>(b"123").is_err(),
        "a JSON number is not an id"
    );
    let e = decode::<Vec<UserId>>(br#"["1", "x"]"#).unwrap_err();
    assert_eq!(e.path(), "[1]");
    assert_eq!(
        decode::<UserId>(br#""2244994945""#).unwrap().as_str(),
        "2244994945"
    );
    assert_eq!(
        serde_json::to_string(&UserId::try_from("7").unwrap()).unwrap(),
        r#""7""#
    );
    // Numeric ids sort numerically.
    let mut ids: Vec<UserId> = ["10", "9", "100"]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    ids.sort();
    assert_eq!(
        ids.iter().map(|i| i.as_str()).collect::<Vec<_>>(),
        ["9", "10", "100"]
    );
}

#[test]
fn timestamps_keep_their_spelling() {
    let t: Timestamp = decode(br#""2022-10-19T20:58:00.000Z""#).unwrap();
    assert_eq!(
        serde_json::to_string(&t).unwrap(),
        r#""2022-10-19T20:58:00.000Z""#
    );
    let u: Timestamp = "2022-10-19T20:58:00Z".parse().unwrap();
    assert_eq!(t, u, "same instant");
    assert_eq!(u.to_string(), "2022-10-19T20:58:00Z");
    let e = decode::<Timestamp>(br#""yesterday""#).unwrap_err();
    assert!(e.message().contains("RFC 3339"), "{e}");
    let made = Timestamp::from_datetime(t.datetime());
    assert_eq!(made.as_str(), "2022-10-19T20:58:00.000Z");
}

#[test]
fn field_enums() {
    assert_eq!(DmEventField::PARAM, "dm_event.fields");
    assert_eq!(Expansion::PARAM, "expansions");
    assert_eq!(UserField::PARAM, "user.fields");
    assert_eq!(TweetField::PARAM, "tweet.fields");
    assert_eq!(MediaField::PARAM, "media.fields");
    assert_eq!(EventType::PARAM, "event_types");
    assert_eq!(DmEventField::ALL.len(), 10);
    assert_eq!(Expansion::ALL.len(), 4);
    assert_eq!(MediaField::ALL.len(), 13);
    assert_eq!(UserField::ALL.len(), 26);
    assert_eq!(TweetField::ALL.len(), 34);
    assert_eq!(
        EventType::ALL,
        &[
            EventType::MessageCreate,
            EventType::ParticipantsJoin,
            EventType::ParticipantsLeave
        ]
    );
    assert_eq!(
        Expansion::AttachmentsMediaKeys.as_str(),
        "attachments.media_keys"
    );
    assert_eq!(
        Expansion::ReferencedTweetsId.to_string(),
        "referenced_tweets.id"
    );
    assert_eq!(UserField::ProfileImageUrl.as_str(), "profile_image_url");
    assert_eq!(TweetField::AuthorId.as_str(), "author_id");
    assert_eq!(MediaField::Type.as_str(), "type");
    assert_eq!(
        "created_at".parse::<DmEventField>().unwrap(),
        DmEventField::CreatedAt
    );

    let err = "referenced_posts".parse::<Expansion>().unwrap_err();
    assert_eq!(err.param, "expansions");
    assert_eq!(err.value, "referenced_posts");
    assert!(err.to_string().contains("referenced_tweets.id"), "{err}");

    let other = Expansion::other("referenced_posts");
    assert_eq!(other, Expansion::Other("referenced_posts".into()));
    assert!(!other.is_known());
    assert_eq!(
        Expansion::other("sender_id"),
        Expansion::SenderId,
        "known strings map to known"
    );
    assert!(Expansion::SenderId.is_known());

    let t: EventType = decode(br#""ParticipantsRename""#).unwrap();
    assert_eq!(t, EventType::Other("ParticipantsRename".into()));
    assert_eq!(
        serde_json::to_string(&t).unwrap(),
        r#""ParticipantsRename""#
    );
    assert_eq!(
        decode::<EventType>(br#""MessageCreate""#).unwrap(),
        EventType::MessageCreate
    );
    // Spec order is the sort order; unknown values sort last.
    assert!(DmEventField::Attachments < DmEventField::Text);
    assert!(DmEventField::Text < DmEventField::other("zzz"));

    // From the second spec: the webhook list's fields.
    assert_eq!(WebhookConfigField::PARAM, "webhook_config.fields");
    let names: Vec<&str> = WebhookConfigField::ALL.iter().map(|f| f.as_str()).collect();
    assert_eq!(names, ["created_at", "id", "url", "valid"]);
    assert!("secret".parse::<WebhookConfigField>().is_err());
    assert_eq!(
        decode::<WebhookConfigField>(br#""valid""#).unwrap(),
        WebhookConfigField::Valid
    );
}

#[test]
fn webhook_and_subscription_ids_are_numeric() {
    let w = WebhookConfigId::from_str("1234567890").unwrap();
    assert_eq!(w.as_u64(), 1_234_567_890);
    assert_eq!(WebhookConfigId::PATTERN, "^[0-9]{1,19}$");
    let err = WebhookConfigId::from_str("12a").unwrap_err();
    assert_eq!(err.kind, "WebhookConfigId");
    let s = ActivitySubscriptionId::from_str("1915510368169844736").unwrap();
    assert_eq!(s.to_string(), "1915510368169844736");
    assert!(ActivitySubscriptionId::from_str("").is_err());
    assert!(ActivitySubscriptionId::from_str("12345678901234567890").is_err());
    let decoded: ActivitySubscriptionId = decode(br#""42""#).unwrap();
    assert_eq!(decoded.as_str(), "42");
}
