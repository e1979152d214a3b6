//! The sandbox calling webhooks: CRC checks and signed deliveries with retries, over plain
//! HTTP (a sandbox's webhooks live on loopback).

use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use bytes::Bytes;
use hmac::{Hmac, Mac};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use sha2::Sha256;
use tokio::sync::mpsc;

use crate::dispatch::Shared;

type HttpClient = Client<HttpConnector, Full<Bytes>>;

fn client() -> &'static HttpClient {
    static CLIENT: OnceLock<HttpClient> = OnceLock::new();
    CLIENT.get_or_init(|| Client::builder(TokioExecutor::new()).build_http())
}

/// `sha256=` + base64(HMAC-SHA256(key = consumer secret, message)): the CRC response token
/// and the delivery signature alike.
pub(crate) fn sign(secret: &str, message: &[u8]) -> String {
    // HMAC takes a key of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
    mac.update(message);
    format!("sha256={}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// Sends a CRC check to `url` and verifies the answer. `Err` says why it failed.
pub(crate) async fn crc_check(shared: &Arc<Shared>, url: &str) -> Result<(), String> {
    let hub = &shared.activity;
    if !url.starts_with("http://") {
        return Err(format!(
            "the sandbox calls webhooks over plain http:// only (a loopback receiver), not `{url}`"
        ));
    }
    let n = hub.crc_checks.fetch_add(1, Ordering::Relaxed) + 1;
    let raw = crate::clock::mix(hub.seed ^ n ^ 0xC4C).to_be_bytes();
    let token = URL_SAFE_NO_PAD.encode([raw, raw.map(|b| b.rotate_left(3))].concat());
    let sep = if url.contains('?') { '&' } else { '?' };
    let target = format!("{url}{sep}crc_token={token}");
    let request = http::Request::get(&target)
        .header("user-agent", "dm-fake-webhooks")
        .body(Full::new(Bytes::new()))
        .map_err(|e| format!("invalid webhook URL `{url}`: {e}"))?;
    let timeout = hub.config.crc_timeout;
    let response = tokio::time::timeout(timeout, async {
        let response = client()
            .request(request)
            .await
            .map_err(|e| format!("the CRC request failed: {e}"))?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("reading the CRC response failed: {e}"))?
            .to_bytes();
        Ok::<_, String>((status, body))
    })
    .await
    .map_err(|_| format!("no CRC response within {timeout:?}"))??;
    let (status, body) = response;
    if status != http::StatusCode::OK {
        return Err(format!("the CRC check got status {status}"));
    }
    let expected = sign(&hub.config.consumer_secret, token.as_bytes());
    let got = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("response_token")?.as_str().map(str::to_owned));
    match got {
        Some(t) if t == expected => Ok(()),
        Some(_) => Err("the CRC response_token is wrong".into()),
        None => Err("the CRC response has no response_token".into()),
    }
}

/// Starts the delivery worker of a webhook: posts each queued body, signed, in order;
/// retries a failed delivery after each of the configured pauses, then drops it.
pub(crate) fn start_worker(shared: Arc<Shared>, url: String) -> mpsc::UnboundedSender<Bytes> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Bytes>();
    tokio::spawn(async move {
        while let Some(body) = rx.recv().await {
            let copies = if shared.activity.config.duplicate_deliveries {
                2
            } else {
                1
            };
            for _ in 0..copies {
                deliver(&shared, &url, &body).await;
            }
        }
    });
    tx
}

async fn deliver(shared: &Arc<Shared>, url: &str, body: &Bytes) {
    let hub = &shared.activity;
    let signature = sign(&hub.config.consumer_secret, body);
    let delays = hub.config.retry_delays.clone();
    for attempt in 0..=delays.len() {
        if attempt > 0 {
            tokio::time::sleep(delays[attempt - 1]).await;
        }
        hub.attempts.fetch_add(1, Ordering::Relaxed);
        let request = http::Request::post(url)
            .header("content-type", "application/json; charset=utf-8")
            .header("x-twitter-webhooks-signature", signature.as_str())
            .header("user-agent", "dm-fake-webhooks")
            .body(Full::new(body.clone()));
        let Ok(request) = request else {
            break;
        };
        let ok = tokio::time::timeout(hub.config.delivery_timeout, async {
            match client().request(request).await {
                Ok(r) => {
                    let ok = r.status().is_success();
                    let _ = r.into_body().collect().await;
                    ok
                }
                Err(_) => false,
            }
        })
        .await
        .unwrap_or(false);
        if ok {
            hub.acknowledged.fetch_add(1, Ordering::Relaxed);
            return;
        }
        tracing::debug!(url, attempt, "dm-fake: webhook delivery failed");
    }
    hub.dropped.fetch_add(1, Ordering::Relaxed);
}
