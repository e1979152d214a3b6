//! Event lookups over real sockets: pagination, fields, expansions, filters, shapes.

mod common;

use common::{all_pages, get, request};
use dm_fake::{FakeServer, Scope};
use serde_json::Value;

async fn server(events: usize) -> FakeServer {
    FakeServer::builder()
        .seed(42)
        .events(events)
        .start()
        .await
        .expect("start")
}

fn ids(pages: &[Value]) -> Vec<String> {
    pages
        .iter()
        .flat_map(|p| {
            p.get("data")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Every page decodes with dm-model, and decode → encode gives back the same JSON.
fn decodes(page: &Value) -> dm_model::DmEventsPage {
    let bytes = serde_json::to_vec(page).unwrap();
    let decoded: dm_model::DmEventsPage =
        dm_model::decode(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(&serde_json::to_value(&decoded).unwrap(), page, "round trip");
    decoded
}

#[tokio::test]
async fn pages_of_every_scope_match_the_ground_truth() {
    let s = server(700).await;
    let truth = s.dataset();
    let me = s.me().to_string();
    let all = all_pages(
        s.base_url(),
        "/2/dm_events",
        "max_results=37&dm_event.fields=id,created_at,dm_conversation_id",
        s.token(),
    )
    .await;
    assert_eq!(ids(&all), truth.event_ids(&Scope::All));
    assert!(
        truth.event_ids(&Scope::All).len() < truth.len(),
        "events older than 30 days exist and are hidden"
    );
    // Last page is empty: the page holding the last results still carried a next_token.
    assert_eq!(
        all.last().unwrap(),
        &serde_json::json!({"meta": {"result_count": 0}})
    );
    for p in &all {
        decodes(p);
    }
    // Newest first; created_at within 30 days of the fixed clock.
    let created: Vec<&str> = all
        .iter()
        .flat_map(|p| p["data"].as_array().into_iter().flatten())
        .map(|e| e["created_at"].as_str().unwrap())
        .collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]));
    assert!(created.last().unwrap() >= &"2026-10-02");
    let convs = truth.conversations();
    let group = convs
        .iter()
        .find(|c| c.is_group && c.events > 0)
        .expect("a group");
    let path = format!("/2/dm_conversations/{}/dm_events", group.id);
    let pages = all_pages(s.base_url(), &path, "max_results=10", s.token()).await;
    assert_eq!(
        ids(&pages),
        truth.event_ids(&Scope::Conversation(group.id.clone()))
    );
    // The per-conversation endpoints return history older than 30 days.
    let all_ids: std::collections::HashSet<String> =
        truth.event_ids(&Scope::All).into_iter().collect();
    let old = convs
        .iter()
        .find_map(|c| {
            truth
                .event_ids(&Scope::Conversation(c.id.clone()))
                .into_iter()
                .find(|id| !all_ids.contains(id))
                .map(|id| (c.id.clone(), id))
        })
        .expect("an old event");
    let pages = all_pages(
        s.base_url(),
        &format!("/2/dm_conversations/{}/dm_events", old.0),
        "",
        s.token(),
    )
    .await;
    assert!(ids(&pages).contains(&old.1));
    let one = convs
        .iter()
        .find(|c| !c.is_group && c.events > 3)
        .expect("a 1-1");
    let other = one.participants.iter().find(|p| **p != me).unwrap();
    let (a, b) = one.id.split_once('-').unwrap();
    assert!(
        a.parse::<u64>().unwrap() < b.parse::<u64>().unwrap(),
        "1-1 ids are {{low}}-{{high}} numerically"
    );
    let path = format!("/2/dm_conversations/with/{other}/dm_events");
    let pages = all_pages(s.base_url(), &path, "", s.token()).await;
    assert_eq!(
        ids(&pages),
        truth.event_ids(&Scope::WithParticipant(other.clone()))
    );
    assert_eq!(
        ids(&pages),
        truth.event_ids(&Scope::Conversation(one.id.clone()))
    );
}

#[tokio::test]
async fn defaults_per_event_type_and_requested_fields() {
    let s = server(400).await;
    let group = s
        .dataset()
        .conversations()
        .into_iter()
        .find(|c| c.is_group && c.events > 5)
        .unwrap();
    let path = format!("/2/dm_conversations/{}/dm_events", group.id);
    let pages = all_pages(s.base_url(), &path, "", s.token()).await;
    let events: Vec<Value> = pages
        .iter()
        .flat_map(|p| p["data"].as_array().cloned().unwrap_or_default())
        .collect();
    let mut kinds = std::collections::BTreeSet::new();
    for e in &events {
        let keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
        match e["event_type"].as_str().unwrap() {
            "MessageCreate" => assert_eq!(keys, ["event_type", "id", "text"]),
            _ => assert_eq!(keys, ["event_type", "id", "participant_ids"]),
        }
        kinds.insert(e["event_type"].as_str().unwrap().to_owned());
    }
    assert!(
        kinds.contains("ParticipantsJoin"),
        "group creation is a join"
    );
    let r = get(
        s.base_url(),
        &format!("{path}?dm_event.fields=sender_id,created_at"),
        s.token(),
    )
    .await;
    for e in r.json()["data"].as_array().unwrap() {
        assert!(e.get("created_at").is_some());
        assert!(e.get("dm_conversation_id").is_none());
        if e["event_type"] != "ParticipantsLeave" {
            assert!(e.get("sender_id").is_some(), "{e}");
        }
    }
    // event_types filter.
    let joins = all_pages(
        s.base_url(),
        &path,
        "event_types=ParticipantsJoin,ParticipantsLeave",
        s.token(),
    )
    .await;
    for p in &joins {
        for e in p["data"].as_array().into_iter().flatten() {
            assert_ne!(e["event_type"], "MessageCreate");
        }
    }
    assert!(!ids(&joins).is_empty());
}

#[tokio::test]
async fn expansions_fill_includes_deduplicated_with_partial_errors() {
    let s = server(2_000).await;
    let q = "max_results=100&dm_event.fields=sender_id,attachments,referenced_tweets,participant_ids,entities,text&expansions=sender_id,participant_ids,attachments.media_keys,referenced_tweets.id&user.fields=description,profile_image_url&tweet.fields=author_id,created_at&media.fields=width,height,url";
    let pages = all_pages(s.base_url(), "/2/dm_events", q, s.token()).await;
    let (mut saw_media, mut saw_tweet, mut saw_error, mut saw_entities) =
        (false, false, false, false);
    for p in &pages {
        let Some(data) = p["data"].as_array() else {
            continue;
        };
        let page = decodes(p);
        let users = p["includes"]["users"].as_array().unwrap();
        let user_ids: Vec<&str> = users.iter().map(|u| u["id"].as_str().unwrap()).collect();
        let mut dedup = user_ids.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(dedup.len(), user_ids.len(), "users deduplicated per page");
        for u in users {
            for k in u.as_object().unwrap().keys() {
                assert!(
                    ["id", "name", "username", "description", "profile_image_url"]
                        .contains(&k.as_str()),
                    "{k}"
                );
            }
        }
        for e in &page.data {
            if let Some(sender) = &e.sender_id {
                assert!(page.includes.user(sender).is_some());
            }
            for k in e.media_keys() {
                let m = page.includes.media(k).expect("media expanded");
                let _ = m;
                saw_media = true;
            }
        }
        for e in data {
            if e.get("entities").is_some() {
                saw_entities = true;
                for u in e["entities"]["urls"].as_array().into_iter().flatten() {
                    let text: Vec<char> = e["text"].as_str().unwrap().chars().collect();
                    let (a, b) = (
                        u["start"].as_u64().unwrap() as usize,
                        u["end"].as_u64().unwrap() as usize,
                    );
                    assert_eq!(
                        text[a..b].iter().collect::<String>(),
                        u["url"].as_str().unwrap(),
                        "indices are code points"
                    );
                }
            }
        }
        if let Some(t) = p["includes"].get("tweets") {
            for t in t.as_array().unwrap() {
                assert!(t.get("edit_history_tweet_ids").is_some() && t.get("author_id").is_some());
            }
            saw_tweet = true;
        }
        for err in p["errors"].as_array().into_iter().flatten() {
            assert_eq!(
                err["type"],
                "https://api.twitter.com/2/problems/resource-not-found"
            );
            assert_eq!(err["resource_type"], "tweet");
            saw_error = true;
        }
        for m in p["includes"]["media"].as_array().into_iter().flatten() {
            assert!(
                m.get("media_key").is_some() && m.get("type").is_some() && m.get("width").is_some()
            );
        }
    }
    assert!(
        saw_media && saw_tweet && saw_error && saw_entities,
        "{saw_media} {saw_tweet} {saw_error} {saw_entities}"
    );
}

#[tokio::test]
async fn tokens_survive_new_events_and_previous_token_finds_them() {
    let s = server(300).await;
    let first = get(s.base_url(), "/2/dm_events?max_results=5", s.token())
        .await
        .json();
    let next = first["meta"]["next_token"].as_str().unwrap().to_owned();
    let prev = first["meta"]["previous_token"].as_str().unwrap().to_owned();
    assert!(next.len() >= 16 && next.ends_with("ZZZZ"));
    let before = get(
        s.base_url(),
        &format!("/2/dm_events?max_results=5&pagination_token={next}"),
        s.token(),
    )
    .await
    .json();
    let conv = s
        .dataset()
        .conversations()
        .into_iter()
        .find(|c| !c.is_group)
        .unwrap();
    let sender = conv
        .participants
        .iter()
        .find(|p| **p != s.me().to_string())
        .unwrap()
        .clone();
    let mut new_ids = Vec::new();
    for i in 0..3 {
        new_ids.push(
            s.inject_message(&conv.id, &sender, format!("new {i} ✨"))
                .unwrap(),
        );
    }
    let after = get(
        s.base_url(),
        &format!("/2/dm_events?max_results=5&pagination_token={next}"),
        s.token(),
    )
    .await
    .json();
    assert_eq!(
        before, after,
        "a next_token encodes a position by id, not an offset"
    );
    let newer = get(
        s.base_url(),
        &format!("/2/dm_events?max_results=5&pagination_token={prev}"),
        s.token(),
    )
    .await
    .json();
    let got: Vec<&str> = newer["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    new_ids.reverse();
    assert_eq!(got, new_ids);
    let head = get(s.base_url(), "/2/dm_events?max_results=1", s.token())
        .await
        .json();
    assert_eq!(head["data"][0]["text"], "new 2 ✨");
}

#[tokio::test]
async fn trailing_empty_page_is_configurable_and_empty_dataset_shape() {
    let s = FakeServer::builder()
        .seed(3)
        .events(20)
        .trailing_empty_page(false)
        .start()
        .await
        .unwrap();
    let pages = all_pages(s.base_url(), "/2/dm_events", "", s.token()).await;
    assert_eq!(pages.len(), 1);
    assert!(pages[0]["meta"].get("next_token").is_none());
    let empty = FakeServer::builder().events(0).start().await.unwrap();
    let r = get(empty.base_url(), "/2/dm_events", empty.token()).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body.as_ref(), br#"{"meta":{"result_count":0}}"#);
    let page: dm_model::DmEventsPage = dm_model::decode(&r.body).unwrap();
    assert!(page.data.is_empty() && page.next_token().is_none());
}

#[tokio::test]
async fn get_event_by_id_and_missing_event() {
    let s = server(50).await;
    let id = s.dataset().event_ids(&Scope::All)[0].clone();
    let r = get(
        s.base_url(),
        &format!("/2/dm_events/{id}?dm_event.fields=created_at,sender_id&expansions=sender_id"),
        s.token(),
    )
    .await;
    assert_eq!(r.status, 200);
    let one: dm_model::DmEventResponse = dm_model::decode(&r.body).unwrap();
    assert_eq!(one.data.unwrap().id.as_str(), id);
    assert!(r.json().get("meta").is_none());
    let r = get(
        s.base_url(),
        "/2/dm_events/123?expansions=sender_id",
        s.token(),
    )
    .await;
    assert_eq!(r.status, 200);
    let missing: dm_model::DmEventResponse = dm_model::decode(&r.body).unwrap();
    assert!(missing.data.is_none());
    assert_eq!(
        missing.errors[0].kind(),
        dm_model::ProblemKind::ResourceNotFound
    );
    let r = get(
        s.base_url(),
        &format!("/2/dm_events/{id}?max_results=5"),
        s.token(),
    )
    .await;
    assert_eq!(r.status, 400, "no max_results on get-by-id");
}

#[tokio::test]
async fn gzip_when_asked() {
    let s = server(200).await;
    let auth = format!("Bearer {}", s.token());
    let plain = request(
        s.base_url(),
        "GET",
        "/2/dm_events",
        &[("authorization", &auth)],
        None,
    )
    .await
    .unwrap();
    assert!(plain.header("content-encoding").is_none());
    let gz = request(
        s.base_url(),
        "GET",
        "/2/dm_events",
        &[
            ("authorization", &auth),
            ("accept-encoding", "gzip, deflate"),
        ],
        None,
    )
    .await
    .unwrap();
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert_eq!(gz.body, plain.body);
    assert!(gz.wire_len < plain.wire_len / 2);
    assert!(s.requests().iter().any(|r| r.gzip));
}

#[tokio::test]
async fn prerendered_pages_are_served_and_dropped_on_change() {
    let q = "max_results=50&expansions=sender_id";
    let s = FakeServer::builder()
        .seed(9)
        .events(300)
        .prerender(format!("/2/dm_events?{q}"))
        .start()
        .await
        .unwrap();
    let live = FakeServer::builder()
        .seed(9)
        .events(300)
        .start()
        .await
        .unwrap();
    let a = all_pages(s.base_url(), "/2/dm_events", q, s.token()).await;
    let b = all_pages(live.base_url(), "/2/dm_events", q, live.token()).await;
    assert_eq!(a, b, "pre-rendered bytes equal live rendering");
    assert_eq!(s.stats().prerendered_served, a.len() as u64);
    assert_eq!(live.stats().prerendered_served, 0);
    let conv = s.dataset().conversations()[0].id.clone();
    let new_id = s
        .inject_message(&conv, s.me().to_string(), "fresh")
        .unwrap();
    let head = get(s.base_url(), &format!("/2/dm_events?{q}"), s.token())
        .await
        .json();
    assert_eq!(head["data"][0]["id"], new_id.as_str());
}

#[tokio::test]
async fn serves_http2_prior_knowledge_too() {
    let s = server(30).await;
    let stream = tokio::net::TcpStream::connect(s.local_addr())
        .await
        .unwrap();
    let (mut send, conn) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(stream),
    )
    .await
    .unwrap();
    tokio::spawn(conn);
    let req = http::Request::get(format!("{}/2/dm_events?max_results=2", s.base_url()))
        .header("authorization", format!("Bearer {}", s.token()))
        .body(http_body_util::Empty::<bytes::Bytes>::new())
        .unwrap();
    let resp = send.send_request(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.version(), http::Version::HTTP_2);
}

#[tokio::test]
async fn stops_on_shutdown_and_on_drop() {
    let s = server(5).await;
    let addr = s.local_addr();
    assert!(tokio::net::TcpStream::connect(addr).await.is_ok());
    s.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    let s = server(5).await;
    let addr = s.local_addr();
    drop(s);
    let mut closed = false;
    for _ in 0..1000 {
        tokio::task::yield_now().await;
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            closed = true;
            break;
        }
    }
    assert!(closed, "the listener closes once the server is dropped");
}
