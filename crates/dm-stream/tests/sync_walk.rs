//! The resumable sync: a walk interrupted after any page and resumed from its last
//! committed progress delivers every new event exactly once and spends at most one request
//! again.

mod support;

use std::collections::HashSet;

use dm_fake::FaultKind;
use dm_stream::{EventsRequest, Scope, SyncProgress};
use support::*;

/// What a caller commits: the events of each page and the progress with them.
#[derive(Default)]
struct Committed {
    ids: Vec<String>,
    progress: Option<SyncProgress>,
}

impl Committed {
    /// Commits one page; the progress goes through serde as a real store would keep it.
    fn commit(&mut self, page: dm_stream::SyncPage) {
        self.ids
            .extend(page.events.iter().map(|e| e.event().id.to_string()));
        let text = serde_json::to_string(&page.progress).unwrap();
        self.progress = Some(serde_json::from_str(&text).unwrap());
    }
}

/// Runs a walk from `committed`'s progress, committing up to `pages` pages, then fetching
/// one more page that is never committed (the process "dies" before its commit).
/// Returns whether the walk completed.
async fn run(request: &EventsRequest, committed: &mut Committed, pages: Option<usize>) -> bool {
    let mut walk = request.sync_walk(committed.progress.as_ref()).unwrap();
    let mut n = 0;
    while let Some(page) = walk.next().await.unwrap() {
        if pages == Some(n) {
            return false; // fetched, not committed
        }
        let complete = page.complete;
        committed.commit(page);
        n += 1;
        if complete {
            return true;
        }
    }
    true
}

fn requests(fake: &dm_fake::FakeServer) -> usize {
    fake.requests().len()
}

#[tokio::test]
async fn a_walk_killed_after_any_page_resumes_without_loss_duplicates_or_extra_requests() {
    let fake = sandbox(1000).await;
    let client = client(&fake);
    let request = client.all_events().all_fields().max_results(100);
    let expected: HashSet<String> = ids(&truth(&fake, &Scope::All)).into_iter().collect();

    // Uninterrupted: the cost to beat.
    let before = requests(&fake);
    let mut whole = Committed::default();
    assert!(run(&request, &mut whole, None).await);
    let uninterrupted = requests(&fake) - before;
    assert_eq!(whole.ids.len(), expected.len());
    assert!(!whole.progress.as_ref().unwrap().in_progress());

    for kill_after in [0, 1, 2, 5, uninterrupted - 1] {
        let before = requests(&fake);
        let mut committed = Committed::default();
        let first_done = run(&request, &mut committed, Some(kill_after)).await;
        assert!(!first_done, "killed after {kill_after} pages");
        assert!(
            run(&request, &mut committed, None).await,
            "the rerun completes"
        );
        let spent = requests(&fake) - before;
        let unique: HashSet<String> = committed.ids.iter().cloned().collect();
        assert_eq!(
            unique.len(),
            committed.ids.len(),
            "nothing twice (kill after {kill_after})"
        );
        assert_eq!(unique, expected, "nothing lost (kill after {kill_after})");
        assert!(
            spent <= uninterrupted + 1,
            "kill after {kill_after}: {spent} requests, uninterrupted {uninterrupted}"
        );
        // The completed progress is a plain sync point: the next sync finds nothing new.
        let state = committed.progress.as_ref().unwrap().state().cloned();
        assert_eq!(state, whole.progress.as_ref().unwrap().state().cloned());
    }
}

#[tokio::test]
async fn an_interrupted_incremental_walk_takes_effect_only_when_it_reaches_the_old_point() {
    let fake = sandbox(600).await;
    let client = client(&fake);
    let request = client.all_events().all_fields().max_results(50);
    let mut committed = Committed::default();
    assert!(run(&request, &mut committed, None).await);
    let old_point = committed.progress.clone().unwrap();
    committed.ids.clear();

    // 180 new messages: four pages of 50 newer than the old point.
    let conv = fake
        .dataset()
        .conversations()
        .into_iter()
        .find(|c| !c.is_group)
        .unwrap();
    let me = fake.me().to_string();
    let other = conv
        .participants
        .iter()
        .find(|p| **p != me)
        .unwrap()
        .clone();
    let new: Vec<String> = (0..180)
        .map(|i| {
            fake.inject_message(&conv.id, &other, format!("new {i}"))
                .unwrap()
        })
        .collect();

    assert!(!run(&request, &mut committed, Some(2)).await);
    let mid = committed.progress.clone().unwrap();
    assert!(mid.in_progress());
    assert_eq!(
        mid.state(),
        old_point.state(),
        "the sync point moves only at the end"
    );

    // Messages arriving mid-walk are left for the next sync, not lost.
    let later = fake
        .inject_message(&conv.id, &other, "during the walk")
        .unwrap();
    assert!(run(&request, &mut committed, None).await);
    let mut got = committed.ids.clone();
    got.sort();
    let mut want = new.clone();
    want.sort();
    assert_eq!(got, want, "exactly the new events, once");

    committed.ids.clear();
    assert!(run(&request, &mut committed, None).await);
    assert_eq!(
        committed.ids,
        [later],
        "the next sync picks up what came during the walk"
    );
}

#[tokio::test]
async fn a_resumed_walk_whose_token_expired_goes_on_from_the_head() {
    let fake = sandbox(700).await;
    let client = client(&fake);
    let request = client.all_events().all_fields().max_results(100);
    let expected: HashSet<String> = ids(&truth(&fake, &Scope::All)).into_iter().collect();
    let mut committed = Committed::default();
    assert!(!run(&request, &mut committed, Some(3)).await);
    // The saved page token is refused on resume.
    fake.queue_fault(FaultKind::ExpiredToken);
    assert!(run(&request, &mut committed, None).await);
    let unique: HashSet<String> = committed.ids.iter().cloned().collect();
    assert_eq!(unique.len(), committed.ids.len(), "nothing twice");
    assert_eq!(unique, expected, "nothing lost");
}

#[tokio::test]
async fn progress_from_another_lookup_is_refused() {
    let fake = sandbox(120).await;
    let client = client(&fake);
    let mut committed = Committed::default();
    assert!(
        !run(
            &client.all_events().max_results(20),
            &mut committed,
            Some(1)
        )
        .await
    );
    let other = client.all_events().all_fields().max_results(20);
    let err = other.sync_walk(committed.progress.as_ref()).unwrap_err();
    assert!(
        matches!(err, dm_stream::Error::CheckpointMismatch { .. }),
        "{err}"
    );
}
