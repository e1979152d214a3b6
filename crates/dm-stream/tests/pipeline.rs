//! With prefetch on, the request for the next page goes out before the current page is
//! decoded (its token read from the end of the body). That changes when requests are sent,
//! never which ones or what is delivered.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use dm_fake::Endpoint;
use dm_stream::Scope;
use dm_transport::{HyperTransport, Transport};
use futures::TryStreamExt as _;
use serde_json::Value;
use support::*;

/// The `pagination_token`s of the lookups the sandbox received after request `after`, in
/// arrival order.
fn tokens_requested(fake: &dm_fake::FakeServer, after: u64) -> Vec<Option<String>> {
    fake.requests()
        .into_iter()
        .filter(|r| r.seq > after && r.endpoint == Endpoint::GetDmEvents)
        .map(|r| {
            r.query
                .split('&')
                .find_map(|kv| kv.strip_prefix("pagination_token="))
                .map(str::to_owned)
        })
        .collect()
}

fn last_seq(fake: &dm_fake::FakeServer) -> u64 {
    fake.requests().last().map_or(0, |r| r.seq)
}

async fn walk(
    fake: &dm_fake::FakeServer,
    prefetch: usize,
    all_fields: bool,
    page_size: u32,
) -> Vec<Value> {
    let client = client_builder(fake)
        .prefetch(prefetch)
        .page_size(page_size)
        .build()
        .unwrap();
    let mut request = client.all_events();
    if all_fields {
        request = request.all_fields();
    }
    request
        .events()
        .map_ok(|e| json(&e))
        .try_collect()
        .await
        .expect("stream completes")
}

#[tokio::test]
async fn prefetch_requests_the_same_pages_once_each_in_order() {
    // Large pages (decoded on a blocking thread) and small ones (decoded in place).
    for (all_fields, page_size) in [(true, 100), (false, 20)] {
        let fake = sandbox(1_200).await;
        let sequential = walk(&fake, 0, all_fields, page_size).await;
        let mark = last_seq(&fake);
        let sequential_tokens = tokens_requested(&fake, 0);
        let prefetched = walk(&fake, 1, all_fields, page_size).await;
        let prefetched_tokens = tokens_requested(&fake, mark);
        assert_eq!(prefetched, sequential, "page size {page_size}");
        assert_eq!(
            prefetched_tokens, sequential_tokens,
            "page size {page_size}"
        );
        assert!(sequential_tokens.len() > 10);
        if all_fields {
            assert_eq!(prefetched, truth(&fake, &Scope::All));
        }
    }
}

/// The real transport, except that the `n`th response body gets a broken byte in the middle
/// of `data` (its end, with `meta`, intact).
struct BreakOneBody {
    inner: HyperTransport,
    seen: AtomicUsize,
    break_nth: usize,
}

#[async_trait::async_trait]
impl Transport for BreakOneBody {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, dm_transport::Error> {
        let response = self.inner.send(request).await?;
        if self.seen.fetch_add(1, Ordering::SeqCst) + 1 != self.break_nth {
            return Ok(response);
        }
        Ok(response.map(|body| {
            let mut bytes = body.to_vec();
            let middle = bytes.len() / 2;
            bytes[middle] = b'\x01';
            Bytes::from(bytes)
        }))
    }
}

#[tokio::test]
async fn a_page_that_does_not_decode_is_fetched_again_though_the_next_was_requested() {
    let fake = sandbox(1_200).await;
    let expected = truth(&fake, &Scope::All);
    for break_nth in [1, 2, 5] {
        let mark = last_seq(&fake);
        let transport = BreakOneBody {
            inner: HyperTransport::new().unwrap(),
            seen: AtomicUsize::new(0),
            break_nth,
        };
        let client = client_builder(&fake)
            .transport(Arc::new(transport))
            .prefetch(1)
            .build()
            .unwrap();
        let got: Vec<Value> = client
            .all_events()
            .all_fields()
            .events()
            .map_ok(|e| json(&e))
            .try_collect()
            .await
            .expect("the broken page is fetched again");
        assert_eq!(got, expected, "body {break_nth} broken");
        // Every page was requested; the broken one twice.
        let tokens = tokens_requested(&fake, mark);
        let pages = expected.len().div_ceil(100);
        assert!(
            tokens.len() > pages,
            "{break_nth}: {} requests for {pages} pages",
            tokens.len()
        );
    }
}
