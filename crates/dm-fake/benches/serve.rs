//! How fast the sandbox serves: a live-rendered page of 100 events with every expansion,
//! the same page pre-rendered, and raw page rendering without HTTP.

use criterion::{Criterion, criterion_group, criterion_main};
use dm_fake::{Dataset, DatasetConfig, FakeServer};
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;

const QUERY: &str = "max_results=100&dm_event.fields=created_at,sender_id,attachments,referenced_tweets&expansions=sender_id,attachments.media_keys,referenced_tweets.id";

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let path = format!("/2/dm_events?{QUERY}");
    let live = rt
        .block_on(FakeServer::builder().seed(1).events(10_000).start())
        .expect("start");
    let pre = rt
        .block_on(
            FakeServer::builder()
                .seed(1)
                .events(10_000)
                .prerender(path.clone())
                .start(),
        )
        .expect("start");
    for (name, server) in [("page_live", &live), ("page_prerendered", &pre)] {
        let (mut send, conn) = rt
            .block_on(async {
                let stream = tokio::net::TcpStream::connect(server.local_addr()).await?;
                hyper::client::conn::http1::handshake(TokioIo::new(stream))
                    .await
                    .map_err(std::io::Error::other)
            })
            .expect("connect");
        rt.spawn(conn);
        let auth = format!("Bearer {}", server.token());
        c.bench_function(name, |b| {
            b.iter(|| {
                rt.block_on(async {
                    let req = http::Request::get(path.as_str())
                        .header("host", "127.0.0.1")
                        .header("authorization", auth.as_str())
                        .body(Empty::<bytes::Bytes>::new())
                        .expect("request");
                    let resp = send.send_request(req).await.expect("response");
                    resp.into_body()
                        .collect()
                        .await
                        .expect("body")
                        .to_bytes()
                        .len()
                })
            })
        });
    }
    c.bench_function("generate_100k_events", |b| {
        b.iter(|| Dataset::generate(&DatasetConfig::new(1, 100_000)).len())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
