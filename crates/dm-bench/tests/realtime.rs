//! The real-time bench scenarios run (small) and measure what they say: every message
//! arrives, every delivery is verified and reaches the sink. No timing is asserted.

use dm_bench::realtime::{signed_bodies, stream_latency, verify_throughput, webhook_latency};
use dm_webhook::ConsumerSecret;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_realtime_scenarios_run() {
    let stream = stream_latency(20).await.unwrap();
    assert_eq!(stream.sorted_ms.len(), 20);
    assert!(stream.median() <= stream.p99());
    let webhook = webhook_latency(20).await.unwrap();
    assert_eq!(webhook.sorted_ms.len(), 20);
    let t = verify_throughput(200, 4).await.unwrap();
    assert!(t.http_events_per_sec > 0.0 && t.handler_events_per_sec > 0.0);
    assert!(t.body_bytes > 1000, "realistic bodies: {}", t.body_bytes);
}

#[test]
fn the_bench_bodies_verify() {
    let secret = ConsumerSecret::new("s");
    for (body, sig) in signed_bodies(&secret, 3) {
        assert!(secret.verify(sig.as_bytes(), &body));
    }
}
