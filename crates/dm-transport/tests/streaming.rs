//! Streamed bodies: chunks reach the caller as they arrive, through every layer.

use std::sync::Arc;

use bytes::Bytes;
use dm_transport::{Auth, BodyStream, Error, HyperTransport, Stack, Transport};
use futures::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// A server that sends the first chunk of a chunked body, waits for `go`, then the rest.
async fn two_part_server(go: oneshot::Receiver<()>) -> (String, tokio::task::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 8192];
        let n = socket.read(&mut buf).await.unwrap();
        let head = String::from_utf8_lossy(&buf[..n]).to_string();
        socket
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ntransfer-encoding: chunked\r\n\r\n5\r\nfirst\r\n")
            .await
            .unwrap();
        socket.flush().await.unwrap();
        // The rest only once the client has seen the first chunk: proof it streams.
        go.await.unwrap();
        socket.write_all(b"6\r\nsecond\r\n0\r\n\r\n").await.unwrap();
        head
    });
    (base, task)
}

async fn check(transport: Arc<dyn Transport>, base: &str, go: oneshot::Sender<()>) -> Vec<Bytes> {
    let request = http::Request::get(format!("{base}/2/dm_conversations/media/1/2/a.jpg"))
        .body(Bytes::new())
        .unwrap();
    let response = transport.send_streaming(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let mut body: BodyStream = response.into_body();
    let first = body.next().await.unwrap().unwrap();
    assert_eq!(&first[..], b"first");
    go.send(()).unwrap();
    let mut chunks = vec![first];
    while let Some(chunk) = body.next().await {
        chunks.push(chunk.unwrap());
    }
    chunks
}

#[tokio::test]
async fn the_hyper_transport_streams_chunks_as_they_arrive() {
    let (tx, rx) = oneshot::channel();
    let (base, server) = two_part_server(rx).await;
    let transport: Arc<dyn Transport> = Arc::new(HyperTransport::new().unwrap());
    let chunks = check(transport, &base, tx).await;
    assert_eq!(chunks.concat(), b"firstsecond");
    let head = server.await.unwrap().to_ascii_lowercase();
    assert!(head.contains("accept-encoding: identity"), "{head}");
}

#[tokio::test]
async fn the_stack_streams_too_and_authorizes_the_request() {
    let (tx, rx) = oneshot::channel();
    let (base, server) = two_part_server(rx).await;
    let stack = Stack::builder(Arc::new(HyperTransport::new().unwrap()))
        .base_url(&base)
        .unwrap()
        .auth(Auth::bearer("user-token"))
        .build();
    let chunks = check(Arc::new(stack), &base, tx).await;
    assert_eq!(chunks.concat(), b"firstsecond");
    let head = server.await.unwrap();
    assert!(head.contains("authorization: Bearer user-token"), "{head}");
}

#[tokio::test]
async fn an_error_status_on_a_streamed_request_is_an_api_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 8192];
        let _ = socket.read(&mut buf).await.unwrap();
        let body = r#"{"title":"Not Found Error","type":"https://api.x.com/2/problems/resource-not-found","detail":"no media"}"#;
        let head = format!(
            "HTTP/1.1 404 Not Found\r\ncontent-type: application/problem+json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        socket
            .write_all(format!("{head}{body}").as_bytes())
            .await
            .unwrap();
    });
    let stack = Stack::builder(Arc::new(HyperTransport::new().unwrap()))
        .base_url(&base)
        .unwrap()
        .build();
    let request = http::Request::get(format!("{base}/2/dm_conversations/media/1/2/a.jpg"))
        .body(Bytes::new())
        .unwrap();
    let err = stack.send_streaming(request).await.unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status, 404);
    assert_eq!(
        api.problems[0].kind(),
        dm_model::ProblemKind::ResourceNotFound
    );
}
