//! Incremental sync and follow against the sandbox.

mod support;

use std::collections::HashSet;
use std::time::Duration;

use dm_stream::{FollowOptions, Scope, SyncState};
use futures::StreamExt;
use support::*;

/// Sends `n` incoming messages into the busiest one-to-one conversation; returns their ids,
/// oldest first.
fn inject(fake: &dm_fake::FakeServer, n: usize) -> Vec<String> {
    let conv = fake
        .dataset()
        .conversations()
        .into_iter()
        .filter(|c| !c.is_group)
        .max_by_key(|c| c.events)
        .unwrap();
    let me = fake.me().to_string();
    let other = conv
        .participants
        .iter()
        .find(|p| **p != me)
        .unwrap()
        .clone();
    (0..n)
        .map(|i| {
            fake.inject_message(&conv.id, &other, format!("new message {i} 🚀"))
                .unwrap()
        })
        .collect()
}

fn requests(fake: &dm_fake::FakeServer) -> usize {
    fake.requests().len()
}

#[tokio::test]
async fn a_second_sync_returns_exactly_the_new_events_within_the_request_bound() {
    let fake = sandbox(1200).await;
    let client = client(&fake);
    let request = client.all_events().all_fields();

    let first = request.sync(None).await.unwrap();
    let mut expected = ids(&truth(&fake, &Scope::All));
    expected.reverse();
    let got: Vec<String> = first
        .events
        .iter()
        .map(|e| e.event().id.to_string())
        .collect();
    assert_eq!(
        got, expected,
        "the initial sync returns everything, oldest first"
    );

    for k in [0usize, 1, 99, 100, 101, 250] {
        let state: SyncState =
            serde_json::from_str(&serde_json::to_string(&first_state(&request).await).unwrap())
                .unwrap();
        let new = inject(&fake, k);
        let before = requests(&fake);
        let batch = request.sync(Some(&state)).await.unwrap();
        let spent = requests(&fake) - before;
        let got: Vec<String> = batch
            .events
            .iter()
            .map(|e| e.event().id.to_string())
            .collect();
        assert_eq!(got, new, "exactly the {k} new events, oldest first");
        assert!(
            spent <= k.div_ceil(100) + 1,
            "{k} new events cost {spent} requests"
        );
        assert_eq!(batch.requests as usize, spent);
        assert_eq!(
            batch.state.newest().map(|i| i.to_string()),
            ids(&truth(&fake, &Scope::All)).first().cloned()
        );
    }
}

/// The state as of now (a full sync, not counted).
async fn first_state(request: &dm_stream::EventsRequest) -> SyncState {
    request.sync(None).await.unwrap().state
}

#[tokio::test]
async fn an_interrupted_sync_run_again_delivers_every_new_event_exactly_once() {
    let fake = start(
        dm_fake::FakeServer::builder()
            .seed(2)
            .events(800)
            .faults(dm_fake::FaultConfig::none().with_base_latency(Duration::from_millis(30))),
    )
    .await;
    let client = client(&fake);
    let request = client.all_events().all_fields().max_results(20);
    let state = request.sync(None).await.unwrap().state;
    let new = inject(&fake, 90);

    // Interrupted: dropped half-way (timeout), and failed half-way (usage cap).
    let interrupted =
        tokio::time::timeout(Duration::from_millis(75), request.sync(Some(&state))).await;
    assert!(interrupted.is_err(), "the sync was cut off");
    let failing = {
        let fake = &fake;
        let run = request.sync(Some(&state));
        let cap = async move {
            tokio::time::sleep(Duration::from_millis(80)).await;
            fake.set_usage_capped(true);
        };
        let (result, ()) = tokio::join!(run, cap);
        result
    };
    assert!(failing.is_err(), "the usage cap ended the sync");
    fake.set_usage_capped(false);

    let batch = request.sync(Some(&state)).await.unwrap();
    let got: Vec<String> = batch
        .events
        .iter()
        .map(|e| e.event().id.to_string())
        .collect();
    assert_eq!(got, new, "every new event, exactly once, oldest first");
    let again = request.sync(Some(&batch.state)).await.unwrap();
    assert!(again.events.is_empty(), "nothing twice");
}

#[tokio::test]
async fn a_sync_state_from_another_lookup_is_refused() {
    let fake = sandbox(50).await;
    let client = client(&fake);
    let state = client.all_events().sync(None).await.unwrap().state;
    let err = client
        .all_events()
        .all_fields()
        .sync(Some(&state))
        .await
        .unwrap_err();
    assert!(matches!(err, dm_stream::Error::CheckpointMismatch { .. }));
}

#[tokio::test]
async fn follow_picks_up_messages_sent_while_it_runs_each_once() {
    let fake = sandbox(300).await;
    let client = client(&fake);
    let mut follow = client.all_events().all_fields().follow(FollowOptions::new(
        Duration::from_millis(20),
        Duration::from_millis(200),
    ));
    let injector = {
        let fake = &fake;
        async move {
            let mut all = Vec::new();
            for round in 0..4 {
                tokio::time::sleep(Duration::from_millis(60)).await;
                all.extend(inject(fake, round * 3 + 1));
            }
            all
        }
    };
    let collector = async {
        let mut got = Vec::new();
        while got.len() < 1 + 4 + 7 + 10 {
            let event = tokio::time::timeout(Duration::from_secs(10), follow.next())
                .await
                .expect("follow delivers within 10 s")
                .expect("follow never ends")
                .expect("no error");
            got.push(event.event().id.to_string());
        }
        got
    };
    let (sent, got) = tokio::join!(injector, collector);
    assert_eq!(got, sent, "every new message, in order, each once");
    let unique: HashSet<_> = got.iter().collect();
    assert_eq!(unique.len(), got.len());
    assert_eq!(
        follow
            .state()
            .and_then(|s| s.newest())
            .map(|i| i.to_string()),
        sent.last().cloned()
    );
}

#[tokio::test]
async fn follow_from_a_saved_state_delivers_what_arrived_meanwhile() {
    let fake = sandbox(100).await;
    let client = client(&fake);
    let request = client.all_events();
    let state = request.sync(None).await.unwrap().state;
    let meanwhile = inject(&fake, 5);
    let mut follow = request.follow_from(
        state,
        FollowOptions::new(Duration::from_millis(10), Duration::from_millis(50)),
    );
    let mut got = Vec::new();
    for _ in 0..5 {
        got.push(follow.next().await.unwrap().unwrap().event().id.to_string());
    }
    assert_eq!(got, meanwhile);
}
