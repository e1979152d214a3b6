//! Checkpoints: resume from every kind, after serialization, exactly after the item.

mod support;

use dm_fake::FaultKind;
use dm_stream::{Checkpoint, Direction, Scope};
use futures::{StreamExt, TryStreamExt};
use support::*;

fn roundtrip(cp: &Checkpoint) -> Checkpoint {
    let text = serde_json::to_string(cp).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn resuming_from_any_event_checkpoint_delivers_exactly_the_rest() {
    let fake = sandbox(700).await;
    let client = client(&fake);
    for scope in sample_scopes(&fake) {
        let all = collect_all(&client, scope.clone()).await;
        let all_ids: Vec<String> = all.iter().map(|e| e.event().id.to_string()).collect();
        // First, middle, last of a page, and the very last event.
        let n = all.len();
        for k in [0, 1, 50, 99, 100, 101, n / 2, n.saturating_sub(2), n - 1] {
            if k >= n {
                continue;
            }
            let cp = roundtrip(&all[k].checkpoint());
            let rest = streamed_ids(client.events(scope.clone()).all_fields().resume(cp)).await;
            assert_eq!(rest, all_ids[k + 1..], "{scope:?}: resume after event #{k}");
        }
    }
}

#[tokio::test]
async fn resuming_from_a_page_checkpoint_continues_with_the_next_page() {
    let fake = sandbox(450).await;
    let client = client(&fake);
    let all: Vec<String> = ids(&truth(&fake, &Scope::All));
    let mut pages = client.all_events().max_results(40).pages();
    let mut seen = Vec::new();
    for _ in 0..3 {
        let page = pages.next().await.unwrap().unwrap();
        seen.extend(page.events().map(|e| e.event().id.to_string()));
        let cp = roundtrip(page.checkpoint());
        let rest = streamed_ids(client.all_events().max_results(40).resume(cp)).await;
        let mut joined = seen.clone();
        joined.extend(rest);
        assert_eq!(joined, all);
    }
}

/// A 30-event sandbox (with or without the live API's trailing empty page), a client, and
/// the checkpoint of the last event.
async fn last_event_checkpoint(
    trailing_empty_page: bool,
) -> (dm_fake::FakeServer, dm_stream::Client, Checkpoint) {
    let fake = start(
        dm_fake::FakeServer::builder()
            .seed(5)
            .events(30)
            .trailing_empty_page(trailing_empty_page),
    )
    .await;
    let client = client(&fake);
    let all = collect_all(&client, Scope::All).await;
    let cp = all.last().unwrap().checkpoint();
    (fake, client, cp)
}

#[tokio::test]
async fn a_finished_checkpoint_resumes_to_nothing_without_a_request() {
    let (fake, client, cp) = last_event_checkpoint(false).await;
    assert!(cp.is_done());
    let before = fake.requests().len();
    let rest: Vec<_> = client
        .all_events()
        .all_fields()
        .resume(cp)
        .events()
        .try_collect()
        .await
        .unwrap();
    assert!(rest.is_empty());
    assert_eq!(fake.requests().len(), before);
}

#[tokio::test]
async fn the_last_event_before_a_trailing_empty_page_resumes_to_nothing() {
    let (_fake, client, cp) = last_event_checkpoint(true).await;
    let rest: Vec<_> = client
        .all_events()
        .all_fields()
        .resume(cp)
        .events()
        .try_collect()
        .await
        .unwrap();
    assert!(rest.is_empty());
}

#[tokio::test]
async fn a_checkpoint_from_another_lookup_is_refused() {
    let fake = sandbox(30).await;
    let client = client(&fake);
    let all = collect_all(&client, Scope::All).await;
    let cp = all[0].checkpoint();
    let err = client
        .all_events()
        .max_results(10)
        .resume(cp)
        .events()
        .next()
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(err.error(), dm_stream::Error::CheckpointMismatch { .. }),
        "{err}"
    );
}

#[tokio::test]
async fn an_expired_page_token_falls_back_to_the_head_and_loses_nothing() {
    let fake = sandbox(500).await;
    let client = client(&fake);
    let all = collect_all(&client, Scope::All).await;
    let all_ids: Vec<String> = all.iter().map(|e| e.event().id.to_string()).collect();
    let cp = all[250].checkpoint();
    assert!(cp.page_token().is_some());
    fake.queue_fault(FaultKind::ExpiredToken);
    let rest = streamed_ids(client.all_events().all_fields().resume(cp)).await;
    assert_eq!(rest, all_ids[251..]);
}

#[tokio::test]
async fn a_final_error_carries_a_checkpoint_that_completes_the_set() {
    let fake = sandbox(600).await;
    let client = client_builder(&fake)
        .retry(dm_transport::RetryPolicy::none())
        .build()
        .unwrap();
    let expected = ids(&truth(&fake, &Scope::All));
    let mut stream = client.all_events().all_fields().events();
    let mut got = Vec::new();
    // Let two pages through, then fail the next request for good.
    while got.len() < 150 {
        got.push(stream.next().await.unwrap().unwrap().event().id.to_string());
    }
    fake.queue_fault(FaultKind::ServerError(503));
    let err = loop {
        match stream.next().await {
            Some(Ok(e)) => got.push(e.event().id.to_string()),
            Some(Err(e)) => break e,
            None => panic!("the stream ended without the injected error"),
        }
    };
    assert!(
        stream.next().await.is_none(),
        "the stream ends after its error"
    );
    let cp = roundtrip(err.checkpoint().expect("a checkpoint"));
    let rest = streamed_ids(client.all_events().all_fields().resume(cp)).await;
    got.extend(rest);
    assert_eq!(got, expected);
}

#[tokio::test]
async fn walking_towards_newer_events_with_previous_token() {
    let fake = sandbox(400).await;
    let client = client(&fake);
    let all = collect_all(&client, Scope::All).await;
    let all_ids: Vec<String> = all.iter().map(|e| e.event().id.to_string()).collect();
    // From an event deep in the history, walk towards newer ones.
    let k = 320;
    let cp = all[k].checkpoint();
    let newer = streamed_ids(
        client
            .all_events()
            .all_fields()
            .resume(cp)
            .direction(Direction::Newer),
    )
    .await;
    let mut expected: Vec<String> = all_ids[..k].to_vec();
    expected.reverse();
    assert_eq!(
        newer, expected,
        "every newer event, oldest first, each once"
    );
}
