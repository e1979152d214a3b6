//! The consumer secret never shows: not in `Debug`, not in responses, not in logs, whatever
//! the requests.

use std::io::Write;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use dm_webhook::{ConsumerSecret, Receiver, ReceiverConfig};
use http_body_util::{BodyExt, Full};

const SECRET: &str = "super-secret-consumer-key-7f3a";

#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_secret_is_never_printed() {
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let secret = ConsumerSecret::new(SECRET);
    let (receiver, _events) =
        Receiver::new(secret.clone(), ReceiverConfig::default().max_body_bytes(64));
    let mut seen = format!("{secret:?} {receiver:?}");
    let body = br#"{"for_user_id":"1"}"#;
    let requests = [
        http::Request::post("/webhook")
            .body(Full::new(Bytes::from_static(body)))
            .unwrap(),
        http::Request::post("/webhook")
            .header("x-twitter-webhooks-signature", "sha256=AAAA")
            .body(Full::new(Bytes::from_static(body)))
            .unwrap(),
        http::Request::post("/webhook")
            .header("x-twitter-webhooks-signature", secret.sign(b"not json"))
            .body(Full::new(Bytes::from_static(b"not json")))
            .unwrap(),
        http::Request::post("/webhook")
            .header("x-twitter-webhooks-signature", secret.sign(&[b'x'; 100]))
            .body(Full::new(Bytes::from_static(&[b'x'; 100])))
            .unwrap(),
        http::Request::get("/webhook?crc_token=abc")
            .body(Full::new(Bytes::new()))
            .unwrap(),
    ];
    for request in requests {
        let response = receiver.handle(request).await;
        let body = response.into_body().collect().await.unwrap().to_bytes();
        seen.push_str(&String::from_utf8_lossy(&body));
    }
    seen.push_str(&String::from_utf8_lossy(&logs.0.lock().unwrap()));
    assert!(seen.contains("[redacted]"), "{seen}");
    assert!(
        !logs.0.lock().unwrap().is_empty(),
        "the refusals were logged"
    );
    assert!(!seen.contains(SECRET), "{seen}");
    assert!(!seen.contains("7f3a"), "{seen}");
}
