//! The bench harness over real sockets: the raw baseline and the client see the same events,
//! and both are served the pre-rendered pages (otherwise the baseline measures the renderer).

use dm_bench::lookup;
use dm_bench::raw::{PageDecode, RawClient};
use dm_fake::{FakeServer, Scope};
use futures::TryStreamExt;

#[tokio::test]
async fn raw_baseline_and_client_page_through_the_prerendered_lookup() {
    let server = FakeServer::builder()
        .seed(3)
        .events(1_050)
        .prerender(lookup::first_page_path_and_query().unwrap())
        .start()
        .await
        .unwrap();
    let truth = server.dataset().event_ids(&Scope::All).len() as u64;
    assert!(
        truth > 900,
        "the 30-day window holds most of the events: {truth}"
    );

    let run = RawClient::new(server.base_url(), server.token())
        .run(None, PageDecode::Minimal)
        .await
        .unwrap();
    assert_eq!(run.events, truth);
    let typed = RawClient::new(server.base_url(), server.token())
        .run(None, PageDecode::Typed)
        .await
        .unwrap();
    assert_eq!(typed, run);
    // Pages of 100 and the trailing empty page the live API sends.
    assert_eq!(run.requests, truth.div_ceil(100) + 1);
    // Both runs were served pre-rendered pages.
    assert_eq!(server.stats().prerendered_served, 2 * run.requests);

    let client = dm_stream::Client::builder()
        .base_url(server.base_url())
        .bearer_token(server.token())
        .build()
        .unwrap();
    let events: Vec<_> = client
        .all_events()
        .all_fields()
        .events()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(events.len() as u64, truth);
    assert_eq!(server.stats().prerendered_served, 3 * run.requests);

    let limited = RawClient::new(server.base_url(), server.token())
        .run(Some(250), PageDecode::Minimal)
        .await
        .unwrap();
    assert_eq!((limited.events, limited.requests), (300, 3));
}

#[tokio::test]
async fn raw_client_reports_a_refused_token_as_a_status() {
    let server = FakeServer::builder().events(10).start().await.unwrap();
    let err = RawClient::new(server.base_url(), "not-the-token")
        .run(None, PageDecode::Typed)
        .await
        .unwrap_err();
    assert!(
        matches!(err, dm_bench::BenchError::Status { status: 401, .. }),
        "{err}"
    );
    assert!(!format!("{err:?}").contains("not-the-token"));
}
