//! Test helpers: a plain hyper client over real sockets, and raw TCP for faults.
#![allow(dead_code)]

use std::io::Read as _;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A response with the body gunzipped when it was gzipped.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
    pub wire_len: usize,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

fn addr(base: &str) -> String {
    base.trim_start_matches("http://").to_owned()
}

/// Sends one request on a fresh connection.
pub async fn request(
    base: &str,
    method: &str,
    path_and_query: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Result<Resp, Box<dyn std::error::Error + Send + Sync>> {
    let body = Bytes::from(body.unwrap_or("").to_owned());
    request_bytes(base, method, path_and_query, headers, body).await
}

/// Sends one request with a binary body on a fresh connection.
pub async fn request_bytes(
    base: &str,
    method: &str,
    path_and_query: &str,
    headers: &[(&str, &str)],
    body: Bytes,
) -> Result<Resp, Box<dyn std::error::Error + Send + Sync>> {
    let stream = TcpStream::connect(addr(base)).await?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let mut b = http::Request::builder()
        .method(method)
        .uri(path_and_query)
        .header("host", addr(base));
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let req = b.body(Full::new(body))?;
    let resp = sender.send_request(req).await?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let raw = resp.into_body().collect().await?.to_bytes();
    let wire_len = raw.len();
    let body = if headers.get("content-encoding").is_some_and(|v| v == "gzip") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..]).read_to_end(&mut out)?;
        Bytes::from(out)
    } else {
        raw
    };
    Ok(Resp {
        status,
        headers,
        body,
        wire_len,
    })
}

pub async fn get(base: &str, path_and_query: &str, token: &str) -> Resp {
    let auth = format!("Bearer {token}");
    request(
        base,
        "GET",
        path_and_query,
        &[("authorization", &auth)],
        None,
    )
    .await
    .expect("request")
}

pub async fn post(base: &str, path: &str, token: &str, body: &str) -> Resp {
    let auth = format!("Bearer {token}");
    request(
        base,
        "POST",
        path,
        &[
            ("authorization", &auth),
            ("content-type", "application/json"),
        ],
        Some(body),
    )
    .await
    .expect("request")
}

/// `POST` of a binary body with a content type.
pub async fn post_bytes(
    base: &str,
    path: &str,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Resp {
    let auth = format!("Bearer {token}");
    request_bytes(
        base,
        "POST",
        path,
        &[("authorization", &auth), ("content-type", content_type)],
        Bytes::from(body),
    )
    .await
    .expect("request")
}

/// Uploads `bytes` in one JSON request (base64) with `category`, as `token`'s user; returns
/// the answer.
pub async fn upload_json(
    s: &dm_fake::FakeServer,
    token: &str,
    category: &str,
    bytes: &[u8],
) -> Resp {
    use base64::Engine as _;
    let media = base64::engine::general_purpose::STANDARD.encode(bytes);
    let body = serde_json::json!({"media": media, "media_category": category});
    post(s.base_url(), "/2/media/upload", token, &body.to_string()).await
}

/// Uploads a small image for DMs as the sandbox's user; returns its media id.
pub async fn upload_image(s: &dm_fake::FakeServer) -> String {
    let r = upload_json(
        s,
        s.token(),
        "dm_image",
        b"\xff\xd8\xff\xe0 a tiny jpeg \xff\xd9",
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()["data"]["id"].as_str().unwrap().to_owned()
}

/// A sandbox generated from `seed` with `events` events.
pub async fn sandbox(seed: u64, events: usize) -> dm_fake::FakeServer {
    dm_fake::FakeServer::builder()
        .seed(seed)
        .events(events)
        .start()
        .await
        .expect("sandbox starts")
}

/// `POST /2/dm_conversations` (create a group) with `body`, as the sandbox's user.
pub async fn create_group(s: &dm_fake::FakeServer, body: &Value) -> Resp {
    post(
        s.base_url(),
        "/2/dm_conversations",
        s.token(),
        &body.to_string(),
    )
    .await
}

/// Pages through a lookup; returns every page's JSON.
pub async fn all_pages(base: &str, path: &str, query: &str, token: &str) -> Vec<Value> {
    let mut pages = Vec::new();
    let mut next: Option<String> = None;
    for _ in 0..10_000 {
        let mut q = query.to_owned();
        if let Some(t) = &next {
            if !q.is_empty() {
                q.push('&');
            }
            q.push_str("pagination_token=");
            q.push_str(t);
        }
        let url = if q.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{q}")
        };
        let r = get(base, &url, token).await;
        assert_eq!(r.status, 200, "{url}: {}", String::from_utf8_lossy(&r.body));
        let v = r.json();
        let tok = v
            .pointer("/meta/next_token")
            .and_then(Value::as_str)
            .map(str::to_owned);
        pages.push(v);
        match tok {
            Some(t) => {
                assert_ne!(Some(&t), next.as_ref(), "repeated token");
                next = Some(t);
            }
            None => return pages,
        }
    }
    panic!("pagination did not end");
}

/// Raw HTTP/1.1 exchange: writes `request`, reads until EOF or error.
/// Returns the bytes read and the error that ended the read, if any.
pub async fn raw(base: &str, request: &str) -> (Vec<u8>, Option<std::io::ErrorKind>) {
    let mut s = TcpStream::connect(addr(base)).await.expect("connect");
    s.write_all(request.as_bytes()).await.expect("write");
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf).await {
            Ok(0) => return (out, None),
            Ok(n) => out.extend_from_slice(buf.get(..n).unwrap_or_default()),
            Err(e) => return (out, Some(e.kind())),
        }
    }
}

/// Splits a raw response into (head, body).
pub fn split(raw: &[u8]) -> (String, Vec<u8>) {
    let pos = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    (
        String::from_utf8_lossy(&raw[..pos]).into_owned(),
        raw[pos + 4..].to_vec(),
    )
}

pub fn raw_get(base: &str, path: &str, token: &str) -> String {
    format!(
        "GET {path} HTTP/1.1\r\nhost: {}\r\nauthorization: Bearer {token}\r\nconnection: close\r\n\r\n",
        addr(base)
    )
}
