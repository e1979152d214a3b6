//! The three lookups end to end against the sandbox, over real sockets.

mod support;

use std::collections::HashSet;

use dm_model::{EventType, Expansion, ProblemKind, UserField};
use dm_stream::Scope;
use futures::{StreamExt, TryStreamExt};
use support::*;

#[tokio::test]
async fn every_lookup_is_complete_in_order_each_event_once_with_includes_resolved() {
    let fake = sandbox(4000).await;
    let client = client(&fake);
    for scope in sample_scopes(&fake) {
        let expected = truth(&fake, &scope);
        assert!(!expected.is_empty(), "{scope:?} has events");
        let got = collect_all(&client, scope.clone()).await;
        let got_json: Vec<_> = got.iter().map(json).collect();
        assert_eq!(
            ids(&got_json),
            ids(&expected),
            "{scope:?}: same events, same order"
        );
        assert_eq!(
            got_json, expected,
            "{scope:?}: every field as the API holds it"
        );
        let unique: HashSet<_> = ids(&got_json).into_iter().collect();
        assert_eq!(unique.len(), got.len(), "{scope:?}: each event once");

        let unavailable: HashSet<String> =
            fake.dataset().unavailable_tweets().into_iter().collect();
        for event in &got {
            let e = event.event();
            if let Some(sender) = &e.sender_id {
                assert_eq!(
                    event.sender().and_then(|u| u.id.as_ref()),
                    Some(sender),
                    "sender resolved"
                );
            }
            assert_eq!(
                event.participants().count(),
                e.participant_ids.len(),
                "participants resolved"
            );
            assert_eq!(
                event.media().count(),
                e.media_keys().len(),
                "media resolved"
            );
            for r in &e.referenced_tweets {
                let resolved = event
                    .referenced_tweets()
                    .any(|t| t.id.as_ref() == Some(&r.id));
                if unavailable.contains(r.id.as_str()) {
                    assert!(!resolved, "an unavailable Post is not in includes");
                    assert!(
                        event
                            .page_errors()
                            .iter()
                            .any(|p| p.kind() == ProblemKind::ResourceNotFound
                                && p.member_str("resource_id") == Some(r.id.as_str())),
                        "the page's partial error names the unavailable Post {}",
                        r.id
                    );
                } else {
                    assert!(resolved, "referenced Post {} resolved", r.id);
                }
            }
        }
    }
}

#[tokio::test]
async fn fields_expansions_and_event_types_reach_the_server_as_asked() {
    let fake = sandbox(300).await;
    let client = client(&fake);
    let events: Vec<_> = client
        .all_events()
        .max_results(37)
        .event_types([EventType::ParticipantsJoin, EventType::MessageCreate])
        .expansions([Expansion::SenderId])
        .user_fields([UserField::Username, UserField::Verified])
        .events()
        .try_collect()
        .await
        .unwrap();
    assert!(
        events
            .iter()
            .all(|e| e.event().event_type != EventType::ParticipantsLeave)
    );
    let first = fake.requests().into_iter().next().expect("a request");
    assert_eq!(first.path, "/2/dm_events");
    assert_eq!(
        first.query,
        "max_results=37&event_types=MessageCreate,ParticipantsJoin&expansions=sender_id&user.fields=username,verified"
    );
    let expected: Vec<_> = truth(&fake, &Scope::All)
        .into_iter()
        .filter(|e| e["event_type"] != "ParticipantsLeave")
        .collect();
    assert_eq!(events.len(), expected.len());
}

#[tokio::test]
async fn no_request_until_polled() {
    let fake = sandbox(50).await;
    let client = client(&fake);
    let mut stream = client.all_events().events();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert_eq!(fake.requests().len(), 0, "building a stream sends nothing");
    assert!(stream.next().await.is_some());
    assert!(!fake.requests().is_empty());
}

#[tokio::test]
async fn an_empty_dataset_is_one_empty_page() {
    let fake = sandbox(0).await;
    let client = client(&fake);
    let pages: Vec<_> = client.all_events().pages().try_collect().await.unwrap();
    assert_eq!(pages.len(), 1);
    assert!(pages[0].is_empty());
    assert_eq!(pages[0].body().meta.result_count, Some(0));
    assert!(pages[0].checkpoint().is_done());
}

#[tokio::test]
async fn goes_on_through_the_trailing_empty_page_and_stops_at_the_end() {
    // 200 events, 100 per page: pages of 100, 100, then the empty page the live API serves.
    let fake = start(
        dm_fake::FakeServer::builder()
            .seed(3)
            .events(200)
            .trailing_empty_page(true),
    )
    .await;
    let client = client(&fake);
    let expected = truth(&fake, &Scope::All).len();
    let pages: Vec<_> = client.all_events().pages().try_collect().await.unwrap();
    let total: usize = pages.iter().map(|p| p.len()).sum();
    assert_eq!(total, expected);
    assert!(pages.last().unwrap().checkpoint().is_done());
    assert_eq!(
        fake.requests().len(),
        pages.len(),
        "one request per page, none after the end"
    );
}

#[tokio::test]
async fn prefetch_on_and_off_deliver_the_same_events() {
    let fake = sandbox(1500).await;
    let with = collect_all(
        &client_builder(&fake).prefetch(3).build().unwrap(),
        Scope::All,
    )
    .await;
    let without = collect_all(
        &client_builder(&fake).prefetch(0).build().unwrap(),
        Scope::All,
    )
    .await;
    let a: Vec<_> = with.iter().map(json).collect();
    let b: Vec<_> = without.iter().map(json).collect();
    assert_eq!(a, b);
}

#[tokio::test]
async fn many_conversations_at_once_cover_each_conversation_exactly() {
    let fake = sandbox(1500).await;
    let client = client(&fake);
    let conversations = fake.dataset().conversations();
    let ids_: Vec<dm_model::DmConversationId> = conversations
        .iter()
        .map(|c| c.id.parse().unwrap())
        .collect();
    let got: Vec<_> = client
        .conversations(ids_.clone())
        .concurrency(3)
        .configure(|r| r.all_fields())
        .events()
        .try_collect()
        .await
        .unwrap();
    let mut expected = HashSet::new();
    for id in &ids_ {
        expected.extend(support::ids(&truth(
            &fake,
            &Scope::Conversation(id.clone()),
        )));
    }
    let got_ids: Vec<String> = got.iter().map(|e| e.event().id.to_string()).collect();
    let unique: HashSet<_> = got_ids.iter().cloned().collect();
    assert_eq!(unique.len(), got_ids.len(), "each event once");
    assert_eq!(unique, expected);
}
