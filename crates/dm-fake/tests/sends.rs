//! Send rules: a re-sent attachment is one media object, blocked users cannot be reached by
//! any send, conversation ids in a send path are unpatterned, group participants are unique.

mod common;

use common::{get, post};
use dm_fake::FakeServer;
use serde_json::{Value, json};

async fn server() -> FakeServer {
    FakeServer::builder()
        .seed(31)
        .events(20)
        .start()
        .await
        .unwrap()
}

fn user(s: &FakeServer, i: usize) -> String {
    s.dataset().users()[i]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_same_media_id_sent_twice_is_one_object_in_includes() {
    let s = server().await;
    let a = user(&s, 1);
    let path = format!("/2/dm_conversations/with/{a}/messages");
    let body = r#"{"text":"again","attachments":[{"media_id":"1583157113245011970"}]}"#;
    let mut sent = Vec::new();
    for _ in 0..2 {
        let r = post(s.base_url(), &path, s.token(), body).await;
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
        sent.push(r.json()["data"]["dm_event_id"].as_str().unwrap().to_owned());
    }
    let r = get(
        s.base_url(),
        "/2/dm_events?max_results=2&dm_event.fields=attachments&expansions=attachments.media_keys",
        s.token(),
    )
    .await;
    assert_eq!(r.status, 200);
    let v = r.json();
    let ids: Vec<&str> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [sent[1].as_str(), sent[0].as_str()]);
    for e in v["data"].as_array().unwrap() {
        assert_eq!(
            e["attachments"]["media_keys"],
            json!(["3_1583157113245011970"])
        );
    }
    let media = v["includes"]["media"].as_array().unwrap();
    assert_eq!(media.len(), 1, "includes are de-duplicated: {media:?}");
    assert_eq!(media[0]["media_key"], "3_1583157113245011970");
    // Both messages still download the shared media.
    for id in &sent {
        let r = get(
            s.base_url(),
            &format!("/2/dm_conversations/media/{id}/1583157113245011970/a.jpg"),
            s.token(),
        )
        .await;
        assert_eq!(r.status, 200);
    }
}
