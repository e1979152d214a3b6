//! Validation (400 naming the parameter), 401, 403 app-only (OAuth 1.0a: `oauth1.rs`).

mod common;

use common::{get, request};
use dm_fake::FakeServer;
use dm_model::ProblemKind;

async fn server() -> FakeServer {
    common::sandbox(5, 60).await
}

fn problem_param(r: &common::Resp, param: &str) -> String {
    assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(&r.body));
    let problems = dm_model::parse_error_body(&r.body);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].kind(), ProblemKind::InvalidRequest);
    let v = r.json();
    let params = v["errors"][0]["parameters"].as_object().unwrap();
    assert!(params.contains_key(param), "{v}");
    v["errors"][0]["message"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn bad_parameters_are_400_naming_the_parameter() {
    let s = server().await;
    let (b, t) = (s.base_url(), s.token());
    for (q, param) in [
        ("max_results=0", "max_results"),
        ("max_results=101", "max_results"),
        ("max_results=ten", "max_results"),
        ("pagination_token=short", "pagination_token"),
        (
            "pagination_token=18LAA5FFPEKJA52G0G00ZZZZ",
            "pagination_token",
        ),
        ("dm_event.fields=id,bogus", "dm_event.fields"),
        ("dm_event.fields=", "dm_event.fields"),
        ("expansions=sender_id,sender_id", "expansions"),
        ("event_types=messagecreate", "event_types"),
        ("user.fields=nope", "user.fields"),
        ("tweet.fields=nope", "tweet.fields"),
        ("media.fields=nope", "media.fields"),
        ("since_id=1", "since_id"),
        ("max_results=5&max_results=6", "max_results"),
    ] {
        let r = get(b, &format!("/2/dm_events?{q}"), t).await;
        let msg = problem_param(&r, param);
        assert!(msg.contains(param.split('.').next().unwrap()), "{q}: {msg}");
    }
    problem_param(
        &get(b, "/2/dm_conversations/with/12ab/dm_events", t).await,
        "participant_id",
    );
    problem_param(&get(b, "/2/dm_conversations/12/dm_events", t).await, "id");
    problem_param(&get(b, "/2/dm_events/x1", t).await, "event_id");
    let r = get(b, "/2/dm_events?max_results=0", t).await;
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    // The reference §7.4 shape.
    let v = r.json();
    assert_eq!(v["title"], "Invalid Request");
    assert_eq!(
        v["detail"],
        "One or more parameters to your request was invalid."
    );
    assert_eq!(v["errors"][0]["parameters"]["max_results"][0], "0");
}

#[tokio::test]
async fn every_field_value_of_the_spec_is_accepted() {
    let s = server().await;
    let all = |l: &[&str]| l.join(",");
    let q = format!(
        "dm_event.fields={}&expansions={}&user.fields={}&tweet.fields={}&media.fields={}&event_types={}",
        all(dm_fake::DM_EVENT_FIELDS),
        all(dm_fake::EXPANSIONS),
        all(dm_fake::USER_FIELDS),
        all(dm_fake::TWEET_FIELDS),
        all(dm_fake::MEDIA_FIELDS),
        all(dm_fake::EVENT_TYPES)
    );
    let r = get(s.base_url(), &format!("/2/dm_events?{q}"), s.token()).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    // The oracle's lists agree with dm-model's generated ones.
    let names = |v: Vec<String>| v;
    assert_eq!(
        names(
            dm_model::DmEventField::ALL
                .iter()
                .map(|f| f.as_str().to_owned())
                .collect()
        ),
        dm_fake::DM_EVENT_FIELDS
    );
    assert_eq!(
        names(
            dm_model::Expansion::ALL
                .iter()
                .map(|f| f.as_str().to_owned())
                .collect()
        ),
        dm_fake::EXPANSIONS
    );
    assert_eq!(
        names(
            dm_model::UserField::ALL
                .iter()
                .map(|f| f.as_str().to_owned())
                .collect()
        ),
        dm_fake::USER_FIELDS
    );
    assert_eq!(
        names(
            dm_model::TweetField::ALL
                .iter()
                .map(|f| f.as_str().to_owned())
                .collect()
        ),
        dm_fake::TWEET_FIELDS
    );
    assert_eq!(
        names(
            dm_model::MediaField::ALL
                .iter()
                .map(|f| f.as_str().to_owned())
                .collect()
        ),
        dm_fake::MEDIA_FIELDS
    );
    assert_eq!(
        names(
            dm_model::EventType::ALL
                .iter()
                .map(|f| f.as_str().to_owned())
                .collect()
        ),
        dm_fake::EVENT_TYPES
    );
}

#[tokio::test]
async fn missing_wrong_and_app_only_credentials() {
    let s = server().await;
    let r = request(s.base_url(), "GET", "/2/dm_events", &[], None)
        .await
        .unwrap();
    assert_eq!(r.status, 401);
    assert_eq!(
        r.json(),
        serde_json::json!({"title": "Unauthorized", "detail": "Unauthorized", "type": "about:blank", "status": 401})
    );
    assert_eq!(get(s.base_url(), "/2/dm_events", "wrong").await.status, 401);
    let r = get(s.base_url(), "/2/dm_events", s.app_only_token()).await;
    assert_eq!(r.status, 403);
    assert_eq!(
        dm_model::parse_error_body(&r.body)[0].kind(),
        ProblemKind::UnsupportedAuthentication
    );
    let r = common::post(
        s.base_url(),
        "/2/dm_conversations/with/1/messages",
        s.app_only_token(),
        r#"{"text":"x"}"#,
    )
    .await;
    assert_eq!(r.status, 403);
    // Unknown paths are 404.
    assert_eq!(get(s.base_url(), "/2/nothing", s.token()).await.status, 404);
    // Nothing secret in the log or in Debug output.
    let log = format!(
        "{:?} {:?} {:?} {:?}",
        s.requests(),
        s,
        s.dataset(),
        FakeServer::builder().token("builder-secret")
    );
    assert!(
        !log.contains(s.token())
            && !log.contains(s.app_only_token())
            && !log.contains("builder-secret")
    );
    assert!(!log.contains(&s.oauth1().unwrap().consumer_secret));
    // Oversized bodies are refused before parsing.
    let big = "x".repeat(2 << 20);
    let r = common::post(
        s.base_url(),
        "/2/dm_conversations/with/1/messages",
        s.token(),
        &big,
    )
    .await;
    assert_eq!(r.status, 413);
}

#[tokio::test]
async fn post_fields_and_referenced_posts_are_synonyms_not_extra_slots() {
    let s = server().await;
    let (b, t) = (s.base_url(), s.token());
    // Both spellings alone are accepted.
    for q in [
        "post.fields=text",
        "expansions=referenced_posts",
        "tweet.fields=id",
    ] {
        assert_eq!(
            get(b, &format!("/2/dm_events?{q}"), t).await.status,
            200,
            "{q}"
        );
    }
    // Together they are one parameter given twice / one expansion listed twice.
    for (q, param) in [
        ("tweet.fields=id&post.fields=text", "post.fields"),
        ("post.fields=text&tweet.fields=id", "tweet.fields"),
        ("post.fields=text&post.fields=id", "post.fields"),
        (
            "expansions=referenced_tweets.id,referenced_posts",
            "expansions",
        ),
        (
            "expansions=referenced_posts,sender_id,referenced_tweets.id",
            "expansions",
        ),
    ] {
        let r = get(b, &format!("/2/dm_events?{q}"), t).await;
        let msg = problem_param(&r, param);
        assert!(msg.to_lowercase().contains("duplicate"), "{q}: {msg}");
    }
    let r = get(b, "/2/dm_events?tweet.fields=id&post.fields=text", t).await;
    let msg = problem_param(&r, "post.fields");
    assert!(msg.contains("`tweet.fields`"), "names the synonym: {msg}");
    // The "not one of" list names every accepted parameter, `post.fields` included.
    let msg = problem_param(&get(b, "/2/dm_events?foo=1", t).await, "foo");
    assert!(
        msg.ends_with(
            "[max_results,pagination_token,event_types,dm_event.fields,expansions,media.fields,user.fields,tweet.fields,post.fields]"
        ),
        "{msg}"
    );
    let id = s.dataset().event_ids(&dm_fake::Scope::All)[0].clone();
    let msg = problem_param(&get(b, &format!("/2/dm_events/{id}?foo=1"), t).await, "foo");
    assert!(
        msg.ends_with(
            "[dm_event.fields,expansions,media.fields,user.fields,tweet.fields,post.fields]"
        ),
        "{msg}"
    );
}

/// `(parameter, rejected value)` of every entry of an invalid-request problem, in order.
fn entries(r: &common::Resp) -> Vec<(String, String)> {
    assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(&r.body));
    let problems = dm_model::parse_error_body(&r.body);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].kind(), ProblemKind::InvalidRequest);
    let v = r.json();
    assert_eq!(v["title"], "Invalid Request");
    assert_eq!(
        v["detail"],
        "One or more parameters to your request was invalid."
    );
    v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
            let params = e["parameters"].as_object().unwrap();
            assert_eq!(params.len(), 1, "{e}");
            let (k, v) = params.iter().next().unwrap();
            (k.clone(), v[0].as_str().unwrap().to_owned())
        })
        .collect()
}

#[tokio::test]
async fn every_bad_parameter_gets_its_own_entry_in_order() {
    let s = server().await;
    let (b, t) = (s.base_url(), s.token());
    let pairs = |l: &[(&str, &str)]| -> Vec<(String, String)> {
        l.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    let r = get(
        b,
        "/2/dm_events?max_results=0&event_types=foo&dm_event.fields=bar",
        t,
    )
    .await;
    assert_eq!(
        entries(&r),
        pairs(&[
            ("max_results", "0"),
            ("event_types", "foo"),
            ("dm_event.fields", "bar")
        ])
    );
    // The order is the request's, good parameters in between are skipped.
    let r = get(
        b,
        "/2/dm_events?dm_event.fields=bar&expansions=sender_id&since_id=1&max_results=5&max_results=6",
        t,
    )
    .await;
    assert_eq!(
        entries(&r),
        pairs(&[
            ("dm_event.fields", "bar"),
            ("since_id", "1"),
            ("max_results", "6")
        ])
    );
    // A bad path id comes first, then the query's.
    let r = get(
        b,
        "/2/dm_conversations/12/dm_events?max_results=0&user.fields=x",
        t,
    )
    .await;
    assert_eq!(
        entries(&r),
        pairs(&[("id", "12"), ("max_results", "0"), ("user.fields", "x")])
    );
    let r = get(b, "/2/dm_events/x1?media.fields=y&max_results=5", t).await;
    assert_eq!(
        entries(&r),
        pairs(&[
            ("event_id", "x1"),
            ("media.fields", "y"),
            ("max_results", "5")
        ])
    );
    // One bad parameter is still one entry.
    assert_eq!(
        entries(&get(b, "/2/dm_events?max_results=0", t).await),
        pairs(&[("max_results", "0")])
    );
}

#[tokio::test]
async fn path_segments_are_percent_decoded() {
    let s = server().await;
    let (b, t) = (s.base_url(), s.token());
    let encode = |id: &str| -> String { id.bytes().map(|c| format!("%{c:02X}")).collect() };
    // An event id spelled with encoded digits is that event.
    let id = s.dataset().event_ids(&dm_fake::Scope::All)[0].clone();
    let r = get(b, &format!("/2/dm_events/{}", encode(&id)), t).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["data"]["id"], id.as_str());
    // A conversation id with an encoded `-`.
    let conv = s
        .dataset()
        .conversations()
        .into_iter()
        .find(|c| !c.is_group && c.events > 0)
        .unwrap();
    let r = get(
        b,
        &format!(
            "/2/dm_conversations/{}/dm_events",
            conv.id.replace('-', "%2D")
        ),
        t,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json()["meta"]["result_count"].as_u64().unwrap() as usize,
        conv.events.min(100)
    );
    // Errors echo the decoded value, not the raw `%XX`.
    let r = get(b, "/2/dm_events/%31%32x", t).await;
    assert_eq!(entries(&r), vec![("event_id".to_owned(), "12x".to_owned())]);
    assert!(!String::from_utf8_lossy(&r.body).contains("%31"));
    // An encoded `/` stays inside its segment; bad UTF-8 is not a panic.
    assert_eq!(
        entries(&get(b, "/2/dm_events/1%2F2", t).await),
        vec![("event_id".to_owned(), "1/2".to_owned())]
    );
    assert_eq!(get(b, "/2/dm_events/%FF%FE", t).await.status, 400);
}
