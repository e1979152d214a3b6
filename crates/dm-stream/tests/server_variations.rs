//! Pages a server may send within the reference that the sandbox never does: short opaque
//! tokens, ids that do not follow time, overlapping pages, an empty newest page that names
//! a next one. Scripted through a plugged-in transport, page by page.

use std::sync::Arc;

use dm_stream::{Client, Scope};
use dm_transport::test_util::CaptureTransport;
use futures::TryStreamExt;
use serde_json::{Value, json};

fn event(id: &str) -> Value {
    json!({"id": id, "event_type": "MessageCreate", "text": format!("message {id}")})
}

/// A page of `ids` (newest first as sent), naming `next` as its `next_token`.
fn page(ids: &[&str], next: Option<&str>) -> String {
    let mut meta = json!({"result_count": ids.len()});
    if let Some(t) = next {
        meta["next_token"] = json!(t);
    }
    let mut body = json!({"meta": meta});
    if !ids.is_empty() {
        body["data"] = ids.iter().map(|id| event(id)).collect();
    }
    body.to_string()
}

/// A client builder whose requests go to `transport`.
fn builder(transport: &Arc<CaptureTransport>) -> dm_stream::ClientBuilder {
    Client::builder()
        .base_url("https://api.x.com")
        .bearer_token("token")
        .transport(transport.clone())
}

fn scripted(pages: &[String]) -> (Client, Arc<CaptureTransport>) {
    let transport = Arc::new(CaptureTransport::new());
    for p in pages {
        transport.push_json(200, p);
    }
    let client = builder(&transport).build().unwrap();
    (client, transport)
}

async fn streamed(client: &Client) -> Vec<String> {
    let events: Vec<_> = client
        .events(Scope::All)
        .events()
        .try_collect()
        .await
        .unwrap();
    events.iter().map(|e| e.event().id.to_string()).collect()
}

fn tokens_sent(transport: &CaptureTransport) -> Vec<Option<String>> {
    transport
        .requests()
        .iter()
        .map(|r| {
            // The scripted tokens need no percent-decoding.
            r.uri.query().and_then(|q| {
                q.split('&')
                    .find_map(|kv| kv.strip_prefix("pagination_token="))
                    .map(str::to_owned)
            })
        })
        .collect()
}

#[tokio::test]
async fn a_short_token_from_the_server_is_followed_as_it_is() {
    let (client, transport) =
        scripted(&[page(&["20", "19"], Some("7GQ2ND4E")), page(&["18"], None)]);
    assert_eq!(streamed(&client).await, ["20", "19", "18"]);
    assert_eq!(tokens_sent(&transport), [None, Some("7GQ2ND4E".to_owned())]);
}

#[tokio::test]
async fn a_short_token_from_the_caller_is_refused_before_sending() {
    let (client, transport) = scripted(&[]);
    let err = client
        .events(Scope::All)
        .start_token("short")
        .events()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("pagination_token"), "{err}");
    assert!(transport.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn ids_that_do_not_follow_time_lose_nothing_in_a_walk() {
    // Newest first by time; the ids themselves are not ordered across pages.
    let (client, _) = scripted(&[
        page(&["660", "650"], Some("TOKEN-PAGE-2-AAAAAAAA")),
        page(&["652", "600"], Some("TOKEN-PAGE-3-AAAAAAAA")),
        page(&["900", "1"], None),
    ]);
    assert_eq!(
        streamed(&client).await,
        ["660", "650", "652", "600", "900", "1"]
    );
}

#[tokio::test]
async fn a_page_that_overlaps_the_one_before_delivers_each_event_once() {
    let (client, _) = scripted(&[
        page(&["30", "20"], Some("TOKEN-PAGE-2-AAAAAAAA")),
        page(&["20", "10"], None),
    ]);
    assert_eq!(streamed(&client).await, ["30", "20", "10"]);
}

#[tokio::test]
async fn the_state_now_looks_past_an_empty_newest_page() {
    let (client, transport) = scripted(&[
        page(&[], Some("TOKEN-PAGE-2-AAAAAAAA")),
        page(&["99", "98"], Some("TOKEN-PAGE-3-AAAAAAAA")),
    ]);
    let state = client.all_events().sync_state_now().await.unwrap();
    assert_eq!(
        state.newest().map(ToString::to_string).as_deref(),
        Some("99")
    );
    assert_eq!(
        transport.requests().len(),
        2,
        "stopped at the first page with events"
    );
}

#[tokio::test]
async fn a_success_without_a_body_is_the_action_done() {
    let transport = Arc::new(CaptureTransport::new());
    for _ in 0..3 {
        transport.push_json(204, "");
    }
    let client = builder(&transport).build().unwrap();
    let id: dm_model::DmEventId = "1582838499983564806".parse().unwrap();
    let user: dm_model::UserId = "2244994945".parse().unwrap();
    assert!(client.delete_event(id).await.unwrap(), "deleted");
    assert!(client.block_dms(user.clone()).await.unwrap(), "blocked");
    assert!(
        !client.unblock_dms(user).await.unwrap(),
        "no longer blocked"
    );
    assert_eq!(transport.requests().len(), 3);
}

#[tokio::test]
async fn a_resume_into_a_page_already_delivered_that_repeats_its_token_delivers_nothing_twice() {
    let transport = Arc::new(CaptureTransport::new());
    let client = |refetches: u32| {
        builder(&transport)
            .decode_retries(refetches)
            .build()
            .unwrap()
    };
    const T2: &str = "TOKEN-PAGE-2-AAAAAAAA";
    // The walk: page 2 names itself as the next page; with no refetch allowed the stream
    // ends with an error and a checkpoint at page 2.
    transport.push_json(200, &page(&["30", "20"], Some(T2)));
    transport.push_json(200, &page(&["10", "5"], Some(T2)));
    let mut delivered = Vec::new();
    let mut stream = client(0).events(Scope::All).events();
    let checkpoint = loop {
        match stream.try_next().await {
            Ok(Some(e)) => delivered.push(e.event().id.to_string()),
            Ok(None) => panic!("the repeated token ends the walk with an error"),
            Err(e) => break e.checkpoint().cloned().expect("a checkpoint"),
        }
    };
    assert_eq!(delivered, ["30", "20", "10", "5"]);
    // The resume: page 2 again, still repeating itself, then moving on.
    transport.push_json(200, &page(&["10", "5"], Some(T2)));
    transport.push_json(200, &page(&["10", "5"], Some("TOKEN-PAGE-3-AAAAAAAA")));
    transport.push_json(200, &page(&["1"], None));
    let rest: Vec<_> = client(1)
        .events(Scope::All)
        .resume(checkpoint)
        .events()
        .try_collect()
        .await
        .unwrap();
    let rest: Vec<String> = rest.iter().map(|e| e.event().id.to_string()).collect();
    assert_eq!(rest, ["1"], "nothing delivered twice");
}

#[tokio::test]
async fn a_resume_mid_page_whose_page_repeats_its_token_delivers_nothing_twice() {
    let transport = Arc::new(CaptureTransport::new());
    let client = builder(&transport)
        .decode_retries(1)
        // No page fetched ahead: the scripted answers go to the requests named here.
        .prefetch(0)
        .build()
        .unwrap();
    const T2: &str = "TOKEN-PAGE-2-AAAAAAAA";
    transport.push_json(200, &page(&["30", "20"], Some(T2)));
    transport.push_json(200, &page(&["10", "5", "4"], Some("TOKEN-PAGE-3-AAAAAAAA")));
    // Stop after event 5, in the middle of page 2.
    let mut stream = client.events(Scope::All).events();
    let mut checkpoint = None;
    while let Some(event) = stream.try_next().await.unwrap() {
        if event.event().id.as_str() == "5" {
            checkpoint = Some(event.checkpoint());
            break;
        }
    }
    drop(stream);
    // Page 2 again, naming itself; fetched once more, then the walk moves on.
    transport.push_json(200, &page(&["10", "5", "4"], Some(T2)));
    transport.push_json(200, &page(&["10", "5", "4"], Some("TOKEN-PAGE-3-AAAAAAAA")));
    transport.push_json(200, &page(&["1"], None));
    let rest: Vec<_> = client
        .events(Scope::All)
        .resume(checkpoint.expect("stopped at 5"))
        .events()
        .try_collect()
        .await
        .unwrap();
    let rest: Vec<String> = rest.iter().map(|e| e.event().id.to_string()).collect();
    assert_eq!(rest, ["4", "1"], "nothing delivered twice");
    assert_eq!(transport.requests().len(), 5);
}
