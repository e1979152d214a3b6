//! Send rules: a re-sent attachment is one media object, blocked users cannot be reached by
//! any send, conversation ids in a send path are unpatterned, group participants are unique.

mod common;

use common::{create_group, get, post, upload_image};
use dm_fake::FakeServer;
use serde_json::{Value, json};

async fn server() -> FakeServer {
    common::sandbox(31, 20).await
}

fn user(s: &FakeServer, i: usize) -> String {
    s.dataset().users()[i]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_same_media_id_sent_twice_is_one_object_in_includes() {
    let s = server().await;
    let a = user(&s, 1);
    let path = format!("/2/dm_conversations/with/{a}/messages");
    let media = upload_image(&s).await;
    let body = format!(r#"{{"text":"again","attachments":[{{"media_id":"{media}"}}]}}"#);
    let mut sent = Vec::new();
    for _ in 0..2 {
        let r = post(s.base_url(), &path, s.token(), &body).await;
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
    let key = format!("3_{media}");
    for e in v["data"].as_array().unwrap() {
        assert_eq!(e["attachments"]["media_keys"], json!([key]));
    }
    let included = v["includes"]["media"].as_array().unwrap();
    assert_eq!(
        included.len(),
        1,
        "includes are de-duplicated: {included:?}"
    );
    assert_eq!(included[0]["media_key"], key.as_str());
    // Both messages still download the shared media.
    for id in &sent {
        let r = get(
            s.base_url(),
            &format!("/2/dm_conversations/media/{id}/{media}/a.jpg"),
            s.token(),
        )
        .await;
        assert_eq!(r.status, 200);
    }
}

fn blocked_shape(r: &common::Resp) {
    assert_eq!(r.status, 403, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        r.json(),
        json!({"title": "Forbidden", "type": "about:blank", "status": 403, "detail": "You cannot send messages to users you have blocked."})
    );
}

#[tokio::test]
async fn a_blocked_user_cannot_be_reached_by_any_send() {
    let s = server().await;
    let (a, b) = (user(&s, 1), user(&s, 2));
    let me: u64 = s.me().to_string().parse().unwrap();
    let ua: u64 = a.parse().unwrap();
    let one_to_one = format!("{}-{}", me.min(ua), me.max(ua));
    // The conversation exists before the block (sent to by participant).
    let r = post(
        s.base_url(),
        &format!("/2/dm_conversations/with/{a}/messages"),
        s.token(),
        r#"{"text":"before"}"#,
    )
    .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["data"]["dm_conversation_id"], one_to_one.as_str());
    let r = post(
        s.base_url(),
        &format!("/2/users/{a}/dm/block"),
        s.token(),
        "",
    )
    .await;
    assert_eq!(r.status, 200);
    let before = s.dataset().event_ids(&dm_fake::Scope::All).len();
    // By participant (already refused before this fix), by conversation id, by group.
    blocked_shape(
        &post(
            s.base_url(),
            &format!("/2/dm_conversations/with/{a}/messages"),
            s.token(),
            r#"{"text":"x"}"#,
        )
        .await,
    );
    blocked_shape(
        &post(
            s.base_url(),
            &format!("/2/dm_conversations/{one_to_one}/messages"),
            s.token(),
            r#"{"text":"x"}"#,
        )
        .await,
    );
    let group =
        json!({"conversation_type": "Group", "participant_ids": [b, a], "message": {"text": "x"}});
    blocked_shape(&create_group(&s, &group).await);
    // A 1-1 id with a blocked user that does not exist yet is refused too (and not created).
    let c: u64 = 9_000_000_000_000_000_001;
    post(
        s.base_url(),
        &format!("/2/users/{c}/dm/block"),
        s.token(),
        "",
    )
    .await;
    let fresh = format!("{}-{}", me.min(c), me.max(c));
    blocked_shape(
        &post(
            s.base_url(),
            &format!("/2/dm_conversations/{fresh}/messages"),
            s.token(),
            r#"{"text":"x"}"#,
        )
        .await,
    );
    assert!(!s.dataset().conversations().iter().any(|c| c.id == fresh));
    assert_eq!(
        s.dataset().event_ids(&dm_fake::Scope::All).len(),
        before,
        "nothing was sent"
    );
    // Unblocked: the same sends go through.
    post(
        s.base_url(),
        &format!("/2/users/{a}/dm/unblock"),
        s.token(),
        "",
    )
    .await;
    let r = post(
        s.base_url(),
        &format!("/2/dm_conversations/{one_to_one}/messages"),
        s.token(),
        r#"{"text":"after"}"#,
    )
    .await;
    assert_eq!(r.status, 201);
    let r = create_group(&s, &group).await;
    assert_eq!(r.status, 201);
}

#[tokio::test]
async fn the_send_path_conversation_id_has_no_pattern() {
    let s = server().await;
    // Not DmConversationId-shaped: no 400 naming the parameter, the unknown-conversation answer.
    for id in ["12", "abc", "1-2-3", "%2B5-6", "not%20an%20id"] {
        let r = post(
            s.base_url(),
            &format!("/2/dm_conversations/{id}/messages"),
            s.token(),
            r#"{"text":"x"}"#,
        )
        .await;
        assert_eq!(r.status, 403, "{id}: {}", String::from_utf8_lossy(&r.body));
        assert_eq!(
            dm_model::parse_error_body(&r.body)[0].kind(),
            dm_model::ProblemKind::NotAuthorizedForResource,
            "{id}"
        );
        assert_eq!(r.json()["parameter"], "dm_conversation_id");
    }
    // The same as a well-formed id of a conversation the user is not in.
    let r = post(
        s.base_url(),
        "/2/dm_conversations/123456789012345678/messages",
        s.token(),
        r#"{"text":"x"}"#,
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json()["type"],
        "https://api.twitter.com/2/problems/not-authorized-for-resource"
    );
    // The lookup by conversation id keeps its pattern (reference §2.3).
    assert_eq!(
        get(s.base_url(), "/2/dm_conversations/abc/dm_events", s.token())
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn group_participants_must_be_unique() {
    let s = server().await;
    let (a, b) = (user(&s, 1), user(&s, 2));
    for ids in [json!([a, a]), json!([a, b, a])] {
        let body =
            json!({"conversation_type": "Group", "participant_ids": ids, "message": {"text": "x"}});
        let r = create_group(&s, &body).await;
        assert_eq!(r.status, 400, "{ids}");
        assert_eq!(
            dm_model::parse_error_body(&r.body)[0].kind(),
            dm_model::ProblemKind::InvalidRequest
        );
        let v: Value = r.json();
        assert_eq!(v["title"], "Invalid Request");
        let msg = v["errors"][0]["message"].as_str().unwrap();
        assert!(
            msg.contains("participant_ids") && msg.contains("duplicate"),
            "{msg}"
        );
    }
    let body =
        json!({"conversation_type": "Group", "participant_ids": [a, b], "message": {"text": "x"}});
    assert_eq!(create_group(&s, &body).await.status, 201);
}
