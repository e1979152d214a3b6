//! Shapes the reference admits beside the usual one: every one decodes, loses nothing, and
//! re-encodes to the JSON it came from.

mod common;

use dm_model::{
    CreateDmEventResponse, DmEventsPage, EventType, ProblemKind, Tweet, User, decode,
    parse_error_body,
};
use serde_json::{Value, json};

/// Decodes `body` as `T` and checks that re-encoding gives back the same JSON value.
fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(body: &Value) -> T {
    common::round_trip(&body.to_string(), body)
}

#[test]
fn a_bare_legacy_error_object_is_a_problem() {
    // Reference §1 (`Error {code, message}`) and §8.1 (the code 93 body, verbatim).
    let body = br#"{"code": 93,"message": "This application is not allowed to access or delete your direct messages."}"#;
    let problems = parse_error_body(body);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].kind(), ProblemKind::Legacy { code: 93 });
    assert_eq!(
        problems[0].message(),
        Some("This application is not allowed to access or delete your direct messages.")
    );
}

#[test]
fn an_oauth_error_response_is_a_problem_with_its_description() {
    let problems =
        parse_error_body(br#"{"error":"invalid_request","error_description":"Value passed for the token was invalid."}"#);
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems[0].message(),
        Some("Value passed for the token was invalid.")
    );
    let bare = parse_error_body(br#"{"error":"invalid_client"}"#);
    assert_eq!(bare[0].message(), Some("invalid_client"));
    assert!(parse_error_body(br#"{"unrelated":1}"#).is_empty());
}

#[test]
fn a_status_that_is_not_an_integer_keeps_the_problem() {
    for status in [json!("403"), json!(403.0), json!(70000), json!(null)] {
        let body = json!({"title": "Forbidden", "type": "about:blank", "status": status, "detail": "Forbidden"});
        let problems = parse_error_body(&serde_json::to_vec(&body).unwrap());
        assert_eq!(problems.len(), 1, "{body}");
        assert_eq!(problems[0].status, None);
        assert_eq!(problems[0].title.as_deref(), Some("Forbidden"));
        assert_eq!(serde_json::to_value(&problems[0]).unwrap(), body);
        // Beside `data`, the page still decodes.
        let page = json!({"data": [{"id": "1", "event_type": "MessageCreate", "text": "x"}], "errors": [body]});
        let page: DmEventsPage = round_trip(&page);
        assert_eq!(page.errors.len(), 1);
    }
    let typed = parse_error_body(br#"{"title":"Unauthorized","status":401}"#);
    assert_eq!(typed[0].status, Some(401));
}

#[test]
fn a_problem_whose_members_do_not_fit_is_kept_whole() {
    let body = json!({"title": 12, "detail": ["a"]});
    let problems = parse_error_body(&serde_json::to_vec(&body).unwrap());
    assert_eq!(problems.len(), 1);
    assert_eq!(Value::Object(problems[0].extra.clone()), body);
}

#[test]
fn a_byte_order_mark_is_ignored() {
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend_from_slice(br#"{"meta":{"result_count":0}}"#);
    let page: DmEventsPage = decode(&body).unwrap();
    assert_eq!(page.meta.result_count, Some(0));
    let mut problem = b"\xEF\xBB\xBF".to_vec();
    problem.extend_from_slice(br#"{"title":"Unauthorized","status":401}"#);
    assert_eq!(parse_error_body(&problem).len(), 1);
}

#[test]
fn both_spellings_of_a_member_lose_nothing() {
    // §10: accept `tweets`/`posts` and `referenced_tweets`/`referenced_posts`. When a body
    // carries both, the first is typed and the second is kept verbatim.
    // Raw text: the order of members matters here (a `json!` object is sorted).
    let text = br#"{
        "data": [{
            "id": "1", "event_type": "MessageCreate", "text": "x",
            "referenced_tweets": [{"id": "10"}],
            "referenced_posts": [{"id": "11"}]
        }],
        "includes": {
            "tweets": [{"id": "10", "text": "a"}],
            "posts": [{"id": "11", "text": "b"}]
        }
    }"#;
    let page: DmEventsPage = common::round_trip_bytes("both spellings", text);
    assert_eq!(page.data[0].referenced_tweets[0].id.as_str(), "10");
    assert_eq!(
        page.data[0].extra["referenced_posts"],
        json!([{"id": "11"}])
    );
    assert_eq!(page.includes.tweets.len(), 1);
    assert_eq!(page.includes.tweets[0].text.as_deref(), Some("a"));
    assert_eq!(page.includes.extra["posts"][0]["id"], "11");
    // A repeated key keeps both values too: the first typed, the last in `extra`.
    let repeated = br#"{"id":"1","event_type":"MessageCreate","text":"first","text":"second"}"#;
    let event: dm_model::DmEvent = decode(repeated).unwrap();
    assert_eq!(event.text.as_deref(), Some("first"));
    assert_eq!(event.extra["text"], "second");
}

#[test]
fn spec_167_names_inside_posts_and_users_are_typed_and_written_back_as_received() {
    let post = json!({
        "id": "10", "text": "a",
        "referenced_posts": [{"type": "quoted", "id": "9"}],
        "edit_history_post_ids": ["10"],
        "note_post": {"text": "long"},
        "public_metrics": {"repost_count": 2, "reply_count": 1, "like_count": 3, "quote_count": 0}
    });
    let tweet: Tweet = round_trip(&post);
    assert_eq!(tweet.referenced_tweets.len(), 1);
    assert_eq!(tweet.edit_history_tweet_ids.len(), 1);
    assert!(tweet.note_tweet.is_some());
    assert_eq!(
        tweet.public_metrics.as_ref().unwrap().retweet_count,
        Some(2)
    );

    let user = json!({
        "id": "2", "name": "n", "username": "u",
        "pinned_post_id": "10", "most_recent_post_id": "11",
        "public_metrics": {"followers_count": 1, "following_count": 2, "post_count": 3, "listed_count": 0, "media_count": 4}
    });
    let user: User = round_trip(&user);
    assert_eq!(user.pinned_tweet_id.as_ref().unwrap().as_str(), "10");
    assert_eq!(user.most_recent_tweet_id.as_ref().unwrap().as_str(), "11");
    let metrics = user.public_metrics.as_ref().unwrap();
    assert_eq!(
        (metrics.tweet_count, metrics.media_count),
        (Some(3), Some(4))
    );
}

#[test]
fn a_null_event_type_reads_like_an_absent_one() {
    let body = json!({"data": [{"id": "1", "event_type": null, "text": "x"}]});
    let page: DmEventsPage = round_trip(&body);
    assert_eq!(page.data[0].event_type, EventType::Other(String::new()));
}

#[test]
fn a_send_confirmation_without_the_data_wrapper_still_names_the_event() {
    // §9.5: DOCS-2022 printed the ids without `data`.
    let flat = json!({"dm_conversation_id": "1346889436626259968", "dm_event_id": "128341038123"});
    let response: CreateDmEventResponse = round_trip(&flat);
    assert!(response.data.is_none());
    let created = response.created().expect("the flat ids");
    assert_eq!(created.dm_event_id.as_str(), "128341038123");
    assert_eq!(created.dm_conversation_id.as_str(), "1346889436626259968");

    let wrapped = json!({"data": {"dm_conversation_id": "1-2", "dm_event_id": "3"}});
    let response: CreateDmEventResponse = round_trip(&wrapped);
    assert_eq!(response.created().unwrap().dm_event_id.as_str(), "3");
    let neither: CreateDmEventResponse = round_trip(&json!({}));
    assert!(neither.created().is_none());
}

#[test]
fn included_objects_without_an_id_still_decode() {
    // SPEC-167's User, Post and Place require nothing.
    let body = json!({
        "data": [{"id": "1", "event_type": "MessageCreate", "text": "x", "sender_id": "5"}],
        "includes": {
            "users": [{"name": "n", "username": "u"}],
            "places": [{"full_name": "Somewhere"}],
            "polls": [{"options": []}],
            "topics": [{"name": "t"}]
        }
    });
    let page: DmEventsPage = round_trip(&body);
    assert!(page.includes.users[0].id.is_none());
    assert!(page.includes.places[0].id.is_none());
    assert!(
        page.includes.sender_of(&page.data[0]).is_none(),
        "nothing to join to"
    );
}

#[test]
fn a_short_group_conversation_id_from_a_server_decodes_but_is_not_accepted_as_input() {
    let body = json!({"data": [{"id": "1", "event_type": "MessageCreate", "text": "x", "dm_conversation_id": "12345"}]});
    let page: DmEventsPage = round_trip(&body);
    let id = page.data[0].dm_conversation_id.as_ref().unwrap();
    assert_eq!(id.as_str(), "12345");
    assert!(id.is_group());
    assert!(
        dm_model::DmConversationId::parse("12345").is_err(),
        "input keeps the spec pattern"
    );
    // Not digits at all is still refused, naming the path.
    let bad =
        br#"{"data":[{"id":"1","event_type":"MessageCreate","dm_conversation_id":"conv 1"}]}"#;
    let err = decode::<DmEventsPage>(bad).unwrap_err();
    assert_eq!(err.path(), "data[0].dm_conversation_id");
}
