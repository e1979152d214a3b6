//! Media upload over real sockets: one-shot and chunked, multipart and JSON, processing,
//! limits, ownership, expiry, the DM attachment rules, injected segment faults.

mod common;

use std::time::Duration;

use common::{get, post, post_bytes, request, upload_json};
use dm_fake::{FakeServer, FaultKind, UploadConfig};
use serde_json::{Value, json};
use sha2::Digest as _;

const MIB: usize = 1024 * 1024;

async fn server(config: UploadConfig) -> FakeServer {
    FakeServer::builder()
        .seed(5)
        .events(30)
        .uploads(config)
        .other_user("someone-else-token")
        .start()
        .await
        .unwrap()
}

fn sha(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A multipart body: text fields, then the `media` part (raw bytes).
fn multipart(fields: &[(&str, &str)], media: &[u8]) -> (String, Vec<u8>) {
    let b = "test-boundary-7d3";
    let mut out = Vec::new();
    for (k, v) in fields {
        out.extend_from_slice(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    out.extend_from_slice(
        format!("--{b}\r\nContent-Disposition: form-data; name=\"media\"; filename=\"f\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
    );
    out.extend_from_slice(media);
    out.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={b}"), out)
}

async fn send_with(s: &FakeServer, to: &str, media_id: &str) -> common::Resp {
    post(
        s.base_url(),
        &format!("/2/dm_conversations/with/{to}/messages"),
        s.token(),
        &json!({"text": "look", "attachments": [{"media_id": media_id}]}).to_string(),
    )
    .await
}

fn partner(s: &FakeServer) -> String {
    s.dataset().users()[1]["id"].as_str().unwrap().to_owned()
}

fn refused_shape(r: &common::Resp) {
    assert_eq!(r.status, 403, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        r.json(),
        json!({"title": "Forbidden", "detail": "You are not permitted to attach this media to a DM event.",
               "type": "about:blank", "status": 403})
    );
}

#[tokio::test]
async fn one_shot_multipart_and_json_store_the_exact_bytes() {
    let s = server(UploadConfig::default()).await;
    let image: Vec<u8> = (0..70_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let (ct, body) = multipart(&[("media_category", "dm_image")], &image);
    let r = post_bytes(s.base_url(), "/2/media/upload", s.token(), &ct, body).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let v = r.json();
    let id = v["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(v["data"]["media_key"], format!("3_{id}").as_str());
    assert_eq!(v["data"]["size"], 70_000);
    assert_eq!(v["data"]["expires_after_secs"], 86_400);
    assert!(
        v["data"].get("processing_info").is_none(),
        "images are ready: {v}"
    );
    assert!(v["data"]["image"]["w"].is_u64());
    let stored = s.uploaded_media(&id).unwrap();
    assert_eq!(stored.sha256.as_deref(), Some(sha(&image).as_str()));
    assert_eq!(stored.bytes.as_deref(), Some(&image[..]));
    assert_eq!(
        (stored.owner, stored.category.as_str()),
        (s.me().to_string(), "dm_image")
    );

    // JSON: base64.
    let r = upload_json(&s, s.token(), "dm_image", &image).await;
    assert_eq!(r.status, 200);
    let id2 = r.json()["data"]["id"].as_str().unwrap().to_owned();
    assert_ne!(id, id2);
    assert_eq!(s.uploaded_media(&id2).unwrap().sha256, Some(sha(&image)));

    // The attachment is carried by the event and resolved in includes.
    let to = partner(&s);
    let r = send_with(&s, &to, &id).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let event = r.json()["data"]["dm_event_id"].as_str().unwrap().to_owned();
    let e = get(
        s.base_url(),
        &format!("/2/dm_events/{event}?dm_event.fields=attachments&expansions=attachments.media_keys&media.fields=type"),
        s.token(),
    )
    .await
    .json();
    assert_eq!(
        e["data"]["attachments"]["media_keys"],
        json!([format!("3_{id}")])
    );
    assert_eq!(e["includes"]["media"][0]["type"], "photo");
}

#[tokio::test]
async fn bodies_that_break_the_spec_are_400() {
    let s = server(UploadConfig::default()).await;
    let t = s.token();
    let over = vec![0u8; 5 * MIB + 1];
    let r = upload_json(&s, t, "dm_image", &over).await;
    assert_eq!(r.status, 400);
    assert!(
        r.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("5242880"),
        "{}",
        r.json()
    );
    for (body, what) in [
        (json!({"media": "AAEC"}), "media_category"),
        (json!({"media_category": "dm_image"}), "media"),
        (
            json!({"media": "AAEC", "media_category": "amplify_video"}),
            "media_category",
        ),
        (
            json!({"media": "AAEC", "media_category": "dm_image", "shared": true}),
            "shared",
        ),
        (
            json!({"media": "not base64!", "media_category": "dm_image"}),
            "base64",
        ),
    ] {
        let r = post(s.base_url(), "/2/media/upload", t, &body.to_string()).await;
        assert_eq!(r.status, 400, "{body}");
        assert!(
            r.body.windows(what.len()).any(|w| w == what.as_bytes()),
            "{body}: {}",
            r.json()
        );
    }
    for body in [
        json!({"media_type": "video/x-flv", "total_bytes": 5, "media_category": "dm_video"}),
        json!({"media_type": "video/mp4", "total_bytes": 17179869185u64, "media_category": "dm_video"}),
        json!({"media_type": "video/mp4", "total_bytes": 600 * MIB, "media_category": "dm_video"}),
        json!({"media_type": "image/gif", "total_bytes": 16 * MIB, "media_category": "dm_gif"}),
        json!({"media_category": "dm_sticker"}),
        json!({"bogus": 1}),
    ] {
        let r = post(
            s.base_url(),
            "/2/media/upload/initialize",
            t,
            &body.to_string(),
        )
        .await;
        assert_eq!(
            r.status,
            400,
            "{body}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
    let init = post(
        s.base_url(),
        "/2/media/upload/initialize",
        t,
        &json!({"media_type": "video/mp4", "total_bytes": 4, "media_category": "dm_video"})
            .to_string(),
    )
    .await
    .json();
    let id = init["data"]["id"].as_str().unwrap();
    let (ct, body) = multipart(&[("segment_index", "1000")], b"abcd");
    let r = post_bytes(
        s.base_url(),
        &format!("/2/media/upload/{id}/append"),
        t,
        &ct,
        body,
    )
    .await;
    assert_eq!(r.status, 400);
    // A gap: segment 1 without segment 0.
    let (ct, body) = multipart(&[("segment_index", "1")], b"abcd");
    let r = post_bytes(
        s.base_url(),
        &format!("/2/media/upload/{id}/append"),
        t,
        &ct,
        body,
    )
    .await;
    assert_eq!(r.status, 200);
    let r = post(
        s.base_url(),
        &format!("/2/media/upload/{id}/finalize"),
        t,
        "",
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(String::from_utf8_lossy(&r.body).contains("Segment 0 is missing"));
}

/// Initialize, append `data` in `chunk`-byte segments (multipart), finalize.
async fn chunked(
    s: &FakeServer,
    token: &str,
    category: &str,
    media_type: &str,
    data: &[u8],
    chunk: usize,
) -> Value {
    let init = post(
        s.base_url(),
        "/2/media/upload/initialize",
        token,
        &json!({"media_type": media_type, "total_bytes": data.len(), "media_category": category})
            .to_string(),
    )
    .await;
    assert_eq!(init.status, 200, "{}", String::from_utf8_lossy(&init.body));
    let id = init.json()["data"]["id"].as_str().unwrap().to_owned();
    for (i, part) in data.chunks(chunk).enumerate() {
        let (ct, body) = multipart(&[("segment_index", &i.to_string())], part);
        let r = post_bytes(
            s.base_url(),
            &format!("/2/media/upload/{id}/append"),
            token,
            &ct,
            body,
        )
        .await;
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        assert!(r.json()["data"]["expires_at"].is_i64());
    }
    let r = post(
        s.base_url(),
        &format!("/2/media/upload/{id}/finalize"),
        token,
        "",
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

async fn status(s: &FakeServer, token: &str, id: &str) -> common::Resp {
    get(
        s.base_url(),
        &format!("/2/media/upload?command=STATUS&media_id={id}"),
        token,
    )
    .await
}

#[tokio::test]
async fn video_processing_goes_pending_in_progress_succeeded() {
    let s = server(
        UploadConfig::default()
            .check_after_secs(3)
            .processing_time(Duration::from_secs(30)),
    )
    .await;
    let video: Vec<u8> = (0..3 * MIB as u32 + 17).map(|i| (i % 253) as u8).collect();
    let fin = chunked(&s, s.token(), "dm_video", "video/mp4", &video, MIB).await;
    let id = fin["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(fin["data"]["media_key"], format!("7_{id}").as_str());
    assert_eq!(fin["data"]["size"], video.len());
    assert_eq!(fin["data"]["processing_info"]["state"], "pending");
    assert_eq!(fin["data"]["processing_info"]["check_after_secs"], 3);
    // Not attachable while processing.
    refused_shape(&send_with(&s, &partner(&s), &id).await);
    s.advance_clock(Duration::from_secs(15));
    let v = status(&s, s.token(), &id).await.json();
    assert_eq!(v["data"]["processing_info"]["state"], "in_progress");
    assert_eq!(v["data"]["processing_info"]["progress_percent"], 50);
    s.advance_clock(Duration::from_secs(15));
    let v = status(&s, s.token(), &id).await.json();
    assert_eq!(
        v["data"]["processing_info"],
        json!({"state": "succeeded", "progress_percent": 100})
    );
    assert_eq!(v["data"]["video"]["video_type"], "video/mp4");
    let stored = s.uploaded_media(&id).unwrap();
    assert_eq!(stored.sha256, Some(sha(&video)));
    assert_eq!(
        (stored.segments, stored.state.as_deref()),
        (4, Some("succeeded"))
    );
    let r = send_with(&s, &partner(&s), &id).await;
    assert_eq!(r.status, 201);
    // An image has no processing: its status is the API's "Not found".
    let img = upload_json(&s, s.token(), "dm_image", b"img").await.json();
    let r = status(&s, s.token(), img["data"]["id"].as_str().unwrap()).await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn processing_fails_on_demand_and_the_media_cannot_be_attached() {
    let s = server(UploadConfig::instant()).await;
    s.fail_next_processing();
    let fin = chunked(&s, s.token(), "dm_gif", "image/gif", b"GIF89a....", 4).await;
    let id = fin["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(fin["data"]["processing_info"]["check_after_secs"], 0);
    let v = status(&s, s.token(), &id).await.json();
    assert_eq!(v["data"]["processing_info"]["state"], "failed");
    refused_shape(&send_with(&s, &partner(&s), &id).await);
    // Only the next one fails.
    let fin = chunked(&s, s.token(), "dm_gif", "image/gif", b"GIF89a....", 4).await;
    let id = fin["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        status(&s, s.token(), &id).await.json()["data"]["processing_info"]["state"],
        "succeeded"
    );
}

#[tokio::test]
async fn post_categories_other_users_media_and_expired_media_are_refused_for_dms() {
    let s = server(UploadConfig::instant()).await;
    let to = partner(&s);
    // A Post category uploads fine, and is refused as a DM attachment with the API's 403.
    let tweet = upload_json(&s, s.token(), "tweet_image", b"jpg")
        .await
        .json();
    refused_shape(&send_with(&s, &to, tweet["data"]["id"].as_str().unwrap()).await);
    // Initialize without a category: the API assumes a Post.
    let fin = chunked(&s, s.token(), "tweet_video", "video/mp4", b"mp4", 3).await;
    refused_shape(&send_with(&s, &to, fin["data"]["id"].as_str().unwrap()).await);
    // Never uploaded.
    refused_shape(&send_with(&s, &to, "1583157113245011970").await);
    // Another user's upload.
    let (other, other_id) = s.other_users()[0].clone();
    let theirs = upload_json(&s, &other, "dm_image", b"theirs").await.json();
    let theirs_id = theirs["data"]["id"].as_str().unwrap();
    assert_eq!(
        s.uploaded_media(theirs_id).unwrap().owner,
        other_id.to_string()
    );
    refused_shape(&send_with(&s, &to, theirs_id).await);
    // ...whose status and append are not found for us.
    assert_eq!(status(&s, s.token(), theirs_id).await.status, 404);
    // The other user's token only uploads.
    let r = get(s.base_url(), "/2/dm_events", &other).await;
    assert_eq!(r.status, 403);
    // Expired: 24 hours on the sandbox clock.
    let mine = upload_json(&s, s.token(), "dm_image", b"mine").await.json();
    let mine_id = mine["data"]["id"].as_str().unwrap().to_owned();
    s.advance_clock(Duration::from_secs(86_400));
    refused_shape(&send_with(&s, &to, &mine_id).await);
    // In a group create too.
    let users = s.dataset().users();
    let group = json!({"conversation_type": "Group",
        "participant_ids": [users[1]["id"], users[2]["id"]],
        "message": {"text": "hi", "attachments": [{"media_id": mine_id}]}});
    refused_shape(&common::create_group(&s, &group).await);
    // More than one attachment is the API's 400 (one per message).
    let fresh = upload_json(&s, s.token(), "dm_image", b"fresh")
        .await
        .json();
    let fresh_id = fresh["data"]["id"].as_str().unwrap();
    let r = post(
        s.base_url(),
        &format!("/2/dm_conversations/with/{to}/messages"),
        s.token(),
        &json!({"attachments": [{"media_id": fresh_id}, {"media_id": fresh_id}]}).to_string(),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(send_with(&s, &to, fresh_id).await.status, 201);
}

#[tokio::test]
async fn a_segment_sent_twice_or_lost_does_not_corrupt_the_file() {
    let s = server(UploadConfig::instant()).await;
    let data: Vec<u8> = (0..10_000u32).map(|i| (i % 241) as u8).collect();
    // Segment 1 is stored, then the connection is reset; segment 2 is lost on the way.
    s.queue_segment_fault(1, FaultKind::DropAfterRequestBody);
    s.queue_segment_fault(2, FaultKind::DropRequestBody);
    let init = post(
        s.base_url(),
        "/2/media/upload/initialize",
        s.token(),
        &json!({"media_type": "video/mp4", "total_bytes": data.len(), "media_category": "dm_video"}).to_string(),
    )
    .await
    .json();
    let id = init["data"]["id"].as_str().unwrap().to_owned();
    let append = |i: usize| {
        let (ct, body) = multipart(
            &[("segment_index", &i.to_string())],
            &data[i * 2500..(i + 1) * 2500],
        );
        let auth = format!("Bearer {}", s.token());
        let path = format!("/2/media/upload/{id}/append");
        let base = s.base_url().to_owned();
        async move { request_bytes_ok(&base, &path, &auth, &ct, body).await }
    };
    assert_eq!(append(0).await, Some(200));
    assert_eq!(append(1).await, None, "reset after it was stored");
    assert_eq!(s.uploaded_media(&id).unwrap().segments, 2);
    assert_eq!(append(2).await, None, "reset before it was stored");
    assert_eq!(s.uploaded_media(&id).unwrap().segments, 2);
    for i in 1..4 {
        assert_eq!(append(i).await, Some(200), "segment {i} (again)");
    }
    let r = post(
        s.base_url(),
        &format!("/2/media/upload/{id}/finalize"),
        s.token(),
        "",
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(s.uploaded_media(&id).unwrap().sha256, Some(sha(&data)));
    let faults = s.stats().faults;
    assert_eq!(faults.get("drop_after_request_body"), Some(&1));
    assert_eq!(faults.get("drop_request_body"), Some(&1));
}

async fn request_bytes_ok(
    base: &str,
    path: &str,
    auth: &str,
    ct: &str,
    body: Vec<u8>,
) -> Option<u16> {
    common::request_bytes(
        base,
        "POST",
        path,
        &[("authorization", auth), ("content-type", ct)],
        bytes::Bytes::from(body),
    )
    .await
    .ok()
    .map(|r| r.status)
}

#[tokio::test]
async fn large_uploads_keep_a_hash_not_the_bytes() {
    let s = server(UploadConfig::instant().keep_bytes_up_to(MIB as u64)).await;
    let video: Vec<u8> = (0..3 * MIB as u32).map(|i| (i % 199) as u8).collect();
    let fin = chunked(&s, s.token(), "dm_video", "video/mp4", &video, MIB).await;
    let stored = s
        .uploaded_media(fin["data"]["id"].as_str().unwrap())
        .unwrap();
    assert_eq!(stored.sha256, Some(sha(&video)));
    assert_eq!(stored.size, video.len() as u64);
    assert_eq!(stored.bytes, None);
}

#[tokio::test]
async fn uploads_need_media_write_and_user_context() {
    let s = server(UploadConfig::instant()).await;
    let r = upload_json(&s, s.app_only_token(), "dm_image", b"x").await;
    assert_eq!(r.status, 403);
    assert!(
        r.json()["type"]
            .as_str()
            .unwrap()
            .ends_with("unsupported-authentication")
    );
    let r = upload_json(&s, "nonsense", "dm_image", b"x").await;
    assert_eq!(r.status, 401);
    // An OAuth 2.0 token without `media.write`: 403.
    let dm_only = oauth2_token(&s, "dm.read dm.write tweet.read users.read").await;
    let r = upload_json(&s, &dm_only, "dm_image", b"x").await;
    assert_eq!(r.status, 403, "{}", String::from_utf8_lossy(&r.body));
    let with_media = oauth2_token(&s, "dm.read dm.write tweet.read users.read media.write").await;
    let r = upload_json(&s, &with_media, "dm_image", b"x").await;
    assert_eq!(r.status, 200);
    // The request log records the uploads.
    assert!(
        s.requests()
            .iter()
            .any(|r| r.endpoint == dm_fake::Endpoint::UploadMedia)
    );
}

/// An access token with `scope` from the sandbox's OAuth 2.0 server (PKCE plain).
async fn oauth2_token(s: &FakeServer, scope: &str) -> String {
    let verifier = "x".repeat(43);
    let q = form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", &s.oauth2().client_id)
        .append_pair("redirect_uri", "http://127.0.0.1:9/cb")
        .append_pair("scope", scope)
        .append_pair("state", "s")
        .append_pair("code_challenge", &verifier)
        .append_pair("code_challenge_method", "plain")
        .finish();
    let r = request(
        s.base_url(),
        "GET",
        &format!("/i/oauth2/authorize?{q}"),
        &[],
        None,
    )
    .await
    .unwrap();
    let location = r.header("location").unwrap().to_owned();
    let code = form_urlencoded::parse(location.split_once('?').unwrap().1.as_bytes())
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "authorization_code")
        .append_pair("code", &code)
        .append_pair("redirect_uri", "http://127.0.0.1:9/cb")
        .append_pair("client_id", &s.oauth2().client_id)
        .append_pair("code_verifier", &verifier)
        .finish();
    let r = request(
        s.base_url(),
        "POST",
        "/2/oauth2/token",
        &[("content-type", "application/x-www-form-urlencoded")],
        Some(&body),
    )
    .await
    .unwrap();
    r.json()["access_token"].as_str().unwrap().to_owned()
}
