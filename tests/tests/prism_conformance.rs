//! The official specs as an independent oracle: every kind of request xdm builds is sent
//! through the hyper transport to Stoplight Prism (a mock of the spec file its operation is read
//! from, `Operation::spec_file`: `spec/openapi-dm-2.166.json` or
//! `spec/openapi-media-realtime-2.167.json`), and any request violation Prism reports in
//! `sl-violations` fails the test. What Prism cannot check (comma-joined lists, exact parameter
//! names) is asserted here.
//!
//! Needs `PRISM_URL` (and `PRISM_OAUTH1_URL` for OAuth 1.0a), and the mocks of the second spec
//! (`PRISM_MEDIA_REALTIME_URL`, `PRISM_MEDIA_REALTIME_OAUTH1_URL`) for its operations; run it
//! with `cargo xtask conformance`. Without them the tests print a message and pass, unless
//! `XDM_REQUIRE_PRISM=1` (set by `cargo xtask conformance`) makes that a failure.

use std::collections::{BTreeMap, BTreeSet};

use bytes::Bytes;
use dm_model::activity::{
    ActivityEventType, CreateSubscriptionRequest, CreateWebhookRequest, ReplayRequest,
    UpdateSubscriptionRequest,
};
use dm_model::{ActivitySubscriptionId, WebhookConfigField, WebhookConfigId};
use dm_model::{
    DmConversationId, DmEventField, DmEventId, DmResourceId, EventType, Expansion,
    GroupConversationRequest, InitializeUploadRequest, MediaCategory, MediaField, MediaId,
    MediaMimeType, MessageRequest, TweetField, UserField, UserId,
};
use dm_query::{
    ApiRequest, AppendUpload, AuthScheme, BaseUrl, BlockDms, CheckAaaSubscription,
    CreateAaaSubscription, CreateActivitySubscription, CreateGroup, CreateWebhook,
    DeleteAaaSubscription, DeleteActivitySubscription, DeleteActivitySubscriptions, DeleteEvent,
    DeleteWebhook, DownloadMedia, EventsQuery, FieldsQuery, FinalizeUpload,
    GetAaaSubscriptionCount, GetEvent, GetUploadStatus, InitializeUpload, ListAaaSubscriptions,
    ListActivitySubscriptions, ListEvents, ListWebhooks, MediaEncoding, Operation, ReplayWebhook,
    Scope, SendToConversation, SendToParticipant, StreamActivity, UnblockDms,
    UpdateActivitySubscription, UploadMedia, ValidateWebhook,
};
use dm_transport::{HyperTransport, OAuth1Credentials, Transport};
use proptest::prelude::*;
use proptest::sample::subsequence;
use proptest::strategy::ValueTree as _;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;
use xdm_tests::prism::{MOCKS, env_url, mock_var, request_violations};

/// Generated lookup queries per list operation.
const QUERIES_PER_SCOPE: u32 = 120;
/// Generated message bodies per send operation.
const BODIES_PER_SEND: u32 = 40;

fn url_or_skip(var: &str) -> Option<String> {
    let url = env_url(var);
    if url.is_none() {
        let required = std::env::var("XDM_REQUIRE_PRISM").is_ok_and(|v| v == "1");
        assert!(!required, "{var} is not set but XDM_REQUIRE_PRISM=1");
        eprintln!("skipped: {var} is not set (run `cargo xtask conformance`)");
    }
    url
}

// ---------------------------------------------------------------- the spec's parameter names

/// The query parameter names each operation declares (by `operationId`), read from every
/// spec file that has a mock.
fn spec_query_params() -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for (file, ..) in MOCKS {
        let path = format!("{}/../{file}", env!("CARGO_MANIFEST_DIR"));
        let spec: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        spec_file_query_params(&spec, &mut out);
    }
    out
}

fn spec_file_query_params(spec: &Value, out: &mut BTreeMap<String, BTreeSet<String>>) {
    for (_, item) in spec["paths"].as_object().unwrap() {
        for (_, op) in item.as_object().unwrap() {
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let mut names = BTreeSet::new();
            for p in op["parameters"].as_array().into_iter().flatten() {
                let p = match p.get("$ref").and_then(Value::as_str) {
                    Some(r) => {
                        let ptr = r.trim_start_matches('#');
                        spec.pointer(ptr).cloned().unwrap()
                    }
                    None => p.clone(),
                };
                if p["in"] == "query" {
                    names.insert(p["name"].as_str().unwrap().to_string());
                }
            }
            let before = out.insert(id.to_string(), names);
            assert!(before.is_none(), "`{id}` is in two spec files");
        }
    }
}

/// Client-side checks Prism cannot make: every query key is a parameter the spec declares
/// for the operation (exact spelling), appears once, and lists are comma-joined without
/// empty items or spaces.
fn check_query(request: &http::Request<Bytes>, spec: &BTreeMap<String, BTreeSet<String>>) {
    let op = request
        .extensions()
        .get::<Operation>()
        .expect("operation extension");
    let op_id = op.operation_id();
    let allowed = spec
        .get(op_id)
        .unwrap_or_else(|| panic!("operation {op:?} is in {}", op.spec_file()));
    let query = request.uri().query().unwrap_or_default();
    let mut seen = BTreeSet::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        assert!(
            allowed.contains(k),
            "{op_id}: `{k}` is not a spec parameter ({allowed:?}): {query}"
        );
        assert!(
            seen.insert(k.to_string()),
            "{op_id}: `{k}` repeated: {query}"
        );
        assert!(!v.is_empty(), "{op_id}: `{k}` is empty: {query}");
        if k != "pagination_token" {
            for item in v.split(',') {
                assert!(
                    !item.is_empty() && !item.contains(' ') && !item.contains("%20"),
                    "{query}"
                );
            }
        }
    }
}

// ---------------------------------------------------------------- sending

struct Oracle {
    base: BaseUrl,
    transport: HyperTransport,
    oauth1: Option<OAuth1Credentials>,
    validated: usize,
}

impl Oracle {
    fn new(url: &str, oauth1: bool) -> Self {
        Oracle {
            base: BaseUrl::parse(url).unwrap(),
            transport: HyperTransport::new().unwrap(),
            oauth1: oauth1.then(|| OAuth1Credentials::new("ck", "cs", "1-t", "ts")),
            validated: 0,
        }
    }

    /// Points a request xdm built (against `base`) at the mock of its operation's spec file.
    fn route(&self, request: &mut http::Request<Bytes>) {
        let Some(op) = request.extensions().get::<Operation>().copied() else {
            return; // a hand-made probe: sent where it says
        };
        let var = mock_var(op.spec_file(), self.oauth1.is_some())
            .unwrap_or_else(|| panic!("{op}: no Prism mock of {}", op.spec_file()));
        let url = env_url(var).unwrap_or_else(|| {
            panic!(
                "{op} is checked against {}, but {var} is not set (run `cargo xtask conformance`)",
                op.spec_file()
            )
        });
        let mock: http::Uri = url.parse().unwrap();
        let mut parts = request.uri().clone().into_parts();
        parts.scheme = mock.scheme().cloned();
        parts.authority = mock.authority().cloned();
        *request.uri_mut() = http::Uri::from_parts(parts).unwrap();
    }

    async fn verdict(&self, mut request: http::Request<Bytes>) -> (u16, Vec<String>) {
        self.route(&mut request);
        let header = match &self.oauth1 {
            Some(c) => c
                .authorization_header(request.method().as_str(), request.uri(), None)
                .expose()
                .to_string(),
            None => "Bearer conformance".to_string(),
        };
        request
            .headers_mut()
            .insert(http::header::AUTHORIZATION, header.parse().unwrap());
        let what = format!("{} {}", request.method(), request.uri());
        let response = self
            .transport
            .send(request)
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let violations = response
            .headers()
            .get("sl-violations")
            .map(|v| request_violations(v.to_str().unwrap_or("<not text>")))
            .unwrap_or_default();
        (response.status().as_u16(), violations)
    }

    /// Sends a request xdm built; fails on any request violation.
    async fn valid(&mut self, request: http::Request<Bytes>) {
        let what = format!("{} {}", request.method(), request.uri());
        let (status, violations) = self.verdict(request).await;
        assert!(
            violations.is_empty(),
            "Prism refused {what} ({status}): {violations:#?}"
        );
        assert!(status < 400, "Prism answered {status} to {what}");
        self.validated += 1;
    }
}

// ---------------------------------------------------------------- generated requests

fn queries(n: u32, seed: u8) -> Vec<EventsQuery> {
    let strategy = (
        proptest::option::of(1u32..=100),
        proptest::option::of(subsequence(
            EventType::ALL.to_vec(),
            1..=EventType::ALL.len(),
        )),
        proptest::option::of(subsequence(
            DmEventField::ALL.to_vec(),
            1..=DmEventField::ALL.len(),
        )),
        proptest::option::of(subsequence(
            Expansion::ALL.to_vec(),
            1..=Expansion::ALL.len(),
        )),
        proptest::option::of(subsequence(
            UserField::ALL.to_vec(),
            1..=UserField::ALL.len(),
        )),
        proptest::option::of(subsequence(
            TweetField::ALL.to_vec(),
            1..=TweetField::ALL.len(),
        )),
        proptest::option::of(subsequence(
            MediaField::ALL.to_vec(),
            1..=MediaField::ALL.len(),
        )),
        proptest::option::of("[A-Za-z0-9]{16,32}"),
    );
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        proptest::test_runner::TestRng::from_seed(
            proptest::test_runner::RngAlgorithm::ChaCha,
            &[seed; 32],
        ),
    );
    (0..n)
        .map(|_| {
            let (max, types, ev, exp, user, tweet, media, token) =
                strategy.new_tree(&mut runner).unwrap().current();
            let mut q = EventsQuery::new();
            if let Some(m) = max {
                q = q.max_results(m);
            }
            if let Some(t) = types {
                q = q.event_types(t);
            }
            let mut f = FieldsQuery::new();
            if let Some(v) = ev {
                f = f.dm_event_fields(v);
            }
            if let Some(v) = exp {
                f = f.expansions(v);
            }
            if let Some(v) = user {
                f = f.user_fields(v);
            }
            if let Some(v) = tweet {
                f = f.tweet_fields(v);
            }
            if let Some(v) = media {
                f = f.media_fields(v);
            }
            q = q.fields(f);
            if let Some(t) = token {
                q = q.pagination_token(t);
            }
            q
        })
        .collect()
}

fn messages() -> Vec<MessageRequest> {
    let media = MediaId::parse("1146654567674912769").unwrap();
    let mut out = vec![
        MessageRequest::text("hi").unwrap(),
        MessageRequest::text("emoji 🦀, quotes \" ' and\nnewlines, <b>html</b> & more").unwrap(),
        MessageRequest::with_media("with media", media.clone()).unwrap(),
        MessageRequest::media(media),
    ];
    let mut runner = TestRunner::deterministic();
    let text = "\\PC{1,200}";
    for _ in 0..BODIES_PER_SEND {
        let t = text.new_tree(&mut runner).unwrap().current();
        if let Ok(m) = MessageRequest::text(t) {
            out.push(m);
        }
    }
    out
}

fn users() -> Vec<UserId> {
    ["2244994945", "1", "9223372036854775807", "783214"]
        .iter()
        .map(|s| UserId::parse(s).unwrap())
        .collect()
}

/// The media upload requests: every DM category and type xdm sends, multipart and JSON.
fn media_requests(base: &BaseUrl) -> Vec<http::Request<Bytes>> {
    let id = MediaId::parse("1880028106020515840").unwrap();
    let png = Bytes::from_static(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR raw \r\n--bytes\xff\x00");
    let mut out = Vec::new();
    for category in [
        MediaCategory::DmImage,
        MediaCategory::DmGif,
        MediaCategory::DmVideo,
        MediaCategory::TweetImage,
    ] {
        for encoding in [MediaEncoding::Multipart, MediaEncoding::Json] {
            let mut upload = UploadMedia::new(png.clone(), category.clone());
            upload.encoding = encoding;
            out.push(upload.to_request(base).unwrap());
        }
    }
    let mut shared = UploadMedia::new(png.clone(), MediaCategory::DmImage);
    shared.additional_owners = users();
    out.push(shared.to_request(base).unwrap());
    for (media_type, category) in [
        (MediaMimeType::VideoMp4, MediaCategory::DmVideo),
        (MediaMimeType::VideoQuicktime, MediaCategory::DmVideo),
        (MediaMimeType::ImageGif, MediaCategory::DmGif),
        (MediaMimeType::ImageJpeg, MediaCategory::DmImage),
        (MediaMimeType::ImageWebp, MediaCategory::DmImage),
    ] {
        let body = InitializeUploadRequest::new(media_type, 536_870_912, category).unwrap();
        out.push(
            InitializeUpload { body: body.clone() }
                .to_request(base)
                .unwrap(),
        );
        let body = body.shared(false).additional_owners(users());
        out.push(InitializeUpload { body }.to_request(base).unwrap());
    }
    for (segment, encoding) in [
        (0, MediaEncoding::Multipart),
        (999, MediaEncoding::Multipart),
        (0, MediaEncoding::Json),
        (999, MediaEncoding::Json),
    ] {
        let mut append = AppendUpload::new(id.clone(), segment, png.clone());
        append.encoding = encoding;
        out.push(append.to_request(base).unwrap());
    }
    out.push(
        FinalizeUpload {
            media_id: id.clone(),
        }
        .to_request(base)
        .unwrap(),
    );
    out.push(GetUploadStatus { media_id: id }.to_request(base).unwrap());
    out
}

/// Every operation with many generated queries and bodies, through `oracle`.
async fn send_everything(oracle: &mut Oracle, scale: u32) {
    let spec = spec_query_params();
    let conversations: Vec<DmConversationId> = ["123123123-456456456", "1582838535115067392"]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    let mut scopes = vec![Scope::All];
    scopes.extend(conversations.iter().cloned().map(Scope::Conversation));
    scopes.extend(users().into_iter().map(Scope::WithParticipant));
    let base = oracle.base.clone();
    for (i, scope) in scopes.iter().enumerate() {
        for q in queries(QUERIES_PER_SCOPE / scale, i as u8 + 1) {
            let request = ListEvents::new(scope.clone(), q).to_request(&base).unwrap();
            check_query(&request, &spec);
            oracle.valid(request).await;
        }
    }
    let event = DmEventId::parse("1146654567674912769").unwrap();
    for q in queries(QUERIES_PER_SCOPE / scale / 4, 99) {
        let request = GetEvent::new(event.clone())
            .fields(q.get_fields().clone())
            .to_request(&base)
            .unwrap();
        check_query(&request, &spec);
        oracle.valid(request).await;
    }
    let mut manage = vec![
        DeleteEvent { id: event.clone() }.to_request(&base).unwrap(),
        DownloadMedia {
            dm_id: event.clone(),
            media_id: MediaId::parse("1146654567674912769").unwrap(),
            resource_id: DmResourceId::parse("abc_DEF-1.jpg").unwrap(),
        }
        .to_request(&base)
        .unwrap(),
    ];
    for user in users() {
        manage.push(
            BlockDms {
                user_id: user.clone(),
            }
            .to_request(&base)
            .unwrap(),
        );
        manage.push(UnblockDms { user_id: user }.to_request(&base).unwrap());
    }
    for (i, message) in messages().into_iter().enumerate() {
        let users = users();
        let to = users[i % users.len()].clone();
        manage.push(
            SendToParticipant {
                participant_id: to,
                message: message.clone(),
            }
            .to_request(&base)
            .unwrap(),
        );
        manage.push(
            SendToConversation {
                conversation_id: conversations[i % 2].clone(),
                message: message.clone(),
            }
            .to_request(&base)
            .unwrap(),
        );
        let group = GroupConversationRequest::new(users[..2 + i % 3].to_vec(), message).unwrap();
        manage.push(CreateGroup { body: group }.to_request(&base).unwrap());
    }
    manage.extend(media_requests(&base));
    manage.extend(realtime(&base));
    for request in manage {
        check_query(&request, &spec);
        let op = request.extensions().get::<Operation>().copied();
        if oracle.oauth1.is_some() && op.is_some_and(|op| !op.allows(AuthScheme::OAuth1User)) {
            // The media download and the app-only operations (the activity stream, most
            // subscription and webhook management) refuse OAuth 1.0a: Prism rightly too.
            continue;
        }
        oracle.valid(request).await;
    }
}

/// The activity stream, subscription, webhook and Account Activity requests, in every
/// shape xdm builds them.
fn realtime(base: &BaseUrl) -> Vec<http::Request<Bytes>> {
    let user = UserId::parse("2244994945").unwrap();
    let webhook = WebhookConfigId::parse("1234567890").unwrap();
    let sub = ActivitySubscriptionId::parse("1976325569252868096").unwrap();
    let start = time::macros::datetime!(2026-08-22 12:00:00 UTC);
    let mut out: Vec<Box<dyn ApiRequest>> = vec![Box::new(StreamActivity::new())];
    for m in 0..=dm_query::MAX_BACKFILL_MINUTES {
        out.push(Box::new(StreamActivity::new().backfill_minutes(m)));
    }
    out.push(Box::new(StreamActivity::new().start_time(start)));
    out.push(Box::new(
        StreamActivity::new()
            .start_time(start)
            .end_time(start + time::Duration::hours(2)),
    ));
    for (i, t) in ActivityEventType::ALL.iter().enumerate() {
        let mut body = CreateSubscriptionRequest::for_user(t.clone(), user.clone());
        if i % 2 == 0 {
            body = body.tag(format!("tag {i} ✓")).unwrap();
        }
        if i % 3 == 0 {
            body = body.webhook(webhook.clone());
        }
        out.push(Box::new(CreateActivitySubscription { body }));
    }
    out.push(Box::new(ListActivitySubscriptions::new()));
    out.push(Box::new(
        ListActivitySubscriptions::new()
            .max_results(1000)
            .pagination_token("7140dibdnow9c7btw3w29gsnbjdh6emts9pjhbnmk8jlr"),
    ));
    for (tag, hook) in [
        (Some("renamed".to_owned()), None),
        (None, Some(webhook.clone())),
        (Some("both".to_owned()), Some(webhook.clone())),
    ] {
        out.push(Box::new(UpdateActivitySubscription {
            id: sub.clone(),
            body: UpdateSubscriptionRequest::new(tag, hook).unwrap(),
        }));
    }
    out.push(Box::new(DeleteActivitySubscription { id: sub.clone() }));
    out.push(Box::new(DeleteActivitySubscriptions { ids: vec![sub] }));
    out.push(Box::new(DeleteActivitySubscriptions {
        ids: (1..=100u64)
            .map(|n| ActivitySubscriptionId::try_from(n).unwrap())
            .collect(),
    }));
    out.push(Box::new(ListWebhooks::default()));
    out.push(Box::new(ListWebhooks {
        fields: WebhookConfigField::ALL.to_vec(),
    }));
    out.push(Box::new(ListWebhooks {
        fields: vec![WebhookConfigField::Url],
    }));
    out.push(Box::new(CreateWebhook {
        body: CreateWebhookRequest::new("https://example.com/webhooks/x?sig=1").unwrap(),
    }));
    out.push(Box::new(ValidateWebhook {
        id: webhook.clone(),
    }));
    out.push(Box::new(DeleteWebhook {
        id: webhook.clone(),
    }));
    out.push(Box::new(ReplayWebhook {
        body: ReplayRequest::new(
            webhook.clone(),
            "202608221200".parse().unwrap(),
            "202608221330".parse().unwrap(),
        )
        .unwrap(),
    }));
    out.push(Box::new(GetAaaSubscriptionCount));
    out.push(Box::new(CheckAaaSubscription {
        webhook_id: webhook.clone(),
    }));
    out.push(Box::new(CreateAaaSubscription {
        webhook_id: webhook.clone(),
    }));
    out.push(Box::new(ListAaaSubscriptions {
        webhook_id: webhook.clone(),
    }));
    out.push(Box::new(DeleteAaaSubscription {
        webhook_id: webhook,
        user_id: user,
    }));
    out.iter().map(|r| r.to_request(base).unwrap()).collect()
}

// ---------------------------------------------------------------- tests

/// Runs without Prism: every operation's spec file has a mock, and its query parameter
/// names are read from that file.
#[test]
fn every_operation_has_a_mock_of_its_spec_file() {
    let spec = spec_query_params();
    for op in Operation::ALL {
        for oauth1 in [false, true] {
            assert!(mock_var(op.spec_file(), oauth1).is_some(), "{op}");
        }
        let names = spec
            .get(op.operation_id())
            .unwrap_or_else(|| panic!("{op}"));
        let declared: BTreeSet<String> = op.query_params().iter().map(|s| s.to_string()).collect();
        assert_eq!(*names, declared, "{op}");
    }
    assert_eq!(spec.len(), Operation::ALL.len());
}

#[tokio::test]
async fn canaries_prove_prism_validates_requests() {
    let Some(url) = url_or_skip("PRISM_URL") else {
        return;
    };
    let oracle = Oracle::new(&url, false);
    for path in [
        "/2/dm_events?max_results=0",
        "/2/dm_events?event_types=Bogus",
        "/2/dm_conversations/abc/dm_events",
        "/2/dm_events/1146654567674912769?dm_event.fields=nope",
        "/2/dm_events?pagination_token=short",
    ] {
        let request = http::Request::get(format!("{url}{path}"))
            .body(Bytes::new())
            .unwrap();
        let (status, violations) = oracle.verdict(request).await;
        assert_eq!(status, 422, "{path}");
        assert!(
            !violations.is_empty(),
            "{path}: Prism reported no violation (validation is off)"
        );
    }
    let body = http::Request::post(format!("{url}/2/dm_conversations"))
        .header("content-type", "application/json")
        .body(Bytes::from_static(br#"{"conversation_type":"group"}"#))
        .unwrap();
    let (status, violations) = oracle.verdict(body).await;
    assert_eq!(status, 422);
    assert!(!violations.is_empty());
}

#[tokio::test]
async fn canaries_prove_prism_validates_media_and_realtime_requests() {
    let Some(url) = url_or_skip("PRISM_MEDIA_REALTIME_URL") else {
        return;
    };
    let oracle = Oracle::new(&url, false);
    for path in [
        "/2/activity/stream?backfill_minutes=6",
        "/2/activity/stream?start_time=yesterday",
        "/2/media/upload?media_id=abc&command=STATUS",
        "/2/media/upload?media_id=1&command=INIT",
        "/2/webhooks?webhook_config.fields=secret",
    ] {
        let request = http::Request::get(format!("{url}{path}"))
            .body(Bytes::new())
            .unwrap();
        let (status, violations) = oracle.verdict(request).await;
        assert_eq!(status, 422, "{path}");
        assert!(
            !violations.is_empty(),
            "{path}: Prism reported no violation (validation is off)"
        );
    }
    for (path, body) in [
        (
            "/2/media/upload/initialize",
            r#"{"media_category":"tweet_bogus"}"#,
        ),
        (
            "/2/media/upload/1/append",
            r#"{"media":"AAEC","segment_index":1000}"#,
        ),
        (
            "/2/activity/subscriptions",
            r#"{"event_type":"dm.bogus","filter":{"user_id":"1"}}"#,
        ),
    ] {
        let request = http::Request::post(format!("{url}{path}"))
            .header("content-type", "application/json")
            .body(Bytes::from(body))
            .unwrap();
        let (status, violations) = oracle.verdict(request).await;
        assert_eq!(status, 422, "{path}");
        assert!(!violations.is_empty(), "{path}");
    }
    // The stream takes the app's bearer token and nothing else: security is checked.
    let unsigned = http::Request::get(format!("{url}/2/activity/stream"))
        .body(Bytes::new())
        .unwrap();
    let response = HyperTransport::new().unwrap().send(unsigned).await.unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn requests_go_to_the_mock_of_their_spec_file() {
    let (Some(dm), Some(_)) = (
        url_or_skip("PRISM_URL"),
        url_or_skip("PRISM_MEDIA_REALTIME_URL"),
    ) else {
        return;
    };
    let spec = spec_query_params();
    let mut oracle = Oracle::new(&dm, false);
    // Built against the DM mock's URL, as every request is; tagged with an operation of the
    // second spec, it is validated by that spec's mock (the DM mock would answer 404).
    let mut request = http::Request::get(format!("{dm}/2/webhooks?webhook_config.fields=id,url"))
        .body(Bytes::new())
        .unwrap();
    request.extensions_mut().insert(Operation::GetWebhooks);
    check_query(&request, &spec);
    oracle.valid(request).await;
    let mut request = http::Request::get(format!("{dm}/2/dm_events?max_results=5"))
        .body(Bytes::new())
        .unwrap();
    request.extensions_mut().insert(Operation::GetDmEvents);
    check_query(&request, &spec);
    oracle.valid(request).await;
    assert_eq!(oracle.validated, 2);
}

#[tokio::test]
async fn every_request_xdm_builds_is_valid_per_the_official_spec() {
    let Some(url) = url_or_skip("PRISM_URL") else {
        return;
    };
    let mut oracle = Oracle::new(&url, false);
    send_everything(&mut oracle, 1).await;
    println!("prism-validated-requests bearer {}", oracle.validated);
    assert!(oracle.validated > 500, "{}", oracle.validated);
}

#[tokio::test]
async fn oauth1_signed_requests_are_valid_per_the_spec() {
    let Some(url) = url_or_skip("PRISM_OAUTH1_URL") else {
        return;
    };
    let mut oracle = Oracle::new(&url, true);
    // A bearer-less, unsigned request is refused: security is checked on this instance.
    let request = http::Request::get(format!("{url}/2/dm_events"))
        .body(Bytes::new())
        .unwrap();
    let response = HyperTransport::new().unwrap().send(request).await.unwrap();
    assert_eq!(response.status(), 401);
    send_everything(&mut oracle, 4).await;
    println!("prism-validated-requests oauth1 {}", oracle.validated);
}

#[tokio::test]
async fn the_client_itself_pages_and_sends_through_prism() {
    let Some(url) = url_or_skip("PRISM_URL") else {
        return;
    };
    use futures::StreamExt as _;
    let client = dm_stream::Client::builder()
        .base_url(&url)
        .bearer_token("conformance")
        .retry(dm_transport::RetryPolicy::none())
        .build()
        .unwrap();
    // Prism's static pages always carry a (too short) next_token: take one page per lookup.
    for request in [
        client.all_events().all_fields(),
        client
            .with_participant(UserId::parse("2244994945").unwrap())
            .all_fields(),
        client
            .conversation("123123123-456456456".parse().unwrap())
            .event_types([EventType::MessageCreate]),
    ] {
        let first = request.pages().next().await.expect("a page");
        if let Err(e) = &first {
            // Prism's mocked bodies are not always schema-valid (docs/design/prism-oracle.md
            // §3), so a decode error is Prism's; a refused request is ours.
            let status = e
                .error()
                .transport()
                .and_then(|t| t.as_api())
                .map(|a| a.status.as_u16());
            assert!(status.is_none(), "Prism refused the client's request: {e}");
        }
    }
    let sent = client
        .send_to_user(
            UserId::parse("2244994945").unwrap(),
            MessageRequest::text("hello").unwrap(),
        )
        .await;
    if let Err(e) = sent {
        let status = e
            .transport()
            .and_then(|t| t.as_api())
            .map(|a| a.status.as_u16());
        assert!(status.is_none(), "Prism refused the send: {e}");
    }
}
