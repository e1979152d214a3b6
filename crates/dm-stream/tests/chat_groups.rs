//! X Chat groups over real sockets against the sandbox: three users create a group and talk;
//! a member added later reads the group from the key rotation that added them on; what the
//! server can check in a group action is refused when forged.

use dm_chat::{ChatConversationId, PrivateKeys};
use dm_fake::FakeServer;
use dm_stream::{ChatClient, ChatEvent, Client, Error};
use futures::TryStreamExt;

async fn sandbox() -> FakeServer {
    FakeServer::builder()
        .other_user("bob-token")
        .other_user("carol-token")
        .other_user("dave-token")
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

async fn user(fake: &FakeServer, token: &str) -> ChatClient {
    ChatClient::register(client(fake, token), PrivateKeys::generate())
        .await
        .unwrap()
}

/// (sender, text) newest first; panics on anything that did not verify.
async fn texts(c: &ChatClient, conv: &ChatConversationId) -> Vec<(String, String)> {
    let events: Vec<ChatEvent> = c.history(conv).try_collect().await.unwrap();
    events
        .into_iter()
        .map(|e| match e {
            ChatEvent::Message(m) => {
                assert!(m.key_verified);
                (m.sender_id.clone(), m.text().unwrap_or_default().to_owned())
            }
            ChatEvent::Rejected(r) => panic!("rejected: {}", r.reason),
            other => panic!("{other:?}"),
        })
        .collect()
}

fn said(c: &ChatClient, text: &str) -> (String, String) {
    (c.user_id().to_owned(), text.to_owned())
}

#[tokio::test]
async fn three_users_talk_in_a_group_and_a_member_added_later_reads_from_the_rotation_on() {
    let fake = sandbox().await;
    let alice = user(&fake, fake.token()).await;
    let bob = user(&fake, "bob-token").await;
    let carol = user(&fake, "carol-token").await;
    let dave = user(&fake, "dave-token").await;

    let group = alice
        .create_group(&[bob.user_id(), carol.user_id()])
        .await
        .unwrap();
    assert!(matches!(group, ChatConversationId::Group(_)));
    let info = bob
        .client()
        .chat_conversation(group.path().parse().unwrap())
        .await
        .unwrap();
    let mut members = info.participant_ids.clone();
    members.sort();
    let mut want_members = vec![
        alice.user_id().to_owned(),
        bob.user_id().to_owned(),
        carol.user_id().to_owned(),
    ];
    want_members.sort();
    assert_eq!(members, want_members);
    assert_eq!(info.admin_ids, vec![alice.user_id().to_owned()]);
    assert_eq!(info.kind.as_deref(), Some("Group"));

    alice.send_text(&group, "welcome, both").await.unwrap();
    bob.send_text(&group, "hi all").await.unwrap();
    carol.send_text(&group, "hello from Carol").await.unwrap();
    let before = vec![
        said(&carol, "hello from Carol"),
        said(&bob, "hi all"),
        said(&alice, "welcome, both"),
    ];
    for reader in [&alice, &bob, &carol] {
        assert_eq!(texts(reader, &group).await, before);
    }
    // Dave is not a member: the group is closed to him.
    let err = dave
        .client()
        .chat_events_page(group.path().parse().unwrap(), None, None)
        .await
        .unwrap_err();
    assert_eq!(code(&err), Some(403), "{err}");

    // Only an admin adds members; Bob is not one.
    let err = bob
        .add_members(&group, &[dave.user_id()])
        .await
        .unwrap_err();
    assert_eq!(code(&err), Some(403), "{err}");

    alice.add_members(&group, &[dave.user_id()]).await.unwrap();
    // Bob, who last sent under the first key, picks up the rotation before sending.
    bob.send_text(&group, "welcome Dave").await.unwrap();
    dave.send_text(&group, "thanks!").await.unwrap();

    let after = vec![said(&dave, "thanks!"), said(&bob, "welcome Dave")];
    // Dave reads from the key change that added him on, every message verified.
    assert_eq!(texts(&dave, &group).await, after);
    let page = dave
        .client()
        .chat_events_page(group.path().parse().unwrap(), None, None)
        .await
        .unwrap();
    assert_eq!(page.meta.conversation_key_events.len(), 1);
    // The members from the start read everything.
    let everything: Vec<_> = after.iter().chain(&before).cloned().collect();
    for reader in [&alice, &bob, &carol] {
        assert_eq!(texts(reader, &group).await, everything);
    }
    // The two messages after the rotation are under the new key.
    let events: Vec<ChatEvent> = carol.history(&group).try_collect().await.unwrap();
    let versions: Vec<_> = events
        .iter()
        .map(|e| match e {
            ChatEvent::Message(m) => m.key_version.clone(),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(versions[0], versions[1]);
    assert!(versions[1] > versions[2], "{versions:?}");
    assert_eq!(versions[2], versions[4]);
}

#[tokio::test]
async fn a_group_needs_members_with_verifiable_keys() {
    let fake = sandbox().await;
    let alice = user(&fake, fake.token()).await;
    let bob = user(&fake, "bob-token").await;
    // Carol never registered keys: nothing can be wrapped to her.
    let carol = client(&fake, "carol-token").me().await.unwrap().id.unwrap();
    let err = alice
        .create_group(&[bob.user_id(), carol.as_str()])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NoData { .. }), "{err}");
    let err = alice.create_group(&[]).await.unwrap_err();
    assert!(matches!(err, Error::Chat(_)), "{err}");
}

#[tokio::test]
async fn the_sandbox_refuses_group_actions_that_do_not_match_their_signature() {
    use dm_chat::{VerifiedKeys, prepare_group_create};
    let fake = sandbox().await;
    let alice_keys = PrivateKeys::generate();
    let alice_copy = PrivateKeys::from_blob(&alice_keys.to_blob()).unwrap();
    let alice = ChatClient::register(client(&fake, fake.token()), alice_keys)
        .await
        .unwrap();
    let bob = user(&fake, "bob-token").await;
    let carol = user(&fake, "carol-token").await;
    let bob_keys = alice.fetch_keys(bob.user_id()).await.unwrap().remove(0);
    let carol_keys = alice.fetch_keys(carol.user_id()).await.unwrap().remove(0);

    let post = |members: Vec<String>, name: Option<&str>, swap: bool| {
        let alice = alice.clone();
        let alice_copy = &alice_copy;
        let everyone: Vec<VerifiedKeys> = vec![
            alice.own_keys().clone(),
            bob_keys.clone(),
            carol_keys.clone(),
        ];
        let name = name.map(str::to_owned);
        async move {
            let id = alice.client().initialize_chat_group().await.unwrap();
            let conv = ChatConversationId::parse(&id.conversation_id, None).unwrap();
            // Signed by a stand-in for Alice's keys when `swap`: the signature cannot verify.
            let signer = PrivateKeys::generate();
            let own = alice.own_keys().clone();
            let keys_for_sig = if swap { &signer } else { alice_copy };
            let action = prepare_group_create(
                keys_for_sig,
                &own,
                &conv,
                &everyone,
                &[alice.user_id().to_owned()],
                None,
                None,
            )
            .unwrap();
            let k = &action.key_change;
            let body = dm_model::CreateChatGroupRequest::new(
                conv.path(),
                k.key.version().to_string(),
                k.participant_keys
                    .iter()
                    .map(|p| {
                        dm_model::ConversationParticipantKeyBody::new(
                            p.user_id.clone().unwrap(),
                            p.encrypted_conversation_key.clone().unwrap(),
                            p.public_key_version.clone().unwrap(),
                        )
                    })
                    .collect(),
                members,
                Vec::new(),
                [&k.action_signature, &action.group_signature]
                    .into_iter()
                    .map(|a| {
                        dm_model::ActionSignatureBody::new(
                            a.message_id.clone(),
                            a.encoded_message_event_detail.clone(),
                            a.signature.clone(),
                            a.public_key_version.clone(),
                            a.signature_version.clone(),
                        )
                    })
                    .collect(),
            );
            let mut body = body;
            body.group_name = name;
            alice.client().create_chat_group(body).await
        }
    };
    let all = || {
        vec![
            alice.user_id().to_owned(),
            bob.user_id().to_owned(),
            carol.user_id().to_owned(),
        ]
    };
    let status = |r: Result<dm_model::CreatedChatGroup, Error>| code(&r.unwrap_err());
    // Members other than the signed ones; a name that was not signed; a forged signature.
    let fewer = vec![alice.user_id().to_owned(), bob.user_id().to_owned()];
    assert_eq!(status(post(fewer, None, false).await), Some(400));
    assert_eq!(status(post(all(), Some("Team"), false).await), Some(400));
    assert_eq!(status(post(all(), None, true).await), Some(400));
    // The same body, properly signed, is accepted.
    post(all(), None, false).await.unwrap();
}

fn code(err: &Error) -> Option<u16> {
    err.transport()?.status().map(|s| s.as_u16())
}
