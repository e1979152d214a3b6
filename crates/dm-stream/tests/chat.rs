//! X Chat over real sockets against the sandbox: two users exchange encrypted messages and
//! files both ways; what does not verify is refused.

use dm_chat::thrift::MessageEntryHolder;
use dm_chat::thrift::{Attachment, EventDetail, ThriftStruct};
use dm_chat::{ChatConversationId, MessageOptions, PrivateKeys, b64, parse_event};
use dm_fake::FakeServer;
use dm_stream::{ChatClient, ChatEvent, Client, Error};
use futures::TryStreamExt;

async fn sandbox() -> FakeServer {
    FakeServer::builder()
        .other_user("bob-token")
        .other_user("carol-token")
        .start()
        .await
        .unwrap()
}

fn client(fake: &FakeServer, token: &str) -> Client {
    Client::builder()
        .base_url(fake.base_url())
        .bearer_token(token)
        .build()
        .unwrap()
}

async fn texts(c: &ChatClient, conv: &ChatConversationId) -> Vec<(String, String)> {
    let events: Vec<ChatEvent> = c.history(conv).try_collect().await.unwrap();
    events
        .into_iter()
        .map(|e| match e {
            ChatEvent::Message(m) => (m.sender_id.clone(), m.text().unwrap_or_default().to_owned()),
            ChatEvent::Rejected(r) => panic!("rejected: {}", r.reason),
            other => panic!("{other:?}"),
        })
        .collect()
}

#[tokio::test]
async fn two_users_exchange_messages_both_ways_verified() {
    let fake = sandbox().await;
    let alice = ChatClient::register(client(&fake, fake.token()), PrivateKeys::generate())
        .await
        .unwrap();
    let bob = ChatClient::register(client(&fake, "bob-token"), PrivateKeys::generate())
        .await
        .unwrap();
    let conv = ChatConversationId::parse(bob.user_id(), Some(alice.user_id())).unwrap();

    let first = alice.send_text(&conv, "hello Bob").await.unwrap();
    assert!(first.sequence_id.is_some());
    bob.send_text(&conv, "hi Alice ✨").await.unwrap();
    alice.send_text(&conv, "how are you?").await.unwrap();

    let want = vec![
        (alice.user_id().to_owned(), "how are you?".to_owned()),
        (bob.user_id().to_owned(), "hi Alice ✨".to_owned()),
        (alice.user_id().to_owned(), "hello Bob".to_owned()),
    ];
    assert_eq!(texts(&bob, &conv).await, want);
    assert_eq!(texts(&alice, &conv).await, want);
    // Bob used the key Alice made: one key change only.
    let page = alice
        .client()
        .chat_events_page(conv.path().parse().unwrap(), None, None)
        .await
        .unwrap();
    assert_eq!(page.meta.conversation_key_events.len(), 1);

    // Typing and read marks go to the conversation; an unknown one is 404.
    let path: dm_model::ChatConversationId = conv.path().parse().unwrap();
    bob.client().chat_typing(path.clone()).await.unwrap();
    bob.client()
        .mark_chat_read(path, first.sequence_id.clone().unwrap())
        .await
        .unwrap();
    let nobody: dm_model::ChatConversationId =
        format!("{}-12345", alice.user_id()).parse().unwrap();
    let err = alice.client().chat_typing(nobody).await.unwrap_err();
    assert_eq!(
        err.transport().and_then(|t| t.status()).map(|s| s.as_u16()),
        Some(404)
    );

    // Carol, a third user, cannot read Alice and Bob's conversation.
    let carol = ChatClient::register(client(&fake, "carol-token"), PrivateKeys::generate())
        .await
        .unwrap();
    let err = carol
        .history(&conv)
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err}");
}

#[tokio::test]
async fn a_session_restored_from_the_key_blob_reads_history() {
    let fake = sandbox().await;
    let keys = PrivateKeys::generate();
    let blob = keys.to_blob();
    let alice = ChatClient::register(client(&fake, fake.token()), keys)
        .await
        .unwrap();
    let bob = ChatClient::register(client(&fake, "bob-token"), PrivateKeys::generate())
        .await
        .unwrap();
    let conv = ChatConversationId::parse(alice.user_id(), Some(bob.user_id())).unwrap();
    bob.send_text(&conv, "for Alice's other device")
        .await
        .unwrap();

    let again = ChatClient::new(
        client(&fake, fake.token()),
        alice.user_id(),
        PrivateKeys::from_blob(&blob).unwrap(),
        alice.own_keys().version().clone(),
    );
    assert_eq!(texts(&again, &conv).await[0].1, "for Alice's other device");
}

#[tokio::test]
async fn files_are_sent_encrypted_and_read_back() {
    let fake = sandbox().await;
    let alice = ChatClient::register(client(&fake, fake.token()), PrivateKeys::generate())
        .await
        .unwrap();
    let bob = ChatClient::register(client(&fake, "bob-token"), PrivateKeys::generate())
        .await
        .unwrap();
    let conv = ChatConversationId::parse(bob.user_id(), Some(alice.user_id())).unwrap();
    let file: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
    alice
        .send_file(&conv, &file, "notes.bin", Some("the notes"))
        .await
        .unwrap();

    let events: Vec<ChatEvent> = bob.history(&conv).try_collect().await.unwrap();
    let ChatEvent::Message(m) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(m.text(), Some("the notes"));
    let Attachment::Media(media) = &m.entry.as_message().unwrap().attachments[0] else {
        panic!()
    };
    assert_eq!(media.filename.as_deref(), Some("notes.bin"));
    assert_eq!(bob.download(m, media).await.unwrap(), file);
    // What the server holds is ciphertext: the file's bytes appear nowhere in it.
    let stored = bob
        .client()
        .download_chat_media(
            conv.path().parse().unwrap(),
            media.media_hash_key.as_deref().unwrap().parse().unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        stored.len() as u64,
        dm_chat::media::encrypted_size(file.len() as u64)
    );
    assert!(!stored.windows(64).any(|w| w == &file[100..164]));
}

fn status(err: &Error) -> Option<u16> {
    err.transport()?.status().map(|s| s.as_u16())
}

#[tokio::test]
async fn a_peer_whose_key_binding_does_not_verify_gets_nothing() {
    let fake = sandbox().await;
    let alice = ChatClient::register(client(&fake, fake.token()), PrivateKeys::generate())
        .await
        .unwrap();
    // Bob's record carries a binding signature made by another key.
    let bob_client = client(&fake, "bob-token");
    let bob_id = bob_client.me().await.unwrap().id.unwrap();
    let keys = PrivateKeys::generate();
    let mut reg = keys.registration();
    reg.identity_public_key_signature = PrivateKeys::generate()
        .registration()
        .identity_public_key_signature;
    let body = dm_model::RegisterPublicKeyRequest::new(
        dm_model::PublicKeyRegistration::new(
            reg.identity_public_key_signature.clone(),
            reg.public_key.clone(),
            reg.public_key_fingerprint,
            reg.registration_method,
            reg.signing_public_key.clone(),
            reg.signing_public_key_signature,
        ),
        "1".into(),
    );
    // The server refuses to register it...
    let err = bob_client
        .register_public_keys(bob_id.clone(), body)
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(400), "{err}");
    // ...and a server gone wrong that serves it anyway gets nothing from the client.
    fake.chat_plant_key_record(
        &bob_id,
        "1",
        reg.public_key,
        reg.signing_public_key,
        reg.identity_public_key_signature,
    )
    .unwrap();
    let conv = ChatConversationId::parse(bob_id.as_str(), Some(alice.user_id())).unwrap();
    let err = alice.send_text(&conv, "secret").await.unwrap_err();
    assert!(
        matches!(&err, Error::Chat(dm_chat::ChatError::Signature(_))),
        "{err:?}"
    );
    assert!(err.to_string().contains("does not verify"), "{err}");
    // Nothing was posted: no key, no message.
    let page = alice
        .client()
        .chat_events_page(conv.path().parse().unwrap(), None, None)
        .await
        .unwrap();
    assert!(page.data.is_empty() && page.meta.conversation_key_events.is_empty());
}

#[tokio::test]
async fn the_server_refuses_tampered_forged_or_unkeyed_messages() {
    let fake = sandbox().await;
    let keys = PrivateKeys::generate();
    let same = PrivateKeys::from_blob(&keys.to_blob()).unwrap();
    let alice = ChatClient::register(client(&fake, fake.token()), keys)
        .await
        .unwrap();
    let bob = ChatClient::register(client(&fake, "bob-token"), PrivateKeys::generate())
        .await
        .unwrap();
    let conv = ChatConversationId::parse(bob.user_id(), Some(alice.user_id())).unwrap();
    let key = alice.conversation_key(&conv).await.unwrap();
    let path: dm_model::ChatConversationId = conv.path().parse().unwrap();
    let message = |text: &str| {
        dm_chat::encrypt_message(
            &same,
            alice.own_keys(),
            &conv,
            &key,
            &MessageEntryHolder::text(text),
            &MessageOptions::default(),
        )
        .unwrap()
    };
    let send = |out: &dm_chat::OutgoingMessage, create: String| {
        alice.client().send_chat_message(
            path.clone(),
            dm_model::SendChatMessageRequest::new(
                out.message_id.clone(),
                create,
                out.encoded_message_event_signature.clone(),
            ),
        )
    };

    // Tampered ciphertext.
    let out = message("tampered");
    let mut create = out.event.clone();
    create.contents.as_mut().unwrap()[30] ^= 1;
    let err = send(&out, b64::encode(&create.encode())).await.unwrap_err();
    assert_eq!(status(&err), Some(400), "{err}");
    assert!(format!("{err:?}").contains("does not verify"), "{err:?}");

    // Signed by another key than the sender's registered one.
    let forger = PrivateKeys::generate();
    let out = dm_chat::encrypt_message(
        &forger,
        &dm_chat::VerifiedKeys::own(alice.user_id(), alice.own_keys().version().clone(), &forger),
        &conv,
        &key,
        &MessageEntryHolder::text("forged"),
        &MessageOptions::default(),
    )
    .unwrap();
    let err = send(&out, out.encoded_message_create_event.clone())
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(400), "{err}");

    // Under a conversation key version never posted to the conversation.
    let out = message("wrong version");
    let mut create = out.event.clone();
    create.conversation_key_version = Some("42".into());
    let err = send(&out, b64::encode(&create.encode())).await.unwrap_err();
    assert_eq!(status(&err), Some(400), "{err}");
    assert!(format!("{err:?}").contains("never posted"), "{err:?}");

    // Nothing of it was stored; an honest message still goes through and reads back.
    let out = message("honest");
    send(&out, out.encoded_message_create_event.clone())
        .await
        .unwrap();
    assert_eq!(
        texts(&bob, &conv).await,
        vec![(alice.user_id().to_owned(), "honest".to_owned())]
    );
}

#[tokio::test]
async fn forged_events_a_server_relays_are_rejected_in_history() {
    let fake = sandbox().await;
    let alice = ChatClient::register(client(&fake, fake.token()), PrivateKeys::generate())
        .await
        .unwrap();
    let bob = ChatClient::register(client(&fake, "bob-token"), PrivateKeys::generate())
        .await
        .unwrap();
    let conv = ChatConversationId::parse(bob.user_id(), Some(alice.user_id())).unwrap();
    alice.send_text(&conv, "genuine").await.unwrap();
    let page = bob
        .client()
        .chat_events_page(conv.path().parse().unwrap(), None, None)
        .await
        .unwrap();
    let encoded = page.data[0].encoded_event.clone().unwrap();

    // The same event with one bit of its ciphertext flipped.
    let mut ev = parse_event(&encoded).unwrap();
    if let Some(EventDetail::MessageCreate(c)) = &mut ev.detail {
        c.contents.as_mut().unwrap()[40] ^= 0x80;
    }
    fake.chat_relay_unchecked(&conv.path(), alice.user_id(), b64::encode(&ev.encode()))
        .unwrap();
    // The same event claiming a key version nobody has.
    let mut ev = parse_event(&encoded).unwrap();
    if let Some(EventDetail::MessageCreate(c)) = &mut ev.detail {
        c.conversation_key_version = Some("7".into());
    }
    fake.chat_relay_unchecked(&conv.path(), alice.user_id(), b64::encode(&ev.encode()))
        .unwrap();
    // Not an event at all.
    fake.chat_relay_unchecked(&conv.path(), alice.user_id(), "bm90IHRocmlmdA==")
        .unwrap();

    let events: Vec<ChatEvent> = bob.history(&conv).try_collect().await.unwrap();
    assert_eq!(events.len(), 4, "{events:?}");
    let reasons: Vec<String> = events[..3]
        .iter()
        .map(|e| match e {
            ChatEvent::Rejected(r) => r.reason.clone(),
            other => panic!("shown: {other:?}"),
        })
        .collect();
    assert!(reasons[2].contains("signature"), "{reasons:?}");
    assert!(!reasons[1].is_empty(), "{reasons:?}");
    let ChatEvent::Message(m) = &events[3] else {
        panic!("{events:?}")
    };
    assert_eq!(m.text(), Some("genuine"));
}

#[tokio::test]
async fn no_key_material_in_debug_or_errors() {
    let fake = sandbox().await;
    let keys = PrivateKeys::generate();
    let blob = keys.to_blob();
    let alice = ChatClient::register(client(&fake, fake.token()), keys)
        .await
        .unwrap();
    let bob = ChatClient::register(client(&fake, "bob-token"), PrivateKeys::generate())
        .await
        .unwrap();
    let conv = ChatConversationId::parse(bob.user_id(), Some(alice.user_id())).unwrap();
    let key = alice.conversation_key(&conv).await.unwrap();
    let shown = format!("{alice:?} {key:?} {:?}", alice.own_keys());
    let secrets = [
        dm_chat::b64::encode(&blob[..32]),
        dm_chat::b64::encode(&blob[32..]),
        dm_chat::b64::encode(key.bytes()),
        format!("{:?}", &blob[..32]),
        format!("{:?}", key.bytes()),
    ];
    for s in &secrets {
        assert!(!shown.contains(s.as_str()), "{shown}");
    }
    // A refusal names what was wrong, never a key.
    let err = dm_chat::PrivateKeys::from_blob(&blob[..10]).unwrap_err();
    for s in &secrets {
        assert!(!err.to_string().contains(s.as_str()));
    }
}

#[tokio::test]
async fn a_forged_or_tampered_event_is_rejected_not_shown() {
    let fake = sandbox().await;
    let alice = ChatClient::register(client(&fake, fake.token()), PrivateKeys::generate())
        .await
        .unwrap();
    let bob = ChatClient::register(client(&fake, "bob-token"), PrivateKeys::generate())
        .await
        .unwrap();
    let conv = ChatConversationId::parse(bob.user_id(), Some(alice.user_id())).unwrap();
    let sent = alice.send_text(&conv, "original").await.unwrap();
    let page = bob
        .client()
        .chat_events_page(conv.path().parse().unwrap(), None, None)
        .await
        .unwrap();
    let encoded = page.data[0].encoded_event.clone().unwrap();

    // As delivered: verified (the activity path: `open_event`).
    let ChatEvent::Message(m) = bob.open_event(&encoded, None).await else {
        panic!()
    };
    assert_eq!(m.message_id, sent.message_id);

    // One bit of the ciphertext flipped.
    let mut ev = parse_event(&encoded).unwrap();
    if let Some(EventDetail::MessageCreate(c)) = &mut ev.detail {
        let contents = c.contents.as_mut().unwrap();
        contents[30] ^= 1;
    }
    let ChatEvent::Rejected(r) = bob.open_event(&b64::encode(&ev.encode()), None).await else {
        panic!("shown")
    };
    assert!(r.reason.contains("signature"), "{}", r.reason);

    // Claimed to come from Bob himself.
    let mut ev = parse_event(&encoded).unwrap();
    ev.sender_id = Some(bob.user_id().to_owned());
    let ChatEvent::Rejected(_) = bob.open_event(&b64::encode(&ev.encode()), None).await else {
        panic!("shown")
    };

    // Garbage.
    let ChatEvent::Rejected(r) = bob.open_event("AAAA", None).await else {
        panic!()
    };
    assert!(r.reason.contains("malformed"), "{}", r.reason);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_received_arrives_through_the_activity_stream_decrypted() {
    let fake = sandbox().await;
    // Bob (the sandbox's main user, whom the app may subscribe) receives from Alice.
    let bob = ChatClient::register(client(&fake, fake.token()), PrivateKeys::generate())
        .await
        .unwrap();
    let alice = ChatClient::register(client(&fake, "bob-token"), PrivateKeys::generate())
        .await
        .unwrap();
    let app = Client::builder()
        .base_url(fake.base_url())
        .bearer_token(fake.token())
        .app_bearer_token(fake.app_token())
        .build()
        .unwrap();
    let bob_id: dm_model::UserId = bob.user_id().parse().unwrap();
    app.ensure_subscription(
        dm_model::activity::ActivityEventType::ChatReceived,
        bob_id,
        None,
        None,
    )
    .await
    .unwrap();
    let mut stream = app.activity_stream(dm_stream::ActivityStreamOptions::default());
    // The stream connects lazily: poll until the sandbox sees it.
    for _ in 0..200 {
        if fake.activity_stream_connections() > 0 {
            break;
        }
        let _ = tokio::time::timeout(std::time::Duration::from_millis(25), stream.try_next()).await;
    }
    assert!(fake.activity_stream_connections() > 0);

    let conv = ChatConversationId::parse(bob.user_id(), Some(alice.user_id())).unwrap();
    let sent = alice.send_text(&conv, "live and encrypted").await.unwrap();
    let event = tokio::time::timeout(std::time::Duration::from_secs(10), stream.try_next())
        .await
        .expect("delivered")
        .unwrap()
        .unwrap();
    assert_eq!(
        event.event_type,
        dm_model::activity::ActivityEventType::ChatReceived
    );
    // Bob has never read the conversation: the key change in the payload is enough.
    let Some(ChatEvent::Message(m)) = bob.open_activity(&event).await else {
        panic!("{event:?}")
    };
    assert_eq!(m.text(), Some("live and encrypted"));
    assert_eq!(m.message_id, sent.message_id);
    assert_eq!(m.sender_id, alice.user_id());

    // The same delivery with its event tampered: rejected, not shown.
    let mut forged = event.clone();
    let payload = forged.payload.as_mut().unwrap();
    let mut ev = parse_event(payload["encoded_event"].as_str().unwrap()).unwrap();
    if let Some(EventDetail::MessageCreate(c)) = &mut ev.detail {
        c.contents.as_mut().unwrap()[33] ^= 2;
    }
    payload["encoded_event"] = b64::encode(&ev.encode()).into();
    let Some(ChatEvent::Rejected(_)) = bob.open_activity(&forged).await else {
        panic!("shown")
    };
}
