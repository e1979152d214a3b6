//! `Client::upload_media` and sends with media, over loopback against the sandbox.

mod support;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dm_fake::{Endpoint, FakeServer, FaultKind, UploadConfig};
use dm_model::{MediaCategory, MediaMimeType, MessageRequest, UserId};
use dm_query::ApiRequest;
use dm_stream::{
    AttachRefusal, Client, Error, MediaKind, Recipient, UploadOptions, UploadProgress, UploadSource,
};
use dm_transport::auth::OAuth2Endpoints;
use dm_transport::{
    Auth, Clock, HyperTransport, MemoryTokenStore, OAuth1Credentials, OAuth2Client,
    RefreshingToken, SystemClock, TokenSet, Transport,
};
use sha2::Digest as _;
use support::client_builder;

const MIB: usize = 1024 * 1024;

fn sha(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Bytes that start like a file of `kind` and go on pseudo-randomly.
fn file(kind: &str, len: usize) -> Vec<u8> {
    let head: &[u8] = match kind {
        "png" => b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0",
        "jpeg" => b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0",
        "gif" => b"GIF89a\x10\0\x10\0\xf0\0\0\0\0\0\xff\xff\xff!\xf9\x04",
        "mp4" => b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom\0\0\0\x08free",
        "mov" => b"\0\0\0\x14ftypqt  \0\0\0\0qt  \0\0\0\x08wide",
        other => panic!("{other}"),
    };
    let mut out = head.to_vec();
    let mut x = 0x9e37_79b9_7f4a_7c15u64 ^ len as u64;
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

async fn fake(config: UploadConfig) -> FakeServer {
    support::start(
        FakeServer::builder()
            .seed(11)
            .events(40)
            .uploads(config)
            .other_user("another-users-token"),
    )
    .await
}

fn partner(fake: &FakeServer) -> UserId {
    fake.dataset().users()[1]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

fn count(fake: &FakeServer, endpoint: Endpoint) -> u64 {
    fake.stats().endpoint(endpoint)
}

#[tokio::test]
async fn an_image_goes_in_one_request_and_the_sent_event_resolves_it() {
    let fake = fake(UploadConfig::default()).await;
    let client = support::client(&fake);
    let png = file("png", 300_000);
    let media = client
        .upload_media(UploadSource::bytes(png.clone()), MediaKind::Auto)
        .await
        .unwrap();
    assert_eq!(media.category, MediaCategory::DmImage);
    assert_eq!(media.media_type, MediaMimeType::ImagePng);
    assert_eq!(media.size, 300_000);
    assert!(media.expires_at.is_some());
    assert_eq!(count(&fake, Endpoint::UploadMedia), 1);
    assert_eq!(count(&fake, Endpoint::InitializeUpload), 0);
    let stored = fake.uploaded_media(&media.media_id).unwrap();
    assert_eq!(stored.sha256.as_deref(), Some(sha(&png).as_str()));
    assert_eq!(stored.category, "dm_image");

    let sent = client
        .send_to_user(partner(&fake), media.message_with_text("a photo").unwrap())
        .await
        .unwrap();
    let event = client
        .get_event(sent.event_id, dm_query::FieldsQuery::all_fields())
        .await
        .unwrap();
    let key = media.media_key.clone().unwrap();
    assert_eq!(event.event().media_keys(), std::slice::from_ref(&key));
    let resolved: Vec<_> = event.media().collect();
    assert_eq!(resolved.len(), 1, "includes.media resolves the key");
    assert_eq!(resolved[0].media_key.as_ref(), Some(&key));
    assert_eq!(resolved[0].media_type(), dm_model::MediaType::Photo);
}

#[tokio::test]
async fn a_gif_is_chunked_and_processing_is_polled_as_the_api_says() {
    // Processing takes 2 s; the API says to check after 1 s.
    let fake = fake(UploadConfig::default()).await;
    let client = support::client(&fake);
    let gif = file("gif", 700_000);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let options = UploadOptions::new()
        .chunk_size(256 * 1024)
        .on_progress(move |p| log.lock().unwrap().push(p));
    let media = client
        .upload_media_with(UploadSource::bytes(gif.clone()), MediaKind::Auto, options)
        .await
        .unwrap();
    assert_eq!(media.category, MediaCategory::DmGif);
    assert_eq!(count(&fake, Endpoint::InitializeUpload), 1);
    assert_eq!(
        count(&fake, Endpoint::AppendUpload),
        3,
        "700,000 bytes in 256 KiB segments"
    );
    assert_eq!(count(&fake, Endpoint::FinalizeUpload), 1);
    // Polled after 1 s (in_progress) and after 2 s (succeeded): twice, not in a busy loop.
    assert_eq!(count(&fake, Endpoint::UploadStatus), 2);
    let stored = fake.uploaded_media(&media.media_id).unwrap();
    assert_eq!(stored.sha256, Some(sha(&gif)));
    assert_eq!(stored.state.as_deref(), Some("succeeded"));
    let progress = seen.lock().unwrap().clone();
    assert_eq!(
        progress.first(),
        Some(&UploadProgress::Uploading {
            sent: 0,
            total: 700_000
        })
    );
    assert!(progress.contains(&UploadProgress::Uploading {
        sent: 700_000,
        total: 700_000
    }));
    assert!(progress.iter().any(|p| matches!(
        p,
        UploadProgress::Processing {
            state: dm_model::ProcessingState::Succeeded,
            ..
        }
    )));
}

#[tokio::test]
async fn a_video_streams_from_a_file_and_from_a_reader() {
    let fake = fake(UploadConfig::instant()).await;
    let client = support::client(&fake);
    let video = file("mp4", 9 * MIB + 123);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("holiday.bin"); // the name says nothing; the bytes do
    std::fs::write(&path, &video).unwrap();
    let media = client
        .upload_media(UploadSource::path(&path), MediaKind::Auto)
        .await
        .unwrap();
    assert_eq!(media.category, MediaCategory::DmVideo);
    assert_eq!(media.media_type, MediaMimeType::VideoMp4);
    assert_eq!(count(&fake, Endpoint::AppendUpload), 3, "4 MiB segments");
    let stored = fake.uploaded_media(&media.media_id).unwrap();
    assert_eq!(stored.sha256, Some(sha(&video)));
    assert_eq!(stored.size, video.len() as u64);
    assert_eq!(stored.media_type.as_deref(), Some("video/mp4"));

    let mov = file("mov", 2 * MIB + 5);
    let reader = tokio::fs::File::open({
        let p = dir.path().join("clip");
        std::fs::write(&p, &mov).unwrap();
        p
    })
    .await
    .unwrap();
    let media = client
        .upload_media_with(
            UploadSource::reader(reader, mov.len() as u64),
            MediaKind::Video,
            UploadOptions::new().chunk_size(MIB),
        )
        .await
        .unwrap();
    assert_eq!(media.media_type, MediaMimeType::VideoQuicktime);
    let stored = fake.uploaded_media(&media.media_id).unwrap();
    assert_eq!((stored.sha256, stored.segments), (Some(sha(&mov)), 3));

    // A reader shorter than announced: an error naming it, never a truncated upload.
    let short = UploadSource::reader(std::io::Cursor::new(file("mp4", 1000)), 5000);
    let err = client
        .upload_media(short, MediaKind::Auto)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Io(e) if e.kind() == std::io::ErrorKind::UnexpectedEof),
        "{err:?}"
    );
    assert_eq!(
        count(&fake, Endpoint::FinalizeUpload),
        2,
        "the short one was never finalized"
    );
}

#[tokio::test]
async fn limits_and_types_are_checked_before_anything_is_sent() {
    let fake = fake(UploadConfig::instant()).await;
    let client = support::client(&fake);
    let big = file("jpeg", 5 * MIB + 1);
    let err = client
        .upload_media(UploadSource::bytes(big), MediaKind::Auto)
        .await
        .unwrap_err();
    match &err {
        Error::MediaTooLarge {
            size,
            limit,
            category,
        } => {
            assert_eq!((*size, *limit), (5 * MIB as u64 + 1, 5 * MIB as u64));
            assert_eq!(*category, MediaCategory::DmImage);
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("5242880"), "{err}");
    let err = client
        .upload_media(
            UploadSource::bytes(file("gif", 15 * MIB + 1)),
            MediaKind::Auto,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::MediaTooLarge { limit, .. } if limit == 15 * MIB as u64));
    for (bytes, kind) in [
        (b"%PDF-1.7 not a photo".to_vec(), MediaKind::Auto),
        (b"just text, named photo.jpg".to_vec(), MediaKind::Image),
        (file("mp4", 5000), MediaKind::Image),
        (file("png", 5000), MediaKind::Video),
        (Vec::new(), MediaKind::Auto),
    ] {
        let err = client
            .upload_media(UploadSource::bytes(bytes), kind)
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::UnsupportedMedia { .. }),
            "{kind:?}: {err:?}"
        );
    }
    let missing = client
        .upload_media(
            UploadSource::path("/nonexistent/photo.jpg"),
            MediaKind::Auto,
        )
        .await
        .unwrap_err();
    assert!(matches!(missing, Error::Io(_)), "{missing:?}");
    assert!(fake.requests().is_empty(), "nothing reached the sandbox");
}

#[tokio::test]
async fn a_segment_reset_mid_upload_is_retried_without_corrupting_the_file() {
    let fake = fake(UploadConfig::instant()).await;
    let client = support::client(&fake);
    // Segment 1 arrives, then the connection is reset before the answer; segment 2 is lost
    // on the way; segment 3 meets a 503.
    fake.queue_segment_fault(1, FaultKind::DropAfterRequestBody);
    fake.queue_segment_fault(2, FaultKind::DropRequestBody);
    fake.queue_segment_fault(3, FaultKind::ServerError(503));
    let video = file("mp4", 5 * MIB / 2);
    let media = client
        .upload_media_with(
            UploadSource::bytes(video.clone()),
            MediaKind::Auto,
            UploadOptions::new().chunk_size(512 * 1024),
        )
        .await
        .unwrap();
    let stored = fake.uploaded_media(&media.media_id).unwrap();
    assert_eq!(stored.sha256, Some(sha(&video)), "the file is intact");
    assert_eq!(stored.segments, 5);
    assert_eq!(
        count(&fake, Endpoint::AppendUpload),
        8,
        "5 segments, 3 of them twice"
    );
    assert_eq!(count(&fake, Endpoint::FinalizeUpload), 1);
    assert_eq!(client.stack().stats().retries, 3);
}

#[tokio::test]
async fn a_failed_processing_is_a_typed_error() {
    let fake = fake(UploadConfig::instant()).await;
    let client = support::client(&fake);
    fake.fail_next_processing();
    let err = client
        .upload_media(UploadSource::bytes(file("mp4", 10_000)), MediaKind::Auto)
        .await
        .unwrap_err();
    let Error::ProcessingFailed { media_id, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(
        fake.uploaded_media(media_id).unwrap().state.as_deref(),
        Some("failed")
    );
    assert!(err.to_string().contains("re-encode"), "{err}");
}

/// A wall clock that can be moved forward.
#[derive(Debug, Default)]
struct ManualClock {
    ahead_secs: AtomicU64,
}

impl Clock for ManualClock {
    fn now_unix(&self) -> Duration {
        SystemClock.now_unix() + Duration::from_secs(self.ahead_secs.load(Ordering::SeqCst))
    }
}

#[tokio::test]
async fn expired_media_is_refused_before_sending_or_explained_after() {
    let fake = fake(UploadConfig::instant()).await;
    let clock = Arc::new(ManualClock::default());
    let client = client_builder(&fake).clock(clock.clone()).build().unwrap();
    let to = partner(&fake);
    let media = client
        .upload_media(UploadSource::bytes(file("png", 1000)), MediaKind::Auto)
        .await
        .unwrap();
    // 24 hours later by the client's clock: refused here, nothing sent.
    clock.ahead_secs.store(86_400, Ordering::SeqCst);
    let err = client
        .send_to_user(to.clone(), media.message())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::MediaExpired { media_id, .. } if *media_id == media.media_id),
        "{err:?}"
    );
    assert!(!err.may_have_been_sent());
    assert_eq!(count(&fake, Endpoint::SendToParticipant), 0);
    assert!(err.to_string().contains("upload the file again"), "{err}");

    // Expired by the API's clock only: the API's 403, explained.
    clock.ahead_secs.store(0, Ordering::SeqCst);
    fake.advance_clock(Duration::from_secs(86_400));
    let err = client.send_to_user(to, media.message()).await.unwrap_err();
    let Error::MediaNotAttachable { reason, source, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(*reason, AttachRefusal::Unexplained);
    assert_eq!(source.status().map(|s| s.as_u16()), Some(403));
    assert_eq!(count(&fake, Endpoint::SendToParticipant), 1);
}

#[tokio::test]
async fn another_users_media_and_post_category_media_are_refused_with_the_typed_error() {
    let fake = fake(UploadConfig::instant()).await;
    let me = support::client(&fake);
    let (their_token, _) = fake.other_users()[0].clone();
    let them = Client::builder()
        .base_url(fake.base_url())
        .bearer_token(their_token.clone())
        .build()
        .unwrap();
    let theirs = them
        .upload_media(UploadSource::bytes(file("jpeg", 2000)), MediaKind::Auto)
        .await
        .unwrap();
    let err = me
        .send_to_conversation(
            format!(
                "{}-{}",
                fake.me().as_u64().min(partner(&fake).as_u64()),
                fake.me().as_u64().max(partner(&fake).as_u64())
            )
            .parse()
            .unwrap(),
            theirs.message(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::MediaNotAttachable { reason: AttachRefusal::NotUploadedHere, media_id, .. } if *media_id == theirs.media_id),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("the sending user uploaded"),
        "{err}"
    );
    assert!(
        err.problems()[0]
            .detail
            .as_deref()
            .unwrap()
            .contains("not permitted to attach")
    );

    // Uploaded by this user, but with a Post category (by another tool).
    let request = dm_query::UploadMedia::new(file("jpeg", 2000), MediaCategory::TweetImage)
        .to_request(&dm_query::BaseUrl::parse(fake.base_url()).unwrap())
        .unwrap();
    let mut request = request;
    request.headers_mut().insert(
        http::header::AUTHORIZATION,
        format!("Bearer {}", fake.token()).parse().unwrap(),
    );
    let response = HyperTransport::new().unwrap().send(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: dm_model::MediaUploadResponse = dm_model::decode(response.body()).unwrap();
    let tweet_media = body.data.unwrap().id;
    let err = me
        .create_group(
            vec![
                partner(&fake),
                fake.dataset().users()[2]["id"]
                    .as_str()
                    .unwrap()
                    .parse()
                    .unwrap(),
            ],
            MessageRequest::with_media("group photo", tweet_media).unwrap(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::MediaNotAttachable {
                reason: AttachRefusal::NotUploadedHere,
                ..
            }
        ),
        "{err:?}"
    );
}

async fn oauth2_token(fake: &FakeServer, scopes: &[&str]) -> TokenSet {
    let transport: Arc<dyn Transport> = Arc::new(HyperTransport::new().unwrap());
    let oauth = OAuth2Client::new(
        &fake.oauth2().client_id,
        "http://127.0.0.1:9/cb",
        transport.clone(),
    )
    .endpoints(OAuth2Endpoints::with_base(fake.base_url()));
    let auth = oauth.authorize_url(scopes);
    let response = transport
        .send(
            http::Request::get(&auth.url)
                .body(bytes::Bytes::new())
                .unwrap(),
        )
        .await
        .unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let code = location
        .split_once("code=")
        .unwrap()
        .1
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    oauth.exchange_code(&code, &auth.verifier).await.unwrap()
}

#[tokio::test]
async fn a_missing_media_write_scope_is_reported_as_such() {
    let fake = fake(UploadConfig::instant()).await;
    let dm_only = oauth2_token(&fake, &["dm.read", "dm.write", "tweet.read", "users.read"]).await;
    assert!(!dm_only.scope.as_deref().unwrap().contains("media.write"));
    // Known scopes: refused before sending.
    let oauth = OAuth2Client::new(
        &fake.oauth2().client_id,
        "http://127.0.0.1:9/cb",
        Arc::new(HyperTransport::new().unwrap()),
    )
    .endpoints(OAuth2Endpoints::with_base(fake.base_url()));
    let refreshing =
        RefreshingToken::new(oauth, dm_only.clone(), Arc::new(MemoryTokenStore::new()));
    let client = Client::builder()
        .base_url(fake.base_url())
        .auth(Auth::oauth2(refreshing))
        .build()
        .unwrap();
    let before = fake.requests().len();
    let err = client
        .upload_media(UploadSource::bytes(file("png", 100)), MediaKind::Auto)
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::MissingScope {
                scope: "media.write",
                source: None,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("media.write"), "{err}");
    assert_eq!(fake.requests().len(), before, "nothing sent");
    // The same token as a plain bearer (scopes unknown): the API's 403, reported as the scope.
    let client = Client::builder()
        .base_url(fake.base_url())
        .bearer_token(dm_only.access_token.expose().to_owned())
        .build()
        .unwrap();
    let err = client
        .upload_media(UploadSource::bytes(file("png", 100)), MediaKind::Auto)
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::MissingScope {
                source: Some(_),
                ..
            }
        ),
        "{err:?}"
    );
    // With media.write it works.
    let full = oauth2_token(
        &fake,
        &[
            "dm.read",
            "dm.write",
            "tweet.read",
            "users.read",
            "media.write",
        ],
    )
    .await;
    let client = Client::builder()
        .base_url(fake.base_url())
        .bearer_token(full.access_token.expose().to_owned())
        .build()
        .unwrap();
    client
        .upload_media(UploadSource::bytes(file("png", 100)), MediaKind::Auto)
        .await
        .unwrap();
}

#[tokio::test]
async fn oauth1_uploads_images_and_chunked_videos() {
    let fake = fake(UploadConfig::instant()).await;
    let c = fake.oauth1().unwrap().clone();
    let client = Client::builder()
        .base_url(fake.base_url())
        .auth(Auth::oauth1(OAuth1Credentials::new(
            c.consumer_key,
            c.consumer_secret,
            c.token,
            c.token_secret,
        )))
        .build()
        .unwrap();
    for (bytes, category) in [
        (file("png", 5000), MediaCategory::DmImage),
        (file("mp4", MIB + 7), MediaCategory::DmVideo),
    ] {
        let media = client
            .upload_media(UploadSource::bytes(bytes.clone()), MediaKind::Auto)
            .await
            .unwrap();
        assert_eq!(media.category, category);
        assert_eq!(
            fake.uploaded_media(&media.media_id).unwrap().sha256,
            Some(sha(&bytes))
        );
    }
    assert!(
        fake.requests()
            .iter()
            .all(|r| r.auth == dm_fake::AuthKind::OAuth1)
    );
}

#[tokio::test]
async fn send_media_uploads_and_sends_to_a_user_a_conversation_and_a_new_group() {
    let fake = fake(UploadConfig::instant()).await;
    let client = support::client(&fake);
    let to = partner(&fake);
    let sent = client
        .send_media(
            Recipient::User(to.clone()),
            Some("a clip"),
            file("mp4", 3000),
            MediaKind::Auto,
            UploadOptions::new(),
        )
        .await
        .unwrap();
    let event = client
        .get_event(sent.event_id.clone(), dm_query::FieldsQuery::all_fields())
        .await
        .unwrap();
    assert_eq!(event.event().text.as_deref(), Some("a clip"));
    assert_eq!(
        event.media().next().unwrap().media_type(),
        dm_model::MediaType::Video
    );
    let again = client
        .send_media(
            Recipient::Conversation(sent.conversation_id.clone()),
            None,
            file("gif", 3000),
            MediaKind::Auto,
            UploadOptions::new(),
        )
        .await
        .unwrap();
    assert_eq!(again.conversation_id, sent.conversation_id);
    let users = fake.dataset().users();
    let group: Vec<UserId> = users[1..3]
        .iter()
        .map(|u| u["id"].as_str().unwrap().parse().unwrap())
        .collect();
    let created = client
        .send_media(
            Recipient::NewGroup(group),
            Some("hello all"),
            file("jpeg", 3000),
            MediaKind::Auto,
            UploadOptions::new(),
        )
        .await
        .unwrap();
    assert_ne!(created.conversation_id, sent.conversation_id);
    // Bad text or a one-person group: refused before uploading.
    let uploads = count(&fake, Endpoint::UploadMedia);
    let err = client
        .send_media(
            Recipient::User(to.clone()),
            Some(""),
            file("png", 10),
            MediaKind::Auto,
            UploadOptions::new(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Body(_)));
    let err = client
        .send_media(
            Recipient::NewGroup(vec![to]),
            None,
            file("png", 10),
            MediaKind::Auto,
            UploadOptions::new(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Body(_)));
    assert_eq!(count(&fake, Endpoint::UploadMedia), uploads);
}
