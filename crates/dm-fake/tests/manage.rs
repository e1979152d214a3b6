//! Sends, group creation, delete, block/unblock, media download; the recorded exchanges' shapes.

mod common;

use common::{all_pages, create_group, get, post, request, upload_image};
use dm_fake::{FakeServer, Scope};
use serde_json::{Value, json};

fn recorded() -> Vec<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/recorded-dm-exchanges.json"
    );
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Same JSON structure (keys and value kinds), values aside.
fn same_shape(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_shape(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => x
            .first()
            .zip(y.first())
            .is_none_or(|(p, q)| same_shape(p, q)),
        (x, y) => std::mem::discriminant(x) == std::mem::discriminant(y),
    }
}

#[tokio::test]
async fn replaying_the_recorded_exchanges_gives_the_same_shapes() {
    let s = FakeServer::builder()
        .seed(11)
        .events(0)
        .start()
        .await
        .unwrap();
    for ex in recorded() {
        let uri = ex["uri"].as_str().unwrap();
        let path = uri.trim_start_matches("https://api.twitter.com");
        let body = match &ex["request_body"] {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            v => Some(v.to_string()),
        };
        // The recorded account is not ours: rewrite the conversation id to our 1-1 with the same user.
        let other = "750362064426721281";
        let path = path.replace("750362064426721281-1072250532645998596", &{
            let me: u64 = s.me().to_string().parse().unwrap();
            let o: u64 = other.parse().unwrap();
            format!("{}-{}", me.min(o), me.max(o))
        });
        let auth = format!("Bearer {}", s.token());
        let r = request(
            s.base_url(),
            ex["method"].as_str().unwrap(),
            &path,
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
                ("accept-encoding", "gzip"),
            ],
            body.as_deref(),
        )
        .await
        .unwrap();
        assert_eq!(r.status, ex["status"].as_u64().unwrap() as u16, "{path}");
        assert_eq!(r.header("content-encoding"), Some("gzip"));
        for h in [
            "x-rate-limit-limit",
            "x-rate-limit-remaining",
            "x-rate-limit-reset",
            "content-type",
        ] {
            assert!(r.header(h).is_some(), "{h}");
        }
        let got = r.json();
        if r.status == 201 {
            assert!(same_shape(&got, &ex["body"]), "{got} vs {}", ex["body"]);
            let id = got["data"]["dm_event_id"].as_str().unwrap();
            assert_eq!(
                r.header("location").unwrap(),
                format!("{}/2/dm_events/\"{id}\"", s.base_url())
            );
            let decoded: dm_model::CreateDmEventResponse = dm_model::decode(&r.body).unwrap();
            assert_eq!(decoded.data.unwrap().dm_event_id.as_str(), id);
        } else if path.contains("/dm_conversations/") {
            // The conversation lookups show both sent messages, newest first, default fields.
            let texts: Vec<&str> = got["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["text"].as_str().unwrap())
                .collect();
            assert_eq!(&texts[..2], ["Testing 2", "Testing 1"]);
            assert!(same_shape(&got["data"][0], &ex["body"]["data"][0]));
            assert!(
                got["meta"]["next_token"].is_string() && got["meta"]["previous_token"].is_string()
            );
        }
    }
    // The empty-page shape of the recording, exactly.
    let empty = FakeServer::builder().events(0).start().await.unwrap();
    let r = get(empty.base_url(), "/2/dm_events", empty.token()).await;
    assert_eq!(r.json(), recorded()[3]["body"]);
}

#[tokio::test]
async fn sends_groups_and_deletes_change_the_dataset() {
    let s = FakeServer::builder()
        .seed(12)
        .events(100)
        .start()
        .await
        .unwrap();
    let users = s.dataset().users();
    let (a, b) = (
        users[1]["id"].as_str().unwrap().to_owned(),
        users[2]["id"].as_str().unwrap().to_owned(),
    );
    let r = post(
        s.base_url(),
        &format!("/2/dm_conversations/with/{a}/messages"),
        s.token(),
        r#"{"text":"Hi \"you\" 👋\nsee https://x.com/i/status/1"}"#,
    )
    .await;
    assert_eq!(r.status, 201);
    let sent = r.json();
    let conv = sent["data"]["dm_conversation_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = sent["data"]["dm_event_id"].as_str().unwrap().to_owned();
    let head = get(s.base_url(), &format!("/2/dm_conversations/with/{a}/dm_events?max_results=1&dm_event.fields=sender_id,dm_conversation_id"), s.token()).await.json();
    assert_eq!(head["data"][0]["id"], id.as_str());
    assert_eq!(head["data"][0]["sender_id"], s.me().to_string().as_str());
    assert_eq!(head["data"][0]["dm_conversation_id"], conv.as_str());
    // Send to the conversation, with media uploaded for DMs.
    let media = upload_image(&s).await;
    let r = post(
        s.base_url(),
        &format!("/2/dm_conversations/{conv}/messages"),
        s.token(),
        &format!(r#"{{"attachments":[{{"media_id":"{media}"}}]}}"#),
    )
    .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let media_event = r.json()["data"]["dm_event_id"].as_str().unwrap().to_owned();
    let ev = get(s.base_url(), &format!("/2/dm_events/{media_event}?dm_event.fields=attachments&expansions=attachments.media_keys"), s.token()).await.json();
    assert_eq!(
        ev["data"]["attachments"]["media_keys"][0],
        format!("3_{media}").as_str()
    );
    assert_eq!(ev["includes"]["media"][0]["type"], "photo");
    // Media download.
    let r = get(
        s.base_url(),
        &format!("/2/dm_conversations/media/{media_event}/{media}/tJg5kUG5RKPi3jNi.jpg"),
        s.token(),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/octet-stream"));
    // The bytes that were uploaded.
    assert_eq!(r.body, s.uploaded_media(&media).unwrap().bytes.unwrap());
    assert_eq!(
        get(
            s.base_url(),
            &format!("/2/dm_conversations/media/{media_event}/1/x.jpg"),
            s.token()
        )
        .await
        .status,
        404
    );
    assert_eq!(
        get(
            s.base_url(),
            &format!("/2/dm_conversations/media/{media_event}/1/bad%20name"),
            s.token()
        )
        .await
        .status,
        400
    );
    // Group creation: a join then the first message.
    let body = json!({"conversation_type": "Group", "participant_ids": [a, b], "message": {"text": "Hello to you two"}});
    let r = create_group(&s, &body).await;
    assert_eq!(r.status, 201);
    let g = r.json();
    let gid = g["data"]["dm_conversation_id"].as_str().unwrap().to_owned();
    assert!(!gid.contains('-'));
    let pages = all_pages(
        s.base_url(),
        &format!("/2/dm_conversations/{gid}/dm_events"),
        "dm_event.fields=sender_id,participant_ids",
        s.token(),
    )
    .await;
    let evs = pages[0]["data"].as_array().unwrap();
    assert_eq!(evs.len(), 2);
    assert_eq!(evs[0]["text"], "Hello to you two");
    assert_eq!(evs[0]["id"], g["data"]["dm_event_id"]);
    assert_eq!(evs[1]["event_type"], "ParticipantsJoin");
    assert_eq!(evs[1]["sender_id"], s.me().to_string().as_str());
    assert_eq!(evs[1]["participant_ids"], json!([a, b]));
    // Delete own message: gone from lookups; others' messages cannot be deleted.
    let del = request(
        s.base_url(),
        "DELETE",
        &format!("/2/dm_events/{id}"),
        &[("authorization", &format!("Bearer {}", s.token()))],
        None,
    )
    .await
    .unwrap();
    assert_eq!(del.status, 200);
    let d: dm_model::DeleteDmResponse = dm_model::decode(&del.body).unwrap();
    assert_eq!(d.data.unwrap().deleted, Some(true));
    assert!(s.dataset().event(&id).is_none());
    assert!(!s.dataset().event_ids(&Scope::All).contains(&id));
    let theirs = s
        .dataset()
        .events(&Scope::All)
        .into_iter()
        .find(|e| {
            e["event_type"] == "MessageCreate" && e["sender_id"] != s.me().to_string().as_str()
        })
        .unwrap();
    let del = request(
        s.base_url(),
        "DELETE",
        &format!("/2/dm_events/{}", theirs["id"].as_str().unwrap()),
        &[("authorization", &format!("Bearer {}", s.token()))],
        None,
    )
    .await
    .unwrap();
    assert_eq!(del.status, 403);
}

#[tokio::test]
async fn bad_bodies_and_block_unblock() {
    let s = FakeServer::builder()
        .seed(13)
        .events(10)
        .start()
        .await
        .unwrap();
    let u = s.dataset().users()[3]["id"].as_str().unwrap().to_owned();
    let send = format!("/2/dm_conversations/with/{u}/messages");
    for body in [
        "",
        "{",
        "[]",
        r#"{"text":""}"#,
        r#"{"text":5}"#,
        r#"{"nope":"x"}"#,
        r#"{"attachments":[]}"#,
        r#"{"attachments":[{"media_id":"a"}]}"#,
        &format!("{{\"text\":\"{}\"}}", "x".repeat(10_001)),
    ] {
        let r = post(s.base_url(), &send, s.token(), body).await;
        assert_eq!(r.status, 400, "{body}");
        assert_eq!(
            dm_model::parse_error_body(&r.body)[0].kind(),
            dm_model::ProblemKind::InvalidRequest
        );
    }
    assert_eq!(
        post(
            s.base_url(),
            &send,
            s.token(),
            &format!("{{\"text\":\"{}\"}}", "é".repeat(10_000))
        )
        .await
        .status,
        201
    );
    for body in [
        json!({"conversation_type": "group", "participant_ids": ["1", "2"], "message": {"text": "x"}}),
        json!({"conversation_type": "Group", "participant_ids": ["1"], "message": {"text": "x"}}),
        json!({"conversation_type": "Group", "participant_ids": ["1", "2"]}),
        json!({"conversation_type": "Group", "participant_ids": ["1", "2"], "message": {"text": "x"}, "extra": 1}),
    ] {
        assert_eq!(create_group(&s, &body).await.status, 400, "{body}");
    }
    let r = post(
        s.base_url(),
        &format!("/2/users/{u}/dm/block"),
        s.token(),
        "",
    )
    .await;
    assert_eq!(r.status, 200);
    let b: dm_model::BlockDmResponse = dm_model::decode(&r.body).unwrap();
    assert_eq!(b.data.unwrap().blocked, Some(true));
    assert_eq!(s.dataset().blocked(), vec![u.clone()]);
    assert_eq!(
        post(s.base_url(), &send, s.token(), r#"{"text":"hi"}"#)
            .await
            .status,
        403
    );
    let r = post(
        s.base_url(),
        &format!("/2/users/{u}/dm/unblock"),
        s.token(),
        "",
    )
    .await;
    assert_eq!(r.json(), json!({"data": {"blocked": false}}));
    assert_eq!(
        post(s.base_url(), &send, s.token(), r#"{"text":"hi"}"#)
            .await
            .status,
        201
    );
    assert_eq!(
        post(s.base_url(), "/2/users/abc/dm/block", s.token(), "")
            .await
            .status,
        400
    );
    let st = s.stats();
    assert_eq!(st.endpoint(dm_fake::Endpoint::BlockDms), 2);
    assert_eq!(st.endpoint(dm_fake::Endpoint::UnblockDms), 1);
}
