//! Sends, group creation, get by id, delete, block and unblock against the sandbox.

mod support;

use dm_fake::{Endpoint, FaultKind};
use dm_model::{DmConversationId, EventType, MessageRequest, UserId};
use dm_query::FieldsQuery;
use dm_stream::{Error, Scope};
use futures::TryStreamExt;
use support::*;

async fn ids_of(client: &dm_stream::Client, scope: Scope) -> Vec<String> {
    streamed_ids(client.events(scope)).await
}

/// A user the authenticated user has a one-to-one conversation with.
fn partner(fake: &dm_fake::FakeServer) -> UserId {
    let me = fake.me().to_string();
    let conv = fake
        .dataset()
        .conversations()
        .into_iter()
        .find(|c| !c.is_group)
        .unwrap();
    conv.participants
        .into_iter()
        .find(|p| *p != me)
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_sent_message_is_found_by_every_lookup_that_should_see_it() {
    let fake = sandbox(200).await;
    let client = client(&fake);
    let user = partner(&fake);
    let sent = client
        .send_to_user(
            user.clone(),
            MessageRequest::text("Hello \"there\" 👋\nhttps://example.com").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        sent.conversation_id,
        DmConversationId::one_to_one(&fake.me(), &user)
    );
    let id = sent.event_id.to_string();
    for scope in [
        Scope::All,
        Scope::Conversation(sent.conversation_id.clone()),
        Scope::WithParticipant(user.clone()),
    ] {
        let ids = ids_of(&client, scope.clone()).await;
        assert_eq!(
            ids.first(),
            Some(&id),
            "{scope:?} shows the new message first"
        );
    }
    let event = client
        .get_event(sent.event_id.clone(), FieldsQuery::all_fields())
        .await
        .unwrap();
    assert_eq!(
        event.event().text.as_deref(),
        Some("Hello \"there\" 👋\nhttps://example.com")
    );
    assert_eq!(event.sender().and_then(|u| u.id.clone()), Some(fake.me()));

    // A group message is seen by the group and by all events, not by a one-to-one lookup.
    let group = fake
        .dataset()
        .conversations()
        .into_iter()
        .find(|c| c.is_group)
        .unwrap();
    let group_id: DmConversationId = group.id.parse().unwrap();
    let sent = client
        .send_to_conversation(
            group_id.clone(),
            MessageRequest::text("to the group").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(sent.conversation_id, group_id);
    assert_eq!(
        ids_of(&client, Scope::Conversation(group_id)).await.first(),
        Some(&sent.event_id.to_string())
    );
    assert_eq!(
        ids_of(&client, Scope::All).await.first(),
        Some(&sent.event_id.to_string())
    );
    assert!(
        !ids_of(&client, Scope::WithParticipant(user))
            .await
            .contains(&sent.event_id.to_string())
    );
}

#[tokio::test]
async fn creating_a_group_yields_a_conversation_with_the_join_and_the_message() {
    let fake = sandbox(200).await;
    let client = client(&fake);
    let users: Vec<UserId> = fake
        .dataset()
        .users()
        .iter()
        .map(|u| u["id"].as_str().unwrap().parse().unwrap())
        .filter(|u| *u != fake.me())
        .take(3)
        .collect();
    let sent = client
        .create_group(users.clone(), MessageRequest::text("welcome all").unwrap())
        .await
        .unwrap();
    assert!(sent.conversation_id.is_group());
    let events: Vec<_> = client
        .conversation(sent.conversation_id.clone())
        .all_fields()
        .events()
        .try_collect()
        .await
        .unwrap();
    let message = events
        .iter()
        .find(|e| e.event().id == sent.event_id)
        .expect("the message");
    assert_eq!(message.event().text.as_deref(), Some("welcome all"));
    let join = events
        .iter()
        .find(|e| e.event().event_type == EventType::ParticipantsJoin)
        .expect("a join");
    assert_eq!(
        join.sender().and_then(|u| u.id.clone()),
        Some(fake.me()),
        "the creator invited"
    );
    for u in &users {
        assert!(join.event().participant_ids.contains(u), "{u} joined");
    }
}

#[tokio::test]
async fn a_deleted_event_is_no_longer_found() {
    let fake = sandbox(100).await;
    let client = client(&fake);
    let sent = client
        .send_to_user(partner(&fake), MessageRequest::text("oops").unwrap())
        .await
        .unwrap();
    assert!(client.delete_event(sent.event_id.clone()).await.unwrap());
    assert!(
        !ids_of(&client, Scope::All)
            .await
            .contains(&sent.event_id.to_string())
    );
    assert!(
        !ids_of(&client, Scope::Conversation(sent.conversation_id))
            .await
            .contains(&sent.event_id.to_string())
    );
    let err = client
        .get_event(sent.event_id, FieldsQuery::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NoData { .. }), "{err:?}");
    assert_eq!(
        err.problems()[0].kind(),
        dm_model::ProblemKind::ResourceNotFound
    );
}

#[tokio::test]
async fn block_and_unblock_and_a_typed_refusal() {
    let fake = sandbox(100).await;
    let client = client(&fake);
    let user = partner(&fake);
    assert!(client.block_dms(user.clone()).await.unwrap());
    assert!(fake.dataset().blocked().contains(&user.to_string()));
    let err = client
        .send_to_user(user.clone(), MessageRequest::text("hi").unwrap())
        .await
        .unwrap_err();
    let api = err
        .transport()
        .and_then(|e| e.as_api())
        .expect("an API refusal");
    assert_eq!(api.status.as_u16(), 403);
    assert!(!client.unblock_dms(user.clone()).await.unwrap());
    assert!(!fake.dataset().blocked().contains(&user.to_string()));
    client
        .send_to_user(user, MessageRequest::text("hi again").unwrap())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_send_dropped_after_the_server_read_it_is_not_resent_and_says_so() {
    let fake = sandbox(100).await;
    let client = client(&fake);
    let user = partner(&fake);
    let before = fake.dataset().events(&dm_fake::Scope::All).len();
    fake.queue_fault(FaultKind::DropAfterRequestBody);
    let err = client
        .send_to_user(user, MessageRequest::text("exactly once").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::MaybeSent { .. }), "{err:?}");
    assert!(err.may_have_been_sent());
    let text = err.to_string();
    assert!(text.contains("may have been sent"), "{text}");
    assert!(
        text.contains("look up"),
        "the error suggests a lookup: {text}"
    );
    let sends = fake.stats().endpoint(Endpoint::SendToParticipant);
    assert_eq!(sends, 1, "no second send");
    let after = fake.dataset().events(&dm_fake::Scope::All);
    assert_eq!(after.len(), before + 1, "the server did send it, once");
    assert_eq!(after[0]["text"], "exactly once");
}

#[tokio::test]
async fn a_send_answered_with_a_server_error_may_have_been_sent_and_is_not_resent() {
    // Reference §7.1: 502/504 are gateway errors; the message may exist behind them.
    for status in [500, 502, 503, 504] {
        let fake = sandbox(20).await;
        let client = client(&fake);
        fake.queue_fault(FaultKind::ServerError(status));
        let err = client
            .send_to_user(partner(&fake), MessageRequest::text("once").unwrap())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::MaybeSent { .. }), "{status}: {err:?}");
        assert!(err.may_have_been_sent());
        let sends = fake.stats().endpoint(Endpoint::SendToParticipant);
        assert_eq!(sends, 1, "{status}: no second send");
    }
    // A refusal is not a maybe: it says what was wrong.
    let fake = sandbox(20).await;
    let client = client(&fake);
    fake.queue_fault(FaultKind::ServerError(400));
    let err = client
        .send_to_user(partner(&fake), MessageRequest::text("once").unwrap())
        .await
        .unwrap_err();
    assert!(!matches!(err, Error::MaybeSent { .. }), "{err:?}");
}

#[tokio::test]
async fn bodies_are_validated_before_sending() {
    let fake = sandbox(10).await;
    let client = client(&fake);
    let one: Vec<UserId> = vec![partner(&fake)];
    let err = client
        .create_group(one, MessageRequest::text("x").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Body(_)), "{err:?}");
    assert!(MessageRequest::text("").is_err());
    assert!(MessageRequest::text("x".repeat(10_001)).is_err());
    assert_eq!(fake.requests().len(), 0, "nothing was sent");
}

#[tokio::test]
async fn media_downloads_as_a_stream_of_the_exact_bytes() {
    let fake = sandbox(300).await;
    let client = client(&fake);
    let events = collect_all(&client, Scope::All).await;
    let with_media = events
        .iter()
        .find(|e| !e.event().media_keys().is_empty())
        .expect("an event with media");
    let key = &with_media.event().media_keys()[0];
    let media_id: dm_model::MediaId = key.media_id_part().parse().unwrap();
    let download = client
        .download_media(
            with_media.event().id.clone(),
            media_id.clone(),
            "photo.jpg".parse().unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(download.content_type(), Some("application/octet-stream"));
    let mut out = Vec::new();
    let n = download.write_to(&mut out).await.unwrap();
    let expected = dm_fake::media_bytes(media_id.as_u64());
    assert_eq!(n as usize, expected.len());
    assert_eq!(out, expected);

    // A media id that is not this event's: a typed 404 before any byte.
    let err = client
        .download_media(
            with_media.event().id.clone(),
            "1".parse().unwrap(),
            "x.jpg".parse().unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.problems()[0].kind(),
        dm_model::ProblemKind::ResourceNotFound
    );
}

#[tokio::test]
async fn media_download_with_oauth1_is_refused_before_sending() {
    // Reference §2.10: media download takes an OAuth 2.0 user token only.
    let fake = sandbox(10).await;
    let client = dm_stream::Client::builder()
        .base_url(fake.base_url())
        .auth(dm_transport::Auth::oauth1(
            dm_transport::OAuth1Credentials::new(
                "consumer-key",
                "consumer-secret",
                "1-user-token",
                "token-secret",
            ),
        ))
        .build()
        .unwrap();
    let err = client
        .download_media(
            "1582838499983564806".parse().unwrap(),
            "1583157113245011970".parse().unwrap(),
            "photo.jpg".parse().unwrap(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UnsupportedAuth { .. }), "{err:?}");
    assert!(err.to_string().contains("OAuth 2.0 user token"), "{err}");
    assert!(!err.may_have_been_sent());
    assert_eq!(fake.requests().len(), 0, "nothing was sent");
}

#[tokio::test]
async fn a_message_with_one_media_attachment() {
    let fake = sandbox(50).await;
    let client = client(&fake);
    // The API attaches only media the user uploaded for DMs.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0".to_vec();
    let media = client
        .upload_media(
            dm_stream::UploadSource::bytes(png),
            dm_stream::MediaKind::Auto,
        )
        .await
        .unwrap()
        .media_id;
    let sent = client
        .send_to_user(
            partner(&fake),
            MessageRequest::with_media("Check out this image!", media.clone()).unwrap(),
        )
        .await
        .unwrap();
    let record = fake.requests().into_iter().last().unwrap();
    assert_eq!(record.method, "POST");
    let event = client
        .get_event(sent.event_id, FieldsQuery::all_fields())
        .await
        .unwrap();
    let keys = event.event().media_keys();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].media_id_part(), media.as_str());
    assert_eq!(event.media().count(), 1, "the attachment is expanded");
}
