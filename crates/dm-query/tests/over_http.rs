//! Built requests sent by hyper to a real HTTP server on 127.0.0.1: what the server receives
//! is what was built, and the server parses the query back to the same value.

mod common;

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use dm_model::{
    DmEventField, EventType, Expansion, GroupConversationRequest, InitializeUploadRequest,
    MediaCategory, MediaMimeType, MessageRequest, UserField,
};
use dm_query::{
    ApiRequest, AppendUpload, BaseUrl, BlockDms, CreateGroup, DeleteEvent, DownloadMedia,
    EventsQuery, FieldsQuery, FinalizeUpload, GetEvent, GetUploadStatus, InitializeUpload,
    ListEvents, MediaEncoding, Operation, Scope, SendToConversation, SendToParticipant, UnblockDms,
    UploadMedia,
};
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use proptest::prelude::*;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// What the server saw.
#[derive(Debug)]
struct Seen {
    method: http::Method,
    /// The request target exactly as sent (path and query).
    target: String,
    headers: http::HeaderMap,
    body: Bytes,
}

/// Starts a server that reports every request it receives.
async fn server() -> (SocketAddr, mpsc::UnboundedReceiver<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let tx = tx.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req: http::Request<hyper::body::Incoming>| {
                    let tx = tx.clone();
                    async move {
                        let (parts, body) = req.into_parts();
                        let body = body
                            .collect()
                            .await
                            .map(|b| b.to_bytes())
                            .unwrap_or_default();
                        let _ = tx.send(Seen {
                            method: parts.method,
                            target: parts
                                .uri
                                .path_and_query()
                                .map(|p| p.as_str().to_owned())
                                .unwrap_or_default(),
                            headers: parts.headers,
                            body,
                        });
                        Ok::<_, Infallible>(http::Response::new(Full::new(Bytes::new())))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (addr, rx)
}

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

fn client() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

/// Sends `request` and returns what the server saw.
async fn round_trip(
    client: &HttpClient,
    rx: &mut mpsc::UnboundedReceiver<Seen>,
    request: http::Request<Bytes>,
) -> Seen {
    let response = client.request(request.map(Full::new)).await.unwrap();
    assert_eq!(response.status(), http::StatusCode::OK);
    rx.recv().await.unwrap()
}

/// A request value per operation with one, in declaration order.
fn requests() -> Vec<Box<dyn ApiRequest>> {
    let mut out = dm_requests();
    out.extend(media_requests());
    out.extend(realtime_requests());
    out.extend(chat_requests());
    out
}

/// The media upload requests: multipart with bytes that look like a boundary, JSON, none.
fn media_requests() -> Vec<Box<dyn ApiRequest>> {
    let media: dm_model::MediaId = "1880028106020515840".parse().unwrap();
    let bytes = Bytes::from_static(b"\xff\xd8\xff\xe0\r\n--xdm-\r\n\x00binary\xff\xd9");
    let mut one_shot = UploadMedia::new(bytes.clone(), MediaCategory::DmImage);
    one_shot.additional_owners = vec!["944480690".parse().unwrap()];
    let mut json_append = AppendUpload::new(media.clone(), 999, bytes);
    json_append.encoding = MediaEncoding::Json;
    vec![
        Box::new(one_shot),
        Box::new(InitializeUpload {
            body: InitializeUploadRequest::new(
                MediaMimeType::VideoMp4,
                1_048_576,
                MediaCategory::DmVideo,
            )
            .unwrap(),
        }),
        Box::new(json_append),
        Box::new(FinalizeUpload {
            media_id: media.clone(),
        }),
        Box::new(GetUploadStatus { media_id: media }),
    ]
}

/// The activity, webhook and Account Activity requests (issue 16).
fn realtime_requests() -> Vec<Box<dyn ApiRequest>> {
    common::realtime_requests()
}

/// The X Chat request values (issue 19).
fn chat_requests() -> Vec<Box<dyn ApiRequest>> {
    common::chat_requests()
}

fn dm_requests() -> Vec<Box<dyn ApiRequest>> {
    let user: dm_model::UserId = "944480690".parse().unwrap();
    let query = EventsQuery::new()
        .max_results(7)
        .pagination_token("18LAA581J5II7LA00C00ZZZZ")
        .event_types([EventType::MessageCreate, EventType::ParticipantsJoin])
        .dm_event_fields([DmEventField::Text, DmEventField::SenderId])
        .expansions([Expansion::SenderId])
        .user_fields([UserField::Username]);
    vec![
        Box::new(ListEvents::new(Scope::All, query.clone())),
        Box::new(ListEvents::new(
            Scope::Conversation("944480690-906948460078698496".parse().unwrap()),
            query.clone(),
        )),
        Box::new(ListEvents::new(Scope::WithParticipant(user.clone()), query)),
        Box::new(
            GetEvent::new("1582838499983564806".parse().unwrap())
                .fields(FieldsQuery::new().dm_event_fields([DmEventField::CreatedAt])),
        ),
        Box::new(DeleteEvent {
            id: "1582838499983564806".parse().unwrap(),
        }),
        Box::new(SendToParticipant {
            participant_id: user.clone(),
            message: MessageRequest::text("héllo ☃ \"quoted\"").unwrap(),
        }),
        Box::new(SendToConversation {
            conversation_id: "1578398451921985538".parse().unwrap(),
            message: MessageRequest::media("1583157113245011970".parse().unwrap()),
        }),
        Box::new(CreateGroup {
            body: GroupConversationRequest::new(
                vec![user.clone(), "906948460078698496".parse().unwrap()],
                MessageRequest::text("group").unwrap(),
            )
            .unwrap(),
        }),
        Box::new(DownloadMedia {
            dm_id: "1585321444547837956".parse().unwrap(),
            media_id: "1583157113245011970".parse().unwrap(),
            resource_id: "tJg5kUG5RKPi3jNi.jpg".parse().unwrap(),
        }),
        Box::new(BlockDms {
            user_id: user.clone(),
        }),
        Box::new(UnblockDms { user_id: user }),
    ]
}

#[tokio::test]
async fn every_operation_arrives_as_built() {
    let (addr, mut rx) = server().await;
    let base = BaseUrl::parse(&format!("http://{addr}")).unwrap();
    let client = client();
    let mut operations = Vec::new();
    for value in requests() {
        let request = value.to_request(&base).unwrap();
        let op = value.operation();
        operations.push(op);
        let expected_target = request.uri().path_and_query().unwrap().as_str().to_owned();
        let expected_body = request.body().clone();
        let seen = round_trip(&client, &mut rx, request).await;
        assert_eq!(seen.method, op.method(), "{op}");
        assert_eq!(seen.target, expected_target, "{op}");
        assert_eq!(seen.body, expected_body, "{op}");
        assert_eq!(seen.headers["user-agent"], dm_query::USER_AGENT, "{op}");
        assert!(seen.headers.contains_key("accept"), "{op}");
        if op.has_request_body() {
            let content_type = seen.headers["content-type"].to_str().unwrap();
            let media_type = content_type.split(';').next().unwrap();
            assert!(
                op.request_media_types().contains(&media_type),
                "{op}: {content_type}"
            );
            if media_type == "application/json" {
                let sent: serde_json::Value = serde_json::from_slice(&seen.body).unwrap();
                assert!(sent.is_object(), "{op}");
            } else {
                let boundary = content_type.split("boundary=").nth(1).unwrap();
                assert!(
                    seen.body
                        .ends_with(format!("--{boundary}--\r\n").as_bytes())
                );
            }
        } else {
            assert!(seen.body.is_empty(), "{op}");
            assert!(!seen.headers.contains_key("content-type"), "{op}");
        }
        if op.method() == http::Method::POST && !op.has_request_body() {
            assert_eq!(seen.headers["content-length"], "0", "{op}");
        }
        // The server side reads the same query back.
        let (path, query) = seen
            .target
            .split_once('?')
            .unwrap_or((seen.target.as_str(), ""));
        match op {
            Operation::GetDmEvents
            | Operation::GetDmConversationEvents
            | Operation::GetDmEventsWithParticipant => {
                let q = EventsQuery::parse(query).unwrap();
                assert_eq!(q.get_max_results(), Some(7));
                assert_eq!(q.get_pagination_token(), Some("18LAA581J5II7LA00C00ZZZZ"));
            }
            Operation::GetDmEvent => {
                FieldsQuery::parse(query).unwrap();
            }
            Operation::StreamActivity => assert_eq!(
                query,
                "backfill_minutes=5&start_time=2026-08-22T12%3A00%3A00Z&end_time=2026-08-22T12%3A30%3A00Z"
            ),
            Operation::GetActivitySubscriptions => assert_eq!(
                query,
                "max_results=1000&pagination_token=7140dibdnow9c7btw3w29gsnbjdh6emts9pjhbnmk8jlr"
            ),
            Operation::DeleteActivitySubscriptions => {
                assert_eq!(query, "ids=1976325569252868096,1976325569252868097")
            }
            Operation::GetWebhooks => assert_eq!(query, "webhook_config.fields=id,url"),
            Operation::GetUploadStatus => {
                assert_eq!(query, "media_id=1880028106020515840&command=STATUS");
            }
            Operation::GetPublicKey => assert_eq!(
                query,
                "public_key.fields=identity_public_key_signature%2Cjuicebox_config%2Cpublic_key%2Cpublic_key_version%2Csigning_public_key"
            ),
            Operation::GetPublicKeys => {
                assert!(
                    query.starts_with("ids=783214%2C2244994945&public_key.fields="),
                    "{query}"
                );
            }
            Operation::GetChatConversations => {
                assert!(
                    query.starts_with("max_results=20&chat_conversation.fields="),
                    "{query}"
                );
                assert!(
                    query.ends_with("&expansions=admin_ids%2Cparticipant_ids"),
                    "{query}"
                );
            }
            Operation::GetChatConversation => {
                assert!(query.starts_with("chat_conversation.fields="), "{query}");
            }
            Operation::GetChatEvents => {
                assert!(
                    query.starts_with("max_results=50&pagination_token=1880028106020515840&chat_message_event.fields=conversation_id%2C"),
                    "{query}"
                );
                assert!(query.contains("encoded_event"), "{query}");
            }
            _ => assert!(query.is_empty(), "{op}"),
        }
        // The path has the template's shape.
        let template: Vec<&str> = op.path_template().split('/').collect();
        let got: Vec<&str> = path.split('/').collect();
        assert_eq!(template.len(), got.len(), "{op}: {path}");
        for (t, g) in template.iter().zip(&got) {
            if !t.starts_with('{') {
                assert_eq!(t, g, "{op}: {path}");
            }
        }
    }
    assert_eq!(operations, common::built_operations());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Opaque tokens with characters that mean something in a URI survive the trip.
    #[test]
    fn tokens_survive_the_wire(token in "[ -~]{16,40}|.{16,24}", max in 1u32..=100) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let (addr, mut rx) = server().await;
            let base = BaseUrl::parse(&format!("http://{addr}/prefix")).unwrap();
            let query = EventsQuery::new().max_results(max).pagination_token(token.clone());
            let request = ListEvents::new(Scope::All, query.clone()).to_request(&base).unwrap();
            let seen = round_trip(&client(), &mut rx, request).await;
            let (path, q) = seen.target.split_once('?').unwrap();
            assert_eq!(path, "/prefix/2/dm_events");
            let parsed = EventsQuery::parse(q).unwrap();
            assert_eq!(parsed.get_pagination_token(), Some(token.as_str()));
            assert_eq!(parsed, query);
        });
    }
}
