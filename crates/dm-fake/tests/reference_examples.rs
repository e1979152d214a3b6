//! The sandbox answers the reference's examples the way the API does, over real sockets: the
//! defaults, and the field an expansion expands from (see "How the sandbox answers" in the
//! crate docs).

mod common;

use std::collections::{BTreeSet, HashMap};

use common::{all_pages, get};
use dm_fake::{FakeServer, Scope};
use serde_json::Value;

async fn server() -> FakeServer {
    FakeServer::builder()
        .seed(17)
        .events(400)
        .start()
        .await
        .expect("start")
}

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

fn events(pages: &[Value]) -> Vec<Value> {
    pages
        .iter()
        .flat_map(|p| {
            p.get("data")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}

/// Ground truth by id: every field of every event.
fn truth(s: &FakeServer) -> HashMap<String, Value> {
    s.dataset()
        .events(&Scope::All)
        .into_iter()
        .map(|e| (e["id"].as_str().unwrap().to_owned(), e))
        .collect()
}

#[tokio::test]
async fn without_fields_each_event_has_only_its_defaults() {
    // Reference §9.1: `id`, `event_type`, `text` for messages; `participant_ids` for joins and
    // leaves.
    let s = server().await;
    let all = events(&all_pages(s.base_url(), "/2/dm_events", "max_results=100", s.token()).await);
    assert_eq!(all.len(), s.dataset().event_ids(&Scope::All).len());
    let mut kinds = BTreeSet::new();
    for e in &all {
        let kind = e["event_type"].as_str().unwrap();
        kinds.insert(kind.to_owned());
        let expected: BTreeSet<&str> = match kind {
            "MessageCreate" => ["id", "event_type", "text"].into(),
            _ => ["id", "event_type", "participant_ids"].into(),
        };
        assert_eq!(keys(e), expected, "{e}");
    }
    assert!(
        kinds.len() >= 2,
        "the dataset has joins or leaves too: {kinds:?}"
    );
}

#[tokio::test]
async fn an_expansion_returns_the_field_it_expands_from() {
    // The lookup quickstart: `expansions=sender_id&user.fields=username,profile_image_url`
    // returns `sender_id` on each event although `dm_event.fields` is not given.
    let s = server().await;
    let truth = truth(&s);
    let pages = all_pages(
        s.base_url(),
        "/2/dm_events",
        "expansions=sender_id&user.fields=username,profile_image_url",
        s.token(),
    )
    .await;
    let mut with_sender = 0;
    for e in events(&pages) {
        let full = &truth[e["id"].as_str().unwrap()];
        assert_eq!(e.get("sender_id"), full.get("sender_id"), "{e}");
        with_sender += usize::from(e.get("sender_id").is_some());
        assert!(e.get("dm_conversation_id").is_none() && e.get("created_at").is_none());
    }
    assert!(with_sender > 0);
    for page in &pages {
        let senders: BTreeSet<&str> = page["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["sender_id"].as_str())
            .collect();
        let users: BTreeSet<&str> = page["includes"]["users"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|u| u["id"].as_str().unwrap())
            .collect();
        assert_eq!(senders, users, "each sender expanded once");
        for u in page["includes"]["users"].as_array().into_iter().flatten() {
            let k = keys(u);
            assert!(
                k.contains("name"),
                "`name` is a default field (required by the schema)"
            );
            assert!(k.is_subset(&["id", "name", "username", "profile_image_url"].into()));
        }
    }

    // The other expansions likewise: media keys, referenced Posts and participants.
    let pages = all_pages(
        s.base_url(),
        "/2/dm_events",
        "expansions=attachments.media_keys,referenced_tweets.id,participant_ids",
        s.token(),
    )
    .await;
    let (mut media, mut posts) = (0, 0);
    for e in events(&pages) {
        let full = &truth[e["id"].as_str().unwrap()];
        for field in ["attachments", "referenced_tweets", "participant_ids"] {
            assert_eq!(e.get(field), full.get(field), "{field} of {e}");
        }
        assert!(
            e.get("sender_id").is_none(),
            "sender_id only with its expansion or field"
        );
        assert!(e.get("entities").is_none());
        media += usize::from(e.get("attachments").is_some());
        posts += usize::from(e.get("referenced_tweets").is_some());
    }
    assert!(
        media > 0 && posts > 0,
        "the dataset has media ({media}) and shared Posts ({posts})"
    );

    // One event by id, too.
    let id = truth
        .values()
        .find(|e| e.get("sender_id").is_some())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let one = get(
        s.base_url(),
        &format!("/2/dm_events/{id}?expansions=sender_id"),
        s.token(),
    )
    .await
    .json();
    assert_eq!(one["data"]["sender_id"], truth[&id]["sender_id"]);
    assert_eq!(one["includes"]["users"][0]["id"], truth[&id]["sender_id"]);
}

#[tokio::test]
async fn the_data_dictionary_sample_request_gets_its_shape() {
    // Reference §9.3: `user.fields=description` gives users `id`, `name`, `username` and
    // `description`; `tweet.fields=created_at,text,author_id` gives Posts their defaults
    // (`edit_history_tweet_ids`) too.
    let s = server().await;
    let q = "tweet.fields=created_at,text,author_id&user.fields=description\
             &expansions=sender_id,participant_ids,referenced_tweets.id\
             &dm_event.fields=id,sender_id,text,participant_ids,created_at";
    let pages = all_pages(s.base_url(), "/2/dm_events", q, s.token()).await;
    let (mut users, mut tweets) = (0, 0);
    for page in &pages {
        for u in page["includes"]["users"].as_array().into_iter().flatten() {
            let k = keys(u);
            assert!(k.is_superset(&["id", "name", "username"].into()), "{u}");
            assert!(
                k.is_subset(&["id", "name", "username", "description"].into()),
                "{u}"
            );
            users += 1;
        }
        for t in page["includes"]["tweets"].as_array().into_iter().flatten() {
            let k = keys(t);
            assert!(
                k.is_superset(&["id", "text", "edit_history_tweet_ids"].into()),
                "{t}"
            );
            assert!(
                k.is_subset(
                    &[
                        "id",
                        "text",
                        "edit_history_tweet_ids",
                        "created_at",
                        "author_id"
                    ]
                    .into()
                ),
                "{t}"
            );
            tweets += 1;
        }
        for e in page["data"].as_array().into_iter().flatten() {
            // `referenced_tweets` comes with its expansion; `dm_conversation_id` only when asked.
            assert!(e.get("dm_conversation_id").is_none(), "{e}");
            assert!(e.get("created_at").is_some(), "{e}");
        }
    }
    assert!(users > 0 && tweets > 0);
}
